//! Volunteer activities through their whole process: plan, publish, sign up or assign, check in and out
//! (by the organiser, or by the volunteer with the code shown on the organiser's phone), record hours,
//! complete with a summary; every status change in the timeline.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::workflow::Named;
use wushe_domain::volunteering::activity::{self, Slot, Status, Step};
use wushe_domain::volunteering::hours::NewRecord;
use wushe_store::volunteering::activities::{ActivityFilter, ActivityRow, SignupRow};
use wushe_store::volunteering::volunteers::VolunteerRow;
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::kernel::page::{self, Page};
use crate::kernel::workflow::{self, Change, Step as TimelineStep, Subject};
use crate::volunteering::hours::{RecordInput, ServiceRecord};
use crate::{Actor, App, AppError, AppResult};

/// A sub-group's part of an activity.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Task {
    /// The sub-group (a team) that takes it.
    #[serde(default)]
    pub team_id: Option<Uuid>,
    /// What they do.
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub title: String,
    /// The sub-group's name when the activity was planned (filled in by the planning, not the caller).
    #[serde(default)]
    pub team_name: Option<String>,
}

/// A volunteer's place in an activity.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Signup {
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Name.
    pub volunteer_name: String,
    /// Number.
    pub volunteer_no: String,
    /// Signed up or assigned at.
    pub signed_up_at: DateTime<Utc>,
    /// Assigned by (none: signed up themselves).
    pub assigned_by: Option<Uuid>,
    /// Checked in at.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Came late.
    pub late: bool,
    /// Checked out at.
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Minutes recorded.
    pub minutes: Option<i64>,
    /// The service record.
    pub record_id: Option<Uuid>,
    /// Never came.
    pub no_show: bool,
}

impl From<SignupRow> for Signup {
    fn from(s: SignupRow) -> Self {
        Signup {
            volunteer_id: s.volunteer_id,
            volunteer_name: s.volunteer_name,
            volunteer_no: s.volunteer_no,
            signed_up_at: s.signed_up_at,
            assigned_by: s.assigned_by,
            checked_in_at: s.checked_in_at,
            late: s.late,
            checked_out_at: s.checked_out_at,
            minutes: s.minutes,
            record_id: s.record_id,
            no_show: s.no_show,
        }
    }
}

/// An activity as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Activity {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Organising team.
    pub team_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// What will be done.
    pub content: String,
    /// Where.
    pub place_text: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Places.
    pub capacity: i64,
    /// Places taken.
    pub signed_up: i64,
    /// Skills needed.
    pub skills: Vec<String>,
    /// Sub-group tasks.
    pub tasks: Vec<Task>,
    /// `draft` / `published` / `completed` / `cancelled`.
    pub status: String,
    /// Chinese label of the status.
    pub status_label: String,
    /// The check-in code (only for those who run the activity).
    pub checkin_code: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Feedback.
    pub feedback: Option<String>,
    /// Photo references.
    pub photos: Vec<String>,
    /// Status changes, oldest first.
    pub timeline: Vec<TimelineStep>,
    /// The steps the caller may take now (`publish`, `complete`, `cancel`): those the activity allows,
    /// for whoever keeps the community's volunteers.
    pub my_actions: Vec<String>,
    /// Who signed up (only for those who run the activity, and only when reading one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signups: Option<Vec<Signup>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// The API view of an activity without its sign-ups.
pub fn view_of(a: ActivityRow, manager: bool, timeline: Vec<TimelineStep>) -> Activity {
    view(a, manager, timeline, None)
}

