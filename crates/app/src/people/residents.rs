//! Residents: register, read (masked unless the caller may unmask, and every unmasking is audited),
//! search, correct, move between households, archive.

use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::people::resident::{NewResident, ValidResident};
use wushe_store::people::residents::{ResidentFilter, ResidentMoveRow, ResidentRow, ResidentWrite};
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use std::sync::Arc;

use crate::kernel::cache::{CachedResident, Stale};
use crate::kernel::crypto::Crypto;
use crate::kernel::page::{self, Page};
use crate::people::households::tags_of;
use crate::{Actor, App, AppError, AppResult};

/// What a form or API call sends to register or correct a resident.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ResidentInput {
    /// Household.
    #[schema(required = true, nullable = false)]
    pub household_id: Option<Uuid>,
    /// Name.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    /// `male`/`female` (derived from the ID number when absent).
    #[schema(example = "male")]
    pub sex: Option<String>,
    /// Birth date (derived from the ID number when absent).
    pub birth_date: Option<NaiveDate>,
    /// ID number.
    pub id_number: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Relation to the householder: 户主, 配偶, 子女, 父母, 孙子女, 祖父母, 兄弟姐妹 or 其他.
    #[schema(example = "户主")]
    pub relation: Option<String>,
    /// Tags from the community's dictionary.
    #[serde(default)]
    #[schema(max_items = 20, max_length = 20)]
    pub tags: Vec<String>,
}

/// A correction of a resident: a field left out keeps its stored value, `null` clears one that may be
/// empty (`birth_date`, `id_number`, `phone`, `relation`), and a value replaces it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ResidentPatch {
    /// Another household records a move.
    pub household_id: Option<Uuid>,
    /// Name.
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: Option<String>,
    /// `male`/`female`; `null` derives it from the ID number.
    #[serde(default, deserialize_with = "crate::kernel::patch::field")]
    #[schema(value_type = Option<String>, example = "male")]
    pub sex: Option<Option<String>>,
    /// Birth date.
    #[serde(default, deserialize_with = "crate::kernel::patch::field")]
    #[schema(value_type = Option<NaiveDate>)]
    pub birth_date: Option<Option<NaiveDate>>,
    /// The full ID number (a masked one is refused).
    #[serde(default, deserialize_with = "crate::kernel::patch::field")]
    #[schema(value_type = Option<String>)]
    pub id_number: Option<Option<String>>,
    /// The full phone (a masked one is refused).
    #[serde(default, deserialize_with = "crate::kernel::patch::field")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// Relation to the householder: 户主, 配偶, 子女, 父母, 孙子女, 祖父母, 兄弟姐妹 or 其他.
    #[serde(default, deserialize_with = "crate::kernel::patch::field")]
    #[schema(value_type = Option<String>, example = "户主")]
    pub relation: Option<Option<String>>,
    /// Tags (the whole list; `[]` clears).
    #[schema(max_items = 20, max_length = 20)]
    pub tags: Option<Vec<String>>,
}

/// A resident as the API shows it; `id_number` and `phone` are masked unless `masked` is false.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Resident {
    /// Id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Building or lane.
    pub place_id: Uuid,
    /// Door.
    pub address: String,
    /// Name.
    pub name: String,
    /// `male`/`female`.
    pub sex: String,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// ID number (masked unless unmasked).
    pub id_number: Option<String>,
    /// Phone (masked unless unmasked).
    pub phone: Option<String>,
    /// Relation to the householder.
    pub relation: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether sensitive fields are masked in this response.
    pub masked: bool,
    /// Archived.
    pub archived: bool,
    /// Created.
    pub created_at: chrono::DateTime<Utc>,
    /// Updated.
    pub updated_at: chrono::DateTime<Utc>,
}

