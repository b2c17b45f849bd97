//! Overdue flags (超时预警): one row per object, step and due time, raised by the background job and
//! cleared when the object moves on.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{on, Conn, Result, Scope};

/// A stored flag.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The object's place (for scoping).
    pub place_path: String,
    /// `order` / `event`.
    pub object_type: String,
    /// The order or event.
    pub object_id: Uuid,
    /// The status whose step is overdue.
    pub step: String,
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// When the job flagged it.
    pub flagged_at: DateTime<Utc>,
    /// When the object moved on.
    pub cleared_at: Option<DateTime<Utc>>,
    /// What to show (the order's category and content, shortened).
    pub title: String,
}

/// Raises a flag unless one exists for the same object, step and due time; true when this call raised it.
///
/// `ON CONFLICT DO NOTHING` against the unique index is the whole protocol between instances: whichever
/// inserts first wins, the other's insert does nothing, on SQLite and PostgreSQL alike.
pub async fn raise_once(c: &mut Conn<'_>, a: &AlertRow) -> Result<bool> {
    let n = on!(c, c => sqlx::query("INSERT INTO alerts (id, community_id, place_path, object_type, object_id, step,
        due_at, flagged_at, cleared_at, title) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (object_type, object_id, step, due_at) DO NOTHING")
        .bind(a.id).bind(a.community_id).bind(&a.place_path).bind(&a.object_type).bind(a.object_id).bind(&a.step)
        .bind(a.due_at).bind(a.flagged_at).bind(a.cleared_at).bind(&a.title).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Clears an object's open flags (it moved on).
pub async fn clear(
    c: &mut Conn<'_>,
    object_type: &str,
    object: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE alerts SET cleared_at = $1 WHERE object_type = $2 AND object_id = $3 AND cleared_at IS NULL")
        .bind(now).bind(object_type).bind(object).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Open flags in scope, oldest due first.
pub async fn open(c: &mut Conn<'_>, scope: &Scope, limit: i64) -> Result<Vec<AlertRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT id, community_id, place_path, object_type, object_id, step, due_at,
            flagged_at, cleared_at, title FROM alerts WHERE cleared_at IS NULL");
        scope.push_filter(&mut qb, "place_path");
        qb.push(" ORDER BY due_at, id LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<AlertRow>().fetch_all(c).await?)
    })
}

/// Every flag ever raised for an object (tests and the object's page).
pub async fn of(c: &mut Conn<'_>, object_type: &str, object: Uuid) -> Result<Vec<AlertRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, AlertRow>("SELECT id, community_id, place_path, object_type, object_id, step,
        due_at, flagged_at, cleared_at, title FROM alerts WHERE object_type = $1 AND object_id = $2 ORDER BY flagged_at")
        .bind(object_type).bind(object).fetch_all(c).await)?,
    )
}
