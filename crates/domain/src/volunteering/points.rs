//! The points bank (诚信积分银行 / 爱心积分): what a community's policy pays for service and donated items,
//! which policy applies to a day, which year a point belongs to, and when a balance may be spent.
//!
//! The Yangming Villa rule (seeds): 1 hour of service or 1 donated item earns 2 points; 30 points in a
//! year make a volunteer eligible for star rating and redemption. Each community sets its own rule with a
//! start date, and points already earned keep the rule that earned them: an entry is written once with its
//! points and the policy id, and never recomputed.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::kernel::error::{FieldError, ValidationErrors};
use crate::kernel::refusal::Refusal;

/// How fractional points from part-hours are rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// Only whole earned points count (每满一小时): 90 minutes at 2 points an hour is 3, 29 minutes is 0.
    #[default]
    Down,
    /// To the nearest point, halves up.
    Nearest,
    /// Any started part earns the next point.
    Up,
}

impl Rounding {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            Rounding::Down => "down",
            Rounding::Nearest => "nearest",
            Rounding::Up => "up",
        }
    }

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<Rounding> {
        [Rounding::Down, Rounding::Nearest, Rounding::Up]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Rounding::Down => "向下取整",
            Rounding::Nearest => "四舍五入",
            Rounding::Up => "向上取整",
        }
    }

    /// `num / den` rounded this way, for `num >= 0` and `den > 0`.
    fn divide(self, num: i64, den: i64) -> i64 {
        match self {
            Rounding::Down => num / den,
            Rounding::Nearest => (2 * num + den) / (2 * den),
            Rounding::Up => (num + den - 1) / den,
        }
    }
}

/// The default star levels by cumulative service hours (1★ 100 h ... 5★ 1500 h).
pub const DEFAULT_STAR_HOURS: [i64; 5] = [100, 300, 600, 1000, 1500];

/// A community's points rule from a given day on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Points for one hour of service.
    pub points_per_hour: i64,
    /// Points for one donated item (件/份).
    pub points_per_item: i64,
    /// Points earned within one calendar year that make a volunteer eligible for star rating.
    pub star_threshold: i64,
    /// How part-hours round.
    pub rounding: Rounding,
    /// Cumulative hours for each star level, ascending.
    pub star_hours: Vec<i64>,
    /// The first day this rule applies to (a record's `served_on`, a donation's day).
    pub valid_from: NaiveDate,
    /// For how many calendar years points earned under this rule can be spent (1: until the end of the
    /// year earned, 当年清零; 2: until the end of the next year); none: they never expire.
    pub valid_years: Option<i64>,
}

impl Policy {
    /// The Yangming Villa rule, which a community has until it sets its own.
    pub fn yangming_default() -> Policy {
        Policy {
            points_per_hour: 2,
            points_per_item: 2,
            star_threshold: 30,
            rounding: Rounding::Down,
            star_hours: DEFAULT_STAR_HOURS.to_vec(),
            valid_from: NaiveDate::MIN,
            valid_years: None,
        }
    }

