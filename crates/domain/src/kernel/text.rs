//! Normalisation and length checks shared by every free-text input field.

use crate::kernel::error::{FieldError, ValidationErrors};

/// Free text as the user typed it: only surrounding whitespace and invisible marks are removed.
///
/// Full-width punctuation (，。！？：) is part of written Chinese and is kept: a published result or a
/// public list must read exactly as the worker wrote it.
pub fn clean(s: &str) -> String {
    let kept: String = s.chars().filter(|c| !is_invisible(*c)).collect();
    kept.trim().to_string()
}

/// A code, number or keyword (ID number, phone, door number, V-number, a status word, a column name):
/// trimmed, with full-width ASCII and the ideographic space folded to half-width.
pub fn code(s: &str) -> String {
    let folded: String = s.chars().filter_map(fold).collect();
    folded.trim().to_string()
}

// Office suites paste a byte-order mark or zero-width spaces into cells; they are never meant.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{FEFF}' | '\u{200B}')
}

// Chinese input methods in full-width mode type "１３８" or "ａｂｃ" where a code is meant.
fn fold(c: char) -> Option<char> {
    match c {
        '\u{3000}' => Some(' '),
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
        c if is_invisible(c) => None,
        _ => Some(c),
    }
}

/// Whether `c` may not appear in stored text: control characters other than line breaks and tabs, and
/// the bidirectional overrides (U+202A..U+202E, U+2066..U+2069) that make a name read differently
/// on screen than it sorts and searches (`王\u{202E}五` shows as a different name).
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The length error for `value` (counted in chars, not bytes), if it is outside `min..=max`.
pub fn len_error(
    field: &str,
    label_zh: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Option<FieldError> {
    // Limits are stated to users in characters (字): a Chinese name of 3 characters is 9 bytes.
    let n = value.chars().count();
    let label_en = field.replace('_', " ");
    if value.chars().any(is_forbidden) {
        Some(FieldError::new(
            field,
            format!("{label_zh}含有不可见的控制字符"),
            format!("{label_en} contains invisible control characters"),
        ))
    } else if n == 0 && min > 0 {
        Some(FieldError::new(
            field,
            format!("{label_zh}不能为空"),
            format!("{label_en} is required"),
        ))
    } else if n < min {
        Some(FieldError::new(
            field,
            format!("{label_zh}至少{min}个字"),
            format!("{label_en} must be at least {min} characters"),
        ))
    } else if n > max {
        Some(FieldError::new(
            field,
            format!("{label_zh}不能超过{max}个字"),
            format!("{label_en} must be at most {max} characters"),
        ))
    } else {
        None
    }
}

/// A text field's length rule: the field, its Chinese name for messages, and how many characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The API field.
    pub field: &'static str,
    /// Its name in Chinese messages.
    pub label_zh: &'static str,
    /// Fewest characters (1 for a required field).
    pub min: usize,
    /// Most characters.
    pub max: usize,
}

impl Limit {
    /// A rule for `field` of `min..=max` characters.
    pub const fn new(field: &'static str, label_zh: &'static str, min: usize, max: usize) -> Limit {
        Limit {
            field,
            label_zh,
            min,
            max,
        }
    }

    /// The error for `value`, if it breaks the rule.
    pub fn error(&self, value: &str) -> Option<FieldError> {
        len_error(self.field, self.label_zh, value, self.min, self.max)
    }

    /// Pushes the error for `value` into `errs`, if it breaks the rule.
    pub fn check(&self, value: &str, errs: &mut ValidationErrors) {
        check_len(self.field, self.label_zh, value, self.min, self.max, errs)
    }
}

/// Pushes a length error for `value` into `errs` when it is outside `min..=max` chars.
pub fn check_len(
    field: &str,
    label_zh: &str,
    value: &str,
    min: usize,
    max: usize,
    errs: &mut ValidationErrors,
) {
    if let Some(e) = len_error(field, label_zh, value, min, max) {
        errs.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fold_full_width_and_trim() {
        assert_eq!(code("\u{3000}１３８ ００１３\u{3000}"), "138 0013");
        assert_eq!(code("ＡＢＣ＠ｘ．ｃｏｍ"), "ABC@x.com");
        assert_eq!(code("～！"), "~!");
    }

    #[test]
    fn free_text_keeps_full_width_punctuation() {
        assert_eq!(clean("井盖松动，踩上去会翻！"), "井盖松动，踩上去会翻！");
        assert_eq!(clean("\u{3000}时间：周三？\u{3000}"), "时间：周三？");
        assert_eq!(clean("１号楼"), "１号楼");
    }

    #[test]
    fn refuses_controls_and_bidi_overrides() {
        assert!(len_error("name", "姓名", "王\u{202E}五", 1, 50).is_some());
        assert!(len_error("name", "姓名", "王\u{2066}五", 1, 50).is_some());
        assert!(len_error("name", "姓名", "王\u{7}五", 1, 50).is_some());
        assert!(len_error("note", "备注", "第一行\n第二行\t完", 0, 50).is_none());
        let e = len_error("name", "姓名", "\u{202E}", 1, 50).unwrap();
        assert_eq!(e.message, "姓名含有不可见的控制字符");
    }

    #[test]
    fn keeps_inner_spaces_and_chinese() {
        assert_eq!(clean("  阳明  山庄 "), "阳明  山庄");
        assert_eq!(clean("、。"), "、。");
    }

    #[test]
    fn drops_bom_and_zero_width_space() {
        assert_eq!(clean("\u{FEFF}姓名"), "姓名");
        assert_eq!(clean("王\u{200B}五"), "王五");
    }

    #[test]
    fn empty_when_required() {
        let mut errs = ValidationErrors::new();
        check_len("name", "姓名", "", 1, 50, &mut errs);
        assert_eq!(errs.0[0].message, "姓名不能为空");
        assert_eq!(errs.0[0].message_en, "name is required");
    }

    #[test]
    fn counts_chars_not_bytes() {
        let mut errs = ValidationErrors::new();
        check_len("name", "姓名", &"张".repeat(50), 1, 50, &mut errs);
        assert!(errs.is_empty());
        check_len("name", "姓名", &"张".repeat(51), 1, 50, &mut errs);
        assert_eq!(errs.0[0].message, "姓名不能超过50个字");
        assert_eq!(errs.0[0].message_en, "name must be at most 50 characters");
    }

    #[test]
    fn minimum_above_one() {
        let e = len_error("door_no", "门牌", "1", 2, 10).unwrap();
        assert_eq!(e.message, "门牌至少2个字");
        assert_eq!(e.message_en, "door no must be at least 2 characters");
        assert!(len_error("note", "备注", "", 0, 10).is_none());
    }
}
