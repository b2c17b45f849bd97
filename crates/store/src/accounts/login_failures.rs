//! Failed logins counted per user name (existing or not), and the last lock of a real account.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// The failure count of one user name.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct FailureRow {
    /// Failures counted in the current window.
    pub failed_count: i64,
    /// When the last one was counted.
    pub last_failed_at: Option<DateTime<Utc>>,
    /// Until when every login under this name is refused.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The count of a name, if it has one (a plain read: the lock is checked before the password).
pub async fn get(c: &mut Conn<'_>, username: &str) -> Result<Option<FailureRow>> {
    Ok(on!(c, c => sqlx::query_as::<_, FailureRow>(
        "SELECT failed_count, last_failed_at, locked_until FROM login_failures WHERE username = $1")
        .bind(username).fetch_optional(c).await)?)
}

/// The count of a name read for a change inside a write transaction: the row is made if missing and
/// locked on PostgreSQL, so parallel failures queue on it (SQLite's single writer already serializes).
pub async fn get_for_update(
    c: &mut Conn<'_>,
    username: &str,
    now: DateTime<Utc>,
) -> Result<FailureRow> {
    on!(c, c => sqlx::query(
        "INSERT INTO login_failures (username, failed_count, last_failed_at) VALUES ($1, 0, $2)
         ON CONFLICT (username) DO NOTHING")
        .bind(username).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    if let Conn::Postgres(pg) = c {
        sqlx::query("SELECT username FROM login_failures WHERE username = $1 FOR UPDATE")
            .bind(username)
            .fetch_optional(&mut **pg)
            .await?;
    }
    Ok(get(c, username).await?.unwrap_or_default())
}

/// Stores the count of a name after a failure.
pub async fn set(
    c: &mut Conn<'_>,
    username: &str,
    row: &FailureRow,
    ip: Option<&str>,
) -> Result<()> {
    on!(c, c => sqlx::query(
        "UPDATE login_failures SET failed_count = $1, last_failed_at = $2, locked_until = $3, last_ip = $4
         WHERE username = $5")
        .bind(row.failed_count).bind(row.last_failed_at).bind(row.locked_until).bind(ip).bind(username)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Forgets the count of a name (a successful login, or an administrator's unlock).
pub async fn clear(c: &mut Conn<'_>, username: &str) -> Result<u64> {
    Ok(
        on!(c, c => sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// Drops counts whose last failure is older than `before` and whose lock has ended: the table holds only
/// the last quarter hour's guesses, however many names are tried.
pub async fn purge(c: &mut Conn<'_>, before: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64> {
    Ok(on!(c, c => sqlx::query(
        "DELETE FROM login_failures WHERE last_failed_at < $1 AND (locked_until IS NULL OR locked_until < $2)")
        .bind(before).bind(now).execute(c).await.map(|r| r.rows_affected()))?)
}

/// Remembers that a real account was locked, when and from where, to tell its user at the next login.
pub async fn note_lock(
    c: &mut Conn<'_>,
    user: Uuid,
    at: DateTime<Utc>,
    from: Option<&str>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE users SET locked_at = $1, locked_from = $2 WHERE id = $3")
        .bind(at).bind(from).bind(user).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The last lock of an account not yet shown to its user, cleared by this read.
pub async fn take_lock_note(
    c: &mut Conn<'_>,
    user: Uuid,
) -> Result<Option<(DateTime<Utc>, Option<String>)>> {
    let row: Option<(Option<DateTime<Utc>>, Option<String>)> = on!(c, c => sqlx::query_as(
        "SELECT locked_at, locked_from FROM users WHERE id = $1")
        .bind(user).fetch_optional(c).await)?;
    match row {
        Some((Some(at), from)) => {
            on!(c, c => sqlx::query("UPDATE users SET locked_at = NULL, locked_from = NULL WHERE id = $1")
                .bind(user).execute(c).await.map(|r| r.rows_affected()))?;
            Ok(Some((at, from)))
        }
        _ => Ok(None),
    }
}
