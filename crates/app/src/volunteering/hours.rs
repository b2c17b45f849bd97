//! Service hours: recording them (from an activity or one-to-one help), earning points for them, and
//! correcting them only by a reversing record with a reason.

use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::volunteering::hours::{self, NewRecord};
use wushe_domain::volunteering::points::EntryKind;
use wushe_store::volunteering::points::RecordRow;
use wushe_store::volunteering::volunteers::VolunteerRow;
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::kernel::page::{self, Page};
use crate::{Actor, App, AppError, AppResult};

/// A service record as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ServiceRecord {
    /// Id.
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The activity it came from.
    pub activity_id: Option<Uuid>,
    /// Day served.
    pub served_on: NaiveDate,
    /// Minutes (negative: a reversal).
    pub minutes: i64,
    /// What was done.
    pub content: String,
    /// Where.
    pub place_text: String,
    /// Organiser.
    pub organiser: String,
    /// Recorder.
    pub recorder_id: Option<Uuid>,
    /// The record this one reverses.
    pub reverses_id: Option<Uuid>,
    /// Why.
    pub reason: Option<String>,
    /// Points this record earned (negative for a reversal).
    pub points: i64,
    /// Recorded at.
    pub created_at: chrono::DateTime<Utc>,
}

fn view(r: RecordRow, points: i64) -> ServiceRecord {
    ServiceRecord {
        id: r.id,
        volunteer_id: r.volunteer_id,
        community_id: r.community_id,
        activity_id: r.activity_id,
        served_on: r.served_on,
        minutes: r.minutes,
        content: r.content,
        place_text: r.place_text,
        organiser: r.organiser,
        recorder_id: r.recorder_id,
        reverses_id: r.reverses_id,
        reason: r.reason,
        points,
        created_at: r.created_at,
    }
}

/// What a record holds besides who served.
#[derive(Debug, Clone)]
pub struct RecordInput {
    /// Minutes.
    pub minutes: Option<i64>,
    /// Day served.
    pub served_on: Option<NaiveDate>,
    /// What was done.
    pub content: String,
    /// Where.
    pub place_text: String,
    /// Organiser.
    pub organiser: String,
}

/// Writes a record, moves the cached minutes and earns its points (inside the caller's transaction).
pub async fn write(
    c: &mut Conn<'_>,
    actor: &Actor,
    v: &VolunteerRow,
    activity_id: Option<Uuid>,
    input: &RecordInput,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<ServiceRecord> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let minutes = input.minutes.unwrap_or_else(|| {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "minutes",
            "服务时长不能为空",
            "minutes is required",
        ));
        0
    });
    let served_on = input.served_on.unwrap_or_else(|| {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "served_on",
            "服务日期不能为空",
            "served_on is required",
        ));
        today
    });
    errs.into_result(())?;
    let item = Item {
        volunteer: v,
        field: String::new(),
        record: NewRecord {
            minutes,
            served_on,
            content: wushe_domain::kernel::text::clean(&input.content),
            place_text: wushe_domain::kernel::text::clean(&input.place_text),
            organiser: wushe_domain::kernel::text::clean(&input.organiser),
        },
    };
    let mut out = write_many(c, actor, activity_id, vec![item], today, now).await?;
    Ok(out.remove(0))
}

/// One record of a batch: who served, what, and the prefix that names its fields in errors (`lines[3].`).
pub struct Item<'a> {
    /// Who served.
    pub volunteer: &'a VolunteerRow,
    /// Prefix for field names in errors; empty for a single record.
    pub field: String,
    /// The record.
    pub record: NewRecord,
}

