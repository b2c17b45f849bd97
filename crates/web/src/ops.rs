//! Running it in production: health, readiness, Prometheus metrics, request spans, login rate limit.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, PoisonError, RwLock};
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

/// `GET /metrics`: Prometheus text, for the bearer of `WUSHE_METRICS_TOKEN`, or without one only for a
/// scraper on this machine: request counts by route are no one else's business.
pub async fn metrics(
    State(s): State<AppState>,
    axum::Extension(client): axum::Extension<crate::client::Client>,
    headers: axum::http::HeaderMap,
) -> Response {
    let allowed = match &s.metrics_token {
        Some(t) => crate::extract::token_of(&headers).is_some_and(|given| {
            // Compared in constant time: the token guards nothing personal, but it is no harder.
            given.len() == t.len()
                && given
                    .bytes()
                    .zip(t.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        }),
        None => client.local,
    };
    if !allowed {
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "未找到",
            "没有这个页面",
            "no such page",
        )
        .into_response();
    }
    let mut res = prometheus().render().into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    res
}

/// The counter and histogram of one (route, method, status).
type Series = (
    axum::http::Method,
    u16,
    metrics::Counter,
    metrics::Histogram,
);

/// Metric handles by route, made once per (route, method, status): building the labelled key on every
/// request (three owned labels, hashed into the registry) cost a sixth of a small request's time.
fn series_for(
    route: &str,
    method: &axum::http::Method,
    status: u16,
) -> (metrics::Counter, metrics::Histogram) {
    static SERIES: OnceLock<RwLock<HashMap<String, Vec<Series>>>> = OnceLock::new();
    let map = SERIES.get_or_init(Default::default);
    let find = |v: &Vec<Series>| {
        v.iter()
            .find(|(m, s, _, _)| m == method && *s == status)
            .map(|(_, _, c, h)| (c.clone(), h.clone()))
    };
    if let Some(found) = map
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(route)
        .and_then(find)
    {
        return found;
    }
    let labels = [
        ("method", method.to_string()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    let c = metrics::counter!("wushe_http_requests_total", &labels);
    let h = metrics::histogram!("wushe_http_request_duration_seconds", &labels);
    let mut w = map.write().unwrap_or_else(PoisonError::into_inner);
    let list = w.entry(route.to_owned()).or_default();
    if find(list).is_none() {
        list.push((method.clone(), status, c.clone(), h.clone()));
    }
    (c, h)
}

/// The outermost step of every request: gives it a request id (kept from the client when sent) that the
/// span, the logs and the response carry, and counts it and its duration by route and status.
///
/// One middleware rather than three layers (set id, propagate id, metrics): each layer is cloned and
/// boxed per request, and together they were a third of a small request's time.
pub async fn edge(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    prometheus();
    let start = Instant::now();
    let client = crate::client::resolve(
        crate::client::peer(req.extensions()),
        req.headers(),
        &s.trusted_proxies,
    );
    req.extensions_mut().insert(client);
    let id = match req.headers().get(REQUEST_ID) {
        Some(v) => v.clone(),
        None => {
            let v = new_request_id();
            req.headers_mut().insert(REQUEST_ID, v.clone());
            v
        }
    };
    let method = req.method().clone();
    let docs = req.uri().path().starts_with("/api/docs");
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let mut res = next.run(req).await;
    res.headers_mut().insert(REQUEST_ID, id);
    security_headers(res.headers_mut(), docs);
    let (c, h) = series_for(
        route.as_deref().unwrap_or("unmatched"),
        &method,
        res.status().as_u16(),
    );
    c.increment(1);
    h.record(start.elapsed().as_secs_f64());
    res
}

/// The page policy: scripts only from this site's files (no inline script, no `javascript:` links), no
/// framing, forms only to this site. Swagger UI at `/api/docs` styles itself inline, so it alone may.
const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers every response carries unless it set its own: the content policy, no sniffing, no framing,
/// a referrer kept on this site (page URLs carry ids), and `no-store` so that no shared or disk cache
/// keeps a page or answer that may show unmasked personal data. Static assets set their own caching.
fn security_headers(h: &mut axum::http::HeaderMap, docs: bool) {
    let csp = if docs { CSP_DOCS } else { CSP };
    let defaults = [
        (header::CONTENT_SECURITY_POLICY, csp),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
}

/// The request id header.
pub const REQUEST_ID: &str = "x-request-id";

/// A request id: a random prefix per process and a counter, unique across instances without a random
/// draw (a `getrandom` system call) per request.
fn new_request_id() -> HeaderValue {
    static PREFIX: OnceLock<u64> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::now_v7().as_u64_pair().1);
    let id = format!("{prefix:016x}{:016x}", NEXT.fetch_add(1, Ordering::Relaxed));
    HeaderValue::from_str(&id).expect("hex is a valid header value")
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

/// Wraps login and public lookup routes in a per-address rate limit (a burst of 20, then one try every 3
/// seconds) whose 429 is a problem response. Lockout after 5 wrong passwords is separate and lives in the
/// database, so it holds across instances; this limit only slows down guessing from one address.
pub fn limit_logins(r: axum::Router<AppState>) -> axum::Router<AppState> {
    let config = GovernorConfigBuilder::default()
        .per_second(3)
        .burst_size(20)
        .key_extractor(ClientKey)
        .finish()
        .expect("valid governor config");
    r.layer(GovernorLayer::new(config))
        .layer(axum::middleware::map_response(rate_limited_problem))
}

/// Rate-limit buckets by the client the edge resolved (behind a trusted proxy: the real client).
#[derive(Debug, Clone, Copy)]
struct ClientKey;

impl tower_governor::key_extractor::KeyExtractor for ClientKey {
    type Key = std::net::IpAddr;

    fn extract<T>(
        &self,
        req: &axum::http::Request<T>,
    ) -> Result<Self::Key, tower_governor::GovernorError> {
        req.extensions()
            .get::<crate::client::Client>()
            .and_then(|c| c.ip)
            .ok_or(tower_governor::GovernorError::UnableToExtractKey)
    }
}

async fn rate_limited_problem(res: Response) -> Response {
    if res.status() == StatusCode::TOO_MANY_REQUESTS {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "请求过于频繁",
            "请求过于频繁，请稍后再试",
            "too many requests; try again later",
        )
        .into_response()
    } else {
        res
    }
}
