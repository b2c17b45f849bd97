//! The three lists (三单制): the demand list, the resource list and the project list of a community and
//! quarter, and the matching that proposes, for each demand, the resources and volunteers that fit it
//! (and for each resource, the demands it could meet) with the reasons shown. The scoring is
//! `wushe_domain::lists::matching`; this module gathers the candidates near a demand and checks who may act.

pub mod categories;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::text::clean;
use wushe_domain::kernel::workflow::Named;
use wushe_domain::lists::matching::{self, Fit, Need, Offer, Reason};
use wushe_domain::lists::project::{self, Action, Status, MACHINE};
use wushe_store::lists::{ClaimRow, DemandRow, ProjectRow, ResourceRow};
use wushe_store::{Conn, Scope};

use crate::kernel::audit::{self, Entry};
use crate::kernel::page;
use crate::kernel::workflow::{self, Change, Subject};
use crate::{Actor, App, AppError, AppResult};

/// How urgent a demand is.
pub const URGENCIES: [(&str, &str); 4] = [
    ("low", "一般"),
    ("normal", "较急"),
    ("high", "紧急"),
    ("urgent", "特急"),
];
/// Where a demand came from.
pub const SOURCES: [(&str, &str); 5] = [
    ("visit", "走访"),
    ("order", "点单"),
    ("grid_report", "网格上报"),
    ("meeting", "议事会"),
    ("other", "其他"),
];
/// What a resource is.
pub const KINDS: [(&str, &str); 6] = [
    ("venue", "阵地"),
    ("people", "人才"),
    ("skill", "技术"),
    ("information", "信息"),
    ("money", "资金"),
    ("goods", "物资"),
];

fn list_of(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// A demand as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Demand {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Category.
    pub category: String,
    /// What is needed.
    pub content: String,
    /// `low` / `normal` / `high` / `urgent`.
    pub urgency: String,
    /// The resident.
    pub resident_id: Option<Uuid>,
    /// The household.
    pub household_id: Option<Uuid>,
    /// A group instead of one person.
    pub group_text: String,
    /// Skills it calls for.
    pub skills: Vec<String>,
    /// Wanted from.
    pub wanted_from: Option<NaiveDate>,
    /// Wanted until.
    pub wanted_to: Option<NaiveDate>,
    /// Where it came from.
    pub source: String,
    /// `open` / `met` / `closed`.
    pub status: String,
    /// Quarter.
    pub quarter: String,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

fn demand_view(d: DemandRow) -> Demand {
    Demand {
        id: d.id,
        community_id: d.community_id,
        category: d.category,
        content: d.content,
        urgency: d.urgency,
        resident_id: d.resident_id,
        household_id: d.household_id,
        group_text: d.group_text,
        skills: list_of(&d.skills),
        wanted_from: d.wanted_from,
        wanted_to: d.wanted_to,
        source: d.source,
        status: d.status,
        quarter: d.quarter,
        created_at: d.created_at,
    }
}

/// What recording a demand asks for.
#[derive(Debug, Clone, Default)]
pub struct DemandInput {
    /// Community.
    pub community_id: Option<Uuid>,
    /// Category.
    pub category: String,
    /// What is needed.
    pub content: String,
    /// Urgency (`normal` when absent).
    pub urgency: Option<String>,
    /// The resident.
    pub resident_id: Option<Uuid>,
    /// The household.
    pub household_id: Option<Uuid>,
    /// A group (楼栋3的老人).
    pub group_text: String,
    /// Where, when it is a place rather than a household (a building, a grid).
    pub place_id: Option<Uuid>,
    /// Skills it calls for.
    pub skills: Vec<String>,
    /// Wanted from.
    pub wanted_from: Option<NaiveDate>,
    /// Wanted until.
    pub wanted_to: Option<NaiveDate>,
    /// Source (`visit` when absent).
    pub source: Option<String>,
}

fn one_of(
    field: &str,
    zh: &str,
    v: Option<&str>,
    default: &'static str,
    all: &[(&'static str, &'static str)],
    errs: &mut wushe_domain::kernel::error::ValidationErrors,
) -> String {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => default.to_owned(),
        Some(s) => match all.iter().find(|(k, l)| *k == s || *l == s) {
            Some((k, _)) => (*k).to_owned(),
            None => {
                let names: Vec<&str> = all.iter().map(|(k, _)| *k).collect();
                errs.push(wushe_domain::kernel::error::FieldError::new(
                    field,
                    format!("{zh}应为：{}", names.join("、")),
                    format!("{field} must be one of {}", names.join(", ")),
                ));
                default.to_owned()
            }
        },
    }
}

