//! Contact phone numbers: mainland mobiles and landlines with an area code, following the
//! numbering plan of the Ministry of Industry and Information Technology (《电信网编号计划》).

use crate::kernel::error::FieldError;
use crate::kernel::text::code as clean;

/// A validated phone: 11 mobile digits, or a landline stored as `0731-88886666`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

/// The input is neither an 11-digit mobile nor a landline with an area code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid phone number: expected an 11-digit mobile number or a landline with area code")]
pub struct PhoneError;

impl PhoneError {
    /// This error as a field error on `field`, with Chinese and English messages.
    pub fn to_field_error(&self, field: &str) -> FieldError {
        FieldError::new(
            field,
            "联系电话格式不正确，应为11位手机号或带区号的固定电话",
            "invalid phone number: expected an 11-digit mobile number or a landline with area code",
        )
    }
}

fn is_mobile(d: &str) -> bool {
    // Mobile network numbers run from 13x to 19x; 10x-12x are service and network codes.
    let b = d.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1])
}

fn landline(d: &str) -> Option<String> {
    let body = d.strip_prefix('0')?;
    // Two-digit area codes are 10 (Beijing) and 2x (Shanghai, Guangzhou...); all others have
    // three digits starting with 3-9, so the split point is never ambiguous.
    let area_len = match body.as_bytes().first()? {
        b'1' if body.starts_with("10") => 2,
        b'2' => 2,
        b'3'..=b'9' => 3,
        _ => return None,
    };
    let local = body.get(area_len..)?;
    // Local numbers have 7 or 8 digits and never start with 0 or 1 (those are prefixes).
    let first_ok = matches!(local.as_bytes().first(), Some(b'2'..=b'9'));
    if first_ok && (7..=8).contains(&local.len()) {
        Some(format!("0{}-{}", &body[..area_len], local))
    } else {
        None
    }
}

impl Phone {
    /// Validates a phone as typed: spaces and dashes are ignored, `+86`/`86` may precede a mobile.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let s: String = clean(input)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let (international, digits) = match s.strip_prefix("+86") {
            Some(rest) => (true, rest),
            None if s.len() == 13 && s.starts_with("86") => (true, &s[2..]),
            None => (false, s.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError);
        }
        if is_mobile(digits) {
            return Ok(Phone(digits.to_string()));
        }
        if international {
            return Err(PhoneError);
        }
        landline(digits).map(Phone).ok_or(PhoneError)
    }

    /// The stored form, for storage (encrypted) and for holders of the unmask permission.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The display form, `138****5678` or `0731-******66`.
    pub fn masked(&self) -> String {
        crate::kernel::mask::phone(&self.0)
    }

    /// True for a mobile number (which can receive text messages).
    pub fn is_mobile(&self) -> bool {
        is_mobile(&self.0)
    }
}

// A phone number is personal information: keep it out of logs.
impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Phone(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> String {
        Phone::parse(s).unwrap().as_str().to_string()
    }

    #[test]
    fn mobiles() {
        assert_eq!(ok("13812345678"), "13812345678");
        assert_eq!(ok("138 1234 5678"), "13812345678");
        assert_eq!(ok("138-1234-5678"), "13812345678");
        assert_eq!(ok("+86 138 1234 5678"), "13812345678");
        assert_eq!(ok("+8613812345678"), "13812345678");
        assert_eq!(ok("8613812345678"), "13812345678");
        assert_eq!(ok("１９９１２３４５６７８"), "19912345678");
        assert!(Phone::parse("13812345678").unwrap().is_mobile());
    }

    #[test]
    fn landlines() {
        assert_eq!(ok("0731-88886666"), "0731-88886666");
        assert_eq!(ok("073188886666"), "0731-88886666");
        assert_eq!(ok("010 62345678"), "010-62345678");
        assert_eq!(ok("021-6123456"), "021-6123456");
        assert_eq!(ok("0898-6612345"), "0898-6612345");
        assert!(!Phone::parse("0731-88886666").unwrap().is_mobile());
    }

    #[test]
    fn rejects() {
        for s in [
            "",
            "12812345678",
            "1381234567",
            "138123456789",
            "+86 0731 88886666",
            "+1 4155550100",
            "0731-0888666",
            "0731-888866",
            "0731-888866661",
            "011-62345678",
            "010-12345678",
            "0031-88886666",
            "88886666",
            "1381234567a",
            "138.1234.5678",
        ] {
            assert_eq!(Phone::parse(s), Err(PhoneError), "{s}");
        }
    }

    #[test]
    fn field_error_and_masking() {
        let e = PhoneError.to_field_error("phone");
        assert_eq!(e.field, "phone");
        assert_eq!(
            e.message,
            "联系电话格式不正确，应为11位手机号或带区号的固定电话"
        );
        let p = Phone::parse("13812345678").unwrap();
        assert_eq!(p.masked(), "138****5678");
        assert_eq!(format!("{p:?}"), "Phone(****)");
        assert_eq!(
            Phone::parse("0731-88886666").unwrap().masked(),
            "0731-******66"
        );
    }
}
