//! Open311 GeoReport v2 under `/open311/v2/` (JSON): `services.json`, `requests.json` (GET list, POST
//! create with `api_key`) and `requests/{id}.json`. Errors are Open311's `[{"code", "description"}]`.
//! Reads need no key and carry no personal data; filing needs a key issued to a partner system.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use wushe_app::service::open311::{Filing, Query as RequestQuery};
use wushe_app::AppError;

use crate::AppState;

/// The Open311 routes (rate limited like the other public endpoints).
pub fn router() -> Router<AppState> {
    crate::ops::limit_logins(
        Router::new()
            .route("/open311/v2/services.json", get(services))
            .route("/open311/v2/requests.json", get(requests).post(create))
            .route("/open311/v2/requests/{file}", get(request)),
    )
}

fn error(status: StatusCode, description: &str) -> Response {
    (
        status,
        Json(json!([{"code": status.as_u16(), "description": description}])),
    )
        .into_response()
}

fn from_app(e: AppError) -> Response {
    match e {
        AppError::Validation(v) => {
            let d = v
                .iter()
                .map(|f| format!("{}: {} / {}", f.field, f.message, f.message_en))
                .collect::<Vec<_>>()
                .join("; ");
            error(StatusCode::BAD_REQUEST, &d)
        }
        AppError::Unauthorized => error(
            StatusCode::FORBIDDEN,
            "api_key 无效或已停用 / invalid or revoked api_key",
        ),
        AppError::NotFound => error(StatusCode::NOT_FOUND, "未找到 / not found"),
        AppError::Forbidden => error(StatusCode::FORBIDDEN, "无权操作 / forbidden"),
        e => {
            tracing::error!(error = ?e, "open311");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "内部错误 / internal error",
            )
        }
    }
}

async fn services(State(s): State<AppState>) -> Response {
    match wushe_app::service::open311::services(&s.app).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => from_app(e),
    }
}

/// List parameters, as the standard names them.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    service_request_id: Option<String>,
    service_code: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    status: Option<String>,
}

/// A W3C datetime parameter; `Err` carries the message for the 400 answer.
fn parse_time(field: &str, v: Option<&str>) -> Result<Option<DateTime<Utc>>, String> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|_| {
                format!("{field} 应为 W3C 时间，如 2026-01-01T00:00:00Z / {field} must be a w3c datetime")
            }),
    }
}

async fn requests(State(s): State<AppState>, Query(p): Query<ListParams>) -> Response {
    let ids: Result<Vec<Uuid>, _> = p
        .service_request_id
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| x.trim().parse::<Uuid>())
        .collect();
    let Ok(ids) = ids else {
        return error(
            StatusCode::BAD_REQUEST,
            "service_request_id 无效 / bad service_request_id",
        );
    };
    let start = match parse_time("start_date", p.start_date.as_deref()) {
        Ok(t) => t,
        Err(m) => return error(StatusCode::BAD_REQUEST, &m),
    };
    let end = match parse_time("end_date", p.end_date.as_deref()) {
        Ok(t) => t,
        Err(m) => return error(StatusCode::BAD_REQUEST, &m),
    };
    let q = RequestQuery {
        ids,
        service_code: p.service_code.filter(|c| !c.trim().is_empty()),
        start,
        end,
        status: p.status,
    };
    match wushe_app::service::open311::requests(&s.app, q).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => from_app(e),
    }
}

async fn request(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(id) = file
        .strip_suffix(".json")
        .and_then(|x| x.parse::<Uuid>().ok())
    else {
        return error(StatusCode::NOT_FOUND, "未找到 / not found");
    };
    match wushe_app::service::open311::request(&s.app, id).await {
        Ok(r) => Json(vec![r]).into_response(),
        Err(e) => from_app(e),
    }
}

/// A filed request, form-encoded as the standard says.
#[derive(Debug, Default, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    api_key: String,
    #[serde(default)]
    service_code: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    address_string: String,
    #[serde(default)]
    lat: Option<String>,
    #[serde(default)]
    long: Option<String>,
    #[serde(default, rename = "attribute[grid_id]")]
    grid_id: Option<String>,
}

async fn create(State(s): State<AppState>, Form(f): Form<CreateForm>) -> Response {
    if f.api_key.trim().is_empty() {
        return error(StatusCode::FORBIDDEN, "需要 api_key / api_key is required");
    }
    let num = |v: &Option<String>| -> Result<Option<f64>, ()> {
        match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(x) => x.parse().map(Some).map_err(|_| ()),
        }
    };
    let (Ok(lat), Ok(long)) = (num(&f.lat), num(&f.long)) else {
        return error(
            StatusCode::BAD_REQUEST,
            "lat/long 应为数字 / lat and long must be numbers",
        );
    };
    let grid_id = match f
        .grid_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(g) => match g.parse() {
            Ok(u) => Some(u),
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "attribute[grid_id] 无效 / bad attribute[grid_id]",
                )
            }
        },
    };
    let filing = Filing {
        api_key: f.api_key,
        service_code: f.service_code,
        description: f.description,
        address_string: f.address_string,
        lat,
        long,
        grid_id,
    };
    match wushe_app::service::open311::file(&s.app, filing).await {
        Ok(r) => (StatusCode::CREATED, Json(vec![r])).into_response(),
        Err(e) => from_app(e),
    }
}
