//! Writing and reading the audit log.

use chrono::Utc;
use uuid::Uuid;
use wushe_domain::role::Permission;
use wushe_store::audit::{AuditFilter, AuditRow};
use wushe_store::Conn;

use crate::page::{self, Page};
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
    wushe_store::audit::append(
        c,
        &AuditRow {
            id: Uuid::now_v7(),
            at: Utc::now(),
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

/// Reads the audit log (auditors only), newest first.
pub async fn list(
    app: &App,
    actor: &Actor,
    f: &AuditFilter,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<AuditRow>> {
    if !actor.has_anywhere(Permission::ReadAudit) {
        return Err(AppError::Forbidden);
    }
    let scope = actor.scope(Permission::ReadAudit);
    let limit = page::limit(limit);
    let before: Option<Uuid> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let rows = wushe_store::audit::list(&mut c.conn(), &scope, f, before, limit + 1).await?;
    Ok(page::cut(rows, limit, |r| r.id, |r| r))
}
