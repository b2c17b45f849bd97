//! Places and their tag dictionaries.

pub mod places;
pub mod tags;
