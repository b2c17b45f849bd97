//! The three lists (三单制): demands, resources and projects with their links, claims and timeline.

pub mod categories;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::kernel::scope::upper_bound;
use crate::{on, Conn, Result, Scope};

/// A stored demand.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DemandRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Where it is.
    pub place_path: String,
    /// Category.
    pub category: String,
    /// What is needed (published: no names or numbers).
    pub content: String,
    /// `low` / `normal` / `high` / `urgent`.
    pub urgency: String,
    /// The resident who needs it.
    pub resident_id: Option<Uuid>,
    /// The household.
    pub household_id: Option<Uuid>,
    /// A group instead of one person (楼栋3的老人).
    pub group_text: String,
    /// Skills it calls for (JSON array).
    pub skills: String,
    /// Wanted from.
    pub wanted_from: Option<NaiveDate>,
    /// Wanted until.
    pub wanted_to: Option<NaiveDate>,
    /// `visit` / `order` / `grid_report` / `meeting` / `other`.
    pub source: String,
    /// `open` / `met` / `closed`.
    pub status: String,
    /// `2026Q4`.
    pub quarter: String,
    /// By.
    pub created_by: Option<Uuid>,
    /// At.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const DEMAND_COLS: &str = "id, community_id, place_path, category, content, urgency, resident_id, household_id,
    group_text, skills, wanted_from, wanted_to, source, status, quarter, created_by, created_at, updated_at";

/// Inserts a demand.
pub async fn insert_demand(c: &mut Conn<'_>, d: &DemandRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO demands ({DEMAND_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
        $10, $11, $12, $13, $14, $15, $16, $17, $18)"))
        .bind(d.id).bind(d.community_id).bind(&d.place_path).bind(&d.category).bind(&d.content).bind(&d.urgency)
        .bind(d.resident_id).bind(d.household_id).bind(&d.group_text).bind(&d.skills).bind(d.wanted_from)
        .bind(d.wanted_to).bind(&d.source).bind(&d.status).bind(&d.quarter).bind(d.created_by).bind(d.created_at)
        .bind(d.updated_at).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Inserts demands in chunks (benchmarks and migrations from other systems).
