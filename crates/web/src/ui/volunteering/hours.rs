//! The service-hours page: the monthly chart of a community, street or district.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use uuid::Uuid;

use super::{communities, Fmt};
use crate::extract::ApiQuery;
use crate::ui::{error_page, render, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "volunteering/service_hours.html")]
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
pub async fn monthly(
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
            let chart = crate::ui::kernel::charts::hours_by_month(
                &months,
                &ctx.t.t("service-hours"),
                &ctx.t,
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
