//! Matching needs to offers (三单制: the product proposes who can meet which need). Each offer a demand
//! could use gets a score out of 100 with the reasons shown, criterion by criterion, so a worker sees why
//! a resource is proposed and can overrule it:
//!
//! | criterion | points | full marks when |
//! |---|---|---|
//! | category 服务类别 | 35 | the offer serves the demand's category |
//! | skill 技能 | 20 | the offer has every skill the demand asks for |
//! | distance 距离 | 20 | the offer covers the demand's place from its own community or closer |
//! | availability 时间 | 10 | the offer is available on a day in the wanted window |
//! | capacity 余量 | 10 | five or more places left (or no limit) |
//! | rating 评价 | 5 | past ratings average 4.5 or more |
//!
//! An offer that serves neither the category nor any asked-for skill, has no capacity left, or is
//! available only outside the wanted window is not proposed at all.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// What a demand needs, as matching sees it.
#[derive(Debug, Clone, Copy)]
pub struct Need<'a> {
    /// The demand's category (养老, 助残...).
    pub category: &'a str,
    /// The category above it in the community's tree (助餐 → 养老), which an offer may serve instead.
    pub parent: Option<&'a str>,
    /// Skills it asks for (may be none).
    pub skills: &'a [String],
    /// Where it is (a place path like `/d1/s3/c7/g2/`).
    pub place_path: &'a str,
    /// The days it is wanted between, inclusive (none: any time).
    pub window: Option<(NaiveDate, NaiveDate)>,
}

/// What an offer (a resource, or a volunteer) brings, as matching sees it.
#[derive(Debug, Clone, Copy)]
pub struct Offer<'a> {
    /// Categories it serves.
    pub categories: &'a [String],
    /// Skills it brings.
    pub skills: &'a [String],
    /// The place whose whole subtree it serves (its community, or a street for a street-wide partner).
    pub reach_path: &'a str,
    /// Weekdays it is available, bit 0 = Monday ... bit 6 = Sunday; 0 = not stated.
    pub weekdays: u8,
    /// First day available.
    pub from: Option<NaiveDate>,
    /// Last day available.
    pub until: Option<NaiveDate>,
    /// Places it can take (none: no limit).
    pub capacity: Option<i64>,
    /// Places already taken.
    pub used: i64,
    /// Past ratings: (sum of scores 1-5, count).
    pub ratings: (i64, i64),
}

/// One of the six criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// 服务类别.
    Category,
    /// 技能.
    Skill,
    /// 距离.
    Distance,
    /// 时间.
    Availability,
    /// 余量.
    Capacity,
    /// 评价.
    Rating,
}

impl Criterion {
    /// All six, in the order reasons are listed.
    pub const ALL: [Criterion; 6] = [
        Criterion::Category,
        Criterion::Skill,
        Criterion::Distance,
        Criterion::Availability,
        Criterion::Capacity,
        Criterion::Rating,
    ];

    /// Full marks.
    pub fn weight(self) -> u32 {
        match self {
            Criterion::Category => 35,
            Criterion::Skill => 20,
            Criterion::Distance => 20,
            Criterion::Availability => 10,
            Criterion::Capacity => 10,
            Criterion::Rating => 5,
        }
    }
}

/// Why an offer got its points on one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Which criterion.
    pub criterion: Criterion,
    /// Points given (at most the criterion's weight).
    pub points: u32,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

/// How well an offer fits a need: the score is the sum of the reasons' points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fit {
    /// 0 to 100.
    pub score: u32,
    /// One reason per criterion, in [`Criterion::ALL`] order.
    pub reasons: Vec<Reason>,
}

