//! The home page: counts for the user's area, their roles, and the overdue steps they should see first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use wushe_app::kernel::overview::Overview;

use crate::ui::volunteering::Fmt;
use crate::ui::{error_page, render, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "kernel/home.html")]
struct HomePage {
    ctx: PageCtx,
    o: Overview,
    roles: Vec<String>,
    /// Overdue steps in the caller's area (the station's roles only).
    alerts: Vec<wushe_app::service::alerts::Alert>,
}

impl Fmt for HomePage {}

/// `GET /`: counts for the user's area.
pub async fn home(State(s): State<AppState>, user: PageUser) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::kernel::overview::counts(&s.app, &actor).await {
        Ok(o) => {
            let roles = actor
                .grants
                .iter()
                .map(|g| {
                    let role = ctx.t.pick(g.role.label_zh(), g.role.label_en()).to_owned();
                    match &g.place_name {
                        Some(p) => format!("{role} · {p}"),
                        None => format!("{role} · {}", ctx.t.t("whole-system")),
                    }
                })
                .collect();
            let alerts = if actor.abilities().dispatch_orders || actor.abilities().handle_events {
                wushe_app::service::alerts::list(&s.app, &actor, None)
                    .await
                    .unwrap_or_default()
            } else {
                vec![]
            };
            render(&HomePage {
                ctx,
                o,
                roles,
                alerts,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}
