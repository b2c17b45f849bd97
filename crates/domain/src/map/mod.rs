//! The place hierarchy and its paths.

pub mod limits;
pub mod place;
