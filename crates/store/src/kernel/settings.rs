//! Small key-value settings kept in the database (e.g. whether the demo has been seeded).

use crate::{on, Conn, Result};

/// Reads a setting.
pub async fn get(c: &mut Conn<'_>, key: &str) -> Result<Option<String>> {
    Ok(
        on!(c, c => sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(c).await)?,
    )
}

/// Writes a setting.
pub async fn put(c: &mut Conn<'_>, key: &str, value: &str) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key).bind(value).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Removes a setting.
pub async fn delete(c: &mut Conn<'_>, key: &str) -> Result<()> {
    on!(c, c => sqlx::query("DELETE FROM settings WHERE key = $1")
        .bind(key).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}
