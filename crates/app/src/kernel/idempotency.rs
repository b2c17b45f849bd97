//! `Idempotency-Key` on POSTs: a repeated key with the same request returns the first result and changes
//! nothing; the same key with another request is refused; a claim whose request died expires.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;
use wushe_store::kernel::idempotency::SavedResponse;

use crate::{App, AppResult};

/// A claim older than this whose request never finished (a crash, a timeout, a dropped client) may be
/// taken over by a retry: requests are cut off after two minutes, so five is safely past any live one.
pub const STALE_CLAIM_MINUTES: i64 = 5;
/// Keys are kept this long for replays, then purged.
pub const KEEP_HOURS: i64 = 24;

/// What to do with a request carrying a key.
#[derive(Debug)]
pub enum Claim {
    /// Run it: this request holds the key.
    Run,
    /// Send the first request's stored response again.
    Replay(SavedResponse),
    /// The first request with this key is still running.
    InProgress,
    /// The key was used for a different request (another path or body).
    Reused,
}

/// Claims `key` for this request, identified by its SHA-256 over method, path, query and body.
pub async fn claim(
    app: &App,
    user: Uuid,
    key: &str,
    path: &str,
    request_hash: &str,
) -> AppResult<Claim> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let out = match wushe_store::kernel::idempotency::claim(
        &mut c,
        user,
        key,
        "POST",
        path,
        request_hash,
        now,
    )
    .await?
    {
        None => Claim::Run,
        Some(saved) => match decide(saved, request_hash, path, now) {
            Decision::Take => {
                let stale_before = now - Duration::minutes(STALE_CLAIM_MINUTES);
                if wushe_store::kernel::idempotency::reclaim(
                    &mut c,
                    user,
                    key,
                    request_hash,
                    stale_before,
                    now,
                )
                .await?
                {
                    Claim::Run
                } else {
                    Claim::InProgress
                }
            }
            Decision::Answer(claim) => claim,
        },
    };
    tx.commit().await?;
    Ok(out)
}

/// What a stored claim means for a new request.
#[derive(Debug)]
enum Decision {
    /// The stored claim is stale: try to take it over.
    Take,
    /// Answer with this.
    Answer(Claim),
}

fn decide(saved: SavedResponse, request_hash: &str, path: &str, now: DateTime<Utc>) -> Decision {
    if saved.status == 0 && saved.created_at < now - Duration::minutes(STALE_CLAIM_MINUTES) {
        // A claim whose request died is free again, for this body or another.
        return Decision::Take;
    }
    let same = saved.path == path
        && saved
            .request_hash
            .as_deref()
            .is_none_or(|h| h == request_hash);
    Decision::Answer(match (same, saved.status) {
        (false, _) => Claim::Reused,
        (true, 0) => Claim::InProgress,
        (true, _) => Claim::Replay(saved),
    })
}

/// Stores the response of a request that held `key`.
pub async fn complete(
    app: &App,
    user: Uuid,
    key: &str,
    status: u16,
    location: Option<&str>,
    body: &str,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    wushe_store::kernel::idempotency::complete(
        &mut tx.conn(),
        user,
        key,
        i32::from(status),
        location,
        body,
    )
    .await?;
    Ok(tx.commit().await?)
}

/// Frees a key whose request failed on the server side, so the client may retry it.
pub async fn release(app: &App, user: Uuid, key: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    wushe_store::kernel::idempotency::release(&mut tx.conn(), user, key).await?;
    Ok(tx.commit().await?)
}

/// Purges keys older than [`KEEP_HOURS`]; run by the background job.
pub async fn purge(app: &App) -> AppResult<u64> {
    let mut tx = app.db.begin().await?;
    let n = wushe_store::kernel::idempotency::purge(
        &mut tx.conn(),
        app.now() - Duration::hours(KEEP_HOURS),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(status: i32, hash: Option<&str>, age_minutes: i64) -> SavedResponse {
        SavedResponse {
            method: "POST".into(),
            path: "/api/v1/orders".into(),
            status,
            location: None,
            body: "{}".into(),
            request_hash: hash.map(str::to_owned),
            created_at: Utc::now() - Duration::minutes(age_minutes),
        }
    }

    fn answer(d: Decision) -> Claim {
        match d {
            Decision::Answer(c) => c,
            Decision::Take => panic!("expected an answer, got a takeover"),
        }
    }

    #[test]
    fn same_request_replays_and_another_is_refused() {
        let now = Utc::now();
        let p = "/api/v1/orders";
        assert!(matches!(
            answer(decide(saved(201, Some("a"), 0), "a", p, now)),
            Claim::Replay(_)
        ));
        assert!(matches!(
            answer(decide(saved(201, Some("a"), 0), "b", p, now)),
            Claim::Reused
        ));
        assert!(matches!(
            answer(decide(saved(201, Some("a"), 0), "a", "/api/v1/events", now)),
            Claim::Reused
        ));
        // Keys stored before hashes were kept are judged by path alone.
        assert!(matches!(
            answer(decide(saved(201, None, 0), "b", p, now)),
            Claim::Replay(_)
        ));
    }

    #[test]
    fn running_claims_wait_until_they_are_stale() {
        let now = Utc::now();
        let p = "/api/v1/orders";
        assert!(matches!(
            answer(decide(saved(0, Some("a"), 1), "a", p, now)),
            Claim::InProgress
        ));
        assert!(matches!(
            answer(decide(saved(0, Some("a"), 4), "b", p, now)),
            Claim::Reused
        ));
        assert!(matches!(
            decide(saved(0, Some("a"), 6), "a", p, now),
            Decision::Take
        ));
        assert!(matches!(
            decide(saved(0, Some("a"), 6), "b", p, now),
            Decision::Take
        ));
        // A finished request never goes stale: its answer is replayed for a day.
        assert!(matches!(
            answer(decide(saved(201, Some("a"), 600), "a", p, now)),
            Claim::Replay(_)
        ));
    }
}
