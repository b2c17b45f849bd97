//! `/households` and `/residents`: registering, reading (masked), searching, correcting, moving, exporting.

pub mod imports;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::kernel::page::Page;
use wushe_app::people::households::{self, Household};
use wushe_app::people::residents::{self, Resident, ResidentInput, ResidentPatch};

use super::{created, flag, xlsx};
use crate::extract::ApiQuery;
use crate::extract::{ApiActor, ApiJson};
use crate::problem::ApiError;
use crate::AppState;

/// New household body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewHousehold {
    /// Building or lane.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[schema(required = true, nullable = false)]
    pub place_id: Option<Uuid>,
    /// Door (门牌).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 100, pattern = r"\S")]
    pub address: String,
    /// Tags.
    #[serde(default)]
    #[schema(max_items = 20, max_length = 20)]
    pub tags: Vec<String>,
}

/// Registers a household.
#[utoipa::path(post, path = "/api/v1/households", tag = "people", request_body = NewHousehold, responses((status = 201, body = Household), (status = 400, body = crate::problem::Problem)))]
pub async fn create_household(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewHousehold>,
) -> Result<Response, ApiError> {
    let place_id = b.place_id.ok_or_else(|| {
        wushe_app::AppError::field("place_id", "请选择楼栋或街巷", "place_id is required")
    })?;
    let h = households::create(&s.app, &a, place_id, &b.address, &b.tags).await?;
    Ok(created(format!("/api/v1/households/{}", h.id), &h))
}

/// Household list filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    /// Only under this place.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
    /// Only with this tag.
    pub tag: Option<String>,
    /// Door contains.
    pub q: Option<String>,
    /// Include archived.
    pub include_archived: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

impl HouseholdQuery {
    /// What is asked of the list.
    pub fn filter(&self) -> wushe_app::people::households::HouseholdSearch {
        wushe_app::people::households::HouseholdSearch {
            tag: self.tag.clone().filter(|s| !s.is_empty()),
            q: self.q.clone().filter(|s| !s.is_empty()),
            include_archived: flag(&self.include_archived),
        }
    }
}

