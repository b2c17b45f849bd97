//! The charity supermarket: goods and vouchers with a stock, the stock ledger, item donations and
//! points redemptions.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::map::places::escape_like;
use crate::{on, Conn, Result, Scope};

/// A stored item (goods or a merchant's voucher).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Community path.
    pub place_path: String,
    /// `goods` or `voucher`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Unit (件, 袋, 张...).
    pub unit: String,
    /// The merchant offering a voucher.
    pub merchant: String,
    /// Points to redeem one.
    pub points_price: i64,
    /// Cached stock (sum of stock entries).
    pub stock: i64,
    /// When archived.
    pub archived_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

const ITEM_COLS: &str =
    "id, community_id, place_path, kind, name, unit, merchant, points_price, stock, archived_at,
    created_at, created_by, updated_at";

/// Inserts an item (with zero stock; stock arrives by entries).
pub async fn insert_item(c: &mut Conn<'_>, i: &ItemRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO supermarket_items ({ITEM_COLS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, NULL, $9, $10, $11)"))
        .bind(i.id).bind(i.community_id).bind(&i.place_path).bind(&i.kind).bind(&i.name).bind(&i.unit)
        .bind(&i.merchant).bind(i.points_price).bind(i.created_at).bind(i.created_by).bind(i.updated_at)
        .execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one item.
pub async fn get_item(c: &mut Conn<'_>, id: Uuid) -> Result<Option<ItemRow>> {
    let sql = format!("SELECT {ITEM_COLS} FROM supermarket_items WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, ItemRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Lists items in scope by (path, name, id), after a cursor.
pub async fn list_items(
    c: &mut Conn<'_>,
    scope: &Scope,
    kind: Option<&str>,
    q: Option<&str>,
    after: Option<(String, String, Uuid)>,
    limit: i64,
) -> Result<Vec<ItemRow>> {
    on!(c, c => {
        let mut qb = QueryBuilder::new(format!("SELECT {ITEM_COLS} FROM supermarket_items WHERE archived_at IS NULL"));
        scope.push_filter(&mut qb, "place_path");
        if let Some(k) = kind {
            qb.push(" AND kind = ").push_bind(k.to_owned());
        }
        if let Some(q) = q {
            qb.push(" AND name LIKE ").push_bind(format!("%{}%", escape_like(q))).push(" ESCAPE '\\'");
        }
        if let Some((path, name, id)) = after {
            qb.push(" AND (place_path > ").push_bind(path.clone())
              .push(" OR (place_path = ").push_bind(path.clone()).push(" AND name > ").push_bind(name.clone())
              .push(") OR (place_path = ").push_bind(path).push(" AND name = ").push_bind(name)
              .push(" AND id > ").push_bind(id).push("))");
        }
        qb.push(" ORDER BY place_path, name, id LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<ItemRow>().fetch_all(c).await?)
    })
}

/// Moves `delta` into or out of stock unless that would take it below zero; the new stock, or none when
/// refused. As with points, the guard is in the statement so concurrent issues cannot overdraw.
pub async fn move_stock(
    c: &mut Conn<'_>,
    item: Uuid,
    delta: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, i64>(
        "UPDATE supermarket_items SET stock = stock + $1, updated_at = $2 WHERE id = $3 AND stock + $1 >= 0 RETURNING stock")
        .bind(delta).bind(now).bind(item).fetch_optional(c).await)?)
}

/// One movement in the stock ledger.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StockEntryRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Item.
    pub item_id: Uuid,
    /// `donation` / `purchase` / `redemption` / `relief` / `adjustment`.
    pub movement: String,
    /// Signed quantity.
    pub quantity: i64,
    /// Stock after this movement.
    pub stock_after: i64,
    /// The donation or redemption behind it.
    pub source_id: Option<Uuid>,
    /// The household given relief.
    pub household_id: Option<Uuid>,
    /// Why (relief, adjustment) or from whom (purchase, donation).
    pub reason: String,
    /// Who approved a relief issue.
    pub approver: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
}

/// The ledger's own columns; the reason and approver are personal text kept beside it ([`crate::kernel::texts`]).
const ENTRY_COLS: &str =
    "id, community_id, item_id, movement, quantity, stock_after, source_id, household_id, created_at, created_by";

/// The columns of a [`StockEntryRow`], texts joined back.
fn entry_select() -> String {
    format!(
        "{ENTRY_COLS}, {} AS reason, {} AS approver",
        crate::kernel::texts::read("stock_entries.id", "reason"),
        crate::kernel::texts::read("stock_entries.id", "approver")
    )
}

/// Appends a stock movement.
pub async fn insert_entry(c: &mut Conn<'_>, e: &StockEntryRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO stock_entries ({ENTRY_COLS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"))
        .bind(e.id).bind(e.community_id).bind(e.item_id).bind(&e.movement).bind(e.quantity).bind(e.stock_after)
        .bind(e.source_id).bind(e.household_id).bind(e.created_at)
        .bind(e.created_by).execute(c).await.map(|_| ()))?;
    let community = Some(e.community_id);
    crate::kernel::texts::write(
        c,
        &[
            crate::kernel::texts::Text {
                owner: e.id,
                field: "reason",
                community,
                body: &e.reason,
            },
            crate::kernel::texts::Text {
                owner: e.id,
                field: "approver",
                community,
                body: &e.approver,
            },
        ],
    )
    .await
}

