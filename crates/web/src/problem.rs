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
                        wushe_domain::kernel::time::format_local(until)
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

/// Turns the framework's own refusals (a path id that is not a UUID, a wrong method, a body over the
/// limit, a wrong media type), which answer in plain text or with no body, into problem responses like
/// every other error of the API, so a client needs one way to read a refusal.
pub async fn framework_errors(res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"));
    if is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let (code, title, detail) = match status {
        StatusCode::BAD_REQUEST => (
            "validation_failed",
            "输入有误",
            "请求无法解析，请检查路径中的编号和参数",
        ),
        StatusCode::NOT_FOUND => ("not_found", "未找到", "没有这个接口或对象"),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "不支持的请求方法",
            "该接口不支持此请求方法",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "内容过大", "请求内容超过上限"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "内容类型不支持",
            "请求内容类型不对，请使用 application/json",
        ),
        StatusCode::TOO_MANY_REQUESTS => {
            ("rate_limited", "请求过于频繁", "请求过于频繁，请稍后再试")
        }
        s if s.is_server_error() => (
            "internal_error",
            "服务器内部错误",
            "服务器内部错误，请稍后重试",
        ),
        _ => ("bad_request", "请求有误", "请求有误"),
    };
    let en = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_owned()
    } else {
        text
    };
    let mut out = Problem::new(status, code, title, detail, en).into_response();
    // Headers the refusal carried (Allow on a 405, Retry-After on a 429) are kept.
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// The refusals every API operation may answer, each as a problem document.
const COMMON_ERRORS: [(u16, &str); 9] = [
    (400, "输入有误 / the request or a field is invalid"),
    (401, "未登录或会话已结束 / not logged in"),
    (403, "无权进行此操作 / the role may not do this here"),
    (
        404,
        "不存在或不在您的辖区 / unknown, or outside the caller's area",
    ),
    (409, "状态冲突 / a state or uniqueness conflict"),
    (413, "内容过大 / the body is over the route's limit"),
    (
        415,
        "内容类型不支持 / the body is not in the documented media type",
    ),
    (422, "规则不允许 / a rule refuses it"),
    (429, "请求过于频繁 / rate limited"),
];

/// Makes the document say what the API answers: every error is `application/problem+json` (the
/// handlers' annotations say JSON), and every operation lists the refusals any of them may give.
pub fn document_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = || {
        ContentBuilder::new()
            .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
            .build()
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in ops.into_iter().flatten() {
            for (status, resp) in op.responses.responses.iter_mut() {
                let is_error = status.parse::<u16>().is_ok_and(|s| s >= 400);
                if let (true, RefOr::T(r)) = (is_error, resp) {
                    if let Some(c) = r.content.shift_remove("application/json") {
                        r.content.insert("application/problem+json".into(), c);
                    }
                }
            }
            for (status, what) in COMMON_ERRORS {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(what)
                                .content("application/problem+json", problem())
                                .build(),
                        )
                    });
            }
        }
    }
}
