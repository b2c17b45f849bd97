//! The three lists: projects and matching demands to resources.

pub mod limits;
pub mod matching;
pub mod project;
