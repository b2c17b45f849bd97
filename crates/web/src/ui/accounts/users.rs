//! User management pages: accounts, their roles and places, locks and password resets.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::accounts::auth::UserView;
use wushe_app::accounts::users::{NewUser, RoleInput};
use wushe_app::map::places::Place;
use wushe_domain::accounts::role::Role;

use crate::extract::ApiQuery;
use crate::ui::{error_page, refused, render, see_other, urlencode, FormErrors, PageCtx, PageUser};
use crate::AppState;

/// A role offered in a form.
pub struct RoleOption {
    /// Code.
    pub code: &'static str,
    /// Label.
    pub label: String,
}

fn role_options(ctx: &PageCtx) -> Vec<RoleOption> {
    Role::ALL
        .iter()
        .map(|r| RoleOption {
            code: r.as_str(),
            label: ctx.t.pick(r.label_zh(), r.label_en()).to_owned(),
        })
        .collect()
}

fn role_label(ctx: &PageCtx, u: &UserView) -> Vec<String> {
    u.roles
        .iter()
        .map(|r| {
            let role = ctx.t.pick(r.role.label_zh(), r.role.label_en());
            format!(
                "{role} · {}",
                r.place_name
                    .clone()
                    .unwrap_or_else(|| ctx.t.t("whole-system"))
            )
        })
        .collect()
}

/// A user row.
pub struct UserRow {
    /// The user.
    pub u: UserView,
    /// Role labels.
    pub roles: Vec<String>,
}

#[derive(Template)]
#[template(path = "accounts/users.html")]
struct UsersPage {
    ctx: PageCtx,
    items: Vec<UserRow>,
    q: String,
    next: String,
}

/// List query.
#[derive(Debug, Deserialize)]
pub struct UsersQuery {
    q: Option<String>,
    cursor: Option<String>,
}

/// `GET /users`.
pub async fn index(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::accounts::users::list(
        &s.app,
        &actor,
        q.q.as_deref().filter(|s| !s.is_empty()),
        q.cursor.as_deref(),
        None,
    )
    .await
    {
        Ok(page) => {
            let next = page
                .next_cursor
                .map(|c| {
                    format!(
                        "/users?q={}&cursor={c}",
                        urlencode(q.q.as_deref().unwrap_or(""))
                    )
                })
                .unwrap_or_default();
            let items = page
                .items
                .into_iter()
                .map(|u| UserRow {
                    roles: role_label(&ctx, &u),
                    u,
                })
                .collect();
            render(&UsersPage {
                ctx,
                items,
                q: q.q.unwrap_or_default(),
                next,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

#[derive(Template)]
#[template(path = "accounts/user_new.html")]
struct NewUserPage {
    ctx: PageCtx,
    f: UserForm,
    errors: FormErrors,
    roles: Vec<RoleOption>,
    places: Vec<Place>,
}

/// New user form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    place_id: String,
}

async fn places_for(s: &AppState, actor: &wushe_app::Actor) -> Vec<Place> {
    let mut out = Vec::new();
    for kind in [
        "district",
        "street",
        "community",
        "grid",
        "building",
        "lane",
    ] {
        if let Ok(p) =
            wushe_app::map::places::list(&s.app, actor, Some(kind), None, None, Some(300)).await
        {
            out.extend(p.items);
        }
    }
    out
}

/// `GET /users/new`.
pub async fn new_user(State(s): State<AppState>, user: PageUser) -> Response {
    let places = places_for(&s, &user.actor).await;
    let roles = role_options(&user.ctx);
    render(&NewUserPage {
        ctx: user.ctx,
        f: UserForm::default(),
        errors: FormErrors::default(),
        roles,
        places,
    })
}

/// `POST /users`.
pub async fn create(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<UserForm>,
) -> Response {
    let input = NewUser {
        username: f.username.clone(),
        password: f.password.clone(),
        display_name: f.display_name.clone(),
        roles: vec![RoleInput {
            role: f.role.clone(),
            place_id: f.place_id.parse().ok(),
        }],
    };
    match wushe_app::accounts::users::create(&s.app, &user.actor, &input).await {
        Ok(u) => see_other(&format!("/users/{}", u.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => {
                let places = places_for(&s, &user.actor).await;
                let roles = role_options(&user.ctx);
                refused(render(&NewUserPage {
                    ctx: user.ctx,
                    f: UserForm {
                        password: String::new(),
                        ..f
                    },
                    errors,
                    roles,
                    places,
                }))
            }
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "accounts/user.html")]
struct UserPage {
    ctx: PageCtx,
    u: UserView,
    role_labels: Vec<String>,
    errors: FormErrors,
    roles: Vec<RoleOption>,
    places: Vec<Place>,
}

async fn user_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::accounts::users::get(&s.app, &actor, id).await {
        Ok(u) => {
            let places = places_for(s, &actor).await;
            let role_labels = role_label(&ctx, &u);
            let roles = role_options(&ctx);
            render(&UserPage {
                ctx,
                u,
                role_labels,
                errors,
                roles,
                places,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /users/{id}`.
pub async fn show(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    user_page(&s, user, id, FormErrors::default()).await
}

/// Role form.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    place_id: String,
}

/// `POST /users/{id}/roles`: replaces the grants with the one chosen.
pub async fn set_roles(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<RoleForm>,
) -> Response {
    let roles = vec![RoleInput {
        role: f.role,
        place_id: f.place_id.parse().ok(),
    }];
    match wushe_app::accounts::users::set_roles(&s.app, &user.actor, id, &roles).await {
        Ok(_) => see_other(&format!("/users/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => user_page(&s, user, id, errs).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /users/{id}/disable`.
pub async fn disable(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    match wushe_app::accounts::users::set_disabled(&s.app, &user.actor, id, true).await {
        Ok(_) => see_other(&format!("/users/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => user_page(&s, user, id, errs).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /users/{id}/unlock`.
pub async fn unlock(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    match wushe_app::accounts::users::unlock(&s.app, &user.actor, id).await {
        Ok(_) => see_other(&format!("/users/{id}"), "saved"),
        Err(e) => error_page(user.ctx, e),
    }
}

/// `POST /users/{id}/enable`.
pub async fn enable(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    match wushe_app::accounts::users::set_disabled(&s.app, &user.actor, id, false).await {
        Ok(_) => see_other(&format!("/users/{id}"), "saved"),
        Err(e) => error_page(user.ctx, e),
    }
}

/// Reset form.
#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /users/{id}/password`.
pub async fn reset_password(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<ResetForm>,
) -> Response {
    match wushe_app::accounts::users::reset_password(&s.app, &user.actor, id, &f.password).await {
        Ok(()) => see_other(&format!("/users/{id}"), "password-reset"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => user_page(&s, user, id, errs).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}
