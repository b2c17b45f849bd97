//! Users, their roles, logins, lockout and API tokens.

pub mod auth;
pub mod users;
