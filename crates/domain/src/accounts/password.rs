//! Password policy and login lockout, as 等保 level 3 (GB/T 22239-2019, 身份鉴别) asks:
//! complex enough passwords and a limit on failed logins that locks the account for a while.

use chrono::{DateTime, Duration, Utc};

use crate::kernel::error::FieldError;

/// Wrong passwords in a row that lock an account.
pub const MAX_FAILURES: u32 = 5;
/// How long a locked account stays locked, in minutes.
pub const LOCK_MINUTES: i64 = 15;
/// Fewest chars in a password.
pub const MIN_LEN: usize = 10;
/// Most chars in a password; argon2 hashing cost grows with the input.
pub const MAX_LEN: usize = 128;

fn err(zh: &str, en: &str) -> FieldError {
    FieldError::new("password", zh, en)
}

/// Checks a new password against the policy; the first broken rule is reported.
pub fn check_policy(pw: &str, username: &str) -> Result<(), FieldError> {
    let n = pw.chars().count();
    if n < MIN_LEN {
        return Err(err(
            "密码至少10个字符",
            "password must have at least 10 characters",
        ));
    }
    if n > MAX_LEN {
        return Err(err(
            "密码不能超过128个字符",
            "password must have at most 128 characters",
        ));
    }
    if pw.to_lowercase() == username.trim().to_lowercase() {
        return Err(err(
            "密码不能与用户名相同",
            "password must not be the same as the username",
        ));
    }
    let mut chars = pw.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return Err(err(
                "密码不能由同一个字符重复组成",
                "password must not be one character repeated",
            ));
        }
    }
    Ok(())
}

/// Failed-login bookkeeping of one user name (counted whether or not such a user exists, so that a
/// locked account and an unknown name answer alike).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginState {
    /// Wrong passwords counted in the current window.
    pub failed_count: u32,
    /// When the last one was counted.
    pub last_failed_at: Option<DateTime<Utc>>,
    /// Until when the name refuses every login, even with the right password.
    pub locked_until: Option<DateTime<Utc>>,
}

/// True while the account is locked at `now`.
pub fn is_locked(state: &LoginState, now: DateTime<Utc>) -> bool {
    state.locked_until.is_some_and(|until| now < until)
}

/// The state after a wrong password at `now`: the fifth within 15 minutes of each other locks for 15
/// minutes; a failure more than 15 minutes after the last one starts counting again.
///
/// Attempts while locked change nothing, so that hammering a locked account cannot extend the
/// lock forever (that would let anyone keep a colleague out).
pub fn after_failure(state: &LoginState, now: DateTime<Utc>) -> LoginState {
    if is_locked(state, now) {
        return *state;
    }
    let window_open = state
        .last_failed_at
        .is_some_and(|last| now - last < Duration::minutes(LOCK_MINUTES));
    let before = if window_open { state.failed_count } else { 0 };
    let failed_count = before.saturating_add(1);
    LoginState {
        failed_count: if failed_count >= MAX_FAILURES {
            0
        } else {
            failed_count
        },
        last_failed_at: Some(now),
        locked_until: (failed_count >= MAX_FAILURES).then(|| now + Duration::minutes(LOCK_MINUTES)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 1, 30, 0).unwrap()
    }

    #[test]
    fn policy_rules() {
        assert!(check_policy("correct-horse", "zhangsan").is_ok());
        let e = check_policy("short", "zhangsan").unwrap_err();
        assert_eq!(e.field, "password");
        assert_eq!(e.message, "密码至少10个字符");
        assert_eq!(check_policy("一二三四五六七八九十", "u"), Ok(()));
        assert_eq!(
            check_policy(&"ab".repeat(65), "u").unwrap_err().message,
            "密码不能超过128个字符"
        );
        assert!(check_policy(&"ab".repeat(64), "u").is_ok());
        assert_eq!(
            check_policy("WangXiaoMing", "wangxiaoming")
                .unwrap_err()
                .message,
            "密码不能与用户名相同"
        );
        assert_eq!(
            check_policy("aaaaaaaaaaaa", "u").unwrap_err().message,
            "密码不能由同一个字符重复组成"
        );
    }

    #[test]
    fn four_failures_do_not_lock() {
        let mut s = LoginState::default();
        for _ in 0..4 {
            s = after_failure(&s, t0());
        }
        assert_eq!(s.failed_count, 4);
        assert!(!is_locked(&s, t0()));
    }

    #[test]
    fn fifth_failure_locks_for_fifteen_minutes() {
        let mut s = LoginState::default();
        for _ in 0..5 {
            s = after_failure(&s, t0());
        }
        assert_eq!(s.failed_count, 0);
        assert_eq!(s.locked_until, Some(t0() + Duration::minutes(15)));
        // Locked even if the next attempt has the right password: the app asks is_locked first.
        assert!(is_locked(&s, t0()));
        assert!(is_locked(&s, t0() + Duration::minutes(14)));
        assert!(is_locked(&s, t0() + Duration::seconds(15 * 60 - 1)));
        assert!(!is_locked(&s, t0() + Duration::minutes(15)));
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let mut s = LoginState::default();
        for _ in 0..5 {
            s = after_failure(&s, t0());
        }
        let later = after_failure(&s, t0() + Duration::minutes(10));
        assert_eq!(later, s);
    }

    #[test]
    fn after_the_lock_counting_starts_again() {
        let mut s = LoginState::default();
        for _ in 0..5 {
            s = after_failure(&s, t0());
        }
        let t1 = t0() + Duration::minutes(16);
        let s = after_failure(&s, t1);
        assert_eq!(s.failed_count, 1);
        assert!(!is_locked(&s, t1));
    }

    #[test]
    fn failures_far_apart_do_not_add_up() {
        let mut s = LoginState::default();
        for i in 0..10 {
            s = after_failure(&s, t0() + Duration::minutes(16 * i));
            assert_eq!(s.failed_count, 1);
        }
    }

    #[test]
    fn a_first_failure_counts_one() {
        let s = after_failure(&LoginState::default(), t0());
        assert_eq!(s.failed_count, 1);
    }
}
