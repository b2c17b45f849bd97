//! The resident spreadsheet layout (居民导入表) and the check of one row of it.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::kernel::text::{clean, len_error};
use crate::people::household::validate_address;
use crate::people::resident::{split_tags, validate, NewResident, ValidResident};
use crate::people::sex::Sex;

/// The columns of the resident spreadsheet, in the order the export writes them.
pub const RESIDENT_HEADERS: [&str; 10] = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "出生日期",
    "网格",
    "楼栋",
    "门牌",
    "与户主关系",
    "标签",
];

/// Columns without which no row can be placed: who, and in which building and door.
pub const REQUIRED_HEADERS: [&str; 3] = ["姓名", "楼栋", "门牌"];

/// Longest grid or building name, in chars.
pub const PLACE_NAME_MAX: usize = 50;

/// One valid row: where the resident lives (names, looked up by the caller) and who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentRow {
    /// The spreadsheet row number, as the user sees it.
    pub row: usize,
    /// 网格 name, if given.
    pub grid: Option<String>,
    /// 楼栋 name.
    pub building: String,
    /// 门牌.
    pub door: String,
    /// The resident.
    pub resident: ValidResident,
}

/// One problem in one row, named by the Chinese column header the user sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The spreadsheet row number.
    pub row: usize,
    /// The Chinese header of the bad column, e.g. 身份证号.
    pub field: String,
    /// Chinese message.
    pub message: String,
}

pub(crate) fn header_name(h: &str) -> String {
    // Templates often mark required columns as "姓名*" or "姓名（必填）".
    let h = crate::kernel::text::code(h);
    let h = h.strip_suffix("(必填)").unwrap_or(&h);
    h.trim_end_matches('*').trim().to_string()
}

/// Finds each known column's index; `Err` lists the missing required headers in Chinese.
pub fn header_map(headers: &[String]) -> Result<HashMap<&'static str, usize>, Vec<String>> {
    let mut map = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = header_name(h);
        if let Some(known) = RESIDENT_HEADERS.into_iter().find(|k| *k == h) {
            // The first column with a name wins; a later duplicate is usually a stray copy.
            map.entry(known).or_insert(i);
        }
    }
    let mut missing: Vec<String> = REQUIRED_HEADERS
        .into_iter()
        .filter(|h| !map.contains_key(h))
        .map(|h| format!("缺少表头：{h}"))
        .collect();
    // Without either column no row could say the resident's sex.
    if !map.contains_key("性别") && !map.contains_key("身份证号") {
        missing.push("缺少表头：性别或身份证号".to_string());
    }
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(missing)
    }
}

/// Reads a date as typed in a spreadsheet: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD or
/// YYYY年M月D日, with or without leading zeros and a trailing time of day.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = crate::kernel::text::code(s);
    let s = s.split([' ', 'T']).next()?;
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok();
    }
    let s = s.replace(['年', '月'], "-").replace('日', "");
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let digits =
        |p: &str, min, max| (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2)) {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn header_of(field: &str) -> &'static str {
    match field {
        "name" => "姓名",
        "sex" => "性别",
        "id_number" => "身份证号",
        "phone" => "联系电话",
        "birth_date" => "出生日期",
        "relation" => "与户主关系",
        "tags" => "标签",
        "address" => "门牌",
        _ => "其他",
    }
}

