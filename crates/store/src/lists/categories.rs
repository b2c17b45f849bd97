//! Each community's own service categories (the built-in ones are in `domain::order`).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// The categories a community added: (parent, name), in the order added.
pub async fn of(c: &mut Conn<'_>, community: Uuid) -> Result<Vec<(String, String)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (String, String)>(
        "SELECT parent, name FROM service_categories WHERE community_id = $1 ORDER BY created_at, id")
        .bind(community).fetch_all(c).await)?)
}

/// Adds a category under `parent` (empty: at the top).
pub async fn insert(
    c: &mut Conn<'_>,
    community: Uuid,
    parent: &str,
    name: &str,
    by: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO service_categories (id, community_id, parent, name, created_by, created_at)
        VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(Uuid::now_v7()).bind(community).bind(parent).bind(name).bind(by).bind(at).execute(c).await.map(|_| ()))?;
    Ok(())
}
