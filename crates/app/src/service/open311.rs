//! Grid events as Open311 GeoReport v2, so existing Open311 clients and city dashboards can read and file
//! them: the service list (the event categories), requests (events) without personal data, and filing a
//! request with a key issued to a partner system and bound to a place.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use uuid::Uuid;
use wushe_domain::accounts::role::{Permission, Role};
use wushe_domain::kernel::workflow::Named;
use wushe_domain::service::event::{Status, DEFAULT_CATEGORIES};
use wushe_store::service::events::{EventFilter, EventRow};
use wushe_store::service::open311::KeyRow;
use wushe_store::Scope;

use crate::kernel::actor::Grant;
use crate::service::events::Report;
use crate::{Actor, App, AppError, AppResult};

/// One service (an event category).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Service {
    /// The code to file under (the category's name).
    pub service_code: String,
    /// Its name.
    pub service_name: String,
    /// What it covers.
    pub description: String,
    /// No extra attributes are defined.
    pub metadata: bool,
    /// Filed requests are handled by people, in real time.
    #[serde(rename = "type")]
    pub kind: String,
    /// Search words.
    pub keywords: String,
    /// The group services belong to.
    pub group: String,
}

/// The service list: every default category and every category a community added.
pub async fn services(app: &App) -> AppResult<Vec<Service>> {
    let mut names: Vec<String> = DEFAULT_CATEGORIES.iter().map(|s| s.to_string()).collect();
    let mut c = app.db.read().await?;
    for n in wushe_store::service::events::added_categories(&mut c.conn()).await? {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    Ok(names
        .into_iter()
        .map(|n| Service {
            service_code: n.clone(),
            description: format!("网格事件：{n}"),
            service_name: n,
            metadata: false,
            kind: "realtime".into(),
            keywords: String::new(),
            group: "网格事件".into(),
        })
        .collect())
}

/// One request (an event), with no reporter, household or photo: only what a public notice shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Request {
    /// The event's id.
    pub service_request_id: String,
    /// `open` / `closed`.
    pub status: String,
    /// The published result, or where it stands.
    pub status_notes: String,
    /// Category.
    pub service_name: String,
    /// Category code.
    pub service_code: String,
    /// What is wrong.
    pub description: String,
    /// Who handles it.
    pub agency_responsible: String,
    /// A notice about how it is handled.
    pub service_notice: String,
    /// Reported at.
    pub requested_datetime: DateTime<Utc>,
    /// Last change.
    pub updated_datetime: DateTime<Utc>,
    /// When the current step is due.
    pub expected_datetime: Option<DateTime<Utc>>,
    /// Where, in words.
    pub address: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    #[serde(rename = "long")]
    pub long: Option<f64>,
    /// Photos are not published.
    pub media_url: Option<String>,
}

fn request_of(e: EventRow) -> Request {
    let status = Status::parse(&e.status).unwrap_or(Status::Reported);
    Request {
        service_request_id: e.id.to_string(),
        status: status.open311().to_owned(),
        status_notes: e
            .result
            .clone()
            .unwrap_or_else(|| status.label_zh().to_owned()),
        service_name: e.category.clone(),
        service_code: e.category,
        // A report's own words are published only once the community accepted it: until then they are
        // a resident's unchecked text, which may name a neighbour or a door.
        description: if status == Status::Reported {
            String::new()
        } else {
            e.description
        },
        agency_responsible: if e.escalations > 0 {
            "上级（已上报）".into()
        } else {
            "网格".into()
        },
        service_notice: "小事不出网格，大事不出社区".into(),
        requested_datetime: e.created_at,
        updated_datetime: e.updated_at,
        expected_datetime: e.due_at,
        address: if status == Status::Reported {
            String::new()
        } else {
            e.location_text
        },
        lat: e.lat,
        long: e.lng,
        media_url: None,
    }
}

/// What a request list asks for.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// These ids only (overrides the rest).
    pub ids: Vec<Uuid>,
    /// This category only.
    pub service_code: Option<String>,
    /// Reported at or after (default: 90 days ago).
    pub start: Option<DateTime<Utc>>,
    /// Reported before (default: now).
    pub end: Option<DateTime<Utc>>,
    /// `open` / `closed`.
    pub status: Option<String>,
}

/// Requests, newest first (at most 1,000, over at most 90 days, as the standard suggests).
pub async fn requests(app: &App, q: Query) -> AppResult<Vec<Request>> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    if !q.ids.is_empty() {
        let mut out = Vec::new();
        for id in q.ids.iter().take(100) {
            if let Some(e) = wushe_store::service::events::get(&mut c, *id).await? {
                out.push(request_of(e));
            }
        }
        return Ok(out);
    }
    let end = q.end.unwrap_or_else(|| app.now());
    let start = q.start.unwrap_or(end - Duration::days(90));
    if start > end || end - start > Duration::days(90) {
        return Err(AppError::field(
            "start_date",
            "查询范围不能超过90天",
            "the range may not span more than 90 days",
        ));
    }
    let closed = match q.status.as_deref() {
        None | Some("") => None,
        Some("open") => Some(false),
        Some("closed") => Some(true),
        Some(_) => {
            return Err(AppError::field(
                "status",
                "status 应为 open 或 closed",
                "status must be open or closed",
            ))
        }
    };
    let f = EventFilter {
        category: q.service_code,
        from: Some(start),
        to: Some(end),
        closed,
        ..Default::default()
    };
    let rows = wushe_store::service::events::list(&mut c, &Scope::All, &f, None, 1000).await?;
    Ok(rows.into_iter().map(request_of).collect())
}

