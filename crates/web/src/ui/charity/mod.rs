//! Supermarket pages: the catalogue and stock of the charity supermarket, with every movement.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::charity::supermarket::{DonationLine, Item, ItemInput};
use wushe_app::AppError;

use super::volunteering::{communities, Fmt};
use super::{error_page, refused, render, see_other, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "charity/supermarket.html")]
struct SupermarketPage {
    ctx: PageCtx,
    items: Vec<Item>,
    communities: Vec<wushe_app::map::places::Place>,
    can_manage: bool,
    errors: FormErrors,
}

async fn supermarket_page(s: &AppState, user: PageUser, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::charity::supermarket::list_items(
        &s.app,
        &actor,
        None,
        None,
        None,
        None,
        Some(500),
    )
    .await
    {
        Ok(p) => {
            let communities = communities(s, &actor).await;
            let can_manage = actor.abilities().manage_charity;
            render(&SupermarketPage {
                ctx,
                items: p.items,
                communities,
                can_manage,
                errors,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /supermarket`.
pub async fn supermarket(State(s): State<AppState>, user: PageUser) -> Response {
    supermarket_page(&s, user, FormErrors::default()).await
}

/// New goods or voucher form.
#[derive(Debug, Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    merchant: String,
    #[serde(default)]
    points_price: String,
    #[serde(default)]
    quantity: String,
}

/// `POST /supermarket/items`.
pub async fn create_item(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ItemForm>,
) -> Response {
    let input = ItemInput {
        community_id: f.community_id.parse().ok(),
        kind: Some(f.kind),
        name: f.name,
        unit: f.unit,
        merchant: f.merchant,
        points_price: f.points_price.trim().parse().ok(),
        quantity: f.quantity.trim().parse().ok(),
    };
    match wushe_app::charity::supermarket::create_item(&s.app, &user.actor, input).await {
        Ok(i) => see_other(&format!("/supermarket/items/{}", i.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => refused(supermarket_page(&s, user, errors).await),
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "charity/item.html")]
struct ItemPage {
    ctx: PageCtx,
    item: Item,
    households: Vec<wushe_app::people::households::Household>,
    can_manage: bool,
    errors: FormErrors,
}

impl Fmt for ItemPage {}

async fn item_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::charity::supermarket::get_item(&s.app, &actor, id).await {
        Ok(item) => {
            // Relief goes to households in hardship: offer those tagged so in the register.
            let mut households = Vec::new();
            for tag in ["低保", "特困", "困难"] {
                let f = wushe_app::people::households::HouseholdSearch {
                    tag: Some(tag.into()),
                    ..Default::default()
                };
                if let Ok(p) = wushe_app::people::households::list(
                    &s.app,
                    &actor,
                    &f,
                    Some(item.community_id),
                    None,
                    Some(200),
                )
                .await
                {
                    households.extend(
                        p.items
                            .into_iter()
                            .filter(|h| h.community_id == item.community_id),
                    );
                }
            }
            households.dedup_by_key(|h| h.id);
            let can_manage = actor.abilities().manage_charity;
            render(&ItemPage {
                ctx,
                item,
                households,
                can_manage,
                errors,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /supermarket/items/{id}`.
pub async fn item(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    item_page(&s, user, id, FormErrors::default()).await
}

/// Every stock form of the item page.
#[derive(Debug, Default, Deserialize)]
pub struct StockForm {
    #[serde(default)]
    quantity: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    approver: String,
    #[serde(default)]
    counted: String,
    #[serde(default)]
    volunteer_no: String,
    #[serde(default)]
    donor_name: String,
}

/// `POST /supermarket/items/{id}/{action}`: purchase, relief, stocktake, redeem, donate.
pub async fn stock(
    State(s): State<AppState>,
    user: PageUser,
    Path((id, action)): Path<(Uuid, String)>,
    Form(f): Form<StockForm>,
) -> Response {
    let (app, actor) = (&s.app, &user.actor);
    let qty = f.quantity.trim().parse::<i64>().unwrap_or(0);
    let result: Result<(), AppError> = async {
        match action.as_str() {
            "purchase" => {
                wushe_app::charity::supermarket::purchase(app, actor, Some(id), qty, &f.supplier)
                    .await
                    .map(|_| ())
            }
            "relief" => wushe_app::charity::supermarket::relief(
                app,
                actor,
                Some(id),
                qty,
                f.household_id.parse().ok(),
                &f.reason,
                &f.approver,
            )
            .await
            .map(|_| ()),
            "stocktake" => {
                let counted = f.counted.trim().parse().map_err(|_| {
                    AppError::field("counted", "请填写盘点数量", "give the counted quantity")
                })?;
                wushe_app::charity::supermarket::stocktake(app, actor, id, counted, &f.reason)
                    .await
                    .map(|_| ())
            }
            "redeem" => {
                let vid = wushe_app::volunteering::volunteers::id_by_no(
                    app,
                    actor,
                    &f.volunteer_no,
                    "volunteer_no",
                )
                .await?;
                wushe_app::charity::supermarket::redeem(app, actor, Some(vid), Some(id), Some(qty))
                    .await
                    .map(|_| ())
            }
            "donate" => {
                let vid = if f.volunteer_no.trim().is_empty() {
                    None
                } else {
                    Some(
                        wushe_app::volunteering::volunteers::id_by_no(
                            app,
                            actor,
                            &f.volunteer_no,
                            "volunteer_no",
                        )
                        .await?,
                    )
                };
                let item = wushe_app::charity::supermarket::get_item(app, actor, id).await?;
                let lines = [DonationLine {
                    item_id: id,
                    quantity: qty,
                }];
                wushe_app::charity::supermarket::donate(
                    app,
                    actor,
                    Some(item.community_id),
                    vid,
                    &f.donor_name,
                    &lines,
                )
                .await
                .map(|_| ())
            }
            _ => Err(AppError::NotFound),
        }
    }
    .await;
    match result {
        Ok(()) => see_other(&format!("/supermarket/items/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => refused(item_page(&s, user, id, errors).await),
            Err(e) => error_page(user.ctx, e),
        },
    }
}
