//! The one typed error of the use cases; the web edge turns it into a problem response.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use wushe_domain::kernel::error::{FieldError, ValidationErrors};

/// Why a use case said no.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input fields are wrong; nothing was written.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// Not there, or not visible to the caller (the two are indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// Not logged in, or the session ended.
    #[error("unauthorized")]
    Unauthorized,
    /// Wrong user name or password.
    #[error("bad credentials")]
    BadCredentials,
    /// Logged in but the role does not allow this.
    #[error("forbidden")]
    Forbidden,
    /// Too many failed logins: locked until the given time.
    #[error("account locked")]
    AccountLocked(DateTime<Utc>),
    /// The same ID number is already registered.
    #[error("duplicate id number")]
    DuplicateIdNumber(Uuid),
    /// A state or uniqueness conflict, with a stable code and a Chinese and English message.
    #[error("conflict: {code}")]
    Conflict {
        /// Stable snake_case code.
        code: &'static str,
        /// Chinese message.
        zh: String,
        /// English message.
        en: String,
    },
    /// A workflow step not allowed in the current state (409 `invalid_transition`), with the allowed
    /// actions so a client can offer them.
    #[error("invalid transition")]
    Transition {
        /// Chinese message.
        zh: String,
        /// English message.
        en: String,
        /// The actions allowed instead (API names).
        allowed: Vec<&'static str>,
    },
    /// A rule refuses the request (422), with a stable code.
    #[error("rule refused: {code}")]
    Rule {
        /// Stable snake_case code.
        code: &'static str,
        /// Chinese message.
        zh: String,
        /// English message.
        en: String,
    },
    /// The uploaded file is not what was expected.
    #[error("bad upload: {en}")]
    BadUpload {
        /// Chinese message.
        zh: String,
        /// English message.
        en: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] wushe_store::Error),
    /// Something that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result with an [`AppError`].
pub type AppResult<T> = Result<T, AppError>;

impl From<ValidationErrors> for AppError {
    fn from(v: ValidationErrors) -> Self {
        AppError::Validation(v.0)
    }
}

impl From<wushe_domain::kernel::refusal::Refusal> for AppError {
    fn from(r: wushe_domain::kernel::refusal::Refusal) -> Self {
        use wushe_domain::kernel::refusal::RefusalKind;
        match (r.field, r.kind) {
            (Some(field), _) => AppError::Validation(vec![FieldError::new(field, r.zh, r.en)]),
            (None, RefusalKind::Conflict)
                if r.code == "invalid_transition" && !r.allowed.is_empty() =>
            {
                AppError::Transition {
                    zh: r.zh,
                    en: r.en,
                    allowed: r.allowed,
                }
            }
            (None, RefusalKind::Conflict) => AppError::Conflict {
                code: r.code,
                zh: r.zh,
                en: r.en,
            },
            (None, RefusalKind::Rule) => AppError::Rule {
                code: r.code,
                zh: r.zh,
                en: r.en,
            },
        }
    }
}

impl From<FieldError> for AppError {
    fn from(f: FieldError) -> Self {
        AppError::Validation(vec![f])
    }
}

impl AppError {
    /// One field error.
    pub fn field(field: &str, zh: &str, en: &str) -> Self {
        AppError::Validation(vec![FieldError::new(field, zh, en)])
    }

    /// A 409 conflict.
    pub fn conflict(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A 422 rule refusal.
    pub fn rule(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::Rule {
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// A refused upload.
    pub fn upload(zh: impl Into<String>, en: impl Into<String>) -> Self {
        AppError::BadUpload {
            zh: zh.into(),
            en: en.into(),
        }
    }
}