/// Records a demand (from a visit, an order, a grid report or a meeting).
pub async fn create_demand(app: &App, actor: &Actor, input: DemandInput) -> AppResult<Demand> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let category = clean(&input.category);
    let content = clean(&input.content);
    let group_text = clean(&input.group_text);
    wushe_domain::lists::limits::DEMAND_CATEGORY.check(&category, &mut errs);
    wushe_domain::lists::limits::DEMAND_CONTENT.check(&content, &mut errs);
    wushe_domain::lists::limits::DEMAND_GROUP.check(&group_text, &mut errs);
    let urgency = one_of(
        "urgency",
        "紧急程度",
        input.urgency.as_deref(),
        "normal",
        &URGENCIES,
        &mut errs,
    );
    let source = one_of(
        "source",
        "来源",
        input.source.as_deref(),
        "visit",
        &SOURCES,
        &mut errs,
    );
    let skills =
        wushe_domain::volunteering::volunteer::clean_list("skills", "所需技能", &input.skills)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
    if let (Some(a), Some(b)) = (input.wanted_from, input.wanted_to) {
        if b < a {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "wanted_to",
                "期望结束日期不能早于开始日期",
                "wanted_to is before wanted_from",
            ));
        }
    }
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    // A steward records demands in their grid: the community need only be visible here; the
    // permission is checked at the demand's own place below.
    let community = wushe_store::map::places::get(
        &mut c,
        input.community_id.ok_or_else(|| {
            AppError::field("community_id", "请选择社区", "community_id is required")
        })?,
    )
    .await?
    .filter(|p| p.kind == "community" && crate::map::places::visible(actor, &p.path))
    .ok_or_else(|| AppError::field("community_id", "社区不存在", "no such community"))?;
    crate::lists::categories::check(&mut c, community.id, "category", &category).await?;
    let mut household_id = input.household_id;
    let mut place_path = community.path.clone();
    if let Some(pid) = input.place_id {
        let p = wushe_store::map::places::get(&mut c, pid)
            .await?
            .filter(|p| p.path.starts_with(&community.path))
            .ok_or_else(|| {
                AppError::field(
                    "place_id",
                    "本社区没有这个地点",
                    "no such place in this community",
                )
            })?;
        place_path = p.path;
    }
    if let Some(rid) = input.resident_id {
        let r = wushe_store::people::residents::get(&mut c, rid)
            .await?
            .filter(|r| r.community_id == community.id)
            .ok_or_else(|| {
                AppError::field(
                    "resident_id",
                    "本社区没有这位居民",
                    "no such resident in this community",
                )
            })?;
        household_id = Some(r.household_id);
        place_path = r.place_path.clone();
    }
    if let Some(hid) = household_id {
        let h = wushe_store::people::households::get(&mut c, hid)
            .await?
            .filter(|h| h.community_id == community.id)
            .ok_or_else(|| {
                AppError::field(
                    "household_id",
                    "本社区没有该住户",
                    "no such household in this community",
                )
            })?;
        place_path = h.place_path;
    }
    if !(actor.can(Permission::WritePeople, &place_path)
        || actor.can(Permission::DispatchOrders, &community.path))
    {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    let row = DemandRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path,
        category,
        content,
        urgency,
        resident_id: input.resident_id,
        household_id,
        group_text,
        skills: serde_json::to_string(&skills).expect("list"),
        wanted_from: input.wanted_from,
        wanted_to: input.wanted_to,
        source,
        status: "open".into(),
        quarter: project::quarter_of(app.today()),
        created_by: actor.author(),
        created_at: now,
        updated_at: now,
    };
    wushe_store::lists::insert_demand(&mut c, &row).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "demand.create",
            object_type: "demand",
            object_id: Some(row.id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"category": row.category, "urgency": row.urgency}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(demand_view(row))
}

fn reader_scope(actor: &Actor) -> Scope {
    actor.scope_any(&[Permission::ReadPeople, Permission::DispatchOrders])
}

