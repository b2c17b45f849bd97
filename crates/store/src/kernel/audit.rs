//! The append-only audit log: every write and every unmasking (the database refuses updates and deletes).

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{on, Conn, Result, Scope};

/// One audit entry.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    /// Entry id (UUIDv7, so time-ordered).
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none for the system).
    pub actor_id: Option<Uuid>,
    /// Their user name at the time.
    pub actor_name: String,
    /// What, e.g. `resident.create`, `resident.unmask`.
    pub action: String,
    /// Kind of object.
    pub object_type: String,
    /// Which object.
    pub object_id: Option<Uuid>,
    /// Where in the place tree.
    pub place_path: Option<String>,
    /// Community, when known.
    pub community_id: Option<Uuid>,
    /// Client address.
    pub ip: Option<String>,
    /// Details as JSON text (never a sensitive value in clear).
    pub detail: String,
}

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Actions starting with this text.
    pub action: Option<String>,
    /// Only this actor.
    pub actor_id: Option<Uuid>,
    /// Only this object.
    pub object_id: Option<Uuid>,
    /// From (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// To (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// Appends an entry.
pub async fn append(c: &mut Conn<'_>, e: &AuditRow) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, actor_name, action, object_type, object_id, place_path, community_id, ip, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(e.id).bind(e.at).bind(e.actor_id).bind(&e.actor_name).bind(&e.action).bind(&e.object_type)
        .bind(e.object_id).bind(&e.place_path).bind(e.community_id).bind(&e.ip).bind(&e.detail)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reads entries newest first, before an id cursor. Entries without a place are visible only with `All`.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &AuditFilter,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(
            "SELECT id, at, actor_id, actor_name, action, object_type, object_id, place_path, community_id, ip, detail
             FROM audit_log WHERE 1 = 1");
        if !matches!(scope, Scope::All) {
            qb.push(" AND place_path IS NOT NULL");
            scope.push_filter(&mut qb, "place_path");
        }
        if let Some(a) = &f.action {
            qb.push(" AND action LIKE ").push_bind(format!("{}%", crate::map::places::escape_like(a))).push(" ESCAPE '\\'");
        }
        if let Some(a) = f.actor_id {
            qb.push(" AND actor_id = ").push_bind(a);
        }
        if let Some(o) = f.object_id {
            qb.push(" AND object_id = ").push_bind(o);
        }
        if let Some(t) = f.from {
            qb.push(" AND at >= ").push_bind(t);
        }
        if let Some(t) = f.to {
            qb.push(" AND at < ").push_bind(t);
        }
        if let Some(b) = before {
            qb.push(" AND id < ").push_bind(b);
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<AuditRow>().fetch_all(c).await?)
    })
}
