//! Volunteer activities, their timeline, and who signed up, checked in and out.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{on, Conn, Result, Scope};

/// A stored activity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Community path.
    pub place_path: String,
    /// Organising team.
    pub team_id: Option<Uuid>,
    /// Title.
    pub title: String,
    /// What will be done.
    pub content: String,
    /// Where.
    pub place_text: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Places.
    pub capacity: i64,
    /// Skills needed (JSON array).
    pub skills: String,
    /// Sub-group tasks (JSON array of {team_id, title}).
    pub tasks: String,
    /// `draft` / `published` / `completed` / `cancelled`.
    pub status: String,
    /// The code volunteers type (or scan) to check in and out.
    pub checkin_code: String,
    /// Summary written at completion.
    pub summary: Option<String>,
    /// Feedback gathered at completion.
    pub feedback: Option<String>,
    /// Photo references (JSON array).
    pub photos: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Current sign-ups (computed).
    pub signed_up: i64,
}

const SELECT: &str = "SELECT a.id, a.community_id, a.place_path, a.team_id, a.title, a.content, a.place_text, a.starts_at,
    a.ends_at, a.capacity, a.skills, a.tasks, a.status, a.checkin_code, a.summary, a.feedback, a.photos, a.created_at,
    a.created_by, a.updated_at,
    (SELECT COUNT(*) FROM activity_signups s WHERE s.activity_id = a.id) AS signed_up
    FROM activities a";

/// Inserts an activity.
pub async fn insert(c: &mut Conn<'_>, a: &ActivityRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO activities (id, community_id, place_path, team_id, title, content, place_text,
        starts_at, ends_at, capacity, skills, tasks, status, checkin_code, summary, feedback, photos, created_at,
        created_by, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)")
        .bind(a.id).bind(a.community_id).bind(&a.place_path).bind(a.team_id).bind(&a.title).bind(&a.content)
        .bind(&a.place_text).bind(a.starts_at).bind(a.ends_at).bind(a.capacity).bind(&a.skills).bind(&a.tasks)
        .bind(&a.status).bind(&a.checkin_code).bind(&a.summary).bind(&a.feedback).bind(&a.photos).bind(a.created_at)
        .bind(a.created_by).bind(a.updated_at).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one activity.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<ActivityRow>> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, ActivityRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Reads one activity for a change, locking its row on PostgreSQL so that sign-ups queue on it (capacity
/// is counted after the lock; SQLite's single writer already serializes).
pub async fn get_for_update(c: &mut Conn<'_>, id: Uuid) -> Result<Option<ActivityRow>> {
    if let Conn::Postgres(pg) = c {
        sqlx::query("SELECT id FROM activities WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **pg)
            .await?;
    }
    get(c, id).await
}

/// Moves an activity to a status, with an optional summary and feedback (completion).
pub async fn set_status(
    c: &mut Conn<'_>,
    id: Uuid,
    status: &str,
    summary: Option<&str>,
    feedback: Option<&str>,
    photos: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE activities SET status = $1, summary = COALESCE($2, summary),
        feedback = COALESCE($3, feedback), photos = COALESCE($4, photos), updated_at = $5 WHERE id = $6")
        .bind(status).bind(summary).bind(feedback).bind(photos).bind(now).bind(id).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Filters for listing activities.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Only in this status.
    pub status: Option<String>,
    /// Only starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Only starting before.
    pub to: Option<DateTime<Utc>>,
    /// Only this team's.
    pub team_id: Option<Uuid>,
}

/// Lists activities in scope by start time, after a cursor of (starts_at, id).
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &ActivityFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ActivityRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("{SELECT} WHERE 1 = 1"));
        scope.push_filter(&mut qb, "a.place_path");
        if let Some(s) = &f.status {
            qb.push(" AND a.status = ").push_bind(s.clone());
        }
        if let Some(t) = f.from {
            qb.push(" AND a.starts_at >= ").push_bind(t);
        }
        if let Some(t) = f.to {
            qb.push(" AND a.starts_at < ").push_bind(t);
        }
        if let Some(t) = f.team_id {
            qb.push(" AND a.team_id = ").push_bind(t);
        }
        if let Some((at, id)) = after {
            qb.push(" AND (a.starts_at > ").push_bind(at).push(" OR (a.starts_at = ").push_bind(at)
              .push(" AND a.id > ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY a.starts_at, a.id LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<ActivityRow>().fetch_all(c).await?)
    })
}

/// One volunteer's place in an activity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignupRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Activity.
    pub activity_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// The activity's start (copied for clash checks).
    pub starts_at: DateTime<Utc>,
    /// The activity's end.
    pub ends_at: DateTime<Utc>,
    /// When they signed up or were assigned.
    pub signed_up_at: DateTime<Utc>,
    /// Who assigned them (none when they signed up themselves).
    pub assigned_by: Option<Uuid>,
    /// Check-in.
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Checked in late.
    pub late: bool,
    /// Check-out.
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Minutes served, set at check-out.
    pub minutes: Option<i64>,
    /// The service record made from this sign-up.
    pub record_id: Option<Uuid>,
    /// Never came (set when the activity completes).
    pub no_show: bool,
    /// Volunteer's name (joined).
    pub volunteer_name: String,
    /// Volunteer's number (joined).
    pub volunteer_no: String,
}

const SIGNUP_SELECT: &str = "SELECT s.id, s.community_id, s.activity_id, s.volunteer_id, s.starts_at, s.ends_at,
    s.signed_up_at, s.assigned_by, s.checked_in_at, s.late, s.checked_out_at, s.minutes, s.record_id, s.no_show,
    v.name AS volunteer_name, v.volunteer_no FROM activity_signups s JOIN volunteers v ON v.id = s.volunteer_id";

