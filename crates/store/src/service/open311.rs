//! Keys of partner systems that file grid events over Open311.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// A stored key (its hash only).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    /// Id.
    pub id: Uuid,
    /// Which system holds it.
    pub name: String,
    /// SHA-256 of the key.
    pub key_hash: String,
    /// The place it files events in.
    pub place_id: Uuid,
    /// That place's path.
    pub place_path: String,
    /// Issued by.
    pub created_by: Option<Uuid>,
    /// Issued at.
    pub created_at: DateTime<Utc>,
    /// Revoked at.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Stores a key.
pub async fn insert(c: &mut Conn<'_>, k: &KeyRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO open311_keys (id, name, key_hash, place_id, place_path, created_by, created_at,
        revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(k.id).bind(&k.name).bind(&k.key_hash).bind(k.place_id).bind(&k.place_path).bind(k.created_by)
        .bind(k.created_at).bind(k.revoked_at).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// The live key with this hash.
pub async fn by_hash(c: &mut Conn<'_>, hash: &str) -> Result<Option<KeyRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, KeyRow>("SELECT id, name, key_hash, place_id, place_path, created_by, created_at,
        revoked_at FROM open311_keys WHERE key_hash = $1 AND revoked_at IS NULL").bind(hash).fetch_optional(c).await)?,
    )
}
