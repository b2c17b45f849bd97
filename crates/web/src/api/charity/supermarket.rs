//! The charity supermarket (爱心超市): redemptions of points, goods and vouchers, donations of goods,
//! purchases, relief issues and stocktakes.

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::charity::supermarket::{
    self, Donation, DonationLine, Item, ItemInput, Redemption, StockMovement,
};
use wushe_app::kernel::page::Page;

use crate::api::created;
use crate::extract::{ApiActor, ApiJson, ApiQuery};
use crate::problem::ApiError;
use crate::AppState;

/// Redemption body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewRedemption {
    /// Volunteer.
    #[schema(required = true, nullable = false)]
    pub volunteer_id: Option<Uuid>,
    /// A voucher (早餐券, 理发券...).
    pub reward_id: Option<Uuid>,
    /// Supermarket goods.
    pub item_id: Option<Uuid>,
    /// How many (1 when absent).
    #[schema(minimum = 1, maximum = 1000)]
    pub quantity: Option<i64>,
}

/// Exchanges points for goods or a voucher; `422 insufficient_points` or `422 out_of_stock`.
#[utoipa::path(post, path = "/api/v1/redemptions", tag = "points", request_body = NewRedemption, responses((status = 201, body = Redemption), (status = 422, body = crate::problem::Problem)))]
pub async fn redeem(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewRedemption>,
) -> Result<Response, ApiError> {
    let item = b.reward_id.or(b.item_id);
    let r = supermarket::redeem(&s.app, &a, b.volunteer_id, item, b.quantity).await?;
    Ok(created(format!("/api/v1/redemptions/{}", r.id), &r))
}

/// Reads a redemption.
#[utoipa::path(get, path = "/api/v1/redemptions/{id}", tag = "points", responses((status = 200, body = Redemption)))]
pub async fn get_redemption(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Redemption>, ApiError> {
    Ok(Json(supermarket::get_redemption(&s.app, &a, id).await?))
}

/// New item body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewItem {
    /// Name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// Unit (件 when empty).
    #[serde(default)]
    #[schema(max_length = 10)]
    pub unit: String,
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
    /// Points for one.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 100000)]
    pub points_price: Option<i64>,
    /// `goods` (default) or `voucher`.
    #[schema(example = "goods")]
    pub kind: Option<String>,
    /// The merchant offering a voucher.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub merchant: String,
    /// Vouchers: how many are offered.
    #[schema(minimum = 1, maximum = 1000000)]
    pub quantity: Option<i64>,
}

fn item_input(b: NewItem, kind: Option<&str>) -> ItemInput {
    ItemInput {
        community_id: b.community_id,
        kind: kind.map(str::to_owned).or(b.kind),
        name: b.name,
        unit: b.unit,
        merchant: b.merchant,
        points_price: b.points_price,
        quantity: b.quantity,
    }
}

/// Adds goods to a community's supermarket (stock 0; stock arrives by donations and purchases).
#[utoipa::path(post, path = "/api/v1/supermarket/items", tag = "points", request_body = NewItem, responses((status = 201, body = Item), (status = 400, body = crate::problem::Problem)))]
pub async fn create_item(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewItem>,
) -> Result<Response, ApiError> {
    let i = supermarket::create_item(&s.app, &a, item_input(b, None)).await?;
    Ok(created(format!("/api/v1/supermarket/items/{}", i.id), &i))
}

/// Adds a merchant's vouchers (早餐券, 理发券, 干洗券, 洗车券) to the redemption catalogue.
#[utoipa::path(post, path = "/api/v1/rewards", tag = "points", request_body = NewItem, responses((status = 201, body = Item), (status = 400, body = crate::problem::Problem)))]
pub async fn create_reward(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewItem>,
) -> Result<Response, ApiError> {
    let i = supermarket::create_item(&s.app, &a, item_input(b, Some("voucher"))).await?;
    Ok(created(format!("/api/v1/supermarket/items/{}", i.id), &i))
}

/// Catalogue filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// Only in this community.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    pub community_id: Option<Uuid>,
    /// `goods` or `voucher`.
    pub kind: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    /// Page size.
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
}

