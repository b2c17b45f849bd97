//! End-to-end API tests: each on a fresh database, on SQLite always and on PostgreSQL when
//! `WUSHE_TEST_PG_URL` is set.

#[path = "../common/mod.rs"]
mod common;

mod activities;
mod auth;
mod authz;
mod certificates;
mod chinese;
mod crash;
mod events;
pub mod imports;
mod instances;
mod lists;
mod open311;
mod orders;
mod pages;
mod people;
mod places;
mod points;
mod safety;
mod schema_parity;
mod start;
mod users;
mod volunteers;
mod workflow;
mod write_matrix;