pub async fn insert_demands(c: &mut Conn<'_>, rows: &[DemandRow]) -> Result<()> {
    for chunk in rows.chunks(1000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO demands ({DEMAND_COLS}) "));
            qb.push_values(chunk, |mut b, d| {
                b.push_bind(d.id).push_bind(d.community_id).push_bind(d.place_path.clone()).push_bind(d.category.clone())
                    .push_bind(d.content.clone()).push_bind(d.urgency.clone()).push_bind(d.resident_id)
                    .push_bind(d.household_id).push_bind(d.group_text.clone()).push_bind(d.skills.clone())
                    .push_bind(d.wanted_from).push_bind(d.wanted_to).push_bind(d.source.clone()).push_bind(d.status.clone())
                    .push_bind(d.quarter.clone()).push_bind(d.created_by).push_bind(d.created_at).push_bind(d.updated_at);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Reads a demand.
pub async fn get_demand(c: &mut Conn<'_>, id: Uuid) -> Result<Option<DemandRow>> {
    let sql = format!("SELECT {DEMAND_COLS} FROM demands WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, DemandRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Sets a demand's status.
pub async fn set_demand_status(
    c: &mut Conn<'_>,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE demands SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status).bind(now).bind(id).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Demands in scope, by quarter and status, newest first, after a cursor.
pub async fn demands(
    c: &mut Conn<'_>,
    scope: &Scope,
    quarter: Option<&str>,
    status: Option<&str>,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<DemandRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {DEMAND_COLS} FROM demands WHERE 1 = 1"));
        scope.push_filter(&mut qb, "place_path");
        if let Some(q) = quarter {
            // A quarter's list is what was recorded in it, and what is still open from before (the quarterly
            // refresh carries unmet needs forward; `2026Q3` < `2026Q4` as text).
            qb.push(" AND (quarter = ").push_bind(q.to_owned()).push(" OR (quarter < ").push_bind(q.to_owned())
              .push(" AND status = 'open'))");
        }
        if let Some(s) = status {
            qb.push(" AND status = ").push_bind(s.to_owned());
        }
        if let Some((at, id)) = before {
            qb.push(" AND (created_at < ").push_bind(at).push(" OR (created_at = ").push_bind(at)
              .push(" AND id < ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<DemandRow>().fetch_all(c).await?)
    })
}

/// Open demands under a path (what a resource could meet; every open demand for the batch matching).
pub async fn open_demands_under(
    c: &mut Conn<'_>,
    path: &str,
    limit: i64,
) -> Result<Vec<DemandRow>> {
    let sql = format!("SELECT {DEMAND_COLS} FROM demands WHERE status = 'open' AND place_path >= $1 AND place_path < $2
        ORDER BY place_path, id LIMIT $3");
    Ok(
        on!(c, c => sqlx::query_as::<_, DemandRow>(&sql).bind(path).bind(upper_bound(path)).bind(limit).fetch_all(c).await)?,
    )
}

/// A stored resource.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResourceRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The place whose subtree it serves.
    pub place_path: String,
    /// `venue` / `people` / `skill` / `information` / `money` / `goods`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Categories served (JSON array).
    pub categories: String,
    /// Skills (JSON array).
    pub skills: String,
    /// Places it can take (none: no limit).
    pub capacity: Option<i64>,
    /// Taken.
    pub used: i64,
    /// When available, as people wrote it.
    pub availability: String,
    /// Weekday mask read from it (bit 0 Monday).
    pub weekdays: i64,
    /// From.
    pub available_from: Option<NaiveDate>,
    /// Until.
    pub available_until: Option<NaiveDate>,
    /// The partner or organization (a user) offering it.
    pub provider_id: Option<Uuid>,
    /// Their name.
    pub provider_name: String,
    /// Sum of past ratings.
    pub ratings_sum: i64,
    /// Number of past ratings.
    pub ratings_count: i64,
    /// `active` / `archived`.
    pub status: String,
    /// Quarter listed.
    pub quarter: String,
    /// By.
    pub created_by: Option<Uuid>,
    /// At.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const RESOURCE_COLS: &str = "id, community_id, place_path, kind, name, categories, skills, capacity, used, availability,
    weekdays, available_from, available_until, provider_id, provider_name, ratings_sum, ratings_count, status, quarter,
    created_by, created_at, updated_at";

/// Inserts resources (one or many).
pub async fn insert_resources(c: &mut Conn<'_>, rows: &[ResourceRow]) -> Result<()> {
    for chunk in rows.chunks(1000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO resources ({RESOURCE_COLS}) "));
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.id).push_bind(r.community_id).push_bind(r.place_path.clone()).push_bind(r.kind.clone())
                    .push_bind(r.name.clone()).push_bind(r.categories.clone()).push_bind(r.skills.clone()).push_bind(r.capacity)
                    .push_bind(r.used).push_bind(r.availability.clone()).push_bind(r.weekdays).push_bind(r.available_from)
                    .push_bind(r.available_until).push_bind(r.provider_id).push_bind(r.provider_name.clone())
                    .push_bind(r.ratings_sum).push_bind(r.ratings_count).push_bind(r.status.clone()).push_bind(r.quarter.clone())
                    .push_bind(r.created_by).push_bind(r.created_at).push_bind(r.updated_at);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Reads a resource.
pub async fn get_resource(c: &mut Conn<'_>, id: Uuid) -> Result<Option<ResourceRow>> {
    let sql = format!("SELECT {RESOURCE_COLS} FROM resources WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, ResourceRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Active resources that serve a place on `ancestors` (they cover it) or lie under `near` (nearby).
pub async fn resources_for(
    c: &mut Conn<'_>,
    ancestors: &[String],
    near: &str,
) -> Result<Vec<ResourceRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {RESOURCE_COLS} FROM resources WHERE status = 'active' AND (place_path IN ("));
        let mut sep = qb.separated(", ");
        for a in ancestors {
            sep.push_bind(a.clone());
        }
        qb.push(") OR (place_path >= ").push_bind(near.to_owned()).push(" AND place_path < ")
          .push_bind(upper_bound(near)).push("))");
        Ok(qb.build_query_as::<ResourceRow>().fetch_all(c).await?)
    })
}

/// Resources in scope, newest first.
pub async fn resources(c: &mut Conn<'_>, scope: &Scope, limit: i64) -> Result<Vec<ResourceRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {RESOURCE_COLS} FROM resources WHERE status = 'active'"));
        scope.push_filter(&mut qb, "place_path");
        qb.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<ResourceRow>().fetch_all(c).await?)
    })
}

/// A volunteer as an offer: (id, name, community path, skills JSON, categories JSON, availability).
pub type VolunteerOffer = (Uuid, String, String, String, String, String);

/// The active volunteers of a community, as offers.
pub async fn volunteer_offers(
    c: &mut Conn<'_>,
    community_path: &str,
) -> Result<Vec<VolunteerOffer>> {
    Ok(on!(c, c => sqlx::query_as::<_, VolunteerOffer>(
        "SELECT id, name, place_path, skills, categories, availability FROM volunteers
         WHERE place_path = $1 AND status = 'active'")
        .bind(community_path).fetch_all(c).await)?)
}

/// Residents' ratings of the orders each volunteer served in a community: (volunteer, sum, count).
pub async fn volunteer_ratings(c: &mut Conn<'_>, community: Uuid) -> Result<Vec<(Uuid, i64, i64)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (Uuid, i64, i64)>(
        "SELECT o.assignee_id, CAST(SUM(e.score) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM order_evaluations e
         JOIN orders o ON o.id = e.order_id
         WHERE e.community_id = $1 AND e.by_party = 'resident' AND o.assignee_type = 'volunteer'
         GROUP BY o.assignee_id")
        .bind(community).fetch_all(c).await)?)
}

/// A stored project.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Community path.
    pub place_path: String,
    /// Title.
    pub title: String,
    /// What it does.
    pub description: String,
    /// Status.
    pub status: String,
    /// Quarter.
    pub quarter: String,
    /// The joint meeting that approved it.
    pub meeting: String,
    /// Results at closing.
    pub results: String,
    /// By.
    pub created_by: Option<Uuid>,
    /// At.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const PROJECT_COLS: &str =
    "id, community_id, place_path, title, description, status, quarter, meeting, results, created_by, created_at, updated_at";

/// Inserts a project.
pub async fn insert_project(c: &mut Conn<'_>, p: &ProjectRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO projects ({PROJECT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
        $10, $11, $12)"))
        .bind(p.id).bind(p.community_id).bind(&p.place_path).bind(&p.title).bind(&p.description).bind(&p.status)
        .bind(&p.quarter).bind(&p.meeting).bind(&p.results).bind(p.created_by).bind(p.created_at).bind(p.updated_at)
        .execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads a project (locked on PostgreSQL when `lock`).
pub async fn get_project(c: &mut Conn<'_>, id: Uuid, lock: bool) -> Result<Option<ProjectRow>> {
    if lock {
        if let Conn::Postgres(pg) = c {
            sqlx::query("SELECT id FROM projects WHERE id = $1 FOR UPDATE")
                .bind(id)
                .fetch_optional(&mut **pg)
                .await?;
        }
    }
    let sql = format!("SELECT {PROJECT_COLS} FROM projects WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, ProjectRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Saves a project's status, meeting and results if it is still in `from`.
pub async fn save_project_if(c: &mut Conn<'_>, p: &ProjectRow, from: &str) -> Result<bool> {
    let n = on!(c, c => sqlx::query("UPDATE projects SET status = $1, meeting = $2, results = $3, updated_at = $4
        WHERE id = $5 AND status = $6")
        .bind(&p.status).bind(&p.meeting).bind(&p.results).bind(p.updated_at).bind(p.id).bind(from)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Projects in scope, by quarter, newest first.
pub async fn projects(
    c: &mut Conn<'_>,
    scope: &Scope,
    quarter: Option<&str>,
    limit: i64,
) -> Result<Vec<ProjectRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {PROJECT_COLS} FROM projects WHERE 1 = 1"));
        scope.push_filter(&mut qb, "place_path");
        if let Some(q) = quarter {
            // Projects still under way carry into the next quarter's list.
            qb.push(" AND (quarter = ").push_bind(q.to_owned()).push(" OR (quarter < ").push_bind(q.to_owned())
              .push(" AND status IN ('approved', 'claimed', 'running')))");
        }
        qb.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<ProjectRow>().fetch_all(c).await?)
    })
}

/// Links a demand or resource to a project.
pub async fn link(
    c: &mut Conn<'_>,
    project: Uuid,
    community: Uuid,
    kind: &str,
    object: Uuid,
) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO project_links (project_id, community_id, object_type, object_id)
        VALUES ($1, $2, $3, $4) ON CONFLICT (project_id, object_type, object_id) DO NOTHING")
        .bind(project).bind(community).bind(kind).bind(object).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A project's links: (kind, id).
pub async fn links(c: &mut Conn<'_>, project: Uuid) -> Result<Vec<(String, Uuid)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (String, Uuid)>(
        "SELECT object_type, object_id FROM project_links WHERE project_id = $1 ORDER BY object_type, object_id")
        .bind(project).fetch_all(c).await)?)
}

/// One claim (认领).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Who claims it.
    pub claimant_name: String,
    /// `partner` / `social_org` / `team` / `other`.
    pub claimant_kind: String,
    /// What they take on.
    pub note: String,
    /// Recorded by.
    pub claimed_by: Option<Uuid>,
    /// When.
    pub claimed_at: DateTime<Utc>,
}

/// Records a claim.
pub async fn insert_claim(c: &mut Conn<'_>, r: &ClaimRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO project_claims (id, community_id, project_id, claimant_name, claimant_kind,
        note, claimed_by, claimed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(r.id).bind(r.community_id).bind(r.project_id).bind(&r.claimant_name).bind(&r.claimant_kind)
        .bind(&r.note).bind(r.claimed_by).bind(r.claimed_at).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// A project's claims, in order.
pub async fn claims(c: &mut Conn<'_>, project: Uuid) -> Result<Vec<ClaimRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, ClaimRow>("SELECT id, community_id, project_id, claimant_name, claimant_kind,
        note, claimed_by, claimed_at FROM project_claims WHERE project_id = $1 ORDER BY claimed_at, id")
        .bind(project).fetch_all(c).await)?,
    )
}
