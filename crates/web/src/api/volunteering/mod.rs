//! Volunteers, activities, hours, points and certificates.

pub mod activities;
pub mod certificates;
pub mod points;
pub mod volunteers;
