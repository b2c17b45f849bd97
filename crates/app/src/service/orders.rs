//! The four orders (四单机制): placing an order, dispatching it to a team or volunteer, accepting or
//! declining it, completing it, and the three evaluations that close it; the dispatch board with its
//! counts; the step deadlines per category. The loop's rules are `wushe_domain::service::order`; this module loads,
//! checks who may act, saves with the timeline and audit, in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::text::clean;
use wushe_domain::kernel::workflow::{names, Named};
use wushe_domain::service::order::{self, Action, Deadlines, Evaluator, Standing, Status, MACHINE};
use wushe_store::service::orders::{EvaluationRow, Move, OrderFilter, OrderRow};
use wushe_store::{Conn, Scope};

use crate::kernel::audit::{self, Entry};
use crate::kernel::page;
use crate::kernel::workflow::{self, Change, Step, Subject};
use crate::service::serving::Serving;
use crate::{Actor, App, AppError, AppResult};

/// One party's evaluation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evaluation {
    /// `resident` / `station` / `team`.
    pub by: String,
    /// 1 to 5.
    pub score: i64,
    /// Comment.
    pub comment: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// An order as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Order {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Household served.
    pub household_id: Option<Uuid>,
    /// Category.
    pub category: String,
    /// What is asked for.
    pub content: String,
    /// Wanted by.
    pub wanted_by: Option<NaiveDate>,
    /// `placed` / `dispatched` / `accepted` / `completed` / `closed`.
    pub status: String,
    /// The status in Chinese.
    pub status_label: String,
    /// Since when.
    pub status_since: DateTime<Utc>,
    /// When the current step is due.
    pub due_at: Option<DateTime<Utc>>,
    /// True when the current step is past due.
    pub overdue: bool,
    /// `team` / `volunteer`.
    pub assignee_type: Option<String>,
    /// The team or volunteer.
    pub assignee_id: Option<Uuid>,
    /// Their name.
    pub assignee_name: String,
    /// Who placed it.
    pub placed_by: Option<Uuid>,
    /// The actions the order allows now (whoever may take them).
    pub allowed_actions: Vec<String>,
    /// Of those, the ones the caller may take (what a page offers them).
    pub my_actions: Vec<String>,
    /// The parties the caller may evaluate as, among those that have not yet (`resident`, `station`,
    /// `team`); on the board, which reads no evaluations, among all three.
    pub may_evaluate_as: Vec<String>,
    /// Evaluations given so far.
    pub evaluations: Vec<Evaluation>,
    /// Every step, oldest first.
    pub timeline: Vec<Step>,
    /// Placed at.
    pub created_at: DateTime<Utc>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
    /// Photos taken when placing it.
    pub photos: Vec<Uuid>,
}

fn status_of(o: &OrderRow) -> Status {
    Status::parse(&o.status).unwrap_or(Status::Placed)
}

fn view(
    o: OrderRow,
    evaluations: Vec<EvaluationRow>,
    timeline: Vec<Step>,
    now: chrono::DateTime<chrono::Utc>,
    who: Standing,
) -> Order {
    let status = status_of(&o);
    let evaluated: Vec<&str> = evaluations.iter().map(|e| e.by_party.as_str()).collect();
    let may_evaluate_as: Vec<String> = if MACHINE.allowed(status).contains(&Action::Evaluate) {
        names(
            Evaluator::ALL
                .into_iter()
                .filter(|by| who.may_evaluate_as(*by) && !evaluated.contains(&by.as_str())),
        )
    } else {
        vec![]
    };
    Order {
        id: o.id,
        community_id: o.community_id,
        household_id: o.household_id,
        category: o.category,
        content: o.content,
        wanted_by: o.wanted_by,
        status: status.as_str().to_owned(),
        status_label: status.label_zh().to_owned(),
        status_since: o.status_since,
        due_at: o.due_at,
        overdue: o.due_at.is_some_and(|d| d < now),
        assignee_type: o.assignee_type,
        assignee_id: o.assignee_id,
        assignee_name: o.assignee_name,
        placed_by: o.placed_by,
        allowed_actions: names(MACHINE.allowed(status)),
        my_actions: names(
            who.actions(status)
                .into_iter()
                .filter(|a| *a != Action::Evaluate || !may_evaluate_as.is_empty()),
        ),
        may_evaluate_as,
        evaluations: evaluations
            .into_iter()
            .map(|e| Evaluation {
                by: e.by_party,
                score: e.score,
                comment: e.comment,
                at: e.at,
            })
            .collect(),
        timeline,
        created_at: o.created_at,
        closed_at: o.closed_at,
        photos: serde_json::from_str(&o.photos).unwrap_or_default(),
    }
}