fn view(
    a: ActivityRow,
    manager: bool,
    timeline: Vec<TimelineStep>,
    signups: Option<Vec<SignupRow>>,
) -> Activity {
    let my_actions = match (manager, Status::parse(&a.status)) {
        (true, Some(st)) => wushe_domain::kernel::workflow::names(activity::MACHINE.allowed(st)),
        _ => vec![],
    };
    Activity {
        id: a.id,
        community_id: a.community_id,
        team_id: a.team_id,
        title: a.title,
        content: a.content,
        place_text: a.place_text,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        capacity: a.capacity,
        signed_up: a.signed_up,
        skills: crate::people::households::tags_of(&a.skills),
        tasks: serde_json::from_str(&a.tasks).unwrap_or_default(),
        status_label: Status::parse(&a.status)
            .map_or("", |s| s.label_zh())
            .to_owned(),
        status: a.status,
        checkin_code: manager.then_some(a.checkin_code),
        summary: a.summary,
        feedback: a.feedback,
        photos: crate::people::households::tags_of(&a.photos),
        timeline,
        my_actions,
        signups: signups.map(|s| s.into_iter().map(Into::into).collect()),
        created_at: a.created_at,
    }
}

/// What a plan holds.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    /// Title.
    pub title: String,
    /// Community.
    pub community_id: Option<Uuid>,
    /// Organising team.
    pub team_id: Option<Uuid>,
    /// Start.
    pub starts_at: Option<DateTime<Utc>>,
    /// End.
    pub ends_at: Option<DateTime<Utc>>,
    /// Where.
    pub place_text: String,
    /// Places.
    pub capacity: Option<i64>,
    /// What will be done.
    pub content: String,
    /// Skills needed.
    pub skills: Vec<String>,
    /// Sub-group tasks.
    pub tasks: Vec<Task>,
}

/// Loads an activity the caller may see (anyone with a grant in its community: volunteers must find
/// activities to sign up for), and whether they run it.
async fn load(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    lock: bool,
) -> AppResult<(ActivityRow, bool)> {
    let a = if lock {
        wushe_store::volunteering::activities::get_for_update(c, id).await?
    } else {
        wushe_store::volunteering::activities::get(c, id).await?
    }
    .ok_or(AppError::NotFound)?;
    let manager = actor.can(Permission::ManageVolunteers, &a.place_path);
    // A member: any grant inside or above the activity's community (a resident, a volunteer).
    let member = crate::map::places::visible(actor, &a.place_path);
    let published = a.status != Status::Draft.as_str();
    if manager
        || actor.can_in_community(Permission::ReadVolunteers, &a.place_path)
        || (member && published)
    {
        Ok((a, manager))
    } else {
        Err(AppError::NotFound)
    }
}

async fn full(c: &mut Conn<'_>, a: ActivityRow, manager: bool) -> AppResult<Activity> {
    let timeline = workflow::timeline(c, a.id).await?;
    let signups = if manager {
        Some(wushe_store::volunteering::activities::signups(c, a.id).await?)
    } else {
        None
    };
    Ok(view(a, manager, timeline, signups))
}

