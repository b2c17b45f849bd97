//! Grid events on pages: the list of an area's events (or a resident's own reports), one event with its
//! photos, timeline and a form for each step, and the phone-first report form with a photo.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::service::events::{Event, Report, StepInput};
use wushe_app::AppError;
use wushe_domain::service::event::Action;

use crate::extract::ApiQuery;
use crate::ui::kernel::photo_form::PhotoForm;
use crate::ui::volunteering::Fmt;
use crate::ui::{error_page, render, render_form, see_other, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "service/events.html")]
struct ListPage {
    ctx: PageCtx,
    items: Vec<Event>,
    next: String,
    q: ListQuery,
    handler: bool,
    statuses: Vec<(&'static str, &'static str)>,
}

impl Fmt for ListPage {}

/// List filters.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
}

/// `GET /events`.
pub async fn list(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Response {
    use wushe_domain::kernel::workflow::Named;
    let PageUser { actor, ctx } = user;
    let search = wushe_app::service::events::EventSearch {
        status: (!q.status.is_empty()).then(|| q.status.clone()),
        ..Default::default()
    };
    let cursor = (!q.cursor.is_empty()).then(|| q.cursor.clone());
    match wushe_app::service::events::list(
        &s.app,
        &actor,
        &search,
        None,
        cursor.as_deref(),
        Some(100),
    )
    .await
    {
        Ok(p) => render(&ListPage {
            ctx,
            items: p.items,
            next: p.next_cursor.unwrap_or_default(),
            q,
            handler: actor.abilities().handle_events,
            statuses: wushe_domain::service::event::Status::ALL
                .iter()
                .map(|s| (s.as_str(), s.label_zh()))
                .collect(),
        }),
        Err(e) => error_page(ctx, e),
    }
}

#[derive(Template)]
#[template(path = "service/event_new.html")]
struct NewPage {
    ctx: PageCtx,
    grids: Vec<wushe_app::map::places::Place>,
    categories: Vec<String>,
    f: NewForm,
    errors: FormErrors,
}

/// What the report form sent (read from a multipart body because of the photo).
#[derive(Debug, Default)]
pub struct NewForm {
    grid_id: String,
    category: String,
    description: String,
    location_text: String,
}

async fn new_page(s: &AppState, user: PageUser, f: NewForm, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::service::events::report_choices(&s.app, &actor).await {
        Ok((grids, categories)) => {
            let bad = !errors.is_empty();
            render_form(
                &NewPage {
                    ctx,
                    grids,
                    categories,
                    f,
                    errors,
                },
                bad,
            )
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /events/new`: the report form (phone first).
pub async fn new(State(s): State<AppState>, user: PageUser) -> Response {
    new_page(&s, user, NewForm::default(), FormErrors::default()).await
}

/// `POST /events`: reports an event, with a photo if one was taken.
pub async fn create(State(s): State<AppState>, user: PageUser, m: Multipart) -> Response {
    let (mut form, errors) = PhotoForm::read(m, &user.ctx.t).await;
    let f = NewForm {
        grid_id: form.take("grid_id"),
        category: form.take("category"),
        description: form.take("description"),
        location_text: form.take("location_text"),
    };
    if !errors.is_empty() {
        return new_page(&s, user, f, errors).await;
    }
    let result = async {
        let photos = form.upload(&s, &user.actor).await?;
        wushe_app::service::events::report(
            &s.app,
            &user.actor,
            Report {
                grid_id: f.grid_id.parse().ok(),
                category: f.category.clone(),
                description: f.description.clone(),
                location_text: f.location_text.clone(),
                lat: None,
                lng: None,
                photos,
            },
            "app",
        )
        .await
    }
    .await;
    match result {
        Ok(e) => see_other(&format!("/events/{}", e.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => new_page(&s, user, f, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "service/event.html")]
struct EventPage {
    ctx: PageCtx,
    e: Event,
    teams: Vec<(String, String)>,
    errors: FormErrors,
}

impl Fmt for EventPage {}

impl EventPage {
    fn allows(&self, action: &str) -> bool {
        self.e.my_actions.iter().any(|a| a == action)
    }
}

async fn event_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::service::events::get(&s.app, &actor, id).await {
        Ok(e) => {
            let teams = if e.my_actions.iter().any(|a| a == "dispatch") {
                crate::ui::team_choices(s, &actor, e.community_id).await
            } else {
                vec![]
            };
            let bad = !errors.is_empty();
            render_form(
                &EventPage {
                    ctx,
                    e,
                    teams,
                    errors,
                },
                bad,
            )
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /events/{id}`.
pub async fn show(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    event_page(&s, user, id, FormErrors::default()).await
}

/// A step's form.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    assignee_id: String,
    #[serde(default)]
    passed: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    satisfaction: String,
}

/// `POST /events/{id}/{action}`.
pub async fn act(
    State(s): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(Uuid, String)>,
    Form(f): Form<StepForm>,
) -> Response {
    let Some(action) = Action::parse(&action) else {
        return error_page(user.ctx, AppError::NotFound);
    };
    let input = StepInput {
        assignee_id: f.assignee_id.parse().ok(),
        passed: match f.passed.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        note: f.note,
        reason: f.reason,
        result: f.result,
        satisfaction: f.satisfaction.trim().parse().ok(),
    };
    match wushe_app::service::events::act(&s.app, &user.actor, id, action, input).await {
        Ok(_) => see_other(&format!("/events/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => event_page(&s, user, id, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}
