//! The three lists: projects and matching demands to resources.

pub mod matching;
pub mod project;