/// Checks one data row (`row_no` as the user sees it) against the columns found by [`header_map`].
pub fn parse_row(
    row_no: usize,
    cells: &[String],
    map: &HashMap<&str, usize>,
    today: NaiveDate,
) -> Result<ResidentRow, Vec<RowError>> {
    let cell = |h: &str| -> Option<String> {
        let v = clean(cells.get(*map.get(h)?)?);
        (!v.is_empty()).then_some(v)
    };
    let mut errors: Vec<RowError> = Vec::new();
    let mut fail = |field: &str, message: String| {
        errors.push(RowError {
            row: row_no,
            field: field.to_string(),
            message,
        })
    };

    let sex = cell("性别").and_then(|s| {
        let parsed = Sex::parse(&s);
        if parsed.is_none() {
            fail("性别", "性别应为男或女".to_string());
        }
        parsed
    });
    let birth_date = cell("出生日期").and_then(|s| {
        let parsed = parse_date(&s);
        if parsed.is_none() {
            fail("出生日期", "出生日期格式不正确，应为YYYY-MM-DD".to_string());
        }
        parsed
    });

    let grid = cell("网格");
    if let Some(e) = grid
        .as_deref()
        .and_then(|g| len_error("grid", "网格", g, 1, PLACE_NAME_MAX))
    {
        fail("网格", e.message);
    }
    let building = cell("楼栋").unwrap_or_default();
    if let Some(e) = len_error("building", "楼栋", &building, 1, PLACE_NAME_MAX) {
        fail("楼栋", e.message);
    }
    let door = match validate_address(&cell("门牌").unwrap_or_default()) {
        Ok(d) => d,
        Err(_) if cell("门牌").is_none() => {
            fail("门牌", "门牌不能为空".to_string());
            String::new()
        }
        Err(e) => {
            fail("门牌", e.message);
            String::new()
        }
    };

    let input = NewResident {
        name: cell("姓名").unwrap_or_default(),
        sex,
        birth_date,
        id_number: cell("身份证号"),
        phone: cell("联系电话"),
        relation: cell("与户主关系"),
        tags: cell("标签").map(|t| split_tags(&t)).unwrap_or_default(),
    };
    let resident = match validate(input, today) {
        Ok(r) => Some(r),
        Err(errs) => {
            for e in errs.0 {
                let header = header_of(&e.field);
                // A cell that could not be read is already reported; don't add "is required".
                if !errors.iter().any(|r| r.field == header) {
                    errors.push(RowError {
                        row: row_no,
                        field: header.to_string(),
                        message: e.message,
                    });
                }
            }
            None
        }
    };

    match resident {
        Some(resident) if errors.is_empty() => Ok(ResidentRow {
            row: row_no,
            grid,
            building,
            door,
            resident,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn full_map() -> HashMap<&'static str, usize> {
        header_map(&strings(&RESIDENT_HEADERS)).unwrap()
    }

    #[test]
    fn maps_every_header() {
        let map = full_map();
        for (i, h) in RESIDENT_HEADERS.iter().enumerate() {
            assert_eq!(map[h], i);
        }
    }

    #[test]
    fn tolerates_order_marks_and_extra_columns() {
        let map = header_map(&strings(&[
            "\u{FEFF}序号",
            "姓名*",
            "备注",
            "楼栋（必填）",
            " 门牌 ",
            "性别",
            "姓名",
        ]))
        .unwrap();
        assert_eq!(map["姓名"], 1);
        assert_eq!(map["楼栋"], 3);
        assert_eq!(map["门牌"], 4);
        assert_eq!(map["性别"], 5);
        assert_eq!(map.len(), 4);
    }

    #[test]
    fn lists_missing_headers() {
        let err = header_map(&strings(&["姓名", "性别"])).unwrap_err();
        assert_eq!(err, vec!["缺少表头：楼栋", "缺少表头：门牌"]);
        let err = header_map(&strings(&["姓名", "楼栋", "门牌"])).unwrap_err();
        assert_eq!(err, vec!["缺少表头：性别或身份证号"]);
        assert!(header_map(&strings(&["姓名", "楼栋", "门牌", "身份证号"])).is_ok());
    }

    #[test]
    fn date_formats() {
        let d = NaiveDate::from_ymd_opt(1950, 3, 7).unwrap();
        for s in [
            "1950-03-07",
            "1950/03/07",
            "19500307",
            "1950.03.07",
            "1950-3-7",
            "1950/3/7",
            "1950年3月7日",
            "1950-03-07 00:00:00",
            "１９５０－０３－０７",
        ] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        for s in [
            "",
            "1950-02-30",
            "50-03-07",
            "1950-03",
            "1950-03-07-01",
            "07/03/1950",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }

    #[test]
    fn parses_a_good_row() {
        let cells = strings(&[
            "王芳",
            "女",
            "11010519491231002x",
            "13812345678",
            "1949/12/31",
            "一网格",
            "3栋",
            "2单元501",
            "户主",
            "独居老人、党员",
        ]);
        let r = parse_row(2, &cells, &full_map(), today()).unwrap();
        assert_eq!(r.row, 2);
        assert_eq!(r.grid.as_deref(), Some("一网格"));
        assert_eq!(r.building, "3栋");
        assert_eq!(r.door, "2单元501");
        assert_eq!(r.resident.sex, Sex::Female);
        assert_eq!(r.resident.tags, vec!["独居老人", "党员"]);
    }

    #[test]
    fn short_rows_and_missing_optional_columns() {
        let map = header_map(&strings(&["姓名", "性别", "楼栋", "门牌"])).unwrap();
        let r = parse_row(3, &strings(&["李四", "男", "5栋", "101"]), &map, today()).unwrap();
        assert_eq!(r.grid, None);
        assert_eq!(r.resident.sex, Sex::Male);
        let errs = parse_row(4, &strings(&["李四", "男"]), &map, today()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["楼栋", "门牌"]);
        assert_eq!(errs[0].message, "楼栋不能为空");
        assert_eq!(errs[1].message, "门牌不能为空");
        assert!(errs.iter().all(|e| e.row == 4));
    }

    #[test]
    fn errors_are_named_by_chinese_headers() {
        let cells = strings(&[
            "",
            "未知",
            "110105194912310021",
            "123",
            "1949-13-01",
            "",
            "3栋",
            "501",
            "邻居",
            "",
        ]);
        let errs = parse_row(9, &cells, &full_map(), today()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "性别",
                "出生日期",
                "姓名",
                "身份证号",
                "联系电话",
                "与户主关系"
            ]
        );
        assert_eq!(errs[0].message, "性别应为男或女");
        assert_eq!(errs[3].message, "身份证号校验位不正确");
    }

    #[test]
    fn sex_required_without_id() {
        let cells = strings(&["张三", "", "", "", "", "", "3栋", "501", "", ""]);
        let errs = parse_row(5, &cells, &full_map(), today()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "性别");
        assert_eq!(errs[0].message, "性别不能为空");
    }
}