/// Writes many records at once (an activity's hours sheet) in a fixed number of statements whatever their
/// count: all are checked first (24 hours a day counts the sheet itself), then records, points entries,
/// cached totals and monthly figures are written in bulk. All or nothing, inside the caller's transaction.
pub async fn write_many(
    c: &mut Conn<'_>,
    actor: &Actor,
    activity_id: Option<Uuid>,
    items: Vec<Item<'_>>,
    today: NaiveDate,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Vec<ServiceRecord>> {
    use std::collections::{BTreeMap, HashMap};
    let mut ids: Vec<Uuid> = items.iter().map(|i| i.volunteer.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut days: Vec<NaiveDate> = items.iter().map(|i| i.record.served_on).collect();
    days.sort_unstable();
    days.dedup();
    let mut that_day: HashMap<(Uuid, NaiveDate), i64> =
        wushe_store::volunteering::points::minutes_on_many(c, &ids, &days)
            .await?
            .into_iter()
            .map(|(v, d, m)| ((v, d), m))
            .collect();
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    for it in &items {
        if it.volunteer.status != "active" {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                format!("{}volunteer_id", it.field),
                "该志愿者尚未审核通过或已退出",
                "the volunteer is not active",
            ));
            continue;
        }
        let day = that_day
            .entry((it.volunteer.id, it.record.served_on))
            .or_insert(0);
        match hours::validate(&it.record, today, *day) {
            Ok(()) => *day += it.record.minutes,
            Err(e) => errs.0.extend(e.0.into_iter().map(|mut f| {
                f.field = format!("{}{}", it.field, f.field);
                f
            })),
        }
    }
    errs.into_result(())?;
    let mut policies: HashMap<Uuid, Vec<wushe_store::volunteering::points::PolicyRow>> =
        HashMap::new();
    for it in &items {
        let cid = it.volunteer.community_id;
        if let std::collections::hash_map::Entry::Vacant(e) = policies.entry(cid) {
            e.insert(wushe_store::volunteering::points::policies(c, cid).await?);
        }
    }
    let mut records = Vec::with_capacity(items.len());
    let mut entries = Vec::with_capacity(items.len());
    let mut totals = Vec::with_capacity(items.len());
    let mut months: BTreeMap<(String, Uuid, NaiveDate), (i64, i64)> = BTreeMap::new();
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        let v = it.volunteer;
        let r = it.record;
        let row = RecordRow {
            id: Uuid::now_v7(),
            community_id: v.community_id,
            place_path: v.place_path.clone(),
            volunteer_id: v.id,
            activity_id,
            served_on: r.served_on,
            minutes: r.minutes,
            content: r.content,
            place_text: r.place_text,
            organiser: r.organiser,
            recorder_id: actor.author(),
            reverses_id: None,
            reason: None,
            created_at: now,
        };
        let (policy_id, policy) =
            crate::volunteering::points::policy_in_force(&policies[&v.community_id], r.served_on);
        let pts = policy.points_for_minutes(r.minutes);
        if pts != 0 {
            entries.push(crate::volunteering::points::entry_row(
                actor,
                v,
                r.served_on,
                EntryKind::Service,
                pts,
                policy_id,
                Some(row.id),
                None,
                &row.content,
                now,
            ));
        }
        totals.push((v.id, r.minutes, pts));
        // Months are keyed by the first of the month so one upsert covers every record in it.
        let first = r.served_on.with_day(1).unwrap_or(r.served_on);
        let m = months
            .entry((v.place_path.clone(), v.community_id, first))
            .or_default();
        m.0 += r.minutes;
        m.1 += 1;
        records.push(row.clone());
        out.push(view(row, pts));
    }
    // A volunteer may appear more than once in a batch; their totals move once.
    let mut merged: BTreeMap<Uuid, (i64, i64)> = BTreeMap::new();
    for (id, m, p) in totals {
        let t = merged.entry(id).or_default();
        t.0 += m;
        t.1 += p;
    }
    let totals: Vec<(Uuid, i64, i64)> = merged.into_iter().map(|(id, (m, p))| (id, m, p)).collect();
    wushe_store::volunteering::bulk::records(c, &records).await?;
    wushe_store::volunteering::bulk::entries(c, &entries).await?;
    wushe_store::volunteering::volunteers::add_totals(c, &totals).await?;
    for ((path, community, first), (minutes, n)) in months {
        wushe_store::volunteering::points::add_to_month(c, &path, community, first, minutes, n)
            .await?;
    }
    Ok(out)
}

