//! What every feature shares: the actor and their scope, errors, paging, audit, keys and sealing, read caches, idempotency, erasure, photos, spreadsheets, background jobs.

pub mod actor;
pub mod audit;
pub mod cache;
pub mod clock;
pub mod crypto;
pub mod erasure;
pub mod error;
pub mod idempotency;
pub mod jobs;
pub mod keys;
pub mod overview;
pub mod page;
pub mod patch;
pub mod photo_store;
pub mod photos;
pub mod sheet;
pub mod workflow;
