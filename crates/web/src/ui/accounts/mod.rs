//! Logins, accounts, tokens and users.

pub mod auth;
pub mod users;
