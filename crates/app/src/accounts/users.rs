//! Managing users: an administrator creates and changes users only inside their own subtree, and grants
//! only roles their own role may grant (等保 level 3 keeps administration and audit apart).

use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::{can_grant, Permission, Role};
use wushe_domain::map::place::PlaceKind;
use wushe_store::accounts::users::UserRow;
use wushe_store::{Conn, Scope};

use crate::accounts::auth::{grants_of, RoleView, UserView};
use crate::kernel::audit::{self, Entry};
use crate::kernel::cache::Stale;
use crate::kernel::crypto;
use crate::kernel::page::{self, Page};
use crate::{Actor, App, AppError, AppResult, Grant};

/// A role grant as sent by a client.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RoleInput {
    /// Role name.
    #[schema(example = "grid_steward")]
    pub role: String,
    /// Place; none for a system-wide grant (admin, auditor).
    pub place_id: Option<Uuid>,
}

/// What is needed to create a user.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUser {
    /// Login name.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 3,
        max_length = 32,
        pattern = r"^[A-Za-z0-9_.@-]+$"
    )]
    pub username: String,
    /// First password.
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 128)]
    pub password: String,
    /// Shown name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub display_name: String,
    /// Grants.
    #[serde(default)]
    #[schema(required = true, min_items = 1)]
    pub roles: Vec<RoleInput>,
}

fn check_username(u: &str) -> AppResult<()> {
    let ok_len = (3..=32).contains(&u.chars().count());
    let ok_chars = u
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(AppError::field(
            "username",
            "用户名应为3-32位字母、数字或 _ - . @",
            "username must be 3-32 letters, digits or _ - . @",
        ))
    }
}

/// Checks that `actor` may grant each role at each place, and resolves the places.
async fn resolve_grants(
    c: &mut Conn<'_>,
    actor: &Actor,
    roles: &[RoleInput],
) -> AppResult<Vec<Grant>> {
    let mut out = Vec::new();
    for (i, r) in roles.iter().enumerate() {
        let field = format!("roles[{i}]");
        let role = Role::parse(&r.role)
            .ok_or_else(|| AppError::field(&format!("{field}.role"), "角色无效", "unknown role"))?;
        let (path, place_name, kind) = match r.place_id {
            Some(pid) => {
                let p = crate::map::places::load_visible(c, actor, pid)
                    .await
                    .map_err(|_| {
                        AppError::field(
                            &format!("{field}.place_id"),
                            "授权地点不存在",
                            "the place does not exist",
                        )
                    })?;
                (p.path, Some(p.name), PlaceKind::parse(&p.kind))
            }
            None => ("/".to_owned(), None, None),
        };
        match kind {
            Some(k) if !role.grantable_at().contains(&k) => {
                return Err(AppError::field(
                    &format!("{field}.place_id"),
                    &format!("{}不能授权在{}一级", role.label_zh(), k.label_zh()),
                    &format!(
                        "{} cannot be granted at a {}",
                        role.label_en(),
                        k.label_en()
                    ),
                ));
            }
            None if !matches!(role, Role::Admin | Role::Auditor) => {
                return Err(AppError::field(
                    &format!("{field}.place_id"),
                    "请选择授权地点",
                    "place_id is required for this role",
                ));
            }
            _ => {}
        }
        let may = actor.grants.iter().any(|g| {
            g.role.allows(Permission::ManageUsers)
                && path.starts_with(g.path.as_str())
                && can_grant(g.role, role)
        });
        if !may {
            return Err(AppError::Forbidden);
        }
        out.push(Grant {
            role,
            place_id: r.place_id,
            path,
            place_name,
        });
    }
    Ok(out)
}

fn view(u: &UserRow, grants: &[Grant]) -> UserView {
    UserView {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        locale: u.locale.clone(),
        roles: grants
            .iter()
            .map(|g| RoleView {
                role: g.role,
                place_id: g.place_id,
                place_name: g.place_name.clone(),
            })
            .collect(),
        disabled: u.archived_at.is_some(),
    }
}

/// A user is manageable when every one of their grants lies inside the manager's user-management scope.
fn manageable(actor: &Actor, grants: &[Grant]) -> bool {
    let scope = actor.scope(Permission::ManageUsers);
    !matches!(&scope, Scope::Paths(p) if p.is_empty())
        && grants.iter().all(|g| scope.covers(&g.path))
}

