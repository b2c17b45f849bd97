//! The one clock every use case reads, so that a test moves time forward instead of sleeping through a
//! deadline, an expiry or a lockout.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

/// The system clock, shifted by what tests advanced it; every clone of an [`App`](crate::App) shares it.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    shift_ms: Arc<AtomicI64>,
}

impl Clock {
    /// Now, in UTC.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock and every clone of it forward by `by` (tests: a step falls due, a session expires).
    pub fn advance(&self, by: Duration) {
        self.shift_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let a = Clock::default();
        let b = a.clone();
        let before = b.now();
        a.advance(Duration::days(2));
        let after = b.now();
        assert!(after - before >= Duration::days(2), "{before} -> {after}");
        assert!(after - before < Duration::days(2) + Duration::minutes(1));
    }
}