async fn load_demand(c: &mut Conn<'_>, actor: &Actor, id: Uuid) -> AppResult<DemandRow> {
    let d = wushe_store::lists::get_demand(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if reader_scope(actor).covers(&d.place_path) {
        Ok(d)
    } else {
        Err(AppError::NotFound)
    }
}

/// Reads a demand.
pub async fn get_demand(app: &App, actor: &Actor, id: Uuid) -> AppResult<Demand> {
    let mut c = app.db.read().await?;
    Ok(demand_view(load_demand(&mut c.conn(), actor, id).await?))
}

/// The demand list of the caller's area (or a community), by quarter and status.
pub async fn demands(
    app: &App,
    actor: &Actor,
    community_id: Option<Uuid>,
    quarter: Option<&str>,
    status: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<page::Page<Demand>> {
    let limit = page::limit(limit)?;
    let before: Option<(DateTime<Utc>, Uuid)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let mut scope = reader_scope(actor);
    if let Some(cid) = community_id {
        let p = crate::map::places::load_visible(&mut c, actor, cid).await?;
        scope = scope.narrow(&p.path);
    }
    let rows =
        wushe_store::lists::demands(&mut c, &scope, quarter, status, before, limit + 1).await?;
    let out = page::cut(rows, limit, |d| (d.created_at, d.id), |d| d);
    Ok(page::Page {
        items: out.items.into_iter().map(demand_view).collect(),
        next_cursor: out.next_cursor,
    })
}

/// A resource as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Resource {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// `venue` / `people` / `skill` / `information` / `money` / `goods`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Categories served.
    pub categories: Vec<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Places it can take (none: no limit).
    pub capacity: Option<i64>,
    /// Taken.
    pub used: i64,
    /// When available.
    pub availability: String,
    /// From.
    pub available_from: Option<NaiveDate>,
    /// Until.
    pub available_until: Option<NaiveDate>,
    /// The partner or organization's login, if it has one.
    pub provider_id: Option<Uuid>,
    /// Who offers it.
    pub provider_name: String,
    /// Quarter listed.
    pub quarter: String,
}

fn resource_view(r: ResourceRow) -> Resource {
    Resource {
        id: r.id,
        community_id: r.community_id,
        kind: r.kind,
        name: r.name,
        categories: list_of(&r.categories),
        skills: list_of(&r.skills),
        capacity: r.capacity,
        used: r.used,
        availability: r.availability,
        available_from: r.available_from,
        available_until: r.available_until,
        provider_id: r.provider_id,
        provider_name: r.provider_name,
        quarter: r.quarter,
    }
}

/// What registering a resource asks for.
#[derive(Debug, Clone, Default)]
pub struct ResourceInput {
    /// Community.
    pub community_id: Option<Uuid>,
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Categories served.
    pub categories: Vec<String>,
    /// Skills.
    pub skills: Vec<String>,
    /// Places (none: no limit).
    pub capacity: Option<i64>,
    /// When available (周一至周五, 周末上午...).
    pub availability: String,
    /// From.
    pub available_from: Option<NaiveDate>,
    /// Until.
    pub available_until: Option<NaiveDate>,
    /// Serves the whole street rather than the community.
    pub street_wide: bool,
    /// The partner's login.
    pub provider_id: Option<Uuid>,
    /// Who offers it.
    pub provider_name: String,
}

/// Registers what a partner, organization, team or volunteer offers (the station keeps the list).
pub async fn create_resource(
    app: &App,
    actor: &Actor,
    input: ResourceInput,
) -> AppResult<Resource> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let name = clean(&input.name);
    let provider_name = clean(&input.provider_name);
    let availability = clean(&input.availability);
    wushe_domain::lists::limits::RESOURCE_NAME.check(&name, &mut errs);
    wushe_domain::lists::limits::RESOURCE_PROVIDER.check(&provider_name, &mut errs);
    wushe_domain::lists::limits::RESOURCE_AVAILABILITY.check(&availability, &mut errs);
    let kind = one_of(
        "kind",
        "资源类型",
        Some(&input.kind),
        "people",
        &KINDS,
        &mut errs,
    );
    if input.kind.trim().is_empty() {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "kind",
            "请选择资源类型",
            "kind is required",
        ));
    }
    let categories = wushe_domain::volunteering::volunteer::clean_list(
        "categories",
        "服务类别",
        &input.categories,
    )
    .map_err(|e| errs.push(e))
    .unwrap_or_default();
    if categories.is_empty() {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "categories",
            "请至少填写一个服务类别",
            "give at least one category",
        ));
    }
    let skills = wushe_domain::volunteering::volunteer::clean_list("skills", "技能", &input.skills)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if input
        .capacity
        .is_some_and(|c| !(1..=1_000_000).contains(&c))
    {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "capacity",
            "可服务人次应为正整数（不限请留空）",
            "capacity must be positive (leave it out for no limit)",
        ));
    }
    if let (Some(a), Some(b)) = (input.available_from, input.available_until) {
        if b < a {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "available_until",
                "结束日期不能早于开始日期",
                "available_until is before available_from",
            ));
        }
    }
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let community = crate::volunteering::volunteers::community(
        &mut c,
        actor,
        input.community_id,
        Permission::DispatchOrders,
    )
    .await?;
    for cat in &categories {
        crate::lists::categories::check(&mut c, community.id, "categories", cat).await?;
    }
    let reach = if input.street_wide {
        match community.parent_id {
            Some(p) => wushe_store::map::places::get(&mut c, p)
                .await?
                .map(|p| p.path),
            None => None,
        }
        .unwrap_or_else(|| community.path.clone())
    } else {
        community.path.clone()
    };
    let now = app.now();
    let row = ResourceRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path: reach,
        kind,
        name,
        categories: serde_json::to_string(&categories).expect("list"),
        skills: serde_json::to_string(&skills).expect("list"),
        capacity: input.capacity,
        used: 0,
        weekdays: i64::from(matching::weekdays_from_text(&availability)),
        availability,
        available_from: input.available_from,
        available_until: input.available_until,
        provider_id: input.provider_id,
        provider_name,
        ratings_sum: 0,
        ratings_count: 0,
        status: "active".into(),
        quarter: project::quarter_of(app.today()),
        created_by: actor.author(),
        created_at: now,
        updated_at: now,
    };
    wushe_store::lists::insert_resources(&mut c, std::slice::from_ref(&row)).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "resource.create",
            object_type: "resource",
            object_id: Some(row.id),
            place_path: Some(&community.path),
            community_id: Some(community.id),
            detail: json!({"kind": row.kind, "name": row.name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(resource_view(row))
}

/// Reads a resource.
pub async fn get_resource(app: &App, actor: &Actor, id: Uuid) -> AppResult<Resource> {
    let mut c = app.db.read().await?;
    let r = wushe_store::lists::get_resource(&mut c.conn(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::map::places::visible(actor, &r.place_path) {
        return Err(AppError::NotFound);
    }
    Ok(resource_view(r))
}

/// The resource list in the caller's area.
pub async fn resources(app: &App, actor: &Actor) -> AppResult<Vec<Resource>> {
    let mut c = app.db.read().await?;
    let rows = wushe_store::lists::resources(&mut c.conn(), &actor.reach(), 500).await?;
    Ok(rows.into_iter().map(resource_view).collect())
}

/// One proposed match.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Match {
    /// The resource (or, for `kind` = `volunteer`, the volunteer).
    pub resource_id: Uuid,
    /// `resource` / `volunteer`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// 0 to 100.
    pub score: u32,
    /// One reason per criterion.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

/// Matches, best first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Matches {
    /// Best first.
    pub items: Vec<Match>,
}

/// A volunteer as matching sees them: id, name, community path, skills, categories, weekday mask.
type VolunteerOffer = (Uuid, String, String, Vec<String>, Vec<String>, u8);

/// Everything near one demand that could meet it, parsed once.
pub struct Candidates {
    resources: Vec<ResourceRow>,
    volunteers: Vec<VolunteerOffer>,
    ratings: HashMap<Uuid, (i64, i64)>,
    tree: Vec<crate::lists::categories::Category>,
}

fn ancestors(path: &str) -> Vec<String> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    (0..=segs.len())
        .map(|n| {
            if n == 0 {
                "/".to_owned()
            } else {
                format!("/{}/", segs[..n].join("/"))
            }
        })
        .collect()
}

/// The candidates for demands of one community: resources that cover it or lie in its street, and its
/// active volunteers with their past ratings.
pub async fn candidates(
    c: &mut Conn<'_>,
    community_path: &str,
    community: Uuid,
) -> AppResult<Candidates> {
    let anc = ancestors(community_path);
    let street = anc
        .get(2)
        .cloned()
        .unwrap_or_else(|| community_path.to_owned());
    let resources = wushe_store::lists::resources_for(c, &anc, &street).await?;
    let volunteers = wushe_store::lists::volunteer_offers(c, community_path)
        .await?
        .into_iter()
        .map(|(id, name, path, skills, cats, avail)| {
            (
                id,
                name,
                path,
                list_of(&skills),
                list_of(&cats),
                matching::weekdays_from_text(&avail),
            )
        })
        .collect();
    let ratings = wushe_store::lists::volunteer_ratings(c, community)
        .await?
        .into_iter()
        .map(|(v, s, n)| (v, (s, n)))
        .collect();
    let tree = crate::lists::categories::tree_of(c, community).await?;
    Ok(Candidates {
        resources,
        volunteers,
        ratings,
        tree,
    })
}

/// Ranks the candidates for one demand (pure; at most `limit`).
pub fn rank(d: &DemandRow, cand: &Candidates, limit: usize) -> Vec<Match> {
    let skills = list_of(&d.skills);
    let window = match (d.wanted_from, d.wanted_to) {
        (Some(a), Some(b)) => Some((a, b)),
        (Some(a), None) => Some((a, a + chrono::Duration::days(30))),
        (None, Some(b)) => Some((b - chrono::Duration::days(30), b)),
        (None, None) => None,
    };
    let parent = cand
        .tree
        .iter()
        .find(|c| c.children.contains(&d.category))
        .map(|c| c.name.as_str());
    let need = Need {
        category: &d.category,
        parent,
        skills: &skills,
        place_path: &d.place_path,
        window,
    };
    let res_lists: Vec<(Vec<String>, Vec<String>)> = cand
        .resources
        .iter()
        .map(|r| (list_of(&r.categories), list_of(&r.skills)))
        .collect();
    let mut offers: Vec<((u8, Uuid), Offer)> = Vec::new();
    for (r, (cats, sk)) in cand.resources.iter().zip(&res_lists) {
        offers.push((
            (0, r.id),
            Offer {
                categories: cats,
                skills: sk,
                reach_path: &r.place_path,
                weekdays: u8::try_from(r.weekdays).unwrap_or(0),
                from: r.available_from,
                until: r.available_until,
                capacity: r.capacity,
                used: r.used,
                ratings: (r.ratings_sum, r.ratings_count),
            },
        ));
    }
    for (id, _, path, sk, cats, wd) in &cand.volunteers {
        offers.push((
            (1, *id),
            Offer {
                categories: cats,
                skills: sk,
                reach_path: path,
                weekdays: *wd,
                from: None,
                until: None,
                capacity: None,
                used: 0,
                ratings: cand.ratings.get(id).copied().unwrap_or((0, 0)),
            },
        ));
    }
    matching::rank(&need, offers, limit)
        .into_iter()
        .map(|((k, id), Fit { score, reasons })| {
            let name = if k == 0 {
                cand.resources
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| r.name.clone())
            } else {
                cand.volunteers
                    .iter()
                    .find(|v| v.0 == id)
                    .map(|v| v.1.clone())
            }
            .unwrap_or_default();
            Match {
                resource_id: id,
                kind: if k == 0 { "resource" } else { "volunteer" }.into(),
                name,
                score,
                reasons,
            }
        })
        .collect()
}

