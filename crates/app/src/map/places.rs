//! Keeping the map: create, read, rename, move and archive places, scoped by the caller's grants.

use chrono::Utc;
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::text;
use wushe_domain::map::place::{check_parent, PlaceKind, PlacePath};
use wushe_domain::people::resident::DEFAULT_TAGS;
use wushe_store::map::places::{PlaceMoveRow, PlaceRow};
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::kernel::cache::Stale;
use crate::{Actor, App, AppError, AppResult};

/// Tags from the default dictionary that are themselves sensitive personal data (PIPL: health, disability,
/// income, minors).
const SENSITIVE_TAGS: &[&str] = &["残疾", "低保", "特困", "特扶", "留守儿童", "困境儿童"];

/// A place as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Place {
    /// Id.
    pub id: Uuid,
    /// Kind.
    #[schema(value_type = String, example = "grid")]
    pub kind: PlaceKind,
    /// Name.
    pub name: String,
    /// Parent.
    pub parent_id: Option<Uuid>,
    /// Community.
    pub community_id: Option<Uuid>,
    /// Materialized path.
    pub path: String,
    /// Archived.
    pub archived: bool,
    /// Created.
    pub created_at: chrono::DateTime<Utc>,
    /// Updated.
    pub updated_at: chrono::DateTime<Utc>,
}