async fn full(
    c: &mut Conn<'_>,
    actor: &Actor,
    o: OrderRow,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Order> {
    let ev = wushe_store::service::orders::evaluations(c, o.id).await?;
    let tl = workflow::timeline(c, o.id).await?;
    let who = standing(
        actor,
        &o,
        &Serving::when(c, actor, serves_apart(actor, &o)).await?,
    );
    Ok(view(o, ev, tl, now, who))
}

/// The step deadlines of a community's category: what it set, or the defaults.
pub async fn deadlines_for(
    c: &mut Conn<'_>,
    community: Uuid,
    category: &str,
) -> AppResult<Deadlines> {
    Ok(
        match wushe_store::kernel::workflow::deadlines(c, community, "order", category).await? {
            Some(j) => serde_json::from_str(&j).unwrap_or_default(),
            None => Deadlines::default(),
        },
    )
}

/// Whether whom the caller serves as can matter for an order: it is assigned, in a community whose teams
/// the caller does not run (a station worker's board asks nothing more).
fn serves_apart(actor: &Actor, o: &OrderRow) -> bool {
    let community_path = crate::kernel::actor::community_prefix(&o.place_path).unwrap_or_default();
    o.assignee_id.is_some() && !actor.can(Permission::ManageVolunteers, &community_path)
}

/// How the caller stands to an order (the domain decides from it what they may do).
fn standing(actor: &Actor, o: &OrderRow, me: &Serving) -> Standing {
    let community_path = crate::kernel::actor::community_prefix(&o.place_path).unwrap_or_default();
    let assigned = me.is(o.assignee_type.as_deref(), o.assignee_id);
    Standing {
        station: actor.can(Permission::DispatchOrders, &community_path),
        placer: o.placed_by.is_some() && o.placed_by == actor.author(),
        server: assigned || actor.can(Permission::ManageVolunteers, &community_path),
    }
}

/// Loads an order the caller may see: the station, the placer, whoever serves it, or a grid steward of
/// the household's grid.
async fn load(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    lock: bool,
) -> AppResult<(OrderRow, Standing)> {
    let o = if lock {
        wushe_store::service::orders::get_for_update(c, id).await?
    } else {
        wushe_store::service::orders::get(c, id).await?
    }
    .ok_or(AppError::NotFound)?;
    let s = standing(
        actor,
        &o,
        &Serving::when(c, actor, serves_apart(actor, &o)).await?,
    );
    if s.station || s.placer || s.server || actor.can(Permission::ReadPeople, &o.place_path) {
        Ok((o, s))
    } else {
        Err(AppError::NotFound)
    }
}

/// What placing an order asks for.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    /// Community.
    pub community_id: Option<Uuid>,
    /// Household served.
    pub household_id: Option<Uuid>,
    /// Category.
    pub category: String,
    /// What is asked for.
    pub content: String,
    /// Wanted by.
    pub wanted_by: Option<NaiveDate>,
    /// Photos uploaded before (`POST /photos`).
    pub photos: Vec<Uuid>,
}

