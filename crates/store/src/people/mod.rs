//! Households, residents (with their search terms) and kept import uploads.

pub mod households;
pub mod imports;
pub mod residents;
