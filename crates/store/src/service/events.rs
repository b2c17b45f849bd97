//! Grid events (网格事件) and their timeline.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{on, Conn, Result, Scope};

/// A stored event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Where it is now (the grid, or the community or street it was escalated to).
    pub place_id: Uuid,
    /// That place's path.
    pub place_path: String,
    /// The grid it was reported in.
    pub grid_id: Uuid,
    /// The grid's path.
    pub grid_path: String,
    /// Category.
    pub category: String,
    /// What is wrong.
    pub description: String,
    /// Where, in words.
    pub location_text: String,
    /// Latitude (WGS-84).
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Photo ids (JSON array).
    pub photos: String,
    /// Status.
    pub status: String,
    /// Since when.
    pub status_since: DateTime<Utc>,
    /// When the current step is due.
    pub due_at: Option<DateTime<Utc>>,
    /// `team` / `volunteer` / `user`.
    pub assignee_type: Option<String>,
    /// Who handles it.
    pub assignee_id: Option<Uuid>,
    /// Their name.
    pub assignee_name: String,
    /// Who reported it.
    pub reporter_id: Option<Uuid>,
    /// `app` / `open311`.
    pub source: String,
    /// The result published at closing.
    pub result: Option<String>,
    /// The reporter's satisfaction, 1 to 5.
    pub satisfaction: Option<i64>,
    /// How many times it went up a level.
    pub escalations: i64,
    /// First accepted at.
    pub accepted_at: Option<DateTime<Utc>>,
    /// Accepted within the deadline.
    pub accepted_in_time: Option<bool>,
    /// Reported at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
}

const COLS: &str = "id, community_id, place_id, place_path, grid_id, grid_path, category, description, location_text,
    lat, lng, photos, status, status_since, due_at, assignee_type, assignee_id, assignee_name, reporter_id, source,
    result, satisfaction, escalations, accepted_at, accepted_in_time, created_at, updated_at, closed_at";

/// Inserts an event.
pub async fn insert(c: &mut Conn<'_>, e: &EventRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO grid_events ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
        $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)"))
        .bind(e.id).bind(e.community_id).bind(e.place_id).bind(&e.place_path).bind(e.grid_id).bind(&e.grid_path)
        .bind(&e.category).bind(&e.description).bind(&e.location_text).bind(e.lat).bind(e.lng).bind(&e.photos)
        .bind(&e.status).bind(e.status_since).bind(e.due_at).bind(&e.assignee_type).bind(e.assignee_id)
        .bind(&e.assignee_name).bind(e.reporter_id).bind(&e.source).bind(&e.result).bind(e.satisfaction)
        .bind(e.escalations).bind(e.accepted_at).bind(e.accepted_in_time).bind(e.created_at).bind(e.updated_at)
        .bind(e.closed_at).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one event.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<EventRow>> {
    let sql = format!("SELECT {COLS} FROM grid_events WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, EventRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Reads one event for a change, locking it on PostgreSQL.
pub async fn get_for_update(c: &mut Conn<'_>, id: Uuid) -> Result<Option<EventRow>> {
    if let Conn::Postgres(pg) = c {
        sqlx::query("SELECT id FROM grid_events WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **pg)
            .await?;
    }
    get(c, id).await
}

/// Writes an event's changed state if it is still in `from` (the guard that gives a race one winner);
/// false when another request moved it first.
pub async fn save_if(c: &mut Conn<'_>, e: &EventRow, from: &str) -> Result<bool> {
    let n = on!(c, c => sqlx::query("UPDATE grid_events SET place_id = $1, place_path = $2, status = $3,
        status_since = $4, due_at = $5, assignee_type = $6, assignee_id = $7, assignee_name = $8, result = $9,
        satisfaction = $10, escalations = $11, accepted_at = $12, accepted_in_time = $13, updated_at = $14,
        closed_at = $15 WHERE id = $16 AND status = $17")
        .bind(e.place_id).bind(&e.place_path).bind(&e.status).bind(e.status_since).bind(e.due_at)
        .bind(&e.assignee_type).bind(e.assignee_id).bind(&e.assignee_name).bind(&e.result).bind(e.satisfaction)
        .bind(e.escalations).bind(e.accepted_at).bind(e.accepted_in_time).bind(e.updated_at).bind(e.closed_at)
        .bind(e.id).bind(from).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Filters for listing events.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only in this status.
    pub status: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only events that are now exactly at this place (what was escalated to it).
    pub at_place: Option<Uuid>,
    /// Only reported by this user.
    pub reporter_id: Option<Uuid>,
    /// Reported at or after.
    pub from: Option<DateTime<Utc>>,
    /// Reported before.
    pub to: Option<DateTime<Utc>>,
    /// Only closed (true) or only still open (false): Open311's two states.
    pub closed: Option<bool>,
}

/// Events in scope (by where they are now, or where they were reported), newest first, after a cursor.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &EventFilter,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {COLS} FROM grid_events WHERE 1 = 1"));
        scope.push_filter(&mut qb, "grid_path");
        if let Some(s) = &f.status {
            qb.push(" AND status = ").push_bind(s.clone());
        }
        if let Some(s) = &f.category {
            qb.push(" AND category = ").push_bind(s.clone());
        }
        if let Some(p) = f.at_place {
            qb.push(" AND place_id = ").push_bind(p);
        }
        if let Some(u) = f.reporter_id {
            qb.push(" AND reporter_id = ").push_bind(u);
        }
        if let Some(t) = f.from {
            qb.push(" AND created_at >= ").push_bind(t);
        }
        if let Some(t) = f.to {
            qb.push(" AND created_at < ").push_bind(t);
        }
        match f.closed {
            Some(true) => {
                qb.push(" AND status = 'closed'");
            }
            Some(false) => {
                qb.push(" AND status <> 'closed'");
            }
            None => {}
        }
        if let Some((at, id)) = before {
            qb.push(" AND (created_at < ").push_bind(at).push(" OR (created_at = ").push_bind(at)
              .push(" AND id < ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<EventRow>().fetch_all(c).await?)
    })
}

/// Events whose current step is past due at `now` and not flagged for that step yet.
pub async fn due_unflagged(
    c: &mut Conn<'_>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let cols = COLS
        .split(',')
        .map(|c| format!("e.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {cols} FROM grid_events e WHERE e.due_at < $1 AND e.status <> 'closed'
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.object_type = 'event' AND a.object_id = e.id
            AND a.step = e.status AND a.due_at = e.due_at)
        ORDER BY e.due_at LIMIT $2"
    );
    Ok(on!(c, c => sqlx::query_as::<_, EventRow>(&sql).bind(now).bind(limit).fetch_all(c).await)?)
}

/// The figures of one grid for a period: (grid path, responded in time, closed, satisfaction) per event.
pub async fn outcomes(
    c: &mut Conn<'_>,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Uuid, String, Option<bool>, String, Option<i64>)>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT grid_id, grid_path, accepted_in_time, status, satisfaction
            FROM grid_events WHERE created_at >= ");
        qb.push_bind(from).push(" AND created_at < ").push_bind(to);
        scope.push_filter(&mut qb, "grid_path");
        qb.push(" ORDER BY grid_path");
        Ok(qb.build_query_as::<(Uuid, String, Option<bool>, String, Option<i64>)>().fetch_all(c).await?)
    })
}

/// Every category any community added to its event dictionary (Open311's service list).
pub async fn added_categories(c: &mut Conn<'_>) -> Result<Vec<String>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, String>(
        "SELECT DISTINCT category FROM step_deadlines WHERE workflow = 'event' ORDER BY category")
        .fetch_all(c).await)?)
}
