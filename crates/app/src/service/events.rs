//! Grid events (网格事件): reporting a problem, handling it at the grid (受理, 派遣, 处置, 核查, 结案) or
//! escalating it to the community and the street, the timeline, and the 12345 rates per grid. The loop's
//! rules are `wushe_domain::service::event`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::text::clean;
use wushe_domain::kernel::workflow::Named;
use wushe_domain::map::place::PlaceKind;
use wushe_domain::service::event::{
    self, Action, Deadlines, Standing, Status, DEFAULT_CATEGORIES, MACHINE,
};
use wushe_store::service::events::{EventFilter, EventRow};
use wushe_store::{Conn, Scope};

use crate::kernel::audit::{self, Entry};
use crate::kernel::page;
use crate::kernel::workflow::{self, Change, Step, Subject};
use crate::service::serving::Serving;
use crate::{Actor, App, AppError, AppResult};

/// A grid event as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Event {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Where it is now (the grid, or the level it was escalated to).
    pub place_id: Uuid,
    /// The grid it was reported in.
    pub grid_id: Uuid,
    /// Category.
    pub category: String,
    /// What is wrong.
    pub description: String,
    /// Where, in words.
    pub location_text: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Photo ids.
    pub photos: Vec<Uuid>,
    /// `reported` / `accepted` / `dispatched` / `resolved` / `verified` / `closed`.
    pub status: String,
    /// In Chinese.
    pub status_label: String,
    /// Since when.
    pub status_since: DateTime<Utc>,
    /// When the current step is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Past due.
    pub overdue: bool,
    /// `team` / `volunteer` / `user`.
    pub assignee_type: Option<String>,
    /// Who handles it.
    pub assignee_id: Option<Uuid>,
    /// Their name.
    pub assignee_name: String,
    /// Who reported it.
    pub reporter_id: Option<Uuid>,
    /// The result published at closing.
    pub result: Option<String>,
    /// Satisfaction, 1 to 5.
    pub satisfaction: Option<i64>,
    /// Times escalated.
    pub escalations: i64,
    /// The actions the event allows now.
    pub allowed_actions: Vec<String>,
    /// Of those, the ones the caller may take (what a page offers them).
    pub my_actions: Vec<String>,
    /// Every step.
    pub timeline: Vec<Step>,
    /// Reported at.
    pub created_at: DateTime<Utc>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
}

fn status_of(e: &EventRow) -> Status {
    Status::parse(&e.status).unwrap_or(Status::Reported)
}

fn view(
    e: EventRow,
    timeline: Vec<Step>,
    now: chrono::DateTime<chrono::Utc>,
    who: Standing,
) -> Event {
    let status = status_of(&e);
    Event {
        id: e.id,
        community_id: e.community_id,
        place_id: e.place_id,
        grid_id: e.grid_id,
        category: e.category,
        description: e.description,
        location_text: e.location_text,
        lat: e.lat,
        lng: e.lng,
        photos: serde_json::from_str(&e.photos).unwrap_or_default(),
        status: status.as_str().to_owned(),
        status_label: status.label_zh().to_owned(),
        status_since: e.status_since,
        due_at: e.due_at,
        overdue: e.due_at.is_some_and(|d| d < now),
        assignee_type: e.assignee_type,
        assignee_id: e.assignee_id,
        assignee_name: e.assignee_name,
        reporter_id: e.reporter_id,
        result: e.result,
        satisfaction: e.satisfaction,
        escalations: e.escalations,
        allowed_actions: wushe_domain::kernel::workflow::names(MACHINE.allowed(status)),
        my_actions: wushe_domain::kernel::workflow::names(who.actions(status)),
        timeline,
        created_at: e.created_at,
        closed_at: e.closed_at,
    }
}

/// The categories of a community's dictionary: the defaults, and every category it set deadlines for.
pub async fn categories(c: &mut Conn<'_>, community: Uuid) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = DEFAULT_CATEGORIES.iter().map(|s| s.to_string()).collect();
    for (cat, _) in wushe_store::kernel::workflow::all_deadlines(c, community, "event").await? {
        if !out.contains(&cat) {
            out.push(cat);
        }
    }
    Ok(out)
}

