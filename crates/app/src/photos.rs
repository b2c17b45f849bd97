//! Photos of grid events and orders: uploaded first, attached when the event is reported or the order
//! placed, read by whoever may see it. The type is taken from the file's own first bytes (JPEG, PNG or WebP), never from its name
//! or the browser's claim, and the file is stored as `<files>/photos/<id>.<ext>`: no part of the path
//! comes from the user.

use chrono::Utc;
use serde::Serialize;
use uuid::Uuid;
use wushe_domain::role::Permission;
use wushe_store::photos::PhotoRow;

use crate::{Actor, App, AppError, AppResult};

/// The largest photo accepted (a phone photo, not a scan).
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// An uploaded photo.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Photo {
    /// Id, to list in `photos[]` when reporting.
    pub id: Uuid,
    /// Its type.
    pub content_type: String,
    /// Its size.
    pub bytes: i64,
    /// Where to read it.
    pub url: String,
}

/// The image type of `bytes` by their signature, with the file extension to store it under.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", "png"))
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

fn path_of(app: &App, id: Uuid, content_type: &str) -> std::path::PathBuf {
    let ext = match content_type {
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "jpg",
    };
    app.files.join("photos").join(format!("{id}.{ext}"))
}

/// Stores an uploaded photo for the caller (who may report events or run a station).
pub async fn upload(app: &App, actor: &Actor, bytes: &[u8]) -> AppResult<Photo> {
    if !(actor.has_anywhere(Permission::ReportEvents)
        || actor.has_anywhere(Permission::DispatchOrders))
    {
        return Err(AppError::Forbidden);
    }
    if bytes.len() > MAX_BYTES {
        return Err(AppError::upload(
            "照片超过5MB，请压缩后再上传",
            "the photo is larger than 5 MB",
        ));
    }
    let (content_type, _) = sniff(bytes).ok_or_else(|| {
        AppError::upload(
            "只能上传JPEG、PNG或WebP格式的照片",
            "only JPEG, PNG or WebP photos are accepted",
        )
    })?;
    let id = Uuid::now_v7();
    let path = path_of(app, id, content_type);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::Internal(format!("photo directory: {e}")))?;
    }
    tokio::fs::write(&path, bytes)
        .await
        .map_err(|e| AppError::Internal(format!("writing a photo: {e}")))?;
    let row = PhotoRow {
        id,
        uploaded_by: actor.author(),
        content_type: content_type.to_owned(),
        bytes: bytes.len() as i64,
        sha256: crate::crypto::sha256_hex(bytes),
        object_type: None,
        object_id: None,
        created_at: Utc::now(),
    };
    let mut tx = app.db.begin().await?;
    wushe_store::photos::insert(&mut tx.conn(), &row).await?;
    tx.commit().await?;
    Ok(Photo {
        id,
        content_type: row.content_type,
        bytes: row.bytes,
        url: format!("/api/v1/photos/{id}"),
    })
}

/// Reads a photo the caller may see: their own upload, or one of an event or order they may see.
pub async fn read(app: &App, actor: &Actor, id: Uuid) -> AppResult<(String, Vec<u8>)> {
    let row = {
        let mut c = app.db.read().await?;
        wushe_store::photos::get(&mut c.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mine = row.uploaded_by.is_some() && row.uploaded_by == actor.author();
    if !mine {
        match (row.object_type.as_deref(), row.object_id) {
            (Some("event"), Some(eid)) => {
                crate::events::get(app, actor, eid).await?;
            }
            (Some("order"), Some(oid)) => {
                crate::orders::get(app, actor, oid).await?;
            }
            _ => return Err(AppError::NotFound),
        }
    }
    let bytes = tokio::fs::read(path_of(app, id, &row.content_type))
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok((row.content_type, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some(("image/jpeg", "jpg"))
        );
        assert_eq!(
            sniff(b"\\x89PNG\\r\\n\\x1a\\n....").map(|t| t.0),
            None,
            "escaped text is not a PNG"
        );
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]).map(|t| t.0),
            Some("image/png")
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").map(|t| t.1), Some("webp"));
        assert_eq!(sniff(b"<svg onload=alert(1)>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
    }
}
