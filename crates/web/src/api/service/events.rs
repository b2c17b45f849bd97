//! `/events`: grid events (report, accept, dispatch, resolve, verify, close, escalate), their 12345 rates,
//! each community's category dictionary and deadlines, and `/photos`.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::kernel::page::Page;
use wushe_app::kernel::photos::Photo;
use wushe_app::service::events::{self, Event, GridRates, Report, StepInput};
use wushe_app::AppError;
use wushe_domain::service::event::{Action, Deadlines};

use crate::api::created;
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::problem::ApiError;
use crate::AppState;

/// New event body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewEvent {
    /// The grid.
    #[schema(required = true, nullable = false)]
    pub grid_id: Option<Uuid>,
    /// Category from the community's dictionary.
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = r"\S")]
    pub category: String,
    /// What is wrong.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000, pattern = r"\S")]
    pub description: String,
    /// Where, in words.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub location_text: String,
    /// Latitude (WGS-84).
    #[schema(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// Longitude.
    #[schema(minimum = -180, maximum = 180)]
    pub lng: Option<f64>,
    /// Photos uploaded with `POST /photos`.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photos: Vec<Uuid>,
}

/// Reports an event (`reported`).
#[utoipa::path(post, path = "/api/v1/events", tag = "events", request_body = NewEvent, responses((status = 201, body = Event), (status = 400, body = crate::problem::Problem)))]
pub async fn report(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewEvent>,
) -> Result<Response, ApiError> {
    let out = events::report(
        &s.app,
        &a,
        Report {
            grid_id: b.grid_id,
            category: b.category,
            description: b.description,
            location_text: b.location_text,
            lat: b.lat,
            lng: b.lng,
            photos: b.photos,
        },
        "app",
    )
    .await?;
    Ok(created(format!("/api/v1/events/{}", out.id), &out))
}

/// Event list filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Only in this status.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub status: Option<String>,
    /// Only this category.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub category: Option<String>,
    /// Only reported under this place.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
    /// Only what is now at this place (escalated to it).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub at_place_id: Option<Uuid>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// Lists events in the caller's area (or the ones they reported), newest first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery), responses((status = 200, body = Object)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> Result<Json<Page<Event>>, ApiError> {
    let search = events::EventSearch {
        status: q.status,
        category: q.category,
        at_place: q.at_place_id,
    };
    Ok(Json(
        events::list(
            &s.app,
            &a,
            &search,
            q.place_id,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Reads an event with its timeline.
#[utoipa::path(get, path = "/api/v1/events/{id}", tag = "events", responses((status = 200, body = Event), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Event>, ApiError> {
    Ok(Json(events::get(&s.app, &a, id).await?))
}

/// What a step may carry.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EventStep {
    /// Dispatch: a team, a volunteer or a user.
    pub assignee_id: Option<Uuid>,
    /// Verify: passed or not.
    pub passed: Option<bool>,
    /// A note.
    #[serde(default)]
    pub note: String,
    /// Escalate: why.
    #[serde(default)]
    pub reason: String,
    /// Close: the result to publish.
    #[serde(default)]
    pub result: String,
    /// Close: the reporter's satisfaction, 1 to 5.
    pub satisfaction: Option<i64>,
}

async fn step(
    s: &AppState,
    a: &wushe_app::Actor,
    id: Uuid,
    action: Action,
    body: Option<ApiJson<EventStep>>,
) -> Result<Json<Event>, ApiError> {
    let b = body.map(|b| b.0).unwrap_or_default();
    let input = StepInput {
        assignee_id: b.assignee_id,
        passed: b.passed,
        note: b.note,
        reason: b.reason,
        result: b.result,
        satisfaction: b.satisfaction,
    };
    Ok(Json(events::act(&s.app, a, id, action, input).await?))
}

macro_rules! event_step {
    ($name:ident, $action:expr, $path:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "events", request_body = EventStep, responses((status = 200, body = Event), (status = 409, body = crate::problem::Problem)))]
        pub async fn $name(
            State(s): State<AppState>,
            ApiActor(a): ApiActor,
            Path(id): Path<Uuid>,
            body: Option<ApiJson<EventStep>>,
        ) -> Result<Json<Event>, ApiError> {
            step(&s, &a, id, $action, body).await
        }
    };
}

event_step!(
    accept,
    Action::Accept,
    "/api/v1/events/{id}/accept",
    "Accepts a reported event (受理)."
);
event_step!(
    dispatch,
    Action::Dispatch,
    "/api/v1/events/{id}/dispatch",
    "Dispatches an accepted event to a team, a volunteer or a user (`assignee_id`)."
);
event_step!(
    resolve,
    Action::Resolve,
    "/api/v1/events/{id}/resolve",
    "Records that the problem was handled (处置)."
);
event_step!(
    verify,
    Action::Verify,
    "/api/v1/events/{id}/verify",
    "Verifies the handling (`passed`); a failed check sends it back to `dispatched`."
);
event_step!(
    close,
    Action::Close,
    "/api/v1/events/{id}/close",
    "Closes a verified event with its published `result`."
);
event_step!(
    escalate,
    Action::Escalate,
    "/api/v1/events/{id}/escalate",
    "Escalates the event to the parent place (`reason`); the status stays."
);

