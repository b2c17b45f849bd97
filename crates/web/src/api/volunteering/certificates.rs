//! `/certificates` (issuing and reading certificates of service), their public verification, and the
//! iCalendar feeds of activities.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wushe_app::volunteering::certificates::{self, Certificate};

use crate::api::created;
use crate::extract::{ApiActor, ApiJson, FeedActor};
use crate::problem::ApiError;
use crate::AppState;

/// Certificate request body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewCertificate {
    /// Volunteer.
    #[schema(required = true, nullable = false)]
    pub volunteer_id: Option<Uuid>,
    /// First day covered (the first day of service on record when absent).
    pub from: Option<NaiveDate>,
    /// Last day covered (today when absent).
    pub to: Option<NaiveDate>,
}

/// Issues a numbered certificate of service (free of charge).
#[utoipa::path(post, path = "/api/v1/certificates", tag = "volunteers", request_body = NewCertificate, responses((status = 201, body = Certificate), (status = 422, body = crate::problem::Problem)))]
pub async fn issue(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewCertificate>,
) -> Result<Response, ApiError> {
    let c = certificates::issue(&s.app, &a, b.volunteer_id, b.from, b.to).await?;
    Ok(created(format!("/api/v1/certificates/{}", c.id), &c))
}

/// Reads a certificate.
#[utoipa::path(get, path = "/api/v1/certificates/{id}", tag = "volunteers", responses((status = 200, body = Certificate), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Certificate>, ApiError> {
    Ok(Json(certificates::get(&s.app, &a, id).await?))
}

/// A volunteer's certificates.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/certificates", tag = "volunteers", responses((status = 200, body = Vec<Certificate>)))]
pub async fn of_volunteer(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<Certificate>>, ApiError> {
    Ok(Json(certificates::of_volunteer(&s.app, &a, id).await?))
}

/// Verifies a certificate by its number, without login; shows only what the certificate shows.
#[utoipa::path(get, path = "/api/v1/public/certificates/{number}", tag = "volunteers", security(()), responses((status = 200, body = Certificate), (status = 404, body = crate::problem::Problem)))]
pub async fn verify(
    State(s): State<AppState>,
    Path(number): Path<String>,
) -> Result<Json<Certificate>, ApiError> {
    Ok(Json(certificates::verify(&s.app, &number).await?))
}

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
