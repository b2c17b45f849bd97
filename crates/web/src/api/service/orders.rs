//! `/orders`: the four-orders loop (place, dispatch, accept, decline, complete, evaluate), the dispatch
//! board, step deadlines per category, and `/alerts`.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::service::alerts::Alert;
use wushe_app::service::orders::{self, ActInput, Board, Mine, Order, OrderInput};
use wushe_domain::service::order::{Action, Deadlines};

use crate::api::created;
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::problem::ApiError;
use crate::AppState;

/// New order body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewOrder {
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
    /// Household served.
    pub household_id: Option<Uuid>,
    /// Category (养老, 助残, 医疗健康...).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, pattern = r"\S")]
    pub category: String,
    /// What is asked for.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000, pattern = r"\S")]
    pub content: String,
    /// Wanted by (date).
    pub wanted_by: Option<NaiveDate>,
    /// Photos uploaded with `POST /photos`.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photos: Vec<Uuid>,
}

/// Places an order (`placed`).
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = NewOrder, responses((status = 201, body = Order), (status = 400, body = crate::problem::Problem)))]
pub async fn place(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewOrder>,
) -> Result<Response, ApiError> {
    let out = orders::place(
        &s.app,
        &a,
        OrderInput {
            community_id: b.community_id,
            household_id: b.household_id,
            category: b.category,
            content: b.content,
            wanted_by: b.wanted_by,
            photos: b.photos,
        },
    )
    .await?;
    Ok(created(format!("/api/v1/orders/{}", out.id), &out))
}

/// Board filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// Only this status.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub status: Option<String>,
    /// Only this category.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub category: Option<String>,
    /// Only under this community.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub community_id: Option<Uuid>,
    /// Only under this place (a street's board, a grid's).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
    /// Only overdue steps (`true`).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub overdue: Option<String>,
    /// `placed` (what I ordered) or `serving` (what I was given as a volunteer).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub mine: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// The dispatch board: orders newest first with counts per status (or the caller's own orders).
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(BoardQuery), responses((status = 200, body = Board)))]
pub async fn board(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> Result<Json<Board>, ApiError> {
    let mine = match q.mine.as_deref() {
        None => None,
        Some("placed") => Some(Mine::Placed),
        Some("serving") => Some(Mine::Serving),
        Some(_) => {
            return Err(wushe_app::AppError::field(
                "mine",
                "mine 应为 placed 或 serving",
                "mine must be placed or serving",
            )
            .into())
        }
    };
    let search = orders::BoardSearch {
        status: q.status,
        category: q.category,
        overdue: crate::api::flag(&q.overdue),
        place_id: q.place_id.or(q.community_id),
        mine,
    };
    Ok(Json(
        orders::board(&s.app, &a, &search, q.cursor.as_deref(), q.limit).await?,
    ))
}

/// Reads an order with its timeline and evaluations.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", responses((status = 200, body = Order), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(orders::get(&s.app, &a, id).await?))
}

/// Dispatch body: a team or a volunteer.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Dispatch {
    /// The team.
    pub team_id: Option<Uuid>,
    /// Or the volunteer.
    pub volunteer_id: Option<Uuid>,
    /// A note for them.
    #[serde(default)]
    pub note: String,
}

/// Dispatches a placed order (站点派单); a second dispatch racing the first gets `409 invalid_transition`.
#[utoipa::path(post, path = "/api/v1/orders/{id}/dispatch", tag = "orders", request_body = Dispatch, responses((status = 200, body = Order), (status = 409, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)))]
pub async fn dispatch(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Dispatch>>,
) -> Result<Json<Order>, ApiError> {
    let b = body.map(|b| b.0).unwrap_or_default();
    let input = ActInput {
        team_id: b.team_id,
        volunteer_id: b.volunteer_id,
        note: b.note,
        ..Default::default()
    };
    Ok(Json(
        orders::act(&s.app, &a, id, Action::Dispatch, input).await?,
    ))
}

/// A note or a reason.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Note {
    /// Why (a decline needs it).
    #[serde(default)]
    pub reason: String,
    /// A note (completion).
    #[serde(default)]
    pub note: String,
}