/// Inserts a sign-up.
pub async fn insert_signup(c: &mut Conn<'_>, s: &SignupRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO activity_signups (id, community_id, activity_id, volunteer_id, starts_at,
        ends_at, signed_up_at, assigned_by, checked_in_at, late, checked_out_at, minutes, record_id, no_show)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
        .bind(s.id).bind(s.community_id).bind(s.activity_id).bind(s.volunteer_id).bind(s.starts_at).bind(s.ends_at)
        .bind(s.signed_up_at).bind(s.assigned_by).bind(s.checked_in_at).bind(s.late).bind(s.checked_out_at)
        .bind(s.minutes).bind(s.record_id).bind(s.no_show).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A volunteer's sign-up to an activity.
pub async fn signup_of(
    c: &mut Conn<'_>,
    activity: Uuid,
    volunteer: Uuid,
) -> Result<Option<SignupRow>> {
    let sql = format!("{SIGNUP_SELECT} WHERE s.activity_id = $1 AND s.volunteer_id = $2");
    Ok(
        on!(c, c => sqlx::query_as::<_, SignupRow>(&sql).bind(activity).bind(volunteer).fetch_optional(c).await)?,
    )
}

/// All sign-ups of an activity, in order of signing up.
pub async fn signups(c: &mut Conn<'_>, activity: Uuid) -> Result<Vec<SignupRow>> {
    let sql = format!("{SIGNUP_SELECT} WHERE s.activity_id = $1 ORDER BY s.signed_up_at, s.id");
    Ok(on!(c, c => sqlx::query_as::<_, SignupRow>(&sql).bind(activity).fetch_all(c).await)?)
}

/// The title of another live activity this volunteer is signed up to that overlaps `[from, to)`.
pub async fn clash(
    c: &mut Conn<'_>,
    volunteer: Uuid,
    except: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Option<String>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, String>(
        "SELECT a.title FROM activity_signups s JOIN activities a ON a.id = s.activity_id
         WHERE s.volunteer_id = $1 AND s.activity_id <> $2 AND s.starts_at < $3 AND s.ends_at > $4
           AND a.status IN ('draft', 'published') LIMIT 1")
        .bind(volunteer).bind(except).bind(to).bind(from).fetch_optional(c).await)?)
}

/// Records a check-in.
pub async fn check_in(c: &mut Conn<'_>, id: Uuid, at: DateTime<Utc>, late: bool) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE activity_signups SET checked_in_at = $1, late = $2 WHERE id = $3")
        .bind(at).bind(late).bind(id).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Records a check-out with the minutes served and the record made from them.
pub async fn check_out(
    c: &mut Conn<'_>,
    id: Uuid,
    at: DateTime<Utc>,
    minutes: i64,
    record: Option<Uuid>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE activity_signups SET checked_out_at = $1, minutes = $2, record_id = $3 WHERE id = $4")
        .bind(at).bind(minutes).bind(record).bind(id).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Marks everyone who never checked in as a no-show (at completion).
pub async fn mark_no_shows(c: &mut Conn<'_>, activity: Uuid) -> Result<u64> {
    Ok(
        on!(c, c => sqlx::query("UPDATE activity_signups SET no_show = TRUE WHERE activity_id = $1 AND checked_in_at IS NULL")
        .bind(activity).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// Inserts several sign-ups (volunteers on a paper sheet who never signed up online).
pub async fn insert_signups(c: &mut Conn<'_>, rows: &[SignupRow]) -> Result<()> {
    for chunk in rows.chunks(1000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new("INSERT INTO activity_signups (id, community_id, activity_id, volunteer_id,
                starts_at, ends_at, signed_up_at, assigned_by, checked_in_at, late, checked_out_at, minutes, record_id,
                no_show) ");
            qb.push_values(chunk, |mut b, s| {
                b.push_bind(s.id).push_bind(s.community_id).push_bind(s.activity_id).push_bind(s.volunteer_id)
                    .push_bind(s.starts_at).push_bind(s.ends_at).push_bind(s.signed_up_at).push_bind(s.assigned_by)
                    .push_bind(s.checked_in_at).push_bind(s.late).push_bind(s.checked_out_at).push_bind(s.minutes)
                    .push_bind(s.record_id).push_bind(s.no_show);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Records hours typed in for several sign-ups at once: (sign-up, minutes, record).
pub async fn set_hours_many(c: &mut Conn<'_>, rows: &[(Uuid, i64, Uuid)]) -> Result<()> {
    for chunk in rows.chunks(500) {
        on!(c, c => {
            let mut qb = QueryBuilder::new("UPDATE activity_signups SET minutes = CASE id");
            for (id, m, _) in chunk {
                qb.push(" WHEN ").push_bind(*id).push(" THEN ").push_bind(*m);
            }
            qb.push(" END, record_id = CASE id");
            for (id, _, r) in chunk {
                qb.push(" WHEN ").push_bind(*id).push(" THEN ").push_bind(*r);
            }
            qb.push(" END WHERE id IN (");
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

/// The activities a volunteer signed up to that start after `from`, by start.
pub async fn activities_of(
    c: &mut Conn<'_>,
    volunteer: Uuid,
    from: DateTime<Utc>,
) -> Result<Vec<Uuid>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT activity_id FROM activity_signups WHERE volunteer_id = $1 AND starts_at >= $2 ORDER BY starts_at LIMIT 500")
        .bind(volunteer).bind(from).fetch_all(c).await)?)
}