/// Plans an activity (`draft`).
pub async fn create(app: &App, actor: &Actor, input: ActivityInput) -> AppResult<Activity> {
    use wushe_domain::kernel::text::clean;
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let title = clean(&input.title);
    let content = clean(&input.content);
    let place_text = clean(&input.place_text);
    wushe_domain::volunteering::limits::ACTIVITY_TITLE.check(&title, &mut errs);
    wushe_domain::volunteering::limits::ACTIVITY_CONTENT.check(&content, &mut errs);
    wushe_domain::volunteering::limits::ACTIVITY_PLACE.check(&place_text, &mut errs);
    let need = |v: bool,
                field: &str,
                zh: &str,
                errs: &mut wushe_domain::kernel::error::ValidationErrors| {
        if !v {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                field,
                format!("{zh}不能为空"),
                format!("{field} is required"),
            ));
        }
    };
    need(
        input.starts_at.is_some(),
        "starts_at",
        "开始时间",
        &mut errs,
    );
    need(input.ends_at.is_some(), "ends_at", "结束时间", &mut errs);
    need(input.capacity.is_some(), "capacity", "招募人数", &mut errs);
    let skills =
        wushe_domain::volunteering::volunteer::clean_list("skills", "所需技能", &input.skills)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
    if input.tasks.len() > 20
        || input
            .tasks
            .iter()
            .any(|t| clean(&t.title).is_empty() || t.title.chars().count() > 100)
    {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "tasks",
            "分工最多20项，每项1到100字",
            "at most 20 tasks of 1 to 100 characters",
        ));
    }
    errs.into_result(())?;
    let (starts_at, ends_at, capacity) = (
        input.starts_at.unwrap_or_default(),
        input.ends_at.unwrap_or_default(),
        input.capacity.unwrap_or_default(),
    );
    activity::check_plan(starts_at, ends_at, capacity)?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let community = crate::volunteering::volunteers::community(
        &mut c,
        actor,
        input.community_id,
        Permission::ManageVolunteers,
    )
    .await?;
    let mut team_ids: Vec<Uuid> = input.tasks.iter().filter_map(|t| t.team_id).collect();
    team_ids.extend(input.team_id);
    let mut names = HashMap::new();
    for tid in team_ids {
        match wushe_store::volunteering::volunteers::get_team(&mut c, tid).await? {
            Some(t) if t.community_id == community.id => {
                names.insert(tid, t.name);
            }
            _ => {
                return Err(AppError::field(
                    "team_id",
                    "这个社区没有该队伍",
                    "no such team in this community",
                ))
            }
        }
    }
    let now = app.now();
    let tasks: Vec<Task> = input
        .tasks
        .iter()
        .map(|t| Task {
            team_id: t.team_id,
            title: clean(&t.title),
            team_name: t.team_id.and_then(|id| names.get(&id).cloned()),
        })
        .collect();
    let row = ActivityRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path: community.path.clone(),
        team_id: input.team_id,
        title,
        content,
        place_text,
        starts_at,
        ends_at,
        capacity,
        skills: serde_json::to_string(&skills).expect("list serializes"),
        tasks: serde_json::to_string(&tasks).expect("tasks serialize"),
        status: Status::Draft.as_str().to_owned(),
        checkin_code: format!("{:06}", rand::thread_rng().gen_range(0..1_000_000)),
        summary: None,
        feedback: None,
        photos: "[]".into(),
        created_at: now,
        created_by: actor.author(),
        updated_at: now,
        signed_up: 0,
    };
    wushe_store::volunteering::activities::insert(&mut c, &row).await?;
    let change = Change::new(None, Status::Draft, activity::CREATE, "", app.now());
    step(&mut c, actor, &row, change).await?;
    let out = full(&mut c, row, true).await?;
    tx.commit().await?;
    Ok(out)
}

async fn step(
    c: &mut Conn<'_>,
    actor: &Actor,
    a: &ActivityRow,
    change: Change<'_, Status>,
) -> AppResult<()> {
    let subject = Subject::new(activity::MACHINE.name, a.id, a.community_id);
    workflow::record(c, actor, subject, change).await?;
    let Change { from, to, note, .. } = change;
    audit::record(
        c,
        actor,
        Entry {
            action: "activity.status",
            object_type: "activity",
            object_id: Some(a.id),
            place_path: Some(&a.place_path),
            community_id: Some(a.community_id),
            detail: json!({"from": from.map(|s| s.as_str()), "to": to.as_str(), "note": note}),
        },
    )
    .await
}

/// What completing an activity records.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    /// Summary (总结).
    pub summary: String,
    /// Feedback (反馈).
    pub feedback: String,
    /// Photo references.
    pub photos: Vec<String>,
}