async fn deadlines_for(c: &mut Conn<'_>, community: Uuid, category: &str) -> AppResult<Deadlines> {
    Ok(
        match wushe_store::kernel::workflow::deadlines(c, community, "event", category).await? {
            Some(j) => serde_json::from_str(&j).unwrap_or_default(),
            None => Deadlines::default(),
        },
    )
}

/// True when the caller holds `perm` in a grant at, above or inside `path` (a building head inside the grid
/// reports in it).
fn near(actor: &Actor, perm: Permission, path: &str) -> bool {
    actor.grants.iter().any(|g| {
        g.role.allows(perm) && (path.starts_with(g.path.as_str()) || g.path.starts_with(path))
    })
}

/// What a report carries.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The grid.
    pub grid_id: Option<Uuid>,
    /// Category from the community's dictionary.
    pub category: String,
    /// What is wrong.
    pub description: String,
    /// Where, in words.
    pub location_text: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// Photos uploaded before (ids).
    pub photos: Vec<Uuid>,
}

/// Reports an event (发现 → 上报) in a grid; `source` is `app` or `open311`.
pub async fn report(app: &App, actor: &Actor, r: Report, source: &str) -> AppResult<Event> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let category = clean(&r.category);
    let description = clean(&r.description);
    let location_text = clean(&r.location_text);
    wushe_domain::service::limits::EVENT_DESCRIPTION.check(&description, &mut errs);
    wushe_domain::service::limits::EVENT_LOCATION.check(&location_text, &mut errs);
    if r.lat.is_some() != r.lng.is_some()
        || r.lat.is_some_and(|v| !(-90.0..=90.0).contains(&v))
        || r.lng.is_some_and(|v| !(-180.0..=180.0).contains(&v))
    {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "lat",
            "坐标应同时给出纬度（-90到90）和经度（-180到180）",
            "give both lat (-90..90) and lng (-180..180)",
        ));
    }
    if r.photos.len() > 9 {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "photos",
            "照片最多9张",
            "at most 9 photos",
        ));
    }
    let grid_id = r.grid_id.ok_or_else(|| {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "grid_id",
            "请选择网格",
            "grid_id is required",
        ))
    });
    errs.into_result(())?;
    let grid_id = grid_id.map_err(|_| AppError::Internal("grid".into()))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let grid = wushe_store::map::places::get(&mut c, grid_id)
        .await?
        .filter(|p| p.kind == "grid" && p.archived_at.is_none())
        .ok_or_else(|| AppError::field("grid_id", "网格不存在", "no such grid"))?;
    if !near(actor, Permission::ReportEvents, &grid.path) {
        return Err(AppError::field(
            "grid_id",
            "只能在自己所在的网格上报事件",
            "you can only report in your own grid",
        ));
    }
    let community = grid
        .community_id
        .ok_or_else(|| AppError::Internal("grid without community".into()))?;
    if !categories(&mut c, community).await?.contains(&category) {
        return Err(AppError::field(
            "category",
            &format!(
                "事件类别应为本社区目录中的一项：{}",
                categories(&mut c, community).await?.join("、")
            ),
            "category must be one of the community's categories",
        ));
    }
    for p in &r.photos {
        if !wushe_store::kernel::photos::exists(&mut c, *p, actor.author()).await? {
            return Err(AppError::field(
                "photos",
                "照片不存在或不是您上传的",
                "unknown photo",
            ));
        }
    }
    let now = app.now();
    let d = deadlines_for(&mut c, community, &category).await?;
    let row = EventRow {
        id: Uuid::now_v7(),
        community_id: community,
        place_id: grid.id,
        place_path: grid.path.clone(),
        grid_id: grid.id,
        grid_path: grid.path.clone(),
        category,
        description,
        location_text,
        lat: r.lat,
        lng: r.lng,
        photos: serde_json::to_string(&r.photos).expect("ids serialize"),
        status: Status::Reported.as_str().to_owned(),
        status_since: now,
        due_at: d.due(Status::Reported, now),
        assignee_type: None,
        assignee_id: None,
        assignee_name: String::new(),
        reporter_id: actor.author(),
        source: source.to_owned(),
        result: None,
        satisfaction: None,
        escalations: 0,
        accepted_at: None,
        accepted_in_time: None,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    wushe_store::service::events::insert(&mut c, &row).await?;
    wushe_store::kernel::photos::attach(&mut c, &r.photos, "event", row.id).await?;
    step(
        &mut c,
        actor,
        &row,
        None,
        Status::Reported,
        "report",
        "",
        now,
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "event.report",
            object_type: "event",
            object_id: Some(row.id),
            place_path: Some(&row.grid_path),
            community_id: Some(row.community_id),
            detail: json!({"category": row.category, "source": source}),
        },
    )
    .await?;
    let tl = workflow::timeline(&mut c, row.id).await?;
    // A report has no assignee yet.
    let who = standing(actor, &row, &Serving::default());
    tx.commit().await?;
    Ok(view(row, tl, app.now(), who))
}

