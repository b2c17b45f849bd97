//! Logging in and out, sessions with an idle timeout, API tokens, and changing passwords.
//!
//! Lockout follows 等保 level 3: five wrong passwords lock the account for fifteen minutes, during which
//! even the right password is refused. The counters live in the database, so every instance agrees.

use std::sync::Arc;

use chrono::{Duration, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::password::{self, LoginState};
use wushe_domain::role::Role;
use wushe_store::sessions::SessionRow;

use crate::audit::{self, Entry};
use crate::cache::{CachedSession, Stale};
use crate::crypto::{self, token_hash};
use crate::{Actor, App, AppError, AppResult, Grant};

/// Page sessions use a cookie and time out when idle; API sessions use a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// Browser pages.
    Page,
    /// API clients.
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Page => "page",
            SessionKind::Api => "api",
        }
    }
}

/// A new session: the secret token (shown once) and who it belongs to.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    /// The token; only its hash is stored.
    pub token: String,
    /// Session id.
    pub session_id: Uuid,
    /// The user.
    pub actor: Actor,
}

/// A user as `/me` and the users API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    /// Id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Preferred locale.
    pub locale: String,
    /// Role grants.
    pub roles: Vec<RoleView>,
    /// Disabled.
    pub disabled: bool,
}

/// One grant as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoleView {
    /// Role name.
    #[schema(value_type = String, example = "grid_steward")]
    pub role: Role,
    /// Place (none = whole system).
    pub place_id: Option<Uuid>,
    /// Place name.
    pub place_name: Option<String>,
}

/// Loads the grants of a user as domain roles.
pub async fn grants_of(c: &mut wushe_store::Conn<'_>, user: Uuid) -> AppResult<Vec<Grant>> {
    let rows = wushe_store::users::roles(c, user).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Role::parse(&r.role).map(|role| Grant {
                role,
                place_id: r.place_id,
                path: r.place_path,
                place_name: r.place_name,
            })
        })
        .collect())
}

/// The view of an actor.
pub fn view_of(actor: &Actor) -> UserView {
    UserView {
        id: actor.user_id,
        username: actor.username.clone(),
        display_name: actor.display_name.clone(),
        locale: actor.locale.clone(),
        roles: actor
            .grants
            .iter()
            .map(|g| RoleView {
                role: g.role,
                place_id: g.place_id,
                place_name: g.place_name.clone(),
            })
            .collect(),
        disabled: false,
    }
}

/// Checks a user name and password and opens a session.
pub async fn login(
    app: &App,
    username: &str,
    pw: &str,
    kind: SessionKind,
    ip: Option<String>,
) -> AppResult<LoggedIn> {
    let username = username.trim();
    if username.is_empty() || pw.is_empty() {
        let mut errs = wushe_domain::error::ValidationErrors::new();
        if username.is_empty() {
            errs.push(wushe_domain::error::FieldError::new(
                "username",
                "请输入用户名",
                "username is required",
            ));
        }
        if pw.is_empty() {
            errs.push(wushe_domain::error::FieldError::new(
                "password",
                "请输入密码",
                "password is required",
            ));
        }
        return Err(errs.into());
    }
    let user = {
        let mut c = app.db.read().await?;
        wushe_store::users::by_username(&mut c.conn(), username).await?
    };
    let Some(user) = user else {
        // Spend the same time as a real check so that timing does not reveal which names exist.
        let _ = crypto::verify_password_blocking(pw.to_owned(), dummy_hash()).await;
        return Err(AppError::BadCredentials);
    };
    let now = Utc::now();
    let state = LoginState {
        failed_count: user.failed_count.max(0) as u32,
        locked_until: user.locked_until,
    };
    if password::is_locked(&state, now) {
        return Err(AppError::AccountLocked(user.locked_until.unwrap_or(now)));
    }
    let ok = crypto::verify_password_blocking(pw.to_owned(), user.password_hash.clone()).await;
    let actor_for_audit = Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        locale: user.locale.clone(),
        grants: Arc::from(Vec::new()),
        ip: ip.clone(),
        session_id: None,
    };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if !ok || user.archived_at.is_some() {
        let next = password::after_failure(&state, now);
        wushe_store::users::set_login_state(
            &mut c,
            user.id,
            next.failed_count as i64,
            next.locked_until,
        )
        .await?;
        audit::record(
            &mut c,
            &actor_for_audit,
            Entry {
                action: "auth.login_failed",
                object_type: "user",
                object_id: Some(user.id),
                place_path: None,
                community_id: None,
                detail: json!({"locked": next.locked_until.is_some()}),
            },
        )
        .await?;
        tx.commit().await?;
        return Err(match next.locked_until {
            Some(until) if password::is_locked(&next, now) => AppError::AccountLocked(until),
            _ => AppError::BadCredentials,
        });
    }
    let fresh = password::after_success();
    wushe_store::users::set_login_state(
        &mut c,
        user.id,
        fresh.failed_count as i64,
        fresh.locked_until,
    )
    .await?;
    let token = crypto::new_token();
    let session_id = Uuid::now_v7();
    let expires = match kind {
        SessionKind::Page => now + Duration::hours(app.sessions.page_max_hours),
        SessionKind::Api => now + Duration::days(app.sessions.api_login_days),
    };
    wushe_store::sessions::insert(
        &mut c,
        session_id,
        user.id,
        &token_hash(&token),
        kind.as_str(),
        "login",
        now,
        expires,
        ip.as_deref(),
    )
    .await?;
    audit::record(
        &mut c,
        &actor_for_audit,
        Entry {
            action: "auth.login",
            object_type: "user",
            object_id: Some(user.id),
            place_path: None,
            community_id: None,
            detail: json!({"kind": kind.as_str()}),
        },
    )
    .await?;
    let grants = grants_of(&mut c, user.id).await?;
    tx.commit().await?;
    Ok(LoggedIn {
        token,
        session_id,
        actor: Actor {
            grants: grants.into(),
            session_id: Some(session_id),
            ..actor_for_audit
        },
    })
}

