//! Importing residents or volunteers from Excel: upload, a dry-run preview listing every bad row, then
//! confirm.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::people::import::ImportReport;
use wushe_app::AppError;

use crate::ui::{error_page, render, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "people/import.html")]
struct ImportPage {
    ctx: PageCtx,
    kind: Kind,
    communities: Vec<wushe_app::map::places::Place>,
    community_id: String,
    report: Option<ImportReport>,
    upload_id: String,
    file_name: String,
    errors: FormErrors,
    headers: String,
}

/// What a sheet holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Residents (居民导入表).
    #[default]
    Residents,
    /// Volunteers (志愿者导入表).
    Volunteers,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Residents => "residents",
            Kind::Volunteers => "volunteers",
        }
    }
}

/// What the page shows besides the report.
struct Shown {
    kind: Kind,
    community_id: Option<Uuid>,
    upload_id: String,
    file_name: String,
}

async fn page(
    s: &AppState,
    user: PageUser,
    shown: Shown,
    report: Option<ImportReport>,
    errors: FormErrors,
) -> Response {
    let PageUser { actor, ctx } = user;
    let (headers, communities) = match shown.kind {
        Kind::Residents => (
            wushe_domain::people::import::RESIDENT_HEADERS.join(" "),
            vec![],
        ),
        Kind::Volunteers => (
            wushe_domain::volunteering::sheet::VOLUNTEER_IMPORT_HEADERS.join(" "),
            crate::ui::volunteering::communities(s, &actor).await,
        ),
    };
    render(&ImportPage {
        ctx,
        kind: shown.kind,
        community_id: shown
            .community_id
            .or_else(|| communities.first().map(|c| c.id))
            .map(|c| c.to_string())
            .unwrap_or_default(),
        communities,
        report,
        upload_id: shown.upload_id,
        file_name: shown.file_name,
        errors,
        headers,
    })
}

/// Which sheet.
#[derive(Debug, Default, Deserialize)]
pub struct KindQuery {
    #[serde(default)]
    kind: Kind,
    community_id: Option<Uuid>,
}

/// `GET /imports?kind=`.
pub async fn index(
    State(s): State<AppState>,
    user: PageUser,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<KindQuery>,
) -> Response {
    let shown = Shown {
        kind: q.kind,
        community_id: q.community_id,
        upload_id: String::new(),
        file_name: String::new(),
    };
    page(&s, user, shown, None, FormErrors::default()).await
}

async fn run(
    s: &AppState,
    user: &PageUser,
    kind: Kind,
    community_id: Option<Uuid>,
    name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport, AppError> {
    match kind {
        Kind::Residents => {
            wushe_app::people::import::residents(&s.app, &user.actor, name, bytes, dry_run).await
        }
        Kind::Volunteers => {
            wushe_app::volunteering::import::volunteers(
                &s.app,
                &user.actor,
                name,
                bytes,
                community_id,
                dry_run,
            )
            .await
        }
    }
}

/// `POST /imports?kind=`: checks the file (nothing written) and keeps it for the confirmation.
pub async fn upload(
    State(s): State<AppState>,
    user: PageUser,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<KindQuery>,
    m: Multipart,
) -> Response {
    let mut shown = Shown {
        kind: q.kind,
        community_id: q.community_id,
        upload_id: String::new(),
        file_name: String::new(),
    };
    let up = match crate::api::people::imports::read_upload(m).await {
        Ok(u) => u,
        Err(e) => {
            let msg = if user.ctx.t.is_en() {
                e.0.detail_en.clone()
            } else {
                e.0.detail.clone()
            };
            let mut errs = FormErrors::default();
            errs.0.insert("_".into(), msg);
            return page(&s, user, shown, None, errs).await;
        }
    };
    shown.community_id = up.community_id.or(shown.community_id);
    shown.file_name = up.file_name.clone();
    match run(
        &s,
        &user,
        shown.kind,
        shown.community_id,
        &up.file_name,
        &up.bytes,
        true,
    )
    .await
    {
        Ok(report) => {
            let id = match wushe_app::people::import::keep_upload(
                &s.app,
                &user.actor,
                &up.file_name,
                &up.bytes,
            )
            .await
            {
                Ok(id) => id,
                Err(e) => return error_page(user.ctx, e),
            };
            shown.upload_id = id.to_string();
            page(&s, user, shown, Some(report), FormErrors::default()).await
        }
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => page(&s, user, shown, None, errs).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Confirmation form.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    upload_id: Uuid,
    #[serde(default)]
    kind: Kind,
    #[serde(default)]
    community_id: String,
}

/// `POST /imports/confirm`: imports the previewed file for real.
pub async fn confirm(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let (name, bytes) =
        match wushe_app::people::import::kept_upload(&s.app, &user.actor, f.upload_id).await {
            Ok(Some(x)) => x,
            Ok(None) => return error_page(user.ctx, AppError::NotFound),
            Err(e) => return error_page(user.ctx, e),
        };
    let community_id = f.community_id.trim().parse().ok();
    match run(&s, &user, f.kind, community_id, &name, &bytes, false).await {
        Ok(report) => {
            if let Err(e) = wushe_app::people::import::drop_upload(&s.app, f.upload_id).await {
                tracing::warn!(error = %e, "could not remove a used upload");
            }
            let shown = Shown {
                kind: f.kind,
                community_id,
                upload_id: String::new(),
                file_name: name,
            };
            page(&s, user, shown, Some(report), FormErrors::default()).await
        }
        Err(e) => error_page(user.ctx, e),
    }
}
