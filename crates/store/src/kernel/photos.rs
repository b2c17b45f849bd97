//! Photos: their records and their bytes (in the database, so that every instance serves them; photos
//! from before were files on disk, named by id).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// A stored photo's record.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PhotoRow {
    /// Id (also the file's name).
    pub id: Uuid,
    /// Who uploaded it.
    pub uploaded_by: Option<Uuid>,
    /// `image/jpeg`, `image/png` or `image/webp`, from the file's own first bytes.
    pub content_type: String,
    /// Size.
    pub bytes: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// What it is attached to (`event`), once attached.
    pub object_type: Option<String>,
    /// Which one.
    pub object_id: Option<Uuid>,
    /// Uploaded at.
    pub created_at: DateTime<Utc>,
}

/// Stores an uploaded photo's record, with its bytes unless they are kept in an object store.
pub async fn insert(c: &mut Conn<'_>, p: &PhotoRow, content: Option<&[u8]>) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO photos (id, uploaded_by, content_type, bytes, sha256, object_type, object_id,
        created_at, content) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(p.id).bind(p.uploaded_by).bind(&p.content_type).bind(p.bytes).bind(&p.sha256).bind(&p.object_type)
        .bind(p.object_id).bind(p.created_at).bind(content).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A photo's bytes, when they are in the database (none for a photo in an object store or on disk).
pub async fn content(c: &mut Conn<'_>, id: Uuid) -> Result<Option<Vec<u8>>> {
    let row: Option<(Option<Vec<u8>>,)> = on!(c, c => sqlx::query_as("SELECT content FROM photos WHERE id = $1")
        .bind(id).fetch_optional(c).await)?;
    Ok(row.and_then(|r| r.0))
}

/// Reads a photo's record.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<PhotoRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, PhotoRow>("SELECT id, uploaded_by, content_type, bytes, sha256, object_type,
        object_id, created_at FROM photos WHERE id = $1").bind(id).fetch_optional(c).await)?,
    )
}

/// True when the photo exists, was uploaded by `by` and is not attached to anything yet.
pub async fn exists(c: &mut Conn<'_>, id: Uuid, by: Option<Uuid>) -> Result<bool> {
    Ok(get(c, id)
        .await?
        .is_some_and(|p| p.uploaded_by == by && p.object_id.is_none()))
}

/// Attaches photos to an object.
pub async fn attach(c: &mut Conn<'_>, ids: &[Uuid], object_type: &str, object: Uuid) -> Result<()> {
    for id in ids {
        on!(c, c => sqlx::query("UPDATE photos SET object_type = $1, object_id = $2 WHERE id = $3")
            .bind(object_type).bind(object).bind(*id).execute(c).await.map(|_| ()))?;
    }
    Ok(())
}
