//! Login sessions and API tokens, stored by the SHA-256 of the secret so a leaked table grants nothing.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// A stored session or token.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    /// Session id.
    pub id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// `page` (cookie, idle timeout) or `api` (bearer token).
    pub kind: String,
    /// A label the user gave an API token.
    pub name: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last used.
    pub last_seen_at: DateTime<Utc>,
    /// Hard expiry.
    pub expires_at: DateTime<Utc>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Address it was created from.
    pub ip: Option<String>,
}

const COLS: &str = "id, user_id, kind, name, created_at, last_seen_at, expires_at, revoked_at, ip";

/// Stores a new session.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    c: &mut Conn<'_>,
    id: Uuid,
    user: Uuid,
    token_hash: &str,
    kind: &str,
    name: &str,
    now: DateTime<Utc>,
    expires: DateTime<Utc>,
    ip: Option<&str>,
) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO sessions (id, user_id, token_hash, kind, name, created_at, last_seen_at, expires_at, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(id).bind(user).bind(token_hash).bind(kind).bind(name).bind(now).bind(now).bind(expires).bind(ip)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Finds a live (unrevoked) session by token hash.
pub async fn by_token_hash(c: &mut Conn<'_>, hash: &str) -> Result<Option<SessionRow>> {
    let sql = format!("SELECT {COLS} FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL");
    Ok(on!(c, c => sqlx::query_as::<_, SessionRow>(&sql).bind(hash).fetch_optional(c).await)?)
}

/// Marks a session used now.
pub async fn touch(c: &mut Conn<'_>, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2").bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revokes one session of a user; false when there was none.
pub async fn revoke(c: &mut Conn<'_>, user: Uuid, id: Uuid, now: DateTime<Utc>) -> Result<bool> {
    let r = on!(c, c => sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
        .bind(now).bind(id).bind(user).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(r > 0)
}

/// Revokes every session of a user (password change, disabling).
pub async fn revoke_all(
    c: &mut Conn<'_>,
    user: Uuid,
    except: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3")
        .bind(now).bind(user).bind(except.unwrap_or(Uuid::nil())).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Revokes every live session of one kind of a user (a new calendar link replaces the old one).
pub async fn revoke_kind(
    c: &mut Conn<'_>,
    user: Uuid,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    Ok(
        on!(c, c => sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND kind = $3 AND revoked_at IS NULL")
        .bind(now).bind(user).bind(kind).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// The live API tokens of a user.
pub async fn api_tokens(c: &mut Conn<'_>, user: Uuid) -> Result<Vec<SessionRow>> {
    let sql = format!("SELECT {COLS} FROM sessions WHERE user_id = $1 AND kind = 'api' AND revoked_at IS NULL ORDER BY created_at");
    Ok(on!(c, c => sqlx::query_as::<_, SessionRow>(&sql).bind(user).fetch_all(c).await)?)
}
