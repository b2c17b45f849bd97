//! Residents (居民): the tag and relation dictionaries, and validation of a new resident.

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::kernel::error::{FieldError, ValidationErrors};
use crate::kernel::text::{check_len, clean};
use crate::people::id_number::IdNumber;
use crate::people::phone::Phone;
use crate::people::sex::Sex;

/// The tags a new community starts with; each community may add its own.
pub const DEFAULT_TAGS: &[&str] = &[
    "独居老人",
    "空巢老人",
    "高龄老人",
    "残疾",
    "低保",
    "特困",
    "特扶",
    "留守儿童",
    "困境儿童",
    "党员",
    "退役军人",
    "重点关注",
];

/// Relations to the head of household (与户主关系), as in the household register.
pub const RELATIONS: &[&str] = &[
    "户主",
    "配偶",
    "子女",
    "父母",
    "孙子女",
    "祖父母",
    "兄弟姐妹",
    "其他",
];

/// Most tags on one resident.
pub const MAX_TAGS: usize = 20;
/// Longest tag, in chars.
pub const TAG_MAX_LEN: usize = 20;
/// Longest name, in chars.
pub const NAME_MAX_LEN: usize = 50;

fn is_tag_separator(c: char) -> bool {
    // Spreadsheet cells list tags with whatever separator the typist's input method produced.
    matches!(c, '、' | ',' | '，' | ';' | '；' | '/') || c.is_whitespace()
}

/// Splits a tag list like `独居老人、党员,低保` into distinct tags, keeping their order.
pub fn split_tags(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in clean(s).split(is_tag_separator) {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

/// Checks one tag: 1-20 chars.
pub fn check_tag(tag: &str) -> Result<(), FieldError> {
    let n = tag.chars().count();
    if n == 0 {
        Err(FieldError::new(
            "tags",
            "标签不能为空",
            "a tag must not be empty",
        ))
    } else if n > TAG_MAX_LEN {
        Err(FieldError::new(
            "tags",
            format!("标签“{tag}”超过{TAG_MAX_LEN}个字"),
            format!("tag \"{tag}\" is longer than {TAG_MAX_LEN} characters"),
        ))
    } else {
        Ok(())
    }
}

/// Age in full years (周岁) on a date; 0 before birth.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < birth {
        return 0;
    }
    let years = on.year() - birth.year();
    // Someone born on 29 February turns a year older on 1 March in common years.
    let had_birthday = (on.month(), on.day()) >= (birth.month(), birth.day());
    let age = if had_birthday { years } else { years - 1 };
    u32::try_from(age).unwrap_or(0)
}

/// A resident as submitted by a form, the API or a spreadsheet row, not yet checked.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct NewResident {
    /// 姓名.
    pub name: String,
    /// 性别; may be left out when the ID number gives it.
    pub sex: Option<Sex>,
    /// 出生日期; may be left out when the ID number gives it.
    pub birth_date: Option<NaiveDate>,
    /// 身份证号, as typed.
    pub id_number: Option<String>,
    /// 联系电话, as typed.
    pub phone: Option<String>,
    /// 与户主关系, one of [`RELATIONS`].
    pub relation: Option<String>,
    /// 标签.
    pub tags: Vec<String>,
}

// The raw ID number and phone are sensitive: never print them.
impl std::fmt::Debug for NewResident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |o: &Option<String>| o.as_ref().map(|_| "****");
        f.debug_struct("NewResident")
            .field("name", &self.name)
            .field("sex", &self.sex)
            .field("birth_date", &self.birth_date)
            .field("id_number", &hidden(&self.id_number))
            .field("phone", &hidden(&self.phone))
            .field("relation", &self.relation)
            .field("tags", &self.tags)
            .finish()
    }
}

/// A resident that passed every check, with cleaned values and sex and birth date filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidResident {
    /// 姓名, cleaned.
    pub name: String,
    /// 性别, given or taken from the ID number.
    pub sex: Sex,
    /// 出生日期, given or taken from the ID number.
    pub birth_date: Option<NaiveDate>,
    /// 身份证号.
    pub id_number: Option<IdNumber>,
    /// 联系电话.
    pub phone: Option<Phone>,
    /// 与户主关系.
    pub relation: Option<String>,
    /// 标签, cleaned and distinct.
    pub tags: Vec<String>,
}

/// The earliest birth date a living resident can have: a typo like 1800 is refused rather than kept.
pub fn earliest_birth_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date")
}

fn non_empty(o: Option<String>) -> Option<String> {
    o.map(|s| clean(&s)).filter(|s| !s.is_empty())
}