/// Moves an activity a step: publish, complete (with summary; no-shows are marked), or cancel (with reason).
pub async fn advance(
    app: &App,
    actor: &Actor,
    id: Uuid,
    s: Step,
    note: &str,
    done: Option<Completion>,
) -> AppResult<Activity> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (a, manager) = load(&mut c, actor, id, true).await?;
    if !manager {
        return Err(AppError::Forbidden);
    }
    let from = Status::parse(&a.status).ok_or_else(|| AppError::Internal("bad status".into()))?;
    let to = from.after(s)?;
    let note = wushe_domain::kernel::text::clean(note);
    let (mut summary, mut feedback, mut photos) = (None, None, None);
    match s {
        Step::Complete => {
            let d = done.unwrap_or_default();
            let sm = wushe_domain::kernel::text::clean(&d.summary);
            let fb = wushe_domain::kernel::text::clean(&d.feedback);
            let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
            wushe_domain::volunteering::limits::ACTIVITY_SUMMARY.check(&sm, &mut errs);
            wushe_domain::volunteering::limits::ACTIVITY_FEEDBACK.check(&fb, &mut errs);
            if d.photos.len() > 30 || d.photos.iter().any(|p| p.is_empty() || p.len() > 500) {
                errs.push(wushe_domain::kernel::error::FieldError::new(
                    "photos",
                    "照片最多30张",
                    "at most 30 photos",
                ));
            }
            errs.into_result(())?;
            if app.now() < a.starts_at {
                return Err(AppError::conflict(
                    "invalid_transition",
                    "活动还没开始，不能完成",
                    "the activity has not started yet",
                ));
            }
            summary = Some(sm);
            feedback = Some(fb);
            photos = Some(serde_json::to_string(&d.photos).expect("photos serialize"));
            wushe_store::volunteering::activities::mark_no_shows(&mut c, a.id).await?;
        }
        Step::Cancel if note.is_empty() => {
            return Err(AppError::field(
                "reason",
                "请填写取消原因",
                "give a reason for cancelling",
            ));
        }
        _ => {}
    }
    wushe_store::volunteering::activities::set_status(
        &mut c,
        a.id,
        to.as_str(),
        summary.as_deref(),
        feedback.as_deref(),
        photos.as_deref(),
        app.now(),
    )
    .await?;
    let change = Change::new(Some(from), to, s.as_str(), &note, app.now());
    step(&mut c, actor, &a, change).await?;
    let out = reread(&mut c, id, true).await?;
    tx.commit().await?;
    Ok(out)
}

/// The volunteer an action is for: someone who runs the activity may name anyone of its community; a
/// volunteer may only act for themselves.
async fn volunteer_for(
    c: &mut Conn<'_>,
    actor: &Actor,
    a: &ActivityRow,
    manager: bool,
    id: Option<Uuid>,
) -> AppResult<VolunteerRow> {
    let v = match (id, manager) {
        (Some(id), true) => {
            crate::volunteering::volunteers::load_for_field(c, actor, Some(id), "volunteer_id")
                .await?
        }
        (id, _) => {
            let own = match actor.author() {
                Some(u) => wushe_store::volunteering::volunteers::by_user(c, u).await?,
                None => None,
            };
            match own {
                Some(v) if id.is_none_or(|i| i == v.id) => v,
                _ if id.is_none() => {
                    return Err(AppError::field(
                        "volunteer_id",
                        "请选择志愿者",
                        "volunteer_id is required",
                    ))
                }
                _ => return Err(AppError::Forbidden),
            }
        }
    };
    if v.community_id != a.community_id {
        return Err(AppError::rule(
            "other_community",
            "该志愿者不属于活动所在社区",
            "the volunteer belongs to another community",
        ));
    }
    if v.status != "active" {
        return Err(AppError::rule(
            "volunteer_not_active",
            "该志愿者尚未审核通过或已退出",
            "the volunteer is not active",
        ));
    }
    Ok(v)
}

