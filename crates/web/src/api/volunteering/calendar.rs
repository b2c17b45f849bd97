//! The iCalendar feeds of activities (a community's, a volunteer's) and the link that lets a phone
//! calendar, which cannot log in, read them.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use uuid::Uuid;

use crate::extract::{ApiActor, FeedActor};
use crate::problem::ApiError;
use crate::AppState;

fn ics(body: String) -> Response {
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    res
}

/// A community's activities as an iCalendar feed (log in, or `?feed_token=` from `POST /me/calendar-link`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/activities.ics", tag = "activities", responses((status = 200, content_type = "text/calendar")))]
pub async fn community_ics(
    State(s): State<AppState>,
    FeedActor(a): FeedActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(ics(wushe_app::volunteering::calendar::community(
        &s.app, &a, id,
    )
    .await?))
}

/// A volunteer's activities as an iCalendar feed (log in, or `?feed_token=` from `POST /me/calendar-link`).
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/activities.ics", tag = "activities", responses((status = 200, content_type = "text/calendar")))]
pub async fn volunteer_ics(
    State(s): State<AppState>,
    FeedActor(a): FeedActor,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(ics(wushe_app::volunteering::calendar::volunteer(
        &s.app, &a, id,
    )
    .await?))
}

/// A new calendar link token for the caller (the previous one stops working).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarLink {
    /// Add `?feed_token=` with this to an .ics feed's address; shown once.
    pub feed_token: String,
    /// The caller's own activities feed, when they are a volunteer.
    pub volunteer_feed: Option<String>,
}

/// Makes a calendar link for phone calendars, which cannot log in; the old link stops working.
#[utoipa::path(post, path = "/api/v1/me/calendar-link", tag = "activities", responses((status = 200, body = CalendarLink)))]
pub async fn calendar_link(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<CalendarLink>, ApiError> {
    let token = wushe_app::accounts::auth::create_feed_token(&s.app, &a).await?;
    let mine = wushe_app::volunteering::volunteers::mine(&s.app, &a).await?;
    Ok(Json(CalendarLink {
        volunteer_feed: mine.map(|v| {
            format!(
                "/api/v1/volunteers/{}/activities.ics?feed_token={token}",
                v.id
            )
        }),
        feed_token: token,
    }))
}