/// Rates query.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RatesQuery {
    /// Under this place (the caller's area when absent).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
    /// First day (reported on or after), YYYY-MM-DD.
    pub from: Option<NaiveDate>,
    /// Last day (inclusive).
    pub to: Option<NaiveDate>,
}

/// Response, solution and satisfaction rates per grid, as 12345 hotlines report them (per mille).
#[utoipa::path(get, path = "/api/v1/events/rates", tag = "events", params(RatesQuery), responses((status = 200, body = Vec<GridRates>)))]
pub async fn rates(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<RatesQuery>,
) -> Result<Json<Vec<GridRates>>, ApiError> {
    let today = s.app.today();
    let from = q.from.unwrap_or(today - chrono::Duration::days(30));
    let to = q.to.unwrap_or(today);
    let start = |d: NaiveDate| wushe_domain::kernel::time::start_of_day(d);
    Ok(Json(
        events::rates(
            &s.app,
            &a,
            q.place_id,
            start(from),
            start(to + chrono::Duration::days(1)),
        )
        .await?,
    ))
}

/// Event deadlines body, for one category.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EventDeadlines {
    /// The category (a new one joins the community's dictionary).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, pattern = r"\S")]
    pub category: String,
    /// Reported → accepted, hours.
    #[schema(minimum = 1, maximum = 720)]
    pub accept_hours: i64,
    /// Accepted → dispatched.
    #[schema(minimum = 1, maximum = 720)]
    pub dispatch_hours: i64,
    /// Dispatched → resolved.
    #[schema(minimum = 1, maximum = 720)]
    pub resolve_hours: i64,
    /// Resolved → verified.
    #[schema(minimum = 1, maximum = 720)]
    pub verify_hours: i64,
    /// Verified → closed.
    #[schema(minimum = 1, maximum = 720)]
    pub close_hours: i64,
}

/// Sets a community's step deadlines for one event category (adding it to the dictionary).
#[utoipa::path(put, path = "/api/v1/communities/{id}/event-deadlines", tag = "events", request_body = EventDeadlines, responses((status = 200, body = Object), (status = 400, body = crate::problem::Problem)))]
pub async fn set_deadlines(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<EventDeadlines>,
) -> Result<Json<Deadlines>, ApiError> {
    let d = Deadlines {
        accept_hours: b.accept_hours,
        dispatch_hours: b.dispatch_hours,
        resolve_hours: b.resolve_hours,
        verify_hours: b.verify_hours,
        close_hours: b.close_hours,
    };
    Ok(Json(
        events::set_deadlines(&s.app, &a, id, &b.category, d).await?,
    ))
}

/// Uploads a photo (multipart `file`; JPEG, PNG or WebP, at most 5 MB) to list in an event's `photos`.
#[utoipa::path(post, path = "/api/v1/photos", tag = "events", request_body(content_type = "multipart/form-data", content = String, description = "file: the photo"), responses((status = 201, body = Photo), (status = 400, body = crate::problem::Problem), (status = 413, body = crate::problem::Problem)))]
pub async fn upload_photo(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    m: Multipart,
) -> Result<Response, ApiError> {
    let up = crate::api::people::imports::read_upload_of(
        m,
        crate::api::people::imports::UploadKind::Photo,
    )
    .await?;
    let out = wushe_app::kernel::photos::upload(&s.app, &a, &up.bytes).await?;
    Ok(created(out.url.clone(), &out))
}

/// Reads a photo (its uploader, or whoever may see its event).
#[utoipa::path(get, path = "/api/v1/photos/{id}", tag = "events", responses((status = 200, content_type = "image/jpeg"), (status = 404, body = crate::problem::Problem)))]
pub async fn photo(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let (ct, bytes) = wushe_app::kernel::photos::read(&s.app, &a, id).await?;
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).map_err(|_| AppError::Internal("content type".into()))?,
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400"),
    );
    Ok(res)
}

/// Key request body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewKey {
    /// Which system will hold it (e.g. 区12345平台).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// The community or grid it files events in.
    #[schema(required = true, nullable = false)]
    pub place_id: Option<Uuid>,
}

/// Issues an Open311 key to a partner system for a community or grid; the key is shown once.
#[utoipa::path(post, path = "/api/v1/open311/keys", tag = "events", request_body = NewKey, responses((status = 201, body = wushe_app::service::open311::IssuedKey), (status = 400, body = crate::problem::Problem)))]
pub async fn issue_key(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewKey>,
) -> Result<Response, ApiError> {
    let out = wushe_app::service::open311::issue_key(&s.app, &a, &b.name, b.place_id).await?;
    Ok(created(format!("/api/v1/open311/keys/{}", out.id), &out))
}