fn reason(
    criterion: Criterion,
    points: u32,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Reason {
    Reason {
        criterion,
        points: points.min(criterion.weight()),
        zh: zh.into(),
        en: en.into(),
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// The longest span of days looked at for availability (a wanted window of a year is "any time").
const WINDOW_DAYS: i64 = 62;

/// The one name a category has for matching: volunteers' service categories (扶老助老, 关爱儿童...) and
/// the demand list's (养老, 儿童...) name the same services differently.
pub fn canonical(category: &str) -> &str {
    match category {
        "扶老助老" | "助老" | "养老服务" => "养老",
        "助残服务" => "助残",
        "关爱儿童" | "儿童服务" => "儿童",
        "法律服务" | "法律援助" => "法律",
        "环境保护" | "环境卫生" => "环境",
        "文化体育" => "文化",
        "医疗" | "健康" | "医疗卫生" => "医疗健康",
        "心理疏导" => "心理",
        "平安巡逻" => "治安",
        other => other,
    }
}

/// Scores one offer for one need; none when it cannot help at all.
pub fn fit(need: &Need, offer: &Offer) -> Option<Fit> {
    let wanted = canonical(need.category);
    let above = need.parent.map(canonical);
    let category = offer
        .categories
        .iter()
        .any(|c| canonical(c) == wanted || Some(canonical(c)) == above);
    let covered = need
        .skills
        .iter()
        .filter(|s| offer.skills.contains(s))
        .count();
    if !category && covered == 0 {
        return None;
    }
    let left = offer.capacity.map(|c| c - offer.used);
    if left.is_some_and(|l| l <= 0) {
        return None;
    }
    let mut reasons = Vec::with_capacity(6);
    reasons.push(if category {
        reason(
            Criterion::Category,
            35,
            format!("服务类别包含“{}”", need.category),
            format!("serves {}", need.category),
        )
    } else {
        reason(
            Criterion::Category,
            0,
            format!("服务类别不含“{}”", need.category),
            format!("does not list {}", need.category),
        )
    });
    reasons.push(if need.skills.is_empty() {
        reason(
            Criterion::Skill,
            20,
            "无特殊技能要求",
            "no particular skill asked for",
        )
    } else {
        let pts = (20 * covered / need.skills.len()) as u32;
        reason(
            Criterion::Skill,
            pts,
            format!("具备所需技能{}项中的{}项", need.skills.len(), covered),
            format!("has {covered} of {} skills asked for", need.skills.len()),
        )
    });
    reasons.push(distance(need.place_path, offer.reach_path));
    reasons.push(availability(need.window, offer)?);
    reasons.push(match left {
        None => reason(Criterion::Capacity, 10, "不限量", "no limit"),
        Some(l) => reason(
            Criterion::Capacity,
            (2 * l).min(10) as u32,
            format!("还可服务{l}人次"),
            format!("{l} places left"),
        ),
    });
    let (sum, n) = offer.ratings;
    reasons.push(if n <= 0 {
        reason(Criterion::Rating, 3, "暂无评价", "not rated yet")
    } else {
        // The average on 1..5 mapped onto 0..5 points, in tenths to stay exact.
        let avg10 = (sum * 10 + n / 2) / n;
        let pts = if avg10 >= 45 {
            5
        } else {
            ((avg10 - 10).max(0) * 5 / 40) as u32
        };
        reason(
            Criterion::Rating,
            pts,
            format!("以往{n}次评价平均{}.{}分", avg10 / 10, avg10 % 10),
            format!("{n} past ratings average {}.{}", avg10 / 10, avg10 % 10),
        )
    });
    Some(Fit {
        score: reasons.iter().map(|r| r.points).sum(),
        reasons,
    })
}

fn distance(need: &str, reach: &str) -> Reason {
    let n = segments(need);
    let r = segments(reach);
    let common = n.iter().zip(&r).take_while(|(a, b)| a == b).count();
    if common == r.len() {
        // The offer serves a place the need lies in: the narrower its reach, the nearer it is.
        let (pts, zh, en) = match r.len() {
            0 => (5, "服务全市", "serves the whole city"),
            1 => (8, "服务全区", "serves the whole district"),
            2 => (14, "服务本街道", "serves the whole street"),
            _ => (20, "就在本社区", "in the same community"),
        };
        reason(Criterion::Distance, pts, zh, en)
    } else {
        let (pts, zh, en) = match common {
            0 => (0, "不在同一区", "in another district"),
            1 => (3, "同区不同街道", "same district, another street"),
            2 => (8, "同街道不同社区", "same street, another community"),
            _ => (16, "同社区不同网格", "same community, another grid"),
        };
        reason(Criterion::Distance, pts, zh, en)
    }
}

fn availability(window: Option<(NaiveDate, NaiveDate)>, o: &Offer) -> Option<Reason> {
    let Some((from, to)) = window else {
        return Some(reason(Criterion::Availability, 10, "时间不限", "any time"));
    };
    let start = o.from.map_or(from, |f| f.max(from));
    let end = o.until.map_or(to, |u| u.min(to));
    if start > end {
        return None;
    }
    if o.weekdays == 0 {
        return Some(reason(
            Criterion::Availability,
            5,
            "未注明可服务时间",
            "availability not stated",
        ));
    }
    let end = end.min(start + chrono::Duration::days(WINDOW_DAYS));
    let mut day = start;
    let mut days = 0;
    while day <= end {
        if o.weekdays & (1 << day.weekday().num_days_from_monday()) != 0 {
            days += 1;
        }
        day = day.succ_opt()?;
    }
    Some(if days > 0 {
        reason(
            Criterion::Availability,
            10,
            format!("期望时间内有{days}天可服务"),
            format!("available on {days} days in the wanted time"),
        )
    } else {
        reason(
            Criterion::Availability,
            0,
            "期望时间内没有可服务的日子",
            "not available on any wanted day",
        )
    })
}

/// The best `limit` offers for a need, best first; equal scores keep the offers' key order.
pub fn rank<'o, K: Ord + Clone>(
    need: &Need,
    offers: impl IntoIterator<Item = (K, Offer<'o>)>,
    limit: usize,
) -> Vec<(K, Fit)> {
    let mut out: Vec<(K, Fit)> = offers
        .into_iter()
        .filter_map(|(k, o)| fit(need, &o).map(|f| (k, f)))
        .collect();
    out.sort_by(|a, b| b.1.score.cmp(&a.1.score).then_with(|| a.0.cmp(&b.0)));
    out.truncate(limit);
    out
}

/// Weekdays as people write them (周一至周五, 周末, 每天...) to the [`Offer::weekdays`] mask; 0 when the
/// text says nothing readable.
pub fn weekdays_from_text(text: &str) -> u8 {
    const NAMES: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let t = text
        .replace("星期", "周")
        .replace("礼拜", "周")
        .replace('天', "日");
    if t.contains("每日") || t.contains("全天") || t.contains("随时") {
        return 0b111_1111;
    }
    let mut mask = 0u8;
    if t.contains("工作日") {
        mask |= 0b001_1111;
    }
    if t.contains("周末") || t.contains("双休") {
        mask |= 0b110_0000;
    }
    let day = |c: &str| NAMES.iter().position(|n| *n == c);
    let chars: Vec<String> = t.chars().map(String::from).collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == "周" {
            if let Some(a) = chars.get(i + 1).and_then(|c| day(c)) {
                // 周一至周五 / 周一到五 / 周一-周五: a range.
                let rest: Vec<&str> = chars[i + 2..].iter().map(String::as_str).take(3).collect();
                let to = match rest.as_slice() {
                    ["至" | "到" | "-" | "~", "周", b, ..] => day(b),
                    ["至" | "到" | "-" | "~", b, ..] => day(b),
                    _ => None,
                };
                match to {
                    Some(b) if b >= a => (a..=b).for_each(|d| mask |= 1 << d),
                    _ => mask |= 1 << a,
                }
            }
        }
        i += 1;
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn a_perfect_offer_scores_full_marks_with_six_reasons() {
        let skills = s(&["理发"]);
        let need = Need {
            category: "养老",
            parent: None,
            skills: &skills,
            place_path: "/d1/s1/c1/g1/",
            window: Some((d(3, 2), d(3, 8))),
        };
        let cats = s(&["养老", "助残"]);
        let offer = Offer {
            categories: &cats,
            skills: &skills,
            reach_path: "/d1/s1/c1/",
            weekdays: 0b111_1111,
            from: None,
            until: None,
            capacity: None,
            used: 0,
            ratings: (50, 10),
        };
        let f = fit(&need, &offer).unwrap();
        assert_eq!(f.score, 100, "{f:?}");
        let named: Vec<Criterion> = f.reasons.iter().map(|r| r.criterion).collect();
        assert_eq!(named, Criterion::ALL);
        assert!(f.reasons[0].zh.contains("养老"));
    }

    #[test]
    fn offers_that_cannot_help_are_left_out() {
        let need = Need {
            category: "法律",
            parent: None,
            skills: &[],
            place_path: "/d1/s1/c1/g1/",
            window: Some((d(3, 2), d(3, 8))),
        };
        let cats = s(&["养老"]);
        let law = s(&["法律"]);
        let base = Offer {
            categories: &law,
            skills: &[],
            reach_path: "/d1/s1/",
            weekdays: 0,
            from: None,
            until: None,
            capacity: Some(3),
            used: 0,
            ratings: (0, 0),
        };
        assert!(fit(&need, &base).is_some());
        assert!(
            fit(
                &need,
                &Offer {
                    categories: &cats,
                    ..base
                }
            )
            .is_none(),
            "other category, no skill"
        );
        assert!(fit(&need, &Offer { used: 3, ..base }).is_none(), "full");
        assert!(
            fit(
                &need,
                &Offer {
                    until: Some(d(3, 1)),
                    ..base
                }
            )
            .is_none(),
            "only before the window"
        );
    }

    #[test]
    fn distance_follows_the_place_tree() {
        let pts = |need: &str, reach: &str| distance(need, reach).points;
        assert_eq!(pts("/d/s/c/g/", "/d/s/c/g/"), 20);
        assert_eq!(pts("/d/s/c/g/", "/d/s/c/"), 20);
        assert_eq!(pts("/d/s/c/g/", "/d/s/c/h/"), 16);
        assert_eq!(pts("/d/s/c/g/", "/d/s/"), 14);
        assert_eq!(pts("/d/s/c/g/", "/d/s/k/"), 8);
        assert_eq!(pts("/d/s/c/g/", "/d/t/k/"), 3);
        assert_eq!(pts("/d/s/c/g/", "/e/t/k/"), 0);
    }

    #[test]
    fn volunteers_and_demands_name_categories_differently() {
        let cats = s(&["扶老助老"]);
        let need = Need {
            category: "养老",
            parent: None,
            skills: &[],
            place_path: "/d/s/c/",
            window: None,
        };
        let v = Offer {
            categories: &cats,
            skills: &[],
            reach_path: "/d/s/c/",
            weekdays: 0,
            from: None,
            until: None,
            capacity: None,
            used: 0,
            ratings: (0, 0),
        };
        assert_eq!(fit(&need, &v).unwrap().reasons[0].points, 35);
        assert_eq!(canonical("法律服务"), canonical("法律"));
        assert_eq!(canonical("就业"), "就业");
    }

    #[test]
    fn weekdays_as_people_write_them() {
        assert_eq!(weekdays_from_text("周一至周五"), 0b001_1111);
        assert_eq!(weekdays_from_text("周末上午"), 0b110_0000);
        assert_eq!(weekdays_from_text("星期三、星期六下午"), 0b010_0100);
        assert_eq!(weekdays_from_text("每天都可以"), 0b111_1111);
        assert_eq!(weekdays_from_text("工作日晚上"), 0b001_1111);
        assert_eq!(weekdays_from_text("周二到四"), 0b000_1110);
        assert_eq!(weekdays_from_text("看情况"), 0);
    }

    #[test]
    fn ranking_is_best_first_and_stable() {
        let cats = s(&["养老"]);
        let need = Need {
            category: "养老",
            parent: None,
            skills: &[],
            place_path: "/d/s/c/g/",
            window: None,
        };
        let near = Offer {
            categories: &cats,
            skills: &[],
            reach_path: "/d/s/c/",
            weekdays: 0,
            from: None,
            until: None,
            capacity: None,
            used: 0,
            ratings: (0, 0),
        };
        let far = Offer {
            reach_path: "/d/t/",
            ..near
        };
        let got = rank(&need, [(1, far), (2, near), (3, near)], 2);
        let keys: Vec<i32> = got.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, [2, 3]);
    }
}
