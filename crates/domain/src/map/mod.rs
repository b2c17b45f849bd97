//! The place hierarchy and its paths.

pub mod place;
