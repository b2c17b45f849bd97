//! The points bank: a volunteer's balance and year, and each community's points policy.

use axum::extract::{Path, State};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wushe_app::volunteering::points::{self, PointsPolicy, PointsSummary, PolicyInput};

use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::problem::ApiError;
use crate::AppState;

/// `?year=`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// The year for `earned_in_year` and `entries` (this year when absent).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub year: Option<i32>,
}

/// A volunteer's balance (all time) and their year.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/points", tag = "points", params(YearQuery), responses((status = 200, body = PointsSummary), (status = 404, body = crate::problem::Problem)))]
pub async fn summary(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<PointsSummary>, ApiError> {
    Ok(Json(points::summary(&s.app, &a, id, q.year).await?))
}

/// Policy body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PolicyBody {
    /// Points for one hour.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1000)]
    pub points_per_hour: Option<i64>,
    /// Points for one donated item.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1000)]
    pub points_per_item: Option<i64>,
    /// Points in a year for star eligibility.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 100000)]
    pub star_threshold: Option<i64>,
    /// First day it applies to.
    #[schema(required = true, nullable = false)]
    pub valid_from: Option<NaiveDate>,
    /// `down` (default) / `nearest` / `up`.
    #[schema(example = "down")]
    pub rounding: Option<String>,
    /// Cumulative hours for each star level (default 100, 300, 600, 1000, 1500).
    #[schema(min_items = 1, max_items = 10, minimum = 1, maximum = 100000)]
    pub star_hours: Option<Vec<i64>>,
    /// For how many calendar years points can be spent (1: until the end of the year earned); absent or
    /// null: they never expire.
    #[schema(minimum = 1, maximum = 10)]
    pub valid_years: Option<i64>,
}

/// Sets a community's points policy from `valid_from` on; points already earned are never recomputed.
#[utoipa::path(put, path = "/api/v1/communities/{id}/points-policy", tag = "points", request_body = PolicyBody, responses((status = 200, body = PointsPolicy), (status = 400, body = crate::problem::Problem)))]
pub async fn set_policy(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<PolicyBody>,
) -> Result<Json<PointsPolicy>, ApiError> {
    let input = PolicyInput {
        points_per_hour: b.points_per_hour,
        points_per_item: b.points_per_item,
        star_threshold: b.star_threshold,
        rounding: b.rounding,
        star_hours: b.star_hours,
        valid_from: b.valid_from,
        valid_years: b.valid_years,
    };
    Ok(Json(points::set_policy(&s.app, &a, id, input).await?))
}

/// The policy in force today and the history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Policies {
    /// In force today.
    pub current: PointsPolicy,
    /// Every policy set, newest first.
    pub history: Vec<PointsPolicy>,
}

/// Reads a community's points policy.
#[utoipa::path(get, path = "/api/v1/communities/{id}/points-policy", tag = "points", responses((status = 200, body = Policies)))]
pub async fn get_policy(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Policies>, ApiError> {
    let (current, history) = points::policies(&s.app, &a, id).await?;
    Ok(Json(Policies { current, history }))
}
