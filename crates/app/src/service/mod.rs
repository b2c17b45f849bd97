//! The service loop: orders (点单派单), grid events, Open311 and overdue alerts.

pub mod alerts;
pub mod events;
pub mod open311;
pub mod orders;
pub mod serving;
