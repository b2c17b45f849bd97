//! `/activities` and `/service-records`: the activity process (plan, publish, sign up, check in and out,
//! hours, complete or cancel) and service hours with their corrections.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::kernel::page::Page;
use wushe_app::volunteering::activities::{
    self, Activity, ActivityInput, Completion, HoursLine, Task,
};
use wushe_app::volunteering::hours::{self, RecordInput, ServiceRecord};
use wushe_domain::volunteering::activity::Step;

use crate::api::created;
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::problem::ApiError;
use crate::AppState;

/// New activity body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewActivity {
    /// Title.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    pub title: String,
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
    /// Organising team.
    pub team_id: Option<Uuid>,
    /// Start (RFC 3339).
    #[schema(required = true, nullable = false)]
    pub starts_at: Option<DateTime<Utc>>,
    /// End (RFC 3339).
    #[schema(required = true, nullable = false)]
    pub ends_at: Option<DateTime<Utc>>,
    /// Where.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 200, pattern = r"\S")]
    pub place_text: String,
    /// Places.
    #[schema(required = true, nullable = false, minimum = 1, maximum = 10000)]
    pub capacity: Option<i64>,
    /// What will be done.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub content: String,
    /// Skills needed.
    #[serde(default)]
    #[schema(max_items = 20, max_length = 20)]
    pub skills: Vec<String>,
    /// Sub-group tasks.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tasks: Vec<Task>,
}

/// Plans an activity (`draft`).
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", request_body = NewActivity, responses((status = 201, body = Activity), (status = 400, body = crate::problem::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewActivity>,
) -> Result<Response, ApiError> {
    let input = ActivityInput {
        title: b.title,
        community_id: b.community_id,
        team_id: b.team_id,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        place_text: b.place_text,
        capacity: b.capacity,
        content: b.content,
        skills: b.skills,
        tasks: b.tasks,
    };
    let out = activities::create(&s.app, &a, input).await?;
    Ok(created(format!("/api/v1/activities/{}", out.id), &out))
}

/// Activity list filters (the calendar is this list over a month).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Only in this community.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub community_id: Option<Uuid>,
    /// Only this team's.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub team_id: Option<Uuid>,
    /// `draft` / `published` / `completed` / `cancelled`.
    pub status: Option<String>,
    /// Starting on or after this day (Asia/Shanghai).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub from: Option<NaiveDate>,
    /// Starting on or before this day (Asia/Shanghai).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub to: Option<NaiveDate>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

impl ActivityQuery {
    /// What is asked of the list (days in Asia/Shanghai, `to` inclusive).
    pub fn filter(&self) -> activities::ActivitySearch {
        use wushe_domain::kernel::time::start_of_day;
        activities::ActivitySearch {
            status: self.status.clone().filter(|s| !s.is_empty()),
            from: self.from.map(start_of_day),
            to: self.to.map(|d| start_of_day(d + chrono::Duration::days(1))),
            team_id: self.team_id,
        }
    }
}