/// Places an order (群众点单): a resident for their own household, or a worker on a resident's behalf.
pub async fn place(app: &App, actor: &Actor, input: OrderInput) -> AppResult<Order> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let category = clean(&input.category);
    let content = clean(&input.content);
    wushe_domain::service::limits::ORDER_CATEGORY.check(&category, &mut errs);
    wushe_domain::service::limits::ORDER_CONTENT.check(&content, &mut errs);
    if input.photos.len() > 9 {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "photos",
            "照片最多9张",
            "at most 9 photos",
        ));
    }
    if input.wanted_by.is_some_and(|d| d < app.today()) {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "wanted_by",
            "期望完成日期不能早于今天",
            "wanted_by cannot be in the past",
        ));
    }
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
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
    let station = actor.can(Permission::DispatchOrders, &community.path);
    let place_path = match input.household_id {
        Some(hid) => {
            let h = wushe_store::people::households::get(&mut c, hid)
                .await?
                .filter(|h| h.community_id == community.id && h.archived_at.is_none())
                .ok_or_else(|| {
                    AppError::field(
                        "household_id",
                        "本社区没有该住户",
                        "no such household in this community",
                    )
                })?;
            // A worker may place for any household of the community; a resident only for one inside
            // their own grant (their building or grid), and an auditor for none.
            let own = actor.can(Permission::SelfService, &h.place_path);
            if !(station || actor.can(Permission::WritePeople, &h.place_path) || own) {
                return Err(AppError::field(
                    "household_id",
                    "只能为自己所在的住户下单",
                    "you can only order for your own household",
                ));
            }
            h.place_path
        }
        None if station || actor.can_in_community(Permission::SelfService, &community.path) => {
            community.path.clone()
        }
        None => return Err(AppError::Forbidden),
    };
    for p in &input.photos {
        if !wushe_store::kernel::photos::exists(&mut c, *p, actor.author()).await? {
            return Err(AppError::field(
                "photos",
                "照片不存在或不是您上传的",
                "unknown photo",
            ));
        }
    }
    let now = app.now();
    let deadlines = deadlines_for(&mut c, community.id, &category).await?;
    let row = OrderRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path,
        household_id: input.household_id,
        category,
        content,
        wanted_by: input.wanted_by,
        status: Status::Placed.as_str().to_owned(),
        status_since: now,
        due_at: deadlines.due(Status::Placed, now),
        assignee_type: None,
        assignee_id: None,
        assignee_name: String::new(),
        placed_by: actor.author(),
        created_at: now,
        updated_at: now,
        closed_at: None,
        photos: serde_json::to_string(&input.photos).expect("ids serialize"),
    };
    wushe_store::service::orders::insert(&mut c, &row).await?;
    let subject = Subject::new(MACHINE.name, row.id, row.community_id);
    workflow::count(&mut c, subject, &row.place_path, None, Status::Placed).await?;
    wushe_store::kernel::photos::attach(&mut c, &input.photos, "order", row.id).await?;
    step(&mut c, actor, &row, None, Status::Placed, "place", "", now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "order.place",
            object_type: "order",
            object_id: Some(row.id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"category": row.category}),
        },
    )
    .await?;
    let out = full(&mut c, actor, row, app.now()).await?;
    tx.commit().await?;
    Ok(out)
}

/// Moves an order if it is still in `from`, keeping the board's counts and clearing its overdue flags;
/// false when another request moved it first.
async fn move_order(
    c: &mut Conn<'_>,
    o: &OrderRow,
    from: Status,
    to: Status,
    at: DateTime<Utc>,
    due_at: Option<DateTime<Utc>>,
    assignee: Option<(Option<&str>, Option<Uuid>, &str)>,
) -> AppResult<bool> {
    let m = Move {
        from: from.as_str(),
        to: to.as_str(),
        at,
        due_at,
        closed_at: (to == Status::Closed).then_some(at),
        assignee,
    };
    if !wushe_store::service::orders::set_status(c, o.id, &m).await? {
        return Ok(false);
    }
    let subject = Subject::new(MACHINE.name, o.id, o.community_id);
    workflow::count(c, subject, &o.place_path, Some(from), to).await?;
    wushe_store::service::alerts::clear(c, MACHINE.name, o.id, at).await?;
    Ok(true)
}

#[allow(clippy::too_many_arguments)]
async fn step(
    c: &mut Conn<'_>,
    actor: &Actor,
    o: &OrderRow,
    from: Option<Status>,
    to: Status,
    action: &str,
    note: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let subject = Subject::new(MACHINE.name, o.id, o.community_id);
    let change = Change::new(from, to, action, note, at);
    workflow::record(c, actor, subject, change).await
}

/// What an action carries.
#[derive(Debug, Clone, Default)]
pub struct ActInput {
    /// Dispatch to this team...
    pub team_id: Option<Uuid>,
    /// ...or this volunteer.
    pub volunteer_id: Option<Uuid>,
    /// Why (a decline needs one).
    pub reason: String,
    /// A note (completion).
    pub note: String,
}

