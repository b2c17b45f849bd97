//! The four orders on pages: the station's dispatch board with counts per state, one order with its
//! timeline and the forms for each step, and a phone-first form to place an order.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::service::orders::{ActInput, Board, Order, OrderInput};
use wushe_app::AppError;
use wushe_domain::service::order::{Action, DEFAULT_CATEGORIES};

use crate::extract::ApiQuery;
use crate::ui::kernel::photo_form::PhotoForm;
use crate::ui::volunteering::{communities, Fmt};
use crate::ui::{error_page, render, render_form, see_other, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "service/orders.html")]
struct BoardPage {
    ctx: PageCtx,
    board: Board,
    q: BoardQuery,
    categories: Vec<&'static str>,
}

impl Fmt for BoardPage {}

impl BoardPage {
    fn total(&self) -> i64 {
        self.board.counts.iter().map(|c| c.count).sum()
    }
}

/// Board filters.
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    cursor: String,
}

/// `GET /orders`: the dispatch board (a resident: the orders they placed).
pub async fn board(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    let none = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
    // Whose orders a resident sees (their own) is the use case's default, not the page's to decide.
    let search = wushe_app::service::orders::BoardSearch {
        status: none(&q.status),
        category: none(&q.category),
        overdue: q.overdue == "true",
        ..Default::default()
    };
    let cursor = none(&q.cursor);
    match wushe_app::service::orders::board(&s.app, &actor, &search, cursor.as_deref(), Some(100))
        .await
    {
        Ok(board) => render(&BoardPage {
            ctx,
            board,
            q,
            categories: DEFAULT_CATEGORIES.to_vec(),
        }),
        Err(e) => error_page(ctx, e),
    }
}

#[derive(Template)]
#[template(path = "service/order_new.html")]
struct NewPage {
    ctx: PageCtx,
    communities: Vec<wushe_app::map::places::Place>,
    categories: Vec<String>,
    f: NewForm,
    household: Option<(String, String)>,
    errors: FormErrors,
}

/// Order form.
#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    wanted_by: String,
}

async fn new_page(s: &AppState, user: PageUser, f: NewForm, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    let communities = communities(s, &actor).await;
    // The categories of the caller's communities' trees (the built-in ones and what each added).
    let mut categories: Vec<String> = Vec::new();
    for c in communities.iter().take(20) {
        for cat in wushe_app::lists::categories::tree(&s.app, &actor, c.id)
            .await
            .unwrap_or_default()
        {
            for name in std::iter::once(cat.name).chain(cat.children) {
                if !categories.contains(&name) {
                    categories.push(name);
                }
            }
        }
    }
    if categories.is_empty() {
        categories = DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect();
    }
    let household = match f.household_id.parse::<Uuid>() {
        Ok(h) => wushe_app::people::households::get(&s.app, &actor, h)
            .await
            .ok()
            .map(|h| (h.id.to_string(), h.address)),
        Err(_) => None,
    };
    render_form(
        &NewPage {
            ctx,
            communities,
            categories,
            f,
            household,
            errors: errors.clone(),
        },
        !errors.is_empty(),
    )
}

/// `GET /orders/new?household_id=`: the form to place an order.
pub async fn new(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(f): ApiQuery<NewForm>,
) -> Response {
    new_page(&s, user, f, FormErrors::default()).await
}

/// `POST /orders`: places an order, with a photo if one was taken (a multipart form for the camera).
pub async fn create(State(s): State<AppState>, user: PageUser, m: Multipart) -> Response {
    let (mut form, errors) = PhotoForm::read(m, &user.ctx.t).await;
    let f = NewForm {
        community_id: form.take("community_id"),
        household_id: form.take("household_id"),
        category: form.take("category"),
        content: form.take("content"),
        wanted_by: form.take("wanted_by"),
    };
    if !errors.is_empty() {
        return new_page(&s, user, f, errors).await;
    }
    let wanted_by = NaiveDate::parse_from_str(f.wanted_by.trim(), "%Y-%m-%d").ok();
    let mut community_id = f.community_id.parse().ok();
    let household_id = f.household_id.parse().ok();
    if community_id.is_none() {
        // Placed from a household's page: the household names its community.
        if let Some(h) = household_id {
            community_id = wushe_app::people::households::get(&s.app, &user.actor, h)
                .await
                .ok()
                .map(|h| h.community_id);
        }
    }
    let result = async {
        if wanted_by.is_none() && !f.wanted_by.trim().is_empty() {
            return Err(AppError::field(
                "wanted_by",
                "日期格式应为YYYY-MM-DD",
                "dates are YYYY-MM-DD",
            ));
        }
        let photos = form.upload(&s, &user.actor).await?;
        wushe_app::service::orders::place(
            &s.app,
            &user.actor,
            OrderInput {
                community_id,
                household_id,
                category: f.category.clone(),
                content: f.content.clone(),
                wanted_by,
                photos,
            },
        )
        .await
    }
    .await;
    match result {
        Ok(o) => see_other(&format!("/orders/{}", o.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => new_page(&s, user, f, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "service/order.html")]
struct OrderPage {
    ctx: PageCtx,
    o: Order,
    teams: Vec<(String, String)>,
    errors: FormErrors,
}

impl Fmt for OrderPage {}

impl OrderPage {
    /// Whether the use case offers the caller this step (the page recomputes no permission).
    fn allows(&self, action: &str) -> bool {
        self.o.my_actions.iter().any(|a| a == action)
    }
}

async fn order_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::service::orders::get(&s.app, &actor, id).await {
        Ok(o) => {
            let teams = if o.my_actions.iter().any(|a| a == "dispatch") {
                crate::ui::team_choices(s, &actor, o.community_id).await
            } else {
                vec![]
            };
            let bad = !errors.is_empty();
            render_form(
                &OrderPage {
                    ctx,
                    o,
                    teams,
                    errors,
                },
                bad,
            )
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /orders/{id}`.
pub async fn show(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    order_page(&s, user, id, FormErrors::default()).await
}

/// A step's form.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    team_id: String,
    #[serde(default)]
    volunteer_no: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    score: String,
    #[serde(default)]
    comment: String,
}

/// `POST /orders/{id}/{action}`.
pub async fn act(
    State(s): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(Uuid, String)>,
    Form(f): Form<StepForm>,
) -> Response {
    let (app, actor) = (&s.app, &user.actor);
    let result = match action.as_str() {
        "evaluate" => wushe_app::service::orders::evaluate(
            app,
            actor,
            id,
            Some(f.by.as_str()),
            f.score.trim().parse().ok(),
            &f.comment,
        )
        .await
        .map(|_| ()),
        other => match Action::parse(other) {
            Some(a @ (Action::Dispatch | Action::Accept | Action::Decline | Action::Complete)) => {
                let volunteer_id = match f.volunteer_no.trim() {
                    "" => Ok(None),
                    no => wushe_app::volunteering::volunteers::id_by_no(
                        app,
                        actor,
                        no,
                        "volunteer_no",
                    )
                    .await
                    .map(Some),
                };
                match volunteer_id {
                    Err(e) => Err(e),
                    Ok(volunteer_id) => {
                        let input = ActInput {
                            team_id: f.team_id.parse().ok().filter(|_| volunteer_id.is_none()),
                            volunteer_id,
                            reason: f.reason.clone(),
                            note: f.note.clone(),
                        };
                        wushe_app::service::orders::act(app, actor, id, a, input)
                            .await
                            .map(|_| ())
                    }
                }
            }
            _ => Err(AppError::NotFound),
        },
    };
    match result {
        Ok(()) => see_other(&format!("/orders/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => order_page(&s, user, id, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}
