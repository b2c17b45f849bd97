//! The points bank: each community's policy over time, posting entries to the append-only ledger with the
//! cached balance in the same transaction, and a volunteer's balance and year.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::volunteering::points::{self, EntryKind, Policy, Rounding};
use wushe_store::volunteering::points::{EntryRow, PolicyRow};
use wushe_store::volunteering::volunteers::VolunteerRow;
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::{Actor, App, AppError, AppResult};

/// A community's points policy as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PointsPolicy {
    /// Id (none for the built-in default).
    pub id: Option<Uuid>,
    /// Community.
    pub community_id: Uuid,
    /// Points for one hour of service.
    pub points_per_hour: i64,
    /// Points for one donated item.
    pub points_per_item: i64,
    /// Yearly points for star eligibility.
    pub star_threshold: i64,
    /// `down` / `nearest` / `up`.
    pub rounding: String,
    /// Cumulative hours for each star level.
    pub star_hours: Vec<i64>,
    /// First day it applies to (none for the built-in default, which applies before any set policy).
    pub valid_from: Option<NaiveDate>,
    /// Calendar years its points can be spent (1: until the end of the year earned); none: never expire.
    pub valid_years: Option<i64>,
}

fn policy_of(r: &PolicyRow) -> Policy {
    Policy {
        points_per_hour: r.points_per_hour,
        points_per_item: r.points_per_item,
        star_threshold: r.star_threshold,
        rounding: Rounding::parse(&r.rounding).unwrap_or_default(),
        star_hours: serde_json::from_str(&r.star_hours)
            .unwrap_or_else(|_| points::DEFAULT_STAR_HOURS.to_vec()),
        valid_from: r.valid_from,
        valid_years: r.valid_years,
    }
}

fn view(community: Uuid, id: Option<Uuid>, p: &Policy) -> PointsPolicy {
    PointsPolicy {
        id,
        community_id: community,
        points_per_hour: p.points_per_hour,
        points_per_item: p.points_per_item,
        star_threshold: p.star_threshold,
        rounding: p.rounding.as_str().to_owned(),
        star_hours: p.star_hours.clone(),
        valid_from: (p.valid_from != NaiveDate::MIN).then_some(p.valid_from),
        valid_years: p.valid_years,
    }
}

/// The set policy in force in a community on a day, with its id; none before the first one.
pub async fn policy_on(
    c: &mut Conn<'_>,
    community: Uuid,
    day: NaiveDate,
) -> AppResult<Option<(Uuid, Policy)>> {
    let rows = wushe_store::volunteering::points::policies(c, community).await?;
    Ok(in_force(&rows, day).map(|r| (r.id, policy_of(r))))
}

/// The row in force on `day` among a community's policies as the store returns them (newest first within a
/// day, so the first row on or before `day` is the one in force).
fn in_force(rows: &[PolicyRow], day: NaiveDate) -> Option<&PolicyRow> {
    rows.iter().find(|r| r.valid_from <= day)
}

/// The rule a row gives, or the Yangming default where the community had set none yet.
fn rule_or_default(row: Option<&PolicyRow>) -> Policy {
    row.map(policy_of).unwrap_or_else(Policy::yangming_default)
}

/// What a policy change asks for.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    /// Points per hour.
    pub points_per_hour: Option<i64>,
    /// Points per item.
    pub points_per_item: Option<i64>,
    /// Yearly star threshold.
    pub star_threshold: Option<i64>,
    /// Rounding (`down` when absent).
    pub rounding: Option<String>,
    /// Star levels in hours (the default when absent).
    pub star_hours: Option<Vec<i64>>,
    /// First day it applies to.
    pub valid_from: Option<NaiveDate>,
    /// Calendar years its points can be spent; none: never expire.
    pub valid_years: Option<i64>,
}

