//! Team pages: the teams of a community, each with its members and their monthly hours.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::volunteering::volunteers::Team;
use wushe_app::AppError;

use super::{communities, Fmt};
use crate::ui::{error_page, refused, render, see_other, FormErrors, PageCtx, PageUser};
use crate::AppState;

#[derive(Template)]
#[template(path = "volunteering/teams.html")]
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
            let can_manage = actor.abilities().manage_volunteers;
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
pub async fn index(State(s): State<AppState>, user: PageUser) -> Response {
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
pub async fn create(
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
#[template(path = "volunteering/team.html")]
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
            let chart = crate::ui::kernel::charts::hours_by_month(
                &months,
                &ctx.t.t("service-hours"),
                &ctx.t,
            );
            let can_manage = actor.abilities().manage_volunteers;
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
pub async fn show(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
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
