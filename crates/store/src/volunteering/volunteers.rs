//! Volunteers (志愿者), teams with sub-groups (服务队, 小组) and memberships with dates.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::map::places::escape_like;
use crate::{on, Conn, Result, Scope};

/// A stored volunteer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VolunteerRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The community's path (for scoping).
    pub place_path: String,
    /// Public number (not the ID number).
    pub volunteer_no: String,
    /// Name.
    pub name: String,
    /// `male` / `female`.
    pub sex: Option<String>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Encrypted ID number.
    pub id_number_enc: Option<Vec<u8>>,
    /// Keyed hash of the ID number.
    pub id_number_hash: Option<String>,
    /// Masked ID number.
    pub id_number_mask: Option<String>,
    /// Encrypted phone.
    pub phone_enc: Option<Vec<u8>>,
    /// Keyed hash of the phone.
    pub phone_hash: Option<String>,
    /// Masked phone.
    pub phone_mask: Option<String>,
    /// The resident this volunteer is, when known.
    pub resident_id: Option<Uuid>,
    /// The login of the volunteer themselves.
    pub user_id: Option<Uuid>,
    /// Skills (JSON array).
    pub skills: String,
    /// Service categories (JSON array).
    pub categories: String,
    /// Party member.
    pub party_member: bool,
    /// In-service party member reporting to the community (双报到).
    pub in_service_party_member: bool,
    /// Their work unit (双报到).
    pub work_unit: String,
    /// When they can serve.
    pub availability: String,
    /// `pending` / `active` / `left`.
    pub status: String,
    /// Cached points balance (sum of points entries).
    pub points_balance: i64,
    /// Cached service minutes (sum of service records).
    pub total_minutes: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const COLS: &str = "id, community_id, place_path, volunteer_no, name, sex, birth_date, id_number_enc, id_number_hash,
    id_number_mask, phone_enc, phone_hash, phone_mask, resident_id, user_id, skills, categories, party_member,
    in_service_party_member, work_unit, availability, status, points_balance, total_minutes, created_at, created_by,
    updated_at";

