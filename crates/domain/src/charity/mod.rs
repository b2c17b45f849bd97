//! The charity supermarket's stock rules.

pub mod limits;
pub mod stock;