/// Lists households in the caller's area.
#[utoipa::path(get, path = "/api/v1/households", tag = "people", params(HouseholdQuery), responses((status = 200, body = Page<Household>)))]
pub async fn list_households(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<HouseholdQuery>,
) -> Result<Json<Page<Household>>, ApiError> {
    Ok(Json(
        households::list(
            &s.app,
            &a,
            &q.filter(),
            q.place_id,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Exports the household list (same filters) to .xlsx.
#[utoipa::path(get, path = "/api/v1/households/export.xlsx", tag = "people", params(HouseholdQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_households(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<HouseholdQuery>,
) -> Result<Response, ApiError> {
    let (bytes, _) =
        wushe_app::people::export::households(&s.app, &a, &q.filter(), q.place_id).await?;
    Ok(xlsx("住户.xlsx", bytes))
}

/// Reads one household.
#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "people", responses((status = 200, body = Household), (status = 404, body = crate::problem::Problem)))]
pub async fn get_household(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Household>, ApiError> {
    Ok(Json(households::get(&s.app, &a, id).await?))
}

/// Household change body: a field left out keeps its value.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct HouseholdChange {
    /// Door.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub address: Option<String>,
    /// Tags (the whole list; `[]` clears).
    #[schema(max_items = 20, max_length = 20)]
    pub tags: Option<Vec<String>>,
}

/// Changes a household's door and tags; a field left out keeps its value.
#[utoipa::path(put, path = "/api/v1/households/{id}", tag = "people", request_body = HouseholdChange, responses((status = 200, body = Household), (status = 400, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn update_household(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<HouseholdChange>,
) -> Result<Json<Household>, ApiError> {
    Ok(Json(
        households::update(&s.app, &a, id, b.address.as_deref(), b.tags.as_deref()).await?,
    ))
}

/// The same as `PUT`: a field left out keeps its value.
#[utoipa::path(patch, path = "/api/v1/households/{id}", tag = "people", request_body = HouseholdChange, responses((status = 200, body = Household), (status = 400, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn patch_household(
    state: State<AppState>,
    actor: ApiActor,
    id: Path<Uuid>,
    body: ApiJson<HouseholdChange>,
) -> Result<Json<Household>, ApiError> {
    update_household(state, actor, id, body).await
}

/// Archives an empty household.
#[utoipa::path(post, path = "/api/v1/households/{id}/archive", tag = "people", responses((status = 200, body = Household)))]
pub async fn archive_household(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Household>, ApiError> {
    Ok(Json(households::set_archived(&s.app, &a, id, true).await?))
}

/// Restores a household.
#[utoipa::path(post, path = "/api/v1/households/{id}/restore", tag = "people", responses((status = 200, body = Household)))]
pub async fn restore_household(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Household>, ApiError> {
    Ok(Json(households::set_archived(&s.app, &a, id, false).await?))
}

/// Registers a resident (returned masked).
#[utoipa::path(post, path = "/api/v1/residents", tag = "people", request_body = ResidentInput, responses((status = 201, body = Resident), (status = 400, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn create_resident(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<ResidentInput>,
) -> Result<Response, ApiError> {
    let r = residents::create(&s.app, &a, &b).await?;
    Ok(created(format!("/api/v1/residents/{}", r.id), &r))
}

/// Resident list filters and search.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResidentQuery {
    /// Only under this place (community, grid, building).
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub place_id: Option<Uuid>,
    /// Only in this household.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub household_id: Option<Uuid>,
    /// Only with this tag.
    pub tag: Option<String>,
    /// Name contains (Chinese, partial).
    pub name: Option<String>,
    /// Same as `name`.
    pub q: Option<String>,
    /// Door contains.
    pub address: Option<String>,
    /// Include archived.
    pub include_archived: Option<String>,
    /// Export with clear ID numbers and phones (needs the permission; audited).
    pub unmask: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

impl ResidentQuery {
    /// What is asked of the list.
    pub fn filter(&self) -> wushe_app::people::residents::ResidentSearch {
        let nonempty = |o: &Option<String>| {
            o.clone()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        wushe_app::people::residents::ResidentSearch {
            household_id: self.household_id,
            tag: nonempty(&self.tag),
            name: nonempty(&self.name).or_else(|| nonempty(&self.q)),
            address: nonempty(&self.address),
            include_archived: flag(&self.include_archived),
        }
    }
}

/// Lists and searches residents in the caller's area (masked).
#[utoipa::path(get, path = "/api/v1/residents", tag = "people", params(ResidentQuery), responses((status = 200, body = Page<Resident>)))]
pub async fn list_residents(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ResidentQuery>,
) -> Result<Json<Page<Resident>>, ApiError> {
    Ok(Json(
        residents::list(
            &s.app,
            &a,
            &q.filter(),
            q.place_id,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Exports the resident list (same filters) to .xlsx in the import layout.
#[utoipa::path(get, path = "/api/v1/residents/export.xlsx", tag = "people", params(ResidentQuery), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn export_residents(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ResidentQuery>,
) -> Result<Response, ApiError> {
    let (bytes, _) =
        wushe_app::people::export::residents(&s.app, &a, &q.filter(), q.place_id, flag(&q.unmask))
            .await?;
    Ok(xlsx("居民.xlsx", bytes))
}

/// Read query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// Show the ID number and phone in clear (needs the permission; audited).
    pub unmask: Option<String>,
}

/// Reads one resident, masked unless `unmask=true` and allowed.
#[utoipa::path(get, path = "/api/v1/residents/{id}", tag = "people", params(ReadQuery), responses((status = 200, body = Resident), (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn get_resident(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<ReadQuery>,
) -> Result<Response, ApiError> {
    if flag(&q.unmask) {
        return Ok(Json(residents::get(&s.app, &a, id, true).await?).into_response());
    }
    // The masked body comes serialized from the read cache.
    let body = residents::masked_json(&s.app, &a, id).await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response())
}

/// Corrects a resident: fields left out keep their values, `null` clears one that may be empty, a new
/// `household_id` records a move. A masked ID number or phone sent back is refused.
#[utoipa::path(patch, path = "/api/v1/residents/{id}", tag = "people", request_body = ResidentPatch, responses((status = 200, body = Resident), (status = 400, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn patch_resident(
    state: State<AppState>,
    actor: ApiActor,
    id: Path<Uuid>,
    body: ApiJson<ResidentPatch>,
) -> Result<Json<Resident>, ApiError> {
    update_resident(state, actor, id, body).await
}

/// The same as `PATCH`: kept for clients written before it, it never erases a field it does not send.
#[utoipa::path(put, path = "/api/v1/residents/{id}", tag = "people", request_body = ResidentPatch, responses((status = 200, body = Resident), (status = 400, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem), (status = 409, body = crate::problem::Problem)))]
pub async fn update_resident(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ResidentPatch>,
) -> Result<Json<Resident>, ApiError> {
    Ok(Json(residents::update(&s.app, &a, id, &b).await?))
}

/// Move body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResidentMove {
    /// The new household.
    pub household_id: Uuid,
    /// Why.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub note: String,
}

/// Moves a resident to another household.
#[utoipa::path(post, path = "/api/v1/residents/{id}/move", tag = "people", request_body = ResidentMove, responses((status = 200, body = Resident)))]
pub async fn move_resident(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<ResidentMove>,
) -> Result<Json<Resident>, ApiError> {
    Ok(Json(
        residents::move_to(&s.app, &a, id, b.household_id, &b.note).await?,
    ))
}

/// Erases, on a lawful request (PIPL art. 47), the free text kept about a resident, household or
/// volunteer in ledgers and timelines; amounts and steps stay. Needs `manage_users` at their place.
#[utoipa::path(post, path = "/api/v1/erasures", tag = "people", request_body = wushe_app::kernel::erasure::ErasureInput,
    responses((status = 200, body = wushe_app::kernel::erasure::Erasure)))]
