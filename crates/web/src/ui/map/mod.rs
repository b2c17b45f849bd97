//! The place tree: browse from the user's top places down to buildings, add children, rename, move, archive.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::map::places::Place;
use wushe_app::people::households::Household;
use wushe_domain::map::place::PlaceKind;

use super::{error_page, render, see_other, FormErrors, PageCtx, PageUser};
use crate::AppState;

/// A place as a row on the page.
pub struct PlaceItem {
    /// The place.
    pub p: Place,
    /// Kind label.
    pub kind_label: String,
}

fn item(ctx: &PageCtx, p: Place) -> PlaceItem {
    PlaceItem {
        kind_label: ctx.t.pick(p.kind.label_zh(), p.kind.label_en()).to_owned(),
        p,
    }
}

#[derive(Template)]
#[template(path = "map/places.html")]
struct IndexPage {
    ctx: PageCtx,
    roots: Vec<PlaceItem>,
    can_create_root: bool,
    errors: FormErrors,
    name: String,
}

/// `GET /places`: the user's top places.
pub async fn index(State(s): State<AppState>, user: PageUser) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::map::places::roots(&s.app, &actor).await {
        Ok(roots) => {
            let can_create_root = wushe_app::map::places::may_create_roots(&actor);
            let roots = roots.into_iter().map(|p| item(&ctx, p)).collect();
            render(&IndexPage {
                ctx,
                roots,
                can_create_root,
                errors: FormErrors::default(),
                name: String::new(),
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// A kind offered for a new child.
pub struct KindOption {
    /// Code.
    pub code: &'static str,
    /// Label.
    pub label: String,
}

#[derive(Template)]
#[template(path = "map/place.html")]
struct ShowPage {
    ctx: PageCtx,
    place: PlaceItem,
    crumbs: Vec<Place>,
    children: Vec<PlaceItem>,
    child_kinds: Vec<KindOption>,
    can_manage: bool,
    can_write_people: bool,
    move_targets: Vec<Place>,
    households: Vec<Household>,
    tags: Vec<String>,
    errors: FormErrors,
    name: String,
}

async fn show_page(
    s: &AppState,
    user: PageUser,
    id: Uuid,
    errors: FormErrors,
    name: String,
) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let place = wushe_app::map::places::get(&s.app, &actor, id).await?;
        let crumbs = wushe_app::map::places::ancestors(&s.app, &actor, id).await?;
        let children = wushe_app::map::places::children(&s.app, &actor, id, true).await?;
        let mut move_targets = Vec::new();
        if matches!(
            place.kind,
            PlaceKind::Building | PlaceKind::Lane | PlaceKind::Grid
        ) {
            // Siblings of the parent inside the same community are where a building can move to.
            if let Some(parent) = crumbs.iter().rev().nth(1) {
                if let Some(grandparent) = parent.parent_id {
                    if let Ok(c) =
                        wushe_app::map::places::children(&s.app, &actor, grandparent, false).await
                    {
                        move_targets = c
                            .into_iter()
                            .filter(|p| p.id != parent.id && p.kind == parent.kind)
                            .collect();
                    }
                }
            }
        }
        let households = if place.kind.holds_households() {
            wushe_app::people::households::list(
                &s.app,
                &actor,
                &Default::default(),
                Some(id),
                None,
                Some(500),
            )
            .await?
            .items
        } else {
            Vec::new()
        };
        let tags = if place.kind == PlaceKind::Community {
            wushe_app::map::places::tags(&s.app, &actor, id)
                .await?
                .into_iter()
                .map(|t| t.tag)
                .collect()
        } else {
            Vec::new()
        };
        Ok::<_, wushe_app::AppError>((place, crumbs, children, move_targets, households, tags))
    };
    match load.await {
        Ok((place, crumbs, children, move_targets, households, tags)) => {
            let child_kinds = PlaceKind::ALL
                .iter()
                .filter(|k| k.parent_kinds().contains(&place.kind))
                .map(|k| KindOption {
                    code: k.as_str(),
                    label: ctx.t.pick(k.label_zh(), k.label_en()).to_owned(),
                })
                .collect();
            let at = wushe_app::map::places::may_at(&actor, &place);
            let (can_manage, can_write_people) = (at.manage, at.register_people);
            let children = children.into_iter().map(|p| item(&ctx, p)).collect();
            let place = item(&ctx, place);
            render(&ShowPage {
                ctx,
                place,
                crumbs,
                children,
                child_kinds,
                can_manage,
                can_write_people,
                move_targets,
                households,
                tags,
                errors,
                name,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /places/{id}`.
pub async fn show(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    show_page(&s, user, id, FormErrors::default(), String::new()).await
}

/// New place form.
#[derive(Debug, Deserialize)]
pub struct NewPlaceForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    parent_id: Option<String>,
}

/// `POST /places`.
pub async fn create(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<NewPlaceForm>,
) -> Response {
    let parent = f
        .parent_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<Uuid>().ok());
    match wushe_app::map::places::create(&s.app, &user.actor, &f.kind, &f.name, parent).await {
        Ok(p) => see_other(&format!("/places/{}", parent.unwrap_or(p.id)), "saved"),
        Err(e) => match (FormErrors::from_app(e, &user.ctx.t), parent) {
            (Ok(errs), Some(pid)) => show_page(&s, user, pid, errs, f.name).await,
            (Ok(errs), None) => {
                let PageUser { actor, ctx } = user;
                let roots = wushe_app::map::places::roots(&s.app, &actor)
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| item(&ctx, p))
                    .collect();
                render(&IndexPage {
                    ctx,
                    roots,
                    can_create_root: true,
                    errors: errs,
                    name: f.name,
                })
            }
            (Err(e), _) => error_page(user.ctx, e),
        },
    }
}

/// Rename form.
#[derive(Debug, Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    name: String,
}

/// `POST /places/{id}/rename`.
pub async fn rename(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<RenameForm>,
) -> Response {
    match wushe_app::map::places::rename(&s.app, &user.actor, id, &f.name).await {
        Ok(_) => see_other(&format!("/places/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(mut errs) => {
                if let Some(m) = errs.0.remove("name") {
                    errs.0.insert("rename".into(), m);
                }
                show_page(&s, user, id, errs, String::new()).await
            }
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    parent_id: Option<Uuid>,
    #[serde(default)]
    note: String,
}

/// `POST /places/{id}/move`.
pub async fn move_to(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<MoveForm>,
) -> Response {
    let Some(parent) = f.parent_id else {
        let mut e = FormErrors::default();
        e.0.insert("parent_id".into(), user.ctx.t.t("err-choose-target"));
        return show_page(&s, user, id, e, String::new()).await;
    };
    match wushe_app::map::places::move_to(&s.app, &user.actor, id, parent, &f.note).await {
        Ok(_) => see_other(&format!("/places/{id}"), "moved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => show_page(&s, user, id, errs, String::new()).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// `POST /places/{id}/archive`.
pub async fn archive(State(s): State<AppState>, user: PageUser, Path(id): Path<Uuid>) -> Response {
    match wushe_app::map::places::set_archived(&s.app, &user.actor, id, true).await {
        Ok(p) => see_other(
            &format!("/places/{}", p.parent_id.unwrap_or(id)),
            "archived",
        ),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => show_page(&s, user, id, errs, String::new()).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Tag form.
#[derive(Debug, Deserialize)]
pub struct TagForm {
    #[serde(default)]
    tag: String,
    sensitive: Option<String>,
}

/// `POST /places/{id}/tags`.
pub async fn add_tag(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<TagForm>,
) -> Response {
    match wushe_app::map::places::add_tag(&s.app, &user.actor, id, &f.tag, f.sensitive.is_some())
        .await
    {
        Ok(_) => see_other(&format!("/places/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => show_page(&s, user, id, errs, String::new()).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}
