//! The volunteer spreadsheet (志愿者导入表): which columns an import reads and the check of one row.
//!
//! The columns are those of the volunteer export (docs/volunteer-export.md), so a sheet exported from
//! Wushe, or kept by hand in the same layout, comes back in. Columns the system computes (编号, 状态, hours,
//! points, stars, 登记日期) are ignored on the way in: they come from the ledgers, not from a sheet.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::kernel::text::clean;
use crate::people::import::{header_name, parse_date, RowError};
use crate::people::resident::split_tags;

/// The columns an import reads, in the export's order.
pub const VOLUNTEER_IMPORT_HEADERS: [&str; 12] = [
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "联系电话",
    "所属社区",
    "技能",
    "服务类别",
    "党员",
    "在职党员双报到",
    "工作单位",
    "可服务时间",
];

/// Columns without which no volunteer can be registered.
pub const VOLUNTEER_REQUIRED_HEADERS: [&str; 2] = ["姓名", "联系电话"];

/// One row read from the sheet (its identity numbers still unchecked: the caller validates them with the
/// same rules as the registration form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolunteerSheetRow {
    /// The spreadsheet row number, as the user sees it.
    pub row: usize,
    /// 姓名.
    pub name: String,
    /// 性别 as typed.
    pub sex: Option<String>,
    /// 出生日期.
    pub birth_date: Option<NaiveDate>,
    /// 身份证号 as typed.
    pub id_number: Option<String>,
    /// 联系电话 as typed.
    pub phone: Option<String>,
    /// 所属社区 name, if the column is there.
    pub community: Option<String>,
    /// 技能.
    pub skills: Vec<String>,
    /// 服务类别.
    pub categories: Vec<String>,
    /// 党员.
    pub party_member: bool,
    /// 在职党员双报到.
    pub in_service_party_member: bool,
    /// 工作单位.
    pub work_unit: String,
    /// 可服务时间.
    pub availability: String,
}

/// Finds each known column's index; `Err` lists the missing required headers in Chinese.
pub fn volunteer_header_map(
    headers: &[String],
) -> Result<HashMap<&'static str, usize>, Vec<String>> {
    let mut map = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = header_name(h);
        if let Some(known) = VOLUNTEER_IMPORT_HEADERS.into_iter().find(|k| *k == h) {
            map.entry(known).or_insert(i);
        }
    }
    let missing: Vec<String> = VOLUNTEER_REQUIRED_HEADERS
        .into_iter()
        .filter(|h| !map.contains_key(h))
        .map(|h| format!("缺少表头：{h}"))
        .collect();
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(missing)
    }
}

/// Reads 是/否 as people type it (是, 否, Y, N, √, 1, 0, blank = no).
pub fn parse_yes_no(s: &str) -> Option<bool> {
    match crate::kernel::text::code(s).to_lowercase().as_str() {
        "" | "否" | "不是" | "n" | "no" | "0" | "×" | "false" => Some(false),
        "是" | "y" | "yes" | "1" | "√" | "true" | "党员" => Some(true),
        _ => None,
    }
}

/// The Chinese header of a field of the registration form (for errors found after this parse).
pub fn volunteer_header_of(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "sex" => "性别",
        "birth_date" => "出生日期",
        "id_number" => "身份证号",
        "phone" => "联系电话",
        "community_id" => "所属社区",
        "skills" => "技能",
        "categories" => "服务类别",
        "work_unit" => "工作单位",
        "availability" => "可服务时间",
        _ => "其他",
    }
}