/// Takes one step of the loop: dispatch, accept, decline or complete. A step the order's status does not
/// allow answers `invalid_transition` with the allowed actions; of two racing dispatches one wins.
pub async fn act(
    app: &App,
    actor: &Actor,
    id: Uuid,
    action: Action,
    input: ActInput,
) -> AppResult<Order> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (o, who) = load(&mut c, actor, id, true).await?;
    let from = status_of(&o);
    let to = MACHINE.next(from, action)?;
    let now = app.now();
    let deadlines = deadlines_for(&mut c, o.community_id, &o.category).await?;
    let mut note = clean(&input.note);
    let assignee: Option<(Option<&str>, Option<Uuid>, String)> = match action {
        _ if !who.may(action) => return Err(AppError::Forbidden),
        Action::Dispatch => Some(assignee_of(&mut c, &o, &input).await?),
        Action::Accept | Action::Complete => None,
        Action::Decline => {
            note = clean(&input.reason);
            if note.is_empty() {
                return Err(AppError::field(
                    "reason",
                    "退单需要说明原因",
                    "a decline needs a reason",
                ));
            }
            Some((None, None, String::new()))
        }
        Action::Evaluate | Action::Close => {
            return Err(AppError::Internal(
                "evaluate and close have their own paths".into(),
            ))
        }
    };
    if let Some(e) = wushe_domain::service::limits::ORDER_NOTE.error(&note) {
        return Err(e.into());
    }
    let moved = move_order(
        &mut c,
        &o,
        from,
        to,
        now,
        deadlines.due(to, now),
        assignee.as_ref().map(|(t, i, n)| (*t, *i, n.as_str())),
    )
    .await?;
    if !moved {
        // Another request moved it between our read and our write (PostgreSQL without the lock would
        // reach here; with it, the loser waits and then sees the new status above).
        return Err(MACHINE.refuse(from, action).into());
    }
    let mut note_full = note.clone();
    if let Some((_, _, name)) = &assignee {
        if !name.is_empty() {
            note_full = if note.is_empty() {
                format!("派给：{name}")
            } else {
                format!("派给：{name}；{note}")
            };
        }
    }
    step(
        &mut c,
        actor,
        &o,
        Some(from),
        to,
        action.as_str(),
        &note_full,
        now,
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: match action {
                Action::Dispatch => "order.dispatch",
                Action::Accept => "order.accept",
                Action::Decline => "order.decline",
                _ => "order.complete",
            },
            object_type: "order",
            object_id: Some(o.id),
            place_path: Some(&o.place_path),
            community_id: Some(o.community_id),
            detail: json!({"from": from.as_str(), "to": to.as_str(), "note": note_full}),
        },
    )
    .await?;
    let row = wushe_store::service::orders::get(&mut c, o.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let out = full(&mut c, actor, row, app.now()).await?;
    tx.commit().await?;
    Ok(out)
}

/// The team or volunteer a dispatch names, checked to be of the order's community.
async fn assignee_of(
    c: &mut Conn<'_>,
    o: &OrderRow,
    input: &ActInput,
) -> AppResult<(Option<&'static str>, Option<Uuid>, String)> {
    match (input.team_id, input.volunteer_id) {
        (Some(t), None) => {
            let team = wushe_store::volunteering::volunteers::get_team(c, t)
                .await?
                .filter(|t| t.archived_at.is_none())
                .ok_or_else(|| AppError::field("team_id", "队伍不存在", "no such team"))?;
            if team.community_id != o.community_id {
                return Err(AppError::rule(
                    "other_community",
                    "只能派给本社区的队伍",
                    "the team belongs to another community",
                ));
            }
            Ok((Some("team"), Some(team.id), team.name))
        }
        (None, Some(v)) => {
            let vol = wushe_store::volunteering::volunteers::get(c, v)
                .await?
                .ok_or_else(|| {
                    AppError::field("volunteer_id", "志愿者不存在", "no such volunteer")
                })?;
            if vol.community_id != o.community_id {
                return Err(AppError::rule(
                    "other_community",
                    "只能派给本社区的志愿者",
                    "the volunteer belongs to another community",
                ));
            }
            if vol.status != "active" {
                return Err(AppError::rule(
                    "volunteer_not_active",
                    "该志愿者尚未审核通过或已退出",
                    "the volunteer is not active",
                ));
            }
            Ok((Some("volunteer"), Some(vol.id), vol.name))
        }
        _ => Err(AppError::field(
            "team_id",
            "请选择一支队伍或一名志愿者（二选一）",
            "give team_id or volunteer_id, not both",
        )),
    }
}

