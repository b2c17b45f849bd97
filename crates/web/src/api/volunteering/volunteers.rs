//! `/volunteers` and `/teams`: registering volunteers (or signing oneself up), reading them masked,
//! approving, teams with sub-groups and members.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::kernel::page::Page;
use wushe_app::volunteering::volunteers::{self, Membership, Team, Volunteer, VolunteerInput};
use wushe_domain::volunteering::volunteer::VolunteerStatus;

use crate::api::{created, flag};
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::problem::ApiError;
use crate::AppState;

/// New volunteer body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewVolunteer {
    /// Name (from the resident when linked and empty).
    #[serde(default)]
    #[schema(max_length = 50)]
    pub name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
    /// The resident this volunteer is.
    pub resident_id: Option<Uuid>,
    /// Skills.
    #[serde(default)]
    #[schema(max_items = 20, max_length = 20)]
    pub skills: Vec<String>,
    /// Service categories.
    #[serde(default)]
    #[schema(max_items = 20, max_length = 20)]
    pub categories: Vec<String>,
    /// Party member.
    #[serde(default)]
    pub party_member: bool,
    /// In-service party member (双报到).
    #[serde(default)]
    pub in_service_party_member: bool,
    /// Work unit.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub work_unit: String,
    /// Availability.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub availability: String,
    /// `male` / `female` (from the ID number when absent).
    #[schema(example = "male")]
    pub sex: Option<String>,
    /// Birth date (from the ID number when absent).
    pub birth_date: Option<NaiveDate>,
    /// ID number.
    pub id_number: Option<String>,
}

impl From<NewVolunteer> for VolunteerInput {
    fn from(b: NewVolunteer) -> Self {
        VolunteerInput {
            name: b.name,
            sex: b.sex,
            birth_date: b.birth_date,
            id_number: b.id_number,
            phone: b.phone,
            community_id: b.community_id,
            resident_id: b.resident_id,
            skills: b.skills,
            categories: b.categories,
            party_member: b.party_member,
            in_service_party_member: b.in_service_party_member,
            work_unit: b.work_unit,
            availability: b.availability,
        }
    }
}

/// Registers a volunteer (active), with a `volunteer_no`.
#[utoipa::path(post, path = "/api/v1/volunteers", tag = "volunteers", request_body = NewVolunteer, responses((status = 201, body = Volunteer), (status = 400, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewVolunteer>,
) -> Result<Response, ApiError> {
    let v = volunteers::register(&s.app, &a, b.into()).await?;
    Ok(created(format!("/api/v1/volunteers/{}", v.id), &v))
}

/// Signs the caller up as a volunteer of their community (pending until approved).
#[utoipa::path(post, path = "/api/v1/volunteers/apply", tag = "volunteers", request_body = NewVolunteer, responses((status = 201, body = Volunteer)))]
pub async fn apply(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewVolunteer>,
) -> Result<Response, ApiError> {
    let v = volunteers::apply(&s.app, &a, b.into()).await?;
    Ok(created(format!("/api/v1/volunteers/{}", v.id), &v))
}

/// Volunteer list filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolunteerQuery {
    /// Only in this community.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub community_id: Option<Uuid>,
    /// Name or number contains.
    pub q: Option<String>,
    /// `pending` / `active` / `left`.
    pub status: Option<String>,
    /// Only party members.
    pub party_member: Option<String>,
    /// Has this skill.
    pub skill: Option<String>,
    /// Exports only: clear ID numbers and phones (needs the permission; audited).
    pub unmask: Option<String>,
    /// At least this many hours of service (star lists), 0-100000.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 0, maximum = 100000)]
    pub min_hours: Option<i64>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

impl VolunteerQuery {
    /// What is asked of the list (the use case checks the hour bound).
    pub fn filter(&self) -> volunteers::VolunteerSearch {
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        volunteers::VolunteerSearch {
            q: nonempty(&self.q),
            status: nonempty(&self.status),
            party_member: flag(&self.party_member),
            skill: nonempty(&self.skill),
            min_hours: self.min_hours,
        }
    }
}