impl From<PlaceRow> for Place {
    fn from(r: PlaceRow) -> Self {
        Place {
            id: r.id,
            kind: PlaceKind::parse(&r.kind).unwrap_or(PlaceKind::Building),
            name: r.name,
            parent_id: r.parent_id,
            community_id: r.community_id,
            path: r.path,
            archived: r.archived_at.is_some(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// True when `path` is inside a grant of the caller or on the way down to one (so a grid steward sees
/// the name of their own community and street, but not the neighbouring grids).
pub fn visible(actor: &Actor, path: &str) -> bool {
    actor
        .grants
        .iter()
        .any(|g| path.starts_with(g.path.as_str()) || g.path.starts_with(path))
}

/// Loads a place the caller may see, or `NotFound`.
pub async fn load_visible(c: &mut Conn<'_>, actor: &Actor, id: Uuid) -> AppResult<PlaceRow> {
    let p = wushe_store::map::places::get(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if visible(actor, &p.path) {
        Ok(p)
    } else {
        Err(AppError::NotFound)
    }
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = text::clean(name);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::map::limits::PLACE_NAME.check(&name, &mut errs);
    errs.into_result(name).map_err(AppError::from)
}

/// Creates a place under a parent of the right kind (a district needs a system-wide grant).
pub async fn create(
    app: &App,
    actor: &Actor,
    kind: &str,
    name: &str,
    parent_id: Option<Uuid>,
) -> AppResult<Place> {
    let kind = PlaceKind::parse(kind).ok_or_else(|| {
        AppError::field(
            "kind",
            "类型无效，应为 district、street、community、grid、building 或 lane",
            "kind must be one of district, street, community, grid, building, lane",
        )
    })?;
    let name = clean_name(name)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let parent = match parent_id {
        Some(pid) => {
            let p = load_visible(&mut c, actor, pid).await.map_err(|_| {
                AppError::field(
                    "parent_id",
                    "上级地点不存在",
                    "the parent place does not exist",
                )
            })?;
            if p.archived_at.is_some() {
                return Err(AppError::field(
                    "parent_id",
                    "上级地点已归档",
                    "the parent place is archived",
                ));
            }
            Some(p)
        }
        None => None,
    };
    check_parent(
        kind,
        parent.as_ref().and_then(|p| PlaceKind::parse(&p.kind)),
    )?;
    let allowed = match &parent {
        Some(p) => actor.can(Permission::ManagePlaces, &p.path),
        None => matches!(
            actor.scope(Permission::ManagePlaces),
            wushe_store::Scope::All
        ),
    };
    if !allowed {
        return Err(AppError::Forbidden);
    }
    if let Some(p) = &parent {
        if wushe_store::map::places::find_child_by_name(&mut c, p.id, &name)
            .await?
            .is_some()
        {
            return Err(AppError::conflict(
                "duplicate_name",
                format!("同一上级下已有名为“{name}”的地点"),
                format!("a place named {name} already exists under this parent"),
            ));
        }
    }
    let id = Uuid::now_v7();
    let path = match &parent {
        Some(p) => PlacePath::parse(&p.path)
            .ok_or_else(|| AppError::Internal("bad parent path".into()))?
            .child(id),
        None => PlacePath::root(id),
    };
    let community_id = if kind == PlaceKind::Community {
        Some(id)
    } else {
        parent.as_ref().and_then(|p| p.community_id)
    };
    let now = app.now();
    let row = PlaceRow {
        id,
        community_id,
        kind: kind.as_str().to_owned(),
        name,
        parent_id,
        path: path.as_str().to_owned(),
        archived_at: None,
        created_at: now,
        updated_at: now,
    };
    wushe_store::map::places::insert(&mut c, &row, actor.author()).await?;
    if kind == PlaceKind::Community {
        for t in DEFAULT_TAGS {
            wushe_store::map::tags::add(&mut c, id, t, SENSITIVE_TAGS.contains(t), now).await?;
        }
    }
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "place.create",
            object_type: "place",
            object_id: Some(id),
            place_path: Some(&row.path),
            community_id,
            detail: json!({"kind": row.kind, "name": row.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Reads one place.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Place> {
    let mut c = app.db.read().await?;
    Ok(load_visible(&mut c.conn(), actor, id).await?.into())
}

/// The visible children of a place.
pub async fn children(
    app: &App,
    actor: &Actor,
    id: Uuid,
    include_archived: bool,
) -> AppResult<Vec<Place>> {
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    load_visible(&mut conn, actor, id).await?;
    let rows = wushe_store::map::places::children(&mut conn, id, include_archived).await?;
    Ok(rows
        .into_iter()
        .filter(|p| visible(actor, &p.path))
        .map(Place::from)
        .collect())
}

/// What the caller may do at one place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AtPlace {
    /// Keep it: rename, move, archive, add places below it, tag it.
    pub manage: bool,
    /// Register households and residents there.
    pub register_people: bool,
}

/// What the caller may do at `place` (a page shows exactly these forms).
pub fn may_at(actor: &Actor, place: &Place) -> AtPlace {
    AtPlace {
        manage: actor.can(Permission::ManagePlaces, &place.path),
        register_people: actor.can(Permission::WritePeople, &place.path),
    }
}

/// True when the caller may create a place at the top of the map (a district): a system-wide grant.
pub fn may_create_roots(actor: &Actor) -> bool {
    actor.scope(Permission::ManagePlaces) == wushe_store::Scope::All
}

/// The top places the caller sees: their grant places (or the districts for a system-wide grant).
pub async fn roots(app: &App, actor: &Actor) -> AppResult<Vec<Place>> {
    let mut c = app.db.read().await?;
    let rows = wushe_store::map::places::roots(&mut c.conn(), &actor.reach()).await?;
    Ok(rows.into_iter().map(Place::from).collect())
}

/// The chain from the top down to a place (for breadcrumbs), only the visible part.
pub async fn ancestors(app: &App, actor: &Actor, id: Uuid) -> AppResult<Vec<Place>> {
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    let p = load_visible(&mut conn, actor, id).await?;
    let path = PlacePath::parse(&p.path).ok_or_else(|| AppError::Internal("bad path".into()))?;
    let mut out = Vec::new();
    for prefix in path.prefixes() {
        if let Some(row) = wushe_store::map::places::by_path(&mut conn, prefix.as_str()).await? {
            if visible(actor, &row.path) {
                out.push(Place::from(row));
            }
        }
    }
    Ok(out)
}

/// Lists places of a kind in the caller's view, optionally filtered by name.
pub async fn list(
    app: &App,
    actor: &Actor,
    kind: Option<&str>,
    q: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<crate::kernel::page::Page<Place>> {
    let limit = crate::kernel::page::limit(limit)?;
    let after: Option<String> = crate::kernel::page::decode(cursor)?;
    let scope = actor.reach();
    let mut c = app.db.read().await?;
    let rows =
        wushe_store::map::places::list(&mut c.conn(), &scope, kind, q, after.as_deref(), limit + 1)
            .await?;
    Ok(crate::kernel::page::cut(
        rows,
        limit,
        |r| r.path.clone(),
        Place::from,
    ))
}

/// Renames a place.
pub async fn rename(app: &App, actor: &Actor, id: Uuid, name: &str) -> AppResult<Place> {
    let name = clean_name(name)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let p = load_visible(&mut c, actor, id).await?;
    if !actor.can(Permission::ManagePlaces, &p.path) {
        return Err(AppError::Forbidden);
    }
    if let Some(parent) = p.parent_id {
        if let Some(other) =
            wushe_store::map::places::find_child_by_name(&mut c, parent, &name).await?
        {
            if other.id != id {
                return Err(AppError::conflict(
                    "duplicate_name",
                    format!("同一上级下已有名为“{name}”的地点"),
                    format!("a place named {name} already exists under this parent"),
                ));
            }
        }
    }
    let now = app.now();
    wushe_store::map::places::rename(&mut c, id, &name, now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "place.rename",
            object_type: "place",
            object_id: Some(id),
            place_path: Some(&p.path),
            community_id: p.community_id,
            detail: json!({"from": p.name, "to": name}),
        },
    )
    .await?;
    let row = wushe_store::map::places::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(row.into())
}

/// Archives a place (refused while it still holds active places or households), or restores it.
pub async fn set_archived(app: &App, actor: &Actor, id: Uuid, archived: bool) -> AppResult<Place> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let p = load_visible(&mut c, actor, id).await?;
    if !actor.can(Permission::ManagePlaces, &p.path)
        || (p.parent_id.is_none()
            && !matches!(
                actor.scope(Permission::ManagePlaces),
                wushe_store::Scope::All
            ))
    {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    if archived && wushe_store::map::places::count_active_below(&mut c, id, &p.path).await? > 0 {
        return Err(AppError::conflict(
            "place_not_empty",
            "该地点下还有未归档的下级地点或住户，请先迁移或归档",
            "the place still holds active places or households; move or archive them first",
        ));
    }
    wushe_store::map::places::set_archived(&mut c, id, archived.then_some(now), now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: if archived {
                "place.archive"
            } else {
                "place.restore"
            },
            object_type: "place",
            object_id: Some(id),
            place_path: Some(&p.path),
            community_id: p.community_id,
            detail: json!({"name": p.name}),
        },
    )
    .await?;
    let row = wushe_store::map::places::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(row.into())
}

/// Moves a place to another parent of an allowed kind inside the same community (a building to another
/// grid, say); everything under it follows and the move is kept in its history.
pub async fn move_to(
    app: &App,
    actor: &Actor,
    id: Uuid,
    new_parent: Uuid,
    note: &str,
) -> AppResult<Place> {
    let note = text::clean(note);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::map::limits::PLACE_MOVE_NOTE.check(&note, &mut errs);
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let p = load_visible(&mut c, actor, id).await?;
    let to = load_visible(&mut c, actor, new_parent).await.map_err(|_| {
        AppError::field(
            "parent_id",
            "目标上级地点不存在",
            "the new parent does not exist",
        )
    })?;
    let kind = PlaceKind::parse(&p.kind).ok_or_else(|| AppError::Internal("bad kind".into()))?;
    check_parent(kind, PlaceKind::parse(&to.kind))?;
    let from = p.parent_id.ok_or_else(|| {
        AppError::field("parent_id", "顶级地点不能迁移", "a root place cannot move")
    })?;
    if !actor.can(Permission::ManagePlaces, &p.path)
        || !actor.can(Permission::ManagePlaces, &to.path)
    {
        return Err(AppError::Forbidden);
    }
    if to.archived_at.is_some() {
        return Err(AppError::field(
            "parent_id",
            "目标上级地点已归档",
            "the new parent is archived",
        ));
    }
    if kind != PlaceKind::Community && to.community_id != p.community_id {
        return Err(AppError::field(
            "parent_id",
            "只能在同一社区内迁移；跨社区请先归档再在新社区登记",
            "a place can only move inside its community",
        ));
    }
    if from == new_parent {
        return Ok(p.into());
    }
    if wushe_store::map::places::find_child_by_name(&mut c, new_parent, &p.name)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "duplicate_name",
            format!("目标上级下已有名为“{}”的地点", p.name),
            format!(
                "a place named {} already exists under the new parent",
                p.name
            ),
        ));
    }
    let new_path = PlacePath::parse(&to.path)
        .ok_or_else(|| AppError::Internal("bad path".into()))?
        .child(id);
    let now = app.now();
    wushe_store::map::places::move_subtree(
        &mut c,
        id,
        &p.path,
        new_path.as_str(),
        from,
        new_parent,
        p.community_id,
        actor.author(),
        &note,
        now,
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "place.move",
            object_type: "place",
            object_id: Some(id),
            place_path: Some(new_path.as_str()),
            community_id: p.community_id,
            detail: json!({"from_parent": from, "to_parent": new_parent, "note": note}),
        },
    )
    .await?;
    let row = wushe_store::map::places::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::Sessions, Stale::People]).await?;
    Ok(row.into())
}

