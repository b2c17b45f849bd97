//! Change notices between app instances on one PostgreSQL (`LISTEN`/`NOTIFY`), so their read caches agree.
//!
//! SQLite has one instance per database file and needs none: sending is a no-op there.

use sqlx::postgres::PgListener;

use crate::{Conn, Db, Result};

/// The channel every instance listens on.
pub const CHANNEL: &str = "wushe_changes";

/// Queues a notice inside the current transaction; PostgreSQL delivers it only if the transaction commits.
pub async fn send(c: &mut Conn<'_>, payload: &str) -> Result<()> {
    if let Conn::Postgres(c) = c {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&mut **c)
            .await?;
    }
    Ok(())
}

/// A subscription to the notices of all instances (this one's included).
pub struct Listener(PgListener);

/// Subscribes on PostgreSQL; `None` on SQLite.
pub async fn listener(db: &Db) -> Result<Option<Listener>> {
    match db {
        Db::Sqlite { .. } => Ok(None),
        Db::Postgres(pool) => {
            let mut l = PgListener::connect_with(pool).await?;
            l.listen(CHANNEL).await?;
            Ok(Some(Listener(l)))
        }
    }
}

impl Listener {
    /// The next notice; `None` when the connection was lost (and is being re-established), since
    /// notices sent meanwhile are gone and the caller must assume anything changed.
    pub async fn next(&mut self) -> Result<Option<String>> {
        Ok(self.0.try_recv().await?.map(|n| n.payload().to_owned()))
    }
}
