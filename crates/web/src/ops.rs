//! Running it in production: health, readiness, Prometheus metrics, request spans, login rate limit.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::GovernorLayer;

use crate::problem::Problem;
use crate::AppState;

fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        // Several routers in one process (the tests) share the one global recorder.
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// `GET /healthz`: the process is up.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers.
pub async fn readyz(State(s): State<AppState>) -> Response {
    match s.app.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics() -> Response {
    let mut res = prometheus().render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    res
}

/// Counts requests and their durations by route and status.
pub async fn record_metrics(req: Request, next: Next) -> Response {
    prometheus();
    let start = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let res = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", res.status().as_u16().to_string()),
    ];
    metrics::counter!("wushe_http_requests_total", &labels).increment(1);
    metrics::histogram!("wushe_http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    res
}

/// A tracing span per request carrying its request id.
pub fn make_span(req: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
}

/// Wraps login routes in a per-address rate limit (a burst of 20, then one try every 3 seconds) whose 429
/// is a problem response. Lockout after 5 wrong passwords is separate and lives in the database, so it
/// holds across instances; this limit only slows down guessing from one address.
pub fn limit_logins(r: axum::Router<AppState>) -> axum::Router<AppState> {
    let config = GovernorConfigBuilder::default()
        .per_second(3)
        .burst_size(20)
        .finish()
        .expect("valid governor config");
    r.layer(GovernorLayer::new(config))
        .layer(axum::middleware::map_response(rate_limited_problem))
}

async fn rate_limited_problem(res: Response) -> Response {
    if res.status() == StatusCode::TOO_MANY_REQUESTS {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "请求过于频繁",
            "登录尝试过于频繁，请稍后再试",
            "too many login attempts; try again later",
        )
        .into_response()
    } else {
        res
    }
}