#[allow(clippy::too_many_arguments)]
async fn step(
    c: &mut Conn<'_>,
    actor: &Actor,
    e: &EventRow,
    from: Option<Status>,
    to: Status,
    action: &str,
    note: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let subject = Subject::new(MACHINE.name, e.id, e.community_id);
    let change = Change::new(from, to, action, note, at);
    workflow::record(c, actor, subject, change).await
}

/// Whether the caller is the one an event was dispatched to.
/// Whether whom the caller serves as can matter for an event: it is assigned, and the caller does not
/// handle it at its level anyway.
fn serves_apart(actor: &Actor, e: &EventRow) -> bool {
    e.assignee_id.is_some() && !actor.can(Permission::HandleEvents, &e.place_path)
}

/// How the caller stands to an event (the domain decides from it what they may do).
fn standing(actor: &Actor, e: &EventRow, me: &Serving) -> Standing {
    // The level the event is at now handles it: a steward for the grid, the community once escalated.
    Standing {
        handler: actor.can(Permission::HandleEvents, &e.place_path),
        assignee: me.is(e.assignee_type.as_deref(), e.assignee_id),
    }
}

/// Loads an event the caller may see: handlers at or above its grid (or at the level it was escalated
/// to), its reporter, its assignee.
async fn load(c: &mut Conn<'_>, actor: &Actor, id: Uuid, lock: bool) -> AppResult<EventRow> {
    let e = if lock {
        wushe_store::service::events::get_for_update(c, id).await?
    } else {
        wushe_store::service::events::get(c, id).await?
    }
    .ok_or(AppError::NotFound)?;
    let sees = actor.can(Permission::HandleEvents, &e.grid_path)
        || actor.can(Permission::HandleEvents, &e.place_path)
        || (e.reporter_id.is_some() && e.reporter_id == actor.author())
        || Serving::of(c, actor)
            .await?
            .is(e.assignee_type.as_deref(), e.assignee_id);
    if sees {
        Ok(e)
    } else {
        Err(AppError::NotFound)
    }
}

/// What a step carries.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// Dispatch to: a team, a volunteer or a user of the community.
    pub assignee_id: Option<Uuid>,
    /// Verification outcome.
    pub passed: Option<bool>,
    /// Note (resolve, verify).
    pub note: String,
    /// Why (escalate).
    pub reason: String,
    /// The result to publish (close).
    pub result: String,
    /// The reporter's satisfaction (close), 1 to 5.
    pub satisfaction: Option<i64>,
}

