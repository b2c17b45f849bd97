//! Places: district → street → community → grid → building/lane, with materialized paths.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::people::residents::TermRow;
use crate::{on, Conn, Result, Scope};

/// A stored place.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PlaceRow {
    /// Place id.
    pub id: Uuid,
    /// The community this place belongs to (itself for a community; none above).
    pub community_id: Option<Uuid>,
    /// Kind name (`district` ... `lane`).
    pub kind: String,
    /// Display name.
    pub name: String,
    /// Parent place; none for a root district.
    pub parent_id: Option<Uuid>,
    /// Materialized path `/root/.../self/`.
    pub path: String,
    /// When archived, if archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A recorded move of a place to a new parent.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct PlaceMoveRow {
    /// Move id.
    pub id: Uuid,
    /// The place that moved.
    pub place_id: Uuid,
    /// Old parent.
    pub from_parent_id: Uuid,
    /// New parent.
    pub to_parent_id: Uuid,
    /// Who moved it.
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub note: String,
}

const COLS: &str =
    "id, community_id, kind, name, parent_id, path, archived_at, created_at, updated_at";

/// Inserts a place.
pub async fn insert(c: &mut Conn<'_>, p: &PlaceRow, actor: Option<Uuid>) -> Result<()> {
    on!(c, c => sqlx::query(
        "INSERT INTO places (id, community_id, kind, name, parent_id, path, archived_at, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
        .bind(p.id).bind(p.community_id).bind(&p.kind).bind(&p.name).bind(p.parent_id).bind(&p.path)
        .bind(p.archived_at).bind(p.created_at).bind(actor).bind(p.updated_at)
        .execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Reads one place by id.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<PlaceRow>> {
    let sql = format!("SELECT {COLS} FROM places WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, PlaceRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Reads the place at a path.
pub async fn by_path(c: &mut Conn<'_>, path: &str) -> Result<Option<PlaceRow>> {
    let sql = format!("SELECT {COLS} FROM places WHERE path = $1");
    Ok(on!(c, c => sqlx::query_as::<_, PlaceRow>(&sql).bind(path).fetch_optional(c).await)?)
}

/// Finds a child of `parent` by name (unarchived), e.g. a grid or building named in a spreadsheet.
pub async fn find_child_by_name(
    c: &mut Conn<'_>,
    parent: Uuid,
    name: &str,
) -> Result<Option<PlaceRow>> {
    let sql = format!(
        "SELECT {COLS} FROM places WHERE parent_id = $1 AND name = $2 AND archived_at IS NULL"
    );
    Ok(
        on!(c, c => sqlx::query_as::<_, PlaceRow>(&sql).bind(parent).bind(name).fetch_optional(c).await)?,
    )
}

/// Finds places of `kind` named `name` inside `scope` (used to resolve spreadsheet names).
pub async fn find_in_scope(
    c: &mut Conn<'_>,
    scope: &Scope,
    kind: &str,
    name: &str,
) -> Result<Vec<PlaceRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {COLS} FROM places WHERE archived_at IS NULL AND kind = "));
        qb.push_bind(kind.to_owned()).push(" AND name = ").push_bind(name.to_owned());
        scope.push_filter(&mut qb, "path");
        qb.push(" ORDER BY path LIMIT 20");
        Ok(qb.build_query_as::<PlaceRow>().fetch_all(c).await?)
    })
}

/// Lists the children of a place, archived ones last.
pub async fn children(
    c: &mut Conn<'_>,
    parent: Uuid,
    include_archived: bool,
) -> Result<Vec<PlaceRow>> {
    let sql =
        format!(
        "SELECT {COLS} FROM places WHERE parent_id = $1 {} ORDER BY archived_at IS NOT NULL, name",
        if include_archived { "" } else { "AND archived_at IS NULL" }
    );
    Ok(on!(c, c => sqlx::query_as::<_, PlaceRow>(&sql).bind(parent).fetch_all(c).await)?)
}

/// Lists places in `scope`, optionally of one kind, ordered by path, after `cursor_path`.
pub async fn list(
    c: &mut Conn<'_>,
    scope: &Scope,
    kind: Option<&str>,
    q: Option<&str>,
    after_path: Option<&str>,
    limit: i64,
) -> Result<Vec<PlaceRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {COLS} FROM places WHERE archived_at IS NULL"));
        scope.push_filter(&mut qb, "path");
        if let Some(k) = kind {
            qb.push(" AND kind = ").push_bind(k.to_owned());
        }
        if let Some(q) = q {
            qb.push(" AND name LIKE ").push_bind(format!("%{}%", escape_like(q))).push(" ESCAPE '\\'");
        }
        if let Some(a) = after_path {
            qb.push(" AND path > ").push_bind(a.to_owned());
        }
        qb.push(" ORDER BY path LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<PlaceRow>().fetch_all(c).await?)
    })
}

