//! Volunteer pages: the register of volunteers with hours and points, the activity calendar and each
//! activity's process (publish, sign up, check in and out, complete), and a volunteer's own phone page.

pub mod certificates;
pub mod hours;
pub mod points;
pub mod teams;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::volunteering::activities::{Activity, ActivityInput, Attend, Completion};
use wushe_app::volunteering::hours::{RecordInput, ServiceRecord};
use wushe_app::volunteering::points::PointsSummary;
use wushe_app::volunteering::volunteers::{Volunteer, VolunteerInput};
use wushe_app::{Actor, AppError};
use wushe_domain::volunteering::activity::Step;
use wushe_domain::volunteering::volunteer::VolunteerStatus;

use super::{error_page, refused, render, see_other, urlencode, FormErrors, PageCtx, PageUser};
use crate::api::volunteering::volunteers::VolunteerQuery;
use crate::extract::ApiQuery;
use crate::AppState;

/// `2026-03-01 09:30` in Asia/Shanghai.
pub fn local(t: &DateTime<Utc>) -> String {
    wushe_domain::kernel::time::format_local(*t)
}

/// `2小时30分`.
pub fn hours(minutes: &i64) -> String {
    wushe_domain::volunteering::hours::hours_label(*minutes)
}

/// A value a template holds by value or through references (askama binds loop and `if let` variables by
/// reference, sometimes twice).
pub trait Held<T: Copy> {
    /// The value.
    fn get(&self) -> T;
}

impl<T: Copy> Held<T> for T {
    fn get(&self) -> T {
        *self
    }
}

impl<T: Copy> Held<T> for &T {
    fn get(&self) -> T {
        **self
    }
}

impl<T: Copy> Held<T> for &&T {
    fn get(&self) -> T {
        ***self
    }
}

/// Formatting helpers the templates call (`self.at(..)`, `self.dur(..)`), by value or by reference.
pub trait Fmt {
    /// An instant in Asia/Shanghai.
    fn at(&self, t: impl Held<DateTime<Utc>>) -> String {
        local(&t.get())
    }
    /// Minutes as hours and minutes.
    fn dur(&self, m: impl Held<i64>) -> String {
        hours(&m.get())
    }
    /// The Chinese or English label of a volunteer status.
    fn vstatus(&self, s: &str) -> String {
        VolunteerStatus::parse(s).map_or(s.to_owned(), |x| x.label_zh().to_owned())
    }
    /// Stars as ★ characters.
    fn stars(&self, n: impl Held<u8>) -> String {
        "★".repeat(n.get() as usize)
    }
}

/// The communities the caller can pick in a form.
pub async fn communities(s: &AppState, actor: &Actor) -> Vec<wushe_app::map::places::Place> {
    wushe_app::volunteering::volunteers::communities_for(&s.app, actor)
        .await
        .unwrap_or_default()
}