/// The move history of a place.
pub async fn history(app: &App, actor: &Actor, id: Uuid) -> AppResult<Vec<PlaceMoveRow>> {
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    load_visible(&mut conn, actor, id).await?;
    Ok(wushe_store::map::places::moves(&mut conn, id).await?)
}

/// The tag dictionary of a community the caller can see.
pub async fn tags(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
) -> AppResult<Vec<wushe_store::map::tags::TagRow>> {
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    let p = load_visible(&mut conn, actor, community_id).await?;
    if p.kind != "community" {
        return Err(AppError::NotFound);
    }
    Ok(wushe_store::map::tags::list(&mut conn, community_id).await?)
}

/// Adds a tag to a community's dictionary.
pub async fn add_tag(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
    tag: &str,
    sensitive: bool,
) -> AppResult<Vec<wushe_store::map::tags::TagRow>> {
    let tag = text::clean(tag);
    wushe_domain::people::resident::check_tag(&tag)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let p = load_visible(&mut c, actor, community_id).await?;
    if p.kind != "community" {
        return Err(AppError::NotFound);
    }
    if !actor.can(Permission::ManagePlaces, &p.path) {
        return Err(AppError::Forbidden);
    }
    wushe_store::map::tags::add(&mut c, community_id, &tag, sensitive, app.now()).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "tag.add",
            object_type: "place",
            object_id: Some(community_id),
            place_path: Some(&p.path),
            community_id: Some(community_id),
            detail: json!({"tag": tag}),
        },
    )
    .await?;
    let out = wushe_store::map::tags::list(&mut c, community_id).await?;
    tx.commit().await?;
    Ok(out)
}

/// Checks that every tag is in the community's dictionary.
pub async fn check_tags(c: &mut Conn<'_>, community_id: Uuid, tags: &[String]) -> AppResult<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let dict = wushe_store::map::tags::list(c, community_id).await?;
    let unknown: Vec<&str> = tags
        .iter()
        .filter(|t| !dict.iter().any(|d| &d.tag == *t))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(AppError::field(
            "tags",
            &format!("标签不在本社区的标签字典中：{}", unknown.join("、")),
            &format!(
                "tags not in this community's dictionary: {}",
                unknown.join(", ")
            ),
        ))
    }
}
