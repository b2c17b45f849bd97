//! Households: a door in a building or lane, with tags; archived, never deleted.

use chrono::Utc;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::map::place::PlaceKind;
use wushe_store::people::households::{HouseholdFilter, HouseholdRow};
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::kernel::cache::Stale;
use crate::kernel::page::{self, Page};
use crate::{Actor, App, AppError, AppResult};

/// A household as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Household {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Building or lane.
    pub place_id: Uuid,
    /// Building or lane name.
    pub place_name: String,
    /// Door (门牌).
    pub address: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Residents living there.
    pub resident_count: i64,
    /// Archived.
    pub archived: bool,
    /// Created.
    pub created_at: chrono::DateTime<Utc>,
    /// Updated.
    pub updated_at: chrono::DateTime<Utc>,
}

/// Parses a stored JSON tag list.
pub fn tags_of(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl From<HouseholdRow> for Household {
    fn from(r: HouseholdRow) -> Self {
        Household {
            id: r.id,
            community_id: r.community_id,
            place_id: r.place_id,
            place_name: r.place_name,
            address: r.address,
            tags: tags_of(&r.tags),
            resident_count: r.resident_count,
            archived: r.archived_at.is_some(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Cleans and checks a tag list (each tag, at most 20, no duplicates).
pub fn clean_tags(tags: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = wushe_domain::kernel::text::clean(t);
        if t.is_empty() {
            continue;
        }
        wushe_domain::people::resident::check_tag(&t)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > wushe_domain::people::resident::MAX_TAGS {
        return Err(AppError::field("tags", "标签最多20个", "at most 20 tags"));
    }
    Ok(out)
}

/// Loads a household the caller may read with `perm`, or `NotFound`.
pub async fn load(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    perm: Permission,
) -> AppResult<HouseholdRow> {
    let h = wushe_store::people::households::get(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if actor.can(Permission::ReadPeople, &h.place_path) {
        if actor.can(perm, &h.place_path) {
            Ok(h)
        } else {
            Err(AppError::Forbidden)
        }
    } else {
        Err(AppError::NotFound)
    }
}

/// Finds the household at a door, creating it when new (used by forms and imports).
pub async fn create_in(
    c: &mut Conn<'_>,
    actor: &Actor,
    place: &wushe_store::map::places::PlaceRow,
    address: &str,
    tags: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<HouseholdRow> {
    let id = Uuid::now_v7();
    let community_id = place
        .community_id
        .ok_or_else(|| AppError::Internal("building without community".into()))?;
    let tags_json = serde_json::to_string(tags).expect("tags serialize");
    wushe_store::people::households::insert(
        c,
        id,
        community_id,
        place.id,
        &place.path,
        address,
        &tags_json,
        actor.author(),
        now,
    )
    .await?;
    audit::record(
        c,
        actor,
        Entry {
            action: "household.create",
            object_type: "household",
            object_id: Some(id),
            place_path: Some(&place.path),
            community_id: Some(community_id),
            detail: json!({"address": address, "tags": tags}),
        },
    )
    .await?;
    wushe_store::people::households::get(c, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// Registers a household at a door of a building or lane.
pub async fn create(
    app: &App,
    actor: &Actor,
    place_id: Uuid,
    address: &str,
    tags: &[String],
) -> AppResult<Household> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let address = wushe_domain::people::household::validate_address(address)
        .map_err(|e| errs.push(e))
        .ok();
    let tags = clean_tags(tags)
        .map_err(|e| {
            if let AppError::Validation(v) = e {
                v.into_iter().for_each(|f| errs.push(f))
            }
        })
        .ok();
    errs.into_result(())?;
    let (address, tags) = (address.unwrap_or_default(), tags.unwrap_or_default());
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let place = crate::map::places::load_visible(&mut c, actor, place_id)
        .await
        .map_err(|_| {
            AppError::field(
                "place_id",
                "楼栋或街巷不存在",
                "the building or lane does not exist",
            )
        })?;
    let kind =
        PlaceKind::parse(&place.kind).ok_or_else(|| AppError::Internal("bad kind".into()))?;
    if !kind.holds_households() {
        return Err(AppError::field(
            "place_id",
            "住户只能登记在楼栋或街巷下",
            "a household must be in a building or lane",
        ));
    }
    if place.archived_at.is_some() {
        return Err(AppError::field(
            "place_id",
            "该楼栋已归档",
            "the building is archived",
        ));
    }
    if !actor.can(Permission::WritePeople, &place.path) {
        return Err(if actor.can(Permission::ReadPeople, &place.path) {
            AppError::Forbidden
        } else {
            AppError::field(
                "place_id",
                "楼栋或街巷不存在",
                "the building or lane does not exist",
            )
        });
    }
    let community_id = place
        .community_id
        .ok_or_else(|| AppError::Internal("building without community".into()))?;
    crate::map::places::check_tags(&mut c, community_id, &tags).await?;
    if let Some(existing) =
        wushe_store::people::households::find_by_door(&mut c, place.id, &address).await?
    {
        return Err(AppError::conflict(
            "duplicate_household",
            format!(
                "该楼栋已登记门牌“{address}”的住户（/households/{}）",
                existing.id
            ),
            format!(
                "a household at {address} is already registered (/households/{})",
                existing.id
            ),
        ));
    }
    let row = create_in(&mut c, actor, &place, &address, &tags, app.now()).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Reads one household.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Household> {
    let mut c = app.db.read().await?;
    Ok(load(&mut c.conn(), actor, id, Permission::ReadPeople)
        .await?
        .into())
}

/// Changes a household's door and tags; `None` keeps what is stored.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    address: Option<&str>,
    tags: Option<&[String]>,
) -> AppResult<Household> {
    let address = address
        .map(wushe_domain::people::household::validate_address)
        .transpose()?;
    let tags = tags.map(clean_tags).transpose()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let h = load(&mut c, actor, id, Permission::WritePeople).await?;
    let address = address.unwrap_or_else(|| h.address.clone());
    let tags = tags.unwrap_or_else(|| tags_of(&h.tags));
    crate::map::places::check_tags(&mut c, h.community_id, &tags).await?;
    if let Some(other) =
        wushe_store::people::households::find_by_door(&mut c, h.place_id, &address).await?
    {
        if other.id != id {
            return Err(AppError::conflict(
                "duplicate_household",
                format!("该楼栋已登记门牌“{address}”的住户"),
                format!("a household at {address} is already registered"),
            ));
        }
    }
    let tags_json = serde_json::to_string(&tags).expect("tags serialize");
    wushe_store::people::households::update(&mut c, id, &address, &tags_json, app.now()).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "household.update",
            object_type: "household",
            object_id: Some(id),
            place_path: Some(&h.place_path),
            community_id: Some(h.community_id),
            detail: json!({"address": address, "tags": tags, "old": {"address": h.address, "tags": tags_of(&h.tags)}}),
        },
    )
    .await?;
    let row = wushe_store::people::households::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::People]).await?;
    Ok(row.into())
}

/// Archives a household with nobody left in it, or restores one.
pub async fn set_archived(
    app: &App,
    actor: &Actor,
    id: Uuid,
    archived: bool,
) -> AppResult<Household> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let h = load(&mut c, actor, id, Permission::WritePeople).await?;
    if archived && h.resident_count > 0 {
        return Err(AppError::conflict(
            "household_not_empty",
            "该户还有在册居民，请先迁出或归档居民",
            "the household still has residents; move or archive them first",
        ));
    }
    let now = app.now();
    wushe_store::people::households::set_archived(&mut c, id, archived.then_some(now), now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: if archived {
                "household.archive"
            } else {
                "household.restore"
            },
            object_type: "household",
            object_id: Some(id),
            place_path: Some(&h.place_path),
            community_id: Some(h.community_id),
            detail: json!({}),
        },
    )
    .await?;
    let row = wushe_store::people::households::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::People]).await?;
    Ok(row.into())
}

