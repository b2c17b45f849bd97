//! Pure domain rules of Wushe (五社联动): the place hierarchy, people and their personal data,
//! roles and permissions, masking, password policy and input validation; volunteer activities, service
//! hours, the points bank and the charity supermarket's stock.
//!
//! Nothing here does I/O or async work, so every rule can be tested in isolation and reused by
//! the store, the use cases and the web edge alike.

#![warn(missing_docs)]

pub mod accounts;
pub mod charity;
pub mod kernel;
pub mod lists;
pub mod map;
pub mod people;
pub mod service;
pub mod volunteering;
