//! The station's settings and figures for the service loop: step deadlines per category for orders and
//! events (a new event category joins the community's dictionary), and the 12345 rates per grid.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::service::events::GridRates;
use wushe_domain::service::event::Deadlines as EventDeadlines;
use wushe_domain::service::order::Deadlines as OrderDeadlines;

use crate::extract::ApiQuery;
use crate::ui::volunteering::communities;
use crate::ui::{error_page, render, render_form, see_other, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "service/deadlines.html")]
struct DeadlinesPage {
    ctx: PageCtx,
    communities: Vec<wushe_app::map::places::Place>,
    community_id: String,
    orders: Vec<(String, OrderDeadlines)>,
    events: Vec<(String, EventDeadlines)>,
    order_default: OrderDeadlines,
    event_default: EventDeadlines,
    categories: Vec<wushe_app::lists::categories::Category>,
    errors: FormErrors,
}

/// Which community.
#[derive(Debug, Default, Deserialize)]
pub struct CommunityQuery {
    community_id: Option<Uuid>,
}

async fn deadlines_page(
    s: &AppState,
    user: PageUser,
    community: Option<Uuid>,
    errors: FormErrors,
) -> Response {
    let PageUser { actor, ctx } = user;
    let communities = communities(s, &actor).await;
    let chosen = community.or_else(|| communities.first().map(|c| c.id));
    let (orders, events, categories) = match chosen {
        Some(id) => {
            let load = async {
                let (o, e) = wushe_app::service::orders::deadlines_of(&s.app, &actor, id).await?;
                let t = wushe_app::lists::categories::tree(&s.app, &actor, id).await?;
                Ok::<_, wushe_app::AppError>((o, e, t))
            };
            match load.await {
                Ok(x) => x,
                Err(e) => return error_page(ctx, e),
            }
        }
        None => (vec![], vec![], vec![]),
    };
    let bad = !errors.is_empty();
    render_form(
        &DeadlinesPage {
            ctx,
            communities,
            community_id: chosen.map(|c| c.to_string()).unwrap_or_default(),
            orders,
            events,
            order_default: OrderDeadlines::default(),
            event_default: EventDeadlines::default(),
            categories,
            errors,
        },
        bad,
    )
}

/// `GET /deadlines`.
pub async fn deadlines(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<CommunityQuery>,
) -> Response {
    deadlines_page(&s, user, q.community_id, FormErrors::default()).await
}

/// A deadlines form (orders or events).
#[derive(Debug, Default, Deserialize)]
pub struct DeadlinesForm {
    community_id: Uuid,
    #[serde(default)]
    workflow: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
    #[serde(default)]
    c: String,
    #[serde(default)]
    d: String,
    #[serde(default)]
    e: String,
}

/// `POST /deadlines`.
pub async fn set_deadlines(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<DeadlinesForm>,
) -> Response {
    let n = |v: &str| v.trim().parse::<i64>().unwrap_or(0);
    let result = if f.workflow == "event" {
        let d = EventDeadlines {
            accept_hours: n(&f.a),
            dispatch_hours: n(&f.b),
            resolve_hours: n(&f.c),
            verify_hours: n(&f.d),
            close_hours: n(&f.e),
        };
        wushe_app::service::events::set_deadlines(
            &s.app,
            &user.actor,
            f.community_id,
            &f.category,
            d,
        )
        .await
        .map(|_| ())
    } else {
        let d = OrderDeadlines {
            dispatch_hours: n(&f.a),
            accept_hours: n(&f.b),
            complete_hours: n(&f.c),
            evaluate_days: n(&f.d),
        };
        wushe_app::service::orders::set_deadlines(
            &s.app,
            &user.actor,
            f.community_id,
            &f.category,
            d,
        )
        .await
        .map(|_| ())
    };
    match result {
        Ok(()) => see_other(
            &format!("/deadlines?community_id={}", f.community_id),
            "saved",
        ),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => deadlines_page(&s, user, Some(f.community_id), errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "service/event_rates.html")]
struct RatesPage {
    ctx: PageCtx,
    rows: Vec<(String, GridRates)>,
    from: String,
    to: String,
}

impl RatesPage {
    fn pct(&self, v: &Option<i64>) -> String {
        v.map_or("—".to_owned(), |p| format!("{}.{}%", p / 10, p % 10))
    }
}

/// Period.
#[derive(Debug, Default, Deserialize)]
pub struct Period {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /events/rates?from=&to=`: response, solution and satisfaction rates per grid.
pub async fn rates(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<Period>,
) -> Response {
    let PageUser { actor, ctx } = user;
    let today = s.app.today();
    let from = NaiveDate::parse_from_str(q.from.trim(), "%Y-%m-%d")
        .unwrap_or(today - chrono::Duration::days(30));
    let to = NaiveDate::parse_from_str(q.to.trim(), "%Y-%m-%d").unwrap_or(today);
    let start = wushe_domain::kernel::time::start_of_day;
    let result = wushe_app::service::events::rates(
        &s.app,
        &actor,
        None,
        start(from),
        start(to + chrono::Duration::days(1)),
    )
    .await;
    match result {
        Ok(rows) => {
            let mut named = Vec::with_capacity(rows.len());
            for r in rows {
                let name = wushe_app::map::places::get(&s.app, &actor, r.grid_id)
                    .await
                    .map(|p| p.name)
                    .unwrap_or_default();
                named.push((name, r));
            }
            render(&RatesPage {
                ctx,
                rows: named,
                from: from.to_string(),
                to: to.to_string(),
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// A new category from the page.
#[derive(Debug, Default, Deserialize)]
pub struct CategoryForm {
    community_id: Uuid,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
}

/// `POST /deadlines/categories`.
pub async fn add_category(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<CategoryForm>,
) -> Response {
    match wushe_app::lists::categories::add(&s.app, &user.actor, f.community_id, &f.name, &f.parent)
        .await
    {
        Ok(_) => see_other(
            &format!("/deadlines?community_id={}", f.community_id),
            "saved",
        ),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => deadlines_page(&s, user, Some(f.community_id), errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}
