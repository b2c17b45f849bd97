//! Field-level validation errors, shaped for the `errors: [{field, message}]` of API problem details.

use serde::Serialize;

/// One rejected input field, with a Chinese message first and its English translation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The snake_case JSON field name, so clients can put the message next to the right input.
    pub field: String,
    /// Chinese message that names the field in Chinese (Simplified Chinese is the first language).
    pub message: String,
    /// English translation of `message`.
    pub message_en: String,
}

impl FieldError {
    /// Builds a field error from the field name and the Chinese and English messages.
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: zh.into(),
            message_en: en.into(),
        }
    }
}

/// All field errors of one input, collected so a form can show every problem at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("validation failed: {0:?}")]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// An empty collection.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// A collection holding exactly one error.
    pub fn single(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self(vec![FieldError::new(field, zh, en)])
    }

    /// Adds one error.
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    /// True when no error was collected.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(ok)` when nothing was collected, otherwise `Err(self)`.
    pub fn into_result<T>(self, ok: T) -> Result<T, ValidationErrors> {
        if self.is_empty() {
            Ok(ok)
        } else {
            Err(self)
        }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_collection_yields_ok() {
        let errs = ValidationErrors::new();
        assert!(errs.is_empty());
        assert_eq!(errs.into_result(7), Ok(7));
    }

    #[test]
    fn non_empty_collection_yields_err() {
        let mut errs = ValidationErrors::default();
        errs.push(FieldError::new("name", "姓名不能为空", "name is required"));
        assert!(!errs.is_empty());
        let err = errs.into_result(()).unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field, "name");
    }

    #[test]
    fn single_and_from_agree() {
        let a = ValidationErrors::single("id_number", "身份证号校验位不正确", "bad check digit");
        let b: ValidationErrors =
            FieldError::new("id_number", "身份证号校验位不正确", "bad check digit").into();
        assert_eq!(a, b);
    }

    #[test]
    fn debug_and_display_name_the_parts() {
        let e = FieldError::new("phone", "联系电话格式不正确", "invalid phone");
        let debug = format!("{e:?}");
        assert!(debug.contains("message_en"));
        let display = ValidationErrors::from(e).to_string();
        assert!(display.starts_with("validation failed"));
    }
}