impl Resident {
    fn masked(r: ResidentRow) -> Resident {
        Resident {
            id: r.id,
            household_id: r.household_id,
            community_id: r.community_id,
            place_id: r.place_id,
            address: r.address,
            name: r.name,
            sex: r.sex,
            birth_date: r.birth_date,
            id_number: r.id_number_mask,
            phone: r.phone_mask,
            relation: r.relation,
            tags: tags_of(&r.tags),
            masked: true,
            archived: r.archived_at.is_some(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    fn unmasked(r: ResidentRow, crypto: &Crypto) -> AppResult<Resident> {
        let id_number = r
            .id_number_enc
            .as_deref()
            .map(|b| crypto.decrypt(b))
            .transpose()?;
        let phone = r
            .phone_enc
            .as_deref()
            .map(|b| crypto.decrypt(b))
            .transpose()?;
        let mut out = Resident::masked(r);
        out.id_number = id_number;
        out.phone = phone;
        out.masked = false;
        Ok(out)
    }
}

/// Loads a resident the caller may act on with `perm`; invisible ones are `NotFound`.
pub(crate) async fn load(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    perm: Permission,
) -> AppResult<ResidentRow> {
    let r = wushe_store::people::residents::get(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !actor.can(Permission::ReadPeople, &r.place_path) {
        return Err(AppError::NotFound);
    }
    if !actor.can(perm, &r.place_path) {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

fn validate(input: &ResidentInput, today: NaiveDate) -> AppResult<(ValidResident, Vec<String>)> {
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    let sex = match input
        .sex
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => match wushe_domain::people::sex::Sex::parse(s) {
            Some(x) => Some(x),
            None => {
                errs.push(wushe_domain::kernel::error::FieldError::new(
                    "sex",
                    "性别应为男或女",
                    "sex must be male or female",
                ));
                None
            }
        },
        None => None,
    };
    let tags = match crate::people::households::clean_tags(&input.tags) {
        Ok(t) => t,
        Err(AppError::Validation(v)) => {
            v.into_iter().for_each(|f| errs.push(f));
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    let nonempty = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let res = wushe_domain::people::resident::validate(
        NewResident {
            name: input.name.clone(),
            sex,
            birth_date: input.birth_date,
            id_number: nonempty(&input.id_number),
            phone: nonempty(&input.phone),
            relation: nonempty(&input.relation),
            tags: tags.clone(),
        },
        today,
    );
    match res {
        Ok(v) if errs.is_empty() => Ok((v, tags)),
        Ok(_) => Err(errs.into()),
        Err(e) => {
            e.0.into_iter().for_each(|f| errs.push(f));
            Err(errs.into())
        }
    }
}

/// Builds the stored columns: encrypts the ID number and phone and computes their blind indexes and masks.
pub fn to_write(
    crypto: &Crypto,
    id: Uuid,
    household: &wushe_store::people::households::HouseholdRow,
    v: &ValidResident,
) -> ResidentWrite {
    ResidentWrite {
        id,
        community_id: household.community_id,
        household_id: household.id,
        place_path: household.place_path.clone(),
        name: v.name.clone(),
        sex: v.sex.as_str().to_owned(),
        birth_date: v.birth_date,
        id_number_enc: v.id_number.as_ref().map(|n| crypto.encrypt(n.as_str())),
        id_number_hash: v
            .id_number
            .as_ref()
            .map(|n| crypto.blind_index("id_number", n.as_str())),
        id_number_mask: v.id_number.as_ref().map(|n| n.masked()),
        phone_enc: v.phone.as_ref().map(|p| crypto.encrypt(p.as_str())),
        phone_hash: v
            .phone
            .as_ref()
            .map(|p| crypto.blind_index("phone", p.as_str())),
        phone_mask: v.phone.as_ref().map(|p| p.masked()),
        relation: v.relation.clone(),
        tags: serde_json::to_string(&v.tags).expect("tags serialize"),
    }
}

/// Registers a resident in a household; the same ID number twice is refused with the existing resident.
pub async fn create(app: &App, actor: &Actor, input: &ResidentInput) -> AppResult<Resident> {
    let (v, _) = validate(input, app.today())?;
    let household_id = input.household_id.ok_or_else(|| {
        AppError::field("household_id", "请选择所属住户", "household_id is required")
    })?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let h = crate::people::households::load(&mut c, actor, household_id, Permission::WritePeople)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::field(
                "household_id",
                "所属住户不存在",
                "the household does not exist",
            ),
            other => other,
        })?;
    if h.archived_at.is_some() {
        return Err(AppError::field(
            "household_id",
            "该住户已归档",
            "the household is archived",
        ));
    }
    crate::map::places::check_tags(&mut c, h.community_id, &v.tags).await?;
    if let Some(n) = &v.id_number {
        if let Some(existing) = wushe_store::people::residents::find_by_id_hash(
            &mut c,
            &app.crypto.blind_index("id_number", n.as_str()),
        )
        .await?
        {
            return Err(duplicate_id(actor, &existing));
        }
    }
    let id = Uuid::now_v7();
    let w = to_write(&app.crypto, id, &h, &v);
    wushe_store::people::residents::insert(&mut c, &w, actor.author(), app.now())
        .await
        .map_err(|e| {
            if e.is_unique_on("id_number") {
                AppError::conflict(
                    "duplicate_id_number",
                    "该身份证号已登记",
                    "this ID number is already registered",
                )
            } else {
                e.into()
            }
        })?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "resident.create",
            object_type: "resident",
            object_id: Some(id),
            place_path: Some(&h.place_path),
            community_id: Some(h.community_id),
            detail: json!({"name": v.name, "household_id": h.id}),
        },
    )
    .await?;
    let row = wushe_store::people::residents::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Resident::masked(row))
}

/// Reads a resident; `unmask` needs the permission at their place and writes an audit row.
pub async fn get(app: &App, actor: &Actor, id: Uuid, unmask: bool) -> AppResult<Resident> {
    if !unmask {
        return Ok(Resident::masked(cached(app, actor, id).await?.row.clone()));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = load(&mut c, actor, id, Permission::UnmaskPii).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "resident.unmask",
            object_type: "resident",
            object_id: Some(id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"fields": ["id_number", "phone"]}),
        },
    )
    .await?;
    let out = Resident::unmasked(row, &app.crypto)?;
    tx.commit().await?;
    Ok(out)
}