/// Takes one step: accept, dispatch, resolve, verify, close or escalate.
pub async fn act(
    app: &App,
    actor: &Actor,
    id: Uuid,
    action: Action,
    input: StepInput,
) -> AppResult<Event> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let e = load(&mut c, actor, id, true).await?;
    let from = status_of(&e);
    let mut to = MACHINE.next(from, action)?;
    let me = Serving::when(&mut c, actor, serves_apart(actor, &e)).await?;
    if !standing(actor, &e, &me).may(action) {
        return Err(AppError::Forbidden);
    }
    let now = app.now();
    let mut next = e.clone();
    let mut note = clean(&input.note);
    match action {
        Action::Accept => {
            if next.accepted_at.is_none() {
                next.accepted_at = Some(now);
                next.accepted_in_time = Some(e.due_at.is_none_or(|d| now <= d));
            }
        }
        Action::Dispatch => {
            let (kind, aid, name) = assignee_of(&mut c, &e, input.assignee_id).await?;
            next.assignee_type = Some(kind.to_owned());
            next.assignee_id = Some(aid);
            next.assignee_name = name.clone();
            note = if note.is_empty() {
                format!("派遣给：{name}")
            } else {
                format!("派遣给：{name}；{note}")
            };
        }
        Action::Resolve => {}
        Action::Verify => {
            let passed = input.passed.ok_or_else(|| {
                AppError::field("passed", "请说明核查是否通过", "passed is required")
            })?;
            to = event::verify(from, passed)?;
            if !passed && note.is_empty() {
                return Err(AppError::field(
                    "note",
                    "核查未通过时请说明原因",
                    "say why the check failed",
                ));
            }
            note = format!(
                "{}{}",
                if passed {
                    "核查通过"
                } else {
                    "核查未通过，退回处置"
                },
                if note.is_empty() {
                    String::new()
                } else {
                    format!("：{note}")
                }
            );
        }
        Action::Close => {
            let result = clean(&input.result);
            if result.is_empty() || result.chars().count() > 1000 {
                return Err(AppError::field(
                    "result",
                    "结案需要填写处理结果（1到1000字），将公开",
                    "closing needs a result of 1 to 1000 characters (it is published)",
                ));
            }
            if input.satisfaction.is_some_and(|s| !(1..=5).contains(&s)) {
                return Err(AppError::field(
                    "satisfaction",
                    "满意度应为1到5",
                    "satisfaction must be 1 to 5",
                ));
            }
            next.result = Some(result.clone());
            next.satisfaction = input.satisfaction;
            next.closed_at = Some(now);
            note = result;
        }
        Action::Escalate => {
            let reason = clean(&input.reason);
            if reason.is_empty() {
                return Err(AppError::field(
                    "reason",
                    "上报上级需要说明原因",
                    "escalating needs a reason",
                ));
            }
            let here = wushe_store::map::places::get(&mut c, e.place_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let kind = PlaceKind::parse(&here.kind).unwrap_or(PlaceKind::Grid);
            event::escalates_to(kind)?;
            let parent = match here.parent_id {
                Some(p) => wushe_store::map::places::get(&mut c, p).await?,
                None => None,
            }
            .ok_or(AppError::NotFound)?;
            next.place_id = parent.id;
            next.place_path = parent.path.clone();
            next.escalations += 1;
            note = format!("上报至{}：{reason}", parent.name);
        }
    }
    if let Some(e) = wushe_domain::service::limits::EVENT_NOTE.error(&note) {
        return Err(e.into());
    }
    let d = deadlines_for(&mut c, e.community_id, &e.category).await?;
    next.status = to.as_str().to_owned();
    if to != from || action == Action::Escalate {
        // A new step, or a new level: the clock starts again.
        next.status_since = now;
        next.due_at = d.due(to, now);
    }
    next.updated_at = now;
    if !wushe_store::service::events::save_if(&mut c, &next, from.as_str()).await? {
        return Err(MACHINE.refuse(from, action).into());
    }
    wushe_store::service::alerts::clear(&mut c, "event", e.id, now).await?;
    step(
        &mut c,
        actor,
        &next,
        Some(from),
        to,
        action.as_str(),
        &note,
        now,
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: &format!("event.{}", action.as_str()),
            object_type: "event",
            object_id: Some(e.id),
            place_path: Some(&next.place_path),
            community_id: Some(e.community_id),
            detail: json!({"from": from.as_str(), "to": to.as_str(), "note": note}),
        },
    )
    .await?;
    let tl = workflow::timeline(&mut c, e.id).await?;
    let who = standing(actor, &next, &me);
    tx.commit().await?;
    Ok(view(next, tl, app.now(), who))
}

