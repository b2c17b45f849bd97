//! `/demands`, `/resources`, `/projects`: the three lists (三单制) and the matches between them.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::kernel::page::Page;
use wushe_app::lists::{
    self, Demand, DemandInput, DemandMatch, Matches, Project, ProjectStepInput, Resource,
    ResourceInput,
};
use wushe_domain::lists::project::Action;

use super::created;
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::problem::ApiError;
use crate::AppState;

/// New demand body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewDemand {
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
    /// Category (养老, 助残, 儿童, 医疗健康, 法律, 环境, 文化, 就业...).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, pattern = r"\S")]
    pub category: String,
    /// What is needed (published on the demand list: no names or numbers).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 1000, pattern = r"\S")]
    pub content: String,
    /// `low` / `normal` / `high` / `urgent`.
    #[schema(example = "normal")]
    pub urgency: Option<String>,
    /// The resident.
    pub resident_id: Option<Uuid>,
    /// The household.
    pub household_id: Option<Uuid>,
    /// A group instead (楼栋3的老人).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub group_text: String,
    /// Where, when it is a place rather than a household (a building, a grid).
    pub place_id: Option<Uuid>,
    /// Skills it calls for.
    #[serde(default)]
    #[schema(max_items = 20, max_length = 20)]
    pub skills: Vec<String>,
    /// Wanted from.
    pub wanted_from: Option<NaiveDate>,
    /// Wanted until.
    pub wanted_to: Option<NaiveDate>,
    /// `visit` / `order` / `grid_report` / `meeting` / `other`.
    #[schema(example = "visit")]
    pub source: Option<String>,
}

/// Records a demand.
#[utoipa::path(post, path = "/api/v1/demands", tag = "lists", request_body = NewDemand, responses((status = 201, body = Demand), (status = 400, body = crate::problem::Problem)))]
pub async fn create_demand(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewDemand>,
) -> Result<Response, ApiError> {
    let out = lists::create_demand(
        &s.app,
        &a,
        DemandInput {
            community_id: b.community_id,
            category: b.category,
            content: b.content,
            urgency: b.urgency,
            resident_id: b.resident_id,
            household_id: b.household_id,
            group_text: b.group_text,
            place_id: b.place_id,
            skills: b.skills,
            wanted_from: b.wanted_from,
            wanted_to: b.wanted_to,
            source: b.source,
        },
    )
    .await?;
    Ok(created(format!("/api/v1/demands/{}", out.id), &out))
}

/// List filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this community.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub community_id: Option<Uuid>,
    /// Only this quarter (`2026Q4`).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub quarter: Option<String>,
    /// Only this status.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub status: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// The demand list.
