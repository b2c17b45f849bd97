//! Service records (服务记录): the fields 《志愿服务记录与证明出具办法(试行)》 (2020) asks for, and the
//! limits that keep a record believable. A record is never edited: a correction is a reversing record
//! with a reason and who made it.

use chrono::NaiveDate;

use crate::kernel::error::{FieldError, ValidationErrors};
use crate::kernel::refusal::Refusal;
use crate::kernel::text;

/// Minutes in a day: no one serves more than this in one day, summed over all their records.
pub const DAY_MINUTES: i64 = 24 * 60;

/// A service record as entered.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// Minutes served.
    pub minutes: i64,
    /// The day served (Asia/Shanghai).
    pub served_on: NaiveDate,
    /// What was done (服务内容).
    pub content: String,
    /// Where (服务地点).
    pub place_text: String,
    /// Who organised it (组织者).
    pub organiser: String,
}

/// Checks a new record against today's date and the minutes the volunteer already has on that day.
pub fn validate(
    r: &NewRecord,
    today: NaiveDate,
    minutes_that_day: i64,
) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    if r.minutes <= 0 || r.minutes > DAY_MINUTES {
        errs.push(FieldError::new(
            "minutes",
            "服务时长应在1到1440分钟之间",
            "minutes must be between 1 and 1440",
        ));
    } else if minutes_that_day + r.minutes > DAY_MINUTES {
        errs.push(FieldError::new(
            "minutes",
            format!(
                "该志愿者当天已记录{minutes_that_day}分钟，再加{}分钟将超过24小时",
                r.minutes
            ),
            format!(
                "this volunteer already has {minutes_that_day} minutes that day; {} more would exceed 24 hours",
                r.minutes
            ),
        ));
    }
    if r.served_on > today {
        errs.push(FieldError::new(
            "served_on",
            "服务日期不能晚于今天",
            "the service date cannot be in the future",
        ));
    } else if r.served_on < today - chrono::Duration::days(366 * 3) {
        errs.push(FieldError::new(
            "served_on",
            "服务日期不能早于三年前",
            "the service date cannot be more than three years ago",
        ));
    }
    text::check_len("content", "服务内容", &r.content, 1, 500, &mut errs);
    text::check_len("place_text", "服务地点", &r.place_text, 0, 200, &mut errs);
    text::check_len("organiser", "组织者", &r.organiser, 0, 100, &mut errs);
    errs.into_result(())
}

/// Checks that a record may be reversed: it is not itself a reversal and not already reversed, and a
/// reason is given.
pub fn check_reversal(
    is_reversal: bool,
    already_reversed: bool,
    reason: &str,
) -> Result<(), Refusal> {
    if is_reversal {
        return Err(Refusal::conflict(
            "invalid_transition",
            "冲正记录不能再冲正",
            "a reversing record cannot be reversed",
        ));
    }
    if already_reversed {
        return Err(Refusal::conflict(
            "invalid_transition",
            "这条记录已经冲正过了",
            "this record has already been reversed",
        ));
    }
    let n = reason.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(Refusal::invalid(
            "reason",
            "请填写冲正原因（不超过200字）",
            "give a reason for the correction (at most 200 characters)",
        ));
    }
    Ok(())
}

/// `minutes` as people say it: `2小时30分`.
pub fn hours_label(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    match (m / 60, m % 60) {
        (0, r) => format!("{sign}{r}分钟"),
        (h, 0) => format!("{sign}{h}小时"),
        (h, r) => format!("{sign}{h}小时{r}分"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn rec(minutes: i64, served_on: NaiveDate) -> NewRecord {
        NewRecord {
            minutes,
            served_on,
            content: "陪伴独居老人".into(),
            place_text: "3栋".into(),
            organiser: "探访组".into(),
        }
    }

    fn fields(e: ValidationErrors) -> Vec<String> {
        e.0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn minutes_are_positive_and_a_day_holds_24_hours() {
        let today = d(3, 10);
        assert!(validate(&rec(60, d(3, 9)), today, 0).is_ok());
        assert!(validate(&rec(1440, d(3, 9)), today, 0).is_ok());
        for bad in [0, -5, 1441, 100_000] {
            assert_eq!(
                fields(validate(&rec(bad, d(3, 9)), today, 0).unwrap_err()),
                ["minutes"]
            );
        }
        assert!(validate(&rec(60, d(3, 9)), today, 1380).is_ok());
        let e = validate(&rec(61, d(3, 9)), today, 1380).unwrap_err();
        assert!(e.0[0].message.contains("超过24小时"));
    }

    #[test]
    fn dates_are_not_in_the_future_nor_too_old() {
        let today = d(3, 10);
        assert!(validate(&rec(30, today), today, 0).is_ok());
        assert_eq!(
            fields(validate(&rec(30, d(3, 11)), today, 0).unwrap_err()),
            ["served_on"]
        );
        let old = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        assert_eq!(
            fields(validate(&rec(30, old), today, 0).unwrap_err()),
            ["served_on"]
        );
    }

    #[test]
    fn content_is_required() {
        let mut r = rec(30, d(3, 9));
        r.content = " ".into();
        r.content.clear();
        assert_eq!(fields(validate(&r, d(3, 10), 0).unwrap_err()), ["content"]);
    }

    #[test]
    fn reversal_rules() {
        assert!(check_reversal(false, false, "录入错误").is_ok());
        assert_eq!(
            check_reversal(true, false, "x").unwrap_err().code,
            "invalid_transition"
        );
        assert_eq!(
            check_reversal(false, true, "x").unwrap_err().code,
            "invalid_transition"
        );
        assert_eq!(
            check_reversal(false, false, "  ").unwrap_err().code,
            "validation_failed"
        );
    }

    #[test]
    fn hours_read_naturally() {
        assert_eq!(hours_label(150), "2小时30分");
        assert_eq!(hours_label(120), "2小时");
        assert_eq!(hours_label(45), "45分钟");
        assert_eq!(hours_label(-90), "-1小时30分");
    }
}
