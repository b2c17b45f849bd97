//! `Idempotency-Key` on POSTs: a repeated key returns the first result and changes nothing.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use crate::extract::token_of;
use crate::problem::Problem;
use crate::AppState;

/// The largest response remembered (bigger ones are still returned, just not replayed).
const MAX_SAVED_BODY: usize = 1024 * 1024;

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
    let Ok(actor) = wushe_app::auth::authenticate(&state.app, &token, None).await else {
        return next.run(req).await;
    };
    let path = req.uri().path().to_owned();
    let user = actor.user_id;
    let claimed = async {
        let mut tx = state.app.db.begin().await?;
        let r =
            wushe_store::idempotency::claim(&mut tx.conn(), user, &key, "POST", &path, Utc::now())
                .await?;
        tx.commit().await?;
        Ok::<_, wushe_store::Error>(r)
    }
    .await;
    match claimed {
        Err(e) => return Problem::from(wushe_app::AppError::from(e)).into_response(),
        Ok(Some(saved)) => {
            if saved.path != path {
                return Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "幂等键已用于其他请求",
                    "该 Idempotency-Key 已用于另一个请求，请换一个",
                    "this Idempotency-Key was used for a different request",
                )
                .into_response();
            }
            if saved.status == 0 {
                return Problem::new(
                    StatusCode::CONFLICT,
                    "idempotency_in_progress",
                    "请求处理中",
                    "相同 Idempotency-Key 的请求正在处理，请稍后重试",
                    "a request with this Idempotency-Key is still running",
                )
                .into_response();
            }
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
        Ok(None) => {}
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
        let saved = async {
            let mut tx = state.app.db.begin().await?;
            wushe_store::idempotency::complete(
                &mut tx.conn(),
                user,
                &key,
                status.as_u16() as i32,
                location.as_deref(),
                &body,
            )
            .await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = saved {
            tracing::error!(error = %e, "could not store an idempotent response");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

async fn release(state: &AppState, user: uuid::Uuid, key: &str) {
    let r = async {
        let mut tx = state.app.db.begin().await?;
        wushe_store::idempotency::release(&mut tx.conn(), user, key).await?;
        tx.commit().await
    }
    .await;
    if let Err(e) = r {
        tracing::error!(error = %e, "could not release an idempotency key");
    }
}
