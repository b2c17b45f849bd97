//! The three lists on pages: the demand, resource and project lists of a quarter with their forms, one
//! demand with its ranked matches and reasons, one project with its steps, and the public list of a
//! community (公示) without personal data.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::lists::{
    Demand, DemandInput, Match, Project, ProjectStepInput, Resource, ResourceInput,
};
use wushe_app::AppError;
use wushe_domain::lists::project::Action;

use super::volunteering::{communities, Fmt};
use super::{error_page, render, render_form, see_other, FormErrors, PageCtx, PageUser};
use crate::extract::ApiQuery;
use crate::AppState;

fn label(all: &[(&'static str, &'static str)], k: &str) -> String {
    all.iter()
        .find(|(a, _)| *a == k)
        .map_or(k.to_owned(), |(_, l)| (*l).to_owned())
}

#[derive(Template)]
#[template(path = "lists/lists.html")]
struct ListsPage {
    ctx: PageCtx,
    quarter: String,
    demands: Vec<Demand>,
    resources: Vec<Resource>,
    projects: Vec<Project>,
    communities: Vec<wushe_app::map::places::Place>,
    station: bool,
    f: ListForm,
    errors: FormErrors,
}

impl Fmt for ListsPage {}

impl ListsPage {
    fn urgency(&self, k: &str) -> String {
        label(&wushe_app::lists::URGENCIES, k)
    }
    fn kind(&self, k: &str) -> String {
        label(&wushe_app::lists::KINDS, k)
    }
}

/// Which quarter.
#[derive(Debug, Default, Deserialize)]
pub struct QuarterQuery {
    #[serde(default)]
    quarter: String,
}

/// What the list page's forms send.
#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    group_text: String,
    #[serde(default)]
    skills: String,
    #[serde(default)]
    wanted_to: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    availability: String,
    #[serde(default)]
    provider_name: String,
    #[serde(default)]
    street_wide: String,
}

