//! Refusing cross-site writes. Page sessions ride on a cookie, so a form on another site could post with
//! it; `SameSite=Lax` already stops that in current browsers, and this check is the second wall: a write
//! that a browser marks as coming from another site (`Sec-Fetch-Site`, else `Origin`) is refused before
//! any handler runs. Bearer-token calls carry no ambient credential and are not checked.

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;

/// Whether a request must be refused as a cross-site write.
pub fn is_cross_site_write(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if headers.contains_key(header::AUTHORIZATION) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        // `none` is the user typing or bookmarking; anything from another origin is refused, even a
        // sibling subdomain (`same-site`), which may be run by someone else.
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match headers.get(header::ORIGIN) {
        // Browsers without Fetch Metadata still send Origin on cross-origin posts.
        Some(origin) => {
            let host = headers.get(header::HOST).map(|h| h.as_bytes());
            let authority = origin
                .to_str()
                .ok()
                .and_then(|o| o.split_once("://"))
                .map(|(_, rest)| rest.as_bytes());
            authority.is_none() || authority != host
        }
        // Neither header: not a browser-initiated cross-site form (curl, scripts, old clients).
        None => false,
    }
}

/// Middleware: answers 403 `forbidden` to a cross-site write.
pub async fn refuse(req: Request, next: Next) -> Response {
    if is_cross_site_write(req.method(), req.headers()) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "拒绝跨站请求",
            "这个请求来自其他网站，已拒绝。请在五社的页面上操作。",
            "This request came from another site and was refused; use Wushe's own pages.",
        )
        .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn reads_are_never_refused() {
        let h = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ]);
        for m in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(!is_cross_site_write(&m, &h));
        }
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        for (site, refused) in [
            ("same-origin", false),
            ("none", false),
            ("same-site", true),
            ("cross-site", true),
            ("garbage", true),
        ] {
            let mut h = headers(&[("host", "wushe.local")]);
            h.insert("sec-fetch-site", HeaderValue::from_str(site).unwrap());
            // Origin matching the host must not rescue a cross-site mark.
            h.insert("origin", HeaderValue::from_static("http://wushe.local"));
            assert_eq!(is_cross_site_write(&Method::POST, &h), refused, "{site}");
        }
    }

    #[test]
    fn origin_must_match_host_without_fetch_metadata() {
        let same = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(!is_cross_site_write(&Method::POST, &same));
        let other = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://evil.example"),
        ]);
        assert!(is_cross_site_write(&Method::POST, &other));
        let port = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:9090"),
        ]);
        assert!(is_cross_site_write(&Method::DELETE, &port));
        let null = headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]);
        assert!(is_cross_site_write(&Method::POST, &null));
    }

    #[test]
    fn bearer_calls_and_headerless_clients_pass() {
        let bearer = headers(&[
            ("authorization", "Bearer abc"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert!(!is_cross_site_write(&Method::POST, &bearer));
        assert!(!is_cross_site_write(&Method::POST, &HeaderMap::new()));
    }
}
