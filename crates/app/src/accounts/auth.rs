//! Logging in and out, sessions with an idle timeout, API tokens, and changing passwords.
//!
//! Lockout follows 等保 level 3: five wrong passwords lock the account for fifteen minutes, during which
//! even the right password is refused. The counters live in the database, so every instance agrees.

use std::sync::Arc;

use chrono::{Duration, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::password::{self, LoginState};
use wushe_domain::accounts::role::Role;
use wushe_store::accounts::sessions::SessionRow;

use crate::kernel::audit::{self, Entry};
use crate::kernel::cache::{CachedSession, Stale};
use crate::kernel::crypto::{self, token_hash};
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

/// The last lock of an account, told to its user at the next login.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LockNote {
    /// When it was locked.
    pub at: chrono::DateTime<Utc>,
    /// The address the failed logins came from.
    pub from: Option<String>,
}

/// A new session: the secret token (shown once) and who it belongs to.
#[derive(Debug, Clone)]
pub struct LoggedIn {
    /// The account was locked since the user's last login: when and from where.
    pub lock_note: Option<LockNote>,
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
    let rows = wushe_store::accounts::users::roles(c, user).await?;
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
    // Names are bounded so that the failure table stays small whatever is typed; no real one is longer.
    let bounded: String = username.trim().chars().take(64).collect();
    let username = bounded.as_str();
    if username.is_empty() || pw.is_empty() {
        let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
        if username.is_empty() {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "username",
                "请输入用户名",
                "username is required",
            ));
        }
        if pw.is_empty() {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "password",
                "请输入密码",
                "password is required",
            ));
        }
        return Err(errs.into());
    }
    let (user, count) = {
        let mut c = app.db.read().await?;
        let mut c = c.conn();
        (
            wushe_store::accounts::users::by_username(&mut c, username).await?,
            wushe_store::accounts::login_failures::get(&mut c, username).await?,
        )
    };
    let now = app.now();
    // A locked name is refused before its password is looked at, whether or not the user exists.
    if let Some(until) = count
        .as_ref()
        .and_then(|f| f.locked_until)
        .filter(|until| now < *until)
    {
        return Err(AppError::AccountLocked(until));
    }
    let ok = match &user {
        Some(u) => crypto::verify_password_blocking(pw.to_owned(), u.password_hash.clone()).await,
        None => {
            // Spend the same time as a real check so that timing does not reveal which names exist.
            let _ = crypto::verify_password_blocking(pw.to_owned(), dummy_hash()).await;
            false
        }
    };
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let user = match user {
        Some(u) if ok && u.archived_at.is_none() => u,
        user => {
            let next = count_failure(&mut c, username, now, ip.as_deref()).await?;
            if let Some(u) = &user {
                let locked = next.locked_until.is_some();
                if locked {
                    wushe_store::accounts::login_failures::note_lock(
                        &mut c,
                        u.id,
                        now,
                        ip.as_deref(),
                    )
                    .await?;
                }
                audit::record(
                    &mut c,
                    &audit_actor(u, ip.clone()),
                    Entry {
                        action: "auth.login_failed",
                        object_type: "user",
                        object_id: Some(u.id),
                        place_path: None,
                        community_id: None,
                        detail: json!({ "locked": locked }),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            return Err(match next.locked_until {
                Some(until) => AppError::AccountLocked(until),
                None => AppError::BadCredentials,
            });
        }
    };
    // A lock taken by parallel guesses while this password was being checked still holds.
    if let Some(until) = wushe_store::accounts::login_failures::get(&mut c, username)
        .await?
        .and_then(|f| f.locked_until)
        .filter(|until| now < *until)
    {
        return Err(AppError::AccountLocked(until));
    }
    wushe_store::accounts::login_failures::clear(&mut c, username).await?;
    let lock_note = wushe_store::accounts::login_failures::take_lock_note(&mut c, user.id).await?;
    let actor_for_audit = audit_actor(&user, ip.clone());
    let token = crypto::new_token();
    let session_id = Uuid::now_v7();
    let expires = match kind {
        SessionKind::Page => now + Duration::hours(app.sessions.page_max_hours),
        SessionKind::Api => now + Duration::days(app.sessions.api_login_days),
    };
    wushe_store::accounts::sessions::insert(
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
        lock_note: lock_note.map(|(at, from)| LockNote { at, from }),
        actor: Actor {
            grants: grants.into(),
            session_id: Some(session_id),
            ..actor_for_audit
        },
    })
}

/// Counts one failed login under `username` (atomically: the row is locked for the change) and returns
/// the new state; the fifth failure within 15 minutes locks the name.
async fn count_failure(
    c: &mut wushe_store::Conn<'_>,
    username: &str,
    now: chrono::DateTime<Utc>,
    ip: Option<&str>,
) -> AppResult<LoginState> {
    let row = wushe_store::accounts::login_failures::get_for_update(c, username, now).await?;
    let state = LoginState {
        failed_count: row.failed_count.clamp(0, i64::from(u32::MAX)) as u32,
        last_failed_at: row.last_failed_at,
        locked_until: row.locked_until,
    };
    let next = password::after_failure(&state, now);
    wushe_store::accounts::login_failures::set(
        c,
        username,
        &wushe_store::accounts::login_failures::FailureRow {
            failed_count: i64::from(next.failed_count),
            last_failed_at: next.last_failed_at,
            locked_until: next.locked_until,
        },
        ip,
    )
    .await?;
    Ok(next)
}

/// The actor an audit row about a login names: the user, without grants or session.
fn audit_actor(user: &wushe_store::accounts::users::UserRow, ip: Option<String>) -> Actor {
    Actor {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        locale: user.locale.clone(),
        grants: Arc::from(Vec::new()),
        ip,
        session_id: None,
    }
}

/// Forgets failures older than the lock window; run by the background job.
pub async fn purge_login_failures(app: &App) -> AppResult<u64> {
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let n = wushe_store::accounts::login_failures::purge(
        &mut tx.conn(),
        now - Duration::minutes(password::LOCK_MINUTES),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(n)
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
    let now = app.now();
    let hash = token_hash(token);
    let s = resolve(app, &hash, now).await?;
    // A calendar link travels in a URL (phone calendars cannot send headers): it opens the .ics feeds
    // and nothing else.
    if s.kind == CALENDAR {
        return Err(AppError::Unauthorized);
    }
    // A page idles out after half an hour; an API token (a script, a partner system) after a month
    // unused: a token forgotten on a lost phone or an old server stops working by itself.
    let idle = if s.kind == "page" {
        Duration::minutes(app.sessions.page_idle_minutes)
    } else {
        Duration::days(app.sessions.api_idle_days)
    };
    let idle_out = s.last_seen_at + idle < now;
    if s.expires_at < now || idle_out {
        return Err(AppError::Unauthorized);
    }
    // Only record use once a minute: a write per request would serialize readers behind the writer.
    if now - s.last_seen_at > Duration::seconds(60) {
        let mut tx = app.db.begin().await?;
        wushe_store::accounts::sessions::touch(
            &mut tx.conn(),
            s.actor.session_id.unwrap_or_default(),
            now,
        )
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
    let now = app.now();
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
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    wushe_store::accounts::sessions::revoke_kind(&mut c, actor.user_id, CALENDAR, now).await?;
    wushe_store::accounts::sessions::insert(
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
    let s = wushe_store::accounts::sessions::by_token_hash(&mut c, hash)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let user = wushe_store::accounts::users::get(&mut c, s.user_id)
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
        wushe_store::accounts::sessions::revoke(&mut c, actor.user_id, sid, app.now()).await?;
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
        wushe_store::accounts::users::get(&mut c.conn(), actor.user_id)
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
    let now = app.now();
    wushe_store::accounts::users::set_password(&mut c, actor.user_id, &hash, now).await?;
    wushe_store::accounts::sessions::revoke_all(&mut c, actor.user_id, actor.session_id, now)
        .await?;
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

/// An API token as its owner sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    /// Token id (to revoke it).
    pub id: Uuid,
    /// Label.
    pub name: String,
    /// The secret, shown only when created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Created.
    pub created_at: chrono::DateTime<Utc>,
    /// Expires.
    pub expires_at: chrono::DateTime<Utc>,
    /// Last used.
    pub last_seen_at: chrono::DateTime<Utc>,
}

impl ApiToken {
    fn of(s: SessionRow, token: Option<String>) -> ApiToken {
        ApiToken {
            id: s.id,
            name: s.name,
            token,
            created_at: s.created_at,
            expires_at: s.expires_at,
            last_seen_at: s.last_seen_at,
        }
    }
}

/// Creates a named API token for the caller; the token is shown once, in the answer.
pub async fn create_token(app: &App, actor: &Actor, name: &str) -> AppResult<ApiToken> {
    let name = wushe_domain::kernel::text::clean(name);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::accounts::limits::TOKEN_NAME.check(&name, &mut errs);
    errs.into_result(())?;
    let token = crypto::new_token();
    let id = Uuid::now_v7();
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    wushe_store::accounts::sessions::insert(
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
    let row = wushe_store::accounts::sessions::api_tokens(&mut c, actor.user_id)
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(ApiToken::of(row, Some(token)))
}

/// The caller's live API tokens.
pub async fn tokens(app: &App, actor: &Actor) -> AppResult<Vec<ApiToken>> {
    let mut c = app.db.read().await?;
    let rows = wushe_store::accounts::sessions::api_tokens(&mut c.conn(), actor.user_id).await?;
    Ok(rows.into_iter().map(|r| ApiToken::of(r, None)).collect())
}

/// Revokes one of the caller's tokens.
pub async fn revoke_token(app: &App, actor: &Actor, id: Uuid) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if !wushe_store::accounts::sessions::revoke(&mut c, actor.user_id, id, app.now()).await? {
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
    wushe_store::accounts::users::set_profile(
        &mut tx.conn(),
        actor.user_id,
        &actor.display_name,
        locale,
        app.now(),
    )
    .await?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(())
}
