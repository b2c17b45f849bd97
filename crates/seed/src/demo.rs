//! Demo and benchmark data in the shape of the seed reports: a street of the 湘江新区 with 阳明山庄社区 and
//! 龙王港社区 (8 grids each), or a whole city (10 streets, 100 communities, 1,000 grids, 300,000 households,
//! 1,000,000 residents) for the benchmarks. Generated deterministically, with valid ID numbers.

use chrono::{Datelike, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use uuid::Uuid;
use wushe_domain::map::place::PlacePath;
use wushe_domain::people::id_number::{check_digit, IdNumber};
use wushe_domain::people::phone::Phone;
use wushe_domain::people::resident::ValidResident;
use wushe_domain::people::sex::Sex;
use wushe_store::map::places::PlaceRow;
use wushe_store::people::households::HouseholdWrite;
use wushe_store::Conn;

use wushe_app::kernel::audit::{self, Entry};
use wushe_app::{Actor, App, AppError, AppResult};

/// How much data to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// One street, two communities, ~1,200 residents.
    Demo,
    /// One district, 10 streets, 100 communities, 1,000 grids, 300,000 households, 1,000,000 residents.
    City,
}

/// What was made.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Seeded {
    /// Places created.
    pub places: usize,
    /// Households created.
    pub households: usize,
    /// Residents created.
    pub residents: usize,
    /// Ids of the communities, first first.
    pub communities: Vec<Uuid>,
    /// The first grid of the first community (demo users are granted there).
    pub first_grid: Option<Uuid>,
    /// The first street.
    pub first_street: Option<Uuid>,
    /// Volunteers registered (demo scale only).
    pub volunteers: usize,
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "蒋", "蔡", "易", "欧阳", "谭", "廖", "熊", "龚", "贺", "邹",
    "颜", "汤", "向",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "建华", "玉兰", "志强", "文",
    "海燕", "红梅", "宇", "浩然", "欣怡", "子涵", "梓萱", "思远", "晓玲", "希", "华玲", "小平",
    "秋云", "俊宇", "也凡", "毅", "德明", "淑珍", "国庆", "春花", "卫东", "丽华",
];
const STREETS: &[&str] = &[
    "梅溪湖",
    "西湖",
    "观沙岭",
    "望城坡",
    "咸嘉湖",
    "望月湖",
    "岳麓",
    "桔子洲",
    "银盆岭",
    "麓谷",
];
const COMMUNITY_WORDS: &[&str] = &[
    "阳明山庄",
    "龙王港",
    "桃花岭",
    "麓山名园",
    "金茂",
    "枫林",
    "湘江",
    "新河",
    "银杉",
    "先导",
    "白鹤",
    "象鼻窝",
    "茶子山",
    "博才",
    "西湖",
    "观音",
    "谷山",
    "含浦",
    "坪塘",
    "学士",
];
const GRID_NAMES: &[&str] = &[
    "第一网格",
    "第二网格",
    "第三网格",
    "第四网格",
    "第五网格",
    "第六网格",
    "第七网格",
    "第八网格",
    "第九网格",
    "第十网格",
];

#[derive(Debug, Clone, Copy)]
struct Shape {
    streets: usize,
    communities_per_street: usize,
    grids_per_community: usize,
    buildings_per_grid: usize,
    households_per_building: usize,
}

fn shape(scale: Scale) -> Shape {
    match scale {
        Scale::Demo => Shape {
            streets: 1,
            communities_per_street: 2,
            grids_per_community: 8,
            buildings_per_grid: 3,
            households_per_building: 10,
        },
        Scale::City => Shape {
            streets: 10,
            communities_per_street: 10,
            grids_per_community: 10,
            buildings_per_grid: 10,
            households_per_building: 30,
        },
    }
}

fn name(rng: &mut StdRng) -> String {
    format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        GIVEN[rng.gen_range(0..GIVEN.len())]
    )
}

/// Changsha's region codes (GB/T 2260), spread over so that generated numbers never collide.
const REGIONS: &[&str] = &[
    "430104", "430102", "430103", "430105", "430111", "430112", "430121", "430181", "430182",
];

