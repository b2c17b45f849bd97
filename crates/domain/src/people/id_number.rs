//! The resident ID number (公民身份号码) of GB 11643-1999: 6-digit region code, 8-digit birth
//! date, 3-digit sequence code (odd for men) and a MOD 11-2 check character.

use chrono::NaiveDate;

use crate::kernel::error::FieldError;
use crate::kernel::text::code as clean;
use crate::people::sex::Sex;

// GB 11643-1999 uses ISO 7064:1983 MOD 11-2: the weight of position i is 2^(17-i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// A validated 18-character ID number with an uppercase `X` check character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// Why an input is not a valid ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    /// Not 18 characters.
    #[error("an ID number must have 18 characters")]
    Length,
    /// One of the first 17 characters is not a digit.
    #[error("the first 17 characters of an ID number must be digits")]
    NotDigits,
    /// The region code cannot exist.
    #[error("the region code of the ID number is invalid")]
    Region,
    /// The birth date is not a real date between 1900-01-01 and today.
    #[error("the birth date in the ID number is invalid")]
    BirthDate,
    /// The check character does not match the first 17 digits.
    #[error("the check digit of the ID number is wrong")]
    CheckDigit,
}

impl IdNumberError {
    /// This error as a field error on `field`, with Chinese and English messages.
    pub fn to_field_error(&self, field: &str) -> FieldError {
        let zh = match self {
            IdNumberError::Length => "身份证号应为18位",
            IdNumberError::NotDigits => "身份证号前17位应为数字",
            IdNumberError::Region => "身份证号地区码不正确",
            IdNumberError::BirthDate => "身份证号中的出生日期不正确",
            IdNumberError::CheckDigit => "身份证号校验位不正确",
        };
        FieldError::new(field, zh, self.to_string())
    }
}

/// The MOD 11-2 check character for 17 ASCII digits, or `None` if the input is not that.
pub fn check_digit(first17: &str) -> Option<char> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK_CHARS[(sum % 11) as usize])
}

fn earliest_birth() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("1900-01-01 is a valid date")
}

fn parse_birth(yyyymmdd: &str) -> Option<NaiveDate> {
    let y = yyyymmdd.get(0..4)?.parse().ok()?;
    let m = yyyymmdd.get(4..6)?.parse().ok()?;
    let d = yyyymmdd.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

impl IdNumber {
    /// Validates an ID number as typed (full-width digits, spaces and a lowercase `x` are fine).
    ///
    /// `today` is the current date in Asia/Shanghai: nobody can be born after it.
    pub fn parse(input: &str, today: NaiveDate) -> Result<IdNumber, IdNumberError> {
        let s: String = clean(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.chars().count() != 18 {
            return Err(IdNumberError::Length);
        }
        let first17 = match s.get(..17) {
            Some(f) if f.bytes().all(|b| b.is_ascii_digit()) => f,
            _ => return Err(IdNumberError::NotDigits),
        };
        // Region codes come from GB/T 2260, whose province codes all start with 1-9.
        if first17.starts_with('0') {
            return Err(IdNumberError::Region);
        }
        match parse_birth(&first17[6..14]) {
            Some(b) if b >= earliest_birth() && b <= today => {}
            _ => return Err(IdNumberError::BirthDate),
        }
        let expected = check_digit(first17).ok_or(IdNumberError::NotDigits)?;
        if !s[17..].starts_with(expected) {
            return Err(IdNumberError::CheckDigit);
        }
        Ok(IdNumber(s))
    }

    /// The 18 characters, for storage (encrypted) and for holders of the unmask permission.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date encoded in positions 7-14.
    pub fn birth_date(&self) -> NaiveDate {
        parse_birth(&self.0[6..14]).expect("birth date checked by IdNumber::parse")
    }

    /// The sex encoded by the sequence code: odd 17th digit for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The display form, `110101********1234`.
    pub fn masked(&self) -> String {
        crate::kernel::mask::id_number(&self.0)
    }
}

// The number is sensitive personal information: it must never reach a log line by accident.
impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdNumber(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn make(first17: &str) -> String {
        format!("{first17}{}", check_digit(first17).unwrap())
    }

    #[test]
    fn known_check_digits() {
        // The two example numbers printed in GB 11643-1999.
        assert_eq!(check_digit("11010519491231002"), Some('X'));
        assert_eq!(check_digit("44052418800101001"), Some('4'));
        assert_eq!(check_digit("1101051949123100"), None);
        assert_eq!(check_digit("1101051949123100a"), None);
    }

    #[test]
    fn parses_and_normalises() {
        let id = IdNumber::parse(" 11010519491231002x ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        let id = IdNumber::parse("１１０１０５ １９４９１２３１ ００２Ｘ", today()).unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn derives_birth_date_and_sex() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        let id = IdNumber::parse("440524188001010014", today());
        assert_eq!(id, Err(IdNumberError::BirthDate), "born before 1900");
        let id = IdNumber::parse(&make("43010219900307001"), today()).unwrap();
        assert_eq!(id.sex(), Sex::Male);
    }

    #[test]
    fn rejects_each_kind_of_error() {
        let t = today();
        assert_eq!(IdNumber::parse("", t), Err(IdNumberError::Length));
        assert_eq!(
            IdNumber::parse("11010519491231002", t),
            Err(IdNumberError::Length)
        );
        assert_eq!(
            IdNumber::parse("11010519491231002XX", t),
            Err(IdNumberError::Length)
        );
        assert_eq!(
            IdNumber::parse("1101051949123100AX", t),
            Err(IdNumberError::NotDigits)
        );
        assert_eq!(
            IdNumber::parse(&format!("张{}", &"11010519491231002X"[1..]), t).unwrap_err(),
            IdNumberError::NotDigits
        );
        assert_eq!(
            IdNumber::parse(&make("01010519491231002"), t),
            Err(IdNumberError::Region)
        );
        assert_eq!(
            IdNumber::parse(&make("11010519490230002"), t),
            Err(IdNumberError::BirthDate)
        );
        assert_eq!(
            IdNumber::parse(&make("11010520260302002"), t),
            Err(IdNumberError::BirthDate)
        );
        assert!(IdNumber::parse(&make("11010520260301002"), t).is_ok());
        assert!(IdNumber::parse(&make("11010519000101002"), t).is_ok());
        assert_eq!(
            IdNumber::parse("110105194912310021", t),
            Err(IdNumberError::CheckDigit)
        );
        assert_eq!(
            IdNumber::parse("11010519491231002张", t),
            Err(IdNumberError::CheckDigit)
        );
    }

    #[test]
    fn field_errors_are_chinese_first() {
        let e = IdNumberError::CheckDigit.to_field_error("id_number");
        assert_eq!(e.field, "id_number");
        assert_eq!(e.message, "身份证号校验位不正确");
        assert_eq!(e.message_en, "the check digit of the ID number is wrong");
        assert_eq!(
            IdNumberError::Length.to_field_error("x").message,
            "身份证号应为18位"
        );
        assert_eq!(
            IdNumberError::NotDigits.to_field_error("x").message,
            "身份证号前17位应为数字"
        );
        assert_eq!(
            IdNumberError::Region.to_field_error("x").message,
            "身份证号地区码不正确"
        );
        assert_eq!(
            IdNumberError::BirthDate.to_field_error("x").message,
            "身份证号中的出生日期不正确"
        );
    }

    #[test]
    fn debug_hides_the_number() {
        let id = IdNumber::parse("11010519491231002X", today()).unwrap();
        assert_eq!(format!("{id:?}"), "IdNumber(****)");
        assert_eq!(id.masked(), "110105********002X");
    }
}
