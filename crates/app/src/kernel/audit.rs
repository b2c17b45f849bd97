//! Writing and reading the audit log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_store::kernel::audit::{AuditFilter, AuditRow};
use wushe_store::Conn;

use crate::kernel::page::{self, Page};
use crate::{Actor, App, AppError, AppResult};

/// What happened, to what, where.
pub struct Entry<'a> {
    /// Action, e.g. `resident.create`.
    pub action: &'a str,
    /// Kind of object.
    pub object_type: &'a str,
    /// Object id.
    pub object_id: Option<Uuid>,
    /// Place path of the object.
    pub place_path: Option<&'a str>,
    /// Community of the object.
    pub community_id: Option<Uuid>,
    /// Details (never a sensitive value in clear).
    pub detail: serde_json::Value,
}

/// Appends an audit row for `actor` on the given connection (inside the use case's transaction).
pub async fn record(c: &mut Conn<'_>, actor: &Actor, e: Entry<'_>) -> AppResult<()> {
    wushe_store::kernel::audit::append(
        c,
        &AuditRow {
            id: Uuid::now_v7(),
            // The audit log keeps the wall clock even when a test moves the app's: it records when a thing
            // really happened.
            at: chrono::Utc::now(),
            actor_id: actor.author(),
            actor_name: actor.username.clone(),
            action: e.action.to_owned(),
            object_type: e.object_type.to_owned(),
            object_id: e.object_id,
            place_path: e.place_path.map(str::to_owned),
            community_id: e.community_id,
            ip: actor.ip.clone(),
            detail: e.detail.to_string(),
        },
    )
    .await?;
    Ok(())
}

/// Appends an audit row in a transaction of its own: for reads and exports, which run on a reader
/// connection so that a long one never holds the writer, and write only this row.
pub async fn record_alone(app: &App, actor: &Actor, e: Entry<'_>) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    record(&mut tx.conn(), actor, e).await?;
    Ok(tx.commit().await?)
}

/// What an auditor may ask of the log (days in Asia/Shanghai, `to` inclusive).
#[derive(Debug, Clone, Default)]
pub struct AuditSearch {
    /// Actions starting with this, e.g. `resident.`.
    pub action: Option<String>,
    /// Only this actor.
    pub actor_id: Option<Uuid>,
    /// Only this object.
    pub object_id: Option<Uuid>,
    /// From this day.
    pub from: Option<NaiveDate>,
    /// To this day.
    pub to: Option<NaiveDate>,
}

impl AuditSearch {
    /// The store's filter: the days as the instants they begin and end.
    pub(crate) fn filter(&self) -> AuditFilter {
        use wushe_domain::kernel::time::start_of_day;
        AuditFilter {
            action: self.action.clone().filter(|s| !s.is_empty()),
            actor_id: self.actor_id,
            object_id: self.object_id,
            from: self.from.map(start_of_day),
            to: self.to.and_then(|d| d.succ_opt()).map(start_of_day),
        }
    }
}

/// An audit entry as auditors read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// Id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor_id: Option<Uuid>,
    /// Their user name.
    pub actor_name: String,
    /// What.
    pub action: String,
    /// Kind of object.
    pub object_type: String,
    /// Which object.
    pub object_id: Option<Uuid>,
    /// Client address.
    pub ip: Option<String>,
    /// Details.
    pub detail: serde_json::Value,
}

impl From<AuditRow> for AuditEntry {
    fn from(r: AuditRow) -> Self {
        AuditEntry {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            ip: r.ip,
            detail: serde_json::from_str(&r.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// Reads the audit log (auditors only), newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    search: &AuditSearch,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<AuditEntry>> {
    let f = &search.filter();
    if !actor.has_anywhere(Permission::ReadAudit) {
        return Err(AppError::Forbidden);
    }
    let scope = actor.scope(Permission::ReadAudit);
    let limit = page::limit(limit)?;
    let before: Option<Uuid> = page::decode(cursor)?;
    let rows = {
        let mut c = app.db.read().await?;
        wushe_store::kernel::audit::list(&mut c.conn(), &scope, f, before, limit + 1).await?
    };
    record_reading(app, actor, "audit.read", f, rows.len().min(limit as usize)).await?;
    Ok(page::cut(rows, limit, |r| r.id, AuditEntry::from))
}

/// Audits a read or export of the audit log itself: who looked at whose traces is a trace too.
pub async fn record_reading(
    app: &App,
    actor: &Actor,
    action: &str,
    f: &AuditFilter,
    rows: usize,
) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    record(
        &mut tx.conn(),
        actor,
        Entry {
            action,
            object_type: "audit_log",
            object_id: f.object_id,
            place_path: None,
            community_id: None,
            detail: serde_json::json!({
                "action": f.action,
                "actor_id": f.actor_id,
                "from": f.from,
                "to": f.to,
                "rows": rows,
            }),
        },
    )
    .await?;
    Ok(tx.commit().await?)
}