/// A valid ID number, unique for the `nth` person generated with this birth date.
fn id_number(birth: NaiveDate, sex: Sex, nth: u32) -> String {
    let region = REGIONS[(nth / 500) as usize % REGIONS.len()];
    let seq = (nth % 500) * 2 + if sex == Sex::Male { 1 } else { 0 };
    let first17 = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
    let check = check_digit(&first17).expect("17 digits");
    format!("{first17}{check}")
}

async fn place(
    c: &mut Conn<'_>,
    kind: &str,
    name: String,
    parent: Option<&PlaceRow>,
    now: chrono::DateTime<Utc>,
) -> AppResult<PlaceRow> {
    let id = Uuid::now_v7();
    let path = match parent {
        Some(p) => PlacePath::parse(&p.path)
            .ok_or_else(|| AppError::Internal("bad path".into()))?
            .child(id),
        None => PlacePath::root(id),
    };
    let community_id = if kind == "community" {
        Some(id)
    } else {
        parent.and_then(|p| p.community_id)
    };
    let row = PlaceRow {
        id,
        community_id,
        kind: kind.into(),
        name,
        parent_id: parent.map(|p| p.id),
        path: path.as_str().to_owned(),
        archived_at: None,
        created_at: now,
        updated_at: now,
    };
    wushe_store::map::places::insert(c, &row, None).await?;
    if kind == "community" {
        for t in wushe_domain::people::resident::DEFAULT_TAGS {
            wushe_store::map::tags::add(
                c,
                id,
                t,
                matches!(
                    *t,
                    "残疾" | "低保" | "特困" | "特扶" | "留守儿童" | "困境儿童"
                ),
                now,
            )
            .await?;
        }
    }
    Ok(row)
}

/// Makes the households and residents of one community after another, with the state that keeps ID numbers
/// and phones unique across the whole load. Runs on a blocking thread beside the database writes.
struct Generator {
    sh: Shape,
    rng: StdRng,
    serial: u32,
    born_on: std::collections::HashMap<NaiveDate, u32>,
    household_no: u64,
    people_made: u64,
    today: NaiveDate,
    now: chrono::DateTime<Utc>,
    crypto: wushe_app::kernel::crypto::Crypto,
}

/// One community's rows.
type Batch = (
    Vec<HouseholdWrite>,
    Vec<wushe_store::people::residents::ResidentWrite>,
);