/// Records service directly (one-to-one help, or an activity after the fact).
pub async fn record(
    app: &App,
    actor: &Actor,
    volunteer_id: Option<Uuid>,
    activity_id: Option<Uuid>,
    input: RecordInput,
) -> AppResult<ServiceRecord> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let v = crate::volunteering::volunteers::load_for_field(
        &mut c,
        actor,
        volunteer_id,
        "volunteer_id",
    )
    .await?;
    if !actor.can(Permission::ManageVolunteers, &v.place_path) {
        return Err(AppError::Forbidden);
    }
    if let Some(aid) = activity_id {
        // The record names the activity; the activity must be where the volunteer serves.
        let here = wushe_store::volunteering::activities::get(&mut c, aid)
            .await?
            .is_some_and(|a| a.community_id == v.community_id);
        if !here {
            return Err(AppError::field(
                "activity_id",
                "这个社区没有该活动",
                "no such activity in the volunteer's community",
            ));
        }
    }
    let out = write(
        &mut c,
        actor,
        &v,
        activity_id,
        &input,
        app.today(),
        app.now(),
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "service.record",
            object_type: "service_record",
            object_id: Some(out.id),
            place_path: Some(&v.place_path),
            community_id: Some(v.community_id),
            detail: json!({"volunteer_id": v.id, "minutes": out.minutes, "served_on": out.served_on, "points": out.points}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Corrects a record by a reversing one (negative minutes, points taken back) with a reason and who.
pub async fn reverse(app: &App, actor: &Actor, id: Uuid, reason: &str) -> AppResult<ServiceRecord> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let r = wushe_store::volunteering::points::get_record(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.check_community(Permission::ManageVolunteers, &r.place_path)?;
    let already = wushe_store::volunteering::points::reversal_of(&mut c, id)
        .await?
        .is_some();
    hours::check_reversal(r.reverses_id.is_some(), already, reason)?;
    let v = wushe_store::volunteering::volunteers::get(&mut c, r.volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reason = wushe_domain::kernel::text::clean(reason);
    let row = RecordRow {
        id: Uuid::now_v7(),
        minutes: -r.minutes,
        reverses_id: Some(r.id),
        reason: Some(reason.clone()),
        recorder_id: actor.author(),
        created_at: app.now(),
        ..r.clone()
    };
    wushe_store::volunteering::points::insert_record(&mut c, &row).await?;
    wushe_store::volunteering::volunteers::add_minutes(&mut c, v.id, -r.minutes).await?;
    wushe_store::volunteering::points::add_to_month(
        &mut c,
        &row.place_path,
        row.community_id,
        row.served_on,
        row.minutes,
        1,
    )
    .await?;
    // Take back exactly what the original earned, whatever the policy says today.
    let earned = wushe_store::volunteering::points::entry_for_source(&mut c, r.id, v.id).await?;
    let pts = match earned {
        Some(e) => {
            crate::volunteering::points::post(
                &mut c,
                actor,
                &v,
                e.earned_on,
                EntryKind::Reversal,
                -e.points,
                e.policy_id,
                Some(row.id),
                Some(e.id),
                &reason,
                app.now(),
            )
            .await?;
            -e.points
        }
        None => 0,
    };
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "service.reverse",
            object_type: "service_record",
            object_id: Some(row.id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"reverses_id": r.id, "minutes": row.minutes, "points": pts, "reason": reason}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(view(row, pts))
}

/// Reads one record.
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<ServiceRecord> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let r = wushe_store::volunteering::points::get_record(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::volunteering::volunteers::load(&mut c, actor, r.volunteer_id, None).await?;
    let pts = points_of(&mut c, &r).await?;
    Ok(view(r, pts))
}

async fn points_of(c: &mut Conn<'_>, r: &RecordRow) -> AppResult<i64> {
    Ok(
        wushe_store::volunteering::points::entry_for_source(c, r.id, r.volunteer_id)
            .await?
            .map_or(0, |e| e.points),
    )
}

/// A volunteer's records, newest first.
pub async fn of_volunteer(
    app: &App,
    actor: &Actor,
    volunteer_id: Uuid,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<ServiceRecord>> {
    let limit = page::limit(limit)?;
    let after: Option<(NaiveDate, Uuid)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let v = crate::volunteering::volunteers::load(&mut c, actor, volunteer_id, None).await?;
    let rows =
        wushe_store::volunteering::points::records_of(&mut c, v.id, after, limit + 1).await?;
    let mut with_points = Vec::with_capacity(rows.len());
    for r in rows {
        let p = points_of(&mut c, &r).await?;
        with_points.push((r, p));
    }
    Ok(page::cut(
        with_points,
        limit,
        |(r, _)| (r.served_on, r.id),
        |(r, p)| view(r, p),
    ))
}

/// Service in one month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Net minutes.
    pub minutes: i64,
    /// Hours, one decimal (for charts).
    pub hours: f64,
    /// Records (reversals included).
    pub records: i64,
}

fn month_of(r: wushe_store::volunteering::points::MonthRow) -> Month {
    Month {
        hours: (r.minutes as f64 / 6.0).round() / 10.0,
        month: r.month,
        minutes: r.minutes,
        records: r.records,
    }
}

fn month_range(
    from: Option<&str>,
    to: Option<&str>,
    today: NaiveDate,
) -> AppResult<(String, String)> {
    let valid =
        |s: &str| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok() && s.len() == 7;
    let to = to
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| today.format("%Y-%m").to_string());
    let from = from
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            (today - chrono::Duration::days(334))
                .format("%Y-%m")
                .to_string()
        });
    for (field, v) in [("from", &from), ("to", &to)] {
        if !valid(v) {
            return Err(AppError::field(
                field,
                "月份格式应为 YYYY-MM",
                "months are YYYY-MM",
            ));
        }
    }
    Ok((from, to))
}

