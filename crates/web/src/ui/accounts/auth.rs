//! Login, logout, language and the account page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::accounts::auth::SessionKind;
use wushe_app::AppError;

use crate::extract::ApiQuery;
use crate::extract::{client_ip, SESSION_COOKIE};
use crate::ui::{
    anonymous_ctx, error_page, render, see_other, FormErrors, PageCtx, PageUser, LANG_COOKIE,
};
use crate::AppState;

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    ctx: PageCtx,
    username: String,
    next: String,
    error: String,
}

/// Login query.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after login or a language switch: a path on this site, or `/`.
///
/// Browsers read `\` as `/`, so `/\evil.example/` is another site to them just like `//evil.example/`;
/// control characters and spaces are dropped by some before they resolve. Only a plain path qualifies.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/login")
                && n.bytes().all(|b| b > b' ' && b != 0x7f && b != b'\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// `GET /login`.
pub async fn login_page(parts: Parts, ApiQuery(q): ApiQuery<NextQuery>) -> Response {
    render(&LoginPage {
        ctx: anonymous_ctx(&parts),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        error: String::new(),
    })
}

/// Shown once after a login when the account was locked since the last one.
#[derive(Template)]
#[template(path = "accounts/lock_note.html")]
struct LockNotePage {
    ctx: PageCtx,
    at: String,
    from: String,
    next: String,
}

/// Login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn session_cookie(token: &str, secure: bool, max_age: i64) -> HeaderValue {
    let v = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&v).expect("cookie is ASCII")
}

/// `POST /login`.
pub async fn login_submit(
    State(s): State<AppState>,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Response {
    let ctx = anonymous_ctx(&parts);
    let next = safe_next(f.next.as_deref());
    match wushe_app::accounts::auth::login(
        &s.app,
        &f.username,
        &f.password,
        SessionKind::Page,
        client_ip(&parts),
    )
    .await
    {
        Ok(l) => {
            let mut res = match &l.lock_note {
                None => Redirect::to(&next).into_response(),
                Some(n) => render(&LockNotePage {
                    at: crate::ui::volunteering::local(&n.at),
                    from: n.from.clone().unwrap_or_else(|| "-".into()),
                    next: next.clone(),
                    ctx,
                }),
            };
            res.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(
                    &l.token,
                    s.secure_cookies || crate::extract::is_https(&parts),
                    s.app.sessions.page_max_hours * 3600,
                ),
            );
            res
        }
        Err(e) => {
            let p = crate::problem::Problem::from(e);
            let error = if ctx.t.is_en() {
                p.detail_en.clone()
            } else {
                p.detail.clone()
            };
            let mut res = render(&LoginPage {
                ctx,
                username: f.username,
                next,
                error,
            });
            *res.status_mut() = p.status_code();
            res
        }
    }
}

/// `POST /logout`.
pub async fn logout(State(s): State<AppState>, user: PageUser) -> Response {
    let _ = wushe_app::accounts::auth::logout(&s.app, &user.actor).await;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .append(header::SET_COOKIE, session_cookie("", s.secure_cookies, 0));
    res
}

/// `GET /lang/{code}`: switches the language (cookie, and the user's setting when logged in).
pub async fn set_lang(
    State(s): State<AppState>,
    parts: Parts,
    Path(code): Path<String>,
    ApiQuery(q): ApiQuery<NextQuery>,
) -> Response {
    let lang = crate::i18n::Lang::from_code(&code);
    if let Some(token) = crate::extract::token_of(&parts.headers) {
        if let Ok(a) = wushe_app::accounts::auth::authenticate(&s.app, &token, None).await {
            let _ = wushe_app::accounts::auth::set_locale(&s.app, &a, lang.code()).await;
        }
    }
    let mut res = Redirect::to(&safe_next(q.next.as_deref())).into_response();
    let secure = s.secure_cookies || crate::extract::is_https(&parts);
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000{}",
        lang.code(),
        if secure { "; Secure" } else { "" }
    );
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("ASCII"),
    );
    res
}

/// A token row on the account page.
pub struct TokenRow {
    id: Uuid,
    name: String,
    created: String,
    expires: String,
}

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    ctx: PageCtx,
    username: String,
    errors: FormErrors,
    tokens: Vec<TokenRow>,
    new_token: String,
}

async fn account_page(
    s: &AppState,
    user: PageUser,
    errors: FormErrors,
    new_token: String,
) -> Response {
    let PageUser { actor, ctx } = user;
    let tokens = match wushe_app::accounts::auth::tokens(&s.app, &actor).await {
        Ok(t) => t,
        Err(e) => return error_page(ctx, e),
    };
    let tokens = tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            // Logging in through the API makes a token of this name; the page says what it is.
            name: if t.name == "login" {
                ctx.t.t("token-from-login")
            } else {
                t.name
            },
            created: wushe_domain::kernel::time::format_local(t.created_at),
            expires: wushe_domain::kernel::time::format_local(t.expires_at),
        })
        .collect();
    render(&AccountPage {
        ctx,
        username: actor.username,
        errors,
        tokens,
        new_token,
    })
}

/// `GET /account`.
pub async fn account(State(s): State<AppState>, user: PageUser) -> Response {
    account_page(&s, user, FormErrors::default(), String::new()).await
}

/// Password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

/// `POST /account/password`.
pub async fn change_password(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<PasswordForm>,
) -> Response {
    if f.password != f.password2 {
        let mut e = FormErrors::default();
        e.0.insert("password2".into(), user.ctx.t.t("err-password-mismatch"));
        return account_page(&s, user, e, String::new()).await;
    }
    match wushe_app::accounts::auth::change_password(
        &s.app,
        &user.actor,
        &f.current_password,
        &f.password,
    )
    .await
    {
        Ok(()) => see_other("/account", "password-changed"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => account_page(&s, user, errs, String::new()).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// `POST /account/tokens`: shows the new token once.
pub async fn create_token(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<TokenForm>,
) -> Response {
    match wushe_app::accounts::auth::create_token(&s.app, &user.actor, &f.name).await {
        Ok(t) => account_page(&s, user, FormErrors::default(), t.token.unwrap_or_default()).await,
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => account_page(&s, user, errs, String::new()).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match wushe_app::accounts::auth::revoke_token(&s.app, &user.actor, id).await {
        Ok(()) => see_other("/account", "token-revoked"),
        Err(AppError::NotFound) => see_other("/account", "token-revoked"),
        Err(e) => error_page(user.ctx, e),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_on_this_site() {
        assert_eq!(
            safe_next(Some("/residents?tag=低保")),
            "/residents?tag=低保"
        );
        for evil in [
            "//evil.example/",
            "/\\evil.example/",
            "/\\/evil.example",
            "https://evil.example/",
            "/\t/evil.example",
            " /x",
            "/login?next=//evil.example",
            "evil.example",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