impl Generator {
    fn community(&mut self, community: &PlaceRow, buildings: &[PlaceRow]) -> AppResult<Batch> {
        let now = self.now;
        let mut households = Vec::new();
        let mut residents = Vec::new();
        for b in buildings {
            for h in 0..self.sh.households_per_building {
                let door = if b.kind == "lane" {
                    format!("{}号", h + 1)
                } else {
                    format!("{}单元{}{:02}", h / 10 + 1, (h % 10) / 2 + 1, h % 2 + 1)
                };
                let hid = Uuid::now_v7();
                households.push(HouseholdWrite {
                    id: hid,
                    community_id: community.id,
                    place_id: b.id,
                    place_path: b.path.clone(),
                    address: door,
                    tags: "[]".into(),
                });
                // Households average 10/3 people (1,000,000 in 300,000 at city scale): the elderly living alone
                // are one, and the following households make up the difference so the total comes out exact.
                let alone = self.rng.gen_ratio(1, 25);
                self.household_no += 1;
                let want = (self.household_no * 10 / 3).saturating_sub(self.people_made);
                let size = if alone { 1 } else { want.clamp(2, 6) };
                self.people_made += size;
                let surname = SURNAMES[self.rng.gen_range(0..SURNAMES.len())];
                let head_year = if alone {
                    self.rng.gen_range(1932..1952)
                } else {
                    self.rng.gen_range(1950..1995)
                };
                for m in 0..size {
                    self.serial += 1;
                    let (year, relation) = match m {
                        0 => (head_year, "户主"),
                        1 => (head_year + self.rng.gen_range(-3..4), "配偶"),
                        _ => (
                            (head_year + self.rng.gen_range(22..32)).min(self.today.year() - 1),
                            "子女",
                        ),
                    };
                    let sex = match m {
                        0 => {
                            if self.rng.gen_bool(0.6) {
                                Sex::Male
                            } else {
                                Sex::Female
                            }
                        }
                        1 => {
                            if self.rng.gen_bool(0.6) {
                                Sex::Female
                            } else {
                                Sex::Male
                            }
                        }
                        _ => {
                            if self.rng.gen_bool(0.5) {
                                Sex::Male
                            } else {
                                Sex::Female
                            }
                        }
                    };
                    let birth = NaiveDate::from_ymd_opt(
                        year,
                        self.rng.gen_range(1..=12),
                        self.rng.gen_range(1..=28),
                    )
                    .expect("valid date");
                    let nth = self.born_on.entry(birth).or_insert(0);
                    *nth += 1;
                    let idn = IdNumber::parse(&id_number(birth, sex, *nth - 1), self.today)
                        .map_err(|_| AppError::Internal("generated an invalid ID number".into()))?;
                    let phone =
                        Phone::parse(&format!("1{}{:09}", self.rng.gen_range(3..=9), self.serial))
                            .ok();
                    let given = GIVEN[self.rng.gen_range(0..GIVEN.len())];
                    let mut tags = Vec::new();
                    let age = wushe_domain::people::resident::age_on(birth, self.today);
                    if alone {
                        tags.push("独居老人".to_owned());
                    } else if age >= 80 {
                        tags.push("高龄老人".to_owned());
                    }
                    if self.rng.gen_ratio(1, 50) {
                        tags.push("低保".to_owned());
                    }
                    if self.rng.gen_ratio(1, 80) {
                        tags.push("残疾".to_owned());
                    }
                    if age >= 18 && self.rng.gen_ratio(1, 12) {
                        tags.push("党员".to_owned());
                    }
                    if age >= 30 && sex == Sex::Male && self.rng.gen_ratio(1, 60) {
                        tags.push("退役军人".to_owned());
                    }
                    let v = ValidResident {
                        name: if m == 1 {
                            name(&mut self.rng)
                        } else {
                            format!("{surname}{given}")
                        },
                        sex,
                        birth_date: Some(birth),
                        id_number: Some(idn),
                        phone,
                        relation: Some(relation.to_owned()),
                        tags,
                    };
                    let hrow = wushe_store::people::households::HouseholdRow {
                        id: hid,
                        community_id: community.id,
                        place_id: b.id,
                        place_path: b.path.clone(),
                        address: String::new(),
                        tags: "[]".into(),
                        archived_at: None,
                        created_at: now,
                        updated_at: now,
                        place_name: String::new(),
                        resident_count: 0,
                    };
                    residents.push(wushe_app::people::residents::to_write(
                        &self.crypto,
                        Uuid::now_v7(),
                        &hrow,
                        &v,
                    ));
                }
            }
        }
        Ok((households, residents))
    }
}

