//! `/audit`: the audit log for auditors, with filters and an export.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::kernel::audit::AuditEntry;
use wushe_app::kernel::page::Page;

use crate::api::xlsx;
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

impl AuditQuery {
    /// What is asked of the log.
    pub fn filter(&self) -> wushe_app::kernel::audit::AuditSearch {
        wushe_app::kernel::audit::AuditSearch {
            action: self.action.clone(),
            actor_id: self.actor_id,
            object_id: self.object_id,
            from: self.from,
            to: self.to,
        }
    }
}

/// Reads the audit log, newest first (auditors only).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = Page<AuditEntry>), (status = 403, body = crate::problem::Problem)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    Ok(Json(
        wushe_app::kernel::audit::list(&s.app, &a, &q.filter(), q.cursor.as_deref(), q.limit)
            .await?,
    ))
}

/// Exports the filtered audit log to .xlsx.
#[utoipa::path(get, path = "/api/v1/audit/export.xlsx", tag = "audit", params(AuditQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let (bytes, _) = wushe_app::people::export::audit_log(&s.app, &a, &q.filter()).await?;
    Ok(xlsx("审计日志.xlsx", bytes))
}
