//! The charity supermarket's items, stock ledger, donations and redemptions.

pub mod supermarket;