/// Seeds the data unless this database already has places; returns what was made (none when skipped).
pub async fn seed(app: &App, scale: Scale) -> AppResult<Option<Seeded>> {
    {
        let mut c = app.db.read().await?;
        let mut conn = c.conn();
        if wushe_store::map::places::roots(&mut conn, &wushe_store::Scope::All)
            .await?
            .iter()
            .any(|p| p.kind == "district")
        {
            return Ok(None);
        }
    }
    let sh = shape(scale);
    let now = Utc::now();
    let today = app.today();
    let rng = StdRng::seed_from_u64(20231114);
    let mut out = Seeded::default();

    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let district = place(&mut c, "district", "湘江新区".into(), None, now).await?;
    out.places += 1;
    let mut communities: Vec<(PlaceRow, Vec<PlaceRow>)> = Vec::new();
    for s in 0..sh.streets {
        let street = place(
            &mut c,
            "street",
            format!("{}街道", STREETS[s % STREETS.len()]),
            Some(&district),
            now,
        )
        .await?;
        out.first_street.get_or_insert(street.id);
        out.places += 1;
        for k in 0..sh.communities_per_street {
            let n = s * sh.communities_per_street + k;
            let cname = if n < COMMUNITY_WORDS.len() {
                format!("{}社区", COMMUNITY_WORDS[n])
            } else {
                format!(
                    "{}{}社区",
                    COMMUNITY_WORDS[n % COMMUNITY_WORDS.len()],
                    n / COMMUNITY_WORDS.len() + 1
                )
            };
            let community = place(&mut c, "community", cname, Some(&street), now).await?;
            out.communities.push(community.id);
            out.places += 1;
            let mut buildings = Vec::new();
            for g in 0..sh.grids_per_community {
                let gname = GRID_NAMES
                    .get(g)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| format!("第{}网格", g + 1));
                let grid = place(&mut c, "grid", gname, Some(&community), now).await?;
                out.first_grid.get_or_insert(grid.id);
                out.places += 1;
                for b in 0..sh.buildings_per_grid {
                    let number = g * sh.buildings_per_grid + b + 1;
                    // 龙王港's old streets have lanes (巷) with lane heads, as in the Foshan seed.
                    let (kind, bname) = if scale == Scale::Demo && k == 1 && g == 7 {
                        ("lane", format!("港子{}巷", b + 1))
                    } else {
                        ("building", format!("{number}栋"))
                    };
                    buildings.push(place(&mut c, kind, bname, Some(&grid), now).await?);
                    out.places += 1;
                }
            }
            communities.push((community, buildings));
        }
    }
    tx.commit().await?;

    // Generating (encryption, keyed hashes) takes one core and writing takes the other: the next community is
    // made while the last one is written.
    let mut generator = Generator {
        sh,
        rng,
        serial: 0,
        born_on: std::collections::HashMap::new(),
        household_no: 0,
        people_made: 0,
        today,
        now,
        crypto: app.crypto.clone(),
    };
    let (batches, mut ready) = tokio::sync::mpsc::channel::<AppResult<Batch>>(2);
    let producer = tokio::task::spawn_blocking(move || {
        for (community, buildings) in &communities {
            let batch = generator.community(community, buildings);
            if batches.blocking_send(batch).is_err() {
                break;
            }
        }
    });
    // One transaction for all the people: every community's rows land in the same hash-index pages, and a
    // commit per community rewrote those pages a hundred times over (on SQLite, once per commit into the WAL).
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    wushe_store::kernel::db::bulk_load_cache(&mut c, true).await?;
    while let Some(batch) = ready.recv().await {
        let (households, residents) = batch?;
        wushe_store::people::households::insert_many(&mut c, &households, now).await?;
        wushe_store::people::residents::insert_many(&mut c, &residents, now).await?;
        out.households += households.len();
        out.residents += residents.len();
    }
    tx.commit().await?;
    producer
        .await
        .map_err(|e| AppError::Internal(format!("generator: {e}")))?;
    let mut tx = app.db.begin().await?;
    // After the commit: shrinking the cache inside the load would have spilled its dirty pages.
    wushe_store::kernel::db::bulk_load_cache(&mut tx.conn(), false).await?;
    audit::record(&mut tx.conn(), &Actor::system(), Entry {
        action: "demo.seed", object_type: "place", object_id: Some(district.id), place_path: Some(&district.path),
        community_id: None,
        detail: json!({"scale": format!("{scale:?}"), "places": out.places, "households": out.households, "residents": out.residents}),
    }).await?;
    tx.commit().await?;
    if scale == Scale::Demo {
        for c in &out.communities {
            out.volunteers += crate::volunteering::seed_community(app, *c).await?;
            crate::service::seed_community(app, *c).await?;
        }
    }
    Ok(Some(out))
}

/// True when someone born on `birth` is 18 or older on `today`.
pub fn is_adult(birth: NaiveDate, today: NaiveDate) -> bool {
    wushe_domain::people::resident::age_on(birth, today) >= 18
}
