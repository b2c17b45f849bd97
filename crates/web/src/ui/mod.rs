//! Server-rendered pages (askama + htmx, no JS build step): a shell with a role-based left menu, lists
//! with filters and export, and forms that validate on the server and keep what was typed.

pub mod accounts;
pub mod charity;
pub mod kernel;
pub mod lists;
pub mod map;
pub mod people;
pub mod service;
pub mod volunteering;

use std::collections::HashMap;

use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use wushe_app::{Actor, AppError};

use crate::extract::{client_ip, cookie_value, token_of};
use crate::i18n::{Lang, Tr};
use crate::AppState;

/// The cookie remembering the language of visitors who are not logged in.
pub const LANG_COOKIE: &str = "wushe_lang";

/// One entry of the left menu.
#[derive(Debug, Clone)]
pub struct MenuItem {
    /// Link.
    pub href: &'static str,
    /// Label.
    pub label: String,
    /// Current page.
    pub active: bool,
}

/// What every page needs: translations, who is logged in, the menu, a message.
#[derive(Debug, Clone)]
pub struct PageCtx {
    /// Translator.
    pub t: Tr,
    /// Display name of the user.
    pub user: Option<String>,
    /// Left menu.
    pub menu: Vec<MenuItem>,
    /// Current path and query, percent-encoded (for the language switch to come back).
    pub here: String,
    /// A one-line message after an action.
    pub flash: Option<String>,
    /// What the caller may do in their area (from the app; pages recompute no permission).
    pub can: wushe_app::Abilities,
}

/// Field errors of a form, by field name.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub HashMap<String, String>);

impl FormErrors {
    /// The message for a field, or empty.
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }

    /// True when there are no errors.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Errors not tied to a shown field.
    pub fn general(&self) -> &str {
        self.get("_")
    }

    /// Turns a use-case error into form errors in the page's language; other errors pass through.
    pub fn from_app(e: AppError, t: &Tr) -> Result<FormErrors, AppError> {
        let mut m = HashMap::new();
        match e {
            AppError::Validation(v) => {
                for f in v {
                    let key = f
                        .field
                        .split(['[', '.'])
                        .next()
                        .unwrap_or(&f.field)
                        .to_owned();
                    let msg = if t.is_en() { f.message_en } else { f.message };
                    m.entry(key)
                        .and_modify(|s: &mut String| {
                            s.push('；');
                            s.push_str(&msg)
                        })
                        .or_insert(msg);
                }
            }
            AppError::Conflict { zh, en, .. }
            | AppError::Transition { zh, en, .. }
            | AppError::Rule { zh, en, .. }
            | AppError::BadUpload { zh, en } => {
                m.insert("_".into(), t.pick(&zh, &en).to_owned());
            }
            AppError::DuplicateIdNumber(id) => {
                m.insert(
                    "id_number".into(),
                    format!("{} /residents/{id}", t.t("err-duplicate-id")),
                );
                m.insert("_dup".into(), id.to_string());
            }
            AppError::Forbidden => {
                m.insert("_".into(), t.t("err-forbidden"));
            }
            other => return Err(other),
        }
        Ok(FormErrors(m))
    }
}

fn lang_for(parts: &Parts, actor: Option<&Actor>) -> Lang {
    if let Some(c) = cookie_value(&parts.headers, LANG_COOKIE) {
        return Lang::from_code(&c);
    }
    if let Some(a) = actor {
        return Lang::from_code(&a.locale);
    }
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept)
        .unwrap_or(Lang::Zh)
}

