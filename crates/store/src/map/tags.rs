//! Each community's tag dictionary (独居老人, 低保, ...).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// A dictionary entry.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TagRow {
    /// Entry id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The tag.
    pub tag: String,
    /// Whether the tag itself is sensitive personal data (disability, income, minors).
    pub sensitive: bool,
    /// Retired since.
    pub archived_at: Option<DateTime<Utc>>,
}

/// Adds a tag unless present.
pub async fn add(
    c: &mut Conn<'_>,
    community: Uuid,
    tag: &str,
    sensitive: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO tag_dictionary (id, community_id, tag, sensitive, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (community_id, tag) DO UPDATE SET archived_at = NULL")
        .bind(Uuid::now_v7()).bind(community).bind(tag).bind(sensitive).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The live tags of a community.
pub async fn list(c: &mut Conn<'_>, community: Uuid) -> Result<Vec<TagRow>> {
    Ok(on!(c, c => sqlx::query_as::<_, TagRow>(
        "SELECT id, community_id, tag, sensitive, archived_at FROM tag_dictionary
         WHERE community_id = $1 AND archived_at IS NULL ORDER BY created_at, id").bind(community).fetch_all(c).await)?)
}

/// Retires a tag (residents keep it; it is no longer offered).
pub async fn retire(
    c: &mut Conn<'_>,
    community: Uuid,
    tag: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE tag_dictionary SET archived_at = $1 WHERE community_id = $2 AND tag = $3")
        .bind(now).bind(community).bind(tag).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
