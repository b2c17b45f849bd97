//! Time as people see it: stored in UTC, shown and dated in Asia/Shanghai (China Standard Time).

use chrono::{DateTime, NaiveDate, Utc};

/// The time zone every date and displayed time is taken in.
pub const TZ: chrono_tz::Tz = chrono_tz::Asia::Shanghai;

/// The calendar date in Asia/Shanghai of an instant ("today" is `local_date(Utc::now())`).
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&TZ).date_naive()
}

/// An instant as shown on pages: `2026-03-01 09:30`, Asia/Shanghai.
pub fn format_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&TZ).format("%Y-%m-%d %H:%M").to_string()
}

/// The instant a day begins in Asia/Shanghai (China keeps no daylight saving, so midnight always exists).
pub fn start_of_day(d: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    TZ.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("midnight exists in Asia/Shanghai")
        .with_timezone(&Utc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_day_starts_at_shanghai_midnight() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            start_of_day(d),
            Utc.with_ymd_and_hms(2026, 2, 28, 16, 0, 0).unwrap()
        );
        assert_eq!(local_date(start_of_day(d)), d);
    }

    #[test]
    fn formats_in_shanghai_time() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 1, 30, 0).unwrap();
        assert_eq!(format_local(t), "2026-03-01 09:30");
    }

    #[test]
    fn date_rolls_over_at_local_midnight() {
        let before = Utc.with_ymd_and_hms(2025, 12, 31, 15, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2025, 12, 31, 16, 0, 0).unwrap();
        assert_eq!(
            local_date(before),
            NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()
        );
        assert_eq!(
            local_date(after),
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
        );
    }
}