/// An Argon2 hash of a random string, checked against when the user name is unknown.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| crypto::hash_password(&crypto::generate_password()).unwrap_or_default())
        .clone()
}

/// Resolves a token to its user; page sessions end after the idle timeout.
///
/// A resolved session is cached for a minute at most, and never past the point where its last recorded use
/// is a minute old: then it is read again, so the idle timeout and the once-a-minute use record stay exact.
pub async fn authenticate(app: &App, token: &str, ip: Option<String>) -> AppResult<Actor> {
    let now = Utc::now();
    let hash = token_hash(token);
    let s = resolve(app, &hash, now).await?;
    // A calendar link travels in a URL (phone calendars cannot send headers): it opens the .ics feeds
    // and nothing else.
    if s.kind == CALENDAR {
        return Err(AppError::Unauthorized);
    }
    let idle_out = s.kind == "page"
        && s.last_seen_at + Duration::minutes(app.sessions.page_idle_minutes) < now;
    if s.expires_at < now || idle_out {
        return Err(AppError::Unauthorized);
    }
    // Only record use once a minute: a write per request would serialize readers behind the writer.
    if now - s.last_seen_at > Duration::seconds(60) {
        let mut tx = app.db.begin().await?;
        wushe_store::sessions::touch(&mut tx.conn(), s.actor.session_id.unwrap_or_default(), now)
            .await?;
        tx.commit().await?;
        let epoch = app.caches.sessions.epoch();
        app.caches.sessions.fill(
            hash,
            CachedSession {
                last_seen_at: now,
                ..s.clone()
            },
            epoch,
        );
    }
    Ok(Actor { ip, ..s.actor })
}

/// The session kind of calendar links.
const CALENDAR: &str = "calendar";

/// A session by token hash, from the cache while its last recorded use is under a minute old.
async fn resolve(app: &App, hash: &str, now: chrono::DateTime<Utc>) -> AppResult<CachedSession> {
    let fresh = |s: &CachedSession| now - s.last_seen_at <= Duration::seconds(60);
    if let Some(s) = app.caches.sessions.get(hash).filter(fresh) {
        return Ok(s);
    }
    let epoch = app.caches.sessions.epoch();
    let s = load_session(app, hash).await?;
    app.caches.sessions.fill(hash.to_owned(), s.clone(), epoch);
    Ok(s)
}

/// Resolves a calendar link's token (and only that kind) to its user, for the .ics feeds.
pub async fn authenticate_feed(app: &App, token: &str) -> AppResult<Actor> {
    let now = Utc::now();
    let s = resolve(app, &token_hash(token), now).await?;
    if s.kind != CALENDAR || s.expires_at < now {
        return Err(AppError::Unauthorized);
    }
    Ok(s.actor)
}

/// Makes the caller a new calendar link token (valid a year), revoking the one before: the link goes
/// into a phone's calendar, which cannot log in. Shown once.
pub async fn create_feed_token(app: &App, actor: &Actor) -> AppResult<String> {
    let token = crypto::new_token();
    let id = Uuid::now_v7();
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    wushe_store::sessions::revoke_kind(&mut c, actor.user_id, CALENDAR, now).await?;
    wushe_store::sessions::insert(
        &mut c,
        id,
        actor.user_id,
        &token_hash(&token),
        CALENDAR,
        "日历订阅",
        now,
        now + Duration::days(365),
        actor.ip.as_deref(),
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "auth.calendar_link",
            object_type: "session",
            object_id: Some(id),
            place_path: None,
            community_id: None,
            detail: json!({}),
        },
    )
    .await?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(token)
}

