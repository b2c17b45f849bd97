//! Sex as recorded on the resident ID card and in registers.

use serde::{Deserialize, Serialize};

/// Sex of a person, as the ID number and household registers record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男.
    Male,
    /// 女.
    Female,
}

impl Sex {
    /// The API value: `male` or `female`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// The Chinese label: 男 or 女.
    pub fn label_zh(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Sex::Male => "Male",
            Sex::Female => "Female",
        }
    }

    /// Reads male/female/m/f/男/女 (any case), or the codes 1/2 of GB/T 2261.1-2003.
    pub fn parse(s: &str) -> Option<Sex> {
        // Government spreadsheets often carry the GB/T 2261.1 code (1 男, 2 女) instead of a word.
        match crate::kernel::text::code(s).to_lowercase().as_str() {
            "male" | "m" | "男" | "1" => Some(Sex::Male),
            "female" | "f" | "女" | "2" => Some(Sex::Female),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spelling() {
        for s in ["male", "MALE", "m", "M", "男", " 男 ", "1"] {
            assert_eq!(Sex::parse(s), Some(Sex::Male), "{s}");
        }
        for s in ["female", "Female", "f", "F", "女", "2"] {
            assert_eq!(Sex::parse(s), Some(Sex::Female), "{s}");
        }
        for s in ["", "x", "unknown", "0", "男女"] {
            assert_eq!(Sex::parse(s), None, "{s}");
        }
    }

    #[test]
    fn labels_round_trip() {
        for sex in [Sex::Male, Sex::Female] {
            assert_eq!(Sex::parse(sex.as_str()), Some(sex));
            assert_eq!(Sex::parse(sex.label_zh()), Some(sex));
            assert_eq!(Sex::parse(sex.label_en()), Some(sex));
        }
        assert_eq!(Sex::Male.label_zh(), "男");
        assert_eq!(Sex::Female.label_zh(), "女");
    }
}
