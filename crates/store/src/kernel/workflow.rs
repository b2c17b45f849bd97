//! The workflow kernel's rows: one timeline for every workflow (`workflow_steps`, decision 0016), the
//! counts per status kept with every change, the step deadlines each community sets per workflow and
//! category, and grants on single records that role × place is too wide for.

use chrono::{DateTime, Utc};
use sqlx::{Database, QueryBuilder};
use uuid::Uuid;

use crate::kernel::texts::{self, Text};
use crate::{on, Conn, Result, Scope};

/// One step of any workflow's timeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The workflow's name (`order`, `event`, `activity`, `project`).
    pub workflow: String,
    /// The order, event, activity or project.
    pub subject_id: Uuid,
    /// Status before (none at creation).
    pub from_status: Option<String>,
    /// Status after.
    pub to_status: String,
    /// What was done (`place`, `dispatch`, `publish`...).
    pub action: String,
    /// Who.
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, or what was said (kept in `personal_texts`, so an erasure reaches it).
    pub note: String,
}

/// Appends a step to its subject's timeline.
pub async fn add_step(c: &mut Conn<'_>, s: &StepRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO workflow_steps (id, community_id, workflow, subject_id, from_status,
        to_status, action, actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(s.id).bind(s.community_id).bind(&s.workflow).bind(s.subject_id).bind(&s.from_status)
        .bind(&s.to_status).bind(&s.action).bind(s.actor_id).bind(s.at).execute(c).await.map(|_| ()))?;
    let note = Text {
        owner: s.id,
        field: "note",
        community: Some(s.community_id),
        body: &s.note,
    };
    texts::write(c, &[note]).await
}

/// A subject's timeline, oldest first, through `workflow_steps_subject`.
pub async fn timeline(c: &mut Conn<'_>, subject: Uuid) -> Result<Vec<StepRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, StepRow>(&format!("SELECT id, community_id, workflow, subject_id,
        from_status, to_status, action, actor_id, at, {} AS note FROM workflow_steps WHERE subject_id = $1
        ORDER BY at, id", texts::read("workflow_steps.id", "note"))).bind(subject).fetch_all(c).await)?,
    )
}

/// Moves a workflow's kept count of records in `status` by `delta`, in `bucket` and in the total (`/`).
pub async fn bump(
    c: &mut Conn<'_>,
    workflow: &str,
    bucket: &str,
    community: Uuid,
    status: &str,
    delta: i64,
) -> Result<()> {
    for (bucket, cid) in [(bucket, Some(community)), ("/", None)] {
        on!(c, c => sqlx::query("INSERT INTO status_counts (workflow, bucket, community_id, status, n)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (workflow, bucket, status) DO UPDATE SET n = status_counts.n + excluded.n")
            .bind(workflow).bind(bucket).bind(cid).bind(status).bind(delta).execute(c).await.map(|_| ()))?;
    }
    Ok(())
}

/// A workflow's kept counts per status under a scope: the total row for everything, else the buckets.
pub async fn kept_counts(
    c: &mut Conn<'_>,
    workflow: &str,
    scope: &Scope,
) -> Result<Vec<(String, i64)>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT status, CAST(SUM(n) AS BIGINT) FROM status_counts WHERE workflow = ");
        qb.push_bind(workflow);
        match scope {
            Scope::All => {
                qb.push(" AND bucket = '/'");
            }
            _ => {
                qb.push(" AND bucket <> '/'");
                scope.push_filter(&mut qb, "bucket");
            }
        }
        qb.push(" GROUP BY status");
        Ok(qb.build_query_as::<(String, i64)>().fetch_all(c).await?)
    })
}

/// Every kept count of a workflow: (bucket, status, n), for `wushe check`.
pub async fn kept_rows(c: &mut Conn<'_>, workflow: &str) -> Result<Vec<(String, String, i64)>> {
    Ok(
        on!(c, c => sqlx::query_as("SELECT bucket, status, n FROM status_counts WHERE workflow = $1")
        .bind(workflow).fetch_all(c).await)?,
    )
}

