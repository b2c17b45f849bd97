//! `/places`: the map from district down to building and lane, and each community's tag dictionary.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::kernel::page::Page;
use wushe_app::map::places::{self, Place};

use super::{created, flag};
use crate::extract::ApiQuery;
use crate::extract::{ApiActor, ApiJson};
use crate::problem::ApiError;
use crate::AppState;

/// New place body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewPlace {
    /// `district` `street` `community` `grid` `building` `lane`.
    #[serde(default)]
    #[schema(required = true, example = "grid")]
    pub kind: String,
    /// Name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// Parent (none only for a district).
    pub parent_id: Option<Uuid>,
}

/// Creates a place under a parent of the right kind.
#[utoipa::path(post, path = "/api/v1/places", tag = "places", request_body = NewPlace, responses((status = 201, body = Place), (status = 400, body = crate::problem::Problem)))]
pub async fn create(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewPlace>,
) -> Result<Response, ApiError> {
    let p = places::create(&s.app, &a, &b.kind, &b.name, b.parent_id).await?;
    Ok(created(format!("/api/v1/places/{}", p.id), &p))
}

/// List filters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlaceQuery {
    /// Only this kind.
    pub kind: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// Lists the places the caller can see (their grants' subtrees), by path.
#[utoipa::path(get, path = "/api/v1/places", tag = "places", params(PlaceQuery), responses((status = 200, body = Page<Place>)))]
pub async fn list(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<PlaceQuery>,
) -> Result<Json<Page<Place>>, ApiError> {
    Ok(Json(
        places::list(
            &s.app,
            &a,
            q.kind.as_deref(),
            q.q.as_deref(),
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Reads one place.
#[utoipa::path(get, path = "/api/v1/places/{id}", tag = "places", responses((status = 200, body = Place), (status = 404, body = crate::problem::Problem)))]
pub async fn get(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Place>, ApiError> {
    Ok(Json(places::get(&s.app, &a, id).await?))
}

/// Children query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildrenQuery {
    /// Include archived children.
    pub include_archived: Option<String>,
}

/// The children of a place, as a list.
#[utoipa::path(get, path = "/api/v1/places/{id}/children", tag = "places", params(ChildrenQuery), responses((status = 200, body = Page<Place>)))]
pub async fn children(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<ChildrenQuery>,
) -> Result<Json<Page<Place>>, ApiError> {
    let items = places::children(&s.app, &a, id, flag(&q.include_archived)).await?;
    Ok(Json(Page {
        items,
        next_cursor: None,
    }))
}

/// Rename body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Rename {
    /// The new name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
}

/// Renames a place.
#[utoipa::path(patch, path = "/api/v1/places/{id}", tag = "places", request_body = Rename, responses((status = 200, body = Place)))]
pub async fn rename(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<Rename>,
) -> Result<Json<Place>, ApiError> {
    Ok(Json(places::rename(&s.app, &a, id, &b.name).await?))
}

/// Move body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MoveBody {
    /// The new parent (a building moves to another grid).
    pub parent_id: Uuid,
    /// Why.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub note: String,
}

/// Moves a place to another parent in the same community; the history keeps the move.
#[utoipa::path(post, path = "/api/v1/places/{id}/move", tag = "places", request_body = MoveBody, responses((status = 200, body = Place)))]
pub async fn move_to(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<MoveBody>,
) -> Result<Json<Place>, ApiError> {
    Ok(Json(
        places::move_to(&s.app, &a, id, b.parent_id, &b.note).await?,
    ))
}

/// Archives an empty place.
#[utoipa::path(post, path = "/api/v1/places/{id}/archive", tag = "places", responses((status = 200, body = Place)))]
pub async fn archive(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Place>, ApiError> {
    Ok(Json(places::set_archived(&s.app, &a, id, true).await?))
}

/// Restores an archived place.
#[utoipa::path(post, path = "/api/v1/places/{id}/restore", tag = "places", responses((status = 200, body = Place)))]
pub async fn restore(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Place>, ApiError> {
    Ok(Json(places::set_archived(&s.app, &a, id, false).await?))
}

/// A recorded move.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MoveView {
    /// Old parent.
    pub from_parent_id: Uuid,
    /// New parent.
    pub to_parent_id: Uuid,
    /// Who.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Why.
    pub note: String,
}

/// The moves of a place, oldest first.
#[utoipa::path(get, path = "/api/v1/places/{id}/history", tag = "places", responses((status = 200, body = Vec<MoveView>)))]
pub async fn history(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<MoveView>>, ApiError> {
    let rows = places::history(&s.app, &a, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|m| MoveView {
                from_parent_id: m.from_parent_id,
                to_parent_id: m.to_parent_id,
                actor_id: m.actor_id,
                at: m.at,
                note: m.note,
            })
            .collect(),
    ))
}

/// A dictionary tag.
#[derive(Debug, Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct TagView {
    /// The tag.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 20, pattern = r"\S")]
    pub tag: String,
    /// Whether the tag is itself sensitive.
    #[serde(default)]
    pub sensitive: bool,
}

/// The tag dictionary of a community.
#[utoipa::path(get, path = "/api/v1/communities/{id}/tags", tag = "places", responses((status = 200, body = Vec<TagView>)))]
pub async fn tags(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<TagView>>, ApiError> {
    Ok(Json(
        places::tags(&s.app, &a, id)
            .await?
            .into_iter()
            .map(|t| TagView {
                tag: t.tag,
                sensitive: t.sensitive,
            })
            .collect(),
    ))
}

/// Adds a tag to a community's dictionary.
#[utoipa::path(post, path = "/api/v1/communities/{id}/tags", tag = "places", request_body = TagView, responses((status = 200, body = Vec<TagView>)))]
pub async fn add_tag(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<TagView>,
) -> Result<Json<Vec<TagView>>, ApiError> {
    let rows = places::add_tag(&s.app, &a, id, &b.tag, b.sensitive).await?;
    Ok(Json(
        rows.into_iter()
            .map(|t| TagView {
                tag: t.tag,
                sensitive: t.sensitive,
            })
            .collect(),
    ))
}