/// Records one party's evaluation (联合评单); the third closes the order.
pub async fn evaluate(
    app: &App,
    actor: &Actor,
    id: Uuid,
    by: Option<&str>,
    score: Option<i64>,
    comment: &str,
) -> AppResult<Order> {
    let by = by.and_then(Evaluator::parse).ok_or_else(|| {
        AppError::field(
            "by",
            "评价方应为 resident、station 或 team",
            "by must be resident, station or team",
        )
    })?;
    let score =
        score.ok_or_else(|| AppError::field("score", "评分应为1到5分", "score is required"))?;
    let comment = clean(comment);
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (o, who) = load(&mut c, actor, id, true).await?;
    if !who.may_evaluate_as(by) {
        return Err(AppError::Forbidden);
    }
    let from = status_of(&o);
    MACHINE.next(from, Action::Evaluate)?;
    let before: Vec<Evaluator> = wushe_store::service::orders::evaluations(&mut c, o.id)
        .await?
        .iter()
        .filter_map(|e| Evaluator::parse(&e.by_party))
        .collect();
    order::check_evaluation(by, score, &comment, &before)?;
    let now = app.now();
    wushe_store::service::orders::insert_evaluation(
        &mut c,
        &EvaluationRow {
            id: Uuid::now_v7(),
            community_id: o.community_id,
            order_id: o.id,
            by_party: by.as_str().to_owned(),
            score,
            comment: comment.clone(),
            actor_id: actor.author(),
            at: now,
        },
    )
    .await?;
    let to = order::after_evaluation(by, &before);
    if to == Status::Closed {
        let moved = move_order(&mut c, &o, from, to, now, None, None).await?;
        if !moved {
            return Err(MACHINE.refuse(from, Action::Evaluate).into());
        }
    }
    let note = format!(
        "{}评价{}分{}",
        by.label_zh(),
        score,
        if comment.is_empty() {
            String::new()
        } else {
            format!("：{comment}")
        }
    );
    step(&mut c, actor, &o, Some(from), to, "evaluate", &note, now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "order.evaluate",
            object_type: "order",
            object_id: Some(o.id),
            place_path: Some(&o.place_path),
            community_id: Some(o.community_id),
            detail: json!({"by": by.as_str(), "score": score}),
        },
    )
    .await?;
    let row = wushe_store::service::orders::get(&mut c, o.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let out = full(&mut c, actor, row, app.now()).await?;
    tx.commit().await?;
    Ok(out)
}

/// Closes an order whose evaluation period ran out by `now` (the job, acting as the system). False when
/// it had already moved on (closed by its last evaluation, or by another instance's job).
pub async fn close_lapsed(app: &App, id: Uuid, now: DateTime<Utc>) -> AppResult<bool> {
    let sys = Actor::system();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let Some(o) = wushe_store::service::orders::get_for_update(&mut c, id).await? else {
        return Ok(false);
    };
    if status_of(&o) != Status::Completed || o.due_at.is_none_or(|d| d >= now) {
        return Ok(false);
    }
    let moved = move_order(
        &mut c,
        &o,
        Status::Completed,
        Status::Closed,
        now,
        None,
        None,
    )
    .await?;
    if moved {
        step(
            &mut c,
            &sys,
            &o,
            Some(Status::Completed),
            Status::Closed,
            "close",
            "评价期满，自动办结",
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(moved)
}

/// Reads an order.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Order> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let (o, _) = load(&mut c, actor, id, false).await?;
    full(&mut c, actor, o, app.now()).await
}

/// The orders the caller sees: the station's board for its area (stewards: their grid's households); a
/// resident or volunteer without such a role sees the orders they placed or serve.
fn board_scope(actor: &Actor) -> Scope {
    actor.scope_any(&[Permission::DispatchOrders, Permission::ReadPeople])
}

/// The board's counts per status, and how many of each are overdue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatusCount {
    /// Status.
    pub status: String,
    /// In Chinese.
    pub label: String,
    /// Orders in it.
    pub count: i64,
    /// Of which overdue.
    pub overdue: i64,
}