/// Reads one stock movement.
pub async fn get_entry(c: &mut Conn<'_>, id: Uuid) -> Result<Option<StockEntryRow>> {
    let sql = format!("SELECT {} FROM stock_entries WHERE id = $1", entry_select());
    Ok(on!(c, c => sqlx::query_as::<_, StockEntryRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// An item's movements, newest first.
pub async fn entries_of(c: &mut Conn<'_>, item: Uuid, limit: i64) -> Result<Vec<StockEntryRow>> {
    let sql = format!(
        "SELECT {} FROM stock_entries WHERE item_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        entry_select()
    );
    Ok(
        on!(c, c => sqlx::query_as::<_, StockEntryRow>(&sql).bind(item).bind(limit).fetch_all(c).await)?,
    )
}

/// Items whose cached stock differs from the sum of their movements (for `wushe check`).
pub async fn stock_mismatches(c: &mut Conn<'_>) -> Result<Vec<(Uuid, String, i64, i64)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (Uuid, String, i64, i64)>(
        "SELECT i.id, i.name, i.stock,
            CAST(COALESCE((SELECT SUM(e.quantity) FROM stock_entries e WHERE e.item_id = i.id), 0) AS BIGINT)
         FROM supermarket_items i
         WHERE i.stock <> COALESCE((SELECT SUM(e.quantity) FROM stock_entries e WHERE e.item_id = i.id), 0)")
        .fetch_all(c).await)?)
}

/// A stored item donation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DonationRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Community path.
    pub place_path: String,
    /// Receipt number (慈善法 art. 38).
    pub receipt_no: String,
    /// The donor, when a volunteer.
    pub donor_volunteer_id: Option<Uuid>,
    /// Donor's name.
    pub donor_name: String,
    /// Items as JSON [{item_id, name, quantity}].
    pub items: String,
    /// Day donated.
    pub donated_on: NaiveDate,
    /// Points earned by a volunteer donor.
    pub points: i64,
    /// Recorded.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
}

const DONATION_COLS: &str =
    "id, community_id, place_path, receipt_no, donor_volunteer_id, donor_name, items, donated_on,
    points, created_at, created_by";

/// Inserts a donation.
pub async fn insert_donation(c: &mut Conn<'_>, d: &DonationRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO item_donations ({DONATION_COLS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
        .bind(d.id).bind(d.community_id).bind(&d.place_path).bind(&d.receipt_no).bind(d.donor_volunteer_id)
        .bind(&d.donor_name).bind(&d.items).bind(d.donated_on).bind(d.points).bind(d.created_at).bind(d.created_by)
        .execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one donation.
pub async fn get_donation(c: &mut Conn<'_>, id: Uuid) -> Result<Option<DonationRow>> {
    let sql = format!("SELECT {DONATION_COLS} FROM item_donations WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, DonationRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// A stored redemption.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RedemptionRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Item or voucher.
    pub item_id: Uuid,
    /// How many.
    pub quantity: i64,
    /// Points spent.
    pub points: i64,
    /// When.
    pub created_at: DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
}

/// Inserts a redemption.
pub async fn insert_redemption(c: &mut Conn<'_>, r: &RedemptionRow) -> Result<()> {
    on!(c, c => sqlx::query("INSERT INTO redemptions (id, community_id, volunteer_id, item_id, quantity, points,
        created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(r.id).bind(r.community_id).bind(r.volunteer_id).bind(r.item_id).bind(r.quantity).bind(r.points)
        .bind(r.created_at).bind(r.created_by).execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one redemption.
pub async fn get_redemption(c: &mut Conn<'_>, id: Uuid) -> Result<Option<RedemptionRow>> {
    Ok(
        on!(c, c => sqlx::query_as::<_, RedemptionRow>("SELECT id, community_id, volunteer_id, item_id, quantity, points,
        created_at, created_by FROM redemptions WHERE id = $1").bind(id).fetch_optional(c).await)?,
    )
}
