//! `/audit`: the audit log for auditors, with filters and an export.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::page::Page;
use wushe_store::audit::{AuditFilter, AuditRow};

use super::xlsx;
use crate::extract::ApiActor;
use crate::extract::ApiQuery;
use crate::problem::ApiError;
use crate::AppState;

/// Audit filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Actions starting with this, e.g. `resident.` or `resident.unmask`.
    pub action: Option<String>,
    /// Only this actor.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub actor_id: Option<Uuid>,
    /// Only this object.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub object_id: Option<Uuid>,
    /// From this day (Asia/Shanghai), inclusive.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub from: Option<NaiveDate>,
    /// To this day (Asia/Shanghai), inclusive.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub to: Option<NaiveDate>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    wushe_domain::time::TZ
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc())
}

impl AuditQuery {
    /// The store filter.
    pub fn filter(&self) -> AuditFilter {
        AuditFilter {
            action: self.action.clone().filter(|s| !s.is_empty()),
            actor_id: self.actor_id,
            object_id: self.object_id,
            from: self.from.map(day_start),
            to: self.to.and_then(|d| d.succ_opt()).map(day_start),
        }
    }
}

/// An audit entry.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditView {
    /// Id.
    pub id: Uuid,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub actor_id: Option<Uuid>,
    /// Their user name.
    pub actor_name: String,
    /// What.
    pub action: String,
    /// Kind of object.
    pub object_type: String,
    /// Which object.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub object_id: Option<Uuid>,
    /// Client address.
    pub ip: Option<String>,
    /// Details.
    pub detail: serde_json::Value,
}

impl From<AuditRow> for AuditView {
    fn from(r: AuditRow) -> Self {
        AuditView {
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

/// Reads the audit log, newest first (auditors only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = Page<AuditView>), (status = 403, body = crate::problem::Problem)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditView>>, ApiError> {
    let p = wushe_app::audit::list(&s.app, &a, &q.filter(), q.cursor.as_deref(), q.limit).await?;
    Ok(Json(Page {
        items: p.items.into_iter().map(AuditView::from).collect(),
        next_cursor: p.next_cursor,
    }))
}

/// Exports the filtered audit log to .xlsx.
#[utoipa::path(get, path = "/api/v1/audit/export.xlsx", tag = "audit", params(AuditQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let (bytes, _) = wushe_app::export::audit_log(&s.app, &a, &q.filter()).await?;
    Ok(xlsx("审计日志.xlsx", bytes))
}
