//! The charity supermarket's stock rules.

pub mod stock;
