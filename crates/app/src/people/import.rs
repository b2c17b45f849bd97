//! Importing residents from the spreadsheets communities keep today.
//!
//! Columns 姓名 性别 身份证号 联系电话 出生日期 网格 楼栋 门牌 与户主关系 标签; 网格 and 楼栋 are names looked up
//! inside the caller's area; a household is found or created by 楼栋 + 门牌; a known ID number updates
//! instead of creating, so importing the same file twice creates nothing new. An optional 社区 column names
//! the community, for callers whose area holds several grids of the same name (第一网格 is in every one). All valid rows are written in
//! one transaction (or none, on any failure); a dry run makes the same checks on a reader connection and
//! writes only its record and audit row, so checking a large sheet never holds the writer.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::people::import::{header_map, parse_row, RowError, RESIDENT_HEADERS};
use wushe_store::map::places::PlaceRow;
use wushe_store::{Conn, Scope};

use crate::kernel::audit::{self, Entry};
use crate::kernel::cache::Stale;
use crate::kernel::sheet::{read_first_sheet_apart, write_sheet, Cell};
use crate::people::residents::to_write;
use crate::{Actor, App, AppError, AppResult};

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Residents created.
    pub created: i64,
    /// Residents whose data changed.
    pub updated: i64,
    /// Residents already exactly as in the file.
    pub unchanged: i64,
    /// Households created on the way.
    pub households_created: i64,
    /// Rows refused, each with the column and a Chinese message.
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<RowError>,
    /// True when nothing was written.
    pub dry_run: bool,
}

/// The import template: the headers and one example row.
pub fn template() -> AppResult<Vec<u8>> {
    write_sheet(
        "居民",
        &RESIDENT_HEADERS,
        &[vec![
            "张三".into(),
            "男".into(),
            "430104195003070016".into(),
            "13800138000".into(),
            "1950-03-07".into(),
            "第一网格".into(),
            "1栋".into(),
            "1单元101".into(),
            "户主".into(),
            "独居老人、党员".into(),
        ]],
    )
}

/// A building found, or the column and message saying why not.
type Lookup = Result<PlaceRow, (String, String)>;

struct Resolver {
    scope: Scope,
    grids: HashMap<String, Result<PlaceRow, String>>,
    buildings: HashMap<(Option<String>, String), Lookup>,
}

impl Resolver {
    fn new(scope: Scope) -> Resolver {
        Resolver {
            scope,
            grids: HashMap::new(),
            buildings: HashMap::new(),
        }
    }

    async fn grid(&mut self, c: &mut Conn<'_>, name: &str) -> AppResult<Result<PlaceRow, String>> {
        if let Some(r) = self.grids.get(name) {
            return Ok(r.clone());
        }
        let found = wushe_store::map::places::find_in_scope(c, &self.scope, "grid", name).await?;
        let r = match found.len() {
            0 => Err(format!("网格“{name}”不在您的辖区内")),
            1 => Ok(found.into_iter().next().expect("one")),
            _ => Err(format!(
                "辖区内有多个名为“{name}”的网格，请联系管理员区分名称"
            )),
        };
        self.grids.insert(name.to_owned(), r.clone());
        Ok(r)
    }

    /// Finds the building (or lane) by name, under the named grid when given.
    async fn building(
        &mut self,
        c: &mut Conn<'_>,
        grid: Option<&str>,
        name: &str,
    ) -> AppResult<Lookup> {
        let key = (grid.map(str::to_owned), name.to_owned());
        if let Some(r) = self.buildings.get(&key) {
            return Ok(r.clone());
        }
        let r = match grid {
            Some(g) => match self.grid(c, g).await? {
                Err(m) => Err(("网格".to_owned(), m)),
                Ok(gp) => match wushe_store::map::places::find_child_by_name(c, gp.id, name).await?
                {
                    Some(b) if b.kind == "building" || b.kind == "lane" => Ok(b),
                    _ => Err((
                        "楼栋".to_owned(),
                        format!("网格“{g}”下没有名为“{name}”的楼栋或街巷"),
                    )),
                },
            },
            None => {
                let mut found =
                    wushe_store::map::places::find_in_scope(c, &self.scope, "building", name)
                        .await?;
                found.extend(
                    wushe_store::map::places::find_in_scope(c, &self.scope, "lane", name).await?,
                );
                match found.len() {
                    0 => Err((
                        "楼栋".to_owned(),
                        format!("您的辖区内没有名为“{name}”的楼栋或街巷"),
                    )),
                    1 => Ok(found.into_iter().next().expect("one")),
                    _ => Err((
                        "楼栋".to_owned(),
                        format!("辖区内有多个“{name}”，请填写所属网格"),
                    )),
                }
            }
        };
        self.buildings.insert(key, r.clone());
        Ok(r)
    }
}

