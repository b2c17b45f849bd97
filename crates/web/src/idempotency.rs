//! `Idempotency-Key` on POSTs: a repeated key returns the first result and changes nothing.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use wushe_app::kernel::idempotency::{self, Claim};

use crate::extract::token_of;
use crate::problem::Problem;
use crate::AppState;

/// The largest response remembered (bigger ones are still returned, just not replayed).
const MAX_SAVED_BODY: usize = 1024 * 1024;
/// The largest request body read to hash it: the biggest upload route's own limit.
const MAX_REQUEST_BODY: usize = wushe_app::kernel::sheet::MAX_UPLOAD_BYTES + 64 * 1024;

/// Middleware applying idempotency keys to authenticated POSTs.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let Some(key) = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 200 {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "输入有误",
            "Idempotency-Key 长度应为1-200个字符",
            "Idempotency-Key must be 1-200 characters",
        )
        .into_response();
    }
    let Some(token) = token_of(req.headers()) else {
        return next.run(req).await;
    };
    let Ok(actor) = wushe_app::accounts::auth::authenticate(&state.app, &token, None).await else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_owned();
    let user = actor.user_id;
    // The body is read here to tell a retry (same body) from a new request that reuses the key.
    let (parts, body) = req.into_parts();
    let body = match to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(b) => b,
        Err(_) => return too_large(),
    };
    let request_hash = {
        let mut h = Sha256::new();
        h.update(parts.method.as_str());
        h.update([0]);
        h.update(parts.uri.to_string());
        h.update([0]);
        h.update(&body);
        hex::encode(h.finalize())
    };
    let req = Request::from_parts(parts, Body::from(body));
    match idempotency::claim(&state.app, user, &key, &path, &request_hash).await {
        Err(e) => return Problem::from(e).into_response(),
        Ok(Claim::Reused) => {
            return Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "幂等键已用于其他请求",
                "该 Idempotency-Key 已用于另一个请求（路径或内容不同），请换一个",
                "this Idempotency-Key was used for a different request (another path or body)",
            )
            .into_response();
        }
        Ok(Claim::InProgress) => {
            return Problem::new(
                StatusCode::CONFLICT,
                "idempotency_in_progress",
                "请求处理中",
                "相同 Idempotency-Key 的请求正在处理，请稍后重试",
                "a request with this Idempotency-Key is still running",
            )
            .into_response();
        }
        Ok(Claim::Replay(saved)) => {
            let mut res = Response::new(Body::from(saved.body));
            *res.status_mut() = StatusCode::from_u16(saved.status as u16).unwrap_or(StatusCode::OK);
            let ct = if saved.status >= 400 {
                "application/problem+json"
            } else {
                "application/json"
            };
            res.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            if let Some(l) = saved.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
                res.headers_mut().insert(header::LOCATION, l);
            }
            return res;
        }
        Ok(Claim::Run) => {}
    }
    let mut req = req;
    req.extensions_mut().insert(actor);
    let res = next.run(req).await;
    let status = res.status();
    let (parts, body) = res.into_parts();
    let bytes = match to_bytes(body, MAX_SAVED_BODY).await {
        Ok(b) => b,
        Err(_) => {
            release(&state, user, &key).await;
            return Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                "服务器内部错误",
                "响应过大",
                "response too large",
            )
            .into_response();
        }
    };
    if status.is_server_error() {
        release(&state, user, &key).await;
    } else {
        let location = parts
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) = idempotency::complete(
            &state.app,
            user,
            &key,
            status.as_u16(),
            location.as_deref(),
            &body,
        )
        .await
        {
            tracing::error!(error = ?e, "could not store an idempotent response");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn release(state: &AppState, user: uuid::Uuid, key: &str) {
    if let Err(e) = idempotency::release(&state.app, user, key).await {
        tracing::error!(error = ?e, "could not release an idempotency key");
    }
}

fn too_large() -> Response {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "上传内容过大",
        "请求内容过大",
        "the request body is too large",
    )
    .into_response()
}
