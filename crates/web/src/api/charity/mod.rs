//! The charity supermarket's routes; the fund's will join them.

pub mod supermarket;