/// Service hours by month for a place's subtree (a community, street or district), within what the caller
/// may read; the last twelve months unless `from`/`to` (`YYYY-MM`) say otherwise.
pub async fn monthly(
    app: &App,
    actor: &Actor,
    place_id: Option<Uuid>,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Vec<Month>> {
    let (from, to) = month_range(from, to, app.today())?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let scope = actor.community_scope(Permission::ReadVolunteers);
    let scope = match place_id {
        Some(id) => {
            let p = crate::map::places::load_visible(&mut c, actor, id)
                .await
                .map_err(|_| AppError::field("place_id", "地点不存在", "no such place"))?;
            scope.narrow(&p.path)
        }
        None => scope,
    };
    let paths = match scope {
        wushe_store::Scope::All => vec!["/".to_owned()],
        wushe_store::Scope::Paths(p) => p,
    };
    let mut sums: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    for p in paths {
        for r in wushe_store::volunteering::points::months_under(&mut c, &p, &from, &to).await? {
            let e = sums.entry(r.month).or_default();
            e.0 += r.minutes;
            e.1 += r.records;
        }
    }
    Ok(sums
        .into_iter()
        .map(|(month, (minutes, records))| {
            month_of(wushe_store::volunteering::points::MonthRow {
                month,
                minutes,
                records,
            })
        })
        .collect())
}

/// Service hours by month of a team's activities (its sub-groups' included).
pub async fn team_monthly(
    app: &App,
    actor: &Actor,
    team_id: Uuid,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Vec<Month>> {
    let (from, to) = month_range(from, to, app.today())?;
    let first = NaiveDate::parse_from_str(&format!("{from}-01"), "%Y-%m-%d").expect("checked");
    let last = NaiveDate::parse_from_str(&format!("{to}-01"), "%Y-%m-%d")
        .expect("checked")
        .checked_add_months(chrono::Months::new(1))
        .expect("in range")
        - chrono::Duration::days(1);
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    crate::volunteering::volunteers::load_team(&mut c, actor, team_id, Permission::ReadVolunteers)
        .await?;
    Ok(
        wushe_store::volunteering::points::months_of_team(&mut c, team_id, first, last)
            .await?
            .into_iter()
            .map(month_of)
            .collect(),
    )
}
