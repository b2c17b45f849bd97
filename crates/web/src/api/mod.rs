//! The JSON API under `/api/v1` (routes and fields fixed by API.md), described by OpenAPI.

pub mod accounts;
pub mod charity;
pub mod kernel;
pub mod lists;
pub mod map;
pub mod people;
pub mod service;
pub mod volunteering;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// `201 Created` with the object and its `Location`.
pub fn created<T: Serialize>(location: String, body: &T) -> Response {
    let mut res = (StatusCode::CREATED, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Paging parameters shared by all lists.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page size, default 50, at most 500.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// An .xlsx download.
pub fn xlsx(file_name: &str, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    );
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}"
    )) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// Parses an optional boolean query flag the way people type it (`true`, `1`, `on`).
pub fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("true" | "1" | "on" | "yes"))
}

/// Reads an optional query value, treating an empty one (`?place_id=`, as forms send) as absent.
pub fn empty_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}