/// Reads a `datetime-local` value as Asia/Shanghai time.
fn parse_local(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .ok()?;
    wushe_domain::kernel::time::TZ
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn form_error(ctx: &PageCtx, e: AppError) -> Result<FormErrors, AppError> {
    FormErrors::from_app(e, &ctx.t)
}

fn split_list(s: &str) -> Vec<String> {
    wushe_domain::people::resident::split_tags(s)
}

#[derive(Template)]
#[template(path = "volunteering/volunteers.html")]
struct VolunteersPage {
    ctx: PageCtx,
    items: Vec<Volunteer>,
    next: String,
    q: String,
    status: String,
    min_hours: String,
    can_manage: bool,
}

/// `GET /volunteers`: the register, with star lists by `min_hours`.
pub async fn index(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<VolunteerQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    let filter = q.filter();
    match wushe_app::volunteering::volunteers::list(
        &s.app,
        &actor,
        &filter,
        q.community_id,
        q.cursor.as_deref(),
        q.limit,
    )
    .await
    {
        Ok(page) => {
            let base = format!(
                "q={}&status={}&min_hours={}",
                urlencode(q.q.as_deref().unwrap_or("")),
                urlencode(q.status.as_deref().unwrap_or("")),
                q.min_hours.map(|h| h.to_string()).unwrap_or_default()
            );
            render(&VolunteersPage {
                next: page
                    .next_cursor
                    .map(|c| format!("/volunteers?{base}&cursor={c}"))
                    .unwrap_or_default(),
                items: page.items,
                q: q.q.unwrap_or_default(),
                status: q.status.unwrap_or_default(),
                min_hours: q.min_hours.map(|h| h.to_string()).unwrap_or_default(),
                can_manage: actor.abilities().manage_volunteers,
                ctx,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// The registration form's fields.
#[derive(Debug, Default, Deserialize)]
pub struct VolunteerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    skills: String,
    #[serde(default)]
    categories: String,
    #[serde(default)]
    party_member: Option<String>,
    #[serde(default)]
    in_service_party_member: Option<String>,
    #[serde(default)]
    work_unit: String,
    #[serde(default)]
    availability: String,
}

impl VolunteerForm {
    fn input(&self) -> VolunteerInput {
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        VolunteerInput {
            name: self.name.clone(),
            phone: opt(&self.phone),
            id_number: opt(&self.id_number),
            community_id: self.community_id.parse().ok(),
            skills: split_list(&self.skills),
            categories: split_list(&self.categories),
            party_member: self.party_member.is_some(),
            in_service_party_member: self.in_service_party_member.is_some(),
            work_unit: self.work_unit.clone(),
            availability: self.availability.clone(),
            ..Default::default()
        }
    }
}

#[derive(Template)]
#[template(path = "volunteering/volunteer_new.html")]
struct NewVolunteerPage {
    ctx: PageCtx,
    communities: Vec<wushe_app::map::places::Place>,
    f: VolunteerForm,
    errors: FormErrors,
    action: &'static str,
}

/// `GET /volunteers/new`.
pub async fn new_volunteer(State(s): State<AppState>, user: PageUser) -> Response {
    let communities = communities(&s, &user.actor).await;
    render(&NewVolunteerPage {
        ctx: user.ctx,
        communities,
        f: VolunteerForm::default(),
        errors: FormErrors::default(),
        action: "/volunteers",
    })
}

/// `POST /volunteers` (and `POST /me/volunteer` for a resident signing up).
async fn save_volunteer(s: AppState, user: PageUser, f: VolunteerForm, own: bool) -> Response {
    let input = f.input();
    let result = if own {
        wushe_app::volunteering::volunteers::apply(&s.app, &user.actor, input).await
    } else {
        wushe_app::volunteering::volunteers::register(&s.app, &user.actor, input).await
    };
    match result {
        Ok(v) if own => {
            let _ = v;
            see_other("/me/volunteer", "saved")
        }
        Ok(v) => see_other(&format!("/volunteers/{}", v.id), "saved"),
        Err(e) => match form_error(&user.ctx, e) {
            Ok(errors) => {
                let communities = communities(&s, &user.actor).await;
                let action = if own { "/me/volunteer" } else { "/volunteers" };
                refused(render(&NewVolunteerPage {
                    ctx: user.ctx,
                    communities,
                    f,
                    errors,
                    action,
                }))
            }
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /volunteers`.
pub async fn create(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<VolunteerForm>,
) -> Response {
    save_volunteer(s, user, f, false).await
}

#[derive(Template)]
#[template(path = "volunteering/volunteer.html")]
struct VolunteerPage {
    ctx: PageCtx,
    v: Volunteer,
    points: PointsSummary,
    records: Vec<ServiceRecord>,
    can_manage: bool,
    can_erase: bool,
    errors: FormErrors,
    today: NaiveDate,
}

async fn volunteer_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let v = wushe_app::volunteering::volunteers::get(&s.app, &actor, id, false).await?;
        let points = wushe_app::volunteering::points::summary(&s.app, &actor, id, None).await?;
        let records =
            wushe_app::volunteering::hours::of_volunteer(&s.app, &actor, id, None, Some(50))
                .await?
                .items;
        Ok::<_, AppError>((v, points, records))
    };
    match load.await {
        Ok((v, points, records)) => {
            let can_manage = actor.abilities().manage_volunteers;
            render(&VolunteerPage {
                ctx,
                v,
                points,
                records,
                can_manage,
                can_erase: actor.abilities().manage_users,
                errors,
                today: s.app.today(),
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /volunteers/{id}`.
pub async fn show(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    volunteer_page(&s, user, id, FormErrors::default()).await
}

/// Record-hours form.
#[derive(Debug, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    served_on: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    place_text: String,
    #[serde(default)]
    organiser: String,
}

/// `POST /volunteers/{id}/records`: one-to-one help recorded directly.
pub async fn record(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<RecordForm>,
) -> Response {
    let input = RecordInput {
        minutes: f.minutes.trim().parse().ok(),
        served_on: NaiveDate::parse_from_str(f.served_on.trim(), "%Y-%m-%d").ok(),
        content: f.content,
        place_text: f.place_text,
        organiser: f.organiser,
    };
    match wushe_app::volunteering::hours::record(&s.app, &user.actor, Some(id), None, input).await {
        Ok(_) => see_other(&format!("/volunteers/{id}"), "saved"),
        Err(e) => match form_error(&user.ctx, e) {
            Ok(errors) => volunteer_page(&s, user, id, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Reversal form.
#[derive(Debug, Deserialize)]
pub struct ReverseForm {
    #[serde(default)]
    reason: String,
    volunteer_id: Uuid,
}

/// `POST /service-records/{id}/reverse`.
pub async fn reverse(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<ReverseForm>,
) -> Response {
    match wushe_app::volunteering::hours::reverse(&s.app, &user.actor, id, &f.reason).await {
        Ok(_) => see_other(&format!("/volunteers/{}", f.volunteer_id), "saved"),
        Err(e) => match form_error(&user.ctx, e) {
            Ok(errors) => volunteer_page(&s, user, f.volunteer_id, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /volunteers/{id}/approve` and `/leave`.
pub async fn set_status(
    State(s): State<AppState>,
    user: PageUser,
    Path((id, to)): Path<(Uuid, String)>,
) -> Response {
    let to = if to == "approve" {
        VolunteerStatus::Active
    } else {
        VolunteerStatus::Left
    };
    match wushe_app::volunteering::volunteers::set_status(&s.app, &user.actor, id, to, "").await {
        Ok(_) => see_other(&format!("/volunteers/{id}"), "saved"),
        Err(e) => match form_error(&user.ctx, e) {
            Ok(errors) => volunteer_page(&s, user, id, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "volunteering/activities.html")]
struct ActivitiesPage {
    ctx: PageCtx,
    items: Vec<Activity>,
    month: String,
    prev: String,
    next: String,
    can_manage: bool,
    ics: Vec<(String, String)>,
}

/// Month to show.
#[derive(Debug, Default, Deserialize)]
pub struct MonthQuery {
    month: Option<String>,
}

/// `GET /activities`: the month's activities in the caller's communities.
pub async fn activities(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<MonthQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    let today = s.app.today();
    let first = q
        .month
        .as_deref()
        .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
        .unwrap_or_else(|| today.with_day0(0).unwrap_or(today));
    let next_first = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    let prev_first = first
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(first);
    let f = wushe_app::volunteering::activities::ActivitySearch {
        from: Some(wushe_domain::kernel::time::start_of_day(first)),
        to: Some(wushe_domain::kernel::time::start_of_day(next_first)),
        ..Default::default()
    };
    match wushe_app::volunteering::activities::list(&s.app, &actor, &f, None, None, Some(500)).await
    {
        Ok(page) => {
            let ics = communities(&s, &actor)
                .await
                .into_iter()
                .map(|c| {
                    (
                        c.name,
                        format!("/api/v1/communities/{}/activities.ics", c.id),
                    )
                })
                .collect();
            render(&ActivitiesPage {
                ctx,
                items: page.items,
                month: first.format("%Y-%m").to_string(),
                prev: prev_first.format("%Y-%m").to_string(),
                next: next_first.format("%Y-%m").to_string(),
                can_manage: actor.abilities().manage_volunteers,
                ics,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

use chrono::Datelike;

/// The plan form.
#[derive(Debug, Default, Deserialize)]
pub struct ActivityForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    place_text: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    skills: String,
    /// The team running it.
    #[serde(default)]
    team_id: String,
    /// Sub-group tasks: which sub-group (`task_team_N`) does what (`task_N`), four rows on the form.
    #[serde(default)]
    task_team_1: String,
    #[serde(default)]
    task_1: String,
    #[serde(default)]
    task_team_2: String,
    #[serde(default)]
    task_2: String,
    #[serde(default)]
    task_team_3: String,
    #[serde(default)]
    task_3: String,
    #[serde(default)]
    task_team_4: String,
    #[serde(default)]
    task_4: String,
}

impl ActivityForm {
    /// The filled task rows (a row with only a sub-group chosen is kept, so the check can name it).
    fn tasks(&self) -> Vec<wushe_app::volunteering::activities::Task> {
        [
            (&self.task_team_1, &self.task_1),
            (&self.task_team_2, &self.task_2),
            (&self.task_team_3, &self.task_3),
            (&self.task_team_4, &self.task_4),
        ]
        .into_iter()
        .filter(|(team, title)| !team.trim().is_empty() || !title.trim().is_empty())
        .map(|(team, title)| wushe_app::volunteering::activities::Task {
            team_id: team.trim().parse().ok(),
            title: title.clone(),
            team_name: None,
        })
        .collect()
    }

    /// The task rows as the form shows them: (number, chosen sub-group, text).
    fn task_rows(&self) -> [(u8, &str, &str); 4] {
        [
            (1, &self.task_team_1, &self.task_1),
            (2, &self.task_team_2, &self.task_2),
            (3, &self.task_team_3, &self.task_3),
            (4, &self.task_team_4, &self.task_4),
        ]
        .map(|(n, t, x)| (n, t.as_str(), x.as_str()))
    }
}

#[derive(Template)]
#[template(path = "volunteering/activity_new.html")]
struct NewActivityPage {
    ctx: PageCtx,
    communities: Vec<wushe_app::map::places::Place>,
    /// Teams and sub-groups the caller can pick: (id, "community · team").
    teams: Vec<(String, String)>,
    f: ActivityForm,
    errors: FormErrors,
}

/// The teams and sub-groups of the caller's communities, labelled with their community.
async fn team_choices(
    s: &AppState,
    actor: &Actor,
    communities: &[wushe_app::map::places::Place],
) -> Vec<(String, String)> {
    let teams =
        wushe_app::volunteering::volunteers::list_teams(&s.app, actor, None, None, Some(500))
            .await
            .map(|p| p.items)
            .unwrap_or_default();
    teams
        .into_iter()
        .map(|t| {
            let community = communities
                .iter()
                .find(|c| c.id == t.community_id)
                .map(|c| c.name.as_str())
                .unwrap_or_default();
            (t.id.to_string(), format!("{community} · {}", t.name))
        })
        .collect()
}

/// `GET /activities/new`.
pub async fn new_activity(State(s): State<AppState>, user: PageUser) -> Response {
    let communities = communities(&s, &user.actor).await;
    let teams = team_choices(&s, &user.actor, &communities).await;
    render(&NewActivityPage {
        ctx: user.ctx,
        communities,
        teams,
        f: ActivityForm::default(),
        errors: FormErrors::default(),
    })
}

/// `POST /activities`.
pub async fn create_activity(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ActivityForm>,
) -> Response {
    let mut bad = Vec::new();
    let starts_at = parse_local(&f.starts_at);
    let ends_at = parse_local(&f.ends_at);
    if starts_at.is_none() && !f.starts_at.trim().is_empty() {
        bad.push(wushe_domain::kernel::error::FieldError::new(
            "starts_at",
            "开始时间格式不正确",
            "bad start time",
        ));
    }
    if ends_at.is_none() && !f.ends_at.trim().is_empty() {
        bad.push(wushe_domain::kernel::error::FieldError::new(
            "ends_at",
            "结束时间格式不正确",
            "bad end time",
        ));
    }
    let result = if bad.is_empty() {
        let input = ActivityInput {
            title: f.title.clone(),
            community_id: f.community_id.parse().ok(),
            starts_at,
            ends_at,
            place_text: f.place_text.clone(),
            capacity: f.capacity.trim().parse().ok(),
            content: f.content.clone(),
            skills: split_list(&f.skills),
            team_id: f.team_id.trim().parse().ok(),
            tasks: f.tasks(),
        };
        wushe_app::volunteering::activities::create(&s.app, &user.actor, input).await
    } else {
        Err(AppError::Validation(bad))
    };
    match result {
        Ok(a) => see_other(&format!("/activities/{}", a.id), "saved"),
        Err(e) => match form_error(&user.ctx, e) {
            Ok(errors) => {
                let communities = communities(&s, &user.actor).await;
                let teams = team_choices(&s, &user.actor, &communities).await;
                refused(render(&NewActivityPage {
                    ctx: user.ctx,
                    communities,
                    teams,
                    f,
                    errors,
                }))
            }
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "volunteering/activity.html")]
struct ActivityPage {
    ctx: PageCtx,
    a: Activity,
    manager: bool,
    mine: Option<Volunteer>,
    my_signup: Option<wushe_app::volunteering::activities::Signup>,
    errors: FormErrors,
}

async fn activity_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let a = wushe_app::volunteering::activities::get(&s.app, &actor, id).await?;
        let mine = wushe_app::volunteering::volunteers::mine(&s.app, &actor).await?;
        Ok::<_, AppError>((a, mine))
    };
    match load.await {
        Ok((a, mine)) => {
            let manager = a.checkin_code.is_some();
            let my_signup = match &mine {
                Some(v) => wushe_app::volunteering::activities::my_signup(&s.app, &actor, id, v.id)
                    .await
                    .ok()
                    .flatten(),
                None => None,
            };
            render(&ActivityPage {
                ctx,
                a,
                manager,
                mine,
                my_signup,
                errors,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /activities/{id}`.
pub async fn activity(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    activity_page(&s, user, id, FormErrors::default()).await
}

/// Every action form of the activity page.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    volunteer_id: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    feedback: String,
    #[serde(default)]
    reason: String,
}

/// `POST /activities/{id}/{action}`: publish, complete, cancel, signup, checkin, checkout.
pub async fn act(
    State(s): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(Uuid, String)>,
    Form(f): Form<ActionForm>,
) -> Response {
    let (app, actor) = (&s.app, &user.actor);
    let code = Some(f.code.as_str()).filter(|c| !c.trim().is_empty());
    // Organisers assign by the number on a volunteer's card; the attendance buttons send the id.
    let vid = match f.volunteer_id.trim() {
        "" => Ok(None),
        v => match v.parse::<Uuid>() {
            Ok(id) => Ok(Some(id)),
            Err(_) => wushe_app::volunteering::volunteers::id_by_no(app, actor, v, "volunteer_id")
                .await
                .map(Some),
        },
    };
    let result = match vid {
        Err(e) => Err(e),
        Ok(vid) => act_on(app, actor, id, &action, vid, code, &f).await,
    };
    match result {
        Ok(_) => see_other(&format!("/activities/{id}"), "saved"),
        Err(e) => match form_error(&user.ctx, e) {
            Ok(errors) => refused(activity_page(&s, user, id, errors).await),
            Err(e) => error_page(user.ctx, e),
        },
    }
}

async fn act_on(
    app: &wushe_app::App,
    actor: &Actor,
    id: Uuid,
    action: &str,
    vid: Option<Uuid>,
    code: Option<&str>,
    f: &ActionForm,
) -> Result<Activity, AppError> {
    match action {
        "publish" => {
            wushe_app::volunteering::activities::advance(app, actor, id, Step::Publish, "", None)
                .await
        }
        "cancel" => {
            wushe_app::volunteering::activities::advance(
                app,
                actor,
                id,
                Step::Cancel,
                &f.reason,
                None,
            )
            .await
        }
        "complete" => {
            let done = Completion {
                summary: f.summary.clone(),
                feedback: f.feedback.clone(),
                photos: vec![],
            };
            wushe_app::volunteering::activities::advance(
                app,
                actor,
                id,
                Step::Complete,
                "",
                Some(done),
            )
            .await
        }
        "signup" => wushe_app::volunteering::activities::sign_up(app, actor, id, vid).await,
        "checkin" => {
            let who = Attend {
                volunteer_id: vid,
                code,
                at: None,
            };
            wushe_app::volunteering::activities::check_in(app, actor, id, who).await
        }
        "checkout" => {
            let who = Attend {
                volunteer_id: vid,
                code,
                at: None,
            };
            wushe_app::volunteering::activities::check_out(app, actor, id, who).await
        }
        _ => Err(AppError::NotFound),
    }
}

#[derive(Template)]
#[template(path = "volunteering/my_volunteer.html")]
struct MyVolunteerPage {
    ctx: PageCtx,
    v: Option<Volunteer>,
    points: Option<PointsSummary>,
    upcoming: Vec<Activity>,
    communities: Vec<wushe_app::map::places::Place>,
    f: VolunteerForm,
    errors: FormErrors,
    action: &'static str,
    feed: Option<String>,
}

/// `GET /me/volunteer`: a volunteer's phone page (upcoming activities, points), or the sign-up form.
pub async fn mine(State(s): State<AppState>, user: PageUser) -> Response {
    mine_page(&s, user, None).await
}

/// `POST /me/volunteer/calendar-link`: a new link for the phone's calendar (the old one stops working).
pub async fn calendar_link(State(s): State<AppState>, user: PageUser) -> Response {
    let mine = match wushe_app::volunteering::volunteers::mine(&s.app, &user.actor).await {
        Ok(Some(v)) => v,
        Ok(None) => return error_page(user.ctx, AppError::NotFound),
        Err(e) => return error_page(user.ctx, e),
    };
    match wushe_app::accounts::auth::create_feed_token(&s.app, &user.actor).await {
        Ok(token) => {
            let feed = format!(
                "/api/v1/volunteers/{}/activities.ics?feed_token={token}",
                mine.id
            );
            mine_page(&s, user, Some(feed)).await
        }
        Err(e) => error_page(user.ctx, e),
    }
}

async fn mine_page(s: &AppState, user: PageUser, feed: Option<String>) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let v = wushe_app::volunteering::volunteers::mine(&s.app, &actor).await?;
        let points = match &v {
            Some(v) => {
                Some(wushe_app::volunteering::points::summary(&s.app, &actor, v.id, None).await?)
            }
            None => None,
        };
        let f = wushe_app::volunteering::activities::ActivitySearch {
            from: Some(s.app.now() - chrono::Duration::hours(12)),
            status: Some("published".into()),
            ..Default::default()
        };
        let upcoming =
            wushe_app::volunteering::activities::list(&s.app, &actor, &f, None, None, Some(50))
                .await?
                .items;
        Ok::<_, AppError>((v, points, upcoming))
    };
    match load.await {
        Ok((v, points, upcoming)) => {
            let communities = communities(s, &actor).await;
            render(&MyVolunteerPage {
                ctx,
                v,
                points,
                upcoming,
                communities,
                f: VolunteerForm::default(),
                errors: FormErrors::default(),
                action: "/me/volunteer",
                feed,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `POST /me/volunteer`: a resident signs up.
pub async fn apply(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<VolunteerForm>,
) -> Response {
    save_volunteer(s, user, f, true).await
}

impl Fmt for VolunteersPage {}

impl Fmt for VolunteerPage {}

impl Fmt for ActivitiesPage {}

impl Fmt for ActivityPage {}

impl ActivityPage {
    /// Whether the use case offers the caller this step.
    fn allows(&self, action: &str) -> bool {
        self.a.my_actions.iter().any(|a| a == action)
    }
}

impl Fmt for MyVolunteerPage {}

impl Fmt for NewVolunteerPage {}

impl Fmt for NewActivityPage {}