/// Creates a user; the first admin is made with [`create_first_admin`].
pub async fn create(app: &App, actor: &Actor, input: &NewUser) -> AppResult<UserView> {
    if !actor.has_anywhere(Permission::ManageUsers) {
        return Err(AppError::Forbidden);
    }
    let username = input.username.trim().to_owned();
    let display_name = wushe_domain::kernel::text::clean(&input.display_name);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    if let Err(AppError::Validation(v)) = check_username(&username) {
        v.into_iter().for_each(|f| errs.push(f));
    }
    wushe_domain::accounts::limits::DISPLAY_NAME.check(&display_name, &mut errs);
    if let Err(f) = wushe_domain::accounts::password::check_policy(&input.password, &username) {
        errs.push(f);
    }
    if input.roles.is_empty() {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "roles",
            "请至少授予一个角色",
            "at least one role is required",
        ));
    }
    errs.into_result(())?;
    let hash = crypto::hash_password_blocking(input.password.clone()).await?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let grants = resolve_grants(&mut c, actor, &input.roles).await?;
    if wushe_store::accounts::users::by_username(&mut c, &username)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "duplicate_username",
            "用户名已被使用",
            "the username is taken",
        ));
    }
    let now = app.now();
    let row = UserRow {
        id: Uuid::now_v7(),
        username,
        display_name,
        password_hash: hash,
        failed_count: 0,
        locked_until: None,
        locale: "zh-CN".into(),
        archived_at: None,
        created_at: now,
    };
    wushe_store::accounts::users::insert(&mut c, &row, actor.author()).await?;
    for g in &grants {
        wushe_store::accounts::users::grant(
            &mut c,
            row.id,
            g.role.as_str(),
            g.place_id,
            &g.path,
            actor.author(),
            now,
        )
        .await?;
    }
    audit::record(&mut c, actor, Entry {
        action: "user.create", object_type: "user", object_id: Some(row.id), place_path: grants.first().map(|g| g.path.as_str()),
        community_id: None,
        detail: json!({"username": row.username, "roles": grants.iter().map(|g| json!({"role": g.role, "place_id": g.place_id})).collect::<Vec<_>>()}),
    }).await?;
    tx.commit().await?;
    Ok(view(&row, &grants))
}