    /// Checks the numbers of a policy a community wants to set.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::new();
        for (field, zh, v, max) in [
            ("points_per_hour", "每小时积分", self.points_per_hour, 1000),
            (
                "points_per_item",
                "每件物品积分",
                self.points_per_item,
                1000,
            ),
            (
                "star_threshold",
                "星级评定年度积分",
                self.star_threshold,
                100_000,
            ),
        ] {
            if !(0..=max).contains(&v) {
                errs.push(FieldError::new(
                    field,
                    format!("{zh}应在0到{max}之间"),
                    format!("{} must be between 0 and {max}", field.replace('_', " ")),
                ));
            }
        }
        let ascending = self.star_hours.windows(2).all(|w| w[0] < w[1]);
        if self.star_hours.is_empty()
            || self.star_hours.len() > 10
            || !ascending
            || self.star_hours[0] <= 0
            || self.star_hours.iter().any(|h| *h > 100_000)
        {
            errs.push(FieldError::new(
                "star_hours",
                "星级时长应为1到10个递增的正整数（小时）",
                "star hours must be 1 to 10 ascending positive whole hours",
            ));
        }
        if self.valid_years.is_some_and(|y| !(1..=10).contains(&y)) {
            errs.push(FieldError::new(
                "valid_years",
                "积分有效期应为1到10年，或不设有效期",
                "points must stay valid for 1 to 10 years, or never expire",
            ));
        }
        errs.into_result(())
    }

    /// The first day on which points earned on `earned_on` under this rule can no longer be spent.
    pub fn expires_on(&self, earned_on: NaiveDate) -> Option<NaiveDate> {
        let years = i32::try_from(self.valid_years?).ok()?;
        NaiveDate::from_ymd_opt(earned_on.year().checked_add(years)?, 1, 1)
    }

    /// Points for `minutes` of service under this rule (reversals use the negated result).
    pub fn points_for_minutes(&self, minutes: i64) -> i64 {
        let sign = minutes.signum();
        sign * self
            .rounding
            .divide(minutes.abs() * self.points_per_hour, 60)
    }

    /// Points for `quantity` donated items.
    pub fn points_for_items(&self, quantity: i64) -> i64 {
        quantity * self.points_per_item
    }

    /// The star level (0 to the number of levels) reached with `total_minutes` of service.
    pub fn star_level(&self, total_minutes: i64) -> u8 {
        self.star_hours
            .iter()
            .take_while(|h| total_minutes >= **h * 60)
            .count() as u8
    }

    /// Whether `earned_in_year` points make a volunteer eligible for star rating.
    pub fn star_eligible(&self, earned_in_year: i64) -> bool {
        earned_in_year >= self.star_threshold
    }
}

/// The policy in force on `day`: the one with the latest `valid_from` on or before it.
pub fn policy_on(policies: &[Policy], day: NaiveDate) -> Option<&Policy> {
    policies
        .iter()
        .filter(|p| p.valid_from <= day)
        .max_by_key(|p| p.valid_from)
}

/// The year a point belongs to: the Asia/Shanghai year of the day it was earned for.
pub fn year_of(day: NaiveDate) -> i32 {
    day.year()
}

/// What an entry in the points ledger is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Earned by a service record.
    Service,
    /// Earned by donating items.
    Donation,
    /// Spent on a reward or goods.
    Redemption,
    /// Cancels an earlier entry (a corrected service record).
    Reversal,
    /// Earned points not spent before their policy's validity ran out.
    Expiry,
}

impl EntryKind {
    /// The stored and API value.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Service => "service",
            EntryKind::Donation => "donation",
            EntryKind::Redemption => "redemption",
            EntryKind::Reversal => "reversal",
            EntryKind::Expiry => "expiry",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            EntryKind::Service => "志愿服务",
            EntryKind::Donation => "捐赠物品",
            EntryKind::Redemption => "积分兑换",
            EntryKind::Reversal => "冲正",
            EntryKind::Expiry => "积分过期",
        }
    }

    /// Reads the stored value.
    pub fn parse(s: &str) -> Option<EntryKind> {
        [
            EntryKind::Service,
            EntryKind::Donation,
            EntryKind::Redemption,
            EntryKind::Reversal,
            EntryKind::Expiry,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// True when the entry counts toward the points earned in its year (spending and expiry do not unearn).
    pub fn counts_as_earned(self) -> bool {
        !matches!(self, EntryKind::Redemption | EntryKind::Expiry)
    }
}

/// Points earned by one entry, net of any reversal of it, with the day they can no longer be spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    /// Points still earned (after reversals).
    pub points: i64,
    /// First day they can no longer be spent; none: never.
    pub expires_on: Option<NaiveDate>,
}

/// How many points expire as of `today`, given what a volunteer earned, everything already taken out
/// (redemptions and earlier expiries, as a positive total) and their balance.
///
/// What was taken out is counted against the points that expire soonest, as a volunteer would expect
/// ("spend the oldest first"), so a point spent is never also expired. Earlier expiries count as taken
/// out, so running this twice expires nothing the second time. Never more than the balance.
pub fn due_to_expire(credits: &[Credit], taken_out: i64, balance: i64, today: NaiveDate) -> i64 {
    let mut sorted: Vec<Credit> = credits.iter().copied().filter(|c| c.points > 0).collect();
    // Soonest expiry first; points that never expire last.
    sorted.sort_by_key(|c| (c.expires_on.is_none(), c.expires_on));
    let mut left = taken_out.max(0);
    let mut due = 0;
    for c in sorted {
        let used = left.min(c.points);
        left -= used;
        if c.expires_on.is_some_and(|d| d <= today) {
            due += c.points - used;
        }
    }
    due.min(balance.max(0))
}

