//! The charity supermarket (爱心超市): stock, donations, relief and redemptions.

pub mod supermarket;