/// Reads a user the caller manages (or the caller themselves).
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<UserView> {
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    let u = wushe_store::accounts::users::get(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let grants = grants_of(&mut conn, id).await?;
    if id != actor.user_id && !manageable(actor, &grants) {
        return Err(AppError::NotFound);
    }
    Ok(view(&u, &grants))
}

/// Lists users with a grant inside the caller's user-management scope.
pub async fn list(
    app: &App,
    actor: &Actor,
    q: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<UserView>> {
    if !actor.has_anywhere(Permission::ManageUsers) {
        return Err(AppError::Forbidden);
    }
    let scope = actor.scope(Permission::ManageUsers);
    let limit = page::limit(limit)?;
    let after: Option<String> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    let rows =
        wushe_store::accounts::users::list(&mut conn, &scope, q, after.as_deref(), limit + 1)
            .await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for u in rows.iter().take(limit as usize) {
        let grants = grants_of(&mut conn, u.id).await?;
        items.push(view(u, &grants));
    }
    let next_cursor = if more {
        items.last().map(|u: &UserView| page::encode(&u.username))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// Replaces a user's grants.
pub async fn set_roles(
    app: &App,
    actor: &Actor,
    id: Uuid,
    roles: &[RoleInput],
) -> AppResult<UserView> {
    if roles.is_empty() {
        return Err(AppError::field(
            "roles",
            "请至少授予一个角色",
            "at least one role is required",
        ));
    }
    if id == actor.user_id {
        return Err(AppError::rule(
            "cannot_change_own_roles",
            "不能修改自己的角色",
            "you cannot change your own roles",
        ));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (u, _) = managed(&mut c, actor, id).await?;
    let grants = resolve_grants(&mut c, actor, roles).await?;
    let now = app.now();
    wushe_store::accounts::users::revoke_all(&mut c, id).await?;
    for g in &grants {
        wushe_store::accounts::users::grant(
            &mut c,
            id,
            g.role.as_str(),
            g.place_id,
            &g.path,
            actor.author(),
            now,
        )
        .await?;
    }
    audit::record(&mut c, actor, Entry {
        action: "user.set_roles", object_type: "user", object_id: Some(id), place_path: grants.first().map(|g| g.path.as_str()),
        community_id: None,
        detail: json!({"roles": grants.iter().map(|g| json!({"role": g.role, "place_id": g.place_id})).collect::<Vec<_>>()}),
    }).await?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(view(&u, &grants))
}

/// Disables (all sessions end) or re-enables a user.
pub async fn set_disabled(
    app: &App,
    actor: &Actor,
    id: Uuid,
    disabled: bool,
) -> AppResult<UserView> {
    if id == actor.user_id {
        return Err(AppError::rule(
            "cannot_disable_self",
            "不能停用自己的账号",
            "you cannot disable your own account",
        ));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (u, grants) = managed(&mut c, actor, id).await?;
    let now = app.now();
    wushe_store::accounts::users::set_archived(&mut c, id, disabled.then_some(now), now).await?;
    if disabled {
        wushe_store::accounts::sessions::revoke_all(&mut c, id, None, now).await?;
    }
    audit::record(
        &mut c,
        actor,
        Entry {
            action: if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            object_type: "user",
            object_id: Some(id),
            place_path: grants.first().map(|g| g.path.as_str()),
            community_id: None,
            detail: json!({}),
        },
    )
    .await?;
    let u2 = wushe_store::accounts::users::get(&mut c, id)
        .await?
        .unwrap_or(u);
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(view(&u2, &grants))
}

/// A user the caller manages, with their grants; others are `NotFound`, as if they did not exist.
async fn managed(
    c: &mut wushe_store::Conn<'_>,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(wushe_store::accounts::users::UserRow, Vec<crate::Grant>)> {
    let u = wushe_store::accounts::users::get(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let grants = grants_of(c, id).await?;
    if !manageable(actor, &grants) {
        return Err(AppError::NotFound);
    }
    Ok((u, grants))
}

/// Unlocks a user the caller manages before the 15 minutes are up (the user is still told of the lock at
/// the next login); true when there was a lock or a count to clear.
pub async fn unlock(app: &App, actor: &Actor, id: Uuid) -> AppResult<bool> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (u, grants) = managed(&mut c, actor, id).await?;
    let cleared = wushe_store::accounts::login_failures::clear(&mut c, &u.username).await? > 0;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "user.unlock",
            object_type: "user",
            object_id: Some(id),
            place_path: grants.first().map(|g| g.path.as_str()),
            community_id: None,
            detail: json!({ "cleared": cleared }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(cleared)
}

/// Sets a new password for a user the caller manages (and unlocks them).
pub async fn reset_password(app: &App, actor: &Actor, id: Uuid, new: &str) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let (u, grants) = managed(&mut c, actor, id).await?;
    if id == actor.user_id {
        return Err(AppError::NotFound);
    }
    wushe_domain::accounts::password::check_policy(new, &u.username)?;
    let hash = crypto::hash_password_blocking(new.to_owned()).await?;
    let now = app.now();
    wushe_store::accounts::users::set_password(&mut c, id, &hash, now).await?;
    wushe_store::accounts::login_failures::clear(&mut c, &u.username).await?;
    wushe_store::accounts::sessions::revoke_all(&mut c, id, None, now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "user.reset_password",
            object_type: "user",
            object_id: Some(id),
            place_path: grants.first().map(|g| g.path.as_str()),
            community_id: None,
            detail: json!({}),
        },
    )
    .await?;
    app.commit(tx, &[Stale::Sessions]).await?;
    Ok(())
}

/// Creates a system-wide administrator unless the user name exists; returns whether it was created.
pub async fn create_first_admin(app: &App, username: &str, password: &str) -> AppResult<bool> {
    check_username(username)?;
    wushe_domain::accounts::password::check_policy(password, username)?;
    {
        let mut c = app.db.read().await?;
        if wushe_store::accounts::users::by_username(&mut c.conn(), username)
            .await?
            .is_some()
        {
            return Ok(false);
        }
    }
    let hash = crypto::hash_password_blocking(password.to_owned()).await?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let now = app.now();
    let row = UserRow {
        id: Uuid::now_v7(),
        username: username.to_owned(),
        display_name: "系统管理员".into(),
        password_hash: hash,
        failed_count: 0,
        locked_until: None,
        locale: "zh-CN".into(),
        archived_at: None,
        created_at: now,
    };
    wushe_store::accounts::users::insert(&mut c, &row, None).await?;
    wushe_store::accounts::users::grant(&mut c, row.id, Role::Admin.as_str(), None, "/", None, now)
        .await?;
    audit::record(
        &mut c,
        &Actor::system(),
        Entry {
            action: "user.create",
            object_type: "user",
            object_id: Some(row.id),
            place_path: None,
            community_id: None,
            detail: json!({"username": username, "roles": [{"role": "admin"}]}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Creates a user with fixed grants on behalf of the system (demo data).
pub async fn create_system_user(
    app: &App,
    username: &str,
    display_name: &str,
    password: &str,
    grants: &[(Role, Option<Uuid>)],
) -> AppResult<()> {
    let hash = crypto::hash_password_blocking(password.to_owned()).await?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    if wushe_store::accounts::users::by_username(&mut c, username)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let now = app.now();
    let row = UserRow {
        id: Uuid::now_v7(),
        username: username.to_owned(),
        display_name: display_name.to_owned(),
        password_hash: hash,
        failed_count: 0,
        locked_until: None,
        locale: "zh-CN".into(),
        archived_at: None,
        created_at: now,
    };
    wushe_store::accounts::users::insert(&mut c, &row, None).await?;
    for (role, place) in grants {
        let path = match place {
            Some(p) => {
                wushe_store::map::places::get(&mut c, *p)
                    .await?
                    .ok_or(AppError::NotFound)?
                    .path
            }
            None => "/".into(),
        };
        wushe_store::accounts::users::grant(
            &mut c,
            row.id,
            role.as_str(),
            *place,
            &path,
            None,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
