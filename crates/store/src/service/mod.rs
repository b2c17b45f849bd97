//! Orders, grid events, Open311 keys and overdue alerts.

pub mod alerts;
pub mod events;
pub mod open311;
pub mod orders;