/// Reads a live session, its user and their grants in one go on one connection.
async fn load_session(app: &App, hash: &str) -> AppResult<CachedSession> {
    let mut pooled = app.db.read().await?;
    let mut c = pooled.conn();
    let s = wushe_store::sessions::by_token_hash(&mut c, hash)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let user = wushe_store::users::get(&mut c, s.user_id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if user.archived_at.is_some() {
        return Err(AppError::Unauthorized);
    }
    let grants = grants_of(&mut c, user.id).await?;
    Ok(CachedSession {
        actor: Actor {
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            locale: user.locale,
            grants: grants.into(),
            ip: None,
            session_id: Some(s.id),
        },
        kind: s.kind,
        last_seen_at: s.last_seen_at,
        expires_at: s.expires_at,
    })
}

/// Ends the caller's session.
pub async fn logout(app: &App, actor: &Actor) -> AppResult<()> {
    if let Some(sid) = actor.session_id {
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        wushe_store::sessions::revoke(&mut c, actor.user_id, sid, Utc::now()).await?;
        audit::record(
            &mut c,
            actor,
            Entry {
                action: "auth.logout",
                object_type: "user",
                object_id: Some(actor.user_id),
                place_path: None,
                community_id: None,
                detail: json!({}),
            },
        )
        .await?;
        app.commit(tx, &[Stale::Sessions]).await?;
    }
    Ok(())
}

/// Changes the caller's password after checking the current one; other sessions end.
pub async fn change_password(app: &App, actor: &Actor, current: &str, new: &str) -> AppResult<()> {
    let user = {
        let mut c = app.db.read().await?;
        wushe_store::users::get(&mut c.conn(), actor.user_id)
            .await?
            .ok_or(AppError::Unauthorized)?
    };
    if !crypto::verify_password_blocking(current.to_owned(), user.password_hash.clone()).await {
        return Err(AppError::field(
            "current_password",
            "当前密码不正确",
            "the current password is wrong",
        ));
    }
    password::check_policy(new, &user.username)?;
    if new == current {
        return Err(AppError::field(
            "password",
            "新密码不能与当前密码相同",
            "the new password must differ from the current one",
        ));
    }
    let hash = crypto::hash_password_blocking(new.to_owned()).await?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let now = Utc::now();
    wushe_store::users::set_password(&mut c, actor.user_id, &hash, now).await?;
    wushe_store::sessions::revoke_all(&mut c, actor.user_id, actor.session_id, now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "auth.change_password",
            object_type: "user",
            object_id: Some(actor.user_id),
            place_path: None,
            community_id: None,
            detail: json!({}),
        },
    )
    .await?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(())
}

/// Creates a named API token for the caller; the token is shown once.
pub async fn create_token(app: &App, actor: &Actor, name: &str) -> AppResult<(String, SessionRow)> {
    let name = wushe_domain::text::clean(name);
    let mut errs = wushe_domain::error::ValidationErrors::new();
    wushe_domain::text::check_len("name", "令牌名称", &name, 1, 50, &mut errs);
    errs.into_result(())?;
    let token = crypto::new_token();
    let id = Uuid::now_v7();
    let now = Utc::now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    wushe_store::sessions::insert(
        &mut c,
        id,
        actor.user_id,
        &token_hash(&token),
        "api",
        &name,
        now,
        now + Duration::days(app.sessions.api_token_days),
        actor.ip.as_deref(),
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "auth.token_create",
            object_type: "session",
            object_id: Some(id),
            place_path: None,
            community_id: None,
            detail: json!({"name": name}),
        },
    )
    .await?;
    let row = wushe_store::sessions::api_tokens(&mut c, actor.user_id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok((token, row))
}

/// The caller's live API tokens.
pub async fn tokens(app: &App, actor: &Actor) -> AppResult<Vec<SessionRow>> {
    let mut c = app.db.read().await?;
    Ok(wushe_store::sessions::api_tokens(&mut c.conn(), actor.user_id).await?)
}

/// Revokes one of the caller's tokens.
pub async fn revoke_token(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if !wushe_store::sessions::revoke(&mut c, actor.user_id, id, Utc::now()).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "auth.token_revoke",
            object_type: "session",
            object_id: Some(id),
            place_path: None,
            community_id: None,
            detail: json!({}),
        },
    )
    .await?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(())
}

/// Sets the caller's preferred language.
pub async fn set_locale(app: &App, actor: &Actor, locale: &str) -> AppResult<()> {
    let locale = if locale.starts_with("en") {
        "en"
    } else {
        "zh-CN"
    };
    let mut tx = app.db.begin().await?;
    wushe_store::users::set_profile(
        &mut tx.conn(),
        actor.user_id,
        &actor.display_name,
        locale,
        Utc::now(),
    )
    .await?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(())
}