#[utoipa::path(get, path = "/api/v1/demands", tag = "lists", params(ListQuery), responses((status = 200, body = Object)))]
pub async fn demands(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<Demand>>, ApiError> {
    Ok(Json(
        lists::demands(
            &s.app,
            &a,
            q.community_id,
            q.quarter.as_deref(),
            q.status.as_deref(),
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Reads a demand.
#[utoipa::path(get, path = "/api/v1/demands/{id}", tag = "lists", responses((status = 200, body = Demand), (status = 404, body = crate::problem::Problem)))]
pub async fn get_demand(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Demand>, ApiError> {
    Ok(Json(lists::get_demand(&s.app, &a, id).await?))
}

/// How many matches.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatchQuery {
    /// At most this many (default 20, at most 100).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// The resources and volunteers that fit a demand, best first, with the reasons per criterion.
#[utoipa::path(get, path = "/api/v1/demands/{id}/matches", tag = "lists", params(MatchQuery), responses((status = 200, body = Matches)))]
pub async fn matches(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<MatchQuery>,
) -> Result<Json<Matches>, ApiError> {
    Ok(Json(lists::matches(&s.app, &a, id, q.limit).await?))
}

/// New resource body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewResource {
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
    /// `venue` / `people` / `skill` / `information` / `money` / `goods`.
    #[serde(default)]
    #[schema(required = true, example = "venue")]
    pub kind: String,
    /// Name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Categories served.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 20, max_length = 20)]
    pub categories: Vec<String>,
    /// Skills.
    #[serde(default)]
    #[schema(max_items = 20, max_length = 20)]
    pub skills: Vec<String>,
    /// Places (absent: no limit).
    #[schema(minimum = 1, maximum = 1000000)]
    pub capacity: Option<i64>,
    /// The partner's login.
    pub provider_id: Option<Uuid>,
    /// Who offers it.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub provider_name: String,
    /// When available (周一至周五, 周末上午...).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub availability: String,
    /// From.
    pub available_from: Option<NaiveDate>,
    /// Until.
    pub available_until: Option<NaiveDate>,
    /// Serves the whole street, not only the community.
    #[serde(default)]
    pub street_wide: bool,
}

/// Registers a resource.
#[utoipa::path(post, path = "/api/v1/resources", tag = "lists", request_body = NewResource, responses((status = 201, body = Resource), (status = 400, body = crate::problem::Problem)))]
pub async fn create_resource(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewResource>,
) -> Result<Response, ApiError> {
    let out = lists::create_resource(
        &s.app,
        &a,
        ResourceInput {
            community_id: b.community_id,
            kind: b.kind,
            name: b.name,
            categories: b.categories,
            skills: b.skills,
            capacity: b.capacity,
            availability: b.availability,
            available_from: b.available_from,
            available_until: b.available_until,
            street_wide: b.street_wide,
            provider_id: b.provider_id,
            provider_name: b.provider_name,
        },
    )
    .await?;
    Ok(created(format!("/api/v1/resources/{}", out.id), &out))
}

/// The resource list of the caller's area.
#[utoipa::path(get, path = "/api/v1/resources", tag = "lists", responses((status = 200, body = Vec<Resource>)))]
pub async fn resources(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
) -> Result<Json<Vec<Resource>>, ApiError> {
    Ok(Json(lists::resources(&s.app, &a).await?))
}

/// Reads a resource.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "lists", responses((status = 200, body = Resource), (status = 404, body = crate::problem::Problem)))]
pub async fn get_resource(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Resource>, ApiError> {
    Ok(Json(lists::get_resource(&s.app, &a, id).await?))
}

/// The open demands a resource could meet, best first.
#[utoipa::path(get, path = "/api/v1/resources/{id}/matches", tag = "lists", responses((status = 200, body = Vec<DemandMatch>)))]
pub async fn resource_matches(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<DemandMatch>>, ApiError> {
    Ok(Json(lists::demands_for(&s.app, &a, id).await?))
}

/// New project body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewProject {
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
    /// Title.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    pub title: String,
    /// What it does.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub description: String,
    /// Demands it meets.
    #[serde(default)]
    #[schema(required = true, min_items = 1)]
    pub demand_ids: Vec<Uuid>,
    /// Resources it uses.
    #[serde(default)]
    pub resource_ids: Vec<Uuid>,
}

/// Proposes a project (`proposed`).
#[utoipa::path(post, path = "/api/v1/projects", tag = "lists", request_body = NewProject, responses((status = 201, body = Project), (status = 400, body = crate::problem::Problem)))]
pub async fn create_project(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewProject>,
) -> Result<Response, ApiError> {
    let out = lists::create_project(
        &s.app,
        &a,
        b.community_id,
        &b.title,
        &b.description,
        &b.demand_ids,
        &b.resource_ids,
    )
    .await?;
    Ok(created(format!("/api/v1/projects/{}", out.id), &out))
}

/// The project list (by quarter).
#[utoipa::path(get, path = "/api/v1/projects", tag = "lists", params(ListQuery), responses((status = 200, body = Vec<Project>)))]
pub async fn projects(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Vec<Project>>, ApiError> {
    Ok(Json(
        lists::projects(&s.app, &a, q.quarter.as_deref()).await?,
    ))
}

/// Reads a project.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "lists", responses((status = 200, body = Project), (status = 404, body = crate::problem::Problem)))]
pub async fn get_project(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Project>, ApiError> {
    Ok(Json(lists::get_project(&s.app, &a, id).await?))
}

/// What a project step carries.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ProjectStep {
    /// Approve: the joint meeting.
    #[serde(default)]
    pub meeting: String,
    /// Claim: who.
    #[serde(default)]
    pub claimant_name: String,
    /// Claim: `partner` / `social_org` / `team` / `other`.
    #[serde(default)]
    pub claimant_kind: String,
    /// A note.
    #[serde(default)]
    pub note: String,
    /// Close: results.
    #[serde(default)]
    pub results: String,
}

/// Takes a project step: `approve` (meeting), `reject` (note), `claim` (claimant), `start`, `close` (results).
#[utoipa::path(post, path = "/api/v1/projects/{id}/{action}", tag = "lists", request_body = ProjectStep, responses((status = 200, body = Project), (status = 409, body = crate::problem::Problem)))]
pub async fn act_project(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path((id, action)): Path<(Uuid, String)>,
    body: Option<ApiJson<ProjectStep>>,
) -> Result<Json<Project>, ApiError> {
    let action = Action::parse(&action).ok_or(wushe_app::AppError::NotFound)?;
    let b = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(
        lists::act_project(
            &s.app,
            &a,
            id,
            action,
            ProjectStepInput {
                meeting: b.meeting,
                claimant_name: b.claimant_name,
                claimant_kind: b.claimant_kind,
                note: b.note,
                results: b.results,
            },
        )
        .await?,
    ))
}

/// The community's tree of service categories.
#[utoipa::path(get, path = "/api/v1/communities/{id}/service-categories", tag = "lists", responses((status = 200, body = Vec<wushe_app::lists::categories::Category>)))]
pub async fn categories(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<wushe_app::lists::categories::Category>>, ApiError> {
    Ok(Json(
        wushe_app::lists::categories::tree(&s.app, &a, id).await?,
    ))
}

/// A new category.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewCategory {
    /// Name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, pattern = r"\S")]
    pub name: String,
    /// The top-level category it goes under (empty: a new top-level one).
    #[serde(default)]
    pub parent: String,
}

/// Adds a category to the community's tree; returns the tree.
#[utoipa::path(post, path = "/api/v1/communities/{id}/service-categories", tag = "lists", request_body = NewCategory, responses((status = 200, body = Vec<wushe_app::lists::categories::Category>), (status = 409, body = crate::problem::Problem)))]
pub async fn add_category(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<NewCategory>,
) -> Result<Json<Vec<wushe_app::lists::categories::Category>>, ApiError> {
    Ok(Json(
        wushe_app::lists::categories::add(&s.app, &a, id, &b.name, &b.parent).await?,
    ))
}
