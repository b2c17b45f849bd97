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
}

/// Claims a key; returns the earlier record instead when the key was already used.
pub async fn claim(
    c: &mut Conn<'_>,
    user: Uuid,
    key: &str,
    method: &str,
    path: &str,
    now: DateTime<Utc>,
) -> Result<Option<SavedResponse>> {
    let inserted = on!(c, c => sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, method, path, status, location, body, created_at)
         VALUES ($1, $2, $3, $4, 0, NULL, '', $5) ON CONFLICT (user_id, key) DO NOTHING")
        .bind(user).bind(key).bind(method).bind(path).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    if inserted == 1 {
        return Ok(None);
    }
    Ok(on!(c, c => sqlx::query_as::<_, SavedResponse>(
        "SELECT method, path, status, location, body FROM idempotency_keys WHERE user_id = $1 AND key = $2")
        .bind(user).bind(key).fetch_optional(c).await)?)
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