/// Signs a volunteer up (themselves) or assigns them (by an organiser); capacity and time clashes are refused.
pub async fn sign_up(
    app: &App,
    actor: &Actor,
    id: Uuid,
    volunteer_id: Option<Uuid>,
) -> AppResult<Activity> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (a, manager) = load(&mut c, actor, id, true).await?;
    let v = volunteer_for(&mut c, actor, &a, manager, volunteer_id).await?;
    if wushe_store::volunteering::activities::signup_of(&mut c, a.id, v.id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "already_signed_up",
            format!("{}已经报名了", v.name),
            "already signed up",
        ));
    }
    let clash =
        wushe_store::volunteering::activities::clash(&mut c, v.id, a.id, a.starts_at, a.ends_at)
            .await?;
    let status = Status::parse(&a.status).ok_or_else(|| AppError::Internal("bad status".into()))?;
    let slot = Slot {
        status,
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        capacity: a.capacity,
        taken: a.signed_up,
    };
    activity::check_signup(slot, app.now(), clash.as_deref())?;
    let assigned_by = if v.user_id.is_some() && v.user_id == actor.author() {
        None
    } else {
        actor.author()
    };
    wushe_store::volunteering::activities::insert_signup(
        &mut c,
        &SignupRow {
            id: Uuid::now_v7(),
            community_id: a.community_id,
            activity_id: a.id,
            volunteer_id: v.id,
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            signed_up_at: app.now(),
            assigned_by,
            checked_in_at: None,
            late: false,
            checked_out_at: None,
            minutes: None,
            record_id: None,
            no_show: false,
            volunteer_name: v.name.clone(),
            volunteer_no: v.volunteer_no.clone(),
        },
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "activity.signup",
            object_type: "activity",
            object_id: Some(a.id),
            place_path: Some(&a.place_path),
            community_id: Some(a.community_id),
            detail: json!({"volunteer_id": v.id, "assigned": assigned_by.is_some()}),
        },
    )
    .await?;
    let out = reread(&mut c, id, manager).await?;
    tx.commit().await?;
    Ok(out)
}

/// The time of a check-in or check-out: now, or for an organiser typing in a paper sign-in sheet, the
/// time written on it (not in the future).
fn when(
    manager: bool,
    at: Option<DateTime<Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<DateTime<Utc>> {
    match at {
        None => Ok(now),
        Some(_) if !manager => Err(AppError::field(
            "at",
            "只有组织者可以补录签到时间",
            "only organisers may give a time",
        )),
        Some(t) if t > now + chrono::Duration::minutes(1) => Err(AppError::field(
            "at",
            "时间不能晚于现在",
            "the time cannot be in the future",
        )),
        Some(t) => Ok(t),
    }
}

fn code_ok(a: &ActivityRow, manager: bool, code: Option<&str>) -> AppResult<()> {
    if manager {
        return Ok(());
    }
    match code.map(str::trim) {
        Some(c) if c == a.checkin_code => Ok(()),
        _ => Err(AppError::field(
            "code",
            "签到码不正确，请看组织者手机上的签到码",
            "wrong check-in code; see the organiser's phone",
        )),
    }
}

/// What a check-in or check-out acts on, read and checked under the activity's lock.
struct Attendance {
    a: ActivityRow,
    manager: bool,
    v: VolunteerRow,
    signup: SignupRow,
    status: Status,
    at: DateTime<Utc>,
}

/// Who is checked in or out, and how: the organiser names the volunteer (and may give the time), a
/// volunteer checks themselves in with the activity's code.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attend<'a> {
    /// The volunteer (none: the caller's own record).
    pub volunteer_id: Option<Uuid>,
    /// The activity's check-in code (a volunteer's own check-in).
    pub code: Option<&'a str>,
    /// When (the organiser may record an earlier time; none: now).
    pub at: Option<DateTime<Utc>>,
}