pub async fn erase(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<wushe_app::kernel::erasure::ErasureInput>,
) -> Result<Json<wushe_app::kernel::erasure::Erasure>, ApiError> {
    Ok(Json(
        wushe_app::kernel::erasure::erase(&s.app, &a, &b).await?,
    ))
}

/// Archives a resident.
#[utoipa::path(post, path = "/api/v1/residents/{id}/archive", tag = "people", responses((status = 200, body = Resident)))]
pub async fn archive_resident(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Resident>, ApiError> {
    Ok(Json(residents::set_archived(&s.app, &a, id, true).await?))
}

/// Restores a resident.
#[utoipa::path(post, path = "/api/v1/residents/{id}/restore", tag = "people", responses((status = 200, body = Resident)))]
pub async fn restore_resident(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Resident>, ApiError> {
    Ok(Json(residents::set_archived(&s.app, &a, id, false).await?))
}

/// A household move.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ResidentMoveView {
    /// From.
    pub from_household_id: Uuid,
    /// To.
    pub to_household_id: Uuid,
    /// Who.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Why.
    pub note: String,
}

/// A resident's household moves.
#[utoipa::path(get, path = "/api/v1/residents/{id}/history", tag = "people", responses((status = 200, body = Vec<ResidentMoveView>)))]
pub async fn resident_history(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<ResidentMoveView>>, ApiError> {
    let rows = residents::history(&s.app, &a, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| ResidentMoveView {
                from_household_id: m.from_household_id,
                to_household_id: m.to_household_id,
                actor_id: m.actor_id,
                at: m.at,
                note: m.note,
            })
            .collect(),
    ))
}
