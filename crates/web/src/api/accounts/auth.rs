//! `/auth/login`, `/auth/logout`, `/me` and the caller's password and tokens.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wushe_app::accounts::auth::{self, SessionKind, UserView};

use crate::extract::{ApiActor, ApiJson};
use crate::problem::ApiError;
use crate::AppState;

/// Login body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    /// User name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, pattern = r"\S")]
    pub username: String,
    /// Password.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub password: String,
}

/// Login result.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResult {
    /// Bearer token for `Authorization: Bearer ...`.
    pub token: String,
    /// The user.
    pub user: UserView,
    /// Set when the account was locked since the user's last login: tell them when and from where.
    pub lock_note: Option<auth::LockNote>,
}

/// Logs in and returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = LoginResult), (status = 401, body = crate::problem::Problem), (status = 423, body = crate::problem::Problem)))]
pub async fn login(
    State(s): State<AppState>,
    parts: axum::http::request::Parts,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<Json<LoginResult>, ApiError> {
    let ip = crate::extract::client_ip(&parts);
    let l = auth::login(&s.app, &b.username, &b.password, SessionKind::Api, ip).await?;
    Ok(Json(LoginResult {
        token: l.token,
        user: auth::view_of(&l.actor),
        lock_note: l.lock_note,
    }))
}

/// Ends the session of the token used.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<StatusCode, ApiError> {
    auth::logout(&s.app, &a).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The logged-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = UserView)))]
pub async fn me(ApiActor(a): ApiActor) -> Json<UserView> {
    Json(auth::view_of(&a))
}

/// Password change body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PasswordBody {
    /// The current password.
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    pub current_password: String,
    /// The new password (at least 10 characters).
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 128)]
    pub password: String,
}

/// Changes the caller's password; other sessions end.
#[utoipa::path(put, path = "/api/v1/me/password", tag = "auth", request_body = PasswordBody, responses((status = 204)))]
pub async fn change_password(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<PasswordBody>,
) -> Result<StatusCode, ApiError> {
    auth::change_password(&s.app, &a, &b.current_password, &b.password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// New token body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TokenBody {
    /// A label, e.g. the script that uses it.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
}

/// Creates a named API token (shown once).
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "auth", request_body = TokenBody, responses((status = 201, body = auth::ApiToken)))]
pub async fn create_token(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<TokenBody>,
) -> Result<Response, ApiError> {
    let token = auth::create_token(&s.app, &a, &b.name).await?;
    Ok(crate::api::created(
        format!("/api/v1/me/tokens/{}", token.id),
        &token,
    ))
}

/// The caller's live API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth", responses((status = 200, body = Vec<auth::ApiToken>)))]
pub async fn tokens(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<auth::ApiToken>>, ApiError> {
    Ok(Json(auth::tokens(&s.app, &a).await?))
}

/// Revokes one of the caller's API tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "auth", responses((status = 204)))]
pub async fn revoke_token(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    auth::revoke_token(&s.app, &a, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