/// The common first half of check-in and check-out: the activity, whose attendance it is, the code, the
/// sign-up (`not_signed_up` is the Chinese refusal without one) and the time.
async fn attendance(
    app: &App,
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    who: Attend<'_>,
    not_signed_up: &str,
) -> AppResult<Attendance> {
    let Attend {
        volunteer_id,
        code,
        at,
    } = who;
    let now = app.now();
    let (a, manager) = load(c, actor, id, true).await?;
    let v = volunteer_for(c, actor, &a, manager, volunteer_id).await?;
    code_ok(&a, manager, code)?;
    let signup = wushe_store::volunteering::activities::signup_of(c, a.id, v.id)
        .await?
        .ok_or_else(|| AppError::conflict("invalid_transition", not_signed_up, "not signed up"))?;
    let status = Status::parse(&a.status).ok_or_else(|| AppError::Internal("bad status".into()))?;
    let at = when(manager, at, now)?;
    Ok(Attendance {
        a,
        manager,
        v,
        signup,
        status,
        at,
    })
}

/// The activity as it stands after an attendance change, for the caller's view.
async fn reread(c: &mut Conn<'_>, id: Uuid, manager: bool) -> AppResult<Activity> {
    let a = wushe_store::volunteering::activities::get(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    full(c, a, manager).await
}

/// Checks a volunteer in (late arrivals are recorded).
pub async fn check_in(app: &App, actor: &Actor, id: Uuid, who: Attend<'_>) -> AppResult<Activity> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let Attendance {
        a,
        manager,
        signup: s,
        status,
        at: now,
        ..
    } = attendance(app, &mut c, actor, id, who, "尚未报名，不能签到").await?;
    let late = activity::check_in(
        status,
        a.starts_at,
        a.ends_at,
        s.checked_in_at.is_some(),
        now,
    )?;
    wushe_store::volunteering::activities::check_in(&mut c, s.id, now, late).await?;
    let out = reread(&mut c, id, manager).await?;
    tx.commit().await?;
    Ok(out)
}

/// Checks a volunteer out: the minutes between check-in and check-out inside the activity's time become a
/// service record and earn points at once.
pub async fn check_out(app: &App, actor: &Actor, id: Uuid, who: Attend<'_>) -> AppResult<Activity> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let Attendance {
        a,
        manager,
        v,
        signup: s,
        status,
        at: now,
    } = attendance(app, &mut c, actor, id, who, "尚未报名，不能签退").await?;
    let minutes = activity::check_out(
        status,
        a.starts_at,
        a.ends_at,
        s.checked_in_at,
        s.checked_out_at.is_some(),
        now,
    )?;
    let record = if minutes > 0 {
        let served_on = wushe_domain::kernel::time::local_date(
            s.checked_in_at.unwrap_or(a.starts_at).max(a.starts_at),
        );
        let input = RecordInput {
            minutes: Some(minutes),
            served_on: Some(served_on),
            content: a.title.clone(),
            place_text: a.place_text.clone(),
            organiser: organiser_of(&mut c, &a).await?,
        };
        Some(
            Box::pin(crate::volunteering::hours::write(
                &mut c,
                actor,
                &v,
                Some(a.id),
                &input,
                app.today(),
                app.now(),
            ))
            .await?
            .id,
        )
    } else {
        None
    };
    wushe_store::volunteering::activities::check_out(&mut c, s.id, now, minutes, record).await?;
    let out = reread(&mut c, id, manager).await?;
    tx.commit().await?;
    Ok(out)
}

