//! Personal free text beside append-only rows: the one place a lawful erasure request changes.
//!
//! Ledgers and timelines refuse UPDATE and DELETE, so the text a person typed beside them (a note, a
//! comment, what was done, who approved) is kept here, one row per (row id, field). Reads join it back
//! under the field's old name, so callers see the same row shape as before; erasure empties `body` and
//! stamps `erased_at`, leaving every amount and status in the ledger untouched.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::{on, Conn, Result};

/// SQL for the text `field` of the row whose id is the SQL expression `owner`, `''` when none or erased.
pub fn read(owner: &str, field: &str) -> String {
    format!(
        "COALESCE((SELECT x.body FROM personal_texts x WHERE x.owner_id = {owner} AND x.field = '{field}'), '')"
    )
}

/// Like [`read`], but NULL when the row has no such text (fields that may be absent).
pub fn read_optional(owner: &str, field: &str) -> String {
    format!(
        "(SELECT x.body FROM personal_texts x WHERE x.owner_id = {owner} AND x.field = '{field}')"
    )
}

/// One text to keep beside an append-only row.
#[derive(Debug, Clone)]
pub struct Text<'a> {
    /// The append-only row it belongs to.
    pub owner: Uuid,
    /// The field's name, as reads ask for it.
    pub field: &'static str,
    /// Community, for erasure by community and for sharding.
    pub community: Option<Uuid>,
    /// What was typed; empty texts are not stored.
    pub body: &'a str,
}

/// Stores texts (empty ones are skipped), in chunks so a bulk load stays one statement per chunk.
pub async fn write(c: &mut Conn<'_>, texts: &[Text<'_>]) -> Result<()> {
    let kept: Vec<&Text> = texts.iter().filter(|t| !t.body.is_empty()).collect();
    for chunk in kept.chunks(2000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new("INSERT INTO personal_texts (owner_id, field, community_id, body) ");
            qb.push_values(chunk, |mut b, t| {
                b.push_bind(t.owner).push_bind(t.field).push_bind(t.community).push_bind(t.body.to_owned());
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Erases every text whose owner row is chosen by `owners` (an SQL `SELECT id ...` with `$2` bound to
/// `subject`); returns how many texts were erased.
pub async fn erase(
    c: &mut Conn<'_>,
    owners: &str,
    subject: Uuid,
    now: DateTime<Utc>,
) -> Result<u64> {
    let sql = format!(
        "UPDATE personal_texts SET body = NULL, erased_at = $1 WHERE body IS NOT NULL AND owner_id IN ({owners})"
    );
    Ok(
        on!(c, c => sqlx::query(&sql).bind(now).bind(subject).execute(c).await.map(|r| r.rows_affected()))?,
    )
}

/// Whose texts a lawful erasure request reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// A volunteer: what their service records say they did, and their points notes.
    Volunteer(Uuid),
    /// A resident: their move notes, and everything of the volunteer record linked to them.
    Resident(Uuid),
    /// A household: its orders' timeline notes and evaluations, and the reasons of relief it was given.
    Household(Uuid),
}

/// Erases every text kept about `subject` (the ledgers' amounts stay); returns how many were erased.
pub async fn erase_about(c: &mut Conn<'_>, subject: Subject, now: DateTime<Utc>) -> Result<u64> {
    const VOLUNTEER: [&str; 2] = [
        "SELECT id FROM service_records WHERE volunteer_id = $2",
        "SELECT id FROM points_entries WHERE volunteer_id = $2",
    ];
    const RESIDENT: [&str; 3] = [
        "SELECT id FROM resident_moves WHERE resident_id = $2",
        "SELECT r.id FROM service_records r JOIN volunteers v ON v.id = r.volunteer_id WHERE v.resident_id = $2",
        "SELECT e.id FROM points_entries e JOIN volunteers v ON v.id = e.volunteer_id WHERE v.resident_id = $2",
    ];
    const HOUSEHOLD: [&str; 3] = [
        "SELECT t.id FROM workflow_steps t JOIN orders o ON o.id = t.subject_id WHERE o.household_id = $2",
        "SELECT e.id FROM order_evaluations e JOIN orders o ON o.id = e.order_id WHERE o.household_id = $2",
        "SELECT id FROM stock_entries WHERE household_id = $2",
    ];
    let (owners, id): (&[&str], Uuid) = match subject {
        Subject::Volunteer(id) => (&VOLUNTEER, id),
        Subject::Resident(id) => (&RESIDENT, id),
        Subject::Household(id) => (&HOUSEHOLD, id),
    };
    let mut n = 0;
    for sql in owners {
        n += erase(c, sql, id, now).await?;
    }
    Ok(n)
}
