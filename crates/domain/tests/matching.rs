//! Property tests of matching: the score is the sum of its reasons, every criterion is named, a perfect
//! offer ranks first among any others, and an offer without places left is never proposed.

use chrono::NaiveDate;
use proptest::prelude::*;

use wushe_domain::lists::matching::{fit, rank, Criterion, Need, Offer};

const CATEGORIES: [&str; 4] = ["养老", "助残", "儿童", "法律"];
const SKILLS: [&str; 4] = ["理发", "维修", "护理", "心理"];
const PATHS: [&str; 6] = [
    "/d/s/c/g/",
    "/d/s/c/",
    "/d/s/c/h/",
    "/d/s/",
    "/d/s/k/",
    "/e/t/",
];

#[derive(Debug, Clone)]
struct RawOffer {
    categories: Vec<String>,
    skills: Vec<String>,
    reach: &'static str,
    weekdays: u8,
    from: Option<i64>,
    until: Option<i64>,
    capacity: Option<i64>,
    used: i64,
    ratings: (i64, i64),
}

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(n)
}

fn pick(v: &[&str], mask: u8) -> Vec<String> {
    v.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, s)| s.to_string())
        .collect()
}

fn raw_offer() -> impl Strategy<Value = RawOffer> {
    (
        0u8..16,
        0u8..16,
        0usize..PATHS.len(),
        0u8..128,
        proptest::option::of(0i64..30),
        proptest::option::of(0i64..30),
        proptest::option::of(0i64..8),
        0i64..8,
        (0i64..5, 0i64..50),
    )
        .prop_map(
            |(c, s, p, w, from, until, capacity, used, (avg, n))| RawOffer {
                categories: pick(&CATEGORIES, c),
                skills: pick(&SKILLS, s),
                reach: PATHS[p],
                weekdays: w,
                from,
                until,
                capacity,
                used,
                ratings: ((avg + 1) * n, n),
            },
        )
}

fn offer(r: &RawOffer) -> Offer<'_> {
    Offer {
        categories: &r.categories,
        skills: &r.skills,
        reach_path: r.reach,
        weekdays: r.weekdays,
        from: r.from.map(day),
        until: r.until.map(day),
        capacity: r.capacity,
        used: r.used,
        ratings: r.ratings,
    }
}

proptest! {
    #[test]
    fn scores_are_their_reasons(
        o in raw_offer(),
        cat in 0usize..4,
        skills in 0u8..16,
        window in proptest::option::of((0i64..20, 0i64..20)),
    ) {
        let wanted = pick(&SKILLS, skills);
        let need = Need {
            category: CATEGORIES[cat],
            parent: None,
            skills: &wanted,
            place_path: "/d/s/c/g/",
            window: window.map(|(a, b)| (day(a.min(b)), day(a.max(b)))),
        };
        if let Some(f) = fit(&need, &offer(&o)) {
            prop_assert_eq!(f.score, f.reasons.iter().map(|r| r.points).sum::<u32>());
            prop_assert!(f.score <= 100);
            let named: Vec<Criterion> = f.reasons.iter().map(|r| r.criterion).collect();
            prop_assert_eq!(named, Criterion::ALL.to_vec());
            for r in &f.reasons {
                prop_assert!(r.points <= r.criterion.weight());
                prop_assert!(!r.zh.is_empty() && !r.en.is_empty());
            }
            prop_assert!(o.capacity.is_none_or(|c| c > o.used), "a full offer is never proposed");
        }
    }

    #[test]
    fn a_perfect_match_ranks_first(
        others in proptest::collection::vec(raw_offer(), 0..40),
        cat in 0usize..4,
        skills in 0u8..16,
    ) {
        let wanted = pick(&SKILLS, skills);
        let need = Need {
            category: CATEGORIES[cat],
            parent: None,
            skills: &wanted,
            place_path: "/d/s/c/g/",
            window: Some((day(2), day(9))),
        };
        let perfect = RawOffer {
            categories: vec![CATEGORIES[cat].to_string()],
            skills: wanted.clone(),
            reach: "/d/s/c/",
            weekdays: 0b111_1111,
            from: None,
            until: None,
            capacity: None,
            used: 0,
            ratings: (50, 10),
        };
        let mut all: Vec<(usize, Offer)> = others.iter().enumerate().map(|(i, o)| (i + 1, offer(o))).collect();
        all.push((0, offer(&perfect)));
        let ranked = rank(&need, all, 5);
        prop_assert_eq!(ranked[0].0, 0);
        prop_assert_eq!(ranked[0].1.score, 100);
        for w in ranked.windows(2) {
            prop_assert!(w[0].1.score >= w[1].1.score);
        }
    }
}
