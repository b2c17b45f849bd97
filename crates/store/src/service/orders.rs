//! Orders of the four-orders loop (四单机制), their timeline and evaluations, and the step deadlines each
//! community sets per category.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{on, Conn, Result, Scope};

/// A stored order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The household's place, or the community's.
    pub place_path: String,
    /// Household served.
    pub household_id: Option<Uuid>,
    /// Category (养老, 助残...).
    pub category: String,
    /// What is asked for.
    pub content: String,
    /// Wanted by this day.
    pub wanted_by: Option<NaiveDate>,
    /// `placed` / `dispatched` / `accepted` / `completed` / `closed`.
    pub status: String,
    /// Since when in this status.
    pub status_since: DateTime<Utc>,
    /// When the current step is due.
    pub due_at: Option<DateTime<Utc>>,
    /// `team` / `volunteer`.
    pub assignee_type: Option<String>,
    /// The team or volunteer.
    pub assignee_id: Option<Uuid>,
    /// Their name when dispatched.
    pub assignee_name: String,
    /// Who placed it.
    pub placed_by: Option<Uuid>,
    /// Placed at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Closed at.
    pub closed_at: Option<DateTime<Utc>>,
    /// Photo ids (JSON array).
    pub photos: String,
}

const COLS: &str = "id, community_id, place_path, household_id, category, content, wanted_by, status, status_since,
    due_at, assignee_type, assignee_id, assignee_name, placed_by, created_at, updated_at, closed_at, photos";

/// Inserts an order.
pub async fn insert(c: &mut Conn<'_>, o: &OrderRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO orders ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
        $11, $12, $13, $14, $15, $16, $17, $18)"))
        .bind(o.id).bind(o.community_id).bind(&o.place_path).bind(o.household_id).bind(&o.category).bind(&o.content)
        .bind(o.wanted_by).bind(&o.status).bind(o.status_since).bind(o.due_at).bind(&o.assignee_type)
        .bind(o.assignee_id).bind(&o.assignee_name).bind(o.placed_by).bind(o.created_at).bind(o.updated_at)
        .bind(o.closed_at).bind(&o.photos).execute(c).await.map(|_| ()))
    .map_err(Into::into)
}

