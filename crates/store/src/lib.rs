//! Wushe storage: one SQL text per query for both SQLite and PostgreSQL, behind [`Db`], [`Tx`] and [`Conn`].
//!
//! Queries use `$N` placeholders, which sqlx's SQLite driver binds by number just as PostgreSQL does, so
//! one string serves both dialects. Where the dialects really differ the module branches on [`Backend`].

pub mod activities;
pub mod alerts;
pub mod audit;
pub mod bulk;
pub mod categories;
pub mod certificates;
pub mod counters;
pub mod db;
pub mod error;
pub mod events;
pub mod households;
pub mod idempotency;
pub mod imports;
pub mod lists;
pub mod login_failures;
pub mod notify;
pub mod open311;
pub mod orders;
pub mod photos;
pub mod pii;
pub mod places;
pub mod points;
pub mod residents;
pub mod scope;
pub mod sessions;
pub mod settings;
pub mod supermarket;
pub mod tags;
pub mod texts;
pub mod users;
pub mod volunteers;

pub use db::{Backend, Conn, Db, Tx};
pub use error::{Error, Result};
pub use scope::Scope;

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
