//! Residents (居民): people in households, with encrypted ID numbers and phones and their blind indexes.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::map::places::escape_like;
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
    /// Read the encrypted ID numbers and phones too (exports that unmask); lists show masks only.
    pub secrets: bool,
}

/// The resident columns and their household's door and building, for every read.
macro_rules! select_cols {
    ($secrets:expr) => {
        concat!(
            "SELECT r.id, r.community_id, r.household_id, r.place_path, r.name, r.sex, r.birth_date, ",
            $secrets,
            " r.id_number_mask, r.phone_mask, r.relation, r.tags, r.archived_at, r.created_at, r.updated_at,
            h.address, h.place_id"
        )
    };
}
/// The encrypted values and their keyed hashes.
macro_rules! secrets {
    () => {
        "r.id_number_enc, r.id_number_hash, r.phone_enc, r.phone_hash,"
    };
}
/// Lists show masks only: leaving the ciphertexts and hashes out saves copying four values per row.
macro_rules! no_secrets {
    () => {
        "NULL AS id_number_enc, NULL AS id_number_hash, NULL AS phone_enc, NULL AS phone_hash,"
    };
}
const SELECT: &str = concat!(
    select_cols!(secrets!()),
    " FROM residents r JOIN households h ON h.id = r.household_id"
);

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
        .bind(now).bind(actor).bind(now).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    index_terms(c, &[w.into()]).await
}

