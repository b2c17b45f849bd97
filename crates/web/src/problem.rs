//! RFC 9457 problem responses: a stable `code`, a Chinese `title` and `detail`, the English beside them,
//! and the bad fields.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use wushe_app::AppError;

/// One bad field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// JSON field name (or spreadsheet column).
    pub field: String,
    /// Chinese message naming the field.
    pub message: String,
    /// The same in English.
    pub message_en: String,
}

/// A problem details body.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short Chinese title.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Chinese explanation.
    pub detail: String,
    /// English explanation.
    pub detail_en: String,
    /// Stable machine code.
    pub code: String,
    /// Bad fields.
    pub errors: Vec<ProblemField>,
    /// For `duplicate_id_number`: the resident already holding the number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_id: Option<String>,
    /// For `duplicate_id_number`: where to read them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_url: Option<String>,
    /// For `account_locked`: until when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    /// For `invalid_transition`: the actions the object allows in its current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

impl Problem {
    /// A problem with no field errors.
    pub fn new(
        status: StatusCode,
        code: &str,
        title: &str,
        detail: impl Into<String>,
        detail_en: impl Into<String>,
    ) -> Problem {
        Problem {
            kind: format!("https://wushe.example/problems/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            detail_en: detail_en.into(),
            code: code.to_owned(),
            errors: Vec::new(),
            existing_id: None,
            existing_url: None,
            locked_until: None,
            allowed_actions: None,
        }
    }

    /// A 400 with field errors.
    pub fn fields(errors: Vec<ProblemField>) -> Problem {
        let detail = errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("；");
        let detail_en = errors
            .iter()
            .map(|e| e.message_en.clone())
            .collect::<Vec<_>>()
            .join("; ");
        Problem {
            errors,
            ..Problem::new(
                StatusCode::BAD_REQUEST,
                "validation_failed",
                "输入有误",
                detail,
                detail_en,
            )
        }
    }

    /// The HTTP status.
    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(v) => Problem::fields(
                v.into_iter()
                    .map(|f| ProblemField {
                        field: f.field,
                        message: f.message,
                        message_en: f.message_en,
                    })
                    .collect(),
            ),
            AppError::NotFound => Problem::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "未找到",
                "要找的对象不存在，或不在您的辖区内",
                "not found or not visible to you",
            ),
            AppError::Unauthorized => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "请先登录",
                "未登录或登录已过期，请重新登录",
                "not logged in, or the session has ended",
            ),
            AppError::BadCredentials => Problem::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "用户名或密码错误",
                "用户名或密码错误；连续5次错误将锁定15分钟",
                "wrong username or password; 5 failures lock the account for 15 minutes",
            ),
            AppError::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "无权操作",
                "您的角色或辖区不允许此操作",
                "your role or area does not allow this",
            ),
            AppError::AccountLocked(until) => Problem {
                locked_until: Some(until.to_rfc3339()),
                ..Problem::new(
                    StatusCode::LOCKED,
                    "account_locked",
                    "账号已锁定",
                    format!(
                        "密码连续错误5次，账号已锁定至 {}（北京时间）",
                        wushe_domain::time::format_local(until)
                    ),
                    format!(
                        "too many failed logins; locked until {}",
                        until.to_rfc3339()
                    ),
                )
            },
            AppError::DuplicateIdNumber(id) => Problem {
                existing_id: Some(id.to_string()),
                existing_url: Some(format!("/api/v1/residents/{id}")),
                errors: vec![ProblemField {
                    field: "id_number".into(),
                    message: "该身份证号已登记".into(),
                    message_en: "this ID number is already registered".into(),
                }],
                ..Problem::new(
                    StatusCode::CONFLICT,
                    "duplicate_id_number",
                    "身份证号重复",
                    format!("该身份证号已登记，见 /residents/{id}"),
                    format!("this ID number is already registered: /residents/{id}"),
                )
            },
            AppError::Conflict { code, zh, en } => {
                Problem::new(StatusCode::CONFLICT, code, "操作冲突", zh, en)
            }
            AppError::Transition { zh, en, allowed } => Problem {
                allowed_actions: Some(allowed.into_iter().map(str::to_owned).collect()),
                ..Problem::new(
                    StatusCode::CONFLICT,
                    "invalid_transition",
                    "当前状态不能这样操作",
                    zh,
                    en,
                )
            },
            AppError::Rule { code, zh, en } => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, code, "不符合规则", zh, en)
            }
            AppError::BadUpload { zh, en } => {
                let too_big = en.contains("10 MB");
                Problem::new(
                    if too_big {
                        StatusCode::PAYLOAD_TOO_LARGE
                    } else {
                        StatusCode::BAD_REQUEST
                    },
                    if too_big {
                        "payload_too_large"
                    } else {
                        "invalid_upload"
                    },
                    "文件无法导入",
                    zh,
                    en,
                )
            }
            AppError::Store(e) => {
                tracing::error!(error = %e, "database error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "服务器内部错误",
                    "服务器内部错误，请稍后重试",
                    "internal server error",
                )
            }
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "服务器内部错误",
                    "服务器内部错误，请稍后重试",
                    "internal server error",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let mut res = (status, axum::Json(&self)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

/// An API error: anything that becomes a problem response.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e.into())
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

/// Chinese labels for the JSON field names, so that type errors name the field as users know it.
pub fn field_label(field: &str) -> &'static str {
    match field
        .rsplit('.')
        .next()
        .unwrap_or(field)
        .trim_end_matches(|c: char| c == ']' || c.is_ascii_digit() || c == '[')
    {
        "name" => "姓名/名称",
        "sex" => "性别",
        "birth_date" => "出生日期",
        "id_number" => "身份证号",
        "phone" => "联系电话",
        "household_id" => "所属住户",
        "place_id" => "地点",
        "parent_id" => "上级地点",
        "kind" => "类型",
        "address" => "门牌",
        "tags" => "标签",
        "relation" => "与户主关系",
        "username" => "用户名",
        "password" => "密码",
        "display_name" => "姓名",
        "roles" => "角色",
        "role" => "角色",
        "note" => "备注",
        "current_password" => "当前密码",
        _ => "字段",
    }
}