/// The resources and volunteers that fit a demand, best first, with the reasons.
pub async fn matches(
    app: &App,
    actor: &Actor,
    demand_id: Uuid,
    limit: Option<i64>,
) -> AppResult<Matches> {
    let limit = match limit.unwrap_or(20) {
        n @ 1..=100 => n as usize,
        _ => {
            return Err(AppError::field(
                "limit",
                "匹配条数应在1到100之间",
                "limit must be between 1 and 100",
            ))
        }
    };
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let d = load_demand(&mut c, actor, demand_id).await?;
    let community_path = crate::kernel::actor::community_prefix(&d.place_path)
        .unwrap_or_else(|| d.place_path.clone());
    let cand = candidates(&mut c, &community_path, d.community_id).await?;
    Ok(Matches {
        items: rank(&d, &cand, limit),
    })
}

/// One demand a resource could meet.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DemandMatch {
    /// The demand.
    pub demand_id: Uuid,
    /// Its category.
    pub category: String,
    /// What is needed.
    pub content: String,
    /// 0 to 100.
    pub score: u32,
    /// One reason per criterion.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Reason>,
}

/// The open demands a resource could meet, best first.
pub async fn demands_for(
    app: &App,
    actor: &Actor,
    resource_id: Uuid,
) -> AppResult<Vec<DemandMatch>> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let r = wushe_store::lists::get_resource(&mut c, resource_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !crate::map::places::visible(actor, &r.place_path) {
        return Err(AppError::NotFound);
    }
    let anc = ancestors(&r.place_path);
    let street = anc.get(2).cloned().unwrap_or_else(|| r.place_path.clone());
    let (cats, sk) = (list_of(&r.categories), list_of(&r.skills));
    let offer = Offer {
        categories: &cats,
        skills: &sk,
        reach_path: &r.place_path,
        weekdays: u8::try_from(r.weekdays).unwrap_or(0),
        from: r.available_from,
        until: r.available_until,
        capacity: r.capacity,
        used: r.used,
        ratings: (r.ratings_sum, r.ratings_count),
    };
    let reader = reader_scope(actor);
    let mut out = Vec::new();
    for d in wushe_store::lists::open_demands_under(&mut c, &street, 5000).await? {
        if !reader.covers(&d.place_path) {
            continue;
        }
        let skills = list_of(&d.skills);
        let need = Need {
            category: &d.category,
            parent: None,
            skills: &skills,
            place_path: &d.place_path,
            window: d.wanted_from.zip(d.wanted_to),
        };
        if let Some(f) = matching::fit(&need, &offer) {
            out.push(DemandMatch {
                demand_id: d.id,
                category: d.category.clone(),
                content: d.content.clone(),
                score: f.score,
                reasons: f.reasons,
            });
        }
    }
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.demand_id.cmp(&b.demand_id)));
    out.truncate(100);
    Ok(out)
}

