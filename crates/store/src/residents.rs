//! Residents (居民): people in households, with encrypted ID numbers and phones and their blind indexes.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::places::escape_like;
use crate::{on, Conn, Result, Scope};

/// A stored resident joined with their household's door and building.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentRow {
    /// Resident id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Path of the building (for scoping).
    pub place_path: String,
    /// Name.
    pub name: String,
    /// `male` or `female`.
    pub sex: String,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Encrypted ID number.
    pub id_number_enc: Option<Vec<u8>>,
    /// Keyed hash of the ID number.
    pub id_number_hash: Option<String>,
    /// Masked ID number, precomputed so lists never decrypt.
    pub id_number_mask: Option<String>,
    /// Encrypted phone.
    pub phone_enc: Option<Vec<u8>>,
    /// Keyed hash of the phone.
    pub phone_hash: Option<String>,
    /// Masked phone.
    pub phone_mask: Option<String>,
    /// Relation to the householder.
    pub relation: Option<String>,
    /// Tags as a JSON array.
    pub tags: String,
    /// When archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The household's door (joined).
    pub address: String,
    /// The building's id (joined).
    pub place_id: Uuid,
}

/// The columns written for a resident.
#[derive(Debug, Clone)]
pub struct ResidentWrite {
    /// Resident id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Path of the household's building.
    pub place_path: String,
    /// Name.
    pub name: String,
    /// `male` or `female`.
    pub sex: String,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Encrypted ID number.
    pub id_number_enc: Option<Vec<u8>>,
    /// Keyed hash of the ID number (blind index).
    pub id_number_hash: Option<String>,
    /// Masked ID number.
    pub id_number_mask: Option<String>,
    /// Encrypted phone.
    pub phone_enc: Option<Vec<u8>>,
    /// Keyed hash of the phone.
    pub phone_hash: Option<String>,
    /// Masked phone.
    pub phone_mask: Option<String>,
    /// Relation to the householder.
    pub relation: Option<String>,
    /// Tags JSON.
    pub tags: String,
}

/// A household move in a resident's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResidentMoveRow {
    /// Move id.
    pub id: Uuid,
    /// From household.
    pub from_household_id: Uuid,
    /// To household.
    pub to_household_id: Uuid,
    /// Who moved them.
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub note: String,
}

/// Filters for resident lists.
#[derive(Debug, Clone, Default)]
pub struct ResidentFilter {
    /// Only under this place path.
    pub under_path: Option<String>,
    /// Only in this household.
    pub household_id: Option<Uuid>,
    /// Only with this tag.
    pub tag: Option<String>,
    /// Name contains this text.
    pub name: Option<String>,
    /// Door/address contains this text.
    pub address: Option<String>,
    /// Include archived residents.
    pub include_archived: bool,
}

const SELECT: &str = "SELECT r.id, r.community_id, r.household_id, r.place_path, r.name, r.sex, r.birth_date,
    r.id_number_enc, r.id_number_hash, r.id_number_mask, r.phone_enc, r.phone_hash, r.phone_mask, r.relation, r.tags, r.archived_at, r.created_at,
    r.updated_at, h.address, h.place_id FROM residents r JOIN households h ON h.id = r.household_id";

