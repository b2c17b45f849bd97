//! A city's volunteers and three years of their service, generated for the benchmarks: 300,000 volunteers
//! and 10,000,000 service records by default, each record with its points entry under the Yangming rule,
//! and every cached total (balance, minutes, monthly figures) consistent with the ledgers.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;
use wushe_domain::volunteering::points::{self, Policy};
use wushe_store::volunteering::points::{EntryRow, RecordRow};
use wushe_store::volunteering::volunteers::VolunteerRow;

use wushe_app::{App, AppError, AppResult};

const CONTENTS: &[&str] = &[
    "敬老探访",
    "陪同就医",
    "义务理发",
    "环境清扫",
    "平安巡逻",
    "四点半课堂",
    "心理疏导",
    "垃圾分类宣传",
    "文艺演出",
    "政策宣讲",
    "助餐送餐",
    "防诈骗宣传",
];

const SKILLS: &[&str] = &[
    "理发",
    "维修",
    "烹饪",
    "护理",
    "心理咨询",
    "法律",
    "驾驶",
    "教学",
    "摄影",
    "急救",
];
const AVAILABILITY: &[&str] = &["周一至周五", "周末", "每天", "工作日晚上", "周六上午", ""];

/// What was loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Volunteers.
    pub volunteers: usize,
    /// Service records (and as many points entries).
    pub records: usize,
}

/// Loads `volunteers` volunteers and `records` service records spread over the map's communities.
pub async fn load(app: &App, volunteers: usize, records: usize) -> AppResult<Loaded> {
    let mut c = app.db.read().await?;
    let communities = wushe_store::volunteering::bulk::communities(&mut c.conn()).await?;
    drop(c);
    if communities.is_empty() {
        return Err(AppError::rule(
            "no_communities",
            "请先生成地点（seed-demo）",
            "seed the places first (seed-demo)",
        ));
    }
    let per_community = volunteers.div_ceil(communities.len());
    let per_volunteer = records.div_ceil(volunteers.max(1));
    let policy = Policy::yangming_default();
    let today = app.today();
    let now = Utc::now();
    let mut rng = StdRng::seed_from_u64(20261125);
    let mut out = Loaded::default();
    let mut tx = app.db.begin().await?;
    let mut conn = tx.conn();
    wushe_store::kernel::db::bulk_load_cache(&mut conn, true).await?;
    let last_no = wushe_store::kernel::counters::advance(
        &mut conn,
        "volunteer_no",
        (per_community * communities.len()) as i64,
    )
    .await?;
    let mut next_no = last_no - (per_community * communities.len()) as i64 + 1;
    for (community, path) in &communities {
        let mut vrows = Vec::with_capacity(per_community);
        let mut rrows = Vec::with_capacity(per_community * per_volunteer);
        let mut erows = Vec::with_capacity(per_community * per_volunteer);
        let mut months: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for _ in 0..per_community {
            if out.volunteers >= volunteers {
                break;
            }
            let id = Uuid::now_v7();
            let phone = format!("13{:09}", rng.gen_range(0..1_000_000_000u64));
            // Skills, categories and availability as a register holds them, so matching has work to do.
            let skills =
                serde_json::to_string(&[SKILLS[rng.gen_range(0..SKILLS.len())]]).expect("list");
            let cats = wushe_domain::volunteering::volunteer::CATEGORIES;
            let categories =
                serde_json::to_string(&[cats[rng.gen_range(0..cats.len())]]).expect("list");
            let availability = AVAILABILITY[rng.gen_range(0..AVAILABILITY.len())].to_owned();
            let mut minutes_total = 0;
            let mut points_total = 0;
            let n = per_volunteer.min(records.saturating_sub(out.records));
            for _ in 0..n {
                let day = today - Duration::days(rng.gen_range(0..3 * 365));
                let minutes = 30 * rng.gen_range(1..=8);
                let pts = policy.points_for_minutes(minutes);
                let rid = Uuid::now_v7();
                let content = CONTENTS[rng.gen_range(0..CONTENTS.len())];
                rrows.push(RecordRow {
                    id: rid,
                    community_id: *community,
                    place_path: path.clone(),
                    volunteer_id: id,
                    activity_id: None,
                    served_on: day,
                    minutes,
                    content: content.into(),
                    place_text: String::new(),
                    organiser: String::new(),
                    recorder_id: None,
                    reverses_id: None,
                    reason: None,
                    created_at: now,
                });
                erows.push(EntryRow {
                    id: Uuid::now_v7(),
                    community_id: *community,
                    volunteer_id: id,
                    year: points::year_of(day),
                    earned_on: day,
                    kind: "service".into(),
                    points: pts,
                    policy_id: None,
                    source_id: Some(rid),
                    reverses_id: None,
                    note: content.into(),
                    created_at: now,
                    created_by: None,
                });
                let m = months.entry(day.format("%Y-%m").to_string()).or_default();
                m.0 += minutes;
                m.1 += 1;
                minutes_total += minutes;
                points_total += pts;
                out.records += 1;
            }
            vrows.push(VolunteerRow {
                id,
                community_id: *community,
                place_path: path.clone(),
                volunteer_no: wushe_domain::volunteering::volunteer::volunteer_no(next_no),
                name: format!("志愿者{next_no}"),
                sex: Some(if next_no % 2 == 0 { "female" } else { "male" }.into()),
                birth_date: None,
                id_number_enc: None,
                id_number_hash: None,
                id_number_mask: None,
                phone_enc: Some(app.crypto.encrypt(&phone)),
                phone_hash: Some(app.crypto.blind_index("phone", &phone)),
                phone_mask: Some(wushe_domain::kernel::mask::phone(&phone)),
                resident_id: None,
                user_id: None,
                skills,
                categories,
                party_member: next_no % 4 == 0,
                in_service_party_member: false,
                work_unit: String::new(),
                availability,
                status: "active".into(),
                points_balance: points_total,
                total_minutes: minutes_total,
                created_at: now,
                created_by: None,
                updated_at: now,
            });
            next_no += 1;
            out.volunteers += 1;
        }
        wushe_store::volunteering::bulk::volunteers(&mut conn, &vrows).await?;
        wushe_store::volunteering::bulk::records(&mut conn, &rrows).await?;
        wushe_store::volunteering::bulk::entries(&mut conn, &erows).await?;
        let mrows: Vec<_> = months
            .into_iter()
            .map(|(m, (min, n))| (path.clone(), m, *community, min, n))
            .collect();
        wushe_store::volunteering::bulk::months(&mut conn, &mrows).await?;
    }
    tx.commit().await?;
    let mut tx = app.db.begin().await?;
    wushe_store::kernel::db::bulk_load_cache(&mut tx.conn(), false).await?;
    tx.commit().await?;
    Ok(out)
}