async fn step(
    s: &AppState,
    a: &wushe_app::Actor,
    id: Uuid,
    action: Action,
    body: Option<ApiJson<Note>>,
) -> Result<Json<Order>, ApiError> {
    let b = body.map(|b| b.0).unwrap_or_default();
    let input = ActInput {
        reason: b.reason,
        note: b.note,
        ..Default::default()
    };
    Ok(Json(orders::act(&s.app, a, id, action, input).await?))
}

/// Accepts a dispatched order (团队接单).
#[utoipa::path(post, path = "/api/v1/orders/{id}/accept", tag = "orders", responses((status = 200, body = Order), (status = 409, body = crate::problem::Problem)))]
pub async fn accept(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Note>>,
) -> Result<Json<Order>, ApiError> {
    step(&s, &a, id, Action::Accept, body).await
}

/// Declines a dispatched order with a reason; it goes back to the station (`placed`).
#[utoipa::path(post, path = "/api/v1/orders/{id}/decline", tag = "orders", request_body = Note, responses((status = 200, body = Order), (status = 400, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn decline(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Note>>,
) -> Result<Json<Order>, ApiError> {
    step(&s, &a, id, Action::Decline, body).await
}

/// Completes an accepted order.
#[utoipa::path(post, path = "/api/v1/orders/{id}/complete", tag = "orders", request_body = Note, responses((status = 200, body = Order), (status = 409, body = crate::problem::Problem)))]
pub async fn complete(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Note>>,
) -> Result<Json<Order>, ApiError> {
    step(&s, &a, id, Action::Complete, body).await
}

/// Evaluation body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewEvaluation {
    /// `resident` / `station` / `team`.
    #[schema(required = true, nullable = false, example = "resident")]
    pub by: Option<String>,
    /// 1 to 5.
    #[schema(required = true, nullable = false, minimum = 1, maximum = 5)]
    pub score: Option<i64>,
    /// Comment.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub comment: String,
}

/// Evaluates a completed order (联合评单); it closes when all three have evaluated.
#[utoipa::path(post, path = "/api/v1/orders/{id}/evaluations", tag = "orders", request_body = NewEvaluation, responses((status = 200, body = Order), (status = 400, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn evaluate(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<NewEvaluation>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(
        orders::evaluate(&s.app, &a, id, b.by.as_deref(), b.score, &b.comment).await?,
    ))
}

/// Deadlines body: hours per step and days to evaluate, for one category.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DeadlinesBody {
    /// The category they apply to.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, pattern = r"\S")]
    pub category: String,
    /// Placed → dispatched, hours.
    #[schema(minimum = 1, maximum = 720)]
    pub dispatch_hours: i64,
    /// Dispatched → accepted, hours.
    #[schema(minimum = 1, maximum = 720)]
    pub accept_hours: i64,
    /// Accepted → completed, hours.
    #[schema(minimum = 1, maximum = 720)]
    pub complete_hours: i64,
    /// Completed → closed without the missing evaluations, days.
    #[schema(minimum = 1, maximum = 30)]
    pub evaluate_days: i64,
}

/// Sets a community's step deadlines for one order category.
#[utoipa::path(put, path = "/api/v1/communities/{id}/order-deadlines", tag = "orders", request_body = DeadlinesBody, responses((status = 200, body = Object), (status = 400, body = crate::problem::Problem)))]
pub async fn set_deadlines(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<DeadlinesBody>,
) -> Result<Json<Deadlines>, ApiError> {
    let d = Deadlines {
        dispatch_hours: b.dispatch_hours,
        accept_hours: b.accept_hours,
        complete_hours: b.complete_hours,
        evaluate_days: b.evaluate_days,
    };
    Ok(Json(
        orders::set_deadlines(&s.app, &a, id, &b.category, d).await?,
    ))
}

/// Alerts filter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// Only under this place.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
}

/// Overdue steps in the caller's area, oldest due first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "orders", params(AlertQuery), responses((status = 200, body = Vec<Alert>)))]
pub async fn alerts(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<AlertQuery>,
) -> Result<Json<Vec<Alert>>, ApiError> {
    Ok(Json(
        wushe_app::service::alerts::list(&s.app, &a, q.place_id).await?,
    ))
}
