//! The audit log page: who changed what, filtered by action and dates, newest first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use wushe_app::kernel::audit::AuditEntry;

use crate::api::kernel::audit::AuditQuery;
use crate::extract::ApiQuery;
use crate::ui::{error_page, render, urlencode, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "kernel/audit.html")]
struct AuditPage {
    ctx: PageCtx,
    items: Vec<(String, AuditEntry)>,
    action: String,
    from: String,
    to: String,
    qs: String,
    next: String,
}

/// `GET /audit`.
pub async fn index(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::kernel::audit::list(&s.app, &actor, &q.filter(), q.cursor.as_deref(), q.limit)
        .await
    {
        Ok(page) => {
            let mut qs = Vec::new();
            if let Some(a) = q.action.as_deref().filter(|s| !s.is_empty()) {
                qs.push(format!("action={}", urlencode(a)));
            }
            if let Some(f) = q.from {
                qs.push(format!("from={f}"));
            }
            if let Some(t) = q.to {
                qs.push(format!("to={t}"));
            }
            let qs = qs.join("&");
            let next = page
                .next_cursor
                .map(|c| format!("/audit?{qs}&cursor={c}"))
                .unwrap_or_default();
            let items = page
                .items
                .into_iter()
                .map(|r| (wushe_domain::kernel::time::format_local(r.at), r))
                .collect();
            render(&AuditPage {
                ctx,
                items,
                action: q.action.unwrap_or_default(),
                from: q.from.map(|d| d.to_string()).unwrap_or_default(),
                to: q.to.map(|d| d.to_string()).unwrap_or_default(),
                qs,
                next,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}