/// Matches every open demand under a place (the quarterly refresh; the benchmark's "all 10,000"):
/// returns (demands matched, matches proposed).
pub async fn match_all(app: &App, path: &str, per_demand: usize) -> AppResult<(usize, usize)> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let demands = wushe_store::lists::open_demands_under(&mut c, path, 1_000_000).await?;
    let mut by_community: std::collections::BTreeMap<(String, Uuid), Vec<DemandRow>> =
        Default::default();
    for d in demands {
        let cp = crate::kernel::actor::community_prefix(&d.place_path)
            .unwrap_or_else(|| d.place_path.clone());
        by_community
            .entry((cp, d.community_id))
            .or_default()
            .push(d);
    }
    let (mut n, mut m) = (0, 0);
    for ((cp, cid), ds) in by_community {
        let cand = candidates(&mut c, &cp, cid).await?;
        for d in &ds {
            m += rank(d, &cand, per_demand).len();
            n += 1;
        }
    }
    Ok((n, m))
}

/// A project as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Project {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Title.
    pub title: String,
    /// What it does.
    pub description: String,
    /// `proposed` / `approved` / `claimed` / `running` / `closed` / `rejected`.
    pub status: String,
    /// In Chinese.
    pub status_label: String,
    /// Quarter.
    pub quarter: String,
    /// The joint meeting that approved it.
    pub meeting: String,
    /// Results at closing.
    pub results: String,
    /// Demands it meets.
    pub demand_ids: Vec<Uuid>,
    /// Resources it uses.
    pub resource_ids: Vec<Uuid>,
    /// Who claimed it (one or many).
    pub claims: Vec<Claim>,
    /// What it allows now.
    pub allowed_actions: Vec<String>,
    /// Of those, the ones the caller may take (the station of its community takes every step).
    pub my_actions: Vec<String>,
    /// Every step.
    pub timeline: Vec<workflow::Step>,
}

