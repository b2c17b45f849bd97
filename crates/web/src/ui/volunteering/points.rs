//! The points-policy page: each community's rule for turning hours into points, with its history.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::volunteering::points::PointsPolicy;

use super::communities;
use crate::extract::ApiQuery;
use crate::ui::{error_page, refused, render, see_other, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "volunteering/points_policy.html")]
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
    let can_manage = actor.abilities().manage_charity;
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
