//! Service records (服务时长) and the points bank: policies and the append-only points ledger.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{on, Conn, Result};

/// A stored service record (negative minutes: a reversal).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RecordRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Community path.
    pub place_path: String,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// The activity it came from.
    pub activity_id: Option<Uuid>,
    /// Day served (Asia/Shanghai).
    pub served_on: NaiveDate,
    /// Minutes (negative when reversing).
    pub minutes: i64,
    /// What was done.
    pub content: String,
    /// Where.
    pub place_text: String,
    /// Who organised it.
    pub organiser: String,
    /// Who recorded it.
    pub recorder_id: Option<Uuid>,
    /// The record this one reverses.
    pub reverses_id: Option<Uuid>,
    /// Why it was reversed.
    pub reason: Option<String>,
    /// Recorded at.
    pub created_at: DateTime<Utc>,
}

/// The ledger's own columns; what was done, where and why it was reversed are personal text kept beside
/// it ([`crate::kernel::texts`]).
pub(crate) const RECORD_COLS: &str =
    "id, community_id, place_path, volunteer_id, activity_id, served_on, minutes, organiser, recorder_id,
    reverses_id, created_at";

/// The columns of a [`RecordRow`] read from `service_records` under the alias `r`, texts joined back.
pub(crate) fn record_select() -> String {
    format!(
        "r.id, r.community_id, r.place_path, r.volunteer_id, r.activity_id, r.served_on, r.minutes, r.organiser,
        r.recorder_id, r.reverses_id, r.created_at, {} AS content, {} AS place_text, {} AS reason",
        crate::kernel::texts::read("r.id", "content"),
        crate::kernel::texts::read("r.id", "place_text"),
        crate::kernel::texts::read_optional("r.id", "reason")
    )
}

/// The personal texts of service records, to store beside them.
pub(crate) fn record_texts(rows: &[RecordRow]) -> Vec<crate::kernel::texts::Text<'_>> {
    let mut out = Vec::with_capacity(rows.len() * 2);
    for r in rows {
        let community = Some(r.community_id);
        out.push(crate::kernel::texts::Text {
            owner: r.id,
            field: "content",
            community,
            body: &r.content,
        });
        out.push(crate::kernel::texts::Text {
            owner: r.id,
            field: "place_text",
            community,
            body: &r.place_text,
        });
        if let Some(reason) = &r.reason {
            out.push(crate::kernel::texts::Text {
                owner: r.id,
                field: "reason",
                community,
                body: reason,
            });
        }
    }
    out
}

/// Inserts a service record.
pub async fn insert_record(c: &mut Conn<'_>, r: &RecordRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO service_records ({RECORD_COLS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
        .bind(r.id).bind(r.community_id).bind(&r.place_path).bind(r.volunteer_id).bind(r.activity_id)
        .bind(r.served_on).bind(r.minutes).bind(&r.organiser)
        .bind(r.recorder_id).bind(r.reverses_id).bind(r.created_at).execute(c).await.map(|_| ()))?;
    crate::kernel::texts::write(c, &record_texts(std::slice::from_ref(r))).await
}

