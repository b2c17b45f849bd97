//! Users, sessions and API tokens, failed-login counts.

pub mod login_failures;
pub mod sessions;
pub mod users;
