//! Wushe storage: one SQL text per query for both SQLite and PostgreSQL, behind [`Db`], [`Tx`] and [`Conn`].
//!
//! Queries use `$N` placeholders, which sqlx's SQLite driver binds by number just as PostgreSQL does, so
//! one string serves both dialects. Where the dialects really differ the module branches on [`Backend`].

pub mod accounts;
pub mod charity;
pub mod kernel;
pub mod lists;
pub mod map;
pub mod people;
pub mod service;
pub mod volunteering;

pub use kernel::db::{Backend, Conn, Db, Tx};
pub use kernel::error::{Error, Result};
pub use kernel::scope::Scope;

/// Runs `$body` with `$c` bound to the concrete connection (`&mut SqliteConnection` or `&mut PgConnection`).
///
/// The body is compiled once per backend, so `sqlx::query_as::<_, Row>` infers the right database.
#[macro_export]
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite($c) => {
                let $c: &mut ::sqlx::SqliteConnection = &mut **$c;
                $body
            }
            $crate::Conn::Postgres($c) => {
                let $c: &mut ::sqlx::PgConnection = &mut **$c;
                $body
            }
        }
    };
}