/// Refuses spending `cost` points from `balance` when it would go below zero.
pub fn spend(balance: i64, cost: i64) -> Result<i64, Refusal> {
    if cost <= 0 {
        return Err(Refusal::invalid(
            "quantity",
            "兑换所需积分必须大于0",
            "the cost must be positive",
        ));
    }
    if cost > balance {
        return Err(insufficient(balance, cost));
    }
    Ok(balance - cost)
}

/// The `insufficient_points` refusal.
pub fn insufficient(balance: i64, cost: i64) -> Refusal {
    Refusal::rule(
        "insufficient_points",
        format!("积分不足：需要{cost}分，余额{balance}分"),
        format!("not enough points: {cost} needed, {balance} available"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn policy(pph: i64, from: NaiveDate, rounding: Rounding) -> Policy {
        Policy {
            points_per_hour: pph,
            rounding,
            valid_from: from,
            ..Policy::yangming_default()
        }
    }

    #[test]
    fn yangming_rule_two_points_an_hour_or_an_item() {
        let p = Policy::yangming_default();
        assert_eq!(p.points_for_minutes(60), 2);
        assert_eq!(p.points_for_minutes(90), 3);
        assert_eq!(p.points_for_minutes(29), 0);
        assert_eq!(p.points_for_minutes(-90), -3);
        assert_eq!(p.points_for_items(3), 6);
        assert!(p.star_eligible(30));
        assert!(!p.star_eligible(29));
    }

    #[test]
    fn points_expire_at_the_start_of_the_year_after_their_validity() {
        let p = Policy {
            valid_years: Some(2),
            ..Policy::yangming_default()
        };
        assert_eq!(p.expires_on(d(2025, 3, 5)), Some(d(2027, 1, 1)));
        assert_eq!(p.expires_on(d(2025, 12, 31)), Some(d(2027, 1, 1)));
        assert_eq!(Policy::yangming_default().expires_on(d(2025, 3, 5)), None);
        let bad = Policy {
            valid_years: Some(0),
            ..Policy::yangming_default()
        };
        assert_eq!(bad.validate().unwrap_err().0[0].field, "valid_years");
        assert!(Policy {
            valid_years: Some(10),
            ..Policy::yangming_default()
        }
        .validate()
        .is_ok());
    }

    #[test]
    fn spending_uses_the_soonest_expiring_points_first() {
        let old = Credit {
            points: 10,
            expires_on: Some(d(2026, 1, 1)),
        };
        let new = Credit {
            points: 10,
            expires_on: Some(d(2027, 1, 1)),
        };
        let forever = Credit {
            points: 5,
            expires_on: None,
        };
        let all = [forever, new, old];
        // Nothing spent: the 10 old points expire on New Year's day, not the day before.
        assert_eq!(due_to_expire(&all, 0, 25, d(2025, 12, 31)), 0);
        assert_eq!(due_to_expire(&all, 0, 25, d(2026, 1, 1)), 10);
        // 4 spent came out of the old points: 6 are left to expire.
        assert_eq!(due_to_expire(&all, 4, 21, d(2026, 1, 1)), 6);
        // After that expiry is written (taken out 4 + 6), nothing more expires until the next year.
        assert_eq!(due_to_expire(&all, 10, 15, d(2026, 6, 1)), 0);
        assert_eq!(due_to_expire(&all, 10, 15, d(2027, 1, 1)), 10);
        // Never more than the balance (a reversal after spending can leave less).
        assert_eq!(due_to_expire(&all, 0, 3, d(2026, 1, 1)), 3);
        assert_eq!(due_to_expire(&all, 0, -2, d(2026, 1, 1)), 0);
        // Fully reversed earnings expire nothing.
        let gone = Credit {
            points: 0,
            expires_on: Some(d(2026, 1, 1)),
        };
        assert_eq!(due_to_expire(&[gone], 0, 0, d(2026, 1, 1)), 0);
    }

    #[test]
    fn rounding_modes() {
        let mk = |r| policy(2, d(2026, 1, 1), r);
        // 45 minutes at 2/h is 1.5 points.
        assert_eq!(mk(Rounding::Down).points_for_minutes(45), 1);
        assert_eq!(mk(Rounding::Nearest).points_for_minutes(45), 2);
        assert_eq!(mk(Rounding::Up).points_for_minutes(45), 2);
        // 20 minutes is 0.67.
        assert_eq!(mk(Rounding::Down).points_for_minutes(20), 0);
        assert_eq!(mk(Rounding::Nearest).points_for_minutes(20), 1);
        assert_eq!(mk(Rounding::Up).points_for_minutes(20), 1);
        // 10 minutes is 0.33.
        assert_eq!(mk(Rounding::Nearest).points_for_minutes(10), 0);
        assert_eq!(mk(Rounding::Up).points_for_minutes(1), 1);
        // A reversal takes back exactly what the record earned, whatever the mode.
        for r in [Rounding::Down, Rounding::Nearest, Rounding::Up] {
            for m in 0..300 {
                assert_eq!(mk(r).points_for_minutes(-m), -mk(r).points_for_minutes(m));
            }
        }
    }

    #[test]
    fn policy_changes_mid_year_apply_from_their_day() {
        let old = policy(2, d(2020, 1, 1), Rounding::Down);
        let new = policy(3, d(2026, 7, 1), Rounding::Down);
        let all = [new.clone(), old.clone()];
        assert_eq!(policy_on(&all, d(2026, 6, 30)), Some(&old));
        assert_eq!(policy_on(&all, d(2026, 7, 1)), Some(&new));
        assert_eq!(policy_on(&all, d(2019, 12, 31)), None);
        // The same two hours earn by the rule of the day they were served.
        assert_eq!(
            policy_on(&all, d(2026, 6, 30))
                .unwrap()
                .points_for_minutes(120),
            4
        );
        assert_eq!(
            policy_on(&all, d(2026, 7, 1))
                .unwrap()
                .points_for_minutes(120),
            6
        );
    }

    #[test]
    fn year_boundary_is_the_served_day() {
        assert_eq!(year_of(d(2025, 12, 31)), 2025);
        assert_eq!(year_of(d(2026, 1, 1)), 2026);
    }

    #[test]
    fn star_levels_by_cumulative_hours() {
        let p = Policy::yangming_default();
        assert_eq!(p.star_level(0), 0);
        assert_eq!(p.star_level(100 * 60 - 1), 0);
        assert_eq!(p.star_level(100 * 60), 1);
        assert_eq!(p.star_level(299 * 60), 1);
        assert_eq!(p.star_level(300 * 60), 2);
        assert_eq!(p.star_level(600 * 60), 3);
        assert_eq!(p.star_level(1000 * 60), 4);
        assert_eq!(p.star_level(1500 * 60), 5);
        assert_eq!(p.star_level(100_000 * 60), 5);
    }

    #[test]
    fn policy_validation_names_fields() {
        assert!(Policy::yangming_default().validate().is_ok());
        let bad = Policy {
            points_per_hour: -1,
            star_threshold: 1_000_000,
            star_hours: vec![300, 100],
            ..Policy::yangming_default()
        };
        let e = bad.validate().unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["points_per_hour", "star_threshold", "star_hours"]);
        assert!(e.0[0].message.contains("每小时积分"));
        let empty = Policy {
            star_hours: vec![],
            ..Policy::yangming_default()
        };
        assert!(empty.validate().is_err());
    }

    #[test]
    fn spending_never_goes_below_zero() {
        assert_eq!(spend(10, 10), Ok(0));
        assert_eq!(spend(10, 3), Ok(7));
        let e = spend(5, 6).unwrap_err();
        assert_eq!(e.code, "insufficient_points");
        assert!(e.zh.contains("积分不足"));
        assert_eq!(spend(5, 0).unwrap_err().code, "validation_failed");
        assert_eq!(spend(5, -1).unwrap_err().code, "validation_failed");
    }

    #[test]
    fn entry_kinds_round_trip() {
        for k in [
            EntryKind::Service,
            EntryKind::Donation,
            EntryKind::Redemption,
            EntryKind::Reversal,
        ] {
            assert_eq!(EntryKind::parse(k.as_str()), Some(k));
            assert!(!k.label_zh().is_empty());
        }
        assert!(!EntryKind::Redemption.counts_as_earned());
        assert!(EntryKind::Reversal.counts_as_earned());
        assert_eq!(Rounding::parse("nearest"), Some(Rounding::Nearest));
        assert_eq!(Rounding::parse("x"), None);
    }
}