/// The roots visible in a scope: the places at the scope's prefixes (or the districts for `All`).
pub async fn roots(c: &mut Conn<'_>, scope: &Scope) -> Result<Vec<PlaceRow>> {
    match scope {
        Scope::All => {
            let sql = format!("SELECT {COLS} FROM places WHERE parent_id IS NULL ORDER BY name");
            Ok(on!(c, c => sqlx::query_as::<_, PlaceRow>(&sql).fetch_all(c).await)?)
        }
        Scope::Paths(ps) => {
            let mut out = Vec::new();
            for p in ps {
                let sql = format!("SELECT {COLS} FROM places WHERE path = $1");
                if let Some(row) = on!(c, c => sqlx::query_as::<_, PlaceRow>(&sql).bind(p).fetch_optional(c).await)?
                {
                    out.push(row);
                }
            }
            Ok(out)
        }
    }
}

/// Renames a place.
pub async fn rename(c: &mut Conn<'_>, id: Uuid, name: &str, now: DateTime<Utc>) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE places SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(name).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Archives or restores a place.
pub async fn set_archived(
    c: &mut Conn<'_>,
    id: Uuid,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    on!(c, c => sqlx::query("UPDATE places SET archived_at = $1, updated_at = $2 WHERE id = $3")
        .bind(at).bind(now).bind(id).execute(c).await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Counts unarchived children, households and residents under a path (archiving is refused while busy).
pub async fn count_active_below(c: &mut Conn<'_>, id: Uuid, path: &str) -> Result<i64> {
    let upper = crate::kernel::scope::upper_bound(path);
    let (a,): (i64,) = on!(c, c => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM places WHERE parent_id = $1 AND archived_at IS NULL)
              + (SELECT COUNT(*) FROM households WHERE place_path >= $2 AND place_path < $3 AND archived_at IS NULL)")
        .bind(id).bind(path).bind(&upper).fetch_one(c).await)?;
    Ok(a)
}

/// Moves a place (and everything under it) to a new parent: rewrites every path below it and records the move.
#[allow(clippy::too_many_arguments)]
pub async fn move_subtree(
    c: &mut Conn<'_>,
    id: Uuid,
    old_path: &str,
    new_path: &str,
    from_parent: Uuid,
    to_parent: Uuid,
    community_id: Option<Uuid>,
    actor: Option<Uuid>,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let upper = crate::kernel::scope::upper_bound(old_path);
    let n = old_path.len() as i32 + 1;
    // substr() is 1-based on both databases; the rest of the path after the old prefix is kept.
    // Search terms carry the path too; they are re-keyed from the residents themselves (a building's few
    // hundred) rather than by rewriting the terms table, whose index does not lead with the path.
    let mut moved = crate::people::residents::term_rows_under(c, old_path).await?;
    let sources: Vec<_> = moved.iter().map(TermRow::source).collect();
    crate::people::residents::unindex_terms(c, &sources).await?;
    let move_id = Uuid::now_v7();
    on!(c, c => {
        sqlx::query("UPDATE places SET parent_id = $1, updated_at = $2 WHERE id = $3")
            .bind(to_parent).bind(now).bind(id).execute(&mut *c).await?;
        for (table, col) in [("places", "path"), ("households", "place_path"), ("residents", "place_path"), ("user_roles", "place_path")] {
            let sql = format!("UPDATE {table} SET {col} = $1 || substr({col}, $2) WHERE {col} >= $3 AND {col} < $4");
            sqlx::query(&sql).bind(new_path).bind(n).bind(old_path).bind(&upper).execute(&mut *c).await?;
        }
        sqlx::query("INSERT INTO place_moves (id, community_id, place_id, from_parent_id, to_parent_id, actor_id, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(move_id).bind(community_id).bind(id).bind(from_parent).bind(to_parent).bind(actor).bind(now)
            .execute(&mut *c).await?;
        Ok::<_, sqlx::Error>(())
    })?;
    let note = crate::kernel::texts::Text {
        owner: move_id,
        field: "note",
        community: community_id,
        body: note,
    };
    crate::kernel::texts::write(c, &[note]).await?;
    for r in &mut moved {
        r.place_path = format!("{new_path}{}", &r.place_path[old_path.len()..]);
    }
    let sources: Vec<_> = moved.iter().map(TermRow::source).collect();
    crate::people::residents::index_terms(c, &sources).await
}

/// The move history of a place, oldest first.
pub async fn moves(c: &mut Conn<'_>, id: Uuid) -> Result<Vec<PlaceMoveRow>> {
    Ok(on!(c, c => sqlx::query_as::<_, PlaceMoveRow>(
        &format!("SELECT id, place_id, from_parent_id, to_parent_id, actor_id, at, {} AS note FROM place_moves
                  WHERE place_id = $1 ORDER BY at, id", crate::kernel::texts::read("place_moves.id", "note")))
        .bind(id).fetch_all(c).await)?)
}

/// Counts places of each kind inside a scope.
pub async fn count_by_kind(c: &mut Conn<'_>, scope: &Scope) -> Result<Vec<(String, i64)>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new("SELECT kind, COUNT(*) FROM places WHERE archived_at IS NULL");
        scope.push_filter(&mut qb, "path");
        qb.push(" GROUP BY kind");
        Ok(qb.build_query_as::<(String, i64)>().fetch_all(c).await?)
    })
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}
