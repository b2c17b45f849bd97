//! The order (点单派单) and grid-event workflows, deadlines and escalation.

pub mod event;
pub mod limits;
pub mod order;
