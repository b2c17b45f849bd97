//! Households (户): the door a household lives behind, inside a building or a lane.

use crate::kernel::error::FieldError;
use crate::kernel::text::len_error;

/// Longest address, in chars.
pub const ADDRESS_MAX: usize = 100;

/// Cleans and checks a household address (门牌/地址), 1-100 chars.
pub fn validate_address(addr: &str) -> Result<String, FieldError> {
    let a = crate::kernel::text::code(addr);
    match len_error("address", "门牌/地址", &a, 1, ADDRESS_MAX) {
        Some(e) => Err(e),
        None => Ok(a),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_and_accepts() {
        assert_eq!(
            validate_address(" ３栋２单元５０１ "),
            Ok("3栋2单元501".into())
        );
    }

    #[test]
    fn rejects_empty_and_too_long() {
        let e = validate_address("\u{3000}").unwrap_err();
        assert_eq!(e.field, "address");
        assert_eq!(e.message, "门牌/地址不能为空");
        let e = validate_address(&"号".repeat(101)).unwrap_err();
        assert_eq!(e.message, "门牌/地址不能超过100个字");
        assert!(validate_address(&"号".repeat(100)).is_ok());
    }
}
