//! Overdue alerts (超时预警): the job that flags every order step past its deadline and closes orders whose
//! evaluation period ran out, and the list a user sees for their area (`GET /alerts`, the home page).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::workflow::Named;
use wushe_store::service::alerts::AlertRow;
use wushe_store::Scope;

use crate::{Actor, App, AppError, AppResult};

/// One overdue step.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Alert {
    /// Id.
    pub id: Uuid,
    /// `order` or `event`.
    pub object_type: String,
    /// The order.
    pub object_id: Uuid,
    /// Where to open it.
    pub url: String,
    /// The status whose step is overdue.
    pub step: String,
    /// In Chinese, e.g. 待派单超时.
    pub label: String,
    /// What it is about.
    pub title: String,
    /// When it was due.
    pub due_at: DateTime<Utc>,
    /// When it was flagged.
    pub flagged_at: DateTime<Utc>,
}

fn view(a: AlertRow) -> Alert {
    let label = match a.object_type.as_str() {
        "order" => wushe_domain::service::order::Status::parse(&a.step)
            .map(|s| format!("工单{}超时", s.label_zh()))
            .unwrap_or_else(|| "工单超时".into()),
        "event" => wushe_domain::service::event::Status::parse(&a.step)
            .map(|s| format!("事件{}超时", s.label_zh()))
            .unwrap_or_else(|| "事件超时".into()),
        _ => "超时".into(),
    };
    Alert {
        id: a.id,
        url: format!("/{}s/{}", a.object_type, a.object_id),
        object_type: a.object_type,
        object_id: a.object_id,
        step: a.step,
        label,
        title: a.title,
        due_at: a.due_at,
        flagged_at: a.flagged_at,
    }
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    /// Steps newly flagged by this sweep.
    pub flagged: u64,
    /// Orders closed because their evaluation period ran out.
    pub closed: u64,
}

/// Flags every order and event step past due at `now` that is not flagged yet, and closes lapsed
/// evaluations. Safe
/// to run on several instances at once: a flag is one row under a unique index, a close is a guarded
/// status change, so each due item is handled once.
pub async fn sweep(app: &App, now: DateTime<Utc>) -> AppResult<Sweep> {
    let mut out = Sweep::default();
    loop {
        let due = {
            let mut c = app.db.read().await?;
            wushe_store::service::orders::due_unflagged(&mut c.conn(), now, 500).await?
        };
        if due.is_empty() {
            break;
        }
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        let mut raised = 0;
        for o in &due {
            let Some(due_at) = o.due_at else { continue };
            let title: String = format!("{}：{}", o.category, o.content)
                .chars()
                .take(60)
                .collect();
            let row = AlertRow {
                id: Uuid::now_v7(),
                community_id: o.community_id,
                place_path: o.place_path.clone(),
                object_type: "order".into(),
                object_id: o.id,
                step: o.status.clone(),
                due_at,
                flagged_at: now,
                cleared_at: None,
                title,
            };
            if wushe_store::service::alerts::raise_once(&mut c, &row).await? {
                raised += 1;
            }
        }
        tx.commit().await?;
        out.flagged += raised;
        if due.len() < 500 {
            break;
        }
    }
    loop {
        let due = {
            let mut c = app.db.read().await?;
            wushe_store::service::events::due_unflagged(&mut c.conn(), now, 500).await?
        };
        if due.is_empty() {
            break;
        }
        let mut tx = app.db.begin().await?;
        let mut c = tx.conn();
        for e in &due {
            let Some(due_at) = e.due_at else { continue };
            let row = AlertRow {
                id: Uuid::now_v7(),
                community_id: e.community_id,
                place_path: e.place_path.clone(),
                object_type: "event".into(),
                object_id: e.id,
                step: e.status.clone(),
                due_at,
                flagged_at: now,
                cleared_at: None,
                title: format!("{}：{}", e.category, e.description)
                    .chars()
                    .take(60)
                    .collect(),
            };
            if wushe_store::service::alerts::raise_once(&mut c, &row).await? {
                out.flagged += 1;
            }
        }
        tx.commit().await?;
        if due.len() < 500 {
            break;
        }
    }
    let lapsed = {
        let mut c = app.db.read().await?;
        wushe_store::service::orders::evaluation_lapsed(&mut c.conn(), now, 1000).await?
    };
    for id in lapsed {
        if crate::service::orders::close_lapsed(app, id, now).await? {
            out.closed += 1;
        }
    }
    Ok(out)
}

/// The open alerts in the caller's area (or under `place_id`), oldest due first: the station's orders and
/// the events at the levels the caller handles.
pub async fn list(app: &App, actor: &Actor, place_id: Option<Uuid>) -> AppResult<Vec<Alert>> {
    let mut scope = actor.scope_any(&[Permission::DispatchOrders, Permission::HandleEvents]);
    if scope == Scope::Paths(vec![]) {
        return Err(AppError::Forbidden);
    }
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    if let Some(pid) = place_id {
        let p = crate::map::places::load_visible(&mut c, actor, pid).await?;
        scope = scope.narrow(&p.path);
    }
    Ok(wushe_store::service::alerts::open(&mut c, &scope, 500)
        .await?
        .into_iter()
        .map(view)
        .collect())
}