/// Inserts orders in chunks (benchmarks and migrations from other systems).
pub async fn insert_many(c: &mut Conn<'_>, rows: &[OrderRow]) -> Result<()> {
    for chunk in rows.chunks(1000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO orders ({COLS}) "));
            qb.push_values(chunk, |mut b, o| {
                b.push_bind(o.id).push_bind(o.community_id).push_bind(o.place_path.clone()).push_bind(o.household_id)
                    .push_bind(o.category.clone()).push_bind(o.content.clone()).push_bind(o.wanted_by)
                    .push_bind(o.status.clone()).push_bind(o.status_since).push_bind(o.due_at)
                    .push_bind(o.assignee_type.clone()).push_bind(o.assignee_id).push_bind(o.assignee_name.clone())
                    .push_bind(o.placed_by).push_bind(o.created_at).push_bind(o.updated_at).push_bind(o.closed_at)
                    .push_bind(o.photos.clone());
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Reads one order.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<OrderRow>> {
    let sql = format!("SELECT {COLS} FROM orders WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, OrderRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Reads one order for a change, locking it on PostgreSQL (evaluations are counted after the lock).
pub async fn get_for_update(c: &mut Conn<'_>, id: Uuid) -> Result<Option<OrderRow>> {
    if let Conn::Postgres(pg) = c {
        sqlx::query("SELECT id FROM orders WHERE id = $1 FOR UPDATE")
            .bind(id)
            .fetch_optional(&mut **pg)
            .await?;
    }
    get(c, id).await
}

/// A move to a new status, with what changes along with it.
#[derive(Debug, Clone)]
pub struct Move<'a> {
    /// The status the order must still be in (the guard that gives one winner to a race).
    pub from: &'a str,
    /// The new status.
    pub to: &'a str,
    /// When.
    pub at: DateTime<Utc>,
    /// The new step's deadline.
    pub due_at: Option<DateTime<Utc>>,
    /// When it closed (set with the move to the closing status, none otherwise).
    pub closed_at: Option<DateTime<Utc>>,
    /// The assignee after the move: (type, id, name); `None` keeps it, `Some((None, None, ""))` clears it.
    pub assignee: Option<(Option<&'a str>, Option<Uuid>, &'a str)>,
}

/// Moves an order if it is still in `m.from`; false when another request moved it first.
pub async fn set_status(c: &mut Conn<'_>, id: Uuid, m: &Move<'_>) -> Result<bool> {
    let n = on!(c, c => {
        let mut qb = QueryBuilder::new("UPDATE orders SET status = ");
        qb.push_bind(m.to).push(", status_since = ").push_bind(m.at).push(", updated_at = ").push_bind(m.at)
          .push(", due_at = ").push_bind(m.due_at).push(", closed_at = ").push_bind(m.closed_at);
        if let Some((t, aid, name)) = m.assignee {
            qb.push(", assignee_type = ").push_bind(t).push(", assignee_id = ").push_bind(aid)
              .push(", assignee_name = ").push_bind(name);
        }
        qb.push(" WHERE id = ").push_bind(id).push(" AND status = ").push_bind(m.from);
        qb.build().execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// One party's evaluation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EvaluationRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Order.
    pub order_id: Uuid,
    /// `resident` / `station` / `team`.
    pub by_party: String,
    /// 1 to 5.
    pub score: i64,
    /// Comment.
    pub comment: String,
    /// Who typed it.
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Inserts an evaluation.
pub async fn insert_evaluation(c: &mut Conn<'_>, e: &EvaluationRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO order_evaluations (id, community_id, order_id, by_party, score,
        actor_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(e.id).bind(e.community_id).bind(e.order_id).bind(&e.by_party).bind(e.score)
        .bind(e.actor_id).bind(e.at).execute(c).await.map(|_| ()))?;
    let comment = crate::kernel::texts::Text {
        owner: e.id,
        field: "comment",
        community: Some(e.community_id),
        body: &e.comment,
    };
    crate::kernel::texts::write(c, &[comment]).await
}

/// An order's evaluations, in the order given.
pub async fn evaluations(c: &mut Conn<'_>, order: Uuid) -> Result<Vec<EvaluationRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, EvaluationRow>(&format!("SELECT id, community_id, order_id, by_party, score,
        {} AS comment, actor_id, at FROM order_evaluations WHERE order_id = $1 ORDER BY at, id",
        crate::kernel::texts::read("order_evaluations.id", "comment"))).bind(order).fetch_all(c).await)?,
    )
}

/// Filters of the dispatch board.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// Only this status.
    pub status: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only orders placed by this user (a resident's own list).
    pub placed_by: Option<Uuid>,
    /// Only orders given to this team or volunteer.
    pub assignee_id: Option<Uuid>,
    /// Only orders whose step is overdue at this time.
    pub overdue_at: Option<DateTime<Utc>>,
}

fn push_filter<'a, DB>(qb: &mut QueryBuilder<'a, DB>, scope: &Scope, f: &OrderFilter)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    scope.push_filter(qb, "place_path");
    push_rest(qb, f);
}

fn push_rest<'a, DB>(qb: &mut QueryBuilder<'a, DB>, f: &OrderFilter)
where
    DB: sqlx::Database,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    Uuid: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    DateTime<Utc>: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(s) = &f.status {
        qb.push(" AND status = ").push_bind(s.clone());
    }
    if let Some(s) = &f.category {
        qb.push(" AND category = ").push_bind(s.clone());
    }
    if let Some(u) = f.placed_by {
        qb.push(" AND placed_by = ").push_bind(u);
    }
    if let Some(a) = f.assignee_id {
        qb.push(" AND assignee_id = ").push_bind(a);
    }
    if let Some(t) = f.overdue_at {
        qb.push(" AND due_at < ").push_bind(t);
    }
}