/// A resident's masked API body, as `GET /residents/{id}` sends it (the hottest read: served from the cache).
pub async fn masked_json(app: &App, actor: &Actor, id: Uuid) -> AppResult<Arc<str>> {
    Ok(cached(app, actor, id).await?.masked_json.clone())
}

/// A resident from the read cache (filled from the database when missing), checked against the caller's
/// scope exactly as a database read would be.
async fn cached(app: &App, actor: &Actor, id: Uuid) -> AppResult<Arc<CachedResident>> {
    let entry = match app.caches.residents.get(&id) {
        Some(e) => e,
        None => {
            let epoch = app.caches.residents.epoch();
            let row = {
                let mut c = app.db.read().await?;
                wushe_store::people::residents::get(&mut c.conn(), id)
                    .await?
                    .ok_or(AppError::NotFound)?
            };
            let masked_json = serde_json::to_string(&Resident::masked(row.clone()))
                .map_err(|e| AppError::Internal(format!("resident JSON: {e}")))?;
            let e = Arc::new(CachedResident {
                row,
                masked_json: masked_json.into(),
            });
            app.caches.residents.fill(id, e.clone(), epoch);
            e
        }
    };
    if !actor.can(Permission::ReadPeople, &entry.row.place_path) {
        return Err(AppError::NotFound);
    }
    Ok(entry)
}

/// Corrects a resident's data; fields the patch leaves out keep their values, a change of household is
/// recorded as a move, and the audit row names every changed field with its old value masked.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: Uuid,
    patch: &ResidentPatch,
) -> AppResult<Resident> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let old = load(&mut c, actor, id, Permission::WritePeople).await?;
    let id_changes = patch.id_number.is_some();
    let stored_id = match (&old.id_number_enc, id_changes) {
        (Some(b), false) => Some(app.crypto.decrypt(b)?),
        _ => None,
    };
    let nonempty = |o: &Option<String>| o.as_deref().is_some_and(|s| !s.trim().is_empty());
    let new_id = if id_changes {
        patch.id_number.clone().flatten()
    } else {
        stored_id
    };
    // A new ID number brings its own sex and birth date unless the patch states them.
    let keep_derived = !(id_changes && nonempty(&patch.id_number.clone().flatten()));
    let input = ResidentInput {
        household_id: patch.household_id,
        name: patch.name.clone().unwrap_or_else(|| old.name.clone()),
        sex: match &patch.sex {
            Some(v) => v.clone(),
            None if keep_derived => Some(old.sex.clone()),
            None => None,
        },
        birth_date: match &patch.birth_date {
            Some(v) => *v,
            None if keep_derived => old.birth_date,
            None => None,
        },
        id_number: new_id,
        // The stored phone is not needed to validate the rest; it is kept as stored below.
        phone: patch.phone.clone().flatten(),
        relation: crate::kernel::patch::apply(&old.relation, &patch.relation),
        tags: patch.tags.clone().unwrap_or_else(|| tags_of(&old.tags)),
    };
    let (v, _) = validate(&input, app.today())?;
    let target = patch.household_id.unwrap_or(old.household_id);
    let h = crate::people::households::load(&mut c, actor, target, Permission::WritePeople)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::field(
                "household_id",
                "所属住户不存在",
                "the household does not exist",
            ),
            other => other,
        })?;
    crate::map::places::check_tags(&mut c, h.community_id, &v.tags).await?;
    let now = app.now();
    let mut w = to_write(&app.crypto, id, &h, &v);
    if !id_changes {
        (w.id_number_enc, w.id_number_hash, w.id_number_mask) = (
            old.id_number_enc.clone(),
            old.id_number_hash.clone(),
            old.id_number_mask.clone(),
        );
    } else if let Some(hash) = &w.id_number_hash {
        if let Some(existing) =
            wushe_store::people::residents::find_by_id_hash(&mut c, hash).await?
        {
            if existing.id != id {
                return Err(duplicate_id(actor, &existing));
            }
        }
    }
    if patch.phone.is_none() {
        (w.phone_enc, w.phone_hash, w.phone_mask) = (
            old.phone_enc.clone(),
            old.phone_hash.clone(),
            old.phone_mask.clone(),
        );
    }
    let changes = changed_fields(&old, &w);
    if changes.is_empty() {
        tx.commit().await?;
        return Ok(Resident::masked(old));
    }
    wushe_store::people::residents::update(&mut c, &w, now).await?;
    if h.id != old.household_id {
        wushe_store::people::residents::record_move(
            &mut c,
            h.community_id,
            id,
            old.household_id,
            h.id,
            actor.author(),
            "",
            now,
        )
        .await?;
    }
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "resident.update",
            object_type: "resident",
            object_id: Some(id),
            place_path: Some(&h.place_path),
            community_id: Some(h.community_id),
            detail: json!({ "changed": changes }),
        },
    )
    .await?;
    let row = wushe_store::people::residents::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::Resident(id)]).await?;
    Ok(Resident::masked(row))
}