/// Sets a community's policy from `valid_from` on. Entries already written keep their points.
pub async fn set_policy(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
    input: PolicyInput,
) -> AppResult<PointsPolicy> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let required = |v: Option<i64>,
                    field: &str,
                    zh: &str,
                    errs: &mut wushe_domain::kernel::error::ValidationErrors| {
        v.unwrap_or_else(|| {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                field,
                format!("{zh}不能为空"),
                format!("{} is required", field.replace('_', " ")),
            ));
            0
        })
    };
    let pph = required(
        input.points_per_hour,
        "points_per_hour",
        "每小时积分",
        &mut errs,
    );
    let ppi = required(
        input.points_per_item,
        "points_per_item",
        "每件物品积分",
        &mut errs,
    );
    let thr = required(
        input.star_threshold,
        "star_threshold",
        "星级评定年度积分",
        &mut errs,
    );
    let rounding = match input.rounding.as_deref().filter(|s| !s.is_empty()) {
        None => Rounding::Down,
        Some(s) => Rounding::parse(s).unwrap_or_else(|| {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "rounding",
                "取整方式应为 down、nearest 或 up",
                "rounding must be down, nearest or up",
            ));
            Rounding::Down
        }),
    };
    let valid_from = input.valid_from.unwrap_or_else(|| {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "valid_from",
            "生效日期不能为空",
            "valid_from is required",
        ));
        NaiveDate::MIN
    });
    errs.into_result(())?;
    let policy = Policy {
        points_per_hour: pph,
        points_per_item: ppi,
        star_threshold: thr,
        rounding,
        star_hours: input
            .star_hours
            .unwrap_or_else(|| points::DEFAULT_STAR_HOURS.to_vec()),
        valid_from,
        valid_years: input.valid_years,
    };
    policy.validate()?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let community = crate::volunteering::volunteers::community(
        &mut c,
        actor,
        Some(community_id),
        Permission::ManageCharity,
    )
    .await?;
    let row = PolicyRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        valid_from,
        points_per_hour: pph,
        points_per_item: ppi,
        star_threshold: thr,
        rounding: rounding.as_str().to_owned(),
        star_hours: serde_json::to_string(&policy.star_hours).expect("hours serialize"),
        valid_years: policy.valid_years,
        created_at: app.now(),
        created_by: actor.author(),
    };
    wushe_store::volunteering::points::insert_policy(&mut c, &row).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "points.policy",
            object_type: "points_policy",
            object_id: Some(row.id),
            place_path: Some(&community.path),
            community_id: Some(community.id),
            detail: json!({"points_per_hour": pph, "points_per_item": ppi, "star_threshold": thr,
                "rounding": rounding.as_str(), "star_hours": policy.star_hours, "valid_from": valid_from,
                "valid_years": policy.valid_years}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view(community.id, Some(row.id), &policy))
}

/// The policy in force in a community today, and every policy it has had (newest first).
pub async fn policies(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
) -> AppResult<(PointsPolicy, Vec<PointsPolicy>)> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let community = crate::volunteering::volunteers::community(
        &mut c,
        actor,
        Some(community_id),
        Permission::ReadVolunteers,
    )
    .await?;
    let current = match policy_on(&mut c, community.id, app.today()).await? {
        Some((id, p)) => view(community.id, Some(id), &p),
        None => view(community.id, None, &Policy::yangming_default()),
    };
    let all = wushe_store::volunteering::points::policies(&mut c, community.id)
        .await?
        .iter()
        .map(|r| view(community.id, Some(r.id), &policy_of(r)))
        .collect();
    Ok((current, all))
}

/// What earns points.
#[derive(Debug, Clone, Copy)]
pub enum Basis {
    /// Minutes of service (negative for a reversal).
    Minutes(i64),
    /// Donated items.
    Items(i64),
}