/// The team, volunteer or user an event is dispatched to, of the event's community.
async fn assignee_of(
    c: &mut Conn<'_>,
    e: &EventRow,
    id: Option<Uuid>,
) -> AppResult<(&'static str, Uuid, String)> {
    let id = id.ok_or_else(|| {
        AppError::field(
            "assignee_id",
            "请选择处置人或队伍",
            "assignee_id is required",
        )
    })?;
    if let Some(t) = wushe_store::volunteering::volunteers::get_team(c, id).await? {
        if t.community_id != e.community_id {
            return Err(other_community());
        }
        return Ok(("team", t.id, t.name));
    }
    if let Some(v) = wushe_store::volunteering::volunteers::get(c, id).await? {
        if v.community_id != e.community_id {
            return Err(other_community());
        }
        return Ok(("volunteer", v.id, v.name));
    }
    if let Some(u) = wushe_store::accounts::users::get(c, id).await? {
        let community_path =
            crate::kernel::actor::community_prefix(&e.grid_path).unwrap_or_default();
        let grants = crate::accounts::auth::grants_of(c, u.id).await?;
        // Someone who works in the community or above it (a worker, the steward, the street's staff).
        let ours = grants.iter().any(|g| {
            g.role.allows(Permission::HandleEvents)
                && (community_path.starts_with(g.path.as_str())
                    || g.path.starts_with(&community_path))
        });
        if !ours {
            return Err(other_community());
        }
        return Ok(("user", u.id, u.display_name));
    }
    Err(AppError::field(
        "assignee_id",
        "处置人不存在",
        "no such team, volunteer or user",
    ))
}

fn other_community() -> AppError {
    AppError::rule(
        "other_community",
        "只能派遣给本社区的队伍、志愿者或工作人员",
        "the assignee belongs to another community",
    )
}

/// Reads an event.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Event> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let e = load(&mut c, actor, id, false).await?;
    let tl = workflow::timeline(&mut c, e.id).await?;
    let who = standing(
        actor,
        &e,
        &Serving::when(&mut c, actor, serves_apart(actor, &e)).await?,
    );
    Ok(view(e, tl, app.now(), who))
}

/// What a caller may ask of the event list; whose reports a non-handler sees (their own) is the use
/// case's to fill in, never a field here.
#[derive(Debug, Clone, Default)]
pub struct EventSearch {
    /// Only in this status.
    pub status: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only what is now exactly at this place (what was escalated to it).
    pub at_place: Option<Uuid>,
}

/// Lists events: a handler's area (by the grid they were reported in), or what was escalated to one place
/// (`at_place`), or, for everyone else, the events they reported.
pub async fn list(
    app: &App,
    actor: &Actor,
    search: &EventSearch,
    place_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<page::Page<Event>> {
    let mut f = EventFilter {
        status: search.status.clone(),
        category: search.category.clone(),
        at_place: search.at_place,
        ..Default::default()
    };
    let limit = page::limit(limit)?;
    let before: Option<(DateTime<Utc>, Uuid)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let mut scope = actor.scope(Permission::HandleEvents);
    if scope == Scope::Paths(vec![]) {
        f.reporter_id = Some(actor.author().ok_or(AppError::Forbidden)?);
        scope = Scope::All;
    }
    if let Some(pid) = place_id {
        let p = crate::map::places::load_visible(&mut c, actor, pid).await?;
        scope = scope.narrow(&p.path);
    }
    if let Some(s) = &f.status {
        if Status::parse(s).is_none() {
            return Err(AppError::field(
                "status",
                "未知的事件状态",
                "unknown status",
            ));
        }
    }
    let rows = wushe_store::service::events::list(&mut c, &scope, &f, before, limit + 1).await?;
    let out = page::cut(rows, limit, |e| (e.created_at, e.id), |e| e);
    let needed = out.items.iter().any(|e| serves_apart(actor, e));
    let me = Serving::when(&mut c, actor, needed).await?;
    Ok(page::Page {
        items: out
            .items
            .into_iter()
            .map(|e| {
                let who = standing(actor, &e, &me);
                view(e, vec![], app.now(), who)
            })
            .collect(),
        next_cursor: out.next_cursor,
    })
}

/// One grid's 12345 figures for a period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GridRates {
    /// The grid.
    pub grid_id: Uuid,
    /// Events reported.
    pub reported: i64,
    /// Accepted in time, per mille.
    pub response_permille: Option<i64>,
    /// Closed, per mille.
    pub solution_permille: Option<i64>,
    /// Rated 4 or 5 of those rated, per mille.
    pub satisfaction_permille: Option<i64>,
}

