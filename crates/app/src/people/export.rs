//! Exporting resident and household lists (with the same filters as the screen) to .xlsx.
//!
//! The resident export uses the import layout, so an exported file can be corrected and imported back.
//! Sensitive fields are masked unless the caller asked to unmask and may do so; every export is audited.

use std::collections::HashMap;

use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::people::import::RESIDENT_HEADERS;
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::kernel::sheet::write_sheet_apart;
use crate::people::households::tags_of;
use crate::{Actor, App, AppError, AppResult};

/// The most rows one export writes (a street office's whole register fits).
pub const MAX_ROWS: usize = 200_000;

/// Resolves building ids to (grid name, building name), caching.
async fn place_names(
    c: &mut Conn<'_>,
    cache: &mut HashMap<Uuid, (String, String)>,
    building: Uuid,
) -> AppResult<(String, String)> {
    if let Some(v) = cache.get(&building) {
        return Ok(v.clone());
    }
    let b = wushe_store::map::places::get(c, building)
        .await?
        .ok_or(AppError::NotFound)?;
    let grid = match b.parent_id {
        Some(g) => wushe_store::map::places::get(c, g)
            .await?
            .map(|g| g.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let v = (grid, b.name);
    cache.insert(building, v.clone());
    Ok(v)
}

/// Exports the residents matching a filter; returns the file and how many rows it holds.
pub async fn residents(
    app: &App,
    actor: &Actor,
    search: &crate::people::residents::ResidentSearch,
    under_place: Option<Uuid>,
    unmask: bool,
) -> AppResult<(Vec<u8>, usize)> {
    if !actor.has_anywhere(Permission::ExportPeople) {
        return Err(AppError::Forbidden);
    }
    let scope = actor.scope(Permission::ExportPeople);
    let mut f = search.filter();
    // A read on a reader connection: a long export never holds the writer (on SQLite, every write).
    let mut rc = app.db.read().await?;
    let mut c = rc.conn();
    if let Some(pid) = under_place {
        f.under_path = Some(
            crate::map::places::load_visible(&mut c, actor, pid)
                .await?
                .path,
        );
    }
    f.secrets = unmask;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cache = HashMap::new();
    let mut after = None;
    let mut unmasked = 0usize;
    loop {
        let batch =
            wushe_store::people::residents::list(&mut c, &scope, &f, after.clone(), 500).await?;
        let done = batch.len() < 500;
        for r in batch {
            after = Some((r.place_path.clone(), r.id));
            let (grid, building) = place_names(&mut c, &mut cache, r.place_id).await?;
            let clear = unmask && actor.can(Permission::UnmaskPii, &r.place_path);
            let (id_number, phone) = if clear {
                unmasked += 1;
                (
                    r.id_number_enc
                        .as_deref()
                        .map(|b| app.crypto.decrypt_or_mark(b))
                        .unwrap_or_default(),
                    r.phone_enc
                        .as_deref()
                        .map(|b| app.crypto.decrypt_or_mark(b))
                        .unwrap_or_default(),
                )
            } else {
                (
                    r.id_number_mask.clone().unwrap_or_default(),
                    r.phone_mask.clone().unwrap_or_default(),
                )
            };
            rows.push(vec![
                r.name,
                wushe_domain::people::sex::Sex::parse(&r.sex)
                    .map(|s| s.label_zh().to_owned())
                    .unwrap_or_default(),
                id_number,
                phone,
                r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                grid,
                building,
                r.address,
                r.relation.unwrap_or_default(),
                tags_of(&r.tags).join("、"),
            ]);
        }
        if done || rows.len() >= MAX_ROWS {
            break;
        }
    }
    rows.truncate(MAX_ROWS);
    let (bytes, n) = write_sheet_apart("居民", &RESIDENT_HEADERS, rows).await?;
    audit::record_alone(
        app,
        actor,
        Entry {
            action: if unmasked > 0 {
                "resident.export_unmasked"
            } else {
                "resident.export"
            },
            object_type: "resident",
            object_id: None,
            place_path: f
                .under_path
                .as_deref()
                .or(actor.grants.first().map(|g| g.path.as_str())),
            community_id: None,
            detail: json!({"rows": n, "unmasked_rows": unmasked, "tag": f.tag, "name": f.name}),
        },
    )
    .await?;
    Ok((bytes, n))
}

/// Exports the households matching a filter.
pub async fn households(
    app: &App,
    actor: &Actor,
    search: &crate::people::households::HouseholdSearch,
    under_place: Option<Uuid>,
) -> AppResult<(Vec<u8>, usize)> {
    if !actor.has_anywhere(Permission::ExportPeople) {
        return Err(AppError::Forbidden);
    }
    let scope = actor.scope(Permission::ExportPeople);
    let mut f = search.filter();
    // A read on a reader connection: a long export never holds the writer (on SQLite, every write).
    let mut rc = app.db.read().await?;
    let mut c = rc.conn();
    if let Some(pid) = under_place {
        f.under_path = Some(
            crate::map::places::load_visible(&mut c, actor, pid)
                .await?
                .path,
        );
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cache = HashMap::new();
    let mut after = None;
    loop {
        let batch =
            wushe_store::people::households::list(&mut c, &scope, &f, after.clone(), 500).await?;
        let done = batch.len() < 500;
        for h in batch {
            after = Some((h.place_path.clone(), h.address.clone(), h.id));
            let (grid, building) = place_names(&mut c, &mut cache, h.place_id).await?;
            rows.push(vec![
                grid,
                building,
                h.address,
                tags_of(&h.tags).join("、"),
                h.resident_count.to_string(),
            ]);
        }
        if done || rows.len() >= MAX_ROWS {
            break;
        }
    }
    rows.truncate(MAX_ROWS);
    let (bytes, n) =
        write_sheet_apart("住户", &["网格", "楼栋", "门牌", "标签", "居民人数"], rows).await?;
    audit::record_alone(
        app,
        actor,
        Entry {
            action: "household.export",
            object_type: "household",
            object_id: None,
            place_path: f
                .under_path
                .as_deref()
                .or(actor.grants.first().map(|g| g.path.as_str())),
            community_id: None,
            detail: json!({"rows": n, "tag": f.tag}),
        },
    )
    .await?;
    Ok((bytes, n))
}

/// Exports audit entries (auditors only).
pub async fn audit_log(
    app: &App,
    actor: &Actor,
    search: &crate::kernel::audit::AuditSearch,
) -> AppResult<(Vec<u8>, usize)> {
    let f = &search.filter();
    if !actor.has_anywhere(Permission::ReadAudit) {
        return Err(AppError::Forbidden);
    }
    let scope = actor.scope(Permission::ReadAudit);
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    let mut rows = Vec::new();
    let mut before = None;
    loop {
        let batch = wushe_store::kernel::audit::list(&mut conn, &scope, f, before, 500).await?;
        let done = batch.len() < 500;
        for e in batch {
            before = Some(e.id);
            rows.push(vec![
                wushe_domain::kernel::time::format_local(e.at),
                e.actor_name,
                e.action,
                e.object_type,
                e.object_id.map(|i| i.to_string()).unwrap_or_default(),
                e.ip.unwrap_or_default(),
                e.detail,
            ]);
        }
        if done || rows.len() >= MAX_ROWS {
            break;
        }
    }
    drop(c);
    let (bytes, n) = write_sheet_apart(
        "审计日志",
        &["时间", "操作人", "操作", "对象类型", "对象", "IP", "详情"],
        rows,
    )
    .await?;
    crate::kernel::audit::record_reading(app, actor, "audit.export", f, n).await?;
    Ok((bytes, n))
}
