//! Request extractors: the caller (bearer token or session cookie), JSON bodies that name the bad field,
//! and the client address.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use wushe_app::Actor;

use crate::problem::{field_label, ApiError, Problem, ProblemField};
use crate::AppState;

/// The name of the page-session cookie.
pub const SESSION_COOKIE: &str = "wushe_session";

/// The client address: the TCP peer, or behind a trusted proxy the client it names (see [`crate::client`]).
pub fn client_ip(parts: &Parts) -> Option<String> {
    match parts.extensions.get::<crate::client::Client>() {
        Some(c) => c.ip.map(|ip| ip.to_string()),
        None => crate::client::peer(&parts.extensions).map(|ip| ip.to_string()),
    }
}

/// Whether the request came over HTTPS (directly, or as a trusted proxy says).
pub fn is_https(parts: &Parts) -> bool {
    parts
        .extensions
        .get::<crate::client::Client>()
        .is_some_and(|c| c.https)
}

/// Whether a JSON body holds an escaped NUL (`\u0000`), the only way JSON can carry one: PostgreSQL
/// cannot store or compare it in text, and no field means it.
fn has_nul_escape(body: &[u8]) -> bool {
    body.windows(6).enumerate().any(|(i, w)| {
        // `\\u0000` is a backslash followed by text, not a NUL: count the backslashes before it.
        w == b"\\u0000" && body[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

/// The refusal of a NUL character in the body, the query or a page form.
pub(crate) fn nul_refused(where_: &str) -> ApiError {
    Problem::fields(vec![ProblemField {
        field: where_.to_owned(),
        message: "内容含有不允许的空字符（NUL）".into(),
        message_en: "the request contains a NUL character, which no field accepts".into(),
    }])
    .into()
}

/// The bearer token or session cookie of a request, if any.
pub fn token_of(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
        {
            return Some(t.trim().to_owned());
        }
    }
    cookie_value(headers, SESSION_COOKIE)
}

/// Reads one cookie from the request headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

/// The authenticated caller of an API route (401 problem otherwise).
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // Each handler takes the caller once; resolving is a cache hit, so nothing is kept in extensions.
        let token = token_of(&parts.headers).ok_or(wushe_app::AppError::Unauthorized)?;
        let actor =
            wushe_app::accounts::auth::authenticate(&state.app, &token, client_ip(parts)).await?;
        Ok(ApiActor(actor))
    }
}

/// The caller of an .ics feed: a logged-in user as for any API route, or a phone calendar holding a
/// calendar link (`?feed_token=`), which opens the feeds and nothing else.
pub struct FeedActor(pub Actor);

impl FromRequestParts<AppState> for FeedActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if token_of(&parts.headers).is_some() {
            return ApiActor::from_request_parts(parts, state)
                .await
                .map(|a| FeedActor(a.0));
        }
        let token = parts
            .uri
            .query()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "feed_token")
                    .map(|(_, v)| v.into_owned())
            })
            .ok_or(wushe_app::AppError::Unauthorized)?;
        Ok(FeedActor(
            wushe_app::accounts::auth::authenticate_feed(&state.app, &token).await?,
        ))
    }
}

/// A JSON body; syntax and type errors become a 400 problem naming the field in Chinese.
pub struct ApiJson<T>(pub T);

/// An action route's body may be left out entirely (`POST /activities/{id}/publish` with nothing): no
/// content type and no length means none; anything else must be JSON.
impl<T: DeserializeOwned> axum::extract::OptionalFromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        let h = req.headers();
        let empty = !h.contains_key(header::CONTENT_TYPE)
            && h.get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .is_none_or(|v| v.trim() == "0");
        if empty {
            return Ok(None);
        }
        <ApiJson<T> as FromRequest<AppState>>::from_request(req, state)
            .await
            .map(Some)
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求格式不支持",
                "请以 application/json 发送请求体",
                "send the body as application/json",
            )
            .into());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "请求体过大",
                "请求体超过大小限制",
                "the request body is too large",
            )
        })?;
        if has_nul_escape(&bytes) {
            return Err(nul_refused("body"));
        }
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() || path == "." {
                    let missing = inner.to_string();
                    if let Some(field) = missing
                        .strip_prefix("missing field `")
                        .and_then(|s| s.split('`').next())
                    {
                        return Err(Problem::fields(vec![ProblemField {
                            field: field.to_owned(),
                            message: format!("缺少{}（{field}）", field_label(field)),
                            message_en: format!("{field} is required"),
                        }])
                        .into());
                    }
                    return Err(Problem::new(
                        StatusCode::BAD_REQUEST,
                        "malformed_json",
                        "请求格式有误",
                        format!("请求体不是有效的JSON：{inner}"),
                        format!("the body is not valid JSON: {inner}"),
                    )
                    .into());
                }
                let msg = inner.to_string();
                let (zh, en) = if let Some(f) = msg
                    .strip_prefix("missing field `")
                    .and_then(|s| s.split('`').next())
                {
                    let p = if path == "." {
                        f.to_owned()
                    } else {
                        format!("{path}.{f}")
                    };
                    return Err(Problem::fields(vec![ProblemField {
                        field: p.clone(),
                        message: format!("缺少{}（{p}）", field_label(f)),
                        message_en: format!("{p} is required"),
                    }])
                    .into());
                } else {
                    (
                        format!("{}的格式不正确", field_label(&path)),
                        format!("{path}: {msg}"),
                    )
                };
                Err(Problem::fields(vec![ProblemField {
                    field: path,
                    message: zh,
                    message_en: en,
                }])
                .into())
            }
        }
    }
}

/// Query parameters; a bad one becomes a 400 problem naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        if form_urlencoded::parse(q.as_bytes()).any(|(k, v)| k.contains('\0') || v.contains('\0')) {
            return Err(nul_refused("query"));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                let inner = e.into_inner().to_string();
                Problem::fields(vec![ProblemField {
                    message: format!("查询参数{}（{field}）的格式不正确", field_label(&field)),
                    message_en: format!("query parameter {field}: {inner}"),
                    field,
                }])
                .into()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::has_nul_escape;

    #[test]
    fn finds_escaped_nul_but_not_an_escaped_backslash() {
        assert!(has_nul_escape(br#"{"name": "a\u0000b"}"#));
        assert!(!has_nul_escape(br#"{"name": "a\\u0000b"}"#));
        assert!(has_nul_escape(br#"{"name": "a\\\u0000b"}"#));
        assert!(!has_nul_escape(br#"{"name": "\u4e00"}"#));
    }
}
