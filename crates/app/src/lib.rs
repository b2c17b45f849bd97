//! Wushe use cases: each loads, applies a domain rule, saves and audits inside one transaction, after the
//! one authorization check (role × place subtree) that lives here rather than in handlers.

pub mod accounts;
pub mod charity;
pub mod kernel;
pub mod lists;
pub mod map;
pub mod people;
pub mod service;
pub mod volunteering;

pub use kernel::actor::{Abilities, Actor, Grant};
pub use kernel::error::{AppError, AppResult};

use std::sync::Arc;

use kernel::cache::{Caches, Stale};
use kernel::crypto::Crypto;
use wushe_store::{Db, Tx};

/// Session lifetimes (等保 level 3 asks for an idle timeout on interactive sessions).
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// A page session ends after this many idle minutes.
    pub page_idle_minutes: i64,
    /// A page session ends after this many hours regardless.
    pub page_max_hours: i64,
    /// An API token from `POST /auth/login` lives this many days.
    pub api_login_days: i64,
    /// A named API token lives this many days.
    pub api_token_days: i64,
    /// An API token unused for this many days ends.
    pub api_idle_days: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            page_idle_minutes: 30,
            page_max_hours: 12,
            api_login_days: 30,
            api_token_days: 365,
            api_idle_days: 30,
        }
    }
}

/// Everything a use case needs: the database, the keys, the policies. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    /// The database.
    pub db: Db,
    /// PII keys.
    pub crypto: Crypto,
    /// Session lifetimes.
    pub sessions: SessionPolicy,
    /// Read caches (sessions, residents), shared by every clone.
    pub caches: Arc<Caches>,
    /// Where photos stored on disk before they moved into the database are read from: the data
    /// directory's `files/` in `wushe serve`.
    pub files: std::path::PathBuf,
    /// Where new photos' bytes go.
    pub photo_store: kernel::photo_store::PhotoStore,
    /// The time every use case reads.
    pub clock: kernel::clock::Clock,
}

impl App {
    /// Builds the app handle.
    pub fn new(db: Db, crypto: Crypto) -> App {
        App {
            db,
            crypto,
            sessions: SessionPolicy::default(),
            caches: Arc::new(Caches::default()),
            files: std::env::temp_dir().join("wushe-files"),
            photo_store: kernel::photo_store::PhotoStore::Database,
            clock: kernel::clock::Clock::default(),
        }
    }

    /// The same app keeping new photos in `store`.
    pub fn with_photo_store(self, photo_store: kernel::photo_store::PhotoStore) -> App {
        App {
            photo_store,
            ..self
        }
    }

    /// The same app keeping its uploaded files under `dir`.
    pub fn with_files(self, dir: std::path::PathBuf) -> App {
        App { files: dir, ..self }
    }

    /// Commits a transaction and evicts what it made stale, here and (on PostgreSQL) on every other instance.
    pub async fn commit(&self, mut tx: Tx, stale: &[Stale]) -> AppResult<()> {
        for s in stale {
            wushe_store::kernel::notify::send(&mut tx.conn(), &s.payload()).await?;
        }
        tx.commit().await?;
        // Only after the commit: a reader that refilled before it would have read the old row.
        for s in stale {
            self.caches.apply(*s);
        }
        Ok(())
    }

    /// Now, in UTC, from the app's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Today's date in Asia/Shanghai.
    pub fn today(&self) -> chrono::NaiveDate {
        wushe_domain::kernel::time::local_date(self.now())
    }
}
