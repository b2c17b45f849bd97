//! Named counters that hand out public numbers in order (volunteer numbers, donation receipts).

use crate::{on, Conn, Result};

/// The next value of counter `name` (1 for a new counter), inside the caller's transaction.
pub async fn next(c: &mut Conn<'_>, name: &str) -> Result<i64> {
    Ok(on!(c, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO counters (name, value) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value")
        .bind(name).fetch_one(c).await)?)
}

/// Advances counter `name` by `n` at once and returns its new value (the last of the `n` numbers taken).
pub async fn advance(c: &mut Conn<'_>, name: &str, n: i64) -> Result<i64> {
    Ok(on!(c, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO counters (name, value) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + $2 RETURNING value")
        .bind(name).bind(n).fetch_one(c).await)?)
}
