//! The charity supermarket (慈善超市): goods and merchant vouchers, stock in from donations and purchases,
//! stock out as points redemptions or hardship relief, stocktakes; every movement in the stock ledger.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::charity::stock::{self, Movement};
use wushe_domain::volunteering::points::EntryKind;
use wushe_store::charity::supermarket::{DonationRow, ItemRow, RedemptionRow, StockEntryRow};
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::kernel::page::{self, Page};
use crate::volunteering::points::{earn, Basis};
use crate::{Actor, App, AppError, AppResult};

/// An item (goods or voucher) as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Item {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// `goods` or `voucher`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// The merchant offering a voucher.
    pub merchant: String,
    /// Points for one.
    pub points_price: i64,
    /// In stock now.
    pub stock: i64,
    /// Latest movements (only when reading one item).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub movements: Option<Vec<StockMovement>>,
    /// Created.
    pub created_at: chrono::DateTime<Utc>,
}

impl From<ItemRow> for Item {
    fn from(i: ItemRow) -> Self {
        Item {
            id: i.id,
            community_id: i.community_id,
            kind: i.kind,
            name: i.name,
            unit: i.unit,
            merchant: i.merchant,
            points_price: i.points_price,
            stock: i.stock,
            movements: None,
            created_at: i.created_at,
        }
    }
}

/// One stock movement as the API shows it (a relief issue is one of these).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StockMovement {
    /// Id.
    pub id: Uuid,
    /// Item.
    pub item_id: Uuid,
    /// `donation` / `purchase` / `redemption` / `relief` / `adjustment`.
    pub movement: String,
    /// Chinese label.
    pub movement_label: String,
    /// Signed quantity.
    pub quantity: i64,
    /// Stock after it.
    pub stock_after: i64,
    /// The donation or redemption behind it.
    pub source_id: Option<Uuid>,
    /// The household given relief.
    pub household_id: Option<Uuid>,
    /// Why, or from whom.
    pub reason: String,
    /// Who approved a relief issue.
    pub approver: String,
    /// When.
    pub created_at: chrono::DateTime<Utc>,
    /// By.
    pub created_by: Option<Uuid>,
}

impl From<StockEntryRow> for StockMovement {
    fn from(e: StockEntryRow) -> Self {
        StockMovement {
            movement_label: Movement::parse(&e.movement)
                .map_or("", |m| m.label_zh())
                .to_owned(),
            id: e.id,
            item_id: e.item_id,
            movement: e.movement,
            quantity: e.quantity,
            stock_after: e.stock_after,
            source_id: e.source_id,
            household_id: e.household_id,
            reason: e.reason,
            approver: e.approver,
            created_at: e.created_at,
            created_by: e.created_by,
        }
    }
}

/// What a new item holds.
#[derive(Debug, Clone, Default)]
pub struct ItemInput {
    /// Community.
    pub community_id: Option<Uuid>,
    /// `goods` (default) or `voucher`.
    pub kind: Option<String>,
    /// Name.
    pub name: String,
    /// Unit (件 when empty).
    pub unit: String,
    /// Merchant (vouchers).
    pub merchant: String,
    /// Points for one.
    pub points_price: Option<i64>,
    /// Vouchers: how many the merchant offers (stocked as the merchant's donation).
    pub quantity: Option<i64>,
}

/// Loads an item the caller may see and act on with `perm`.
pub async fn load_item(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    perm: Permission,
) -> AppResult<ItemRow> {
    let i = wushe_store::charity::supermarket::get_item(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.check_community(perm, &i.place_path)?;
    Ok(i)
}

async fn item_for_field(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Option<Uuid>,
    field: &str,
) -> AppResult<ItemRow> {
    let Some(id) = id else {
        return Err(AppError::field(
            field,
            "请选择物品",
            &format!("{field} is required"),
        ));
    };
    load_item(c, actor, id, Permission::ReadVolunteers)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::field(field, "物品不存在", "no such item"),
            e => e,
        })
}

