//! Page forms sent as multipart so that a phone's camera can attach a photo (reporting an event, placing
//! an order): the text fields by name, the photo's bytes, and the upload of that photo.

use std::collections::HashMap;

use axum::extract::Multipart;
use uuid::Uuid;
use wushe_app::{Actor, AppError, AppResult};

use crate::i18n::Tr;
use crate::ui::FormErrors;
use crate::AppState;

/// What a camera form sent.
#[derive(Debug, Default)]
pub struct PhotoForm {
    fields: HashMap<String, String>,
    /// The photo's bytes (empty when none was taken).
    pub photo: Vec<u8>,
}

impl PhotoForm {
    /// Reads the form; what could not be read is a form error (a photo over the size limit, mostly).
    pub async fn read(mut m: Multipart, t: &Tr) -> (PhotoForm, FormErrors) {
        let mut f = PhotoForm::default();
        let mut errors = FormErrors::default();
        loop {
            match m.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_owned();
                    if name == "photo" {
                        match field.bytes().await {
                            Ok(b) => f.photo = b.to_vec(),
                            Err(_) => {
                                errors.0.insert(
                                    "photo".into(),
                                    t.t("the-photo-is-too-large-or-unreadable-5"),
                                );
                            }
                        }
                    } else {
                        let v = field.text().await.unwrap_or_default();
                        f.fields.insert(name, v);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    errors
                        .0
                        .insert("_".into(), t.t("the-form-could-not-be-read-photos-must"));
                    break;
                }
            }
        }
        (f, errors)
    }

    /// A text field as sent (empty when absent).
    pub fn take(&mut self, name: &str) -> String {
        self.fields.remove(name).unwrap_or_default()
    }

    /// Keeps the photo, if one was taken; a photo that is not one is an error on the photo field.
    pub async fn upload(&self, s: &AppState, actor: &Actor) -> AppResult<Vec<Uuid>> {
        if self.photo.is_empty() {
            return Ok(vec![]);
        }
        let p = wushe_app::kernel::photos::upload(&s.app, actor, &self.photo)
            .await
            .map_err(|e| match e {
                AppError::BadUpload { zh, en } => AppError::field("photo", &zh, &en),
                e => e,
            })?;
        Ok(vec![p.id])
    }
}
