//! What every feature's storage shares: pools and transactions, errors, scope in SQL, the audit log, personal texts, photos, counters, cross-instance notices, idempotency keys, settings, sealed personal fields, and the workflow kernel (one timeline, step deadlines, record grants).

pub mod audit;
pub mod counters;
pub mod db;
pub mod error;
pub mod idempotency;
pub mod notify;
pub mod photos;
pub mod pii;
pub mod scope;
pub mod settings;
pub mod texts;
pub mod workflow;