/// Moves stock and writes the ledger entry (inside the caller's transaction).
#[allow(clippy::too_many_arguments)]
async fn move_stock(
    c: &mut Conn<'_>,
    actor: &Actor,
    item: &ItemRow,
    m: Movement,
    quantity: i64,
    source: Option<Uuid>,
    household: Option<Uuid>,
    reason: &str,
    approver: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<StockEntryRow> {
    // The domain rule decides on the stock as read; the guarded update decides again under the write lock,
    // so two concurrent issues cannot both take the last one.
    let (delta, _) = stock::apply(item.stock, m, quantity)?;
    let after = wushe_store::charity::supermarket::move_stock(c, item.id, delta, now).await?;
    let Some(after) = after else {
        let current = wushe_store::charity::supermarket::get_item(c, item.id)
            .await?
            .map_or(0, |i| i.stock);
        return Err(stock::apply(current, m, quantity)
            .err()
            .map_or_else(|| AppError::Internal("stock moved".into()), Into::into));
    };
    let e = StockEntryRow {
        id: Uuid::now_v7(),
        community_id: item.community_id,
        item_id: item.id,
        movement: m.as_str().to_owned(),
        quantity: delta,
        stock_after: after,
        source_id: source,
        household_id: household,
        reason: reason.to_owned(),
        approver: approver.to_owned(),
        created_at: now,
        created_by: actor.author(),
    };
    wushe_store::charity::supermarket::insert_entry(c, &e).await?;
    Ok(e)
}

/// Adds goods or a voucher to a community's catalogue.
pub async fn create_item(app: &App, actor: &Actor, input: ItemInput) -> AppResult<Item> {
    use wushe_domain::kernel::text::clean;
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let kind = input
        .kind
        .as_deref()
        .map(clean)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "goods".into());
    if kind != "goods" && kind != "voucher" {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "kind",
            "类别应为 goods（物品）或 voucher（兑换券）",
            "kind must be goods or voucher",
        ));
    }
    let name = clean(&input.name);
    let unit = Some(clean(&input.unit))
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "件".into());
    let merchant = clean(&input.merchant);
    wushe_domain::charity::limits::ITEM_NAME.check(&name, &mut errs);
    wushe_domain::charity::limits::ITEM_UNIT.check(&unit, &mut errs);
    let merchant_limit = if kind == "voucher" {
        wushe_domain::charity::limits::VOUCHER_MERCHANT
    } else {
        wushe_domain::charity::limits::GOODS_MERCHANT
    };
    merchant_limit.check(&merchant, &mut errs);
    let price = input.points_price.unwrap_or(-1);
    if !(0..=100_000).contains(&price) {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "points_price",
            "兑换积分应在0到100000之间",
            "points_price must be between 0 and 100000",
        ));
    }
    if let Some(q) = input.quantity {
        if !(1..=stock::MAX_QUANTITY).contains(&q) {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "quantity",
                "数量应为1到1000000之间的整数",
                "quantity must be 1 to 1000000",
            ));
        }
    }
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let community = crate::volunteering::volunteers::community(
        &mut c,
        actor,
        input.community_id,
        Permission::ManageCharity,
    )
    .await?;
    let now = app.now();
    let row = ItemRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path: community.path.clone(),
        kind,
        name,
        unit,
        merchant: merchant.clone(),
        points_price: price,
        stock: 0,
        archived_at: None,
        created_at: now,
        created_by: actor.author(),
        updated_at: now,
    };
    wushe_store::charity::supermarket::insert_item(&mut c, &row).await?;
    if let Some(q) = input.quantity {
        move_stock(
            &mut c,
            actor,
            &row,
            Movement::Donation,
            q,
            None,
            None,
            &merchant,
            "",
            app.now(),
        )
        .await?;
    }
    audit::record(&mut c, actor, Entry {
        action: "supermarket.item", object_type: "supermarket_item", object_id: Some(row.id),
        place_path: Some(&row.place_path), community_id: Some(row.community_id),
        detail: json!({"name": row.name, "kind": row.kind, "points_price": price, "quantity": input.quantity}),
    }).await?;
    let item = wushe_store::charity::supermarket::get_item(&mut c, row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(item.into())
}

/// Reads an item with its stock and latest movements.
pub async fn get_item(app: &App, actor: &Actor, id: Uuid) -> AppResult<Item> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let i = load_item(&mut c, actor, id, Permission::ReadVolunteers).await?;
    let moves = wushe_store::charity::supermarket::entries_of(&mut c, id, 100).await?;
    let mut out: Item = i.into();
    out.movements = Some(moves.into_iter().map(Into::into).collect());
    Ok(out)
}

