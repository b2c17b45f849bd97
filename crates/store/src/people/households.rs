//! Households (户): a door in a building or lane, with tags.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::map::places::escape_like;
use crate::{on, Conn, Result, Scope};

/// A stored household with its building's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HouseholdRow {
    /// Household id.
    pub id: Uuid,
    /// Its community.
    pub community_id: Uuid,
    /// The building or lane it is in.
    pub place_id: Uuid,
    /// The building's path (for scoping).
    pub place_path: String,
    /// Door / address inside the building (门牌).
    pub address: String,
    /// Tags as a JSON array.
    pub tags: String,
    /// When archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Name of the building or lane (joined).
    pub place_name: String,
    /// Number of unarchived residents (computed).
    pub resident_count: i64,
}

/// Filters for listing households.
#[derive(Debug, Clone, Default)]
pub struct HouseholdFilter {
    /// Only under this path (a place the caller picked).
    pub under_path: Option<String>,
    /// Only with this tag.
    pub tag: Option<String>,
    /// Address contains this text.
    pub q: Option<String>,
    /// Include archived households.
    pub include_archived: bool,
}

const SELECT: &str = "SELECT h.id, h.community_id, h.place_id, h.place_path, h.address, h.tags, h.archived_at, h.created_at,
    h.updated_at, p.name AS place_name,
    (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id AND r.archived_at IS NULL) AS resident_count
    FROM households h JOIN places p ON p.id = h.place_id";

/// Inserts a household.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    c: &mut Conn<'_>,
    id: Uuid,
    community_id: Uuid,
    place_id: Uuid,
    place_path: &str,
    address: &str,
    tags_json: &str,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO households (id, community_id, place_id, place_path, address, tags, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(id).bind(community_id).bind(place_id).bind(place_path).bind(address).bind(tags_json)
        .bind(now).bind(actor).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reads one household.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<HouseholdRow>> {
    let sql = format!("{SELECT} WHERE h.id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, HouseholdRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Finds the household at a door of a building (import: 楼栋 + 门牌).
pub async fn find_by_door(
    c: &mut Conn<'_>,
    place_id: Uuid,
    address: &str,
) -> Result<Option<HouseholdRow>> {
    let sql = format!("{SELECT} WHERE h.place_id = $1 AND h.address = $2");
    Ok(
        on!(c, c => sqlx::query_as::<_, HouseholdRow>(&sql).bind(place_id).bind(address).fetch_optional(c).await)?,
    )
}

/// Updates address and tags.
pub async fn update(
    c: &mut Conn<'_>,
    id: Uuid,
    address: &str,
    tags_json: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE households SET address = $1, tags = $2, updated_at = $3 WHERE id = $4")
        .bind(address).bind(tags_json).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Archives or restores a household.
pub async fn set_archived(
    c: &mut Conn<'_>,
    id: Uuid,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE households SET archived_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Lists households in scope, ordered by (building path, address, id), after a cursor.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &HouseholdFilter,
    after: Option<(String, String, Uuid)>,
    limit: i64,
) -> Result<Vec<HouseholdRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("{SELECT} WHERE 1 = 1"));
        scope.push_filter(&mut qb, "h.place_path");
        if let Some(p) = &f.under_path {
            Scope::Paths(vec![p.clone()]).push_filter(&mut qb, "h.place_path");
        }
        if !f.include_archived {
            qb.push(" AND h.archived_at IS NULL");
        }
        if let Some(t) = &f.tag {
            qb.push(" AND h.tags LIKE ").push_bind(format!("%\"{}\"%", escape_like(t))).push(" ESCAPE '\\'");
        }
        if let Some(q) = &f.q {
            qb.push(" AND h.address LIKE ").push_bind(format!("%{}%", escape_like(q))).push(" ESCAPE '\\'");
        }
        if let Some((path, addr, id)) = after {
            qb.push(" AND (h.place_path > ").push_bind(path.clone())
              .push(" OR (h.place_path = ").push_bind(path.clone()).push(" AND h.address > ").push_bind(addr.clone())
              .push(") OR (h.place_path = ").push_bind(path).push(" AND h.address = ").push_bind(addr)
              .push(" AND h.id > ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY h.place_path, h.address, h.id LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<HouseholdRow>().fetch_all(c).await?)
    })
}

/// Counts unarchived households in scope.
pub async fn count(c: &mut Conn<'_>, scope: &Scope) -> Result<i64> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM households WHERE archived_at IS NULL");
        scope.push_filter(&mut qb, "place_path");
        Ok(qb.build_query_scalar::<i64>().fetch_one(c).await?)
    })
}

/// One household for a bulk insert.
#[derive(Debug, Clone)]
pub struct HouseholdWrite {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Building or lane.
    pub place_id: Uuid,
    /// Its path.
    pub place_path: String,
    /// Door.
    pub address: String,
    /// Tags JSON.
    pub tags: String,
}

/// Inserts many households in multi-row statements (bulk loads).
pub async fn insert_many(
    c: &mut Conn<'_>,
    rows: &[HouseholdWrite],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in rows.chunks(2000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO households (id, community_id, place_id, place_path, address, tags, created_at, updated_at) ");
            qb.push_values(chunk, |mut b, h| {
                b.push_bind(h.id).push_bind(h.community_id).push_bind(h.place_id).push_bind(h.place_path.clone())
                    .push_bind(h.address.clone()).push_bind(h.tags.clone()).push_bind(now).push_bind(now);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}