/// Lists volunteers in the caller's area.
#[utoipa::path(get, path = "/api/v1/volunteers", tag = "volunteers", params(VolunteerQuery), responses((status = 200, body = Page<Volunteer>)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<VolunteerQuery>,
) -> Result<Json<Page<Volunteer>>, ApiError> {
    Ok(Json(
        volunteers::list(
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

/// `?unmask=true`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Unmask {
    /// Show the ID number and phone in clear (needs the permission; audited).
    pub unmask: Option<String>,
}

/// Reads a volunteer (masked unless `unmask`).
#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers", params(Unmask), responses((status = 200, body = Volunteer), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<Unmask>,
) -> Result<Json<Volunteer>, ApiError> {
    Ok(Json(
        volunteers::get(&s.app, &a, id, flag(&q.unmask)).await?,
    ))
}

/// A note on a status change.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Note {
    /// Why.
    #[serde(default)]
    pub note: String,
}

/// Approves a pending volunteer (or takes back one who left).
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/approve", tag = "volunteers", responses((status = 200, body = Volunteer), (status = 409, body = crate::problem::Problem)))]
pub async fn approve(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Note>>,
) -> Result<Json<Volunteer>, ApiError> {
    let note = body.map(|b| b.0.note).unwrap_or_default();
    Ok(Json(
        volunteers::set_status(&s.app, &a, id, VolunteerStatus::Active, &note).await?,
    ))
}

/// Records that a volunteer left (or refuses a pending application).
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/leave", tag = "volunteers", responses((status = 200, body = Volunteer), (status = 409, body = crate::problem::Problem)))]
pub async fn leave(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    body: Option<ApiJson<Note>>,
) -> Result<Json<Volunteer>, ApiError> {
    let note = body.map(|b| b.0.note).unwrap_or_default();
    Ok(Json(
        volunteers::set_status(&s.app, &a, id, VolunteerStatus::Left, &note).await?,
    ))
}

/// The caller's own volunteer registration.
#[utoipa::path(get, path = "/api/v1/me/volunteer", tag = "volunteers", responses((status = 200, body = Volunteer), (status = 404, body = crate::problem::Problem)))]
pub async fn mine(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Volunteer>, ApiError> {
    Ok(Json(
        volunteers::mine(&s.app, &a)
            .await?
            .ok_or(wushe_app::AppError::NotFound)?,
    ))
}

/// New team body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewTeam {
    /// Name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// Community (taken from the parent for a sub-group).
    pub community_id: Option<Uuid>,
    /// Leader (a volunteer of the community; joins as leader).
    pub leader_id: Option<Uuid>,
    /// The team this is a sub-group of.
    pub parent_id: Option<Uuid>,
    /// What it does.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
}

/// Creates a team or a sub-group.
#[utoipa::path(post, path = "/api/v1/teams", tag = "volunteers", request_body = NewTeam, responses((status = 201, body = Team), (status = 400, body = crate::problem::Problem)))]
pub async fn create_team(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewTeam>,
) -> Result<Response, ApiError> {
    let t = volunteers::create_team(
        &s.app,
        &a,
        b.community_id,
        b.parent_id,
        &b.name,
        &b.description,
        b.leader_id,
    )
    .await?;
    Ok(created(format!("/api/v1/teams/{}", t.id), &t))
}

/// Team list filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// Only in this community.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub community_id: Option<Uuid>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// Lists teams and sub-groups.
#[utoipa::path(get, path = "/api/v1/teams", tag = "volunteers", params(TeamQuery), responses((status = 200, body = Page<Team>)))]
pub async fn list_teams(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<TeamQuery>,
) -> Result<Json<Page<Team>>, ApiError> {
    Ok(Json(
        volunteers::list_teams(&s.app, &a, q.community_id, q.cursor.as_deref(), q.limit).await?,
    ))
}

/// Reads a team with its members (current and past) and sub-groups.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "volunteers", responses((status = 200, body = Team), (status = 404, body = crate::problem::Problem)))]
pub async fn get_team(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Team>, ApiError> {
    Ok(Json(volunteers::get_team(&s.app, &a, id).await?))
}

/// New membership body: one volunteer, or a group (a partner unit's staff) with a note.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewMember {
    /// The volunteer.
    pub volunteer_id: Option<Uuid>,
    /// Several volunteers joining together.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub volunteer_ids: Vec<Uuid>,
    /// Joined on (today when absent).
    pub joined_on: Option<NaiveDate>,
    /// Note, e.g. the partner unit.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub note: String,
}

/// Adds a member (201 with the membership), or several (201 with the list).
#[utoipa::path(post, path = "/api/v1/teams/{id}/members", tag = "volunteers", request_body = NewMember, responses((status = 201, body = Membership), (status = 409, body = crate::problem::Problem)))]
pub async fn add_member(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<NewMember>,
) -> Result<Response, ApiError> {
    let mut ids = b.volunteer_ids.clone();
    ids.extend(b.volunteer_id);
    let out = volunteers::add_members(&s.app, &a, id, &ids, b.joined_on, &b.note).await?;
    let location = format!("/api/v1/teams/{id}");
    if b.volunteer_id.is_some() && b.volunteer_ids.is_empty() {
        Ok(created(location, &out[0]))
    } else {
        Ok(created(location, &out))
    }
}

/// When a member left.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Leaving {
    /// Left on (today when absent).
    pub left_on: Option<NaiveDate>,
}

/// Records that a member left the team.
#[utoipa::path(post, path = "/api/v1/teams/{id}/members/{volunteer_id}/leave", tag = "volunteers", request_body = Leaving, responses((status = 200, body = Membership)))]
pub async fn remove_member(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path((id, volunteer_id)): Path<(Uuid, Uuid)>,
    body: Option<ApiJson<Leaving>>,
) -> Result<Json<Membership>, ApiError> {
    let left_on = body.and_then(|b| b.0.left_on);
    Ok(Json(
        volunteers::remove_member(&s.app, &a, id, volunteer_id, left_on).await?,
    ))
}

/// Exports the volunteer list (same filters) to .xlsx in the documented layout.
#[utoipa::path(get, path = "/api/v1/volunteers/export.xlsx", tag = "volunteers", params(VolunteerQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<VolunteerQuery>,
) -> Result<Response, ApiError> {
    let (bytes, _) = wushe_app::volunteering::export::volunteers(
        &s.app,
        &a,
        &q.filter(),
        q.community_id,
        flag(&q.unmask),
    )
    .await?;
    Ok(crate::api::xlsx("志愿者.xlsx", bytes))
}

/// Which records to export.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecordsExportQuery {
    /// A community, street or district (the caller's whole area when absent).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
    /// First day (1 January this year when absent).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub from: Option<NaiveDate>,
    /// Last day (today when absent).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub to: Option<NaiveDate>,
}

/// Exports service records to .xlsx in the documented layout.
#[utoipa::path(get, path = "/api/v1/service-records/export.xlsx", tag = "volunteers", params(RecordsExportQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_records(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<RecordsExportQuery>,
) -> Result<Response, ApiError> {
    let (bytes, _) =
        wushe_app::volunteering::export::records(&s.app, &a, q.place_id, q.from, q.to).await?;
    Ok(crate::api::xlsx("志愿服务记录.xlsx", bytes))
}