/// Checks a new resident against `today` (Asia/Shanghai), reporting every bad field at once.
pub fn validate(input: NewResident, today: NaiveDate) -> Result<ValidResident, ValidationErrors> {
    let mut errs = ValidationErrors::new();

    let name = clean(&input.name);
    check_len("name", "姓名", &name, 1, NAME_MAX_LEN, &mut errs);

    let id_given = non_empty(input.id_number);
    let id_number = id_given
        .as_deref()
        .and_then(|raw| match IdNumber::parse(raw, today) {
            _ if crate::kernel::mask::is_masked(raw) => {
                errs.push(crate::kernel::mask::masked_error("id_number"));
                None
            }
            Ok(id) => Some(id),
            Err(e) => {
                errs.push(e.to_field_error("id_number"));
                None
            }
        });

    let sex = match (&id_number, input.sex) {
        (Some(id), Some(s)) if s != id.sex() => {
            errs.push(FieldError::new(
                "sex",
                "性别与身份证号不一致",
                "sex disagrees with the ID number",
            ));
            None
        }
        (Some(id), _) => Some(id.sex()),
        (None, Some(s)) => Some(s),
        // A bad ID number is already reported; fixing it will supply the sex.
        (None, None) if id_given.is_some() => None,
        (None, None) => {
            errs.push(FieldError::new("sex", "性别不能为空", "sex is required"));
            None
        }
    };

    let birth_date = match input.birth_date {
        Some(b) if b > today => {
            errs.push(FieldError::new(
                "birth_date",
                "出生日期不能晚于今天",
                "birth date cannot be in the future",
            ));
            None
        }
        Some(b) if b < earliest_birth_date() => {
            errs.push(FieldError::new(
                "birth_date",
                "出生日期不能早于1900年",
                "birth date cannot be before 1900",
            ));
            None
        }
        Some(b) if id_number.as_ref().is_some_and(|id| id.birth_date() != b) => {
            errs.push(FieldError::new(
                "birth_date",
                "出生日期与身份证号不一致",
                "birth date disagrees with the ID number",
            ));
            None
        }
        Some(b) => Some(b),
        None => id_number.as_ref().map(IdNumber::birth_date),
    };

    let phone = non_empty(input.phone).and_then(|raw| match Phone::parse(&raw) {
        _ if crate::kernel::mask::is_masked(&raw) => {
            errs.push(crate::kernel::mask::masked_error("phone"));
            None
        }
        Ok(p) => Some(p),
        Err(e) => {
            errs.push(e.to_field_error("phone"));
            None
        }
    });

    let relation = non_empty(input.relation);
    if let Some(r) = &relation {
        if !RELATIONS.contains(&r.as_str()) {
            errs.push(FieldError::new(
                "relation",
                format!("与户主关系应为：{}", RELATIONS.join("、")),
                format!("relation must be one of: {}", RELATIONS.join(", ")),
            ));
        }
    }

    let mut tags: Vec<String> = Vec::new();
    for t in input.tags.iter().map(|t| clean(t)) {
        if t.is_empty() || tags.contains(&t) {
            continue;
        }
        if let Err(e) = check_tag(&t) {
            errs.push(e);
        }
        tags.push(t);
    }
    if tags.len() > MAX_TAGS {
        errs.push(FieldError::new(
            "tags",
            format!("标签不能超过{MAX_TAGS}个"),
            format!("at most {MAX_TAGS} tags are allowed"),
        ));
    }

    match sex {
        Some(sex) if errs.is_empty() => Ok(ValidResident {
            name,
            sex,
            birth_date,
            id_number,
            phone,
            relation,
            tags,
        }),
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::people::id_number::check_digit;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    // A woman born 1949-12-31.
    const ID: &str = "11010519491231002X";

    #[test]
    fn refuses_masked_numbers_and_impossible_birth_dates() {
        let e = validate(
            NewResident {
                name: "王五".into(),
                sex: Some(Sex::Male),
                birth_date: Some(date(1800, 1, 1)),
                id_number: Some("110105********002X".into()),
                phone: Some("138****5678".into()),
                relation: None,
                tags: vec![],
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(fields(&e), vec!["id_number", "birth_date", "phone"]);
        assert!(e.0[0].message.contains("打码"));
        assert!(e.0[2].message_en.contains("masked"));
    }

    #[test]
    fn refuses_a_name_with_a_direction_override() {
        let e = validate(
            NewResident {
                name: "王\u{202E}五".into(),
                sex: Some(Sex::Male),
                ..NewResident::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(fields(&e), vec!["name"]);
    }

    fn fields(e: &ValidationErrors) -> Vec<&str> {
        e.0.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn splits_tags_on_every_separator() {
        assert_eq!(
            split_tags(" 独居老人、党员,低保，残疾;特困；特扶/退役军人 重点关注\u{3000}党员 "),
            vec![
                "独居老人",
                "党员",
                "低保",
                "残疾",
                "特困",
                "特扶",
                "退役军人",
                "重点关注"
            ]
        );
        assert!(split_tags("").is_empty());
        assert!(split_tags("、、 ,").is_empty());
    }

    #[test]
    fn tag_length() {
        assert!(check_tag("低保").is_ok());
        assert!(check_tag(&"标".repeat(20)).is_ok());
        assert_eq!(check_tag("").unwrap_err().field, "tags");
        assert!(check_tag(&"标".repeat(21)).is_err());
        for t in DEFAULT_TAGS {
            assert!(check_tag(t).is_ok());
        }
    }

    #[test]
    fn ages() {
        assert_eq!(age_on(date(1949, 12, 31), date(2026, 3, 1)), 76);
        assert_eq!(age_on(date(2000, 3, 1), date(2026, 3, 1)), 26);
        assert_eq!(age_on(date(2000, 3, 2), date(2026, 3, 1)), 25);
        assert_eq!(age_on(date(2000, 2, 29), date(2025, 2, 28)), 24);
        assert_eq!(age_on(date(2000, 2, 29), date(2025, 3, 1)), 25);
        assert_eq!(age_on(date(2030, 1, 1), date(2026, 3, 1)), 0);
    }

    #[test]
    fn derives_sex_and_birth_date_from_the_id() {
        let r = validate(
            NewResident {
                name: " 王芳 ".into(),
                id_number: Some(ID.to_lowercase()),
                phone: Some("138 1234 5678".into()),
                relation: Some("户主".into()),
                tags: vec!["独居老人".into(), " 独居老人".into(), "".into()],
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(r.name, "王芳");
        assert_eq!(r.sex, Sex::Female);
        assert_eq!(r.birth_date, Some(date(1949, 12, 31)));
        assert_eq!(r.id_number.unwrap().as_str(), ID);
        assert_eq!(r.phone.unwrap().as_str(), "13812345678");
        assert_eq!(r.tags, vec!["独居老人"]);
    }

    #[test]
    fn without_an_id_sex_is_required() {
        let e = validate(
            NewResident {
                name: "李四".into(),
                id_number: Some("  ".into()),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(fields(&e), vec!["sex"]);
        assert_eq!(e.0[0].message, "性别不能为空");
        let ok = validate(
            NewResident {
                name: "李四".into(),
                sex: Some(Sex::Male),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(ok.birth_date, None);
        assert_eq!(ok.id_number, None);
    }

    #[test]
    fn disagreement_with_the_id_is_reported() {
        let e = validate(
            NewResident {
                name: "王芳".into(),
                sex: Some(Sex::Male),
                birth_date: Some(date(1950, 1, 1)),
                id_number: Some(ID.into()),
                ..Default::default()
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(fields(&e), vec!["sex", "birth_date"]);
        assert_eq!(e.0[0].message, "性别与身份证号不一致");
        assert_eq!(e.0[1].message, "出生日期与身份证号不一致");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let e = validate(
            NewResident {
                name: "".into(),
                sex: None,
                birth_date: Some(date(2026, 3, 2)),
                id_number: Some("110105194912310021".into()),
                phone: Some("12345".into()),
                relation: Some("邻居".into()),
                tags: (0..21)
                    .map(|i| format!("标签{i}"))
                    .chain(["标".repeat(21)])
                    .collect(),
            },
            today(),
        )
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                "name",
                "id_number",
                "birth_date",
                "phone",
                "relation",
                "tags",
                "tags"
            ]
        );
        assert_eq!(e.0[1].message, "身份证号校验位不正确");
        assert_eq!(e.0[2].message, "出生日期不能晚于今天");
        assert!(e.0[4].message.starts_with("与户主关系应为：户主、配偶"));
    }

    #[test]
    fn twenty_tags_are_fine() {
        let first17 = "43010219900307001";
        let id = format!("{first17}{}", check_digit(first17).unwrap());
        let r = validate(
            NewResident {
                name: "张三".into(),
                id_number: Some(id),
                birth_date: Some(date(1990, 3, 7)),
                sex: Some(Sex::Male),
                tags: (0..20).map(|i| format!("标签{i}")).collect(),
                ..Default::default()
            },
            today(),
        )
        .unwrap();
        assert_eq!(r.tags.len(), 20);
    }

    #[test]
    fn debug_hides_raw_pii() {
        let n = NewResident {
            name: "王芳".into(),
            id_number: Some(ID.into()),
            phone: Some("13812345678".into()),
            ..Default::default()
        };
        let s = format!("{n:?}");
        assert!(!s.contains(ID) && !s.contains("13812345678"), "{s}");
    }
}