/// One request by id.
pub async fn request(app: &App, id: Uuid) -> AppResult<Request> {
    let mut c = app.db.read().await?;
    wushe_store::service::events::get(&mut c.conn(), id)
        .await?
        .map(request_of)
        .ok_or(AppError::NotFound)
}

/// What a partner system files.
#[derive(Debug, Clone, Default)]
pub struct Filing {
    /// The key.
    pub api_key: String,
    /// The category.
    pub service_code: String,
    /// What is wrong.
    pub description: String,
    /// Where, in words.
    pub address_string: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub long: Option<f64>,
    /// `attribute[grid_id]`: the grid, when the key is bound to a community.
    pub grid_id: Option<Uuid>,
}

/// A filed request's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Filed {
    /// The new event's id.
    pub service_request_id: String,
    /// What happens next.
    pub service_notice: String,
}

/// Files an event for the partner system holding the key: in the key's grid, or in the grid named by
/// `attribute[grid_id]` inside the key's community.
pub async fn file(app: &App, f: Filing) -> AppResult<Filed> {
    let key = {
        let mut c = app.db.read().await?;
        wushe_store::service::open311::by_hash(
            &mut c.conn(),
            &crate::kernel::crypto::token_hash(f.api_key.trim()),
        )
        .await?
    }
    .ok_or(AppError::Unauthorized)?;
    if f.service_code.trim().is_empty() {
        return Err(AppError::field(
            "service_code",
            "service_code 不能为空",
            "service_code is required",
        ));
    }
    let place = {
        let mut c = app.db.read().await?;
        wushe_store::map::places::get(&mut c.conn(), key.place_id)
            .await?
            .ok_or(AppError::Unauthorized)?
    };
    let grid_id = match (place.kind.as_str(), f.grid_id) {
        ("grid", _) => place.id,
        (_, Some(g)) => g,
        _ => {
            return Err(AppError::field(
                "attribute[grid_id]",
                "此密钥属于社区，请用 attribute[grid_id] 指明网格",
                "this key belongs to a community: name the grid in attribute[grid_id]",
            ))
        }
    };
    let actor = key_actor(&key);
    let e = crate::service::events::report(
        app,
        &actor,
        Report {
            grid_id: Some(grid_id),
            category: f.service_code,
            description: f.description,
            location_text: f.address_string,
            lat: f.lat,
            lng: f.long,
            photos: vec![],
        },
        "open311",
    )
    .await
    .map_err(|e| match e {
        AppError::Validation(mut v) if v.first().is_some_and(|x| x.field == "category") => {
            v[0].field = "service_code".into();
            AppError::Validation(v)
        }
        e => e,
    })?;
    Ok(Filed {
        service_request_id: e.id.to_string(),
        service_notice: "已上报网格，网格员将受理".into(),
    })
}

/// The caller a key files as: someone who may report in the key's place and nothing more.
fn key_actor(k: &KeyRow) -> Actor {
    Actor {
        user_id: Uuid::nil(),
        username: format!("open311:{}", k.name),
        display_name: k.name.clone(),
        locale: "zh-CN".into(),
        grants: Arc::from(vec![Grant {
            role: Role::Resident,
            place_id: Some(k.place_id),
            path: k.place_path.clone(),
            place_name: None,
        }]),
        ip: None,
        session_id: None,
    }
}

/// A key as its issuer sees it (the key itself only once, at issue).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuedKey {
    /// Id.
    pub id: Uuid,
    /// Which system holds it.
    pub name: String,
    /// The place it files in.
    pub place_id: Uuid,
    /// The key: shown this once.
    pub api_key: String,
}

/// Issues a key to a partner system for a community or grid the caller runs.
pub async fn issue_key(
    app: &App,
    actor: &Actor,
    name: &str,
    place_id: Option<Uuid>,
) -> AppResult<IssuedKey> {
    let name = wushe_domain::kernel::text::clean(name);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::service::limits::OPEN311_CLIENT_NAME.check(&name, &mut errs);
    errs.into_result(())?;
    let place_id = place_id
        .ok_or_else(|| AppError::field("place_id", "请选择社区或网格", "place_id is required"))?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let place = crate::map::places::load_visible(&mut c, actor, place_id).await?;
    if !matches!(place.kind.as_str(), "community" | "grid") {
        return Err(AppError::field(
            "place_id",
            "密钥只能发给社区或网格",
            "keys are issued for a community or a grid",
        ));
    }
    if !actor.can(Permission::DispatchOrders, &place.path) {
        return Err(AppError::Forbidden);
    }
    let key = crate::kernel::crypto::new_token();
    let row = KeyRow {
        id: Uuid::now_v7(),
        name: name.clone(),
        key_hash: crate::kernel::crypto::token_hash(&key),
        place_id: place.id,
        place_path: place.path.clone(),
        created_by: actor.author(),
        created_at: app.now(),
        revoked_at: None,
    };
    wushe_store::service::open311::insert(&mut c, &row).await?;
    crate::kernel::audit::record(
        &mut c,
        actor,
        crate::kernel::audit::Entry {
            action: "open311.key",
            object_type: "open311_key",
            object_id: Some(row.id),
            place_path: Some(&place.path),
            community_id: place.community_id,
            detail: serde_json::json!({"name": name}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedKey {
        id: row.id,
        name,
        place_id: place.id,
        api_key: key,
    })
}
