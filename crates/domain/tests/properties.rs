//! Property tests of the domain rules over generated inputs.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use wushe_domain::accounts::password::{after_failure, is_locked, LoginState, MAX_FAILURES};
use wushe_domain::kernel::mask;
use wushe_domain::kernel::text::clean;
use wushe_domain::map::place::{segment, PlacePath};
use wushe_domain::people::id_number::{check_digit, IdNumber, IdNumberError};
use wushe_domain::people::phone::Phone;
use wushe_domain::people::resident::{age_on, split_tags};
use wushe_domain::people::sex::Sex;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

/// A valid ID number: region 110000-659999, birth 1900-01-01..=today, any sequence code.
fn valid_id() -> impl Strategy<Value = String> {
    let days = (today() - NaiveDate::from_ymd_opt(1900, 1, 1).unwrap()).num_days();
    (110_000u32..660_000, 0..=days, 0u32..1000).prop_map(|(region, day, seq)| {
        let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(day);
        let first17 = format!("{region:06}{}{seq:03}", birth.format("%Y%m%d"));
        format!("{first17}{}", check_digit(&first17).unwrap())
    })
}

fn uuid() -> impl Strategy<Value = Uuid> {
    any::<u128>().prop_map(Uuid::from_u128)
}

fn path() -> impl Strategy<Value = PlacePath> {
    prop::collection::vec(uuid(), 1..6).prop_map(|ids| {
        let mut p = PlacePath::root(ids[0]);
        for id in &ids[1..] {
            p = p.child(*id);
        }
        p
    })
}

