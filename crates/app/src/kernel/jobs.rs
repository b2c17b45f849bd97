//! Background work each server instance runs on a timer: flagging overdue steps (every minute) and the
//! points-expiry sweep (hourly), and purging login-failure counts and idempotency keys past their time.
//!
//! Every job is written so that running it twice, or on two instances against one PostgreSQL database at
//! once, does its work once: each due item is decided and written under a lock on its own row.

use std::time::Duration;

use crate::App;

/// How often overdue steps are looked for: a deadline is hours long, a minute late is on time enough.
const ALERTS_EVERY: Duration = Duration::from_secs(60);

/// How often points are expired. They expire on a day boundary, so hourly is soon enough and costs a few
/// queries when there is nothing to do.
const EXPIRY_EVERY: u32 = 60;

/// How often old login-failure counts and idempotency keys are purged (in minutes).
const PURGE_EVERY: u32 = 15;

/// Runs the jobs until the process ends: shortly after start, then on their timers.
pub async fn run(app: App) {
    tokio::time::sleep(Duration::from_secs(30)).await;
    let mut tick: u32 = 0;
    loop {
        match crate::service::alerts::sweep(&app, app.now()).await {
            Ok(s) if s.flagged + s.closed > 0 => {
                tracing::info!(
                    flagged = s.flagged,
                    closed = s.closed,
                    "overdue steps swept"
                )
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = ?e, "overdue sweep failed; will retry"),
        }
        if tick.is_multiple_of(EXPIRY_EVERY) {
            match crate::volunteering::points::expire_due(&app, app.today()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(volunteers = n, "points expired"),
                Err(e) => tracing::warn!(error = ?e, "points expiry sweep failed; will retry"),
            }
        }
        if tick.is_multiple_of(PURGE_EVERY) {
            if let Err(e) = crate::accounts::auth::purge_login_failures(&app).await {
                tracing::warn!(error = ?e, "purging login failures failed; will retry");
            }
            if let Err(e) = crate::kernel::idempotency::purge(&app).await {
                tracing::warn!(error = ?e, "purging idempotency keys failed; will retry");
            }
        }
        tick = tick.wrapping_add(1);
        tokio::time::sleep(ALERTS_EVERY).await;
    }
}