async fn lists_page(
    s: &AppState,
    user: PageUser,
    quarter: String,
    f: ListForm,
    errors: FormErrors,
) -> Response {
    let PageUser { actor, ctx } = user;
    let quarter = if quarter.trim().is_empty() {
        wushe_domain::lists::project::quarter_of(s.app.today())
    } else {
        quarter.trim().to_owned()
    };
    let load = async {
        let demands =
            wushe_app::lists::demands(&s.app, &actor, None, Some(&quarter), None, None, Some(200))
                .await?
                .items;
        let resources = wushe_app::lists::resources(&s.app, &actor).await?;
        let projects = wushe_app::lists::projects(&s.app, &actor, Some(&quarter)).await?;
        Ok::<_, AppError>((demands, resources, projects))
    };
    match load.await {
        Ok((demands, resources, projects)) => {
            let communities = communities(s, &actor).await;
            let bad = !errors.is_empty();
            render_form(
                &ListsPage {
                    ctx,
                    quarter,
                    demands,
                    resources,
                    projects,
                    communities,
                    station: actor.abilities().dispatch_orders,
                    f,
                    errors,
                },
                bad,
            )
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /lists?quarter=`: the three lists.
pub async fn index(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> Response {
    lists_page(
        &s,
        user,
        q.quarter,
        ListForm::default(),
        FormErrors::default(),
    )
    .await
}

fn split(s: &str) -> Vec<String> {
    s.split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /lists/demands`.
pub async fn add_demand(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ListForm>,
) -> Response {
    let input = DemandInput {
        community_id: f.community_id.parse().ok(),
        category: f.category.clone(),
        content: f.content.clone(),
        urgency: Some(f.urgency.clone()),
        group_text: f.group_text.clone(),
        skills: split(&f.skills),
        wanted_to: NaiveDate::parse_from_str(f.wanted_to.trim(), "%Y-%m-%d").ok(),
        ..Default::default()
    };
    match wushe_app::lists::create_demand(&s.app, &user.actor, input).await {
        Ok(d) => see_other(&format!("/demands/{}", d.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => lists_page(&s, user, String::new(), f, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /lists/resources`.
pub async fn add_resource(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ListForm>,
) -> Response {
    let input = ResourceInput {
        community_id: f.community_id.parse().ok(),
        kind: f.kind.clone(),
        name: f.name.clone(),
        categories: split(&f.category),
        skills: split(&f.skills),
        capacity: f.capacity.trim().parse().ok(),
        availability: f.availability.clone(),
        provider_name: f.provider_name.clone(),
        street_wide: f.street_wide == "on",
        ..Default::default()
    };
    match wushe_app::lists::create_resource(&s.app, &user.actor, input).await {
        Ok(_) => see_other("/lists", "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => lists_page(&s, user, String::new(), f, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "lists/demand.html")]
struct DemandPage {
    ctx: PageCtx,
    d: Demand,
    matches: Vec<Match>,
    station: bool,
    errors: FormErrors,
}

impl Fmt for DemandPage {}

async fn demand_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let d = wushe_app::lists::get_demand(&s.app, &actor, id).await?;
        let m = wushe_app::lists::matches(&s.app, &actor, id, Some(20)).await?;
        Ok::<_, AppError>((d, m.items))
    };
    match load.await {
        Ok((d, matches)) => {
            let bad = !errors.is_empty();
            render_form(
                &DemandPage {
                    ctx,
                    d,
                    matches,
                    station: actor.abilities().dispatch_orders,
                    errors,
                },
                bad,
            )
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /demands/{id}`: a demand and who could meet it, with the reasons.
pub async fn demand(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    demand_page(&s, user, id, FormErrors::default()).await
}

/// Proposal form.
#[derive(Debug, Default, Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    resource_id: String,
}

/// `POST /demands/{id}/project`: proposes a project for this demand with a matched resource.
pub async fn propose(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<ProposeForm>,
) -> Response {
    let result = async {
        let d = wushe_app::lists::get_demand(&s.app, &user.actor, id).await?;
        let resources: Vec<Uuid> = f.resource_id.parse().ok().into_iter().collect();
        wushe_app::lists::create_project(
            &s.app,
            &user.actor,
            Some(d.community_id),
            &f.title,
            "",
            &[id],
            &resources,
        )
        .await
    }
    .await;
    match result {
        Ok(p) => see_other(&format!("/projects/{}", p.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => demand_page(&s, user, id, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "lists/project.html")]
struct ProjectPage {
    ctx: PageCtx,
    p: Project,
    errors: FormErrors,
}

impl Fmt for ProjectPage {}

impl ProjectPage {
    fn allows(&self, a: &str) -> bool {
        self.p.my_actions.iter().any(|x| x == a)
    }
}

async fn project_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::lists::get_project(&s.app, &actor, id).await {
        Ok(p) => {
            let bad = !errors.is_empty();
            render_form(&ProjectPage { ctx, p, errors }, bad)
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /projects/{id}`.
pub async fn project(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    project_page(&s, user, id, FormErrors::default()).await
}

/// A project step's form.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    meeting: String,
    #[serde(default)]
    claimant_name: String,
    #[serde(default)]
    claimant_kind: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    results: String,
}

/// `POST /projects/{id}/{action}`.
pub async fn project_step(
    State(s): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(Uuid, String)>,
    Form(f): Form<StepForm>,
) -> Response {
    let Some(action) = Action::parse(&action) else {
        return error_page(user.ctx, AppError::NotFound);
    };
    let input = ProjectStepInput {
        meeting: f.meeting,
        claimant_name: f.claimant_name,
        claimant_kind: f.claimant_kind,
        note: f.note,
        results: f.results,
    };
    match wushe_app::lists::act_project(&s.app, &user.actor, id, action, input).await {
        Ok(_) => see_other(&format!("/projects/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => project_page(&s, user, id, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "lists/public_lists.html")]
struct PublicPage {
    ctx: PageCtx,
    community: String,
    quarter: String,
    lists: wushe_app::lists::PublicLists,
}

impl PublicPage {
    fn urgency(&self, k: &str) -> String {
        label(&wushe_app::lists::URGENCIES, k)
    }
    fn kind(&self, k: &str) -> String {
        label(&wushe_app::lists::KINDS, k)
    }
}

/// `GET /public/lists/{community_id}?quarter=`: the published lists, without personal data.
pub async fn public(
    State(s): State<AppState>,
    parts: axum::http::request::Parts,
    Path(id): Path<Uuid>,
) -> Response {
    let ctx = super::anonymous_ctx(&parts);
    let q: QuarterQuery = parts
        .uri
        .query()
        .and_then(quarter_param)
        .unwrap_or_default();
    let quarter = if q.quarter.trim().is_empty() {
        wushe_domain::lists::project::quarter_of(s.app.today())
    } else {
        q.quarter.trim().to_owned()
    };
    match wushe_app::lists::public(&s.app, id, &quarter).await {
        Ok((community, lists)) => render(&PublicPage {
            ctx,
            community,
            quarter,
            lists,
        }),
        Err(e) => error_page(ctx, e),
    }
}

fn quarter_param(q: &str) -> Option<QuarterQuery> {
    form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "quarter")
        .map(|(_, v)| QuarterQuery {
            quarter: v.into_owned(),
        })
}
