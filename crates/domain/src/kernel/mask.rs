//! Masking of personal data for display: shown masked by default, as the PIPL asks for
//! sensitive personal information (ID numbers, phones) and minors' names on public pages.

const STAR: char = '*';

/// Masks an ID number: `110101********1234` for 18 chars; other lengths reveal at most half.
pub fn id_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n == 18 {
        // Keep the region code (positions 1-6) and the last four, hide the birth date and
        // sequence code, the widely used display form for GB 11643-1999 numbers.
        return keep_ends(&chars, 6, 4);
    }
    let budget = n / 2;
    let head = (n / 3).min(budget);
    let tail = (n / 4).min(budget - head);
    keep_ends(&chars, head, tail)
}

/// Masks a phone: mobiles as `138****5678`, landlines keep the area code and the last two digits.
pub fn phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if let Some(dash) = chars.iter().position(|&c| c == '-') {
        // A landline stored as `0731-88886666`: the area code only says which city.
        let local = n - dash - 1;
        let tail = if local > 4 { 2 } else { 0 };
        return keep_ends(&chars, dash + 1, tail);
    }
    if n == 11 {
        return keep_ends(&chars, 3, 4);
    }
    let tail = if n >= 6 { 2 } else { 0 };
    keep_ends(&chars, 0, tail)
}

/// Masks a name for public pages: the family name and one `*` per remaining char (`张**`).
pub fn name(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        None => String::new(),
        // A one-char value would be shown whole otherwise.
        Some(_) if s.chars().count() == 1 => STAR.to_string(),
        Some(first) => std::iter::once(first).chain(chars.map(|_| STAR)).collect(),
    }
}

/// Whether a value is a masked display form (`110101********1234`) rather than a real number: sent back by
/// a client that saved what it read, it must be refused, never stored.
pub fn is_masked(s: &str) -> bool {
    s.contains(STAR) || s.contains('＊')
}

/// The field error for a masked value sent where a real one belongs.
pub fn masked_error(field: &str) -> crate::kernel::error::FieldError {
    crate::kernel::error::FieldError::new(
        field,
        "这是打码后的号码，不能保存：请填写完整号码，或不提交此项以保留原值",
        "this is a masked value and cannot be saved: send the full number, or leave the field out to keep the stored one",
    )
}

fn keep_ends(chars: &[char], head: usize, tail: usize) -> String {
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < head || i + tail >= n { c } else { STAR })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_number_18() {
        assert_eq!(id_number("11010119900307123X"), "110101********123X");
        assert_eq!(id_number("110101199003071234"), "110101********1234");
    }

    #[test]
    fn id_number_other_lengths() {
        assert_eq!(id_number(""), "");
        assert_eq!(id_number("1"), "*");
        assert_eq!(id_number("12"), "**");
        assert_eq!(id_number("123"), "1**");
        assert_eq!(id_number("110101900307123"), "11010********23");
    }

    #[test]
    fn mobile_phone() {
        assert_eq!(phone("13812345678"), "138****5678");
    }

    #[test]
    fn landline_phone() {
        assert_eq!(phone("0731-88886666"), "0731-******66");
        assert_eq!(phone("010-62345678"), "010-******78");
        assert_eq!(phone("010-12345678"), "010-******78");
        assert_eq!(phone("010-1234"), "010-****");
    }

    #[test]
    fn other_phone_shapes() {
        assert_eq!(phone(""), "");
        assert_eq!(phone("12345"), "*****");
        assert_eq!(phone("123456"), "****56");
    }

    #[test]
    fn names() {
        assert_eq!(name("张三丰"), "张**");
        assert_eq!(name("李四"), "李*");
        assert_eq!(name("王"), "*");
        assert_eq!(name(""), "");
        assert_eq!(name("阿依古丽·买买提"), "阿*******");
    }
}
