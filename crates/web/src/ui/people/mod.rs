//! Household and resident pages: lists with filters, search, paging and export; forms; the masked record.

pub mod imports;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;
use wushe_app::map::places::Place;
use wushe_app::people::households::Household;
use wushe_app::people::residents::{Resident, ResidentInput, ResidentPatch};

use super::{
    error_page, refused, render, render_form, see_other, urlencode, FormErrors, PageCtx, PageUser,
};
use crate::api::people::{HouseholdQuery, ResidentQuery};
use crate::extract::ApiQuery;
use crate::AppState;

fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", urlencode(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[derive(Template)]
#[template(path = "people/households.html")]
struct HouseholdsPage {
    ctx: PageCtx,
    items: Vec<Household>,
    next: String,
    q: String,
    tag: String,
    place_id: String,
    qs: String,
    can_export: bool,
}

/// `GET /households`.
pub async fn households(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<HouseholdQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::people::households::list(
        &s.app,
        &actor,
        &q.filter(),
        q.place_id,
        q.cursor.as_deref(),
        q.limit,
    )
    .await
    {
        Ok(page) => {
            let base = query_string(&[
                ("q", q.q.clone()),
                ("tag", q.tag.clone()),
                ("place_id", q.place_id.map(|p| p.to_string())),
            ]);
            let next = page
                .next_cursor
                .map(|c| format!("/households?{base}&cursor={c}"))
                .unwrap_or_default();
            render(&HouseholdsPage {
                ctx,
                items: page.items,
                next,
                q: q.q.unwrap_or_default(),
                tag: q.tag.unwrap_or_default(),
                place_id: q.place_id.map(|p| p.to_string()).unwrap_or_default(),
                qs: base,
                can_export: actor.abilities().export_people,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

#[derive(Template)]
#[template(path = "people/household_new.html")]
struct NewHouseholdPage {
    ctx: PageCtx,
    buildings: Vec<Place>,
    place_id: String,
    address: String,
    tags: String,
    errors: FormErrors,
}

/// New household query.
#[derive(Debug, Deserialize)]
pub struct PlaceIdQuery {
    place_id: Option<Uuid>,
}

async fn buildings_for(s: &AppState, actor: &wushe_app::Actor) -> Vec<Place> {
    let mut out =
        wushe_app::map::places::list(&s.app, actor, Some("building"), None, None, Some(500))
            .await
            .map(|p| p.items)
            .unwrap_or_default();
    out.extend(
        wushe_app::map::places::list(&s.app, actor, Some("lane"), None, None, Some(500))
            .await
            .map(|p| p.items)
            .unwrap_or_default(),
    );
    out
}

/// `GET /households/new`.
pub async fn new_household(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<PlaceIdQuery>,
) -> Response {
    let buildings = buildings_for(&s, &user.actor).await;
    render(&NewHouseholdPage {
        ctx: user.ctx,
        buildings,
        place_id: q.place_id.map(|p| p.to_string()).unwrap_or_default(),
        address: String::new(),
        tags: String::new(),
        errors: FormErrors::default(),
    })
}

/// Household form.
#[derive(Debug, Deserialize)]
pub struct HouseholdForm {
    #[serde(default)]
    place_id: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    tags: String,
}

/// `POST /households`.
pub async fn create_household(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<HouseholdForm>,
) -> Response {
    let tags = wushe_domain::people::resident::split_tags(&f.tags);
    let result = match f.place_id.parse::<Uuid>() {
        Ok(pid) => {
            wushe_app::people::households::create(&s.app, &user.actor, pid, &f.address, &tags).await
        }
        Err(_) => Err(wushe_app::AppError::field(
            "place_id",
            "请选择楼栋或街巷",
            "choose a building or lane",
        )),
    };
    match result {
        Ok(h) => see_other(&format!("/households/{}", h.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errors) => {
                let buildings = buildings_for(&s, &user.actor).await;
                refused(render(&NewHouseholdPage {
                    ctx: user.ctx,
                    buildings,
                    place_id: f.place_id,
                    address: f.address,
                    tags: f.tags,
                    errors,
                }))
            }
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "people/household.html")]
struct HouseholdPage {
    ctx: PageCtx,
    h: Household,
    residents: Vec<Resident>,
    can_write: bool,
    can_erase: bool,
    errors: FormErrors,
    tags_text: String,
}

async fn household_page(s: &AppState, user: PageUser, id: Uuid, errors: FormErrors) -> Response {
    let PageUser { actor, ctx } = user;
    let load = async {
        let h = wushe_app::people::households::get(&s.app, &actor, id).await?;
        let f = wushe_app::people::residents::ResidentSearch {
            household_id: Some(id),
            ..Default::default()
        };
        let residents =
            wushe_app::people::residents::list(&s.app, &actor, &f, None, None, Some(100))
                .await?
                .items;
        Ok::<_, wushe_app::AppError>((h, residents))
    };
    match load.await {
        Ok((h, residents)) => {
            let can_write = actor.abilities().write_people;
            let tags_text = h.tags.join("、");
            render(&HouseholdPage {
                ctx,
                h,
                residents,
                can_write,
                can_erase: actor.abilities().manage_users,
                errors,
                tags_text,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// `GET /households/{id}`.
pub async fn household(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    household_page(&s, user, id, FormErrors::default()).await
}

/// `POST /households/{id}/edit`.
pub async fn update_household(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<HouseholdForm>,
) -> Response {
    let tags = wushe_domain::people::resident::split_tags(&f.tags);
    match wushe_app::people::households::update(
        &s.app,
        &user.actor,
        id,
        Some(&f.address),
        Some(&tags),
    )
    .await
    {
        Ok(_) => see_other(&format!("/households/{id}"), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => household_page(&s, user, id, errs).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "people/residents.html")]
struct ResidentsPage {
    ctx: PageCtx,
    items: Vec<Resident>,
    next: String,
    name: String,
    address: String,
    tag: String,
    place_id: String,
    qs: String,
    tags: Vec<String>,
    can_export: bool,
    can_unmask: bool,
}

/// `GET /residents` (htmx searches pick the result list out of the same page with `hx-select`).
pub async fn residents(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<ResidentQuery>,
) -> Response {
    let PageUser { actor, ctx } = user;
    match wushe_app::people::residents::list(
        &s.app,
        &actor,
        &q.filter(),
        q.place_id,
        q.cursor.as_deref(),
        q.limit,
    )
    .await
    {
        Ok(page) => {
            let name = q.name.clone().or(q.q.clone()).unwrap_or_default();
            let base = query_string(&[
                ("name", Some(name.clone())),
                ("address", q.address.clone()),
                ("tag", q.tag.clone()),
                ("place_id", q.place_id.map(|p| p.to_string())),
            ]);
            let next = page
                .next_cursor
                .map(|c| format!("/residents?{base}&cursor={c}"))
                .unwrap_or_default();
            render(&ResidentsPage {
                ctx,
                items: page.items,
                next,
                name,
                address: q.address.unwrap_or_default(),
                tag: q.tag.unwrap_or_default(),
                place_id: q.place_id.map(|p| p.to_string()).unwrap_or_default(),
                qs: base,
                tags: wushe_domain::people::resident::DEFAULT_TAGS
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                can_export: actor.abilities().export_people,
                can_unmask: actor.abilities().unmask_pii,
            })
        }
        Err(e) => error_page(ctx, e),
    }
}

/// Form values of a resident, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResidentForm {
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    relation: String,
    #[serde(default)]
    tags: String,
    /// "1" when the edit form showed the stored ID number and phone in clear: only then does an empty
    /// field mean "clear it"; otherwise it means "keep what is stored".
    #[serde(default)]
    pii_shown: String,
}

impl ResidentForm {
    /// The correction this edit form asks for; every field the form shows is sent.
    fn to_patch(&self) -> Result<ResidentPatch, wushe_app::AppError> {
        let input = self.to_input()?;
        let shown = self.pii_shown == "1";
        let secret = |v: Option<String>| match v {
            Some(v) => Some(Some(v)),
            None if shown => Some(None),
            None => None,
        };
        Ok(ResidentPatch {
            household_id: input.household_id,
            name: Some(input.name),
            sex: input.sex.map(Some),
            birth_date: Some(input.birth_date),
            id_number: secret(input.id_number),
            phone: secret(input.phone),
            relation: Some(input.relation),
            tags: Some(input.tags),
        })
    }

    fn to_input(&self) -> Result<ResidentInput, wushe_app::AppError> {
        let birth_date = match self.birth_date.trim() {
            "" => None,
            s => Some(
                wushe_domain::people::import::parse_date(s)
                    .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .ok_or_else(|| {
                        wushe_app::AppError::field(
                            "birth_date",
                            "出生日期格式应为 YYYY-MM-DD",
                            "birth date must be YYYY-MM-DD",
                        )
                    })?,
            ),
        };
        let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(ResidentInput {
            household_id: self.household_id.parse().ok(),
            name: self.name.clone(),
            sex: opt(&self.sex),
            birth_date,
            id_number: opt(&self.id_number),
            phone: opt(&self.phone),
            relation: opt(&self.relation),
            tags: wushe_domain::people::resident::split_tags(&self.tags),
        })
    }
}

#[derive(Template)]
#[template(path = "people/resident_form.html")]
struct ResidentFormPage {
    ctx: PageCtx,
    action: String,
    household: Option<Household>,
    f: ResidentForm,
    errors: FormErrors,
    relations: Vec<&'static str>,
    dict: Vec<String>,
    editing: bool,
}

async fn form_page(
    s: &AppState,
    user: PageUser,
    action: String,
    f: ResidentForm,
    errors: FormErrors,
    editing: bool,
) -> Response {
    let PageUser { actor, ctx } = user;
    let household = match f.household_id.parse::<Uuid>() {
        Ok(id) => wushe_app::people::households::get(&s.app, &actor, id)
            .await
            .ok(),
        Err(_) => None,
    };
    let dict = match &household {
        Some(h) => wushe_app::map::places::tags(&s.app, &actor, h.community_id)
            .await
            .map(|t| t.into_iter().map(|t| t.tag).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let bad = !errors.is_empty();
    render_form(
        &ResidentFormPage {
            ctx,
            action,
            household,
            f,
            errors,
            relations: wushe_domain::people::resident::RELATIONS.to_vec(),
            dict,
            editing,
        },
        bad,
    )
}

/// New resident query.
#[derive(Debug, Deserialize)]
pub struct HouseholdIdQuery {
    household_id: Option<Uuid>,
}

/// `GET /residents/new?household_id=`.
pub async fn new_resident(
    State(s): State<AppState>,
    user: PageUser,
    ApiQuery(q): ApiQuery<HouseholdIdQuery>,
) -> Response {
    let f = ResidentForm {
        household_id: q.household_id.map(|h| h.to_string()).unwrap_or_default(),
        ..Default::default()
    };
    form_page(
        &s,
        user,
        "/residents".into(),
        f,
        FormErrors::default(),
        false,
    )
    .await
}

/// `POST /residents`.
pub async fn create_resident(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ResidentForm>,
) -> Response {
    let result = match f.to_input() {
        Ok(input) => wushe_app::people::residents::create(&s.app, &user.actor, &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => see_other(&format!("/residents/{}", r.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => form_page(&s, user, "/residents".into(), f, errs, false).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

#[derive(Template)]
#[template(path = "people/resident.html")]
struct ResidentPage {
    ctx: PageCtx,
    r: Resident,
    sex_label: String,
    can_write: bool,
    can_unmask: bool,
    can_erase: bool,
    moves: Vec<String>,
    errors: FormErrors,
}

/// Unmask query.
#[derive(Debug, Deserialize)]
pub struct UnmaskQuery {
    unmask: Option<String>,
}

async fn resident_page(
    s: &AppState,
    user: PageUser,
    id: Uuid,
    unmask: bool,
    errors: FormErrors,
) -> Response {
    let PageUser { actor, ctx } = user;
    let r = match wushe_app::people::residents::get(&s.app, &actor, id, unmask).await {
        Ok(r) => r,
        Err(e) => return error_page(ctx, e),
    };
    let sex_label = wushe_domain::people::sex::Sex::parse(&r.sex)
        .map(|x| ctx.t.pick(x.label_zh(), x.label_en()).to_owned())
        .unwrap_or_default();
    let moves = wushe_app::people::residents::history(&s.app, &actor, id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            format!(
                "{} {}",
                wushe_domain::kernel::time::format_local(m.at),
                m.note
            )
        })
        .collect();
    let can_write = actor.abilities().write_people;
    let can_unmask = actor.abilities().unmask_pii;
    let can_erase = actor.abilities().manage_users;
    render(&ResidentPage {
        ctx,
        r,
        sex_label,
        can_write,
        can_unmask,
        can_erase,
        moves,
        errors,
    })
}

/// `GET /residents/{id}` (masked; `?unmask=1` shows the ID number and phone and is audited).
pub async fn resident(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    ApiQuery(q): ApiQuery<UnmaskQuery>,
) -> Response {
    resident_page(
        &s,
        user,
        id,
        crate::api::flag(&q.unmask),
        FormErrors::default(),
    )
    .await
}

/// `GET /residents/{id}/edit`: the form with the stored values (unmasked, since editing needs them; audited).
pub async fn edit_resident(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    let may_unmask = user.actor.abilities().unmask_pii;
    let r = match wushe_app::people::residents::get(&s.app, &user.actor, id, may_unmask).await {
        Ok(r) => r,
        Err(e) => return error_page(user.ctx, e),
    };
    let f = ResidentForm {
        household_id: r.household_id.to_string(),
        name: r.name,
        sex: r.sex,
        birth_date: r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
        id_number: if r.masked {
            String::new()
        } else {
            r.id_number.unwrap_or_default()
        },
        phone: if r.masked {
            String::new()
        } else {
            r.phone.unwrap_or_default()
        },
        relation: r.relation.unwrap_or_default(),
        tags: r.tags.join("、"),
        pii_shown: if r.masked { "" } else { "1" }.into(),
    };
    form_page(
        &s,
        user,
        format!("/residents/{id}"),
        f,
        FormErrors::default(),
        true,
    )
    .await
}

/// `POST /residents/{id}`: saves a correction.
pub async fn update_resident(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<ResidentForm>,
) -> Response {
    let result = match f.to_patch() {
        Ok(patch) => wushe_app::people::residents::update(&s.app, &user.actor, id, &patch).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => see_other(&format!("/residents/{}", r.id), "saved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => form_page(&s, user, format!("/residents/{id}"), f, errs, true).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    household_id: String,
    #[serde(default)]
    note: String,
}

/// `POST /residents/{id}/move`.
pub async fn move_resident(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
    Form(f): Form<MoveForm>,
) -> Response {
    let result = match f.household_id.trim().parse::<Uuid>() {
        Ok(h) => wushe_app::people::residents::move_to(&s.app, &user.actor, id, h, &f.note).await,
        Err(_) => Err(wushe_app::AppError::field(
            "household_id",
            "请填写目标住户编号",
            "enter the target household id",
        )),
    };
    match result {
        Ok(_) => see_other(&format!("/residents/{id}"), "moved"),
        Err(e) => match FormErrors::from_app(e, &user.ctx.t) {
            Ok(errs) => resident_page(&s, user, id, false, errs).await,
            Err(e) => error_page(user.ctx, e),
        },
    }
}

/// Erasure form (from a resident's, household's or volunteer's page).
#[derive(Debug, Deserialize)]
pub struct ErasureForm {
    subject_type: String,
    subject_id: Uuid,
    #[serde(default)]
    basis: String,
}

/// `POST /erasures`: erases the personal text kept about the page's subject, then goes back to it.
pub async fn erase(
    State(s): State<AppState>,
    user: PageUser,
    Form(f): Form<ErasureForm>,
) -> Response {
    let input = wushe_app::kernel::erasure::ErasureInput {
        subject_type: f.subject_type,
        subject_id: f.subject_id,
        basis: f.basis,
    };
    match wushe_app::kernel::erasure::erase(&s.app, &user.actor, &input).await {
        Ok(done) => {
            let back = match done.subject_type.as_str() {
                "household" => "households",
                "volunteer" => "volunteers",
                _ => "residents",
            };
            see_other(&format!("/{back}/{}", done.subject_id), "erased")
        }
        Err(e) => error_page(user.ctx, e),
    }
}

/// `POST /residents/{id}/archive`.
pub async fn archive_resident(
    State(s): State<AppState>,
    user: PageUser,
    Path(id): Path<Uuid>,
) -> Response {
    match wushe_app::people::residents::set_archived(&s.app, &user.actor, id, true).await {
        Ok(_) => see_other(&format!("/residents/{id}"), "archived"),
        Err(e) => error_page(user.ctx, e),
    }
}
