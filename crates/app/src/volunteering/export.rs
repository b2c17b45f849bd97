//! Volunteers and their service hours to .xlsx, in the layout documented in docs/volunteer-export.md: the
//! elements of 《志愿服务信息系统基本规范》 (民政部, 2015) and the record fields of 《志愿服务记录与证明出具办法
//! (试行)》 (2020), so a community can carry the same data into the national volunteer system without typing
//! it again. Masked unless the caller asks to unmask and may; every export is audited.

use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;

use crate::kernel::audit::{self, Entry};
use crate::kernel::sheet::write_sheet_apart;
use crate::{Actor, App, AppError, AppResult};

pub use wushe_domain::volunteering::sheet::VOLUNTEER_HEADERS;

/// The service-record sheet's columns.
pub const RECORD_HEADERS: [&str; 11] = [
    "志愿者编号",
    "姓名",
    "服务日期",
    "服务内容",
    "服务地点",
    "服务时长（小时）",
    "服务时长（分钟）",
    "组织者",
    "活动编号",
    "冲正原因",
    "录入时间",
];

fn sex_label(s: Option<&str>) -> &'static str {
    match s {
        Some("male") => "男",
        Some("female") => "女",
        _ => "",
    }
}

fn hours(minutes: i64) -> String {
    format!("{:.1}", minutes as f64 / 60.0)
}

/// Exports the volunteers matching a filter.
pub async fn volunteers(
    app: &App,
    actor: &Actor,
    search: &crate::volunteering::volunteers::VolunteerSearch,
    community_id: Option<Uuid>,
    unmask: bool,
) -> AppResult<(Vec<u8>, usize)> {
    let f = &search.filter()?;
    if !actor.has_anywhere(Permission::ReadVolunteers) {
        return Err(AppError::Forbidden);
    }
    // A read on a reader connection: a long export never holds the writer (on SQLite, every write).
    let mut rc = app.db.read().await?;
    let mut c = rc.conn();
    // The register with birth dates, party membership and work units is the community staff's: grants
    // inside a community (a grid steward) export nothing here (decision 0015).
    let mut scope = actor.scope(Permission::ReadVolunteers);
    if let Some(cid) = community_id {
        let p = crate::volunteering::volunteers::community(
            &mut c,
            actor,
            Some(cid),
            Permission::ReadVolunteers,
        )
        .await?;
        scope = scope.narrow(&p.path);
    }
    let mut names = std::collections::HashMap::new();
    let mut policies = std::collections::HashMap::new();
    let mut rows = Vec::new();
    let mut after = None;
    let mut unmasked = 0;
    loop {
        let batch =
            wushe_store::volunteering::volunteers::list(&mut c, &scope, f, after.clone(), 500)
                .await?;
        let done = batch.len() < 500;
        for v in batch {
            after = Some((v.place_path.clone(), v.volunteer_no.clone()));
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(v.community_id) {
                let n = wushe_store::map::places::get(&mut c, v.community_id)
                    .await?
                    .map(|p| p.name)
                    .unwrap_or_default();
                slot.insert(n);
                policies.insert(
                    v.community_id,
                    crate::volunteering::volunteers::current_policy(
                        &mut c,
                        v.community_id,
                        app.today(),
                    )
                    .await?,
                );
            }
            let clear = unmask && actor.can(Permission::UnmaskPii, &v.place_path);
            let (idn, phone) = if clear {
                unmasked += 1;
                let d = |b: &Option<Vec<u8>>| {
                    b.as_deref()
                        .map(|b| app.crypto.decrypt_or_mark(b))
                        .unwrap_or_default()
                };
                (d(&v.id_number_enc), d(&v.phone_enc))
            } else {
                (
                    v.id_number_mask.clone().unwrap_or_default(),
                    v.phone_mask.clone().unwrap_or_default(),
                )
            };
            let status = wushe_domain::volunteering::volunteer::VolunteerStatus::parse(&v.status)
                .map_or("", |s| s.label_zh());
            rows.push(vec![
                v.volunteer_no.clone(),
                v.name.clone(),
                sex_label(v.sex.as_deref()).into(),
                v.birth_date.map(|d| d.to_string()).unwrap_or_default(),
                idn,
                phone,
                names[&v.community_id].clone(),
                crate::people::households::tags_of(&v.skills).join("、"),
                crate::people::households::tags_of(&v.categories).join("、"),
                if v.party_member { "是" } else { "否" }.into(),
                if v.in_service_party_member {
                    "是"
                } else {
                    "否"
                }
                .into(),
                v.work_unit.clone(),
                v.availability.clone(),
                status.into(),
                hours(v.total_minutes),
                v.points_balance.to_string(),
                policies[&v.community_id]
                    .star_level(v.total_minutes)
                    .to_string(),
                wushe_domain::kernel::time::local_date(v.created_at).to_string(),
            ]);
            if rows.len() > crate::people::export::MAX_ROWS {
                return Err(AppError::rule(
                    "too_many_rows",
                    "导出超过20万行，请按社区分批导出",
                    "more than 200,000 rows; export one community at a time",
                ));
            }
        }
        if done {
            break;
        }
    }
    audit::record_alone(
        app,
        actor,
        Entry {
            action: "volunteer.export",
            object_type: "volunteer",
            object_id: None,
            place_path: None,
            community_id,
            detail: json!({"rows": rows.len(), "unmasked": unmasked}),
        },
    )
    .await?;
    write_sheet_apart("志愿者", &VOLUNTEER_HEADERS, rows).await
}

