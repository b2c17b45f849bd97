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
    /// For `invalid_transition` from a workflow table: the actions allowed instead (API names).
    pub allowed: Vec<&'static str>,
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
            allowed: Vec::new(),
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
            allowed: Vec::new(),
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
            allowed: Vec::new(),
        }
    }

    /// A step not allowed in the current state (409 `invalid_transition`), naming the allowed ones.
    pub fn transition(
        zh: impl Into<String>,
        en: impl Into<String>,
        allowed: Vec<&'static str>,
    ) -> Refusal {
        Refusal {
            kind: RefusalKind::Conflict,
            code: "invalid_transition",
            zh: zh.into(),
            en: en.into(),
            field: None,
            allowed,
        }
    }
}
