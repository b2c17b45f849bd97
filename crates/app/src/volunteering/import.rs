//! Importing volunteers from the spreadsheets communities keep today (the layout of the volunteer export,
//! docs/volunteer-export.md), with a dry run first.
//!
//! Each row is registered exactly as the registration form would (same checks, same resident linking by
//! ID number), as an active volunteer of the community named in 所属社区 (or the one chosen for the
//! import). Someone already registered in that community, by ID number or by name and phone, is left as
//! they are and counted as unchanged, so importing the same file twice registers nobody twice. All valid
//! rows are written in one transaction; a dry run makes the same checks on a reader connection and writes
//! only its record and audit row.

use std::collections::HashMap;

use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::map::place::PlaceKind;
use wushe_domain::people::id_number::IdNumber;
use wushe_domain::people::import::RowError;
use wushe_domain::people::phone::Phone;
use wushe_domain::volunteering::sheet::{
    parse_volunteer_row, volunteer_header_map, volunteer_header_of, VolunteerSheetRow,
    VOLUNTEER_IMPORT_HEADERS,
};
use wushe_domain::volunteering::volunteer::VolunteerStatus;
use wushe_store::map::places::PlaceRow;
use wushe_store::Conn;

use crate::kernel::sheet::{read_first_sheet_apart, write_sheet};
use crate::people::import::ImportReport;
use crate::people::import::{id_number_as_number, row_error};
use crate::volunteering::volunteers::VolunteerInput;
use crate::{Actor, App, AppError, AppResult};

/// The import template: the headers and one example row.
pub fn template() -> AppResult<Vec<u8>> {
    write_sheet(
        "志愿者",
        &VOLUNTEER_IMPORT_HEADERS,
        &[vec![
            "张三".into(),
            "男".into(),
            "1975-06-01".into(),
            "".into(),
            "13800138000".into(),
            "阳明山庄社区".into(),
            "理发、家电维修".into(),
            "助老、环境".into(),
            "是".into(),
            "否".into(),
            "".into(),
            "周末上午".into(),
        ]],
    )
}

/// Finds the community a row names (or the import's default), once per name.
struct Communities {
    default: Option<PlaceRow>,
    by_name: HashMap<String, Result<PlaceRow, String>>,
}

impl Communities {
    async fn of(
        &mut self,
        c: &mut Conn<'_>,
        actor: &Actor,
        name: Option<&str>,
    ) -> AppResult<Result<PlaceRow, String>> {
        let Some(name) = name else {
            return Ok(self
                .default
                .clone()
                .ok_or_else(|| "请填写所属社区，或在导入时选择社区".to_owned()));
        };
        if let Some(r) = self.by_name.get(name) {
            return Ok(r.clone());
        }
        let found = wushe_store::map::places::find_in_scope(
            c,
            &actor.scope(Permission::ManageVolunteers),
            "community",
            name,
        )
        .await?;
        let r = match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(format!("社区“{name}”不在您可以登记志愿者的范围内")),
            _ => Err(format!("辖区内有多个名为“{name}”的社区")),
        };
        self.by_name.insert(name.to_owned(), r.clone());
        Ok(r)
    }
}

