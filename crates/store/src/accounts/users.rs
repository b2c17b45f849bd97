//! Users, their role grants and login-failure counters.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::map::places::escape_like;
use crate::{on, Conn, Result, Scope};

/// A stored user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// User id.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Consecutive failed logins.
    pub failed_count: i64,
    /// Locked until this time.
    pub locked_until: Option<DateTime<Utc>>,
    /// Preferred locale (`zh-CN`, `en`).
    pub locale: String,
    /// Disabled since.
    pub archived_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
}

/// One role grant at a place.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoleRow {
    /// Grant id.
    pub id: Uuid,
    /// User.
    pub user_id: Uuid,
    /// Role name.
    pub role: String,
    /// Place granted at; none for a system-wide grant.
    pub place_id: Option<Uuid>,
    /// That place's path (`/` for system-wide).
    pub place_path: String,
    /// That place's name (joined; none for system-wide).
    pub place_name: Option<String>,
}

const COLS: &str = "id, username, display_name, password_hash, failed_count, locked_until, locale, archived_at, created_at";

/// Inserts a user.
pub async fn insert(c: &mut Conn<'_>, u: &UserRow, actor: Option<Uuid>) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO users (id, username, display_name, password_hash, failed_count, locked_until, locale, archived_at,
            created_at, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(u.id).bind(&u.username).bind(&u.display_name).bind(&u.password_hash).bind(u.failed_count)
        .bind(u.locked_until).bind(&u.locale).bind(u.archived_at).bind(u.created_at).bind(actor).bind(u.created_at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reads a user by id.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLS} FROM users WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, UserRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Reads a user by login name.
pub async fn by_username(c: &mut Conn<'_>, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLS} FROM users WHERE username = $1");
    Ok(on!(c, c => sqlx::query_as::<_, UserRow>(&sql).bind(username).fetch_optional(c).await)?)
}

/// Replaces the password hash.
pub async fn set_password(
    c: &mut Conn<'_>,
    id: Uuid,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2, failed_count = 0, locked_until = NULL WHERE id = $3")
        .bind(hash).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Updates name and locale.
pub async fn set_profile(
    c: &mut Conn<'_>,
    id: Uuid,
    display_name: &str,
    locale: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE users SET display_name = $1, locale = $2, updated_at = $3 WHERE id = $4")
        .bind(display_name).bind(locale).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Disables or re-enables a user.
pub async fn set_archived(
    c: &mut Conn<'_>,
    id: Uuid,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE users SET archived_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Grants a role at a place.
pub async fn grant(
    c: &mut Conn<'_>,
    user: Uuid,
    role: &str,
    place: Option<Uuid>,
    path: &str,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO user_roles (id, user_id, role, place_id, place_path, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(Uuid::now_v7()).bind(user).bind(role).bind(place).bind(path).bind(now).bind(actor).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes all grants of a user (before writing the new set).
pub async fn revoke_all(c: &mut Conn<'_>, user: Uuid) -> Result<()> {
    on!(c, c => sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The grants of a user.
pub async fn roles(c: &mut Conn<'_>, user: Uuid) -> Result<Vec<RoleRow>> {
    Ok(on!(c, c => sqlx::query_as::<_, RoleRow>(
        "SELECT ur.id, ur.user_id, ur.role, ur.place_id, ur.place_path, p.name AS place_name
         FROM user_roles ur LEFT JOIN places p ON p.id = ur.place_id WHERE ur.user_id = $1 ORDER BY ur.created_at, ur.id")
        .bind(user).fetch_all(c).await)?)
}

/// Lists users who have at least one grant inside `scope` (or, for `All`, every user), by name.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    q: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<UserRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {COLS} FROM users u WHERE 1 = 1"));
        if !matches!(scope, Scope::All) {
            qb.push(" AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id");
            scope.push_filter(&mut qb, "ur.place_path");
            qb.push(")");
        }
        if let Some(q) = q {
            let pat = format!("%{}%", escape_like(q));
            qb.push(" AND (u.username LIKE ").push_bind(pat.clone()).push(" ESCAPE '\\' OR u.display_name LIKE ")
              .push_bind(pat).push(" ESCAPE '\\')");
        }
        if let Some(a) = after {
            qb.push(" AND u.username > ").push_bind(a.to_owned());
        }
        qb.push(" ORDER BY u.username LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<UserRow>().fetch_all(c).await?)
    })
}

/// Number of users.
pub async fn count_all(c: &mut Conn<'_>) -> Result<i64> {
    Ok(on!(c, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users").fetch_one(c).await)?)
}
