//! Background work each server instance runs on a timer: today, the points-expiry sweep.
//!
//! Every job is written so that running it twice, or on two instances against one PostgreSQL database at
//! once, does its work once: each due item is decided and written under a lock on its own row.

use std::time::Duration;

use crate::App;

/// How often the jobs look for due work. Points expire on a day boundary, so hourly is soon enough and
/// costs a few queries when there is nothing to do.
const EVERY: Duration = Duration::from_secs(3600);

/// Runs the jobs until the process ends: once shortly after start, then every hour.
pub async fn run(app: App) {
    tokio::time::sleep(Duration::from_secs(30)).await;
    loop {
        match crate::points::expire_due(&app, app.today()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(volunteers = n, "points expired"),
            Err(e) => tracing::warn!(error = ?e, "points expiry sweep failed; will retry"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
