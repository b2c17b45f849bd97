//! A record of each spreadsheet import (who, which file, what it did).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// One import run.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    /// Import id.
    pub id: Uuid,
    /// Community the rows went to, when one.
    pub community_id: Option<Uuid>,
    /// Who.
    pub user_id: Uuid,
    /// Uploaded file name.
    pub file_name: String,
    /// SHA-256 of the file.
    pub file_sha256: String,
    /// Dry run only.
    pub dry_run: bool,
    /// Residents created.
    pub created: i64,
    /// Residents updated.
    pub updated: i64,
    /// Rows refused.
    pub error_count: i64,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Records an import run.
pub async fn insert(c: &mut Conn<'_>, r: &ImportRow) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO imports (id, community_id, user_id, file_name, file_sha256, dry_run, created, updated, error_count, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(r.id).bind(r.community_id).bind(r.user_id).bind(&r.file_name).bind(&r.file_sha256).bind(r.dry_run)
        .bind(r.created).bind(r.updated).bind(r.error_count).bind(r.created_at).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Keeps an uploaded file for a later confirmation.
pub async fn save_upload(
    c: &mut Conn<'_>,
    id: Uuid,
    user: Uuid,
    file_name: &str,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO uploads (id, user_id, file_name, bytes, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id).bind(user).bind(file_name).bind(bytes).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Takes back a kept upload of this user (name and bytes), if not older than `since`.
pub async fn load_upload(
    c: &mut Conn<'_>,
    id: Uuid,
    user: Uuid,
    since: DateTime<Utc>,
) -> Result<Option<(String, Vec<u8>)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (String, Vec<u8>)>(
        "SELECT file_name, bytes FROM uploads WHERE id = $1 AND user_id = $2 AND created_at >= $3")
        .bind(id).bind(user).bind(since).fetch_optional(c).await)?)
}

/// Drops kept uploads older than `before` (and the one just used).
pub async fn purge_uploads(
    c: &mut Conn<'_>,
    before: DateTime<Utc>,
    used: Option<Uuid>,
) -> Result<()> {
    on!(c, c => sqlx::query("DELETE FROM uploads WHERE created_at < $1 OR id = $2")
        .bind(before).bind(used.unwrap_or(Uuid::nil())).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
