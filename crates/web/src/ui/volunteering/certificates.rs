//! Certificate pages: issuing a volunteer's certificate of service, reading it, and the public check of
//! its number.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::volunteering::volunteers::Volunteer;
use wushe_app::AppError;

use super::{form_error, Fmt};
use crate::extract::ApiQuery;
use crate::ui::{error_page, render, see_other, urlencode, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "volunteering/certificate_new.html")]
struct NewCertificatePage {
    ctx: PageCtx,
    v: Volunteer,
    issued: Vec<wushe_app::volunteering::certificates::Certificate>,
    from: String,
    to: String,
    errors: FormErrors,
}

impl Fmt for NewCertificatePage {}

async fn certificate_form(
    s: &AppState,
    user: PageUser,
    id: Uuid,
    from: String,
    to: String,
    errors: FormErrors,
) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let v = wushe_app::volunteering::volunteers::get(&s.app, &actor, id, false).await?;
        let issued =
            wushe_app::volunteering::certificates::of_volunteer(&s.app, &actor, id).await?;
        Ok::<_, AppError>((v, issued))
    };
    match load.await {
        Ok((v, issued)) => render(&NewCertificatePage {
            ctx,
            v,
            issued,
            from,
            to,
            errors,
        }),
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /volunteers/{id}/certificate`: choose the period; earlier certificates listed.
pub async fn new(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    let today = s.app.today().to_string();
    certificate_form(&s, user, id, String::new(), today, FormErrors::default()).await
}

/// The period form.
#[derive(Debug, Deserialize)]
pub struct PeriodForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `POST /volunteers/{id}/certificate`: issues it and shows the printable page.
pub async fn issue(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<PeriodForm>,
) -> Response {
    let day = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
    match wushe_app::volunteering::certificates::issue(
        &s.app,
        &user.actor,
        Some(id),
        day(&f.from),
        day(&f.to),
    )
    .await
    {
        Ok(c) => see_other(&format!("/certificates/{}", c.id), "saved"),
        Err(e) => match form_error(&user.ctx, e) {
            Ok(errors) => certificate_form(&s, user, id, f.from, f.to, errors).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "volunteering/certificate.html")]
struct CertificatePage {
    ctx: PageCtx,
    c: wushe_app::volunteering::certificates::Certificate,
    public: bool,
}

impl Fmt for CertificatePage {}

/// `GET /certificates/{id}`: the printable certificate.
pub async fn show(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    match wushe_app::volunteering::certificates::get(&s.app, &user.actor, id).await {
        Ok(c) => render(&CertificatePage {
            ctx: user.ctx,
            c,
            public: false,
        }),
        Err(e) => error_page(user.ctx, e),
    }
}

#[derive(Template)]
#[template(path = "volunteering/verify.html")]
struct VerifyPage {
    ctx: PageCtx,
    number: String,
    not_found: bool,
}

/// Lookup query.
#[derive(Debug, Default, Deserialize)]
pub struct NumberQuery {
    number: Option<String>,
}

/// `GET /public/certificates`: anyone checks a certificate by its number, without logging in.
pub async fn verify_form(
    parts: axum::http::request::Parts,
    ApiQuery(q): ApiQuery<NumberQuery>,
) -> Response {
    let ctx = crate::ui::anonymous_ctx(&parts);
    match q.number.filter(|n| !n.trim().is_empty()) {
        Some(n) => {
            axum::response::Redirect::to(&format!("/public/certificates/{}", urlencode(n.trim())))
                .into_response()
        }
        None => render(&VerifyPage {
            ctx,
            number: String::new(),
            not_found: false,
        }),
    }
}

/// `GET /public/certificates/{number}`: what the certificate shows, and nothing more.
pub async fn verify(
    State(s): State<AppState>,
    parts: axum::http::request::Parts,
    Path(number): Path<String>,
) -> Response {
    let ctx = crate::ui::anonymous_ctx(&parts);
    match wushe_app::volunteering::certificates::verify(&s.app, &number).await {
        Ok(c) => render(&CertificatePage {
            ctx,
            c,
            public: true,
        }),
        Err(AppError::NotFound) => {
            let mut res = render(&VerifyPage {
                ctx,
                number,
                not_found: true,
            });
            *res.status_mut() = axum::http::StatusCode::NOT_FOUND;
            res
        }
        Err(e) => error_page(ctx, e),
    }
}

use axum::response::IntoResponse;