/// The step deadlines a community set for a workflow's category (JSON), if any.
pub async fn deadlines(
    c: &mut Conn<'_>,
    community: Uuid,
    workflow: &str,
    category: &str,
) -> Result<Option<String>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, String>(
        "SELECT deadlines FROM step_deadlines WHERE community_id = $1 AND workflow = $2 AND category = $3")
        .bind(community).bind(workflow).bind(category).fetch_optional(c).await)?)
}

/// Every category's deadlines a community set for a workflow: (category, JSON).
pub async fn all_deadlines(
    c: &mut Conn<'_>,
    community: Uuid,
    workflow: &str,
) -> Result<Vec<(String, String)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (String, String)>(
        "SELECT category, deadlines FROM step_deadlines WHERE community_id = $1 AND workflow = $2 ORDER BY category")
        .bind(community).bind(workflow).fetch_all(c).await)?)
}

/// Sets a category's deadlines.
pub async fn set_deadlines(
    c: &mut Conn<'_>,
    community: Uuid,
    workflow: &str,
    category: &str,
    json: &str,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO step_deadlines (community_id, workflow, category, deadlines, updated_at,
        updated_by) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (community_id, workflow, category) DO UPDATE SET deadlines = excluded.deadlines,
            updated_at = excluded.updated_at, updated_by = excluded.updated_by")
        .bind(community).bind(workflow).bind(category).bind(json).bind(now).bind(by).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A grant of one record to one user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The record (a resident's health file, a mediation case...).
    pub record_id: Uuid,
    /// Who may read it.
    pub user_id: Uuid,
    /// Why (their carer, the case's mediator, the social worker's supervisor).
    pub reason: String,
    /// Who granted it.
    pub granted_by: Option<Uuid>,
    /// When.
    pub granted_at: DateTime<Utc>,
    /// When it was withdrawn (kept, so who could read what and when stays known).
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// Grants a record to a user, unless they already hold it; true when this call granted it.
pub async fn grant(c: &mut Conn<'_>, g: &GrantRow) -> Result<bool> {
    if holds(c, g.user_id, g.record_id).await? {
        return Ok(false);
    }
    on!(c, c => sqlx::query("INSERT INTO record_grants (id, community_id, record_id, user_id, reason, granted_by,
        granted_at, withdrawn_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)")
        .bind(g.id).bind(g.community_id).bind(g.record_id).bind(g.user_id).bind(&g.reason).bind(g.granted_by)
        .bind(g.granted_at).execute(c).await.map(|_| ()))?;
    Ok(true)
}

/// Withdraws a user's grant on a record; false when they held none.
pub async fn withdraw(
    c: &mut Conn<'_>,
    user: Uuid,
    record: Uuid,
    at: DateTime<Utc>,
) -> Result<bool> {
    let n = on!(c, c => sqlx::query("UPDATE record_grants SET withdrawn_at = $1 WHERE user_id = $2 AND record_id = $3
        AND withdrawn_at IS NULL").bind(at).bind(user).bind(record).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Whether a user holds a grant on a record now.
pub async fn holds(c: &mut Conn<'_>, user: Uuid, record: Uuid) -> Result<bool> {
    Ok(
        on!(c, c => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM record_grants WHERE user_id = $1
        AND record_id = $2 AND withdrawn_at IS NULL").bind(user).bind(record).fetch_one(c).await)?
            > 0,
    )
}

/// Every grant ever made on a record, oldest first.
pub async fn grants_on(c: &mut Conn<'_>, record: Uuid) -> Result<Vec<GrantRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, GrantRow>("SELECT id, community_id, record_id, user_id, reason, granted_by,
        granted_at, withdrawn_at FROM record_grants WHERE record_id = $1 ORDER BY granted_at, id")
        .bind(record).fetch_all(c).await)?,
    )
}

/// Appends ` AND <id_col> is granted to <user>` to a query, beside the place scope: a granted record is
/// read only by those it was granted to, whatever their role covers.
pub fn push_granted<'a, DB>(qb: &mut QueryBuilder<'a, DB>, id_col: &str, user: Uuid)
where
    DB: Database,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push(format!(
        " AND {id_col} IN (SELECT record_id FROM record_grants WHERE withdrawn_at IS NULL AND user_id = "
    ))
    .push_bind(user)
    .push(")");
}
