//! Orders, grid events and their deadlines.

pub mod events;
pub mod orders;