/// Inserts a resident.
pub async fn insert(
    c: &mut Conn<'_>,
    w: &ResidentWrite,
    actor: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO residents (id, community_id, household_id, place_path, name, sex, birth_date, id_number_enc,
            id_number_hash, id_number_mask, phone_enc, phone_hash, phone_mask, relation, tags, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)")
        .bind(w.id).bind(w.community_id).bind(w.household_id).bind(&w.place_path).bind(&w.name).bind(&w.sex)
        .bind(w.birth_date).bind(&w.id_number_enc).bind(&w.id_number_hash).bind(&w.id_number_mask)
        .bind(&w.phone_enc).bind(&w.phone_hash).bind(&w.phone_mask).bind(&w.relation).bind(&w.tags)
        .bind(now).bind(actor).bind(now).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Overwrites a resident's editable columns (household, person data, tags).
pub async fn update(c: &mut Conn<'_>, w: &ResidentWrite, now: DateTime<Utc>) -> Result<()> {
    on!(c, c => sqlx::query(
        "UPDATE residents SET household_id = $1, place_path = $2, community_id = $3, name = $4, sex = $5, birth_date = $6,
            id_number_enc = $7, id_number_hash = $8, id_number_mask = $9, phone_enc = $10, phone_hash = $11,
            phone_mask = $12, relation = $13, tags = $14, updated_at = $15 WHERE id = $16")
        .bind(w.household_id).bind(&w.place_path).bind(w.community_id).bind(&w.name).bind(&w.sex).bind(w.birth_date)
        .bind(&w.id_number_enc).bind(&w.id_number_hash).bind(&w.id_number_mask).bind(&w.phone_enc)
        .bind(&w.phone_hash).bind(&w.phone_mask).bind(&w.relation).bind(&w.tags).bind(now).bind(w.id)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reads one resident.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<ResidentRow>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, ResidentRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Finds the resident holding an ID number, by its keyed hash.
pub async fn find_by_id_hash(c: &mut Conn<'_>, hash: &str) -> Result<Option<ResidentRow>> {
    let sql = format!("{SELECT} WHERE r.id_number_hash = $1");
    Ok(on!(c, c => sqlx::query_as::<_, ResidentRow>(&sql).bind(hash).fetch_optional(c).await)?)
}

/// Finds a resident without an ID number by name inside a household (import matching).
pub async fn find_in_household_by_name(
    c: &mut Conn<'_>,
    household: Uuid,
    name: &str,
) -> Result<Option<ResidentRow>> {
    let sql =
        format!("{SELECT} WHERE r.household_id = $1 AND r.name = $2 AND r.archived_at IS NULL");
    Ok(
        on!(c, c => sqlx::query_as::<_, ResidentRow>(&sql).bind(household).bind(name).fetch_optional(c).await)?,
    )
}

/// Archives or restores a resident.
pub async fn set_archived(
    c: &mut Conn<'_>,
    id: Uuid,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE residents SET archived_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records a move between households.
#[allow(clippy::too_many_arguments)]
pub async fn record_move(
    c: &mut Conn<'_>,
    community_id: Uuid,
    resident: Uuid,
    from: Uuid,
    to: Uuid,
    actor: Option<Uuid>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO resident_moves (id, community_id, resident_id, from_household_id, to_household_id, actor_id, at, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(Uuid::now_v7()).bind(community_id).bind(resident).bind(from).bind(to).bind(actor).bind(now).bind(note)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// A resident's household moves, oldest first.
pub async fn moves(c: &mut Conn<'_>, resident: Uuid) -> Result<Vec<ResidentMoveRow>> {
    Ok(on!(c, c => sqlx::query_as::<_, ResidentMoveRow>(
        "SELECT id, from_household_id, to_household_id, actor_id, at, note FROM resident_moves
         WHERE resident_id = $1 ORDER BY at, id").bind(resident).fetch_all(c).await)?)
}

/// Lists residents in scope ordered by (building path, id) after a cursor; the order follows an index.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &ResidentFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<ResidentRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("{SELECT} WHERE 1 = 1"));
        scope.push_filter(&mut qb, "r.place_path");
        if let Some(p) = &f.under_path {
            Scope::Paths(vec![p.clone()]).push_filter(&mut qb, "r.place_path");
        }
        if let Some(h) = f.household_id {
            qb.push(" AND r.household_id = ").push_bind(h);
        }
        if !f.include_archived {
            qb.push(" AND r.archived_at IS NULL");
        }
        if let Some(t) = &f.tag {
            qb.push(" AND r.tags LIKE ").push_bind(format!("%\"{}\"%", escape_like(t))).push(" ESCAPE '\\'");
        }
        if let Some(n) = &f.name {
            qb.push(" AND r.name LIKE ").push_bind(format!("%{}%", escape_like(n))).push(" ESCAPE '\\'");
        }
        if let Some(a) = &f.address {
            qb.push(" AND h.address LIKE ").push_bind(format!("%{}%", escape_like(a))).push(" ESCAPE '\\'");
        }
        if let Some((path, id)) = after {
            qb.push(" AND (r.place_path > ").push_bind(path.clone())
              .push(" OR (r.place_path = ").push_bind(path).push(" AND r.id > ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY r.place_path, r.id LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<ResidentRow>().fetch_all(c).await?)
    })
}

/// Counts unarchived residents in scope, and those carrying each of the given tags.
pub async fn count(c: &mut Conn<'_>, scope: &Scope, tag: Option<&str>) -> Result<i64> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM residents r WHERE r.archived_at IS NULL");
        scope.push_filter(&mut qb, "r.place_path");
        if let Some(t) = tag {
            qb.push(" AND r.tags LIKE ").push_bind(format!("%\"{}\"%", escape_like(t))).push(" ESCAPE '\\'");
        }
        Ok(qb.build_query_scalar::<i64>().fetch_one(c).await?)
    })
}

/// Inserts many residents in multi-row statements (bulk loads: demo data, the city-scale benchmark).
pub async fn insert_many(
    c: &mut Conn<'_>,
    rows: &[ResidentWrite],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in rows.chunks(1000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new(
                "INSERT INTO residents (id, community_id, household_id, place_path, name, sex, birth_date, id_number_enc,
                 id_number_hash, id_number_mask, phone_enc, phone_hash, phone_mask, relation, tags, created_at, updated_at) ");
            qb.push_values(chunk, |mut b, w| {
                b.push_bind(w.id).push_bind(w.community_id).push_bind(w.household_id).push_bind(w.place_path.clone())
                    .push_bind(w.name.clone()).push_bind(w.sex.clone()).push_bind(w.birth_date)
                    .push_bind(w.id_number_enc.clone()).push_bind(w.id_number_hash.clone()).push_bind(w.id_number_mask.clone())
                    .push_bind(w.phone_enc.clone()).push_bind(w.phone_hash.clone()).push_bind(w.phone_mask.clone())
                    .push_bind(w.relation.clone()).push_bind(w.tags.clone()).push_bind(now).push_bind(now);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}
