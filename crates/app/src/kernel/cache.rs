//! Short-lived read caches for the two reads every request makes most: the caller's session and a resident.
//!
//! A cache entry must never outlive the row it copies. Writers name what they made stale ([`Stale`]);
//! [`App::commit`](crate::App::commit) evicts it here after the commit, and on PostgreSQL also sends it with
//! `NOTIFY` inside the transaction so that every other instance on the same database evicts it when the
//! write lands (see [`listen`]). A fill that raced an eviction is dropped: each fill carries the cache's
//! epoch from before its read, and an eviction moves the epoch on. A time limit bounds what a lost
//! notification could leave behind.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use uuid::Uuid;
use wushe_store::people::residents::ResidentRow;

use crate::Actor;

/// What a write made stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Sessions, users or their grants changed: every cached session is dropped.
    Sessions,
    /// One resident changed.
    Resident(Uuid),
    /// Households or places changed under residents (doors, paths): every cached resident is dropped.
    People,
}

impl Stale {
    /// The notification payload for other instances.
    pub fn payload(&self) -> String {
        match self {
            Stale::Sessions => "s".into(),
            Stale::Resident(id) => format!("r:{id}"),
            Stale::People => "p".into(),
        }
    }

    /// Reads a payload back; `None` for one this version does not know.
    pub fn parse(payload: &str) -> Option<Stale> {
        match payload {
            "s" => Some(Stale::Sessions),
            "p" => Some(Stale::People),
            other => other
                .strip_prefix("r:")
                .and_then(|id| Uuid::try_parse(id).ok())
                .map(Stale::Resident),
        }
    }
}

/// A bounded map whose entries expire, with epoch-checked fills (see the module notes).
#[derive(Debug)]
pub struct ReadCache<K, V> {
    inner: Mutex<HashMap<K, (V, Instant)>>,
    epoch: AtomicU64,
    ttl: Duration,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> ReadCache<K, V> {
    /// An empty cache holding at most `capacity` entries for at most `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        ReadCache {
            inner: Mutex::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            ttl,
            capacity,
        }
    }

    /// The epoch to pass to [`ReadCache::fill`]; take it before reading the database.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// A live entry.
    pub fn get<Q>(&self, k: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        let map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(k)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(v, _)| v.clone())
    }

    /// Stores what was read since `epoch`, unless something was evicted meanwhile.
    pub fn fill(&self, k: K, v: V, epoch: u64) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        // Checked under the lock that evictions take, so no eviction can fall between check and insert.
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if map.len() >= self.capacity {
            let ttl = self.ttl;
            map.retain(|_, (_, at)| at.elapsed() < ttl);
            if map.len() >= self.capacity {
                // Full of live entries: start again rather than track recency on every read.
                map.clear();
            }
        }
        map.insert(k, (v, Instant::now()));
    }

    /// Drops one entry.
    pub fn evict(&self, k: &K) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        map.remove(k);
    }

    /// Drops every entry.
    pub fn clear(&self) {
        let mut map = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        self.epoch.fetch_add(1, Ordering::AcqRel);
        map.clear();
    }

    /// Number of entries (live or not yet swept).
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A resolved session as the authentication cache keeps it.
#[derive(Debug, Clone)]
pub struct CachedSession {
    /// The caller (without the request's address).
    pub actor: Actor,
    /// `page` or `api`.
    pub kind: String,
    /// Last recorded use.
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    /// Hard expiry.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A resident as the read cache keeps it: the row (for pages) and the masked API body, serialized once.
#[derive(Debug)]
pub struct CachedResident {
    /// The row.
    pub row: ResidentRow,
    /// `GET /residents/{id}`'s masked body.
    pub masked_json: Arc<str>,
}

/// The caches of one app instance.
#[derive(Debug)]
pub struct Caches {
    /// Sessions by token hash.
    pub sessions: ReadCache<String, CachedSession>,
    /// Residents by id, with their masked JSON ready to send.
    pub residents: ReadCache<Uuid, Arc<CachedResident>>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            sessions: ReadCache::new(10_000, Duration::from_secs(60)),
            // About a kilobyte each (row and body): 20,000 residents stay well inside the memory budget.
            residents: ReadCache::new(20_000, Duration::from_secs(30)),
        }
    }
}

impl Caches {
    /// Applies what a write made stale.
    pub fn apply(&self, s: Stale) {
        match s {
            Stale::Sessions => self.sessions.clear(),
            Stale::Resident(id) => self.residents.evict(&id),
            Stale::People => self.residents.clear(),
        }
    }

    /// Drops everything (after a lost notification channel, nothing cached can be trusted).
    pub fn clear_all(&self) {
        self.sessions.clear();
        self.residents.clear();
    }
}

/// Keeps this instance's caches in step with writes made by other instances on the same PostgreSQL.
///
/// Runs until the process ends; returns at once on SQLite, where there is one instance per database.
pub async fn listen(app: crate::App) {
    loop {
        let mut listener = match wushe_store::kernel::notify::listener(&app.db).await {
            Ok(Some(l)) => l,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for changes; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // Whatever was written before the subscription began is unknown to this instance.
        app.caches.clear_all();
        loop {
            match listener.next().await {
                Ok(Some(payload)) => {
                    if let Some(s) = Stale::parse(&payload) {
                        app.caches.apply(s);
                    }
                }
                // The connection dropped: notifications may have been missed meanwhile.
                Ok(None) => app.caches.clear_all(),
                Err(e) => {
                    tracing::warn!(error = %e, "change notifications failed; reconnecting");
                    app.caches.clear_all();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fill_that_raced_an_eviction_is_dropped() {
        let c: ReadCache<u32, &str> = ReadCache::new(10, Duration::from_secs(60));
        let before = c.epoch();
        c.evict(&1);
        c.fill(1, "old", before);
        assert_eq!(c.get(&1), None);
        let now = c.epoch();
        c.fill(1, "new", now);
        assert_eq!(c.get(&1), Some("new"));
        c.clear();
        assert_eq!(c.get(&1), None);
    }

    #[test]
    fn entries_expire_and_capacity_holds() {
        let c: ReadCache<u32, u32> = ReadCache::new(3, Duration::from_millis(0));
        c.fill(1, 1, c.epoch());
        assert_eq!(c.get(&1), None, "a zero time limit keeps nothing");
        let c: ReadCache<u32, u32> = ReadCache::new(3, Duration::from_secs(60));
        for i in 0..10 {
            c.fill(i, i, c.epoch());
            assert!(c.len() <= 3);
        }
        assert_eq!(c.get(&9), Some(9));
    }

    #[test]
    fn payloads_round_trip() {
        let id = Uuid::now_v7();
        for s in [Stale::Sessions, Stale::People, Stale::Resident(id)] {
            assert_eq!(Stale::parse(&s.payload()), Some(s));
        }
        assert_eq!(Stale::parse("r:nonsense"), None);
        assert_eq!(Stale::parse("x"), None);
    }
}
