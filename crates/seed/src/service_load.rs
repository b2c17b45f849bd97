//! The service loop at city scale, generated for the benchmarks: open demands and resources spread over
//! the city's communities (matching them against the volunteers `seed-volunteers` loaded), and a year of
//! orders in one street (the dispatch board).

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;
use wushe_domain::service::order::DEFAULT_CATEGORIES;
use wushe_store::lists::{DemandRow, ResourceRow};
use wushe_store::service::orders::OrderRow;

use wushe_app::{App, AppError, AppResult};

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
const KINDS: &[&str] = &["venue", "people", "skill", "information", "money", "goods"];
const NEEDS: &[&str] = &[
    "助餐送餐",
    "上门理发",
    "陪同就医",
    "家电维修",
    "法律咨询",
    "课业辅导",
    "心理陪伴",
    "环境整治",
];

/// What was loaded.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Open demands.
    pub demands: usize,
    /// Resources.
    pub resources: usize,
    /// Orders in the first street.
    pub orders: usize,
    /// That street's path.
    pub street: String,
}

/// Loads the demands, resources and orders.
pub async fn load(app: &App, demands: usize, resources: usize, orders: usize) -> AppResult<Loaded> {
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
    let mut rng = StdRng::seed_from_u64(20261125);
    let now = Utc::now();
    let today = app.today();
    let quarter = wushe_domain::lists::project::quarter_of(today);
    let street_of = |p: &str| {
        let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
        format!("/{}/", segs[..2.min(segs.len())].join("/"))
    };
    let pick = |rng: &mut StdRng, v: &[&str]| v[rng.gen_range(0..v.len())].to_owned();
    let mut out = Loaded::default();
    let mut tx = app.db.begin().await?;
    let mut conn = tx.conn();
    let mut rrows = Vec::with_capacity(resources);
    for i in 0..resources {
        let (cid, path) = &communities[i % communities.len()];
        let cats = vec![
            pick(&mut rng, &DEFAULT_CATEGORIES),
            pick(&mut rng, &DEFAULT_CATEGORIES),
        ];
        let availability = ["周一至周五", "周末", "每天", ""][rng.gen_range(0..4)];
        rrows.push(ResourceRow {
            id: Uuid::now_v7(),
            community_id: *cid,
            place_path: if i % 10 == 0 {
                street_of(path)
            } else {
                path.clone()
            },
            kind: pick(&mut rng, KINDS),
            name: format!("资源{i}"),
            categories: serde_json::to_string(&cats).expect("list"),
            skills: serde_json::to_string(&[pick(&mut rng, SKILLS)]).expect("list"),
            capacity: (i % 3 != 0).then(|| rng.gen_range(5..50)),
            used: 0,
            availability: availability.into(),
            weekdays: i64::from(wushe_domain::lists::matching::weekdays_from_text(
                availability,
            )),
            available_from: None,
            available_until: None,
            provider_id: None,
            provider_name: format!("共建单位{}", i % 500),
            ratings_sum: 0,
            ratings_count: 0,
            status: "active".into(),
            quarter: quarter.clone(),
            created_by: None,
            created_at: now,
            updated_at: now,
        });
    }
    wushe_store::lists::insert_resources(&mut conn, &rrows).await?;
    out.resources = rrows.len();
    let mut drows = Vec::with_capacity(demands);
    for i in 0..demands {
        let (cid, path) = &communities[rng.gen_range(0..communities.len())];
        let windowed = i % 2 == 0;
        drows.push(DemandRow {
            id: Uuid::now_v7(),
            community_id: *cid,
            place_path: path.clone(),
            category: pick(&mut rng, &DEFAULT_CATEGORIES),
            content: pick(&mut rng, NEEDS),
            urgency: ["low", "normal", "high", "urgent"][i % 4].into(),
            resident_id: None,
            household_id: None,
            group_text: String::new(),
            skills: serde_json::to_string(&[pick(&mut rng, SKILLS)]).expect("list"),
            wanted_from: windowed.then_some(today),
            wanted_to: windowed.then(|| today + Duration::days(14)),
            source: "visit".into(),
            status: "open".into(),
            quarter: quarter.clone(),
            created_by: None,
            created_at: now,
            updated_at: now,
        });
    }
    wushe_store::lists::insert_demands(&mut conn, &drows).await?;
    out.demands = drows.len();
    let street = street_of(&communities[0].1);
    let local: Vec<&(Uuid, String)> = communities
        .iter()
        .filter(|(_, p)| p.starts_with(&street))
        .collect();
    let mut orows = Vec::with_capacity(orders);
    for i in 0..orders {
        let (cid, path) = local[i % local.len()];
        let created = now - Duration::minutes(rng.gen_range(0..365 * 24 * 60));
        // Most of a year's orders are closed; the open ones are recent, so the alert job has little to flag.
        let (status, since, due, closed) = match i % 20 {
            0 => (
                "placed",
                now - Duration::minutes(rng.gen_range(0..60)),
                Some(now + Duration::hours(23)),
                None,
            ),
            1 => (
                "dispatched",
                now - Duration::minutes(rng.gen_range(0..60)),
                Some(now + Duration::hours(11)),
                None,
            ),
            2 | 3 => (
                "accepted",
                now - Duration::minutes(rng.gen_range(0..60)),
                Some(now + Duration::hours(70)),
                None,
            ),
            4 | 5 => (
                "completed",
                now - Duration::hours(rng.gen_range(0..24)),
                Some(now + Duration::days(6)),
                None,
            ),
            _ => (
                "closed",
                created + Duration::days(3),
                None,
                Some(created + Duration::days(3)),
            ),
        };
        let open = closed.is_none();
        orows.push(OrderRow {
            id: Uuid::now_v7(),
            community_id: *cid,
            place_path: path.clone(),
            household_id: None,
            category: pick(&mut rng, &DEFAULT_CATEGORIES),
            content: pick(&mut rng, NEEDS),
            wanted_by: None,
            status: status.into(),
            status_since: since,
            due_at: due,
            assignee_type: (status != "placed").then(|| "team".to_owned()),
            assignee_id: None,
            assignee_name: if status == "placed" {
                String::new()
            } else {
                "服务队".into()
            },
            placed_by: None,
            created_at: if open {
                since - Duration::hours(1)
            } else {
                created
            },
            updated_at: since,
            closed_at: closed,
            photos: "[]".into(),
        });
    }
    wushe_store::service::orders::insert_many(&mut conn, &orows).await?;
    wushe_app::kernel::workflow::count_loaded(
        &mut conn,
        wushe_domain::service::order::MACHINE.name,
        orows
            .iter()
            .map(|o| (o.place_path.clone(), o.community_id, o.status.clone())),
    )
    .await?;
    out.orders = orows.len();
    out.street = street;
    tx.commit().await?;
    Ok(out)
}