fn menu(t: &Tr, can: &wushe_app::Abilities, path: &str) -> Vec<MenuItem> {
    let mut items: Vec<(&'static str, &'static str, bool)> = vec![("/", "nav-home", true)];
    let read = can.read_people;
    items.push(("/places", "nav-places", read || can.manage_places));
    items.push(("/households", "nav-households", read));
    items.push(("/residents", "nav-residents", read));
    let volunteers = can.read_volunteers;
    items.push(("/volunteers", "nav-volunteers", volunteers));
    items.push(("/orders", "nav-orders", true));
    items.push(("/events", "nav-events", true));
    items.push((
        "/lists",
        "nav-lists",
        can.read_people || can.dispatch_orders,
    ));
    items.push(("/activities", "nav-activities", true));
    items.push(("/me/volunteer", "nav-my-volunteer", true));
    items.push(("/teams", "nav-teams", volunteers));
    items.push(("/service-hours", "nav-service-hours", volunteers));
    items.push(("/supermarket", "nav-supermarket", volunteers));
    items.push(("/imports", "nav-imports", can.import_people));
    items.push(("/users", "nav-users", can.manage_users));
    items.push(("/audit", "nav-audit", can.read_audit));
    items.push(("/account", "nav-account", true));
    items.push(("/api/docs/", "nav-api", true));
    items
        .into_iter()
        .filter(|(_, _, show)| *show)
        .map(|(href, key, _)| MenuItem {
            href,
            label: t.t(key),
            active: if href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            },
        })
        .collect()
}

/// The logged-in user of a page, with the page context; redirects to the login page otherwise.
pub struct PageUser {
    /// The caller.
    pub actor: Actor,
    /// The page context.
    pub ctx: PageCtx,
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let here = parts
            .extensions
            .get::<OriginalUri>()
            .map(|u| u.0.to_string())
            .unwrap_or_else(|| parts.uri.to_string());
        let to_login =
            || Redirect::to(&format!("/login?next={}", urlencode(&here))).into_response();
        let Some(token) = token_of(&parts.headers) else {
            return Err(to_login());
        };
        let actor =
            match wushe_app::accounts::auth::authenticate(&state.app, &token, client_ip(parts))
                .await
            {
                Ok(a) => a,
                Err(AppError::Unauthorized) => return Err(to_login()),
                Err(e) => return Err(crate::problem::ApiError::from(e).into_response()),
            };
        let t = Tr::new(lang_for(parts, Some(&actor)));
        let flash = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("msg="))
                .map(|k| t.t(&format!("msg-{k}")))
        });
        let can = actor.abilities();
        let ctx = PageCtx {
            menu: menu(&t, &can, parts.uri.path()),
            can,
            user: Some(actor.display_name.clone()),
            t,
            here: urlencode(&here),
            flash,
        };
        Ok(PageUser { actor, ctx })
    }
}

/// The page context for visitors who are not logged in (the login page).
pub fn anonymous_ctx(parts: &Parts) -> PageCtx {
    PageCtx {
        t: Tr::new(lang_for(parts, None)),
        user: None,
        menu: Vec::new(),
        here: urlencode(&parts.uri.to_string()),
        flash: None,
        can: wushe_app::Abilities::default(),
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A community's teams as form choices (id, name), for a caller who may hand work to them; none when
/// they cannot be read.
pub async fn team_choices(
    s: &AppState,
    actor: &Actor,
    community_id: uuid::Uuid,
) -> Vec<(String, String)> {
    wushe_app::volunteering::volunteers::list_teams(
        &s.app,
        actor,
        Some(community_id),
        None,
        Some(500),
    )
    .await
    .map(|p| {
        p.items
            .into_iter()
            .map(|t| (t.id.to_string(), t.name))
            .collect()
    })
    .unwrap_or_default()
}

/// A page answered with `400 Bad Request`: the form it shows again was refused.
pub fn refused(mut res: Response) -> Response {
    *res.status_mut() = StatusCode::BAD_REQUEST;
    res
}

/// Renders a page that shows a form again, as `400` when the form was refused (so scripts and tests
/// can tell a refusal from a page shown for the first time).
pub fn render_form<T: askama::Template>(tpl: &T, was_refused: bool) -> Response {
    let res = render(tpl);
    if was_refused {
        refused(res)
    } else {
        res
    }
}

/// Renders a template, or a plain error page if rendering fails.
pub fn render<T: askama::Template>(tpl: &T) -> Response {
    match tpl.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "页面生成失败 / page rendering failed",
            )
                .into_response()
        }
    }
}

