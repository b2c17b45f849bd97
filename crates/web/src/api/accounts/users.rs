//! `/users`: administrators manage users inside their own subtree.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::accounts::auth::UserView;
use wushe_app::accounts::users::{self, NewUser, RoleInput};
use wushe_app::kernel::page::Page;

use crate::api::created;
use crate::extract::ApiQuery;
use crate::extract::{ApiActor, ApiJson};
use crate::problem::ApiError;
use crate::AppState;

/// Creates a user with role grants.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser, responses((status = 201, body = UserView), (status = 400, body = crate::problem::Problem), (status = 403, body = crate::problem::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewUser>,
) -> Result<Response, ApiError> {
    let u = users::create(&s.app, &a, &b).await?;
    Ok(created(format!("/api/v1/users/{}", u.id), &u))
}

/// User list query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Name contains.
    pub q: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// Lists users the caller manages.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery), responses((status = 200, body = Page<UserView>)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> Result<Json<Page<UserView>>, ApiError> {
    Ok(Json(
        users::list(
            &s.app,
            &a,
            q.q.as_deref().filter(|s| !s.is_empty()),
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Reads a user the caller manages.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", responses((status = 200, body = UserView), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::get(&s.app, &a, id).await?))
}

/// Roles body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RolesBody {
    /// The complete new set of grants.
    #[serde(default)]
    #[schema(required = true, min_items = 1)]
    pub roles: Vec<RoleInput>,
}

/// Replaces a user's grants.
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "users", request_body = RolesBody, responses((status = 200, body = UserView)))]
pub async fn set_roles(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<RolesBody>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::set_roles(&s.app, &a, id, &b.roles).await?))
}

/// Disables a user (their sessions end).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users", responses((status = 200, body = UserView)))]
pub async fn disable(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::set_disabled(&s.app, &a, id, true).await?))
}

/// Unlock result.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Unlocked {
    /// Whether there was a lock or a failure count to clear.
    pub cleared: bool,
}

/// Unlocks a user locked by wrong passwords before the 15 minutes are up.
#[utoipa::path(post, path = "/api/v1/users/{id}/unlock", tag = "users", responses((status = 200, body = Unlocked), (status = 404, body = crate::problem::Problem)))]
pub async fn unlock(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Unlocked>, ApiError> {
    Ok(Json(Unlocked {
        cleared: users::unlock(&s.app, &a, id).await?,
    }))
}

/// Re-enables a user.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users", responses((status = 200, body = UserView)))]
pub async fn enable(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::set_disabled(&s.app, &a, id, false).await?))
}

/// Reset body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResetBody {
    /// The new password.
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 128)]
    pub password: String,
}

/// Sets a new password for a user the caller manages (and unlocks them).
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", request_body = ResetBody, responses((status = 204)))]
pub async fn reset_password(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ResetBody>,
) -> Result<StatusCode, ApiError> {
    users::reset_password(&s.app, &a, id, &b.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
