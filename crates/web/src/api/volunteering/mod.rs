//! Volunteers, activities and their calendar feeds, hours, points and certificates.

pub mod activities;
pub mod calendar;
pub mod certificates;
pub mod points;
pub mod volunteers;