/// A row refused, naming the column (by its Chinese header) and why.
pub(crate) fn row_error(row: usize, field: &str, message: impl Into<String>) -> RowError {
    RowError {
        row,
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The refusal of a row whose ID number Excel kept as a number (its last digits may be gone), if so.
pub(crate) fn id_number_as_number(
    row: usize,
    cells: &[Cell],
    col: Option<usize>,
) -> Option<RowError> {
    let cell = cells.get(col?)?;
    (cell.numeric && cell.text.len() >= 15).then(|| {
        row_error(
            row,
            "身份证号",
            "身份证号被Excel存成了数字，末几位可能已丢失；请把该列设为文本格式后重新填写",
        )
    })
}

/// Imports residents from an .xlsx file.
pub async fn residents(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    dry_run: bool,
) -> AppResult<ImportReport> {
    if !actor.has_anywhere(Permission::ImportPeople) {
        return Err(AppError::Forbidden);
    }
    let sheet = read_first_sheet_apart(bytes).await?;
    let map = header_map(&sheet.headers).map_err(|missing| {
        AppError::upload(
            missing.join("；"),
            format!("missing headers: {}", missing.len()),
        )
    })?;
    let mut report = ImportReport {
        created: 0,
        updated: 0,
        unchanged: 0,
        households_created: 0,
        errors: Vec::new(),
        dry_run,
    };
    // A dry run only reads, on a reader connection, so checking a large sheet never holds the writer;
    // its record and audit row are written afterwards in a short transaction of their own.
    if dry_run {
        let found = {
            let mut r = app.db.read().await?;
            judge(app, &mut r.conn(), actor, &sheet, &map, true, &mut report).await?
        };
        let mut tx = app.db.begin().await?;
        finish(
            &mut tx.conn(),
            actor,
            file_name,
            bytes,
            found,
            &report,
            app.now(),
        )
        .await?;
        tx.commit().await?;
    } else {
        let mut tx = app.db.begin().await?;
        let found = judge(app, &mut tx.conn(), actor, &sheet, &map, false, &mut report).await?;
        finish(
            &mut tx.conn(),
            actor,
            file_name,
            bytes,
            found,
            &report,
            app.now(),
        )
        .await?;
        app.commit(tx, &[Stale::People]).await?;
    }
    Ok(report)
}

/// Judges every row of the sheet, writing each good one unless `dry_run` (which only reads, so that it
/// can run on a reader connection); returns the community of the first row placed.
async fn judge(
    app: &App,
    c: &mut Conn<'_>,
    actor: &Actor,
    sheet: &crate::kernel::sheet::Sheet,
    map: &HashMap<&'static str, usize>,
    dry_run: bool,
    report: &mut ImportReport,
) -> AppResult<Option<Uuid>> {
    let now = app.now();
    let today = app.today();
    let scope = actor.scope(Permission::ImportPeople);
    let community_col = sheet
        .headers
        .iter()
        .position(|h| h.trim_end_matches('*') == "社区");
    let mut resolvers: HashMap<String, Result<Resolver, String>> = HashMap::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut households: HashMap<(Uuid, String), wushe_store::people::households::HouseholdRow> =
        HashMap::new();
    let mut community_of_import: Option<Uuid> = None;
    let mut new_names: HashSet<(Uuid, String)> = HashSet::new();
    let id_col = map.get("身份证号").copied();

    for (i, cells) in sheet.rows.iter().enumerate() {
        let row_no = i + 2;
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        if let Some(refused) = id_number_as_number(row_no, cells, id_col) {
            report.errors.push(refused);
            continue;
        }
        let texts: Vec<String> = cells.iter().map(|c| c.text.clone()).collect();
        let parsed = match parse_row(row_no, &texts, map, today) {
            Ok(p) => p,
            Err(errs) => {
                report.errors.extend(errs);
                continue;
            }
        };
        let community_name = community_col
            .and_then(|i| cells.get(i))
            .map(|c| wushe_domain::kernel::text::clean(&c.text))
            .unwrap_or_default();
        if !resolvers.contains_key(&community_name) {
            let r = if community_name.is_empty() {
                Ok(Resolver::new(scope.clone()))
            } else {
                let found = wushe_store::map::places::find_in_scope(
                    c,
                    &actor.scope(Permission::ReadPeople),
                    "community",
                    &community_name,
                )
                .await?;
                match found.as_slice() {
                    [one] => Ok(Resolver::new(scope.narrow(&one.path))),
                    [] => Err(format!("社区“{community_name}”不在您的辖区内")),
                    _ => Err(format!("辖区内有多个名为“{community_name}”的社区")),
                }
            };
            resolvers.insert(community_name.clone(), r);
        }
        let resolver = match resolvers.get_mut(&community_name).expect("inserted above") {
            Ok(r) => r,
            Err(m) => {
                report.errors.push(row_error(row_no, "社区", m.clone()));
                continue;
            }
        };
        let building = match resolver
            .building(c, parsed.grid.as_deref(), &parsed.building)
            .await?
        {
            Ok(b) => b,
            Err((field, msg)) => {
                report.errors.push(row_error(row_no, &field, msg));
                continue;
            }
        };
        if !actor.can(Permission::WritePeople, &building.path) {
            report
                .errors
                .push(row_error(row_no, "楼栋", "您没有在该楼栋登记居民的权限"));
            continue;
        }
        let community_id = building
            .community_id
            .ok_or_else(|| AppError::Internal("building without community".into()))?;
        community_of_import.get_or_insert(community_id);
        if let Err(AppError::Validation(v)) =
            crate::map::places::check_tags(c, community_id, &parsed.resident.tags).await
        {
            report.errors.push(row_error(
                row_no,
                "标签",
                v.first().map(|f| f.message.clone()).unwrap_or_default(),
            ));
            continue;
        }
        let id_hash = parsed
            .resident
            .id_number
            .as_ref()
            .map(|n| app.crypto.blind_index("id_number", n.as_str()));
        if let Some(h) = &id_hash {
            if let Some(first) = seen_ids.get(h) {
                report.errors.push(row_error(
                    row_no,
                    "身份证号",
                    format!("与第{first}行的身份证号重复"),
                ));
                continue;
            }
            seen_ids.insert(h.clone(), row_no);
        }
        // Find the resident: by ID number anywhere, else by name inside the same door.
        let existing = match &id_hash {
            Some(h) => wushe_store::people::residents::find_by_id_hash(c, h).await?,
            None => None,
        };
        if let Some(e) = &existing {
            if !actor.can(Permission::WritePeople, &e.place_path) {
                report.errors.push(row_error(
                    row_no,
                    "身份证号",
                    "该身份证号已登记在您辖区以外的住户中，请联系所在社区办理迁移",
                ));
                continue;
            }
        }
        let key = (building.id, parsed.door.clone());
        let household = match households.get(&key) {
            Some(h) => h.clone(),
            None => {
                let h = match wushe_store::people::households::find_by_door(
                    c,
                    building.id,
                    &parsed.door,
                )
                .await?
                {
                    Some(h) => h,
                    None => {
                        report.households_created += 1;
                        if dry_run {
                            would_create(&building, &parsed.door, now)?
                        } else {
                            crate::people::households::create_in(
                                c,
                                actor,
                                &building,
                                &parsed.door,
                                &[],
                                now,
                            )
                            .await?
                        }
                    }
                };
                households.insert(key, h.clone());
                h
            }
        };
        let existing = match existing {
            Some(e) => Some(e),
            None if id_hash.is_none() => {
                wushe_store::people::residents::find_in_household_by_name(
                    c,
                    household.id,
                    &parsed.resident.name,
                )
                .await?
            }
            None => None,
        };
        match existing {
            None if dry_run => {
                // A second row of the same name at a new door would update the first in a real run.
                if new_names.insert((household.id, parsed.resident.name.clone())) {
                    report.created += 1;
                } else {
                    report.updated += 1;
                }
            }
            None => {
                let w = to_write(&app.crypto, Uuid::now_v7(), &household, &parsed.resident);
                wushe_store::people::residents::insert(c, &w, actor.author(), now).await?;
                report.created += 1;
            }
            Some(old) => {
                let mut w = to_write(&app.crypto, old.id, &household, &parsed.resident);
                // A row without phone or ID keeps what was stored rather than erasing it.
                if w.phone_hash.is_none() {
                    (w.phone_enc, w.phone_hash, w.phone_mask) = (
                        old.phone_enc.clone(),
                        old.phone_hash.clone(),
                        old.phone_mask.clone(),
                    );
                }
                if w.id_number_hash.is_none() {
                    (w.id_number_enc, w.id_number_hash, w.id_number_mask) = (
                        old.id_number_enc.clone(),
                        old.id_number_hash.clone(),
                        old.id_number_mask.clone(),
                    );
                }
                let same = old.household_id == w.household_id
                    && old.name == w.name
                    && old.sex == w.sex
                    && old.birth_date == w.birth_date
                    && old.phone_hash == w.phone_hash
                    && old.id_number_hash == w.id_number_hash
                    && old.relation == w.relation
                    && crate::people::households::tags_of(&old.tags) == parsed.resident.tags
                    && old.archived_at.is_none();
                if same {
                    report.unchanged += 1;
                } else if dry_run {
                    report.updated += 1;
                } else {
                    wushe_store::people::residents::update(c, &w, now).await?;
                    if old.archived_at.is_some() {
                        wushe_store::people::residents::set_archived(c, old.id, None, now).await?;
                    }
                    if old.household_id != household.id {
                        wushe_store::people::residents::record_move(
                            c,
                            household.community_id,
                            old.id,
                            old.household_id,
                            household.id,
                            actor.author(),
                            "导入",
                            now,
                        )
                        .await?;
                    }
                    report.updated += 1;
                }
            }
        }
    }
    Ok(community_of_import)
}

/// The household a dry run would register at a door (kept in memory only).
fn would_create(
    building: &wushe_store::map::places::PlaceRow,
    door: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<wushe_store::people::households::HouseholdRow> {
    Ok(wushe_store::people::households::HouseholdRow {
        id: Uuid::now_v7(),
        community_id: building
            .community_id
            .ok_or_else(|| AppError::Internal("building without community".into()))?,
        place_id: building.id,
        place_path: building.path.clone(),
        address: door.to_owned(),
        tags: "[]".into(),
        archived_at: None,
        created_at: now,
        updated_at: now,
        place_name: building.name.clone(),
        resident_count: 0,
    })
}

/// Keeps an import's record and its audit row (`action`), a dry run's too: who checked which file is a
/// trace.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn keep_record(
    c: &mut Conn<'_>,
    actor: &Actor,
    action: &str,
    place_path: Option<&str>,
    file_name: &str,
    bytes: &[u8],
    community_of_import: Option<Uuid>,
    report: &ImportReport,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let import_id = Uuid::now_v7();
    let sha = crate::kernel::crypto::sha256_hex(bytes);
    wushe_store::people::imports::insert(
        c,
        &wushe_store::people::imports::ImportRow {
            id: import_id,
            community_id: community_of_import,
            user_id: actor.user_id,
            file_name: file_name.chars().take(200).collect(),
            file_sha256: sha.clone(),
            dry_run: report.dry_run,
            created: report.created,
            updated: report.updated,
            error_count: report.errors.len() as i64,
            created_at: now,
        },
    )
    .await?;
    let detail = json!({"file": file_name, "sha256": sha, "created": report.created, "updated": report.updated,
        "unchanged": report.unchanged, "errors": report.errors.len(), "dry_run": report.dry_run});
    let entry = Entry {
        action,
        object_type: "import",
        object_id: Some(import_id),
        place_path,
        community_id: community_of_import,
        detail,
    };
    audit::record(c, actor, entry).await
}

/// [`keep_record`] for a residents import.
async fn finish(
    c: &mut Conn<'_>,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    community_of_import: Option<Uuid>,
    report: &ImportReport,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let place = actor
        .grants
        .iter()
        .find(|g| g.role.allows(Permission::ImportPeople))
        .map(|g| g.path.as_str());
    let action = "resident.import";
    keep_record(
        c,
        actor,
        action,
        place,
        file_name,
        bytes,
        community_of_import,
        report,
        now,
    )
    .await
}

/// How long a previewed sheet waits for its confirmation.
const UPLOAD_DAYS: i64 = 1;

/// Keeps an uploaded sheet for the preview's confirmation step, so the file is not sent twice; drops
/// kept sheets older than a day on the way.
pub async fn keep_upload(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
) -> AppResult<Uuid> {
    let id = Uuid::now_v7();
    let now = app.now();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    wushe_store::people::imports::purge_uploads(
        &mut c,
        now - chrono::Duration::days(UPLOAD_DAYS),
        None,
    )
    .await?;
    wushe_store::people::imports::save_upload(&mut c, id, actor.user_id, file_name, bytes, now)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// The caller's kept sheet (its name and bytes), if it is still there.
pub async fn kept_upload(
    app: &App,
    actor: &Actor,
    id: Uuid,
) -> AppResult<Option<(String, Vec<u8>)>> {
    let since = app.now() - chrono::Duration::days(UPLOAD_DAYS);
    let mut c = app.db.read().await?;
    Ok(wushe_store::people::imports::load_upload(&mut c.conn(), id, actor.user_id, since).await?)
}

/// Drops a kept sheet once it was imported (and any older than a day).
pub async fn drop_upload(app: &App, id: Uuid) -> AppResult<()> {
    let mut tx = app.db.begin().await?;
    let before = app.now() - chrono::Duration::days(UPLOAD_DAYS);
    wushe_store::people::imports::purge_uploads(&mut tx.conn(), before, Some(id)).await?;
    Ok(tx.commit().await?)
}