/// Inserts a volunteer.
pub async fn insert(c: &mut Conn<'_>, v: &VolunteerRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO volunteers ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)"))
        .bind(v.id).bind(v.community_id).bind(&v.place_path).bind(&v.volunteer_no).bind(&v.name).bind(&v.sex)
        .bind(v.birth_date).bind(&v.id_number_enc).bind(&v.id_number_hash).bind(&v.id_number_mask).bind(&v.phone_enc)
        .bind(&v.phone_hash).bind(&v.phone_mask).bind(v.resident_id).bind(v.user_id).bind(&v.skills).bind(&v.categories)
        .bind(v.party_member).bind(v.in_service_party_member).bind(&v.work_unit).bind(&v.availability).bind(&v.status)
        .bind(v.points_balance).bind(v.total_minutes).bind(v.created_at).bind(v.created_by).bind(v.updated_at)
        .execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one volunteer.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<VolunteerRow>> {
    let sql = format!("SELECT {COLS} FROM volunteers WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, VolunteerRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Finds the volunteer holding an ID number (by its keyed hash).
pub async fn find_by_id_hash(c: &mut Conn<'_>, hash: &str) -> Result<Option<VolunteerRow>> {
    let sql = format!("SELECT {COLS} FROM volunteers WHERE id_number_hash = $1");
    Ok(on!(c, c => sqlx::query_as::<_, VolunteerRow>(&sql).bind(hash).fetch_optional(c).await)?)
}

/// The volunteers of a community (by its path) with this phone (by its keyed hash).
pub async fn find_by_phone(
    c: &mut Conn<'_>,
    community_path: &str,
    phone_hash: &str,
) -> Result<Vec<VolunteerRow>> {
    let sql = format!("SELECT {COLS} FROM volunteers WHERE place_path = $1 AND phone_hash = $2");
    Ok(
        on!(c, c => sqlx::query_as::<_, VolunteerRow>(&sql).bind(community_path).bind(phone_hash).fetch_all(c).await)?,
    )
}

/// Sets a volunteer's status.
pub async fn set_status(
    c: &mut Conn<'_>,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE volunteers SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status).bind(now).bind(id).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Sets the blind index of a volunteer's ID number (a self sign-up, at approval).
pub async fn set_id_hash(c: &mut Conn<'_>, id: Uuid, hash: &str) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE volunteers SET id_number_hash = $1 WHERE id = $2")
        .bind(hash).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Adds `points` to the cached balance; with `guarded`, only if that keeps it at or above zero (false
/// when refused).
///
/// The guard is in the statement itself, so concurrent redemptions cannot both pass a balance check made
/// before either wrote: PostgreSQL re-reads the row under its lock, SQLite has one writer.
pub async fn add_points(c: &mut Conn<'_>, id: Uuid, points: i64, guarded: bool) -> Result<bool> {
    let n = on!(c, c => sqlx::query(
        "UPDATE volunteers SET points_balance = points_balance + $1 WHERE id = $2 AND ($3 OR points_balance + $1 >= 0)")
        .bind(points).bind(id).bind(!guarded).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Adds `minutes` to the cached service total.
pub async fn add_minutes(c: &mut Conn<'_>, id: Uuid, minutes: i64) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE volunteers SET total_minutes = total_minutes + $1 WHERE id = $2")
        .bind(minutes).bind(id).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads several volunteers by id (missing ids are simply absent).
pub async fn get_many(c: &mut Conn<'_>, ids: &[Uuid]) -> Result<Vec<VolunteerRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let rows = on!(c, c => {
            let mut qb = QueryBuilder::new(format!("SELECT {COLS} FROM volunteers WHERE id IN ("));
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as::<VolunteerRow>().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Adds (minutes, points) to several volunteers' cached totals in one statement per 500 volunteers
/// (an hours sheet); never guarded, since earning cannot overdraw.
pub async fn add_totals(c: &mut Conn<'_>, rows: &[(Uuid, i64, i64)]) -> Result<()> {
    for chunk in rows.chunks(500) {
        on!(c, c => {
            let mut qb = QueryBuilder::new("UPDATE volunteers SET total_minutes = total_minutes + CASE id");
            for (id, m, _) in chunk {
                qb.push(" WHEN ").push_bind(*id).push(" THEN ").push_bind(*m);
            }
            qb.push(" ELSE 0 END, points_balance = points_balance + CASE id");
            for (id, _, p) in chunk {
                qb.push(" WHEN ").push_bind(*id).push(" THEN ").push_bind(*p);
            }
            qb.push(" ELSE 0 END WHERE id IN (");
            let mut sep = qb.separated(", ");
            for (id, _, _) in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Locks a volunteer's row until the transaction ends (PostgreSQL; SQLite's single writer already
/// serializes), so a sweep and a redemption, or two instances' sweeps, take turns on one ledger.
pub async fn lock(c: &mut Conn<'_>, id: Uuid) -> Result<()> {
    if let Conn::Postgres(pg) = c {
        sqlx::query("SELECT id FROM volunteers WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **pg)
            .await?;
    }
    Ok(())
}

/// The volunteers of a community (by its path, which is indexed) with points to their name.
pub async fn with_points(c: &mut Conn<'_>, community_path: &str) -> Result<Vec<Uuid>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM volunteers WHERE place_path = $1 AND points_balance > 0")
        .bind(community_path).fetch_all(c).await)?)
}

/// Filters for listing volunteers.
#[derive(Debug, Clone, Default)]
pub struct VolunteerFilter {
    /// Name or volunteer number contains this.
    pub q: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only party members.
    pub party_member: Option<bool>,
    /// Has this skill.
    pub skill: Option<String>,
    /// Only with at least this many service minutes.
    pub min_minutes: Option<i64>,
}

/// Lists volunteers in scope, ordered by (community path, volunteer number), after a cursor.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &VolunteerFilter,
    after: Option<(String, String)>,
    limit: i64,
) -> Result<Vec<VolunteerRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {COLS} FROM volunteers WHERE 1 = 1"));
        scope.push_filter(&mut qb, "place_path");
        if let Some(q) = &f.q {
            let like = format!("%{}%", escape_like(q));
            qb.push(" AND (name LIKE ").push_bind(like.clone()).push(" ESCAPE '\\' OR volunteer_no LIKE ")
              .push_bind(like).push(" ESCAPE '\\')");
        }
        if let Some(s) = &f.status {
            qb.push(" AND status = ").push_bind(s.clone());
        }
        if let Some(p) = f.party_member {
            qb.push(" AND party_member = ").push_bind(p);
        }
        if let Some(s) = &f.skill {
            qb.push(" AND skills LIKE ").push_bind(format!("%\"{}\"%", escape_like(s))).push(" ESCAPE '\\'");
        }
        if let Some(m) = f.min_minutes {
            qb.push(" AND total_minutes >= ").push_bind(m);
        }
        if let Some((path, no)) = after {
            qb.push(" AND (place_path > ").push_bind(path.clone()).push(" OR (place_path = ").push_bind(path)
              .push(" AND volunteer_no > ").push_bind(no).push("))");
        }
        qb.push(" ORDER BY place_path, volunteer_no LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<VolunteerRow>().fetch_all(c).await?)
    })
}

/// One volunteer's cached totals beside the sums of their ledgers (for `wushe check`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerMismatch {
    /// Volunteer.
    pub id: Uuid,
    /// Public number.
    pub volunteer_no: String,
    /// Cached balance.
    pub points_balance: i64,
    /// Sum of points entries.
    pub points_sum: i64,
    /// Cached minutes.
    pub total_minutes: i64,
    /// Sum of service records.
    pub minutes_sum: i64,
}

/// Volunteers whose cached balance or minutes differ from the sums of their entries.
pub async fn ledger_mismatches(c: &mut Conn<'_>) -> Result<Vec<LedgerMismatch>> {
    Ok(on!(c, c => sqlx::query_as::<_, LedgerMismatch>(
        "SELECT v.id, v.volunteer_no, v.points_balance, v.total_minutes,
            CAST(COALESCE((SELECT SUM(e.points) FROM points_entries e WHERE e.volunteer_id = v.id), 0) AS BIGINT) AS points_sum,
            CAST(COALESCE((SELECT SUM(r.minutes) FROM service_records r WHERE r.volunteer_id = v.id), 0) AS BIGINT) AS minutes_sum
         FROM volunteers v
         WHERE v.points_balance <> COALESCE((SELECT SUM(e.points) FROM points_entries e WHERE e.volunteer_id = v.id), 0)
            OR v.total_minutes <> COALESCE((SELECT SUM(r.minutes) FROM service_records r WHERE r.volunteer_id = v.id), 0)")
        .fetch_all(c).await)?)
}

/// A stored team or sub-group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Community path.
    pub place_path: String,
    /// The team this is a sub-group of.
    pub parent_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Leader (a volunteer).
    pub leader_id: Option<Uuid>,
    /// When archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Current members (computed).
    pub member_count: i64,
}

const TEAM_SELECT: &str = "SELECT t.id, t.community_id, t.place_path, t.parent_id, t.name, t.description, t.leader_id,
    t.archived_at, t.created_at, t.created_by, t.updated_at,
    (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id AND m.left_on IS NULL) AS member_count
    FROM teams t";

/// The teams a volunteer leads (through `teams_leader`).
pub async fn led_by(c: &mut Conn<'_>, volunteer: Uuid) -> Result<Vec<Uuid>> {
    Ok(
        on!(c, c => sqlx::query_scalar("SELECT id FROM teams WHERE leader_id = $1 ORDER BY id")
        .bind(volunteer).fetch_all(c).await)?,
    )
}

/// Inserts a team.
pub async fn insert_team(c: &mut Conn<'_>, t: &TeamRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO teams (id, community_id, place_path, parent_id, name, description, leader_id,
        created_at, created_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(t.id).bind(t.community_id).bind(&t.place_path).bind(t.parent_id).bind(&t.name).bind(&t.description)
        .bind(t.leader_id).bind(t.created_at).bind(t.created_by).bind(t.updated_at).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one team.
pub async fn get_team(c: &mut Conn<'_>, id: Uuid) -> Result<Option<TeamRow>> {
    let sql = format!("{TEAM_SELECT} WHERE t.id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, TeamRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Finds a team by name among the siblings under `parent` in a community.
pub async fn find_team(
    c: &mut Conn<'_>,
    community_id: Uuid,
    parent: Option<Uuid>,
    name: &str,
) -> Result<Option<TeamRow>> {
    let sql = format!(
        "{TEAM_SELECT} WHERE t.community_id = $1 AND t.name = $2 AND t.archived_at IS NULL AND
         (t.parent_id = $3 OR (t.parent_id IS NULL AND $4))"
    );
    Ok(
        on!(c, c => sqlx::query_as::<_, TeamRow>(&sql).bind(community_id).bind(name).bind(parent)
        .bind(parent.is_none()).fetch_optional(c).await)?,
    )
}

/// Lists teams in scope (sub-groups right after their team), after a cursor of (path, name, id).
pub async fn list_teams(
    c: &mut Conn<'_>,
    scope: &Scope,
    parent: Option<Uuid>,
    after: Option<(String, String, Uuid)>,
    limit: i64,
) -> Result<Vec<TeamRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("{TEAM_SELECT} WHERE t.archived_at IS NULL"));
        scope.push_filter(&mut qb, "t.place_path");
        if let Some(p) = parent {
            qb.push(" AND t.parent_id = ").push_bind(p);
        }
        if let Some((path, name, id)) = after {
            qb.push(" AND (t.place_path > ").push_bind(path.clone())
              .push(" OR (t.place_path = ").push_bind(path.clone()).push(" AND t.name > ").push_bind(name.clone())
              .push(") OR (t.place_path = ").push_bind(path).push(" AND t.name = ").push_bind(name)
              .push(" AND t.id > ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY t.place_path, t.name, t.id LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<TeamRow>().fetch_all(c).await?)
    })
}

/// Sets a team's leader.
pub async fn set_leader(
    c: &mut Conn<'_>,
    team: Uuid,
    leader: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE teams SET leader_id = $1, updated_at = $2 WHERE id = $3")
        .bind(leader).bind(now).bind(team).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A membership of a volunteer in a team, current or past.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Team.
    pub team_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// `member` or `leader`.
    pub role: String,
    /// Joined.
    pub joined_on: NaiveDate,
    /// Left (none while a member).
    pub left_on: Option<NaiveDate>,
    /// Note (e.g. the partner unit a surge group came from).
    pub note: String,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
    /// Volunteer's name (joined).
    pub volunteer_name: String,
    /// Volunteer's number (joined).
    pub volunteer_no: String,
}

const MEMBER_SELECT: &str =
    "SELECT m.id, m.community_id, m.team_id, m.volunteer_id, m.role, m.joined_on, m.left_on,
    m.note, m.created_at, m.created_by, v.name AS volunteer_name, v.volunteer_no
    FROM team_members m JOIN volunteers v ON v.id = m.volunteer_id";

/// Inserts a membership.
pub async fn insert_member(c: &mut Conn<'_>, m: &MemberRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO team_members (id, community_id, team_id, volunteer_id, role, joined_on, left_on,
        note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(m.id).bind(m.community_id).bind(m.team_id).bind(m.volunteer_id).bind(&m.role).bind(m.joined_on)
        .bind(m.left_on).bind(&m.note).bind(m.created_at).bind(m.created_by).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one membership.
pub async fn get_member(c: &mut Conn<'_>, id: Uuid) -> Result<Option<MemberRow>> {
    let sql = format!("{MEMBER_SELECT} WHERE m.id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, MemberRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// The current membership of a volunteer in a team.
pub async fn current_member(
    c: &mut Conn<'_>,
    team: Uuid,
    volunteer: Uuid,
) -> Result<Option<MemberRow>> {
    let sql = format!(
        "{MEMBER_SELECT} WHERE m.team_id = $1 AND m.volunteer_id = $2 AND m.left_on IS NULL"
    );
    Ok(
        on!(c, c => sqlx::query_as::<_, MemberRow>(&sql).bind(team).bind(volunteer).fetch_optional(c).await)?,
    )
}

/// Ends a membership.
pub async fn end_member(c: &mut Conn<'_>, id: Uuid, left_on: NaiveDate) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE team_members SET left_on = $1 WHERE id = $2")
        .bind(left_on).bind(id).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A team's memberships, current first, then past ones newest first.
pub async fn members(c: &mut Conn<'_>, team: Uuid) -> Result<Vec<MemberRow>> {
    let sql = format!("{MEMBER_SELECT} WHERE m.team_id = $1 ORDER BY (m.left_on IS NULL) DESC, m.joined_on DESC, m.id");
    Ok(on!(c, c => sqlx::query_as::<_, MemberRow>(&sql).bind(team).fetch_all(c).await)?)
}

/// The volunteer registration of a login.
pub async fn by_user(c: &mut Conn<'_>, user: Uuid) -> Result<Option<VolunteerRow>> {
    let sql = format!(
        "SELECT {COLS} FROM volunteers WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1"
    );
    Ok(on!(c, c => sqlx::query_as::<_, VolunteerRow>(&sql).bind(user).fetch_optional(c).await)?)
}

/// The volunteer who is this resident, if any.
pub async fn by_resident(c: &mut Conn<'_>, resident: Uuid) -> Result<Option<VolunteerRow>> {
    let sql = format!("SELECT {COLS} FROM volunteers WHERE resident_id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, VolunteerRow>(&sql).bind(resident).fetch_optional(c).await)?)
}

/// Finds a volunteer by their public number.
pub async fn by_no(c: &mut Conn<'_>, no: &str) -> Result<Option<VolunteerRow>> {
    let sql = format!("SELECT {COLS} FROM volunteers WHERE volunteer_no = $1");
    Ok(on!(c, c => sqlx::query_as::<_, VolunteerRow>(&sql).bind(no).fetch_optional(c).await)?)
}
