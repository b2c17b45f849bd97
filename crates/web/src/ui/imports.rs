//! Importing residents from Excel: upload, a dry-run preview listing every bad row, then confirm.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use axum::Form;
use chrono::{Duration, Utc};
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::import::ImportReport;
use wushe_app::AppError;

use super::{error_page, render, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ctx: PageCtx,
    report: Option<ImportReport>,
    upload_id: String,
    file_name: String,
    errors: FormErrors,
    headers: String,
}

fn page(
    ctx: PageCtx,
    report: Option<ImportReport>,
    upload_id: String,
    file_name: String,
    errors: FormErrors,
) -> Response {
    let headers = wushe_domain::import::RESIDENT_HEADERS.join(" ");
    render(&ImportPage {
        ctx,
        report,
        upload_id,
        file_name,
        errors,
        headers,
    })
}

/// `GET /imports`.
pub async fn index(user: PageUser) -> Response {
    page(
        user.ctx,
        None,
        String::new(),
        String::new(),
        FormErrors::default(),
    )
}

/// `POST /imports`: checks the file (nothing written) and keeps it for the confirmation.
pub async fn upload(State(s): State<AppState>, user: PageUser, m: Multipart) -> Response {
    let up = match crate::api::imports::read_upload(m).await {
        Ok(u) => u,
        Err(e) => {
            let msg = if user.ctx.t.is_en() {
                e.0.detail_en.clone()
            } else {
                e.0.detail.clone()
            };
            let mut errs = FormErrors::default();
            errs.0.insert("_".into(), msg);
            return page(user.ctx, None, String::new(), String::new(), errs);
        }
    };
    match wushe_app::import::residents(&s.app, &user.actor, &up.file_name, &up.bytes, true).await {
        Ok(report) => {
            let id = Uuid::now_v7();
            let kept = async {
                let mut tx = s.app.db.begin().await?;
                let mut c = tx.conn();
                wushe_store::imports::purge_uploads(&mut c, Utc::now() - Duration::hours(24), None)
                    .await?;
                wushe_store::imports::save_upload(
                    &mut c,
                    id,
                    user.actor.user_id,
                    &up.file_name,
                    &up.bytes,
                    Utc::now(),
                )
                .await?;
                tx.commit().await
            }
            .await;
            if let Err(e) = kept {
                return error_page(user.ctx, e.into());
            }
            page(
                user.ctx,
                Some(report),
                id.to_string(),
                up.file_name,
                FormErrors::default(),
            )
        }
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => page(user.ctx, None, String::new(), up.file_name, errs),
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Confirmation form.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    upload_id: Uuid,
}

/// `POST /imports/confirm`: imports the previewed file for real.
pub async fn confirm(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let loaded = async {
        let mut tx = s.app.db.begin().await?;
        let r = wushe_store::imports::load_upload(
            &mut tx.conn(),
            f.upload_id,
            user.actor.user_id,
            Utc::now() - Duration::hours(24),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, wushe_store::Error>(r)
    }
    .await;
    let (name, bytes) = match loaded {
        Ok(Some(x)) => x,
        Ok(None) => return error_page(user.ctx, AppError::NotFound),
        Err(e) => return error_page(user.ctx, e.into()),
    };
    match wushe_app::import::residents(&s.app, &user.actor, &name, &bytes, false).await {
        Ok(report) => {
            let cleanup = async {
                let mut tx = s.app.db.begin().await?;
                wushe_store::imports::purge_uploads(
                    &mut tx.conn(),
                    Utc::now() - Duration::hours(24),
                    Some(f.upload_id),
                )
                .await?;
                tx.commit().await
            }
            .await;
            if let Err(e) = cleanup {
                tracing::warn!(error = %e, "could not remove a used upload");
            }
            page(
                user.ctx,
                Some(report),
                String::new(),
                name,
                FormErrors::default(),
            )
        }
        Err(e) => error_page(user.ctx, e),
    }
}
