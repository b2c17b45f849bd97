//! Photos of grid events and orders: uploaded first, attached when the event is reported or the order
//! placed, read by whoever may see it.
//!
//! An upload is decoded as the image its first bytes claim (JPEG, PNG or WebP, never its name or the
//! browser's word) and encoded again: what is stored is a picture and nothing else (a JPEG header before
//! an HTML page is refused), without the camera's EXIF block and the GPS position in it. Photos are kept
//! in the database, so that every instance behind a balancer serves them.

use serde::Serialize;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_store::kernel::photos::PhotoRow;

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

/// Photos are never larger than this on a side (a phone's 50 MP camera is about 8,200 px), which also
/// bounds the memory a hostile file can make the decoder take.
const MAX_SIDE: u32 = 10_000;

/// Decodes an upload as the image its signature names and encodes it again: JPEG (quality 85) for
/// photos, PNG for PNGs (screenshots keep their sharp text). Returns the stored type and bytes.
pub fn reencode(bytes: &[u8]) -> AppResult<(&'static str, Vec<u8>)> {
    use image::ImageFormat;
    let unreadable = || {
        AppError::upload(
            "照片无法读取：请上传JPEG、PNG或WebP格式的照片",
            "the photo cannot be read: upload a JPEG, PNG or WebP photo",
        )
    };
    let (content_type, _) = sniff(bytes).ok_or_else(unreadable)?;
    let format = match content_type {
        "image/png" => ImageFormat::Png,
        "image/webp" => ImageFormat::WebP,
        _ => ImageFormat::Jpeg,
    };
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader.decode().map_err(|_| unreadable())?;
    let mut out = std::io::Cursor::new(Vec::new());
    if format == ImageFormat::Png {
        img.write_to(&mut out, ImageFormat::Png)
            .map_err(|e| AppError::Internal(format!("encoding a PNG: {e}")))?;
        return Ok(("image/png", out.into_inner()));
    }
    let rgb = image::DynamicImage::ImageRgb8(img.to_rgb8());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&rgb)
        .map_err(|e| AppError::Internal(format!("encoding a JPEG: {e}")))?;
    Ok(("image/jpeg", out.into_inner()))
}

/// Where a photo stored before photos moved into the database lies on disk.
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
    let owned = bytes.to_vec();
    let (content_type, clean) = tokio::task::spawn_blocking(move || reencode(&owned))
        .await
        .map_err(|e| AppError::Internal(format!("decoding a photo: {e}")))??;
    let id = Uuid::now_v7();
    let row = PhotoRow {
        id,
        uploaded_by: actor.author(),
        content_type: content_type.to_owned(),
        bytes: clean.len() as i64,
        sha256: crate::kernel::crypto::sha256_hex(&clean),
        object_type: None,
        object_id: None,
        created_at: app.now(),
    };
    // The bucket first: a row never points at bytes that were not stored.
    let in_db = app.photo_store.put(id, &clean).await?;
    let mut tx = app.db.begin().await?;
    wushe_store::kernel::photos::insert(&mut tx.conn(), &row, in_db.as_deref()).await?;
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
        wushe_store::kernel::photos::get(&mut c.conn(), id)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let mine = row.uploaded_by.is_some() && row.uploaded_by == actor.author();
    if !mine {
        match (row.object_type.as_deref(), row.object_id) {
            (Some("event"), Some(eid)) => {
                crate::service::events::get(app, actor, eid).await?;
            }
            (Some("order"), Some(oid)) => {
                crate::service::orders::get(app, actor, oid).await?;
            }
            _ => return Err(AppError::NotFound),
        }
    }
    let stored = {
        let mut c = app.db.read().await?;
        wushe_store::kernel::photos::content(&mut c.conn(), id).await?
    };
    let bytes = match stored {
        Some(b) => b,
        None => match app.photo_store.get(id).await? {
            Some(b) => b,
            None => tokio::fs::read(path_of(app, id, &row.content_type))
                .await
                .map_err(|_| AppError::NotFound)?,
        },
    };
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

    fn tiny(format: image::ImageFormat) -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, format)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn photos_are_decoded_and_encoded_again() {
        let (ct, jpeg) = reencode(&tiny(image::ImageFormat::Jpeg)).unwrap();
        assert_eq!(ct, "image/jpeg");
        assert_eq!(image::load_from_memory(&jpeg).unwrap().width(), 8);
        let (ct, png) = reencode(&tiny(image::ImageFormat::Png)).unwrap();
        assert_eq!(ct, "image/png");
        assert_eq!(image::load_from_memory(&png).unwrap().height(), 6);
        // A JPEG signature in front of a page is not a photo.
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.extend_from_slice(b"<html><script>alert(1)</script></html>");
        assert!(matches!(reencode(&fake), Err(AppError::BadUpload { .. })));
        // Bytes after a real JPEG's end are not kept.
        let mut tail = tiny(image::ImageFormat::Jpeg);
        tail.extend_from_slice(b"<html>");
        let (_, clean) = reencode(&tail).unwrap();
        assert!(!clean.windows(6).any(|w| w == b"<html>"));
    }
}
