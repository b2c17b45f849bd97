//! A rule saying no: a stable code for clients and a message in Chinese and English for people.

/// How the edge should answer a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The object is in the wrong state for this step (409).
    Conflict,
    /// A rule refuses the request as asked (422).
    Rule,
}

/// Why a workflow rule refused a step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {en}")]
pub struct Refusal {
    /// 409 or 422.
    pub kind: RefusalKind,
    /// Stable snake_case code (`invalid_transition`, `insufficient_points`, ...).
    pub code: &'static str,
    /// Chinese message.
    pub zh: String,
    /// English message.
    pub en: String,
    /// For `validation_failed`: the input field at fault.
    pub field: Option<&'static str>,
}

impl Refusal {
    /// A state conflict (409).
    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Conflict,
            code,
            zh: zh.into(),
            en: en.into(),
            field: None,
        }
    }

    /// A rule refusal (422).
    pub fn rule(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Rule,
            code,
            zh: zh.into(),
            en: en.into(),
            field: None,
        }
    }

    /// A bad input value (400 `validation_failed` naming `field`).
    pub fn invalid(field: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
        Refusal {
            kind: RefusalKind::Rule,
            code: "validation_failed",
            zh: zh.into(),
            en: en.into(),
            field: Some(field),
        }
    }
}
