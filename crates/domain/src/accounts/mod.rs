//! Roles, their permissions and where they may be granted; the password policy.

pub mod limits;
pub mod password;
pub mod role;