/// Lists activities by start time.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities", params(ActivityQuery), responses((status = 200, body = Page<Activity>)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> Result<Json<Page<Activity>>, ApiError> {
    Ok(Json(
        activities::list(
            &s.app,
            &a,
            &q.filter(),
            q.community_id,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Reads an activity with its timeline (and, for organisers, its sign-ups and check-in code).
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", responses((status = 200, body = Activity), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Activity>, ApiError> {
    Ok(Json(activities::get(&s.app, &a, id).await?))
}

/// Publishes a planned activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/publish", tag = "activities", responses((status = 200, body = Activity), (status = 409, body = crate::problem::Problem)))]
pub async fn publish(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Activity>, ApiError> {
    Ok(Json(
        activities::advance(&s.app, &a, id, Step::Publish, "", None).await?,
    ))
}

/// Completion body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Complete {
    /// Summary (总结).
    #[serde(default)]
    pub summary: String,
    /// Feedback.
    #[serde(default)]
    pub feedback: String,
    /// Photo references.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// Completes an activity with its summary; sign-ups who never checked in become no-shows.
#[utoipa::path(post, path = "/api/v1/activities/{id}/complete", tag = "activities", request_body = Complete, responses((status = 200, body = Activity), (status = 409, body = crate::problem::Problem)))]
pub async fn complete(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Complete>>,
) -> Result<Json<Activity>, ApiError> {
    let b = body.map(|b| b.0).unwrap_or_default();
    let done = Completion {
        summary: b.summary,
        feedback: b.feedback,
        photos: b.photos,
    };
    Ok(Json(
        activities::advance(&s.app, &a, id, Step::Complete, "", Some(done)).await?,
    ))
}

/// Cancel body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Cancel {
    /// Why.
    #[serde(default)]
    pub reason: String,
}

/// Cancels a planned or published activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/cancel", tag = "activities", request_body = Cancel, responses((status = 200, body = Activity), (status = 409, body = crate::problem::Problem)))]
pub async fn cancel(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Cancel>>,
) -> Result<Json<Activity>, ApiError> {
    let reason = body.map(|b| b.0.reason).unwrap_or_default();
    Ok(Json(
        activities::advance(&s.app, &a, id, Step::Cancel, &reason, None).await?,
    ))
}

/// Who, and the check-in code when a volunteer acts for themselves.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Attendee {
    /// The volunteer (the caller's own registration when absent).
    pub volunteer_id: Option<Uuid>,
    /// The code shown on the organiser's phone (volunteers checking themselves in or out).
    pub code: Option<String>,
    /// Organisers typing in a paper sheet: when it happened (now when absent).
    pub at: Option<DateTime<Utc>>,
}

impl Attendee {
    /// The use case's input.
    fn attend(&self) -> activities::Attend<'_> {
        activities::Attend {
            volunteer_id: self.volunteer_id,
            code: self.code.as_deref(),
            at: self.at,
        }
    }
}

/// Signs a volunteer up (or an organiser assigns them).
#[utoipa::path(post, path = "/api/v1/activities/{id}/signups", tag = "activities", request_body = Attendee, responses((status = 200, body = Activity), (status = 422, body = crate::problem::Problem)))]
pub async fn sign_up(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Attendee>>,
) -> Result<Json<Activity>, ApiError> {
    let b = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(
        activities::sign_up(&s.app, &a, id, b.volunteer_id).await?,
    ))
}

/// Checks a volunteer in.
#[utoipa::path(post, path = "/api/v1/activities/{id}/checkins", tag = "activities", request_body = Attendee, responses((status = 200, body = Activity), (status = 409, body = crate::problem::Problem)))]
pub async fn check_in(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Attendee>>,
) -> Result<Json<Activity>, ApiError> {
    let b = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(
        activities::check_in(&s.app, &a, id, b.attend()).await?,
    ))
}

/// Checks a volunteer out; their minutes become a service record and earn points.
#[utoipa::path(post, path = "/api/v1/activities/{id}/checkouts", tag = "activities", request_body = Attendee, responses((status = 200, body = Activity), (status = 409, body = crate::problem::Problem)))]
pub async fn check_out(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Attendee>>,
) -> Result<Json<Activity>, ApiError> {
    let b = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(
        activities::check_out(&s.app, &a, id, b.attend()).await?,
    ))
}

/// Hours sheet body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Hours {
    /// One line per volunteer.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 1000)]
    pub lines: Vec<HoursLine>,
}

/// Records hours for many volunteers at once (all or nothing).
#[utoipa::path(post, path = "/api/v1/activities/{id}/hours", tag = "activities", request_body = Hours, responses((status = 200, body = Vec<ServiceRecord>), (status = 400, body = crate::problem::Problem)))]
pub async fn hours(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<Hours>,
) -> Result<Json<Vec<ServiceRecord>>, ApiError> {
    Ok(Json(
        activities::record_hours(&s.app, &a, id, &b.lines).await?,
    ))
}