/// Overwrites a resident's editable columns (household, person data, tags) and their search terms.
pub async fn update(c: &mut Conn<'_>, w: &ResidentWrite, now: DateTime<Utc>) -> Result<()> {
    let old: Option<TermRow> = on!(c, c => sqlx::query_as(
        "SELECT id, place_path, name, tags FROM residents WHERE id = $1").bind(w.id).fetch_optional(c).await)?;
    let same = old
        .as_ref()
        .is_some_and(|o| o.source() == TermSource::from(w));
    if let (Some(o), false) = (&old, same) {
        unindex_terms(c, &[o.source()]).await?;
    }
    on!(c, c => sqlx::query(
        "UPDATE residents SET household_id = $1, place_path = $2, community_id = $3, name = $4, sex = $5, birth_date = $6,
            id_number_enc = $7, id_number_hash = $8, id_number_mask = $9, phone_enc = $10, phone_hash = $11,
            phone_mask = $12, relation = $13, tags = $14, updated_at = $15 WHERE id = $16")
        .bind(w.household_id).bind(&w.place_path).bind(w.community_id).bind(&w.name).bind(&w.sex).bind(w.birth_date)
        .bind(&w.id_number_enc).bind(&w.id_number_hash).bind(&w.id_number_mask).bind(&w.phone_enc)
        .bind(&w.phone_hash).bind(&w.phone_mask).bind(&w.relation).bind(&w.tags).bind(now).bind(w.id)
        .execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if same {
        return Ok(());
    }
    index_terms(c, &[w.into()]).await
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
    let move_id = Uuid::now_v7();
    on!(c, c => sqlx::query(
        "INSERT INTO resident_moves (id, community_id, resident_id, from_household_id, to_household_id, actor_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(move_id).bind(community_id).bind(resident).bind(from).bind(to).bind(actor).bind(now)
        .execute(c).await.map(|r| r.rows_affected()))?;
    let note = crate::kernel::texts::Text {
        owner: move_id,
        field: "note",
        community: Some(community_id),
        body: note,
    };
    crate::kernel::texts::write(c, &[note]).await
}

/// A resident's household moves, oldest first.
pub async fn moves(c: &mut Conn<'_>, resident: Uuid) -> Result<Vec<ResidentMoveRow>> {
    Ok(on!(c, c => sqlx::query_as::<_, ResidentMoveRow>(
        &format!("SELECT id, from_household_id, to_household_id, actor_id, at, {} AS note FROM resident_moves
         WHERE resident_id = $1 ORDER BY at, id", crate::kernel::texts::read("resident_moves.id", "note")))
         .bind(resident).fetch_all(c).await)?)
}

/// Lists residents in scope ordered by (building path, id) after a cursor; the order follows an index.
///
/// A tag, or a name of two or more characters, drives the query from `resident_terms`: the page is read
/// as one index range in list order instead of scanning every resident in scope for matches.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    f: &ResidentFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> Result<Vec<ResidentRow>> {
    let term = f
        .tag
        .as_deref()
        .map(tag_term)
        .or_else(|| f.name.as_deref().and_then(name_term));
    // The column that carries the path and the id in list order: the term's when a term drives.
    let (path_col, id_col) = if term.is_some() {
        ("k.place_path", "k.resident_id")
    } else {
        ("r.place_path", "r.id")
    };
    let cols = if f.secrets {
        select_cols!(secrets!())
    } else {
        select_cols!(no_secrets!())
    };
    on!(c, c => {
        let mut qb = match &term {
            Some(t) => {
                let mut qb = QueryBuilder::new(format!("{cols} FROM resident_terms k
                    JOIN residents r ON r.id = k.resident_id JOIN households h ON h.id = r.household_id WHERE k.term = "));
                qb.push_bind(t.clone());
                qb
            }
            None => QueryBuilder::new(format!("{cols} FROM residents r JOIN households h ON h.id = r.household_id WHERE 1 = 1")),
        };
        scope.push_filter(&mut qb, path_col);
        if let Some(p) = &f.under_path {
            Scope::Paths(vec![p.clone()]).push_filter(&mut qb, path_col);
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
            qb.push(format!(" AND ({path_col} > ")).push_bind(path.clone())
              .push(format!(" OR ({path_col} = ")).push_bind(path).push(format!(" AND {id_col} > ")).push_bind(id).push("))");
        }
        qb.push(format!(" ORDER BY {path_col}, {id_col} LIMIT ")).push_bind(limit);
        Ok(qb.build_query_as::<ResidentRow>().fetch_all(c).await?)
    })
}

/// Counts unarchived residents in scope, or those carrying a tag.
pub async fn count(c: &mut Conn<'_>, scope: &Scope, tag: Option<&str>) -> Result<i64> {
    on!(c, c => {
        let mut qb = match tag {
            Some(t) => {
                let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM resident_terms k JOIN residents r ON r.id = k.resident_id
                    WHERE r.archived_at IS NULL AND k.term = ");
                qb.push_bind(tag_term(t));
                scope.push_filter(&mut qb, "k.place_path");
                qb
            }
            None => {
                let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM residents r WHERE r.archived_at IS NULL");
                scope.push_filter(&mut qb, "r.place_path");
                qb
            }
        };
        Ok(qb.build_query_scalar::<i64>().fetch_one(c).await?)
    })
}

/// What a resident's search terms are made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermSource<'a> {
    /// Resident id.
    pub id: Uuid,
    /// Building path.
    pub place_path: &'a str,
    /// Name.
    pub name: &'a str,
    /// Tags JSON.
    pub tags: &'a str,
}

/// The search term of a tag.
pub fn tag_term(tag: &str) -> String {
    format!("t:{tag}")
}

/// The term that finds names containing `query`: its first two characters. `None` for a single character
/// or for Latin letters, whose case-insensitive match the terms (exact) cannot answer; those scan instead.
pub fn name_term(query: &str) -> Option<String> {
    let mut chars = query.chars();
    let (a, b) = (chars.next()?, chars.next()?);
    if query.chars().any(|ch| ch.is_ascii_alphabetic()) {
        return None;
    }
    Some(format!("n:{a}{b}"))
}

/// Every search term of a resident: each tag, and each two-character piece of the name.
pub fn search_terms(name: &str, tags_json: &str) -> Vec<String> {
    let mut out: Vec<String> = serde_json::from_str::<Vec<String>>(tags_json)
        .unwrap_or_default()
        .iter()
        .map(|t| tag_term(t))
        .collect();
    let chars: Vec<char> = name.chars().collect();
    out.extend(chars.windows(2).map(|w| format!("n:{}{}", w[0], w[1])));
    out.sort();
    out.dedup();
    out
}

/// Adds the search terms of these residents.
pub async fn index_terms(c: &mut Conn<'_>, rows: &[TermSource<'_>]) -> Result<()> {
    let keys: Vec<(String, String, Uuid)> = rows
        .iter()
        .flat_map(|r| {
            search_terms(r.name, r.tags)
                .into_iter()
                .map(move |t| (t, r.place_path.to_owned(), r.id))
        })
        .collect();
    for chunk in keys.chunks(1000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new("INSERT INTO resident_terms (term, place_path, resident_id) ");
            qb.push_values(chunk, |mut b, (t, p, id)| {
                b.push_bind(t.clone()).push_bind(p.clone()).push_bind(*id);
            });
            qb.push(" ON CONFLICT DO NOTHING");
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Removes the search terms these residents had.
pub async fn unindex_terms(c: &mut Conn<'_>, rows: &[TermSource<'_>]) -> Result<()> {
    for r in rows {
        for t in search_terms(r.name, r.tags) {
            on!(c, c => sqlx::query("DELETE FROM resident_terms WHERE term = $1 AND place_path = $2 AND resident_id = $3")
                .bind(&t).bind(r.place_path).bind(r.id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
        }
    }
    Ok(())
}

/// A resident's term source as read back from the table.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TermRow {
    /// Resident id.
    pub id: Uuid,
    /// Building path.
    pub place_path: String,
    /// Name.
    pub name: String,
    /// Tags JSON.
    pub tags: String,
}

impl TermRow {
    /// Borrowed, for [`index_terms`] and [`unindex_terms`].
    pub fn source(&self) -> TermSource<'_> {
        TermSource {
            id: self.id,
            place_path: &self.place_path,
            name: &self.name,
            tags: &self.tags,
        }
    }
}

impl<'a> From<&'a ResidentWrite> for TermSource<'a> {
    fn from(w: &'a ResidentWrite) -> Self {
        TermSource {
            id: w.id,
            place_path: &w.place_path,
            name: &w.name,
            tags: &w.tags,
        }
    }
}

/// The term sources of every resident under a path (to re-key them when a building moves).
pub async fn term_rows_under(c: &mut Conn<'_>, path: &str) -> Result<Vec<TermRow>> {
    let upper = crate::kernel::scope::upper_bound(path);
    Ok(on!(c, c => sqlx::query_as::<_, TermRow>(
        "SELECT id, place_path, name, tags FROM residents WHERE place_path >= $1 AND place_path < $2")
        .bind(path).bind(&upper).fetch_all(c).await)?)
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
    let sources: Vec<TermSource<'_>> = rows.iter().map(TermSource::from).collect();
    index_terms(c, &sources).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_cover_tags_and_every_two_character_piece() {
        let t = search_terms("欧阳娜娜", r#"["党员","低保"]"#);
        assert_eq!(t, vec!["n:娜娜", "n:欧阳", "n:阳娜", "t:低保", "t:党员"]);
        assert_eq!(search_terms("王", "[]"), Vec::<String>::new());
        assert_eq!(search_terms("王芳", "not json"), vec!["n:王芳"]);
    }

    #[test]
    fn name_queries_use_their_first_piece_unless_latin_or_single() {
        assert_eq!(name_term("欧阳娜").as_deref(), Some("n:欧阳"));
        assert_eq!(name_term("欧"), None);
        assert_eq!(name_term("Jo"), None);
        assert_eq!(name_term("阿依·买").as_deref(), Some("n:阿依"));
        // Every query of two or more characters has its term among the terms of every name containing it.
        for (name, q) in [
            ("欧阳娜娜", "阳娜"),
            ("李小明", "小明"),
            ("欧阳娜娜", "欧阳娜娜"),
        ] {
            let term = name_term(q).expect("a term");
            assert!(search_terms(name, "[]").contains(&term), "{name} {q}");
        }
    }
}