/// Response, solution and satisfaction rates per grid under a place, for events reported in [from, to).
pub async fn rates(
    app: &App,
    actor: &Actor,
    place_id: Option<Uuid>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Vec<GridRates>> {
    let mut scope = actor.scope(Permission::HandleEvents);
    if scope == Scope::Paths(vec![]) {
        return Err(AppError::Forbidden);
    }
    if to <= from {
        return Err(AppError::field(
            "to",
            "结束时间应晚于开始时间",
            "to must be after from",
        ));
    }
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    if let Some(pid) = place_id {
        let p = crate::map::places::load_visible(&mut c, actor, pid).await?;
        scope = scope.narrow(&p.path);
    }
    let mut by_grid: BTreeMap<(String, Uuid), Vec<event::Outcome>> = BTreeMap::new();
    for (grid, path, in_time, status, sat) in
        wushe_store::service::events::outcomes(&mut c, &scope, from, to).await?
    {
        by_grid
            .entry((path, grid))
            .or_default()
            .push(event::Outcome {
                responded_in_time: in_time == Some(true),
                closed: status == Status::Closed.as_str(),
                satisfaction: sat.and_then(|s| u8::try_from(s).ok()),
            });
    }
    Ok(by_grid
        .into_iter()
        .map(|((_, grid), outcomes)| {
            let r = event::rates(&outcomes);
            GridRates {
                grid_id: grid,
                reported: r.reported,
                response_permille: r.response_permille,
                solution_permille: r.solution_permille,
                satisfaction_permille: r.satisfaction_permille,
            }
        })
        .collect())
}

/// Sets a community's step deadlines for one event category (and so adds it to the dictionary).
pub async fn set_deadlines(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
    category: &str,
    d: Deadlines,
) -> AppResult<Deadlines> {
    crate::service::orders::save_deadlines(
        app,
        actor,
        community_id,
        "event",
        "事件类别",
        category,
        &d,
        d.validate(),
    )
    .await?;
    Ok(d)
}

/// The grids the caller can report in (their own, or every grid of the area they work in), with the
/// categories of those grids' communities.
pub async fn report_choices(
    app: &App,
    actor: &Actor,
) -> AppResult<(Vec<crate::map::places::Place>, Vec<String>)> {
    let mut grids = crate::map::places::list(app, actor, Some("grid"), None, None, Some(500))
        .await?
        .items;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    // A building or lane head's grid lies above their grant: take it from the path.
    for g in actor.grants.iter() {
        let segs: Vec<&str> = g.path.split('/').filter(|s| !s.is_empty()).collect();
        if segs.len() > 4 {
            let grid_path = format!("/{}/", segs[..4].join("/"));
            if let Some(row) = wushe_store::map::places::by_path(&mut c, &grid_path).await? {
                if !grids.iter().any(|x| x.id == row.id) {
                    grids.push(row.into());
                }
            }
        }
    }
    grids.retain(|g| !g.archived && near(actor, Permission::ReportEvents, &g.path));
    let mut cats: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for g in &grids {
        if let Some(cid) = g.community_id {
            if seen.insert(cid) {
                for cat in categories(&mut c, cid).await? {
                    if !cats.contains(&cat) {
                        cats.push(cat);
                    }
                }
            }
        }
    }
    if cats.is_empty() {
        cats = DEFAULT_CATEGORIES.iter().map(|s| s.to_string()).collect();
    }
    Ok((grids, cats))
}