/// One claim.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Claim {
    /// Who.
    pub claimant_name: String,
    /// `partner` / `social_org` / `team` / `other`.
    pub claimant_kind: String,
    /// What they take on.
    pub note: String,
    /// When.
    pub claimed_at: DateTime<Utc>,
}

/// Whether the caller may take a project's steps: the station of its community.
fn runs_project(actor: &Actor, p: &ProjectRow) -> bool {
    actor.can(Permission::DispatchOrders, &p.place_path)
}

async fn project_full(c: &mut Conn<'_>, actor: &Actor, p: ProjectRow) -> AppResult<Project> {
    let mine = runs_project(actor, &p);
    let links = wushe_store::lists::links(c, p.id).await?;
    let claims = wushe_store::lists::claims(c, p.id).await?;
    let tl = workflow::timeline(c, p.id).await?;
    let status = Status::parse(&p.status).unwrap_or(Status::Proposed);
    Ok(Project {
        id: p.id,
        community_id: p.community_id,
        title: p.title,
        description: p.description,
        status: status.as_str().to_owned(),
        status_label: status.label_zh().to_owned(),
        quarter: p.quarter,
        meeting: p.meeting,
        results: p.results,
        demand_ids: links
            .iter()
            .filter(|(k, _)| k == "demand")
            .map(|(_, id)| *id)
            .collect(),
        resource_ids: links
            .iter()
            .filter(|(k, _)| k == "resource")
            .map(|(_, id)| *id)
            .collect(),
        claims: claims
            .into_iter()
            .map(|c| Claim {
                claimant_name: c.claimant_name,
                claimant_kind: c.claimant_kind,
                note: c.note,
                claimed_at: c.claimed_at,
            })
            .collect(),
        allowed_actions: wushe_domain::kernel::workflow::names(MACHINE.allowed(status)),
        my_actions: if mine {
            wushe_domain::kernel::workflow::names(MACHINE.allowed(status))
        } else {
            vec![]
        },
        timeline: tl,
    })
}

