//! Team, supermarket, points-policy and service-hours pages: teams with members and their monthly hours,
//! the supermarket's catalogue and stock with every movement, and each community's points rule.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::charity::supermarket::{DonationLine, Item, ItemInput};
use wushe_app::volunteering::points::PointsPolicy;
use wushe_app::volunteering::volunteers::Team;
use wushe_app::AppError;
use wushe_domain::accounts::role::Permission;

use super::volunteering::{communities, Fmt};
use super::{error_page, refused, render, see_other, FormErrors, PageCtx, PageUser};
use crate::extract::ApiQuery;
use crate::AppState;

#[derive(Template)]
#[template(path = "charity/teams.html")]
struct TeamsPage {
    ctx: PageCtx,
    items: Vec<Team>,
    communities: Vec<wushe_app::map::places::Place>,
    can_manage: bool,
    errors: FormErrors,
}

async fn teams_page(s: &AppState, user: PageUser, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::volunteering::volunteers::list_teams(&s.app, &actor, None, None, Some(500))
        .await
    {
        Ok(p) => {
            let communities = communities(s, &actor).await;
            let can_manage = actor.has_anywhere(Permission::ManageVolunteers);
            render(&TeamsPage {
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

/// `GET /teams`.
pub async fn teams(State(s): State<AppState>, user: PageUser) -> Response {
    teams_page(&s, user, FormErrors::default()).await
}

/// New team form.
#[derive(Debug, Deserialize)]
pub struct TeamForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    community_id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    description: String,
}

/// `POST /teams`.
pub async fn create_team(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<TeamForm>,
) -> Response {
    let r = wushe_app::volunteering::volunteers::create_team(
        &s.app,
        &user.actor,
        f.community_id.parse().ok(),
        f.parent_id.parse().ok(),
        &f.name,
        &f.description,
        None,
    )
    .await;
    match r {
        Ok(t) => see_other(&format!("/teams/{}", t.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => refused(teams_page(&s, user, errors).await),
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "charity/team.html")]
struct TeamPage {
    ctx: PageCtx,
    team: Team,
    chart: String,
    can_manage: bool,
    errors: FormErrors,
}

impl Fmt for TeamPage {}

async fn team_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let team = wushe_app::volunteering::volunteers::get_team(&s.app, &actor, id).await?;
        let months =
            wushe_app::volunteering::hours::team_monthly(&s.app, &actor, id, None, None).await?;
        Ok::<_, AppError>((team, months))
    };
    match load.await {
        Ok((team, months)) => {
            let chart = super::kernel::charts::hours_by_month(
                &months,
                ctx.t.pick("服务时长（小时）", "Service hours"),
            );
            let can_manage = actor.has_anywhere(Permission::ManageVolunteers);
            render(&TeamPage {
                ctx,
                team,
                chart,
                can_manage,
                errors,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /teams/{id}`.
pub async fn team(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    team_page(&s, user, id, FormErrors::default()).await
}

/// Add-members form: volunteer numbers separated by spaces or commas, and a note.
#[derive(Debug, Deserialize)]
pub struct MembersForm {
    #[serde(default)]
    numbers: String,
    #[serde(default)]
    note: String,
}

/// `POST /teams/{id}/members`.
pub async fn add_members(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<MembersForm>,
) -> Response {
    let result = async {
        let mut ids = Vec::new();
        for no in f
            .numbers
            .split([' ', ',', '，', '、', '\n'])
            .filter(|n| !n.trim().is_empty())
        {
            ids.push(
                wushe_app::volunteering::volunteers::id_by_no(&s.app, &user.actor, no, "numbers")
                    .await?,
            );
        }
        wushe_app::volunteering::volunteers::add_members(
            &s.app,
            &user.actor,
            id,
            &ids,
            None,
            &f.note,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => see_other(&format!("/teams/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => refused(team_page(&s, user, id, errors).await),
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /teams/{id}/members/{volunteer_id}/leave`.
pub async fn leave(
    State(s): State<AppState>,
    user: PageUser,
    Path((id, vid)): Path<(Uuid, Uuid)>,
) -> Response {
    match wushe_app::volunteering::volunteers::remove_member(&s.app, &user.actor, id, vid, None)
        .await
    {
        Ok(_) => see_other(&format!("/teams/{id}"), "saved"),
        Err(e) => error_page(user.ctx, e),
    }
}

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
            let can_manage = actor.has_anywhere(Permission::ManageCharity);
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
            let can_manage = actor.has_anywhere(Permission::ManageCharity);
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

#[derive(Template)]
#[template(path = "charity/points_policy.html")]
struct PolicyPage {
    ctx: PageCtx,
    communities: Vec<wushe_app::map::places::Place>,
    community_id: String,
    current: Option<PointsPolicy>,
    history: Vec<PointsPolicy>,
    can_manage: bool,
    errors: FormErrors,
    today: NaiveDate,
}

/// Which community.
#[derive(Debug, Default, Deserialize)]
pub struct CommunityQuery {
    community_id: Option<Uuid>,
}

async fn policy_page(
    s: &AppState,
    user: PageUser,
    community: Option<Uuid>,
    errors: FormErrors,
) -> Response {
    let PageUser { actor, ctx } = user;
    let communities = communities(s, &actor).await;
    let chosen = community.or_else(|| communities.first().map(|c| c.id));
    let (current, history) = match chosen {
        Some(id) => match wushe_app::volunteering::points::policies(&s.app, &actor, id).await {
            Ok((c, h)) => (Some(c), h),
            Err(e) => return error_page(ctx, e),
        },
        None => (None, vec![]),
    };
    let can_manage = actor.has_anywhere(Permission::ManageCharity);
    render(&PolicyPage {
        ctx,
        communities,
        community_id: chosen.map(|c| c.to_string()).unwrap_or_default(),
        current,
        history,
        can_manage,
        errors,
        today: s.app.today(),
    })
}

/// `GET /points-policy`.
pub async fn policy(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<CommunityQuery>,
) -> Response {
    policy_page(&s, user, q.community_id, FormErrors::default()).await
}

/// Policy form.
#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    community_id: Uuid,
    #[serde(default)]
    points_per_hour: String,
    #[serde(default)]
    points_per_item: String,
    #[serde(default)]
    star_threshold: String,
    #[serde(default)]
    rounding: String,
    #[serde(default)]
    star_hours: String,
    #[serde(default)]
    valid_from: String,
    #[serde(default)]
    valid_years: String,
}

/// `POST /points-policy`.
pub async fn set_policy(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<PolicyForm>,
) -> Response {
    let num = |v: &str| v.trim().parse::<i64>().ok();
    let hours: Option<Vec<i64>> = if f.star_hours.trim().is_empty() {
        None
    } else {
        Some(
            f.star_hours
                .split([',', '，', ' ', '、'])
                .filter(|x| !x.is_empty())
                .map(|x| x.trim().parse().unwrap_or(-1))
                .collect(),
        )
    };
    let input = wushe_app::volunteering::points::PolicyInput {
        points_per_hour: num(&f.points_per_hour),
        points_per_item: num(&f.points_per_item),
        star_threshold: num(&f.star_threshold),
        rounding: Some(f.rounding),
        star_hours: hours,
        valid_from: NaiveDate::parse_from_str(f.valid_from.trim(), "%Y-%m-%d").ok(),
        // Empty: never expire; anything unreadable is sent on as out of range so the form says so.
        valid_years: match f.valid_years.trim() {
            "" => None,
            y => Some(y.parse().unwrap_or(-1)),
        },
    };
    match wushe_app::volunteering::points::set_policy(&s.app, &user.actor, f.community_id, input)
        .await
    {
        Ok(_) => see_other(
            &format!("/points-policy?community_id={}", f.community_id),
            "saved",
        ),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => refused(policy_page(&s, user, Some(f.community_id), errors).await),
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "charity/service_hours.html")]
struct HoursPage {
    ctx: PageCtx,
    places: Vec<wushe_app::map::places::Place>,
    place_id: String,
    chart: String,
    months: Vec<wushe_app::volunteering::hours::Month>,
}

impl Fmt for HoursPage {}

/// Which place.
#[derive(Debug, Default, Deserialize)]
pub struct PlaceQuery {
    #[serde(default, deserialize_with = "crate::api::empty_none")]
    place_id: Option<Uuid>,
}

/// `GET /service-hours`: the monthly chart of a community, street or district.
pub async fn hours(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<PlaceQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::volunteering::hours::monthly(&s.app, &actor, q.place_id, None, None).await {
        Ok(months) => {
            let mut places = Vec::new();
            for kind in ["district", "street"] {
                places.extend(
                    wushe_app::map::places::list(&s.app, &actor, Some(kind), None, None, Some(100))
                        .await
                        .map(|p| p.items)
                        .unwrap_or_default(),
                );
            }
            places.extend(communities(&s, &actor).await);
            let chart = super::kernel::charts::hours_by_month(
                &months,
                ctx.t.pick("服务时长（小时）", "Service hours"),
            );
            render(&HoursPage {
                ctx,
                places,
                place_id: q.place_id.map(|p| p.to_string()).unwrap_or_default(),
                chart,
                months,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}
