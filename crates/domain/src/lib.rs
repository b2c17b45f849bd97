//! Pure domain rules of Wushe (五社联动): the place hierarchy, people and their personal data,
//! roles and permissions, masking, password policy and input validation; volunteer activities, service
//! hours, the points bank and the charity supermarket's stock.
//!
//! Nothing here does I/O or async work, so every rule can be tested in isolation and reused by
//! the store, the use cases and the web edge alike.

#![warn(missing_docs)]

pub mod activity;
pub mod error;
pub mod event;
pub mod household;
pub mod id_number;
pub mod import;
pub mod mask;
pub mod matching;
pub mod order;
pub mod password;
pub mod phone;
pub mod place;
pub mod points;
pub mod project;
pub mod refusal;
pub mod resident;
pub mod role;
pub mod service;
pub mod sex;
pub mod stock;
pub mod text;
pub mod time;
pub mod volunteer;
pub mod volunteer_sheet;
pub mod workflow;