/// Proposes a project grouping demands and resources of one community.
pub async fn create_project(
    app: &App,
    actor: &Actor,
    community_id: Option<Uuid>,
    title: &str,
    description: &str,
    demand_ids: &[Uuid],
    resource_ids: &[Uuid],
) -> AppResult<Project> {
    let title = clean(title);
    let description = clean(description);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::lists::limits::PROJECT_TITLE.check(&title, &mut errs);
    wushe_domain::lists::limits::PROJECT_DESCRIPTION.check(&description, &mut errs);
    if demand_ids.is_empty() {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "demand_ids",
            "项目至少要对应一项需求",
            "a project meets at least one demand",
        ));
    }
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let community = crate::volunteering::volunteers::community(
        &mut c,
        actor,
        community_id,
        Permission::DispatchOrders,
    )
    .await?;
    for id in demand_ids {
        let ours = wushe_store::lists::get_demand(&mut c, *id)
            .await?
            .is_some_and(|d| d.community_id == community.id);
        if !ours {
            return Err(AppError::field(
                "demand_ids",
                "本社区没有该需求",
                "no such demand in this community",
            ));
        }
    }
    for id in resource_ids {
        let here = wushe_store::lists::get_resource(&mut c, *id)
            .await?
            .is_some_and(|r| {
                community.path.starts_with(&r.place_path)
                    || r.place_path.starts_with(&community.path)
            });
        if !here {
            return Err(AppError::field(
                "resource_ids",
                "该资源不服务本社区",
                "the resource does not serve this community",
            ));
        }
    }
    let now = app.now();
    let row = ProjectRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path: community.path.clone(),
        title,
        description,
        status: Status::Proposed.as_str().into(),
        quarter: project::quarter_of(app.today()),
        meeting: String::new(),
        results: String::new(),
        created_by: actor.author(),
        created_at: now,
        updated_at: now,
    };
    wushe_store::lists::insert_project(&mut c, &row).await?;
    for id in demand_ids {
        wushe_store::lists::link(&mut c, row.id, community.id, "demand", *id).await?;
    }
    for id in resource_ids {
        wushe_store::lists::link(&mut c, row.id, community.id, "resource", *id).await?;
    }
    let subject = Subject::new(MACHINE.name, row.id, community.id);
    let change = Change::new(None, Status::Proposed, "propose", "", now);
    workflow::record(&mut c, actor, subject, change).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "project.create",
            object_type: "project",
            object_id: Some(row.id),
            place_path: Some(&row.place_path),
            community_id: Some(community.id),
            detail: json!({"title": row.title}),
        },
    )
    .await?;
    let out = project_full(&mut c, actor, row).await?;
    tx.commit().await?;
    Ok(out)
}

/// What a project step carries.
#[derive(Debug, Clone, Default)]
pub struct ProjectStepInput {
    /// Approve: which joint meeting (联席会议) decided it.
    pub meeting: String,
    /// Claim: who.
    pub claimant_name: String,
    /// Claim: `partner` / `social_org` / `team` / `other`.
    pub claimant_kind: String,
    /// A note (claim: what they take on; reject: why).
    pub note: String,
    /// Close: the results.
    pub results: String,
}

/// Takes one step of a project: approve, reject, claim, start or close.
pub async fn act_project(
    app: &App,
    actor: &Actor,
    id: Uuid,
    action: Action,
    input: ProjectStepInput,
) -> AppResult<Project> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let p = wushe_store::lists::get_project(&mut c, id, true)
        .await?
        .ok_or(AppError::NotFound)?;
    if !reader_scope(actor).covers(&p.place_path) {
        return Err(AppError::NotFound);
    }
    if !runs_project(actor, &p) {
        return Err(AppError::Forbidden);
    }
    let from = Status::parse(&p.status).unwrap_or(Status::Proposed);
    let to = MACHINE.next(from, action)?;
    let now = app.now();
    let mut next = p.clone();
    let req = |v: &str, field: &str, zh: &str, en: &str| -> AppResult<String> {
        let v = clean(v);
        if v.is_empty() || v.chars().count() > 1000 {
            Err(AppError::field(field, zh, en))
        } else {
            Ok(v)
        }
    };
    let note = match action {
        Action::Approve => {
            next.meeting = req(
                &input.meeting,
                "meeting",
                "请写明批准立项的联席会议（如：2026年第三季度联席会议）",
                "name the joint meeting that approved it",
            )?;
            format!("联席会议：{}", next.meeting)
        }
        Action::Reject => req(
            &input.note,
            "note",
            "请说明不予立项的原因",
            "say why it was not approved",
        )?,
        Action::Claim => {
            let name = req(
                &input.claimant_name,
                "claimant_name",
                "请填写认领单位或组织",
                "claimant_name is required",
            )?;
            let kind = match input.claimant_kind.trim() {
                "" => "partner".to_owned(),
                k @ ("partner" | "social_org" | "team" | "other") => k.to_owned(),
                _ => {
                    return Err(AppError::field(
                        "claimant_kind",
                        "认领方类型应为 partner、social_org、team 或 other",
                        "unknown claimant_kind",
                    ))
                }
            };
            wushe_store::lists::insert_claim(
                &mut c,
                &ClaimRow {
                    id: Uuid::now_v7(),
                    community_id: p.community_id,
                    project_id: p.id,
                    claimant_name: name.clone(),
                    claimant_kind: kind,
                    note: clean(&input.note),
                    claimed_by: actor.author(),
                    claimed_at: now,
                },
            )
            .await?;
            format!("{name}认领")
        }
        Action::Start => clean(&input.note),
        Action::Close => {
            next.results = req(
                &input.results,
                "results",
                "结项需要写明成果",
                "closing needs the results",
            )?;
            next.results.clone()
        }
    };
    next.status = to.as_str().to_owned();
    next.updated_at = now;
    if !wushe_store::lists::save_project_if(&mut c, &next, from.as_str()).await? {
        return Err(MACHINE.refuse(from, action).into());
    }
    if to == Status::Closed {
        for (kind, oid) in wushe_store::lists::links(&mut c, p.id).await? {
            if kind == "demand" {
                wushe_store::lists::set_demand_status(&mut c, oid, "met", now).await?;
            }
        }
    }
    let subject = Subject::new(MACHINE.name, p.id, p.community_id);
    let change = Change::new(Some(from), to, action.as_str(), &note, now);
    workflow::record(&mut c, actor, subject, change).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: &format!("project.{}", action.as_str()),
            object_type: "project",
            object_id: Some(p.id),
            place_path: Some(&p.place_path),
            community_id: Some(p.community_id),
            detail: json!({"note": note}),
        },
    )
    .await?;
    let out = project_full(&mut c, actor, next).await?;
    tx.commit().await?;
    Ok(out)
}