/// Reads one service record.
pub async fn get_record(c: &mut Conn<'_>, id: Uuid) -> Result<Option<RecordRow>> {
    let sql = format!(
        "SELECT {} FROM service_records r WHERE r.id = $1",
        record_select()
    );
    Ok(on!(c, c => sqlx::query_as::<_, RecordRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// The record that reverses `id`, if any.
pub async fn reversal_of(c: &mut Conn<'_>, id: Uuid) -> Result<Option<RecordRow>> {
    let sql = format!(
        "SELECT {} FROM service_records r WHERE r.reverses_id = $1",
        record_select()
    );
    Ok(on!(c, c => sqlx::query_as::<_, RecordRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Net minutes on record per (volunteer, day) for several volunteers and days (pairs with none are absent).
pub async fn minutes_on_many(
    c: &mut Conn<'_>,
    volunteers: &[Uuid],
    days: &[NaiveDate],
) -> Result<Vec<(Uuid, NaiveDate, i64)>> {
    let mut out = Vec::new();
    if days.is_empty() {
        return Ok(out);
    }
    for chunk in volunteers.chunks(1000) {
        let rows = on!(c, c => {
            let mut qb = QueryBuilder::new(
                "SELECT volunteer_id, served_on, CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM service_records
                 WHERE volunteer_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(") AND served_on IN (");
            let mut sep = qb.separated(", ");
            for d in days {
                sep.push_bind(*d);
            }
            qb.push(") GROUP BY volunteer_id, served_on");
            qb.build_query_as::<(Uuid, NaiveDate, i64)>().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Net minutes a volunteer has on record for a day.
pub async fn minutes_on(c: &mut Conn<'_>, volunteer: Uuid, day: NaiveDate) -> Result<i64> {
    Ok(on!(c, c => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM service_records WHERE volunteer_id = $1 AND served_on = $2")
        .bind(volunteer).bind(day).fetch_one(c).await)?)
}

/// A volunteer's records, newest day first, after a cursor of (served_on, id).
pub async fn records_of(
    c: &mut Conn<'_>,
    volunteer: Uuid,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<RecordRow>> {
    on!(c, c => {
        let mut qb = sqlx::QueryBuilder::new(format!("SELECT {} FROM service_records r WHERE r.volunteer_id = ",
            record_select()));
        qb.push_bind(volunteer);
        if let Some((day, id)) = after {
            qb.push(" AND (r.served_on < ").push_bind(day).push(" OR (r.served_on = ").push_bind(day)
              .push(" AND r.id < ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY r.served_on DESC, r.id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<RecordRow>().fetch_all(c).await?)
    })
}

/// A stored points policy.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PolicyRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// First day it applies to.
    pub valid_from: NaiveDate,
    /// Points per hour.
    pub points_per_hour: i64,
    /// Points per donated item.
    pub points_per_item: i64,
    /// Yearly points for star eligibility.
    pub star_threshold: i64,
    /// `down` / `nearest` / `up`.
    pub rounding: String,
    /// Star levels in hours (JSON array).
    pub star_hours: String,
    /// Calendar years its points can be spent (none: never expire).
    pub valid_years: Option<i64>,
    /// Set at.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
}

/// Inserts a policy.
pub async fn insert_policy(c: &mut Conn<'_>, p: &PolicyRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO points_policies (id, community_id, valid_from, points_per_hour, points_per_item,
        star_threshold, rounding, star_hours, valid_years, created_at, created_by)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(p.id).bind(p.community_id).bind(p.valid_from).bind(p.points_per_hour).bind(p.points_per_item)
        .bind(p.star_threshold).bind(&p.rounding).bind(&p.star_hours).bind(p.valid_years).bind(p.created_at)
        .bind(p.created_by)
        .execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A community's policies, each day's latest first (the newest row for a `valid_from` supersedes older ones).
pub async fn policies(c: &mut Conn<'_>, community: Uuid) -> Result<Vec<PolicyRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, PolicyRow>("SELECT id, community_id, valid_from, points_per_hour, points_per_item,
        star_threshold, rounding, star_hours, valid_years, created_at, created_by FROM points_policies
        WHERE community_id = $1 ORDER BY valid_from DESC, id DESC").bind(community).fetch_all(c).await)?,
    )
}

/// Communities with a policy whose points expire (the expiry sweep looks only at these).
pub async fn communities_with_expiry(c: &mut Conn<'_>) -> Result<Vec<Uuid>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT DISTINCT community_id FROM points_policies WHERE valid_years IS NOT NULL")
        .fetch_all(c).await)?)
}

/// Every entry of a volunteer's ledger, oldest first.
pub async fn entries_of(c: &mut Conn<'_>, volunteer: Uuid) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "SELECT {} FROM points_entries WHERE volunteer_id = $1 ORDER BY earned_on, id",
        entry_select()
    );
    Ok(on!(c, c => sqlx::query_as::<_, EntryRow>(&sql).bind(volunteer).fetch_all(c).await)?)
}

/// One entry in the points ledger.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Year it belongs to (Asia/Shanghai, of `earned_on`).
    pub year: i32,
    /// The day it counts for.
    pub earned_on: NaiveDate,
    /// `service` / `donation` / `redemption` / `reversal`.
    pub kind: String,
    /// Signed points.
    pub points: i64,
    /// The policy that priced it.
    pub policy_id: Option<Uuid>,
    /// The record, donation or redemption behind it.
    pub source_id: Option<Uuid>,
    /// The entry it reverses.
    pub reverses_id: Option<Uuid>,
    /// Note.
    pub note: String,
    /// Written at.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
}

/// The ledger's own columns; the note is personal text kept beside it ([`crate::kernel::texts`]).
pub(crate) const ENTRY_COLS: &str =
    "id, community_id, volunteer_id, year, earned_on, kind, points, policy_id, source_id,
    reverses_id, created_at, created_by";

/// The columns of an [`EntryRow`] read from `points_entries`, the note joined back.
fn entry_select() -> String {
    format!(
        "{ENTRY_COLS}, {} AS note",
        crate::kernel::texts::read("points_entries.id", "note")
    )
}

/// The notes of ledger entries, to store beside them.
pub(crate) fn entry_texts(rows: &[EntryRow]) -> Vec<crate::kernel::texts::Text<'_>> {
    rows.iter()
        .map(|e| crate::kernel::texts::Text {
            owner: e.id,
            field: "note",
            community: Some(e.community_id),
            body: &e.note,
        })
        .collect()
}

/// Appends a ledger entry (the caller updates the cached balance in the same transaction).
pub async fn insert_entry(c: &mut Conn<'_>, e: &EntryRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO points_entries ({ENTRY_COLS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
        .bind(e.id).bind(e.community_id).bind(e.volunteer_id).bind(e.year).bind(e.earned_on).bind(&e.kind)
        .bind(e.points).bind(e.policy_id).bind(e.source_id).bind(e.reverses_id).bind(e.created_at)
        .bind(e.created_by).execute(c).await.map(|_| ()))?;
    crate::kernel::texts::write(c, &entry_texts(std::slice::from_ref(e))).await
}

/// The entry written for a source (a service record, donation or redemption) for a volunteer.
pub async fn entry_for_source(
    c: &mut Conn<'_>,
    source: Uuid,
    volunteer: Uuid,
) -> Result<Option<EntryRow>> {
    let sql = format!(
        "SELECT {} FROM points_entries WHERE source_id = $1 AND volunteer_id = $2 ORDER BY id LIMIT 1",
        entry_select()
    );
    Ok(
        on!(c, c => sqlx::query_as::<_, EntryRow>(&sql).bind(source).bind(volunteer).fetch_optional(c).await)?,
    )
}

/// A volunteer's entries of one year, newest first.
pub async fn entries_in_year(
    c: &mut Conn<'_>,
    volunteer: Uuid,
    year: i32,
) -> Result<Vec<EntryRow>> {
    let sql = format!(
        "SELECT {} FROM points_entries WHERE volunteer_id = $1 AND year = $2 ORDER BY earned_on DESC, id DESC",
        entry_select()
    );
    Ok(
        on!(c, c => sqlx::query_as::<_, EntryRow>(&sql).bind(volunteer).bind(year).fetch_all(c).await)?,
    )
}

/// Points a volunteer earned in a year: every entry but spending (reversals take earnings back).
pub async fn earned_in_year(c: &mut Conn<'_>, volunteer: Uuid, year: i32) -> Result<i64> {
    Ok(on!(c, c => sqlx::query_scalar::<_, i64>(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM points_entries
         WHERE volunteer_id = $1 AND year = $2 AND kind NOT IN ('redemption', 'expiry')")
        .bind(volunteer).bind(year).fetch_one(c).await)?)
}

/// Adds records' minutes to their community's month (a reversal adds negative minutes and still counts as
/// a record, so the count is of ledger rows).
pub async fn add_to_month(
    c: &mut Conn<'_>,
    place_path: &str,
    community: Uuid,
    served_on: NaiveDate,
    minutes: i64,
    records: i64,
) -> Result<()> {
    let month = served_on.format("%Y-%m").to_string();
    on!(c, c => sqlx::query("INSERT INTO service_months (place_path, month, community_id, minutes, records)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (place_path, month) DO UPDATE SET minutes = service_months.minutes + excluded.minutes,
            records = service_months.records + excluded.records")
        .bind(place_path).bind(month).bind(community).bind(minutes).bind(records).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// One month of service under a place: minutes and ledger rows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    /// Net minutes.
    pub minutes: i64,
    /// Records (reversals included).
    pub records: i64,
}

/// Service minutes by month for every community under `path`, between two months (inclusive).
pub async fn months_under(
    c: &mut Conn<'_>,
    path: &str,
    from: &str,
    to: &str,
) -> Result<Vec<MonthRow>> {
    let upper = crate::kernel::scope::upper_bound(path);
    Ok(on!(c, c => sqlx::query_as::<_, MonthRow>(
        "SELECT month, CAST(SUM(minutes) AS BIGINT) AS minutes, CAST(SUM(records) AS BIGINT) AS records
         FROM service_months WHERE place_path >= $1 AND place_path < $2 AND month >= $3 AND month <= $4
         GROUP BY month ORDER BY month")
        .bind(path).bind(&upper).bind(from).bind(to).fetch_all(c).await)?)
}

/// Service minutes by month of a team's activities (and its sub-groups'), between two days.
pub async fn months_of_team(
    c: &mut Conn<'_>,
    team: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MonthRow>> {
    let month = match c {
        Conn::Sqlite(_) => "substr(r.served_on, 1, 7)",
        Conn::Postgres(_) => "to_char(r.served_on, 'YYYY-MM')",
    };
    let sql = format!(
        "SELECT {month} AS month, CAST(SUM(r.minutes) AS BIGINT) AS minutes, CAST(COUNT(*) AS BIGINT) AS records
         FROM service_records r JOIN activities a ON a.id = r.activity_id
         WHERE (a.team_id = $1 OR a.team_id IN (SELECT id FROM teams WHERE parent_id = $1))
           AND r.served_on >= $2 AND r.served_on <= $3
         GROUP BY 1 ORDER BY 1"
    );
    Ok(
        on!(c, c => sqlx::query_as::<_, MonthRow>(&sql).bind(team).bind(from).bind(to).fetch_all(c).await)?,
    )
}

/// Months whose kept total differs from the sum of their records (for `wushe check`).
pub async fn month_mismatches(c: &mut Conn<'_>) -> Result<Vec<(String, String, i64, i64)>> {
    let month = match c {
        Conn::Sqlite(_) => "substr(served_on, 1, 7)",
        Conn::Postgres(_) => "to_char(served_on, 'YYYY-MM')",
    };
    let sql = format!(
        "WITH actual AS (SELECT place_path, {month} AS month, CAST(SUM(minutes) AS BIGINT) AS minutes
                         FROM service_records GROUP BY 1, 2)
         SELECT COALESCE(a.place_path, m.place_path), COALESCE(a.month, m.month),
                COALESCE(m.minutes, 0), COALESCE(a.minutes, 0)
         FROM actual a FULL OUTER JOIN service_months m ON m.place_path = a.place_path AND m.month = a.month
         WHERE COALESCE(m.minutes, 0) <> COALESCE(a.minutes, 0)"
    );
    Ok(on!(c, c => sqlx::query_as::<_, (String, String, i64, i64)>(&sql).fetch_all(c).await)?)
}

/// Service records under a path between two days, in (day, id) order after a cursor, with the
/// volunteer's number and name (exports).
pub async fn records_under(
    c: &mut Conn<'_>,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
    after: Option<(NaiveDate, Uuid)>,
    limit: i64,
) -> Result<Vec<(RecordRow, String, String)>> {
    let upper = crate::kernel::scope::upper_bound(path);
    let rows: Vec<RecordWithVolunteer> = on!(c, c => {
        let mut qb = sqlx::QueryBuilder::new(
            format!("SELECT {}, v.volunteer_no, v.name AS volunteer_name
             FROM service_records r JOIN volunteers v ON v.id = r.volunteer_id WHERE r.place_path >= ", record_select()));
        qb.push_bind(path.to_owned()).push(" AND r.place_path < ").push_bind(upper)
          .push(" AND r.served_on >= ").push_bind(from).push(" AND r.served_on <= ").push_bind(to);
        if let Some((day, id)) = after {
            qb.push(" AND (r.served_on > ").push_bind(day).push(" OR (r.served_on = ").push_bind(day)
              .push(" AND r.id > ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY r.served_on, r.id LIMIT ").push_bind(limit);
        qb.build_query_as::<RecordWithVolunteer>().fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (r.record, r.volunteer_no, r.volunteer_name))
        .collect())
}

#[derive(sqlx::FromRow)]
struct RecordWithVolunteer {
    #[sqlx(flatten)]
    record: RecordRow,
    volunteer_no: String,
    volunteer_name: String,
}