/// Lists goods and vouchers with their stock.
#[utoipa::path(get, path = "/api/v1/supermarket/items", tag = "points", params(ItemQuery), responses((status = 200, body = Page<Item>)))]
pub async fn list_items(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ItemQuery>,
) -> Result<Json<Page<Item>>, ApiError> {
    let kind = q.kind.as_deref().filter(|s| !s.is_empty());
    let text = q.q.as_deref().filter(|s| !s.is_empty());
    Ok(Json(
        supermarket::list_items(
            &s.app,
            &a,
            q.community_id,
            kind,
            text,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

/// Reads an item with its `stock` and latest movements.
#[utoipa::path(get, path = "/api/v1/supermarket/items/{id}", tag = "points", responses((status = 200, body = Item), (status = 404, body = crate::problem::Problem)))]
pub async fn get_item(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Item>, ApiError> {
    Ok(Json(supermarket::get_item(&s.app, &a, id).await?))
}

/// Relief issue body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewIssue {
    /// Item.
    #[schema(required = true, nullable = false)]
    pub item_id: Option<Uuid>,
    /// How many.
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 1000000)]
    pub quantity: i64,
    /// The household in hardship.
    #[schema(required = true, nullable = false)]
    pub household_id: Option<Uuid>,
    /// Why.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 200, pattern = r"\S")]
    pub reason: String,
    /// Who approved it (the caller when empty).
    #[serde(default)]
    #[schema(max_length = 50)]
    pub approver: String,
}

/// Gives goods to a household in hardship; `422 out_of_stock`.
#[utoipa::path(post, path = "/api/v1/supermarket/issues", tag = "points", request_body = NewIssue, responses((status = 201, body = StockMovement), (status = 422, body = crate::problem::Problem)))]
pub async fn issue(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewIssue>,
) -> Result<Response, ApiError> {
    let m = supermarket::relief(
        &s.app,
        &a,
        b.item_id,
        b.quantity,
        b.household_id,
        &b.reason,
        &b.approver,
    )
    .await?;
    Ok(created(
        format!("/api/v1/supermarket/items/{}", m.item_id),
        &m,
    ))
}

/// Purchase body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewPurchase {
    /// Item.
    #[schema(required = true, nullable = false)]
    pub item_id: Option<Uuid>,
    /// How many.
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 1000000)]
    pub quantity: i64,
    /// Bought from.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub supplier: String,
}

/// Stocks goods that were bought.
#[utoipa::path(post, path = "/api/v1/supermarket/purchases", tag = "points", request_body = NewPurchase, responses((status = 201, body = StockMovement)))]
pub async fn purchase(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewPurchase>,
) -> Result<Response, ApiError> {
    let m = supermarket::purchase(&s.app, &a, b.item_id, b.quantity, &b.supplier).await?;
    Ok(created(
        format!("/api/v1/supermarket/items/{}", m.item_id),
        &m,
    ))
}

/// Stocktake body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct Stocktake {
    /// What was counted on the shelf.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1000000)]
    pub counted: Option<i64>,
    /// Why it differs (needed when it does).
    #[serde(default)]
    pub reason: String,
}

/// Records a stocktake; a difference becomes an adjustment.
#[utoipa::path(post, path = "/api/v1/supermarket/items/{id}/stocktake", tag = "points", request_body = Stocktake, responses((status = 200, body = Item)))]
pub async fn stocktake(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
    ApiJson(b): ApiJson<Stocktake>,
) -> Result<Json<Item>, ApiError> {
    let counted = b.counted.ok_or_else(|| {
        wushe_app::AppError::field("counted", "盘点数量不能为空", "counted is required")
    })?;
    Ok(Json(
        supermarket::stocktake(&s.app, &a, id, counted, &b.reason).await?,
    ))
}

/// Item donation body.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewDonation {
    /// The donor, when a volunteer (earns points).
    pub donor_volunteer_id: Option<Uuid>,
    /// Donor's name (the volunteer's when empty).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub donor_name: String,
    /// What was given.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 100)]
    pub items: Vec<DonationLine>,
    /// Community.
    #[schema(required = true, nullable = false)]
    pub community_id: Option<Uuid>,
}

/// Records a donation of goods: stocks the supermarket, issues a receipt number, earns a volunteer points.
#[utoipa::path(post, path = "/api/v1/item-donations", tag = "points", request_body = NewDonation, responses((status = 201, body = Donation), (status = 400, body = crate::problem::Problem)))]
pub async fn donate(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiJson(b): ApiJson<NewDonation>,
) -> Result<Response, ApiError> {
    let d = supermarket::donate(
        &s.app,
        &a,
        b.community_id,
        b.donor_volunteer_id,
        &b.donor_name,
        &b.items,
    )
    .await?;
    Ok(created(format!("/api/v1/item-donations/{}", d.id), &d))
}

/// Reads a donation.
#[utoipa::path(get, path = "/api/v1/item-donations/{id}", tag = "points", responses((status = 200, body = Donation)))]
pub async fn get_donation(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    Path(id): Path<Uuid>,
) -> Result<Json<Donation>, ApiError> {
    Ok(Json(supermarket::get_donation(&s.app, &a, id).await?))
}