/// What a caller may ask of the household list (the area is the caller's own, never a field here).
#[derive(Debug, Clone, Default)]
pub struct HouseholdSearch {
    /// Only with this tag.
    pub tag: Option<String>,
    /// Door contains.
    pub q: Option<String>,
    /// Include archived households.
    pub include_archived: bool,
}

impl HouseholdSearch {
    /// The store's filter for it, inside no narrower place yet.
    pub(crate) fn filter(&self) -> HouseholdFilter {
        HouseholdFilter {
            under_path: None,
            tag: self.tag.clone(),
            q: self.q.clone(),
            include_archived: self.include_archived,
        }
    }
}

/// Lists households in the caller's area with filters.
pub async fn list(
    app: &App,
    actor: &Actor,
    search: &HouseholdSearch,
    under_place: Option<Uuid>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Household>> {
    let limit = page::limit(limit)?;
    let after: Option<(String, String, Uuid)> = page::decode(cursor)?;
    let scope = actor.scope(Permission::ReadPeople);
    let mut f = search.filter();
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    if let Some(pid) = under_place {
        let p = crate::map::places::load_visible(&mut conn, actor, pid).await?;
        f.under_path = Some(p.path);
    }
    let rows =
        wushe_store::people::households::list(&mut conn, &scope, &f, after, limit + 1).await?;
    Ok(page::cut(
        rows,
        limit,
        |r| (r.place_path.clone(), r.address.clone(), r.id),
        Household::from,
    ))
}