/// Lists the catalogue in the caller's area.
pub async fn list_items(
    app: &App,
    actor: &Actor,
    community_id: Option<Uuid>,
    kind: Option<&str>,
    q: Option<&str>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Item>> {
    let limit = page::limit(limit)?;
    let after: Option<(String, String, Uuid)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let mut scope = actor.community_scope(Permission::ReadVolunteers);
    if let Some(cid) = community_id {
        let p = crate::volunteering::volunteers::community(
            &mut c,
            actor,
            Some(cid),
            Permission::ReadVolunteers,
        )
        .await?;
        scope = scope.narrow(&p.path);
    }
    let rows =
        wushe_store::charity::supermarket::list_items(&mut c, &scope, kind, q, after, limit + 1)
            .await?;
    Ok(page::cut(
        rows,
        limit,
        |i| (i.place_path.clone(), i.name.clone(), i.id),
        Item::from,
    ))
}

/// Stock in by purchase (采购入库), with the supplier.
pub async fn purchase(
    app: &App,
    actor: &Actor,
    item_id: Option<Uuid>,
    quantity: i64,
    supplier: &str,
) -> AppResult<StockMovement> {
    let supplier = wushe_domain::kernel::text::clean(supplier);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::charity::limits::PURCHASE_SUPPLIER.check(&supplier, &mut errs);
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let item = item_for_field(&mut c, actor, item_id, "item_id").await?;
    if !actor.can(Permission::ManageCharity, &item.place_path) {
        return Err(AppError::Forbidden);
    }
    let e = move_stock(
        &mut c,
        actor,
        &item,
        Movement::Purchase,
        quantity,
        None,
        None,
        &supplier,
        "",
        app.now(),
    )
    .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "supermarket.purchase",
            object_type: "stock_entry",
            object_id: Some(e.id),
            place_path: Some(&item.place_path),
            community_id: Some(item.community_id),
            detail: json!({"item_id": item.id, "quantity": quantity, "supplier": supplier}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(e.into())
}

/// Gives goods to a household in hardship (扶贫帮困), with reason and approver.
pub async fn relief(
    app: &App,
    actor: &Actor,
    item_id: Option<Uuid>,
    quantity: i64,
    household_id: Option<Uuid>,
    reason: &str,
    approver: &str,
) -> AppResult<StockMovement> {
    let reason = wushe_domain::kernel::text::clean(reason);
    let approver = wushe_domain::kernel::text::clean(approver);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::charity::limits::RELIEF_REASON.check(&reason, &mut errs);
    wushe_domain::charity::limits::RELIEF_APPROVER.check(&approver, &mut errs);
    if household_id.is_none() {
        errs.push(wushe_domain::kernel::error::FieldError::new(
            "household_id",
            "请选择受助住户",
            "household_id is required",
        ));
    }
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let item = item_for_field(&mut c, actor, item_id, "item_id").await?;
    if !actor.can(Permission::ManageCharity, &item.place_path) {
        return Err(AppError::Forbidden);
    }
    let h = wushe_store::people::households::get(&mut c, household_id.unwrap_or_default())
        .await?
        .filter(|h| {
            h.community_id == item.community_id && actor.can(Permission::ReadPeople, &h.place_path)
        })
        .ok_or_else(|| {
            AppError::field(
                "household_id",
                "本社区没有这户",
                "no such household in this community",
            )
        })?;
    let approver = if approver.is_empty() {
        actor.display_name.clone()
    } else {
        approver
    };
    let e = move_stock(
        &mut c,
        actor,
        &item,
        Movement::Relief,
        quantity,
        None,
        Some(h.id),
        &reason,
        &approver,
        app.now(),
    )
    .await?;
    audit::record(&mut c, actor, Entry {
        action: "supermarket.relief", object_type: "stock_entry", object_id: Some(e.id),
        place_path: Some(&item.place_path), community_id: Some(item.community_id),
        detail: json!({"item_id": item.id, "quantity": quantity, "household_id": h.id, "reason": reason, "approver": approver}),
    }).await?;
    tx.commit().await?;
    Ok(e.into())
}

/// Records a stocktake: what was counted; a difference becomes an adjustment with the reason.
pub async fn stocktake(
    app: &App,
    actor: &Actor,
    item_id: Uuid,
    counted: i64,
    reason: &str,
) -> AppResult<Item> {
    let reason = wushe_domain::kernel::text::clean(reason);
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let item = load_item(&mut c, actor, item_id, Permission::ManageCharity).await?;
    let diff = stock::stocktake_difference(item.stock, counted)?;
    if diff != 0 {
        let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
        wushe_domain::charity::limits::STOCKTAKE_REASON.check(&reason, &mut errs);
        errs.into_result(())?;
        move_stock(
            &mut c,
            actor,
            &item,
            Movement::Adjustment,
            diff,
            None,
            None,
            &reason,
            "",
            app.now(),
        )
        .await?;
    }
    audit::record(&mut c, actor, Entry {
        action: "supermarket.stocktake", object_type: "supermarket_item", object_id: Some(item.id),
        place_path: Some(&item.place_path), community_id: Some(item.community_id),
        detail: json!({"on_record": item.stock, "counted": counted, "difference": diff, "reason": reason}),
    }).await?;
    tx.commit().await?;
    get_item(app, actor, item_id).await
}

/// One line of a donation.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DonationLine {
    /// Item.
    pub item_id: Uuid,
    /// How many.
    #[schema(minimum = 1, maximum = 1000000)]
    pub quantity: i64,
}

/// A donation of goods as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Donation {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Receipt number (慈善法 art. 38: every donation gets one).
    pub receipt_no: String,
    /// The donor, when a volunteer.
    pub donor_volunteer_id: Option<Uuid>,
    /// Donor's name.
    pub donor_name: String,
    /// What was given.
    pub items: Vec<DonationLine>,
    /// Day donated.
    pub donated_on: chrono::NaiveDate,
    /// Points a volunteer donor earned.
    pub points: i64,
    /// Recorded.
    pub created_at: chrono::DateTime<Utc>,
}