/// Imports volunteers from an .xlsx file; `community_id` is the community for rows without 所属社区.
pub async fn volunteers(
    app: &App,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    community_id: Option<Uuid>,
    dry_run: bool,
) -> AppResult<ImportReport> {
    if !actor.has_anywhere(Permission::ManageVolunteers) {
        return Err(AppError::Forbidden);
    }
    // The community named is checked before the file is read: a caller who may not write there learns
    // nothing from how the file would have been judged.
    if let Some(id) = community_id {
        let mut c = app.db.read().await?;
        crate::volunteering::volunteers::community(
            &mut c.conn(),
            actor,
            Some(id),
            Permission::ManageVolunteers,
        )
        .await?;
    }
    let sheet = read_first_sheet_apart(bytes).await?;
    let map = volunteer_header_map(&sheet.headers).map_err(|missing| {
        AppError::upload(
            missing.join("；"),
            format!("missing headers: {}", missing.len()),
        )
    })?;
    let today = app.today();
    let mut report = ImportReport {
        created: 0,
        updated: 0,
        unchanged: 0,
        households_created: 0,
        errors: Vec::new(),
        dry_run,
    };
    // A dry run only reads, on a reader connection, so checking a large sheet never holds the writer;
    // the real import writes its rows in one transaction.
    let community_of_import = if dry_run {
        let mut r = app.db.read().await?;
        judge(
            app,
            &mut r.conn(),
            actor,
            &sheet,
            &map,
            community_id,
            today,
            true,
            &mut report,
        )
        .await?
    } else {
        let mut tx = app.db.begin().await?;
        let found = judge(
            app,
            &mut tx.conn(),
            actor,
            &sheet,
            &map,
            community_id,
            today,
            false,
            &mut report,
        )
        .await?;
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
        return Ok(report);
    };
    let mut tx = app.db.begin().await?;
    finish(
        &mut tx.conn(),
        actor,
        file_name,
        bytes,
        community_of_import,
        &report,
        app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Judges every row of the sheet, registering each good one unless `dry_run`; returns the community of
/// the first row registered (or that would be).
#[allow(clippy::too_many_arguments)]
async fn judge(
    app: &App,
    c: &mut Conn<'_>,
    actor: &Actor,
    sheet: &crate::kernel::sheet::Sheet,
    map: &HashMap<&'static str, usize>,
    community_id: Option<Uuid>,
    today: chrono::NaiveDate,
    dry_run: bool,
    report: &mut ImportReport,
) -> AppResult<Option<Uuid>> {
    let default = match community_id {
        Some(id) => Some(
            crate::volunteering::volunteers::community(
                c,
                actor,
                Some(id),
                Permission::ManageVolunteers,
            )
            .await?,
        ),
        None => None,
    };
    let mut communities = Communities {
        default,
        by_name: HashMap::new(),
    };
    // Rows seen so far by ID number and by (name, phone): a sheet listing someone twice is a mistake.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut community_of_import: Option<Uuid> = None;
    for (i, cells) in sheet.rows.iter().enumerate() {
        let row_no = i + 2;
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        if let Some(refused) = id_number_as_number(row_no, cells, map.get("身份证号").copied())
        {
            report.errors.push(refused);
            continue;
        }
        let texts: Vec<String> = cells.iter().map(|c| c.text.clone()).collect();
        let row = match parse_volunteer_row(row_no, &texts, map) {
            Ok(r) => r,
            Err(errs) => {
                report.errors.extend(errs);
                continue;
            }
        };
        let community = match communities.of(c, actor, row.community.as_deref()).await? {
            Ok(p) if PlaceKind::parse(&p.kind) == Some(PlaceKind::Community) => p,
            Ok(_) => {
                report
                    .errors
                    .push(row_error(row_no, "所属社区", "请选择社区"));
                continue;
            }
            Err(m) => {
                report.errors.push(row_error(row_no, "所属社区", m));
                continue;
            }
        };
        match one_row(app, c, actor, &community, row, today, &mut seen, dry_run).await? {
            Outcome::Created => {
                report.created += 1;
                community_of_import.get_or_insert(community.id);
            }
            Outcome::Existing => report.unchanged += 1,
            Outcome::Refused(errs) => report.errors.extend(errs),
        }
    }
    Ok(community_of_import)
}

/// [`crate::people::import::keep_record`] for a volunteers import.
async fn finish(
    c: &mut Conn<'_>,
    actor: &Actor,
    file_name: &str,
    bytes: &[u8],
    community_of_import: Option<Uuid>,
    report: &ImportReport,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let action = "volunteer.import";
    crate::people::import::keep_record(
        c,
        actor,
        action,
        None,
        file_name,
        bytes,
        community_of_import,
        report,
        now,
    )
    .await
}

enum Outcome {
    Created,
    Existing,
    Refused(Vec<RowError>),
}

/// Registers one row (checks it only, in a dry run), or finds them already registered, or says why not.
#[allow(clippy::too_many_arguments)]
async fn one_row(
    app: &App,
    c: &mut Conn<'_>,
    actor: &Actor,
    community: &PlaceRow,
    row: VolunteerSheetRow,
    today: chrono::NaiveDate,
    seen: &mut HashMap<String, usize>,
    dry_run: bool,
) -> AppResult<Outcome> {
    let row_no = row.row;
    let refuse = |field: &str, m: String| Ok(Outcome::Refused(vec![row_error(row_no, field, m)]));
    // Identity keys, where the numbers are readable (the registration check reports them otherwise).
    let id_hash = row
        .id_number
        .as_deref()
        .and_then(|s| IdNumber::parse(s, today).ok())
        .map(|n| app.crypto.blind_index("id_number", n.as_str()));
    let phone_hash = row
        .phone
        .as_deref()
        .and_then(|s| Phone::parse(s).ok())
        .map(|p| app.crypto.blind_index("phone", p.as_str()));
    let keys: Vec<String> = id_hash
        .iter()
        .map(|h| format!("id:{h}"))
        .chain(phone_hash.iter().map(|h| format!("np:{}:{h}", row.name)))
        .collect();
    if let Some(first) = keys.iter().find_map(|k| seen.get(k)) {
        return refuse("姓名", format!("与第{first}行是同一个人"));
    }
    for k in keys {
        seen.insert(k, row_no);
    }
    if let Some(h) = &id_hash {
        if let Some(v) = wushe_store::volunteering::volunteers::find_by_id_hash(c, h).await? {
            if v.community_id == community.id {
                return Ok(Outcome::Existing);
            }
            return refuse(
                "身份证号",
                format!("已在其他社区登记为志愿者（编号{}）", v.volunteer_no),
            );
        }
    } else if let Some(h) = &phone_hash {
        let same =
            wushe_store::volunteering::volunteers::find_by_phone(c, &community.path, h).await?;
        if same.iter().any(|v| v.name == row.name) {
            return Ok(Outcome::Existing);
        }
    }
    let input = VolunteerInput {
        name: row.name,
        sex: row.sex,
        birth_date: row.birth_date,
        id_number: row.id_number,
        phone: row.phone,
        community_id: Some(community.id),
        resident_id: None,
        skills: row.skills,
        categories: row.categories,
        party_member: row.party_member,
        in_service_party_member: row.in_service_party_member,
        work_unit: row.work_unit,
        availability: row.availability,
    };
    let status = VolunteerStatus::Active;
    let done = if dry_run {
        crate::volunteering::volunteers::prepare(c, app, actor, community, input, status, None)
            .await
    } else {
        crate::volunteering::volunteers::create(c, app, actor, community, input, status, None).await
    };
    match done {
        Ok(_) => Ok(Outcome::Created),
        Err(AppError::Validation(errs)) => Ok(Outcome::Refused(
            errs.into_iter()
                .map(|e| row_error(row_no, volunteer_header_of(&e.field), e.message))
                .collect(),
        )),
        Err(AppError::Conflict { zh, .. }) => refuse("身份证号", zh),
        Err(e) => Err(e),
    }
}