/// The fields a write changes, each with its old value as an auditor may read it: ID numbers and
/// phones by their masks, the name masked, the rest as stored (`null` when it was empty).
fn changed_fields(
    old: &ResidentRow,
    w: &ResidentWrite,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let mut put = |field: &str, changed: bool, was: serde_json::Value| {
        if changed {
            out.insert(field.to_owned(), json!({ "old": was }));
        }
    };
    put(
        "household_id",
        old.household_id != w.household_id,
        json!(old.household_id),
    );
    put(
        "name",
        old.name != w.name,
        json!(wushe_domain::kernel::mask::name(&old.name)),
    );
    put("sex", old.sex != w.sex, json!(old.sex));
    put(
        "birth_date",
        old.birth_date != w.birth_date,
        json!(old.birth_date),
    );
    put(
        "id_number",
        old.id_number_hash != w.id_number_hash,
        json!(old.id_number_mask),
    );
    put(
        "phone",
        old.phone_hash != w.phone_hash,
        json!(old.phone_mask),
    );
    put("relation", old.relation != w.relation, json!(old.relation));
    put(
        "tags",
        tags_of(&old.tags) != tags_of(&w.tags),
        json!(tags_of(&old.tags)),
    );
    out
}

/// The duplicate-ID refusal: it names the resident who has the number only to a caller who may read them.
pub(crate) fn duplicate_id(actor: &Actor, existing: &ResidentRow) -> AppError {
    if actor.can(Permission::ReadPeople, &existing.place_path) {
        AppError::DuplicateIdNumber(existing.id)
    } else {
        AppError::conflict(
            "duplicate_id_number",
            "该身份证号已在其他辖区登记",
            "this ID number is already registered outside your area",
        )
    }
}

/// Moves a resident to another household, keeping the history.
pub async fn move_to(
    app: &App,
    actor: &Actor,
    id: Uuid,
    household_id: Uuid,
    note: &str,
) -> AppResult<Resident> {
    let note = wushe_domain::kernel::text::clean(note);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::people::limits::RESIDENT_MOVE_NOTE.check(&note, &mut errs);
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let old = load(&mut c, actor, id, Permission::WritePeople).await?;
    let h = crate::people::households::load(&mut c, actor, household_id, Permission::WritePeople)
        .await
        .map_err(|e| match e {
            AppError::NotFound => AppError::field(
                "household_id",
                "目标住户不存在",
                "the household does not exist",
            ),
            other => other,
        })?;
    if h.archived_at.is_some() {
        return Err(AppError::field(
            "household_id",
            "目标住户已归档",
            "the household is archived",
        ));
    }
    if h.id != old.household_id {
        let now = app.now();
        let mut w = stored_write(&old);
        w.household_id = h.id;
        w.community_id = h.community_id;
        w.place_path = h.place_path.clone();
        wushe_store::people::residents::update(&mut c, &w, now).await?;
        wushe_store::people::residents::record_move(
            &mut c,
            h.community_id,
            id,
            old.household_id,
            h.id,
            actor.author(),
            &note,
            now,
        )
        .await?;
        audit::record(&mut c, actor, Entry {
            action: "resident.move", object_type: "resident", object_id: Some(id), place_path: Some(&h.place_path),
            community_id: Some(h.community_id),
            detail: json!({"from_household_id": old.household_id, "to_household_id": h.id, "note": note}),
        }).await?;
    }
    let row = wushe_store::people::residents::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::Resident(id)]).await?;
    Ok(Resident::masked(row))
}