/// Reads one data row (`row_no` as the user sees it) against the columns found by
/// [`volunteer_header_map`].
pub fn parse_volunteer_row(
    row_no: usize,
    cells: &[String],
    map: &HashMap<&str, usize>,
) -> Result<VolunteerSheetRow, Vec<RowError>> {
    let cell = |h: &str| -> Option<String> {
        let v = clean(cells.get(*map.get(h)?)?);
        (!v.is_empty()).then_some(v)
    };
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: &str| {
        errors.push(RowError {
            row: row_no,
            field: field.to_owned(),
            message: message.to_owned(),
        })
    };
    let birth_date = cell("出生日期").and_then(|s| {
        let d = parse_date(&s);
        if d.is_none() {
            fail("出生日期", "出生日期格式不正确，应为YYYY-MM-DD");
        }
        d
    });
    let mut yes_no = |h: &str| match cell(h).as_deref().map(parse_yes_no) {
        None => false,
        Some(Some(b)) => b,
        Some(None) => {
            fail(h, "请填写“是”或“否”");
            false
        }
    };
    let party_member = yes_no("党员");
    let in_service_party_member = yes_no("在职党员双报到");
    let phone = cell("联系电话");
    // The export masks phones and ID numbers unless asked not to: such a sheet cannot register anyone.
    for (h, v) in [("联系电话", &phone), ("身份证号", &cell("身份证号"))] {
        if v.as_deref().is_some_and(|s| s.contains('*')) {
            fail(h, "这是脱敏后的号码，请填写完整号码（或使用不脱敏的导出）");
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(VolunteerSheetRow {
        row: row_no,
        name: cell("姓名").unwrap_or_default(),
        sex: cell("性别"),
        birth_date,
        id_number: cell("身份证号"),
        phone,
        community: cell("所属社区"),
        skills: cell("技能").map(|s| split_tags(&s)).unwrap_or_default(),
        categories: cell("服务类别").map(|s| split_tags(&s)).unwrap_or_default(),
        party_member,
        in_service_party_member,
        work_unit: cell("工作单位").unwrap_or_default(),
        availability: cell("可服务时间").unwrap_or_default(),
    })
}

/// The volunteer sheet's columns, as exported; an import reads the same layout back (the computed ones,
/// from 状态 on, are ignored).
pub const VOLUNTEER_HEADERS: [&str; 18] = [
    "志愿者编号",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "联系电话",
    "所属社区",
    "技能",
    "服务类别",
    "党员",
    "在职党员双报到",
    "工作单位",
    "可服务时间",
    "状态",
    "累计服务时长（小时）",
    "积分余额",
    "星级",
    "登记日期",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(h: &[&str]) -> Vec<String> {
        h.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_export_layout_is_read_back_and_computed_columns_are_ignored() {
        let export = headers(&VOLUNTEER_HEADERS[..15]);
        let map = volunteer_header_map(&export).unwrap();
        assert_eq!(map.len(), VOLUNTEER_IMPORT_HEADERS.len());
        assert_eq!(map["姓名"], 1);
        let cells = headers(&[
            "V00000001",
            " 李 四 ",
            "男",
            "1980/3/7",
            "",
            "13800138000",
            "阳明社区",
            "理发、维修",
            "助老",
            "是",
            "√",
            "市一医院",
            "周末",
            "在册",
            "12.5",
        ]);
        let r = parse_volunteer_row(2, &cells, &map).unwrap();
        assert_eq!(r.birth_date, NaiveDate::from_ymd_opt(1980, 3, 7));
        assert_eq!(r.skills, ["理发", "维修"]);
        assert!(r.party_member && r.in_service_party_member);
        assert_eq!(r.community.as_deref(), Some("阳明社区"));
        assert_eq!(r.availability, "周末");
    }

    #[test]
    fn missing_headers_and_bad_cells_are_named_in_chinese() {
        assert_eq!(
            volunteer_header_map(&headers(&["姓名*"])).unwrap_err(),
            ["缺少表头：联系电话"]
        );
        let map =
            volunteer_header_map(&headers(&["姓名", "联系电话", "党员", "出生日期"])).unwrap();
        let errs = parse_volunteer_row(3, &headers(&["王五", "138****8000", "也许", "昨天"]), &map)
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["出生日期", "党员", "联系电话"]);
        assert!(errs.iter().all(|e| e.row == 3));
    }

    #[test]
    fn yes_and_no_as_people_type_them() {
        for y in ["是", "Y", "yes", "1", "√"] {
            assert_eq!(parse_yes_no(y), Some(true), "{y}");
        }
        for n in ["否", "", "N", "0", "×"] {
            assert_eq!(parse_yes_no(n), Some(false), "{n}");
        }
        assert_eq!(parse_yes_no("也许"), None);
        assert_eq!(volunteer_header_of("phone"), "联系电话");
    }
}
