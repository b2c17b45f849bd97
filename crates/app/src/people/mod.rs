//! The register of households and residents, and its imports and exports.

pub mod export;
pub mod households;
pub mod import;
pub mod residents;