/// The stored columns of a row as they are (for moves that change only the household).
fn stored_write(r: &ResidentRow) -> ResidentWrite {
    ResidentWrite {
        id: r.id,
        community_id: r.community_id,
        household_id: r.household_id,
        place_path: r.place_path.clone(),
        name: r.name.clone(),
        sex: r.sex.clone(),
        birth_date: r.birth_date,
        id_number_enc: r.id_number_enc.clone(),
        id_number_hash: r.id_number_hash.clone(),
        id_number_mask: r.id_number_mask.clone(),
        phone_enc: r.phone_enc.clone(),
        phone_hash: r.phone_hash.clone(),
        phone_mask: r.phone_mask.clone(),
        relation: r.relation.clone(),
        tags: r.tags.clone(),
    }
}

/// A resident's household moves.
pub async fn history(app: &App, actor: &Actor, id: Uuid) -> AppResult<Vec<ResidentMoveRow>> {
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    load(&mut conn, actor, id, Permission::ReadPeople).await?;
    Ok(wushe_store::people::residents::moves(&mut conn, id).await?)
}

/// Archives (moved away, deceased) or restores a resident.
pub async fn set_archived(
    app: &App,
    actor: &Actor,
    id: Uuid,
    archived: bool,
) -> AppResult<Resident> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let r = load(&mut c, actor, id, Permission::WritePeople).await?;
    let now = app.now();
    wushe_store::people::residents::set_archived(&mut c, id, archived.then_some(now), now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: if archived {
                "resident.archive"
            } else {
                "resident.restore"
            },
            object_type: "resident",
            object_id: Some(id),
            place_path: Some(&r.place_path),
            community_id: Some(r.community_id),
            detail: json!({}),
        },
    )
    .await?;
    let row = wushe_store::people::residents::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    app.commit(tx, &[Stale::Resident(id)]).await?;
    Ok(Resident::masked(row))
}

/// What a caller may ask of the resident list. The area searched is the caller's own (and the place
/// named beside it, once checked), never a field here.
#[derive(Debug, Clone, Default)]
pub struct ResidentSearch {
    /// Only in this household.
    pub household_id: Option<Uuid>,
    /// Only with this tag.
    pub tag: Option<String>,
    /// Name contains (two characters or more use the search terms).
    pub name: Option<String>,
    /// Door contains.
    pub address: Option<String>,
    /// Include archived residents.
    pub include_archived: bool,
}

impl ResidentSearch {
    /// The store's filter for it, inside no narrower place yet and with secrets withheld.
    pub(crate) fn filter(&self) -> ResidentFilter {
        ResidentFilter {
            under_path: None,
            household_id: self.household_id,
            tag: self.tag.clone(),
            name: self.name.clone(),
            address: self.address.clone(),
            include_archived: self.include_archived,
            secrets: false,
        }
    }
}

/// Lists and searches residents in the caller's area (always masked; open one to unmask).
pub async fn list(
    app: &App,
    actor: &Actor,
    search: &ResidentSearch,
    under_place: Option<Uuid>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Resident>> {
    let limit = page::limit(limit)?;
    let after: Option<(String, Uuid)> = page::decode(cursor)?;
    let scope = actor.scope(Permission::ReadPeople);
    let mut f = search.filter();
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    if let Some(pid) = under_place {
        f.under_path = Some(
            crate::map::places::load_visible(&mut conn, actor, pid)
                .await?
                .path,
        );
    }
    if let Some(h) = f.household_id {
        crate::people::households::load(&mut conn, actor, h, Permission::ReadPeople).await?;
    }
    let rows =
        wushe_store::people::residents::list(&mut conn, &scope, &f, after, limit + 1).await?;
    Ok(page::cut(
        rows,
        limit,
        |r| (r.place_path.clone(), r.id),
        Resident::masked,
    ))
}
