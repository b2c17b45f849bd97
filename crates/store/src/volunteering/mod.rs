//! Volunteers, teams, activities, service records, the points ledger, certificates, and bulk loads of them.

pub mod activities;
pub mod bulk;
pub mod certificates;
pub mod points;
pub mod volunteers;