proptest! {
    #[test]
    fn clean_is_idempotent(s in any::<String>()) {
        let once = clean(&s);
        prop_assert_eq!(clean(&once), once.clone());
    }

    #[test]
    fn generated_ids_parse_and_round_trip(id in valid_id()) {
        let parsed = IdNumber::parse(&id, today()).unwrap();
        prop_assert_eq!(parsed.as_str(), id.as_str());
        prop_assert_eq!(parsed.birth_date().format("%Y%m%d").to_string(), &id[6..14]);
        let odd = (id.as_bytes()[16] - b'0') % 2 == 1;
        prop_assert_eq!(parsed.sex(), if odd { Sex::Male } else { Sex::Female });
        let lower = id.to_lowercase();
        prop_assert_eq!(IdNumber::parse(&lower, today()).unwrap(), parsed);
    }

    #[test]
    fn any_single_digit_change_breaks_the_check(id in valid_id(), pos in 0usize..17, delta in 1u8..10) {
        let mut bytes = id.into_bytes();
        bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
        let changed = String::from_utf8(bytes).unwrap();
        // MOD 11-2 detects every single substitution, so the old check char no longer fits.
        prop_assert_ne!(check_digit(&changed[..17]), changed[17..].chars().next());
    }

    #[test]
    fn wrong_check_char_is_rejected(id in valid_id(), k in 1usize..11) {
        // Every one of the ten other check characters must be refused.
        const CHECKS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
        let right = CHECKS.iter().position(|&x| id.ends_with(x)).unwrap();
        let bad = format!("{}{}", &id[..17], CHECKS[(right + k) % 11]);
        prop_assert_eq!(IdNumber::parse(&bad, today()), Err(IdNumberError::CheckDigit));
    }

    #[test]
    fn masking_keeps_the_char_count(s in any::<String>()) {
        let n = s.chars().count();
        prop_assert_eq!(mask::id_number(&s).chars().count(), n);
        prop_assert_eq!(mask::phone(&s).chars().count(), n);
        prop_assert_eq!(mask::name(&s).chars().count(), n);
    }

    #[test]
    fn masked_id_hides_the_birth_date(id in valid_id()) {
        let masked = mask::id_number(&id);
        prop_assert_eq!(&masked[6..14], "********");
        prop_assert_eq!(&masked[..6], &id[..6]);
        prop_assert_eq!(&masked[14..], &id[14..]);
        prop_assert!(!masked.contains(&id[6..14]));
    }

    #[test]
    fn masked_id_of_other_lengths_reveals_at_most_half(s in "[0-9]{0,40}") {
        prop_assume!(s.len() != 18);
        let revealed = mask::id_number(&s).chars().filter(|c| *c != '*').count();
        prop_assert!(revealed * 2 <= s.len());
    }

    #[test]
    fn mobiles_parse_and_mask(second in 3u8..10, rest in "[0-9]{9}") {
        let number = format!("1{second}{rest}");
        let p = Phone::parse(&format!("+86 {number}")).unwrap();
        prop_assert_eq!(p.as_str(), number.as_str());
        let masked = p.masked();
        prop_assert_eq!(&masked[3..7], "****");
        prop_assert_eq!(&masked[7..], &number[7..]);
    }

    #[test]
    fn child_is_within_parent(p in path(), id in uuid()) {
        let c = p.child(id);
        prop_assert!(c.is_within(&p));
        prop_assert!(!p.is_within(&c));
        prop_assert_eq!(c.parent(), Some(p.clone()));
        prop_assert_eq!(c.depth(), p.depth() + 1);
        prop_assert!(c.ends_with_place(id));
        prop_assert_eq!(c.prefixes().last().cloned(), Some(c.clone()));
        prop_assert_eq!(PlacePath::parse(c.as_str()), Some(c));
    }

    #[test]
    fn is_within_is_reflexive_and_transitive(p in path(), a in uuid(), b in uuid()) {
        prop_assert!(p.is_within(&p));
        let q = p.child(a);
        let r = q.child(b);
        prop_assert!(r.is_within(&q) && q.is_within(&p) && r.is_within(&p));
    }

    #[test]
    fn siblings_are_never_within_each_other(p in path(), a in uuid(), b in uuid()) {
        // Distinct segments are what the database's unique path index guarantees for siblings.
        prop_assume!(segment(a) != segment(b));
        let x = p.child(a);
        let y = p.child(b);
        prop_assert!(!x.is_within(&y));
        prop_assert!(!y.is_within(&x));
    }

    #[test]
    fn rebase_keeps_the_suffix(old in path(), new in path(), tail in prop::collection::vec(uuid(), 0..4)) {
        let mut p = old.clone();
        for id in &tail {
            p = p.child(*id);
        }
        let moved = p.rebase(&old, &new).unwrap();
        prop_assert!(moved.is_within(&new));
        let tail_segments: Vec<String> = tail.iter().map(|id| segment(*id)).collect();
        let segments = moved.segments();
        prop_assert_eq!(&segments[new.depth()..], tail_segments.as_slice());
        prop_assert_eq!(moved.depth(), new.depth() + tail.len());
    }

    #[test]
    fn split_tags_yields_distinct_clean_tags(s in "[独居老人党员低保 、,，;；/]{0,30}") {
        let tags = split_tags(&s);
        for (i, t) in tags.iter().enumerate() {
            prop_assert!(!t.is_empty());
            prop_assert!(!t.contains(['、', ',', '，', ';', '；', '/', ' ']));
            prop_assert!(!tags[..i].contains(t));
        }
    }

    #[test]
    fn age_counts_whole_years(day in 0i64..40_000, years in 0u32..120) {
        let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(day);
        // Adding years to 29 February clamps to the 28th, a day before a leap-day baby's birthday in common
        // years (see the test below): that case is pinned separately.
        prop_assume!(!(birth.month() == 2 && birth.day() == 29));
        let on = birth.checked_add_months(chrono::Months::new(12 * years)).unwrap();
        prop_assert_eq!(age_on(birth, on), years);
        prop_assert_eq!(age_on(birth, on - Duration::days(1)), years.saturating_sub(1));
    }

    #[test]
    fn leap_day_babies_age_on_the_first_of_march(leap in 0i32..30, years in 1i32..60) {
        let year = 1904 + leap * 4;
        let birth = NaiveDate::from_ymd_opt(year, 2, 29).unwrap();
        let y = year + years;
        let feb28 = NaiveDate::from_ymd_opt(y, 2, 28).unwrap();
        let mar1 = NaiveDate::from_ymd_opt(y, 3, 1).unwrap();
        let is_leap = NaiveDate::from_ymd_opt(y, 2, 29).is_some();
        prop_assert_eq!(age_on(birth, feb28), (years - 1) as u32);
        prop_assert_eq!(age_on(birth, mar1), years as u32);
        if is_leap {
            prop_assert_eq!(age_on(birth, NaiveDate::from_ymd_opt(y, 2, 29).unwrap()), years as u32);
        }
    }

    #[test]
    fn fewer_than_five_failures_never_lock(n in 0u32..MAX_FAILURES, minutes in 0i64..100) {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes);
        let mut s = LoginState::default();
        for _ in 0..n {
            s = after_failure(&s, now);
        }
        prop_assert!(!is_locked(&s, now));
        prop_assert_eq!(s.failed_count, n);
    }
}