/// Posts the points a volunteer earns for `basis` on `day`, by the policy in force that day, to the
/// ledger and the cached balance. Returns the points (zero writes nothing).
#[allow(clippy::too_many_arguments)]
pub async fn earn(
    c: &mut Conn<'_>,
    actor: &Actor,
    v: &VolunteerRow,
    day: NaiveDate,
    kind: EntryKind,
    basis: Basis,
    source: Uuid,
    reverses: Option<Uuid>,
    note: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<i64> {
    let (policy_id, policy) = match policy_on(c, v.community_id, day).await? {
        Some((id, p)) => (Some(id), p),
        None => (None, Policy::yangming_default()),
    };
    let pts = match basis {
        Basis::Minutes(m) => policy.points_for_minutes(m),
        Basis::Items(q) => policy.points_for_items(q),
    };
    if pts == 0 {
        return Ok(0);
    }
    post(
        c,
        actor,
        v,
        day,
        kind,
        pts,
        policy_id,
        Some(source),
        reverses,
        note,
        now,
    )
    .await?;
    Ok(pts)
}

/// Appends one entry and moves the cached balance with it; spending (negative, not a reversal) is refused
/// when the balance does not cover it, checked in the same statement that moves it.
#[allow(clippy::too_many_arguments)]
pub async fn post(
    c: &mut Conn<'_>,
    actor: &Actor,
    v: &VolunteerRow,
    day: NaiveDate,
    kind: EntryKind,
    pts: i64,
    policy_id: Option<Uuid>,
    source: Option<Uuid>,
    reverses: Option<Uuid>,
    note: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<EntryRow> {
    // A reversal may take a balance below zero (the points were spent already): the ledger stays true,
    // and the volunteer earns their way back. Only spending is guarded.
    let guarded = kind == EntryKind::Redemption;
    let ok = wushe_store::volunteering::volunteers::add_points(c, v.id, pts, guarded).await?;
    if !ok {
        let balance = wushe_store::volunteering::volunteers::get(c, v.id)
            .await?
            .map_or(0, |r| r.points_balance);
        return Err(points::insufficient(balance, -pts).into());
    }
    let e = entry_row(
        actor, v, day, kind, pts, policy_id, source, reverses, note, now,
    );
    wushe_store::volunteering::points::insert_entry(c, &e).await?;
    Ok(e)
}

/// The ledger row for one movement of a volunteer's points (written by `post`, or in bulk by an hours sheet).
#[allow(clippy::too_many_arguments)]
pub fn entry_row(
    actor: &Actor,
    v: &VolunteerRow,
    day: NaiveDate,
    kind: EntryKind,
    pts: i64,
    policy_id: Option<Uuid>,
    source: Option<Uuid>,
    reverses: Option<Uuid>,
    note: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> EntryRow {
    EntryRow {
        id: Uuid::now_v7(),
        community_id: v.community_id,
        volunteer_id: v.id,
        year: points::year_of(day),
        earned_on: day,
        kind: kind.as_str().to_owned(),
        points: pts,
        policy_id,
        source_id: source,
        reverses_id: reverses,
        note: note.to_owned(),
        created_at: now,
        created_by: actor.author(),
    }
}

/// The policy in force on `day` among a community's stored policies (the Yangming default where none was set).
pub fn policy_in_force(rows: &[PolicyRow], day: NaiveDate) -> (Option<Uuid>, Policy) {
    match in_force(rows, day) {
        Some(r) => (Some(r.id), policy_of(r)),
        None => (None, Policy::yangming_default()),
    }
}

/// One ledger entry as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PointsEntry {
    /// Id.
    pub id: Uuid,
    /// `service` / `donation` / `redemption` / `reversal`.
    pub kind: String,
    /// Chinese label of the kind.
    pub kind_label: String,
    /// Signed points.
    pub points: i64,
    /// The day it counts for.
    pub earned_on: NaiveDate,
    /// The record, donation or redemption behind it.
    pub source_id: Option<Uuid>,
    /// The policy that priced it.
    pub policy_id: Option<Uuid>,
    /// The entry it reverses.
    pub reverses_id: Option<Uuid>,
    /// Note.
    pub note: String,
    /// Written at.
    pub created_at: chrono::DateTime<Utc>,
}

impl From<EntryRow> for PointsEntry {
    fn from(e: EntryRow) -> Self {
        PointsEntry {
            kind_label: EntryKind::parse(&e.kind)
                .map_or("", |k| k.label_zh())
                .to_owned(),
            id: e.id,
            kind: e.kind,
            points: e.points,
            earned_on: e.earned_on,
            source_id: e.source_id,
            policy_id: e.policy_id,
            reverses_id: e.reverses_id,
            note: e.note,
            created_at: e.created_at,
        }
    }
}

/// A volunteer's points: the all-time balance, and for one year what they earned, whether that makes them
/// eligible for star rating, and the entries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PointsSummary {
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// All-time balance (sum of every entry).
    pub balance: i64,
    /// The year asked about.
    pub year: i32,
    /// Points earned in that year (spending does not unearn; reversals do).
    pub earned_in_year: i64,
    /// The threshold that applied.
    pub star_threshold: i64,
    /// Eligible for star rating that year.
    pub star_eligible: bool,
    /// Star level by cumulative hours.
    pub star_level: u8,
    /// Service minutes, all time.
    pub total_minutes: i64,
    /// That year's entries, newest first.
    pub entries: Vec<PointsEntry>,
}

/// A volunteer's balance and year (`year` defaults to this year in Asia/Shanghai).
pub async fn summary(
    app: &App,
    actor: &Actor,
    volunteer_id: Uuid,
    year: Option<i32>,
) -> AppResult<PointsSummary> {
    let today = app.today();
    let year = year.unwrap_or_else(|| points::year_of(today));
    if !(2000..=2100).contains(&year) {
        return Err(AppError::field(
            "year",
            "年份应在2000到2100之间",
            "year must be between 2000 and 2100",
        ));
    }
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let v = crate::volunteering::volunteers::load(&mut c, actor, volunteer_id, None).await?;
    let earned = wushe_store::volunteering::points::earned_in_year(&mut c, v.id, year).await?;
    // The threshold of a past year is the one in force at its end; of this year, today's.
    let day = NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("valid date")
        .min(today);
    // One read of the community's policies serves both the year's threshold and today's star levels.
    let rows = wushe_store::volunteering::points::policies(&mut c, v.community_id).await?;
    let policy = rule_or_default(in_force(&rows, day));
    let now_policy = rule_or_default(in_force(&rows, today));
    let entries = wushe_store::volunteering::points::entries_in_year(&mut c, v.id, year).await?;
    Ok(PointsSummary {
        volunteer_id: v.id,
        balance: v.points_balance,
        year,
        earned_in_year: earned,
        star_threshold: policy.star_threshold,
        star_eligible: policy.star_eligible(earned),
        star_level: now_policy.star_level(v.total_minutes),
        total_minutes: v.total_minutes,
        entries: entries.into_iter().map(Into::into).collect(),
    })
}

/// Expires, as of `today`, the points whose policy's validity has run out and that were not spent, in
/// every community whose policy lets points expire. One `expiry` entry per volunteer and sweep; a second
/// sweep the same day (another instance, a restart) finds nothing left to expire. Returns the number of
/// volunteers whose points expired.
pub async fn expire_due(app: &App, today: NaiveDate) -> AppResult<u64> {
    let communities = {
        let mut c = app.db.read().await?;
        let mut c = c.conn();
        let mut out = Vec::new();
        for id in wushe_store::volunteering::points::communities_with_expiry(&mut c).await? {
            if let Some(p) = wushe_store::map::places::get(&mut c, id).await? {
                let rows = wushe_store::volunteering::points::policies(&mut c, id).await?;
                let ids =
                    wushe_store::volunteering::volunteers::with_points(&mut c, &p.path).await?;
                out.push((rows, ids));
            }
        }
        out
    };
    let sweeper = Actor::system();
    let mut n = 0;
    for (rows, ids) in communities {
        for id in ids {
            // One short transaction per volunteer: a sweep never holds a city's ledgers at once.
            let mut tx = app.db.begin().await?;
            let mut c = tx.conn();
            wushe_store::volunteering::volunteers::lock(&mut c, id).await?;
            let Some(v) = wushe_store::volunteering::volunteers::get(&mut c, id).await? else {
                continue;
            };
            let entries = wushe_store::volunteering::points::entries_of(&mut c, id).await?;
            let due = due_of(&rows, &entries, v.points_balance, today);
            if due > 0 {
                post(
                    &mut c,
                    &sweeper,
                    &v,
                    today,
                    EntryKind::Expiry,
                    -due,
                    None,
                    None,
                    None,
                    "积分超过有效期 / points past their validity",
                    app.now(),
                )
                .await?;
                audit::record(
                    &mut c,
                    &sweeper,
                    Entry {
                        action: "points.expire",
                        object_type: "volunteer",
                        object_id: Some(v.id),
                        place_path: Some(&v.place_path),
                        community_id: Some(v.community_id),
                        detail: json!({"points": -due, "on": today}),
                    },
                )
                .await?;
                n += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(n)
}

/// What expires from one ledger: earnings (net of their reversals) with the expiry of the policy that
/// priced them, against everything taken out so far.
fn due_of(policies: &[PolicyRow], entries: &[EntryRow], balance: i64, today: NaiveDate) -> i64 {
    use std::collections::HashMap;
    let mut credits: Vec<(Uuid, points::Credit)> = Vec::new();
    let mut taken_out = 0;
    for e in entries {
        match EntryKind::parse(&e.kind) {
            Some(EntryKind::Service | EntryKind::Donation) if e.points > 0 => {
                let policy = e
                    .policy_id
                    .and_then(|id| policies.iter().find(|p| p.id == id))
                    .map(policy_of)
                    .unwrap_or_else(Policy::yangming_default);
                credits.push((
                    e.id,
                    points::Credit {
                        points: e.points,
                        expires_on: policy.expires_on(e.earned_on),
                    },
                ));
            }
            Some(EntryKind::Redemption | EntryKind::Expiry) => taken_out -= e.points,
            _ => {}
        }
    }
    let index: HashMap<Uuid, usize> = credits
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    for e in entries {
        if EntryKind::parse(&e.kind) == Some(EntryKind::Reversal) {
            match e.reverses_id.and_then(|r| index.get(&r)) {
                // A corrected record takes its points back from the very earning it reverses.
                Some(&i) => credits[i].1.points += e.points,
                // A reversal of spending gives points back: less was taken out.
                None => taken_out -= e.points,
            }
        }
    }
    let credits: Vec<points::Credit> = credits.into_iter().map(|(_, c)| c).collect();
    points::due_to_expire(&credits, taken_out, balance, today)
}

/// Checks that every cached total equals the sum of its ledger: each volunteer's points balance and
/// service minutes, each supermarket item's stock. Returns one line per disagreement (empty: all add up).
pub async fn check_ledgers(app: &App) -> AppResult<Vec<String>> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let mut out = Vec::new();
    for m in wushe_store::volunteering::volunteers::ledger_mismatches(&mut c).await? {
        out.push(format!(
            "志愿者 {} 积分余额 {} ≠ 流水合计 {}，时长 {} ≠ 记录合计 {} / volunteer {} balance or minutes disagree with the ledger",
            m.volunteer_no, m.points_balance, m.points_sum, m.total_minutes, m.minutes_sum, m.id
        ));
    }
    for (path, month, kept, sum) in
        wushe_store::volunteering::points::month_mismatches(&mut c).await?
    {
        out.push(format!("{path} {month} 月度时长 {kept} ≠ 记录合计 {sum} / monthly minutes disagree with the records"));
    }
    let orders = wushe_store::service::orders::per_place(&mut c).await?;
    let order = wushe_domain::service::order::MACHINE.name;
    for (bucket, status, kept, actual) in
        crate::kernel::workflow::count_mismatches(&mut c, order, orders).await?
    {
        out.push(format!("工单计数 {bucket} {status} {kept} ≠ 实际 {actual} / order counts disagree with the orders"));
    }
    for (id, name, stock, sum) in
        wushe_store::charity::supermarket::stock_mismatches(&mut c).await?
    {
        out.push(format!("物品 {name} 库存 {stock} ≠ 出入库合计 {sum} / item {id} stock disagrees with its ledger"));
    }
    Ok(out)
}
