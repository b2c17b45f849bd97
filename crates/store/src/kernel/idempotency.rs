//! Stored first results of POSTs sent with an `Idempotency-Key`.
//!
//! A key is claimed (status 0) before the request runs, so a concurrent twin sees it in progress instead
//! of running the same write twice; the result is filled in afterwards.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// A remembered request and, once finished, its response.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SavedResponse {
    /// Method of the first request.
    pub method: String,
    /// Path of the first request.
    pub path: String,
    /// HTTP status; 0 while the first request is still running.
    pub status: i32,
    /// Location header, if any.
    pub location: Option<String>,
    /// Body (JSON text).
    pub body: String,
    /// SHA-256 of the first request (method, path, query and body); none on keys stored before it was kept.
    pub request_hash: Option<String>,
    /// When the key was claimed.
    pub created_at: DateTime<Utc>,
}

/// Claims a key; returns the earlier record instead when the key was already used.
pub async fn claim(
    c: &mut Conn<'_>,
    user: Uuid,
    key: &str,
    method: &str,
    path: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SavedResponse>> {
    let inserted = on!(c, c => sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, method, path, status, location, body, created_at, request_hash)
         VALUES ($1, $2, $3, $4, 0, NULL, '', $5, $6) ON CONFLICT (user_id, key) DO NOTHING")
        .bind(user).bind(key).bind(method).bind(path).bind(now).bind(request_hash)
        .execute(c).await.map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(None);
    }
    Ok(on!(c, c => sqlx::query_as::<_, SavedResponse>(
        "SELECT method, path, status, location, body, request_hash, created_at FROM idempotency_keys
         WHERE user_id = $1 AND key = $2")
        .bind(user).bind(key).fetch_optional(c).await)?)
}

/// Takes over a claim left running since before `stale_before` (its request died with a crash, a timeout
/// or a dropped client); true when this caller now holds it. Only one of several racing callers wins.
pub async fn reclaim(
    c: &mut Conn<'_>,
    user: Uuid,
    key: &str,
    request_hash: &str,
    stale_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let n = on!(c, c => sqlx::query(
        "UPDATE idempotency_keys SET created_at = $1, request_hash = $2
         WHERE user_id = $3 AND key = $4 AND status = 0 AND created_at < $5")
        .bind(now).bind(request_hash).bind(user).bind(key).bind(stale_before)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Forgets keys claimed before `before`: a client retries within minutes, not days.
pub async fn purge(c: &mut Conn<'_>, before: DateTime<Utc>) -> Result<u64> {
    Ok(
        on!(c, c => sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(before).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// Stores the result of a claimed key.
pub async fn complete(
    c: &mut Conn<'_>,
    user: Uuid,
    key: &str,
    status: i32,
    location: Option<&str>,
    body: &str,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE idempotency_keys SET status = $1, location = $2, body = $3 WHERE user_id = $4 AND key = $5")
        .bind(status).bind(location).bind(body).bind(user).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Frees a claimed key whose request failed on the server side, so the client may retry it.
pub async fn release(c: &mut Conn<'_>, user: Uuid, key: &str) -> Result<()> {
    on!(c, c => sqlx::query("DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0")
        .bind(user).bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
