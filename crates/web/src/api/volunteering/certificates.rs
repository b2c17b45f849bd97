//! `/certificates`: issuing and reading certificates of service, and their public verification.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::volunteering::certificates::{self, Certificate};

use crate::api::created;
use crate::extract::{ApiActor, ApiJson};
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