/// How a page of the board is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Through the place index, then sorted by time: for a scope with few orders.
    ByPlace,
    /// Newest first through the time index, keeping the scope's rows: for a scope holding a good share of
    /// all orders (a busy street), where sorting would read them all.
    ByTime,
}

/// Orders in scope, newest first, after a cursor of (created_at, id).
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &OrderFilter,
    before: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
    plan: Plan,
) -> Result<Vec<OrderRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {COLS} FROM orders WHERE 1 = 1"));
        // `|| ''` makes the path an expression, so neither database reaches for the place index and the
        // time index serves the order.
        let col = if plan == Plan::ByTime { "(place_path || '')" } else { "place_path" };
        scope.push_filter(&mut qb, col);
        push_rest(&mut qb, f);
        if let Some((at, id)) = before {
            qb.push(" AND (created_at < ").push_bind(at).push(" OR (created_at = ").push_bind(at)
              .push(" AND id < ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY created_at DESC, id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<OrderRow>().fetch_all(c).await?)
    })
}

/// Open overdue flags of orders under the scope, per step.
pub async fn flagged_counts(c: &mut Conn<'_>, scope: &Scope) -> Result<Vec<(String, i64)>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT step, CAST(COUNT(*) AS BIGINT) FROM alerts
            WHERE object_type = 'order' AND cleared_at IS NULL");
        scope.push_filter(&mut qb, "place_path");
        qb.push(" GROUP BY step");
        Ok(qb.build_query_as::<(String, i64)>().fetch_all(c).await?)
    })
}

/// How many orders are at each place in each status: (place path, status, n), for `wushe check`.
pub async fn per_place(c: &mut Conn<'_>) -> Result<Vec<(String, String, i64)>> {
    Ok(on!(c, c => sqlx::query_as(
        "SELECT place_path, status, CAST(COUNT(*) AS BIGINT) FROM orders GROUP BY place_path, status")
        .fetch_all(c).await)?)
}

/// How many orders in scope are in each status (the board's counts), with how many of them are overdue.
pub async fn counts(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &OrderFilter,
    now: DateTime<Utc>,
) -> Result<Vec<(String, i64, i64)>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT status, CAST(COUNT(*) AS BIGINT),
            CAST(SUM(CASE WHEN due_at < ");
        qb.push_bind(now).push(" THEN 1 ELSE 0 END) AS BIGINT) FROM orders WHERE 1 = 1");
        push_filter(&mut qb, scope, &OrderFilter { status: None, ..f.clone() });
        qb.push(" GROUP BY status");
        Ok(qb.build_query_as::<(String, i64, i64)>().fetch_all(c).await?)
    })
}

/// Orders whose current step is past due at `now` and not flagged yet for that step (at most `limit`).
pub async fn due_unflagged(
    c: &mut Conn<'_>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<OrderRow>> {
    let sql = format!(
        "SELECT {} FROM orders o WHERE o.due_at < $1 AND o.status <> 'closed'
        AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.object_type = 'order' AND a.object_id = o.id
            AND a.step = o.status AND a.due_at = o.due_at)
        ORDER BY o.due_at LIMIT $2",
        COLS.split(", ")
            .map(|c| format!("o.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(on!(c, c => sqlx::query_as::<_, OrderRow>(&sql).bind(now).bind(limit).fetch_all(c).await)?)
}

/// Completed orders whose evaluation period ran out at `now` (the job closes them).
pub async fn evaluation_lapsed(
    c: &mut Conn<'_>,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Uuid>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM orders WHERE status = 'completed' AND due_at < $1 ORDER BY due_at LIMIT $2")
        .bind(now).bind(limit).fetch_all(c).await)?)
}
