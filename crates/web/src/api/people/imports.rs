//! `/imports/residents` and `/imports/volunteers`: spreadsheet imports with a dry run, and their templates.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use wushe_app::people::import::ImportReport;
use wushe_app::AppError;

use crate::api::{flag, xlsx};
use crate::extract::ApiActor;
use crate::extract::ApiQuery;
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// Import options (also accepted as a multipart field).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check only; write nothing.
    pub dry_run: Option<String>,
    /// Volunteers only: the community for rows without 所属社区.
    pub community_id: Option<uuid::Uuid>,
}

/// An uploaded file and the form's fields.
pub struct Upload {
    /// Original file name.
    pub file_name: String,
    /// Bytes.
    pub bytes: Vec<u8>,
    /// `dry_run` field.
    pub dry_run: bool,
    /// `community_id` field (volunteer imports).
    pub community_id: Option<uuid::Uuid>,
}

/// What an upload is, for the message when it is too large: each route's limit is its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadKind {
    /// A spreadsheet, at most [`wushe_app::kernel::sheet::MAX_UPLOAD_BYTES`].
    Sheet,
    /// A photo, at most [`wushe_app::kernel::photos::MAX_BYTES`].
    Photo,
}

/// Reads the `file` (and `dry_run`) parts of a spreadsheet upload, with Chinese errors.
pub async fn read_upload(m: Multipart) -> Result<Upload, ApiError> {
    read_upload_of(m, UploadKind::Sheet).await
}

/// Reads the `file` (and `dry_run`) parts of a multipart upload, with Chinese errors.
pub async fn read_upload_of(mut m: Multipart, kind: UploadKind) -> Result<Upload, ApiError> {
    let mut up = Upload {
        file_name: String::new(),
        bytes: Vec::new(),
        dry_run: false,
        community_id: None,
    };
    let too_big = || match kind {
        UploadKind::Sheet => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "文件过大",
            "文件超过10MB，请拆分后再导入",
            "the file is larger than 10 MB",
        ),
        UploadKind::Photo => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "照片过大",
            "照片超过5MB，请压缩后再上传",
            "the photo is larger than 5 MB",
        ),
    };
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big().into()),
            Err(_) => {
                return Err(
                    AppError::upload("上传内容无法读取", "the upload cannot be read").into(),
                )
            }
        };
        match field.name() {
            Some("file") => {
                up.file_name = field.file_name().unwrap_or("upload.xlsx").to_owned();
                up.bytes = match field.bytes().await {
                    Ok(b) => b.to_vec(),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(too_big().into())
                    }
                    Err(_) => {
                        return Err(AppError::upload(
                            "上传内容无法读取",
                            "the upload cannot be read",
                        )
                        .into())
                    }
                };
            }
            Some("dry_run") => {
                let v = field.text().await.unwrap_or_default();
                up.dry_run = flag(&Some(v));
            }
            Some("community_id") => {
                let v = field.text().await.unwrap_or_default();
                if !v.trim().is_empty() {
                    up.community_id = Some(v.trim().parse().map_err(|_| {
                        AppError::field("community_id", "社区不存在", "no such community")
                    })?);
                }
            }
            _ => {}
        }
    }
    if up.bytes.is_empty() {
        return Err(AppError::field(
            "file",
            "请选择要导入的 .xlsx 文件",
            "a file field with an .xlsx workbook is required",
        )
        .into());
    }
    Ok(up)
}

/// Imports residents from an .xlsx file (multipart `file`; `dry_run` checks only).
#[utoipa::path(post, path = "/api/v1/imports/residents", tag = "imports", params(ImportQuery),
    request_body(content_type = "multipart/form-data", content = String, description = "file: the .xlsx workbook; dry_run: true to check only"),
    responses((status = 200, body = ImportReport), (status = 400, body = crate::problem::Problem), (status = 413, body = crate::problem::Problem)))]
pub async fn residents(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ImportQuery>,
    m: Multipart,
) -> Result<Json<ImportReport>, ApiError> {
    let up = read_upload(m).await?;
    let dry = up.dry_run || flag(&q.dry_run);
    Ok(Json(
        wushe_app::people::import::residents(&s.app, &a, &up.file_name, &up.bytes, dry).await?,
    ))
}

/// Downloads the import template.
#[utoipa::path(get, path = "/api/v1/imports/residents/template.xlsx", tag = "imports", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn template(ApiActor(_a): ApiActor) -> Result<Response, ApiError> {
    Ok(xlsx(
        "居民导入模板.xlsx",
        wushe_app::people::import::template()?,
    ))
}

/// Imports volunteers from an .xlsx file in the layout of the volunteer export (multipart `file`;
/// `dry_run` checks only; `community_id` for rows without 所属社区).
#[utoipa::path(post, path = "/api/v1/imports/volunteers", tag = "imports", params(ImportQuery),
    request_body(content_type = "multipart/form-data", content = String, description = "file: the .xlsx workbook; dry_run: true to check only; community_id: the community for rows without 所属社区"),
    responses((status = 200, body = ImportReport), (status = 400, body = crate::problem::Problem), (status = 413, body = crate::problem::Problem)))]
pub async fn volunteers(
    State(s): State<AppState>,
    ApiActor(a): ApiActor,
    ApiQuery(q): ApiQuery<ImportQuery>,
    m: Multipart,
) -> Result<Json<ImportReport>, ApiError> {
    let up = read_upload(m).await?;
    let dry = up.dry_run || flag(&q.dry_run);
    let community = up.community_id.or(q.community_id);
    Ok(Json(
        wushe_app::volunteering::import::volunteers(
            &s.app,
            &a,
            &up.file_name,
            &up.bytes,
            community,
            dry,
        )
        .await?,
    ))
}

/// Downloads the volunteer import template.
#[utoipa::path(get, path = "/api/v1/imports/volunteers/template.xlsx", tag = "imports", responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn volunteer_template(ApiActor(_a): ApiActor) -> Result<Response, ApiError> {
    Ok(xlsx(
        "志愿者导入模板.xlsx",
        wushe_app::volunteering::import::template()?,
    ))
}