/// The organiser a record names: the activity's team, or nobody.
async fn organiser_of(c: &mut Conn<'_>, a: &ActivityRow) -> AppResult<String> {
    Ok(match a.team_id {
        Some(t) => wushe_store::volunteering::volunteers::get_team(c, t)
            .await?
            .map(|t| t.name)
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// One line of an hours sheet.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct HoursLine {
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Minutes served.
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i64,
}

/// Records hours for many volunteers at once (a paper sign-in sheet typed in after the activity): one
/// service record each, all or nothing. A volunteer who already has hours from this activity is refused;
/// correct those by reversing.
pub async fn record_hours(
    app: &App,
    actor: &Actor,
    id: Uuid,
    lines: &[HoursLine],
) -> AppResult<Vec<ServiceRecord>> {
    if lines.is_empty() || lines.len() > 1000 {
        return Err(AppError::field(
            "lines",
            "请填写1到1000名志愿者的时长",
            "give hours for 1 to 1000 volunteers",
        ));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (a, manager) = load(&mut c, actor, id, true).await?;
    if !manager {
        return Err(AppError::Forbidden);
    }
    if !matches!(
        Status::parse(&a.status),
        Some(Status::Published | Status::Completed)
    ) {
        return Err(AppError::conflict(
            "invalid_transition",
            "只有已发布或已完成的活动才能记录时长",
            "hours can only be recorded for a published or completed activity",
        ));
    }
    if app.now() < a.starts_at {
        return Err(AppError::conflict(
            "invalid_transition",
            "活动还没开始，不能记录时长",
            "the activity has not started yet",
        ));
    }
    let served_on = wushe_domain::kernel::time::local_date(a.starts_at);
    let span = (a.ends_at - a.starts_at).num_minutes();
    let mut seen = std::collections::HashSet::new();
    for (i, l) in lines.iter().enumerate() {
        let field = format!("lines[{i}]");
        if !seen.insert(l.volunteer_id) {
            return Err(AppError::field(
                &field,
                "同一名志愿者出现了两次",
                "the same volunteer appears twice",
            ));
        }
        if l.minutes <= 0 || l.minutes > span {
            return Err(AppError::field(
                &field,
                &format!("时长应在1到{span}分钟之间（活动时长）"),
                &format!("minutes must be between 1 and {span} (the activity's length)"),
            ));
        }
    }
    // Everything is read once for the whole sheet: 200 volunteers must not mean 2,000 round trips.
    let ids: Vec<Uuid> = lines.iter().map(|l| l.volunteer_id).collect();
    let vols: HashMap<Uuid, VolunteerRow> =
        wushe_store::volunteering::volunteers::get_many(&mut c, &ids)
            .await?
            .into_iter()
            .map(|v| (v.id, v))
            .collect();
    let signups: HashMap<Uuid, SignupRow> =
        wushe_store::volunteering::activities::signups(&mut c, a.id)
            .await?
            .into_iter()
            .map(|s| (s.volunteer_id, s))
            .collect();
    let organiser = organiser_of(&mut c, &a).await?;
    let mut items = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let v = vols
            .get(&l.volunteer_id)
            .filter(|v| v.community_id == a.community_id && v.status == "active")
            .ok_or_else(|| {
                AppError::field(
                    &format!("lines[{i}]"),
                    "志愿者不存在、不属于本社区或未在册",
                    "unknown, other-community or inactive volunteer",
                )
            })?;
        if signups.get(&v.id).is_some_and(|s| s.record_id.is_some()) {
            return Err(AppError::conflict(
                "already_recorded",
                format!("{}在本次活动的时长已记录，如需更正请冲正", v.name),
                format!(
                    "{} already has hours from this activity; reverse them to correct",
                    v.volunteer_no
                ),
            ));
        }
        items.push(crate::volunteering::hours::Item {
            volunteer: v,
            field: format!("lines[{i}]."),
            record: NewRecord {
                minutes: l.minutes,
                served_on,
                content: a.title.clone(),
                place_text: a.place_text.clone(),
                organiser: organiser.clone(),
            },
        });
    }
    let out = crate::volunteering::hours::write_many(
        &mut c,
        actor,
        Some(a.id),
        items,
        app.today(),
        app.now(),
    )
    .await?;
    let now = app.now();
    let mut fresh = Vec::new();
    let mut typed = Vec::new();
    for (l, rec) in lines.iter().zip(&out) {
        match signups.get(&l.volunteer_id) {
            Some(s) => typed.push((s.id, l.minutes, rec.id)),
            // Someone on the paper sheet who never signed up online: add them so the list is complete.
            None => fresh.push(SignupRow {
                id: Uuid::now_v7(),
                community_id: a.community_id,
                activity_id: a.id,
                volunteer_id: l.volunteer_id,
                starts_at: a.starts_at,
                ends_at: a.ends_at,
                signed_up_at: now,
                assigned_by: actor.author(),
                checked_in_at: None,
                late: false,
                checked_out_at: None,
                minutes: Some(l.minutes),
                record_id: Some(rec.id),
                no_show: false,
                volunteer_name: String::new(),
                volunteer_no: String::new(),
            }),
        }
    }
    wushe_store::volunteering::activities::insert_signups(&mut c, &fresh).await?;
    wushe_store::volunteering::activities::set_hours_many(&mut c, &typed).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "activity.hours",
            object_type: "activity",
            object_id: Some(a.id),
            place_path: Some(&a.place_path),
            community_id: Some(a.community_id),
            detail: json!({"volunteers": lines.len(), "minutes": lines.iter().map(|l| l.minutes).sum::<i64>()}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Reads an activity.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Activity> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let (a, manager) = load(&mut c, actor, id, false).await?;
    full(&mut c, a, manager).await
}

/// What a caller may ask of the activity list (which communities' activities they see is the use
/// case's to decide).
#[derive(Debug, Clone, Default)]
pub struct ActivitySearch {
    /// Only in this status.
    pub status: Option<String>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
    /// Only this team's (and its sub-groups').
    pub team_id: Option<Uuid>,
}

/// Lists activities in the caller's area (a volunteer sees the published ones of their community).
pub async fn list(
    app: &App,
    actor: &Actor,
    search: &ActivitySearch,
    community_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Activity>> {
    let mut f = ActivityFilter {
        status: search.status.clone(),
        from: search.from,
        to: search.to,
        team_id: search.team_id,
    };
    let limit = page::limit(limit)?;
    let after: Option<(DateTime<Utc>, Uuid)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let staff = actor.community_scope(Permission::ReadVolunteers);
    let mut scope = if staff == wushe_store::Scope::Paths(vec![]) {
        // Volunteers and residents: the activities of the communities they belong to, once published.
        if f.status.as_deref() == Some("draft") {
            return Ok(Page {
                items: vec![],
                next_cursor: None,
            });
        }
        if f.status.is_none() {
            f.status = Some(Status::Published.as_str().to_owned());
        }
        actor.own_communities()
    } else {
        staff
    };
    if let Some(cid) = community_id {
        let p = wushe_store::map::places::get(&mut c, cid)
            .await?
            .ok_or_else(|| AppError::field("community_id", "社区不存在", "no such community"))?;
        scope = scope.narrow(&p.path);
    }
    let rows =
        wushe_store::volunteering::activities::list(&mut c, &scope, &f, after, limit + 1).await?;
    let mut out = page::cut(rows, limit, |a| (a.starts_at, a.id), |a| a);
    let mut items = Vec::with_capacity(out.items.len());
    for a in std::mem::take(&mut out.items) {
        let manager = actor.can(Permission::ManageVolunteers, &a.place_path);
        let tl = workflow::timeline(&mut c, a.id).await?;
        items.push(view(a, manager, tl, None));
    }
    Ok(Page {
        items,
        next_cursor: out.next_cursor,
    })
}

/// A volunteer's own sign-up to an activity (for their phone page).
pub async fn my_signup(
    app: &App,
    actor: &Actor,
    id: Uuid,
    volunteer_id: Uuid,
) -> AppResult<Option<Signup>> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    load(&mut c, actor, id, false).await?;
    crate::volunteering::volunteers::load(&mut c, actor, volunteer_id, None).await?;
    Ok(
        wushe_store::volunteering::activities::signup_of(&mut c, id, volunteer_id)
            .await?
            .map(Into::into),
    )
}