/// Reads a project.
pub async fn get_project(app: &App, actor: &Actor, id: Uuid) -> AppResult<Project> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let p = wushe_store::lists::get_project(&mut c, id, false)
        .await?
        .ok_or(AppError::NotFound)?;
    if !reader_scope(actor).covers(&p.place_path) {
        return Err(AppError::NotFound);
    }
    project_full(&mut c, actor, p).await
}

/// The project list of the caller's area, by quarter.
pub async fn projects(app: &App, actor: &Actor, quarter: Option<&str>) -> AppResult<Vec<Project>> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let rows = wushe_store::lists::projects(&mut c, &reader_scope(actor), quarter, 500).await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        out.push(project_full(&mut c, actor, p).await?);
    }
    Ok(out)
}

/// A demand as the public list shows it: no resident, household or group.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicDemand {
    /// Category.
    pub category: String,
    /// What is needed.
    pub content: String,
    /// Urgency.
    pub urgency: String,
    /// `open` / `met` / `closed`.
    pub status: String,
}

/// A resource as the public list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicResource {
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Who offers it.
    pub provider_name: String,
    /// Categories.
    pub categories: Vec<String>,
}

/// A project as the public list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicProject {
    /// Title.
    pub title: String,
    /// Status in Chinese.
    pub status_label: String,
    /// Who claimed it.
    pub claimed_by: Vec<String>,
    /// Results.
    pub results: String,
}

/// A community's three lists for a quarter, as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicLists {
    /// Demands.
    pub demands: Vec<PublicDemand>,
    /// Resources.
    pub resources: Vec<PublicResource>,
    /// Projects.
    pub projects: Vec<PublicProject>,
}

/// The published lists of a community for a quarter (no login; no personal data).
pub async fn public(
    app: &App,
    community_id: Uuid,
    quarter: &str,
) -> AppResult<(String, PublicLists)> {
    let ok_quarter = quarter.len() == 6
        && quarter[..4].bytes().all(|b| b.is_ascii_digit())
        && matches!(&quarter[4..], "Q1" | "Q2" | "Q3" | "Q4");
    if !ok_quarter {
        return Err(AppError::field(
            "quarter",
            "季度格式应为 2026Q4",
            "quarter looks like 2026Q4",
        ));
    }
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let community = wushe_store::map::places::get(&mut c, community_id)
        .await?
        .filter(|p| p.kind == "community")
        .ok_or(AppError::NotFound)?;
    let scope = Scope::Paths(vec![community.path.clone()]);
    let demands = wushe_store::lists::demands(&mut c, &scope, Some(quarter), None, None, 500)
        .await?
        .into_iter()
        .map(|d| PublicDemand {
            category: d.category,
            content: d.content,
            urgency: d.urgency,
            status: d.status,
        })
        .collect();
    let anc = ancestors(&community.path);
    let resources = wushe_store::lists::resources_for(&mut c, &anc, &community.path)
        .await?
        .into_iter()
        .filter(|r| r.quarter.as_str() <= quarter)
        .map(|r| PublicResource {
            kind: r.kind,
            name: r.name,
            provider_name: r.provider_name,
            categories: list_of(&r.categories),
        })
        .collect();
    let mut projects = Vec::new();
    for p in wushe_store::lists::projects(&mut c, &scope, Some(quarter), 500).await? {
        let claimed_by = wushe_store::lists::claims(&mut c, p.id)
            .await?
            .into_iter()
            .map(|c| c.claimant_name)
            .collect();
        projects.push(PublicProject {
            title: p.title,
            status_label: Status::parse(&p.status)
                .map_or(String::new(), |s| s.label_zh().to_owned()),
            claimed_by,
            results: p.results,
        });
    }
    Ok((
        community.name,
        PublicLists {
            demands,
            resources,
            projects,
        },
    ))
}
