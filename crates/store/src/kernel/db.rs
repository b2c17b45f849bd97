//! Pools, transactions and the per-backend connection handle.

use std::str::FromStr;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{
    Connection, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction,
};

use crate::Result;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database family a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite, one community or a small street.
    Sqlite,
    /// PostgreSQL (or Citus), for a district or a city with several app instances.
    Postgres,
}

/// A handle to the database: cheap to clone, shared by all requests.
#[derive(Clone, Debug)]
pub enum Db {
    /// SQLite keeps one writer connection so that writers queue in the pool instead of failing with
    /// SQLITE_BUSY, and a wider pool of readers that WAL lets run beside the writer.
    Sqlite {
        /// Readers.
        read: SqlitePool,
        /// The single writer.
        write: SqlitePool,
    },
    /// PostgreSQL handles concurrent writers itself.
    Postgres(PgPool),
}

/// One borrowed connection of either backend; store functions take `&mut Conn`.
pub enum Conn<'c> {
    /// A SQLite connection.
    Sqlite(&'c mut SqliteConnection),
    /// A PostgreSQL connection.
    Postgres(&'c mut PgConnection),
}

/// An open transaction; dropped without [`Tx::commit`] it rolls back.
pub enum Tx {
    /// A SQLite transaction on the writer (or a reader for read-only work).
    Sqlite(Transaction<'static, Sqlite>),
    /// A PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

/// A pooled connection outside any transaction, for single reads.
pub enum Pooled {
    /// From the SQLite readers.
    Sqlite(PoolConnection<Sqlite>),
    /// From the PostgreSQL pool.
    Postgres(PoolConnection<Postgres>),
}

impl Tx {
    /// The connection inside this transaction.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Sqlite(t) => Conn::Sqlite(t),
            Tx::Postgres(t) => Conn::Postgres(t),
        }
    }

    /// Commits the transaction.
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Which backend this transaction runs on.
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }
}

impl Pooled {
    /// The pooled connection.
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Pooled::Sqlite(c) => Conn::Sqlite(c),
            Pooled::Postgres(c) => Conn::Postgres(c),
        }
    }
}

impl Conn<'_> {
    /// Which backend this connection belongs to.
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) => Backend::Sqlite,
            Conn::Postgres(_) => Backend::Postgres,
        }
    }
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `sqlite:path/to/file.db` or `postgres://...`.
    pub url: String,
    /// Maximum pooled connections (readers on SQLite).
    pub max_connections: u32,
    /// PostgreSQL `search_path`, used by tests to give each test its own schema.
    pub pg_schema: Option<String>,
}

impl Db {
    /// Opens pools for the configured URL (creating the SQLite file if needed).
    pub async fn connect(cfg: &DbConfig) -> Result<Db> {
        if cfg.url.starts_with("postgres:") || cfg.url.starts_with("postgresql:") {
            let mut opts = PgConnectOptions::from_str(&cfg.url)?;
            if let Some(schema) = &cfg.pg_schema {
                opts = opts.options([("search_path", schema.as_str())]);
            }
            let pool = PgPoolOptions::new()
                .max_connections(cfg.max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let opts = SqliteConnectOptions::from_str(&cfg.url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("cache_size", "-32000")
                .pragma("temp_store", "memory")
                // Rows cross from the connection's thread in a channel; one longer than the largest page
                // (500 + 1) means the thread never stalls on a full channel mid-page.
                .row_buffer_size(1024);
            let write = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(60))
                .connect_with(opts.clone())
                .await?;
            // SQLite reads run on the connection's own thread: more readers than twice the cores only add
            // threads contending for the allocator and the CPU.
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
            let read = SqlitePoolOptions::new()
                .max_connections(cfg.max_connections.min(2 * cores).max(2))
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts.read_only(true))
                .await?;
            Ok(Db::Sqlite { read, write })
        }
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Db::Sqlite { write, .. } => SQLITE_MIGRATIONS.run(write).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction (on SQLite, on the single writer connection).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    /// Takes a connection for reads that need no transaction.
    pub async fn read(&self) -> Result<Pooled> {
        Ok(match self {
            Db::Sqlite { read, .. } => Pooled::Sqlite(read.acquire().await?),
            Db::Postgres(pool) => Pooled::Postgres(pool.acquire().await?),
        })
    }

    /// Checks that the database answers (for /readyz).
    pub async fn ping(&self) -> Result<()> {
        let mut c = self.read().await?;
        match &mut c {
            Pooled::Sqlite(c) => c.ping().await?,
            Pooled::Postgres(c) => c.ping().await?,
        }
        Ok(())
    }

    /// Runs the database's own integrity check; returns the problems found (empty when sound).
    pub async fn integrity_check(&self) -> Result<Vec<String>> {
        match self {
            Db::Sqlite { write, .. } => {
                let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
                    .fetch_all(write)
                    .await?;
                let mut problems: Vec<String> = rows
                    .into_iter()
                    .map(|r| r.0)
                    .filter(|s| s != "ok")
                    .collect();
                let fk: Vec<(String,)> =
                    sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                        .fetch_all(write)
                        .await?;
                problems.extend(
                    fk.into_iter()
                        .map(|r| format!("foreign key violation in {}", r.0)),
                );
                Ok(problems)
            }
            Db::Postgres(pool) => {
                // PostgreSQL enforces its constraints transactionally; check that it answers.
                sqlx::query("SELECT 1").execute(pool).await?;
                Ok(Vec::new())
            }
        }
    }

    /// Writes a consistent copy of a live SQLite database to `dest` (VACUUM INTO reads one snapshot).
    pub async fn backup_sqlite(&self, dest: &str) -> Result<bool> {
        match self {
            Db::Sqlite { write, .. } => {
                sqlx::query("VACUUM INTO $1")
                    .bind(dest)
                    .execute(write)
                    .await?;
                Ok(true)
            }
            Db::Postgres(_) => Ok(false),
        }
    }

    /// Closes all pools, waiting for connections to be returned.
    pub async fn close(&self) {
        match self {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Gives a SQLite connection a page cache of up to 2 GB for a bulk load (`on`), or the usual 32 MB back.
///
/// A bulk load inserts into hash indexes at random places; with a cache that holds the whole database until
/// the commit, each page is written once instead of once per spill. The cache only grows as pages are used,
/// so a small load stays small. No effect on PostgreSQL.
pub async fn bulk_load_cache(c: &mut Conn<'_>, on: bool) -> Result<()> {
    if let Conn::Sqlite(c) = c {
        let sql = if on {
            "PRAGMA cache_size = -2000000"
        } else {
            "PRAGMA cache_size = -32000"
        };
        sqlx::query(sql).execute(&mut **c).await?;
    }
    Ok(())
}
