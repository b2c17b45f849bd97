//! Volunteers (志愿者): what a registration holds, the public volunteer number, and the sign-up states.
//!
//! 《志愿服务信息系统基本规范》 (民政部, 2015) asks for a volunteer number that is not the ID number; ours is
//! `V` and eight digits, given in order of registration.

use serde::{Deserialize, Serialize};

use crate::kernel::error::{FieldError, ValidationErrors};
use crate::kernel::text;

/// Where a volunteer's registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerStatus {
    /// Signed up by themselves, waiting for a community worker (待审核).
    Pending,
    /// Registered and active (在册).
    Active,
    /// Left, or the application was refused (已退出).
    Left,
}

impl VolunteerStatus {
    /// The API value.
    pub fn as_str(self) -> &'static str {
        match self {
            VolunteerStatus::Pending => "pending",
            VolunteerStatus::Active => "active",
            VolunteerStatus::Left => "left",
        }
    }

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<VolunteerStatus> {
        [
            VolunteerStatus::Pending,
            VolunteerStatus::Active,
            VolunteerStatus::Left,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            VolunteerStatus::Pending => "待审核",
            VolunteerStatus::Active => "在册",
            VolunteerStatus::Left => "已退出",
        }
    }
}

/// The public volunteer number for the `seq`-th registration.
pub fn volunteer_no(seq: i64) -> String {
    format!("V{seq:08}")
}

/// The service categories offered on forms (a community may use others).
pub const CATEGORIES: [&str; 10] = [
    "扶老助老",
    "助残服务",
    "关爱儿童",
    "社区治理",
    "环境保护",
    "文化体育",
    "应急救援",
    "平安巡逻",
    "心理疏导",
    "法律服务",
];

/// Cleans a list of skills or categories: trimmed, no empties or duplicates, at most 20 of 1-20 chars.
pub fn clean_list(
    field: &str,
    label_zh: &str,
    items: &[String],
) -> Result<Vec<String>, FieldError> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        let i = text::code(i);
        if i.is_empty() {
            continue;
        }
        if i.chars().count() > 20 {
            return Err(FieldError::new(
                field,
                format!("{label_zh}“{i}”超过20个字"),
                format!(
                    "{} “{i}” is longer than 20 characters",
                    field.replace('_', " ")
                ),
            ));
        }
        if !out.contains(&i) {
            out.push(i);
        }
    }
    if out.len() > 20 {
        return Err(FieldError::new(
            field,
            format!("{label_zh}最多20项"),
            format!("at most 20 {}", field.replace('_', " ")),
        ));
    }
    Ok(out)
}

/// Checks the free-text fields of a registration.
pub fn validate_texts(
    name: &str,
    work_unit: &str,
    availability: &str,
) -> Result<(), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    text::check_len("name", "姓名", name, 1, 50, &mut errs);
    text::check_len("work_unit", "工作单位", work_unit, 0, 100, &mut errs);
    text::check_len(
        "availability",
        "可服务时间",
        availability,
        0,
        200,
        &mut errs,
    );
    errs.into_result(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_not_id_numbers() {
        assert_eq!(volunteer_no(1), "V00000001");
        assert_eq!(volunteer_no(700), "V00000700");
        assert_eq!(volunteer_no(123_456_789), "V123456789");
    }

    #[test]
    fn lists_are_cleaned() {
        let l = clean_list(
            "skills",
            "技能",
            &[" 理发 ".into(), "理发".into(), "".into(), "ＰＰＴ".into()],
        )
        .unwrap();
        assert_eq!(l, ["理发", "PPT"]);
        let long = "长".repeat(21);
        assert!(clean_list("skills", "技能", &[long])
            .unwrap_err()
            .message
            .contains("超过20个字"));
        let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
        assert!(clean_list("skills", "技能", &many).is_err());
    }

    #[test]
    fn statuses_round_trip_and_texts_are_checked() {
        for s in [
            VolunteerStatus::Pending,
            VolunteerStatus::Active,
            VolunteerStatus::Left,
        ] {
            assert_eq!(VolunteerStatus::parse(s.as_str()), Some(s));
        }
        assert!(validate_texts("张三", "", "").is_ok());
        let e = validate_texts("", &"x".repeat(101), "").unwrap_err();
        assert_eq!(e.0.len(), 2);
    }
}