/// A page of the board with its counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    /// The orders, newest first.
    pub items: Vec<Order>,
    /// Next page.
    pub next_cursor: Option<String>,
    /// Counts per status over the whole filter (not only this page).
    pub counts: Vec<StatusCount>,
    /// The caller runs a station somewhere in their area: the board is theirs to dispatch from and
    /// its step deadlines theirs to set.
    pub dispatcher: bool,
}

/// Whose own orders to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mine {
    /// The orders the caller placed (a resident's list).
    Placed,
    /// The orders given to the caller as a volunteer.
    Serving,
}

/// What a caller may ask of the dispatch board; who placed or serves an order is the use case's to
/// fill in from `mine`, never a field a caller sets.
#[derive(Debug, Clone, Default)]
pub struct BoardSearch {
    /// Only in this status.
    pub status: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only orders whose current step is overdue now.
    pub overdue: bool,
    /// Only in this community (or another place inside the caller's area).
    pub place_id: Option<Uuid>,
    /// The caller's own orders; the default for callers without a station or steward role.
    pub mine: Option<Mine>,
}

/// Lists orders for the dispatch board (filters: status, category, overdue, community), or the caller's
/// own (`mine`; the default for callers without a station or steward role).
pub async fn board(
    app: &App,
    actor: &Actor,
    search: &BoardSearch,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Board> {
    let mut f = OrderFilter {
        status: search.status.clone(),
        category: search.category.clone(),
        overdue_at: search.overdue.then(|| app.now()),
        ..Default::default()
    };
    let (community_id, mine) = (search.place_id, search.mine);
    let limit = page::limit(limit)?;
    let before: Option<(DateTime<Utc>, Uuid)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let mut scope = board_scope(actor);
    let mine = mine.or((scope == Scope::Paths(vec![])).then_some(Mine::Placed));
    if let Some(m) = mine {
        // Their own orders, wherever they are: the filter below is what restricts the list.
        let me = actor.author().ok_or(AppError::Forbidden)?;
        scope = Scope::All;
        match m {
            Mine::Placed => f.placed_by = Some(me),
            Mine::Serving => {
                match wushe_store::volunteering::volunteers::by_user(&mut c, me).await? {
                    Some(v) => f.assignee_id = Some(v.id),
                    None => f.assignee_id = Some(Uuid::nil()),
                }
            }
        }
    }
    if let Some(cid) = community_id {
        let p = crate::map::places::load_visible(&mut c, actor, cid).await?;
        scope = scope.narrow(&p.path);
    }
    if let Some(s) = &f.status {
        if Status::parse(s).is_none() {
            return Err(AppError::field(
                "status",
                "状态应为 placed、dispatched、accepted、completed 或 closed",
                "unknown status",
            ));
        }
    }
    let now = app.now();
    // The plain board (any status) counts from the kept table and the open overdue flags; a board
    // filtered by category, placer or assignee counts its own rows.
    let plain = f.category.is_none()
        && f.placed_by.is_none()
        && f.assignee_id.is_none()
        && f.overdue_at.is_none();
    let counts: Vec<(String, i64, i64)> = if plain {
        let kept = wushe_store::kernel::workflow::kept_counts(&mut c, MACHINE.name, &scope).await?;
        let late = wushe_store::service::orders::flagged_counts(&mut c, &scope).await?;
        kept.into_iter()
            .map(|(st, n)| {
                let l = late.iter().find(|(s, _)| *s == st).map_or(0, |(_, l)| *l);
                (st, n, l)
            })
            .collect()
    } else {
        wushe_store::service::orders::counts(&mut c, &scope, &f, now).await?
    };
    let plan = if plain && scope != Scope::All {
        // Reading newest-first costs about (page × all orders ÷ the scope's orders) rows; sorting the
        // scope costs its row count. Take the cheaper.
        let of = |v: &[(String, i64, i64)]| -> i64 {
            v.iter()
                .filter(|(st, _, _)| f.status.as_deref().is_none_or(|x| x == st))
                .map(|(_, n, _)| n)
                .sum()
        };
        let here = of(&counts).max(1);
        let all: Vec<(String, i64, i64)> =
            wushe_store::kernel::workflow::kept_counts(&mut c, MACHINE.name, &Scope::All)
                .await?
                .into_iter()
                .map(|(st, n)| (st, n, 0))
                .collect();
        if (limit + 1) * of(&all) / here < here {
            wushe_store::service::orders::Plan::ByTime
        } else {
            wushe_store::service::orders::Plan::ByPlace
        }
    } else {
        wushe_store::service::orders::Plan::ByPlace
    };
    let rows =
        wushe_store::service::orders::list(&mut c, &scope, &f, before, limit + 1, plan).await?;
    let out = page::cut(rows, limit, |o| (o.created_at, o.id), |o| o);
    let mut items = Vec::with_capacity(out.items.len());
    let needed = out.items.iter().any(|o| serves_apart(actor, o));
    let me = Serving::when(&mut c, actor, needed).await?;
    for o in out.items {
        // The board shows no timeline or evaluations; one order's page does.
        let who = standing(actor, &o, &me);
        items.push(view(o, vec![], vec![], app.now(), who));
    }
    let counts = Status::ALL
        .iter()
        .map(|s| {
            let (n, late) = counts
                .iter()
                .find(|(st, _, _)| st == s.as_str())
                .map_or((0, 0), |(_, n, l)| (*n, *l));
            StatusCount {
                status: s.as_str().to_owned(),
                label: s.label_zh().to_owned(),
                count: n,
                overdue: if *s == Status::Closed { 0 } else { late },
            }
        })
        .collect();
    Ok(Board {
        items,
        next_cursor: out.next_cursor,
        counts,
        dispatcher: actor.has_anywhere(Permission::DispatchOrders),
    })
}

/// Sets a category's step deadlines for a community.
pub async fn set_deadlines(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
    category: &str,
    d: Deadlines,
) -> AppResult<Deadlines> {
    save_deadlines(
        app,
        actor,
        community_id,
        "order",
        "服务类别",
        category,
        &d,
        d.validate(),
    )
    .await?;
    Ok(d)
}

/// Stores a category's deadlines for a workflow (`order` or `event`): the category named (refused first),
/// then the numbers' own check (`numbers`), the community run by the caller's station, the change audited.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn save_deadlines<D: Serialize>(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
    workflow: &str,
    category_zh: &str,
    category: &str,
    d: &D,
    numbers: Result<(), wushe_domain::kernel::error::ValidationErrors>,
) -> AppResult<()> {
    let category = clean(category);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let most = wushe_domain::service::limits::DEADLINE_CATEGORY_MAX;
    wushe_domain::kernel::text::check_len("category", category_zh, &category, 1, most, &mut errs);
    errs.into_result(())?;
    numbers?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let community = crate::map::places::load_visible(&mut c, actor, community_id).await?;
    if community.kind != "community" {
        return Err(AppError::field(
            "community_id",
            "请选择社区",
            "not a community",
        ));
    }
    if !actor.can(Permission::DispatchOrders, &community.path) {
        return Err(AppError::Forbidden);
    }
    let json = serde_json::to_string(d).expect("deadlines serialize");
    wushe_store::kernel::workflow::set_deadlines(
        &mut c,
        community.id,
        workflow,
        &category,
        &json,
        actor.author(),
        app.now(),
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: &format!("{workflow}.deadlines"),
            object_type: "community",
            object_id: Some(community.id),
            place_path: Some(&community.path),
            community_id: Some(community.id),
            detail: json!({"category": category, "deadlines": d}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The step deadlines a community set, per category, for orders and for events (defaults apply to the
/// rest): ((category, order deadlines), (category, event deadlines)).
#[allow(clippy::type_complexity)]
pub async fn deadlines_of(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
) -> AppResult<(
    Vec<(String, Deadlines)>,
    Vec<(String, wushe_domain::service::event::Deadlines)>,
)> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let community = crate::map::places::load_visible(&mut c, actor, community_id).await?;
    if community.kind != "community" {
        return Err(AppError::field(
            "community_id",
            "请选择社区",
            "not a community",
        ));
    }
    let orders = wushe_store::kernel::workflow::all_deadlines(&mut c, community.id, "order")
        .await?
        .into_iter()
        .filter_map(|(cat, j)| serde_json::from_str(&j).ok().map(|d| (cat, d)))
        .collect();
    let events = wushe_store::kernel::workflow::all_deadlines(&mut c, community.id, "event")
        .await?
        .into_iter()
        .filter_map(|(cat, j)| serde_json::from_str(&j).ok().map(|d| (cat, d)))
        .collect();
    Ok((orders, events))
}
