//! Named counters that hand out public numbers in order (volunteer numbers, donation receipts).

use crate::{on, Conn, Result};

/// The next value of counter `name` (1 for a new counter), inside the caller's transaction.
pub async fn next(c: &mut Conn<'_>, name: &str) -> Result<i64> {
    Ok(on!(c, c => sqlx::query_scalar::<_, i64>(
        "INSERT INTO counters (name, value) VALUES ($1, 1)
         ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value")
        .bind(name).fetch_one(c).await)?)
}
