//! Property tests of the ledger rules: points and stock over generated sequences of events.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use wushe_domain::charity::stock::{apply, Movement};
use wushe_domain::volunteering::points::{
    due_to_expire, policy_on, spend, Credit, Policy, Rounding,
};

fn rounding() -> impl Strategy<Value = Rounding> {
    prop_oneof![
        Just(Rounding::Down),
        Just(Rounding::Nearest),
        Just(Rounding::Up)
    ]
}

fn day(offset: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Duration::days(offset)
}

proptest! {
    /// Expiry over a sequence of days: the balance never goes below zero, a point expires only after its
    /// day, spent points never expire, and running the sweep again on the same day expires nothing more.
    #[test]
    fn expiry_sequence(
        earnings in proptest::collection::vec((1i64..20, 0i64..1500, proptest::option::of(1i64..3)), 0..20),
        spends in proptest::collection::vec((0i64..1500, 1i64..30), 0..20),
    ) {
        let credits: Vec<(i64, Credit)> = earnings.iter().map(|&(pts, at, years)| {
            let p = Policy { valid_years: years, ..Policy::yangming_default() };
            (at, Credit { points: pts, expires_on: p.expires_on(day(at)) })
        }).collect();
        let mut balance = 0i64;
        let mut taken_out = 0i64;
        let mut expired = 0i64;
        for t in 0..1500i64 {
            for (at, c) in &credits {
                if *at == t { balance += c.points; }
            }
            for (at, cost) in &spends {
                if *at == t && spend(balance, *cost).is_ok() {
                    balance -= cost;
                    taken_out += cost;
                }
            }
            // The sweep runs once a month here: late runs must catch up, not lose points.
            if t % 30 == 0 {
                let known: Vec<Credit> = credits.iter().filter(|(at, _)| *at <= t).map(|(_, c)| *c).collect();
                let due = due_to_expire(&known, taken_out, balance, day(t));
                prop_assert!(due >= 0 && due <= balance);
                let past: i64 = known.iter().filter(|c| c.expires_on.is_some_and(|d| d <= day(t))).map(|c| c.points).sum();
                prop_assert!(expired + due <= past, "only points past their day expire");
                balance -= due;
                taken_out += due;
                expired += due;
                prop_assert_eq!(due_to_expire(&known, taken_out, balance, day(t)), 0);
            }
        }
        let earned: i64 = credits.iter().map(|(_, c)| c.points).sum();
        prop_assert_eq!(balance, earned - taken_out);
    }

    /// Points for minutes are monotone, bounded by the exact fraction, and a reversal takes back exactly
    /// what the record earned.
    #[test]
    fn minutes_to_points(pph in 0i64..50, r in rounding(), m in 0i64..1441) {
        let p = Policy { points_per_hour: pph, rounding: r, ..Policy::yangming_default() };
        let pts = p.points_for_minutes(m);
        let exact = (m * pph) as f64 / 60.0;
        prop_assert!((pts as f64 - exact).abs() < 1.0);
        prop_assert!(pts <= p.points_for_minutes(m + 1));
        prop_assert_eq!(p.points_for_minutes(-m), -pts);
        match r {
            Rounding::Down => prop_assert!(pts as f64 <= exact),
            Rounding::Up => prop_assert!(pts as f64 >= exact),
            Rounding::Nearest => prop_assert!((pts as f64 - exact).abs() <= 0.5),
        }
    }

    /// The policy of a day is the latest one started on or before it, whatever order they are stored in;
    /// adding a later policy never changes what an earlier day earns.
    #[test]
    fn policy_of_a_day(starts in proptest::collection::vec(0i64..1000, 1..8), probe in 0i64..1100, later in 0i64..200) {
        let policies: Vec<Policy> = starts.iter().enumerate().map(|(i, s)| Policy {
            points_per_hour: i as i64, valid_from: day(*s), ..Policy::yangming_default()
        }).collect();
        let got = policy_on(&policies, day(probe));
        let best = policies.iter().filter(|p| p.valid_from <= day(probe)).map(|p| p.valid_from).max();
        prop_assert_eq!(got.map(|p| p.valid_from), best);
        let mut more = policies.clone();
        let future = day(probe + 1 + later);
        more.push(Policy { points_per_hour: 999, valid_from: future, ..Policy::yangming_default() });
        prop_assert_eq!(policy_on(&more, day(probe)).map(|p| p.points_per_hour), got.map(|p| p.points_per_hour));
    }

    /// Any sequence of spends keeps the balance at or above zero and equal to income minus accepted spends.
    #[test]
    fn spending_sequence(income in 0i64..200, costs in proptest::collection::vec(1i64..50, 0..30)) {
        let mut balance = income;
        let mut spent = 0;
        for c in costs {
            match spend(balance, c) {
                Ok(b) => { spent += c; balance = b; }
                Err(e) => { prop_assert_eq!(e.code, "insufficient_points"); prop_assert!(c > balance); }
            }
            prop_assert!(balance >= 0);
        }
        prop_assert_eq!(balance, income - spent);
    }

    /// Any sequence of stock movements keeps the stock at or above zero and equal to the sum of the
    /// accepted entries.
    #[test]
    fn stock_sequence(moves in proptest::collection::vec((0usize..5, -20i64..40), 0..60)) {
        let mut stock = 0;
        let mut ledger = Vec::new();
        for (k, q) in moves {
            let m = Movement::ALL[k];
            if let Ok((delta, after)) = apply(stock, m, q) {
                ledger.push(delta);
                stock = after;
            }
            prop_assert!(stock >= 0);
        }
        prop_assert_eq!(stock, ledger.iter().sum::<i64>());
    }
}
