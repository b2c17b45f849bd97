//! A lawful erasure request (PIPL art. 47): the free text kept about a person is erased, every ledger's
//! amounts and every timeline's steps stay, so each sum still adds up afterwards.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_store::kernel::texts::Subject;

use crate::kernel::audit::{self, Entry};
use crate::{Actor, App, AppError, AppResult};

/// What an administrator asks to erase, and on what ground.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ErasureInput {
    /// `resident`, `household` or `volunteer`.
    pub subject_type: String,
    /// The resident's, household's or volunteer's id.
    pub subject_id: Uuid,
    /// The request behind it (who asked, when, reference), kept in the audit log.
    #[schema(min_length = 1, max_length = 500)]
    pub basis: String,
}

/// What was erased.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Erasure {
    /// `resident`, `household` or `volunteer`.
    pub subject_type: String,
    /// The subject's id.
    pub subject_id: Uuid,
    /// How many texts (notes, comments, service contents, reasons) were erased.
    pub erased: u64,
}

/// Erases the texts kept about a resident, household or volunteer; needs `manage_users` at their place.
pub async fn erase(app: &App, actor: &Actor, input: &ErasureInput) -> AppResult<Erasure> {
    let basis = wushe_domain::kernel::text::clean(&input.basis);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::kernel::limits::ERASURE_BASIS.check(&basis, &mut errs);
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let id = input.subject_id;
    let (subject, place_path, community_id) = match input.subject_type.as_str() {
        "resident" => {
            let r =
                crate::people::residents::load(&mut c, actor, id, Permission::ManageUsers).await?;
            (Subject::Resident(id), r.place_path, r.community_id)
        }
        "household" => {
            let h =
                crate::people::households::load(&mut c, actor, id, Permission::ManageUsers).await?;
            (Subject::Household(id), h.place_path, h.community_id)
        }
        "volunteer" => {
            let v = crate::volunteering::volunteers::load(
                &mut c,
                actor,
                id,
                Some(Permission::ManageUsers),
            )
            .await?;
            (Subject::Volunteer(id), v.place_path, v.community_id)
        }
        _ => {
            return Err(AppError::field(
                "subject_type",
                "对象类型应为 resident、household 或 volunteer",
                "subject_type must be resident, household or volunteer",
            ))
        }
    };
    let erased = wushe_store::kernel::texts::erase_about(&mut c, subject, app.now()).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "erasure.texts",
            object_type: &input.subject_type,
            object_id: Some(id),
            place_path: Some(&place_path),
            community_id: Some(community_id),
            detail: json!({"basis": basis, "erased": erased}),
        },
    )
    .await?;
    app.commit(tx, &[]).await?;
    Ok(Erasure {
        subject_type: input.subject_type.clone(),
        subject_id: id,
        erased,
    })
}