impl From<DonationRow> for Donation {
    fn from(d: DonationRow) -> Self {
        Donation {
            id: d.id,
            community_id: d.community_id,
            receipt_no: d.receipt_no,
            donor_volunteer_id: d.donor_volunteer_id,
            donor_name: d.donor_name,
            items: serde_json::from_str(&d.items).unwrap_or_default(),
            donated_on: d.donated_on,
            points: d.points,
            created_at: d.created_at,
        }
    }
}

/// Records a donation of goods: stocks the supermarket and earns points for a volunteer donor.
pub async fn donate(
    app: &App,
    actor: &Actor,
    community_id: Option<Uuid>,
    donor_volunteer_id: Option<Uuid>,
    donor_name: &str,
    lines: &[DonationLine],
) -> AppResult<Donation> {
    let mut donor_name = wushe_domain::kernel::text::clean(donor_name);
    if lines.is_empty() || lines.len() > 100 {
        return Err(AppError::field(
            "items",
            "请填写1到100种捐赠物品",
            "give 1 to 100 donated items",
        ));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let community = crate::volunteering::volunteers::community(
        &mut c,
        actor,
        community_id,
        Permission::ManageCharity,
    )
    .await?;
    let donor = match donor_volunteer_id {
        Some(_) => {
            let v = crate::volunteering::volunteers::load_for_field(
                &mut c,
                actor,
                donor_volunteer_id,
                "donor_volunteer_id",
            )
            .await?;
            if v.community_id != community.id {
                return Err(AppError::field(
                    "donor_volunteer_id",
                    "该志愿者不在这个社区",
                    "the volunteer is in another community",
                ));
            }
            if donor_name.is_empty() {
                donor_name = v.name.clone();
            }
            Some(v)
        }
        None => None,
    };
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::charity::limits::DONOR_NAME.check(&donor_name, &mut errs);
    errs.into_result(())?;
    let today = app.today();
    let id = Uuid::now_v7();
    let mut total = 0;
    for (i, l) in lines.iter().enumerate() {
        let field = format!("items[{i}]");
        let item = item_for_field(&mut c, actor, Some(l.item_id), &field).await?;
        if item.community_id != community.id {
            return Err(AppError::field(
                &field,
                "该物品不属于这个社区的超市",
                "the item belongs to another community",
            ));
        }
        move_stock(
            &mut c,
            actor,
            &item,
            Movement::Donation,
            l.quantity,
            Some(id),
            None,
            &donor_name,
            "",
            app.now(),
        )
        .await
        .map_err(|e| match e {
            AppError::Validation(_) => AppError::field(
                &field,
                "数量应为1到1000000之间的整数",
                "quantity must be 1 to 1000000",
            ),
            e => e,
        })?;
        total += l.quantity;
    }
    let seq = wushe_store::kernel::counters::next(
        &mut c,
        &format!("donation_receipt_{}", today.format("%Y")),
    )
    .await?;
    let receipt_no = format!("JZ{}{:06}", today.format("%Y"), seq);
    let points = match &donor {
        Some(v) => {
            earn(
                &mut c,
                actor,
                v,
                today,
                EntryKind::Donation,
                Basis::Items(total),
                id,
                None,
                &format!("捐赠物品{total}件"),
                app.now(),
            )
            .await?
        }
        None => 0,
    };
    let row = DonationRow {
        id,
        community_id: community.id,
        place_path: community.path.clone(),
        receipt_no,
        donor_volunteer_id: donor.as_ref().map(|v| v.id),
        donor_name,
        items: serde_json::to_string(lines).expect("lines serialize"),
        donated_on: today,
        points,
        created_at: app.now(),
        created_by: actor.author(),
    };
    wushe_store::charity::supermarket::insert_donation(&mut c, &row).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "supermarket.donation",
            object_type: "item_donation",
            object_id: Some(id),
            place_path: Some(&community.path),
            community_id: Some(community.id),
            detail: json!({"receipt_no": row.receipt_no, "items": lines, "points": points}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Reads a donation.
pub async fn get_donation(app: &App, actor: &Actor, id: Uuid) -> AppResult<Donation> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let d = wushe_store::charity::supermarket::get_donation(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.check_community(Permission::ReadVolunteers, &d.place_path)?;
    Ok(d.into())
}

/// A redemption as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Redemption {
    /// Id.
    pub id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Item or voucher.
    pub item_id: Uuid,
    /// How many.
    pub quantity: i64,
    /// Points spent.
    pub points: i64,
    /// The volunteer's balance right after redeeming (when read back: now).
    pub balance_after: i64,
    /// When.
    pub created_at: chrono::DateTime<Utc>,
}

/// Exchanges points for goods or a voucher: never more points than the balance, never more than in stock,
/// even when requests race (both checks sit in the guarded updates).
pub async fn redeem(
    app: &App,
    actor: &Actor,
    volunteer_id: Option<Uuid>,
    item_id: Option<Uuid>,
    quantity: Option<i64>,
) -> AppResult<Redemption> {
    let quantity = quantity.unwrap_or(1);
    if !(1..=1000).contains(&quantity) {
        return Err(AppError::field(
            "quantity",
            "数量应在1到1000之间",
            "quantity must be between 1 and 1000",
        ));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let v = crate::volunteering::volunteers::load_for_field(
        &mut c,
        actor,
        volunteer_id,
        "volunteer_id",
    )
    .await?;
    if !actor.can(Permission::ManageCharity, &v.place_path) {
        return Err(AppError::Forbidden);
    }
    let item = item_for_field(&mut c, actor, item_id, "item_id").await?;
    if item.community_id != v.community_id {
        return Err(AppError::field(
            "item_id",
            "只能兑换本社区超市的物品",
            "the item belongs to another community",
        ));
    }
    let cost = item.points_price * quantity;
    let id = Uuid::now_v7();
    let today = app.today();
    // Points first: a refusal here writes nothing, and the stock is only taken once the points are.
    if cost > 0 {
        crate::volunteering::points::post(
            &mut c,
            actor,
            &v,
            today,
            EntryKind::Redemption,
            -cost,
            None,
            Some(id),
            None,
            &format!("兑换{}×{}", item.name, quantity),
            app.now(),
        )
        .await?;
    }
    move_stock(
        &mut c,
        actor,
        &item,
        Movement::Redemption,
        quantity,
        Some(id),
        None,
        &v.volunteer_no,
        "",
        app.now(),
    )
    .await?;
    let row = RedemptionRow {
        id,
        community_id: v.community_id,
        volunteer_id: v.id,
        item_id: item.id,
        quantity,
        points: cost,
        created_at: app.now(),
        created_by: actor.author(),
    };
    wushe_store::charity::supermarket::insert_redemption(&mut c, &row).await?;
    audit::record(&mut c, actor, Entry {
        action: "points.redeem", object_type: "redemption", object_id: Some(id),
        place_path: Some(&v.place_path), community_id: Some(v.community_id),
        detail: json!({"volunteer_id": v.id, "item_id": item.id, "quantity": quantity, "points": cost}),
    }).await?;
    let balance_after = wushe_store::volunteering::volunteers::get(&mut c, v.id)
        .await?
        .map_or(0, |r| r.points_balance);
    tx.commit().await?;
    Ok(Redemption {
        id,
        volunteer_id: v.id,
        item_id: item.id,
        quantity,
        points: cost,
        balance_after,
        created_at: row.created_at,
    })
}

/// Reads a redemption.
pub async fn get_redemption(app: &App, actor: &Actor, id: Uuid) -> AppResult<Redemption> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let r = wushe_store::charity::supermarket::get_redemption(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let v = crate::volunteering::volunteers::load(&mut c, actor, r.volunteer_id, None).await?;
    Ok(Redemption {
        id: r.id,
        volunteer_id: r.volunteer_id,
        item_id: r.item_id,
        quantity: r.quantity,
        points: r.points,
        balance_after: v.points_balance,
        created_at: r.created_at,
    })
}