/// An error page in the user's language.
#[derive(askama::Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Context.
    pub ctx: PageCtx,
    /// HTTP status.
    pub status: u16,
    /// Message.
    pub message: String,
}

/// Turns a use-case error into an error page.
pub fn error_page(ctx: PageCtx, e: AppError) -> Response {
    let p = crate::problem::Problem::from(e);
    let status = p.status_code();
    let message = if ctx.t.is_en() {
        p.detail_en.clone()
    } else {
        p.detail.clone()
    };
    let mut res = render(&ErrorPage {
        ctx,
        status: status.as_u16(),
        message,
    });
    *res.status_mut() = status;
    res
}

/// Redirect after a successful POST, with a message key.
pub fn see_other(to: &str, msg: &str) -> Response {
    let sep = if to.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{to}{sep}msg={msg}")).into_response()
}

async fn htmx_js() -> Response {
    asset(
        include_bytes!("../../assets/htmx-2.0.4.min.js"),
        "text/javascript; charset=utf-8",
    )
}

async fn style_css() -> Response {
    asset(
        include_bytes!("../../assets/style.css"),
        "text/css; charset=utf-8",
    )
}

fn asset(bytes: &'static [u8], ct: &'static str) -> Response {
    let mut res = bytes.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    res
}

/// The page routes.
pub fn router(_state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(kernel::home::home))
        .route("/login", get(accounts::auth::login_page))
        .route("/logout", post(accounts::auth::logout))
        .route("/lang/{code}", get(accounts::auth::set_lang))
        .route("/account", get(accounts::auth::account))
        .route("/account/password", post(accounts::auth::change_password))
        .route("/account/tokens", post(accounts::auth::create_token))
        .route(
            "/account/tokens/{id}/revoke",
            post(accounts::auth::revoke_token),
        )
        .route("/places", get(map::index).post(map::create))
        .route("/places/{id}", get(map::show))
        .route("/places/{id}/rename", post(map::rename))
        .route("/places/{id}/move", post(map::move_to))
        .route("/places/{id}/archive", post(map::archive))
        .route("/places/{id}/tags", post(map::add_tag))
        .route(
            "/households",
            get(people::households).post(people::create_household),
        )
        .route("/households/new", get(people::new_household))
        .route("/households/{id}", get(people::household))
        .route("/households/{id}/edit", post(people::update_household))
        .route(
            "/residents",
            get(people::residents).post(people::create_resident),
        )
        .route("/residents/new", get(people::new_resident))
        .route(
            "/residents/{id}",
            get(people::resident).post(people::update_resident),
        )
        .route("/residents/{id}/edit", get(people::edit_resident))
        .route("/residents/{id}/move", post(people::move_resident))
        .route("/residents/{id}/archive", post(people::archive_resident))
        .route("/erasures", post(people::erase))
        .route(
            "/imports",
            get(people::imports::index)
                .post(people::imports::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    wushe_app::kernel::sheet::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route("/imports/confirm", post(people::imports::confirm))
        .route(
            "/users",
            get(accounts::users::index).post(accounts::users::create),
        )
        .route("/users/new", get(accounts::users::new_user))
        .route("/users/{id}", get(accounts::users::show))
        .route("/users/{id}/roles", post(accounts::users::set_roles))
        .route("/users/{id}/disable", post(accounts::users::disable))
        .route("/users/{id}/unlock", post(accounts::users::unlock))
        .route("/users/{id}/enable", post(accounts::users::enable))
        .route(
            "/users/{id}/password",
            post(accounts::users::reset_password),
        )
        .route("/audit", get(kernel::audit::index))
        .route(
            "/volunteers",
            get(volunteering::index).post(volunteering::create),
        )
        .route("/volunteers/new", get(volunteering::new_volunteer))
        .route("/volunteers/{id}", get(volunteering::show))
        .route("/volunteers/{id}/records", post(volunteering::record))
        .route(
            "/volunteers/{id}/certificate",
            get(volunteering::certificates::new).post(volunteering::certificates::issue),
        )
        .route("/certificates/{id}", get(volunteering::certificates::show))
        .route("/volunteers/{id}/{to}", post(volunteering::set_status))
        .route("/service-records/{id}/reverse", post(volunteering::reverse))
        .route(
            "/activities",
            get(volunteering::activities).post(volunteering::create_activity),
        )
        .route("/activities/new", get(volunteering::new_activity))
        .route("/activities/{id}", get(volunteering::activity))
        .route("/activities/{id}/{action}", post(volunteering::act))
        .route(
            "/me/volunteer",
            get(volunteering::mine).post(volunteering::apply),
        )
        .route(
            "/me/volunteer/calendar-link",
            post(volunteering::calendar_link),
        )
        .route(
            "/events",
            get(service::events::list)
                .post(service::events::create)
                .layer(axum::extract::DefaultBodyLimit::max(
                    wushe_app::kernel::photos::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/events/new", get(service::events::new))
        .route("/events/rates", get(service::settings::rates))
        .route(
            "/deadlines",
            get(service::settings::deadlines).post(service::settings::set_deadlines),
        )
        .route(
            "/deadlines/categories",
            post(service::settings::add_category),
        )
        .route("/events/{id}", get(service::events::show))
        .route("/events/{id}/{action}", post(service::events::act))
        .route(
            "/orders",
            get(service::orders::board)
                .post(service::orders::create)
                .layer(axum::extract::DefaultBodyLimit::max(
                    wushe_app::kernel::photos::MAX_BYTES + 64 * 1024,
                )),
        )
        .route("/orders/new", get(service::orders::new))
        .route("/lists", get(lists::index))
        .route("/lists/demands", post(lists::add_demand))
        .route("/lists/resources", post(lists::add_resource))
        .route("/demands/{id}", get(lists::demand))
        .route("/demands/{id}/project", post(lists::propose))
        .route("/projects/{id}", get(lists::project))
        .route("/projects/{id}/{action}", post(lists::project_step))
        .route("/orders/{id}", get(service::orders::show))
        .route("/orders/{id}/{action}", post(service::orders::act))
        .route(
            "/teams",
            get(volunteering::teams::index).post(volunteering::teams::create),
        )
        .route("/teams/{id}", get(volunteering::teams::show))
        .route(
            "/teams/{id}/members",
            post(volunteering::teams::add_members),
        )
        .route(
            "/teams/{id}/members/{volunteer_id}/leave",
            post(volunteering::teams::leave),
        )
        .route("/supermarket", get(charity::supermarket))
        .route("/supermarket/items", post(charity::create_item))
        .route("/supermarket/items/{id}", get(charity::item))
        .route("/supermarket/items/{id}/{action}", post(charity::stock))
        .route(
            "/points-policy",
            get(volunteering::points::policy).post(volunteering::points::set_policy),
        )
        .route("/service-hours", get(volunteering::hours::monthly))
        .route("/assets/htmx.min.js", get(htmx_js))
        .route("/assets/style.css", get(style_css))
        .layer(axum::middleware::from_fn(refuse_nul))
}

/// The most a url-encoded page form may hold (uploads are multipart, with limits of their own).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// Refuses a page form whose fields carry a NUL character, before any handler runs, as the API's
/// extractors do: PostgreSQL cannot store one in text and no field means it. Only url-encoded forms are
/// read here; multipart uploads are judged by their own readers.
async fn refuse_nul(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, FORM_LIMIT).await {
        Ok(b) => b,
        Err(_) => {
            return crate::problem::ApiError::from(AppError::upload(
                "表单内容过大",
                "the form is too large",
            ))
            .into_response()
        }
    };
    if form_urlencoded::parse(&bytes).any(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return crate::extract::nul_refused("form").into_response();
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}