/// New service record body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewRecord {
    /// Volunteer.
    #[schema(required = true, nullable = false)]
    pub volunteer_id: Option<Uuid>,
    /// The activity, when the service was part of one.
    pub activity_id: Option<Uuid>,
    /// Minutes served.
    #[schema(required = true, nullable = false, minimum = 1, maximum = 1440)]
    pub minutes: Option<i64>,
    /// Day served.
    #[schema(required = true, nullable = false)]
    pub served_on: Option<NaiveDate>,
    /// What was done.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 500, pattern = r"\S")]
    pub content: String,
    /// Where.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub place_text: String,
    /// Organiser.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub organiser: String,
}

/// Records service hours; earns points by the policy of `served_on`.
#[utoipa::path(post, path = "/api/v1/service-records", tag = "activities", request_body = NewRecord, responses((status = 201, body = ServiceRecord), (status = 400, body = crate::problem::Problem)))]
pub async fn create_record(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewRecord>,
) -> Result<Response, ApiError> {
    let input = RecordInput {
        minutes: b.minutes,
        served_on: b.served_on,
        content: b.content,
        place_text: b.place_text,
        organiser: b.organiser,
    };
    let r = hours::record(&s.app, &a, b.volunteer_id, b.activity_id, input).await?;
    Ok(created(format!("/api/v1/service-records/{}", r.id), &r))
}

/// Reads a service record.
#[utoipa::path(get, path = "/api/v1/service-records/{id}", tag = "activities", responses((status = 200, body = ServiceRecord), (status = 404, body = crate::problem::Problem)))]
pub async fn get_record(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<ServiceRecord>, ApiError> {
    Ok(Json(hours::get(&s.app, &a, id).await?))
}

/// Reversal body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Reverse {
    /// Why the record is wrong.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 200, pattern = r"\S")]
    pub reason: String,
}

/// Corrects a record by a reversing one (201 with the reversing record).
#[utoipa::path(post, path = "/api/v1/service-records/{id}/reverse", tag = "activities", request_body = Reverse, responses((status = 201, body = ServiceRecord), (status = 409, body = crate::problem::Problem)))]
pub async fn reverse(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<Reverse>,
) -> Result<Response, ApiError> {
    let r = hours::reverse(&s.app, &a, id, &b.reason).await?;
    Ok(created(format!("/api/v1/service-records/{}", r.id), &r))
}

/// Paging.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// A volunteer's service records, newest first.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/service-records", tag = "activities", params(Paging), responses((status = 200, body = Page<ServiceRecord>)))]
pub async fn records_of(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<Paging>,
) -> Result<Json<Page<ServiceRecord>>, ApiError> {
    Ok(Json(
        hours::of_volunteer(&s.app, &a, id, q.cursor.as_deref(), q.limit).await?,
    ))
}

/// Months to chart.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// A community, street or district (the caller's whole area when absent).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
    /// First month, `YYYY-MM` (eleven months before `to` when absent).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (this month when absent).
    pub to: Option<String>,
}

/// Service hours by month under a place (for the chart).
#[utoipa::path(get, path = "/api/v1/service-hours/monthly", tag = "activities", params(MonthQuery), responses((status = 200, body = Vec<hours::Month>)))]
pub async fn monthly(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<Vec<hours::Month>>, ApiError> {
    Ok(Json(
        hours::monthly(&s.app, &a, q.place_id, q.from.as_deref(), q.to.as_deref()).await?,
    ))
}

/// Service hours by month of a team's activities.
#[utoipa::path(get, path = "/api/v1/teams/{id}/hours", tag = "activities", params(MonthQuery), responses((status = 200, body = Vec<hours::Month>)))]
pub async fn team_monthly(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Result<Json<Vec<hours::Month>>, ApiError> {
    Ok(Json(
        hours::team_monthly(&s.app, &a, id, q.from.as_deref(), q.to.as_deref()).await?,
    ))
}