/// Exports the service records under a place between two days (this year so far when absent).
pub async fn records(
    app: &App,
    actor: &Actor,
    place_id: Option<Uuid>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<(Vec<u8>, usize)> {
    let today = app.today();
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 1, 1).expect("valid date")
    });
    if from > to {
        return Err(AppError::field(
            "from",
            "开始日期不能晚于结束日期",
            "from must not be after to",
        ));
    }
    // A read on a reader connection: a long export never holds the writer (on SQLite, every write).
    let mut rc = app.db.read().await?;
    let mut c = rc.conn();
    let scope = actor.community_scope(Permission::ReadVolunteers);
    let scope = match place_id {
        Some(id) => scope.narrow(
            &crate::map::places::load_visible(&mut c, actor, id)
                .await?
                .path,
        ),
        None => scope,
    };
    let paths = match scope {
        wushe_store::Scope::All => vec!["/".to_owned()],
        wushe_store::Scope::Paths(p) => p,
    };
    let mut rows = Vec::new();
    for p in &paths {
        let mut after = None;
        loop {
            let batch =
                wushe_store::volunteering::points::records_under(&mut c, p, from, to, after, 1000)
                    .await?;
            let done = batch.len() < 1000;
            for (r, no, name) in batch {
                after = Some((r.served_on, r.id));
                rows.push(vec![
                    no,
                    name,
                    r.served_on.to_string(),
                    r.content,
                    r.place_text,
                    hours(r.minutes),
                    r.minutes.to_string(),
                    r.organiser,
                    r.activity_id.map(|a| a.to_string()).unwrap_or_default(),
                    r.reason.unwrap_or_default(),
                    wushe_domain::kernel::time::format_local(r.created_at),
                ]);
                if rows.len() > crate::people::export::MAX_ROWS {
                    return Err(AppError::rule(
                        "too_many_rows",
                        "导出超过20万行，请缩短时间段或按社区导出",
                        "more than 200,000 rows; shorten the period or export one community",
                    ));
                }
            }
            if done {
                break;
            }
        }
    }
    audit::record_alone(
        app,
        actor,
        Entry {
            action: "service.export",
            object_type: "service_record",
            object_id: None,
            place_path: None,
            community_id: None,
            detail: json!({"rows": rows.len(), "from": from, "to": to, "place_id": place_id}),
        },
    )
    .await?;
    write_sheet_apart("服务记录", &RECORD_HEADERS, rows).await
}
