//! Volunteers: registration by a community worker, self sign-up pending approval, reading (masked unless
//! the caller may unmask, and audited), listing; teams with sub-groups and dated memberships.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::error::ValidationErrors;
use wushe_domain::map::place::PlaceKind;
use wushe_domain::people::id_number::IdNumber;
use wushe_domain::people::phone::Phone;
use wushe_domain::volunteering::points::Policy;
use wushe_domain::volunteering::volunteer::{self, VolunteerStatus};
use wushe_store::map::places::PlaceRow;
use wushe_store::volunteering::volunteers::{MemberRow, TeamRow, VolunteerFilter, VolunteerRow};
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::kernel::page::{self, Page};
use crate::{Actor, App, AppError, AppResult};

/// A volunteer as the API shows it; `id_number` and `phone` are masked unless `masked` is false.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Volunteer {
    /// Id.
    pub id: Uuid,
    /// Public volunteer number (not the ID number).
    pub volunteer_no: String,
    /// Name.
    pub name: String,
    /// `male` / `female`.
    pub sex: Option<String>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// ID number (masked unless unmasked).
    pub id_number: Option<String>,
    /// Phone (masked unless unmasked).
    pub phone: Option<String>,
    /// Whether sensitive fields are masked in this response.
    pub masked: bool,
    /// Community.
    pub community_id: Uuid,
    /// The resident this volunteer is.
    pub resident_id: Option<Uuid>,
    /// The volunteer's own login.
    pub user_id: Option<Uuid>,
    /// Skills.
    pub skills: Vec<String>,
    /// Service categories.
    pub categories: Vec<String>,
    /// Party member.
    pub party_member: bool,
    /// In-service party member reporting to the community (双报到).
    pub in_service_party_member: bool,
    /// Work unit (双报到).
    pub work_unit: String,
    /// When they can serve.
    pub availability: String,
    /// `pending` / `active` / `left`.
    pub status: String,
    /// Points balance (all time).
    pub points_balance: i64,
    /// Service minutes (all time).
    pub total_minutes: i64,
    /// Star level by cumulative hours (0-5 by default).
    pub star_level: u8,
    /// Registered.
    pub created_at: chrono::DateTime<Utc>,
    /// Personal details (birth date, ID number, phone, party membership, work unit) are withheld: the
    /// caller's grant lies inside the community (a grid steward), not at it.
    pub restricted: bool,
}

impl Volunteer {
    /// Withholds what only the community's own staff see: the rest (number, name, skills, hours) is
    /// what a grid steward needs to ask a volunteer for help (decision 0015).
    fn restrict_for(mut self, actor: &Actor, place_path: &str) -> Volunteer {
        if !actor.can(Permission::ReadVolunteers, place_path) {
            self.birth_date = None;
            self.id_number = None;
            self.phone = None;
            self.party_member = false;
            self.in_service_party_member = false;
            self.work_unit = String::new();
            self.restricted = true;
        }
        self
    }

    fn masked(r: VolunteerRow, policy: &Policy) -> Volunteer {
        Volunteer {
            id: r.id,
            volunteer_no: r.volunteer_no,
            name: r.name,
            sex: r.sex,
            birth_date: r.birth_date,
            id_number: r.id_number_mask,
            phone: r.phone_mask,
            masked: true,
            community_id: r.community_id,
            resident_id: r.resident_id,
            user_id: r.user_id,
            skills: crate::people::households::tags_of(&r.skills),
            categories: crate::people::households::tags_of(&r.categories),
            party_member: r.party_member,
            in_service_party_member: r.in_service_party_member,
            work_unit: r.work_unit,
            availability: r.availability,
            status: r.status,
            points_balance: r.points_balance,
            star_level: policy.star_level(r.total_minutes),
            total_minutes: r.total_minutes,
            created_at: r.created_at,
            restricted: false,
        }
    }
}

/// What a registration form or API body carries.
#[derive(Debug, Clone, Default)]
pub struct VolunteerInput {
    /// Name (taken from the resident when empty and a resident is linked).
    pub name: String,
    /// `male` / `female` (derived from the ID number when empty).
    pub sex: Option<String>,
    /// Birth date (derived from the ID number when empty).
    pub birth_date: Option<NaiveDate>,
    /// ID number.
    pub id_number: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Community.
    pub community_id: Option<Uuid>,
    /// The resident this volunteer is.
    pub resident_id: Option<Uuid>,
    /// Skills.
    pub skills: Vec<String>,
    /// Service categories.
    pub categories: Vec<String>,
    /// Party member.
    pub party_member: bool,
    /// In-service party member (双报到).
    pub in_service_party_member: bool,
    /// Work unit.
    pub work_unit: String,
    /// Availability.
    pub availability: String,
}

/// Loads a community the caller may act on with `perm` (`field` names the input on failure).
pub async fn community(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Option<Uuid>,
    perm: Permission,
) -> AppResult<PlaceRow> {
    let missing = || AppError::field("community_id", "请选择社区", "community_id is required");
    let p = wushe_store::map::places::get(c, id.ok_or_else(missing)?)
        .await?
        .filter(|p| crate::map::places::visible(actor, &p.path))
        .ok_or_else(|| AppError::field("community_id", "社区不存在", "no such community"))?;
    if PlaceKind::parse(&p.kind) != Some(PlaceKind::Community) {
        return Err(AppError::field(
            "community_id",
            "请选择一个社区",
            "community_id must be a community",
        ));
    }
    // The place itself is visible (a field error above otherwise); lacking the permission is a refusal.
    match actor.check_community(perm, &p.path) {
        Err(AppError::NotFound) => Err(AppError::Forbidden),
        r => r.map(|()| p),
    }
}

/// The community's points policy in force today (the Yangming default until one is set).
pub async fn current_policy(
    c: &mut Conn<'_>,
    community: Uuid,
    today: NaiveDate,
) -> AppResult<Policy> {
    Ok(crate::volunteering::points::policy_on(c, community, today)
        .await?
        .map(|(_, p)| p)
        .unwrap_or_else(Policy::yangming_default))
}

/// Loads a volunteer the caller may see (the volunteer themselves, or `ReadVolunteers` at their community)
/// and act on with `perm` (none: reading is enough).
pub async fn load(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    perm: Option<Permission>,
) -> AppResult<VolunteerRow> {
    let v = wushe_store::volunteering::volunteers::get(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let is_self = v.user_id.is_some() && v.user_id == actor.author();
    if !is_self && !actor.can_in_community(Permission::ReadVolunteers, &v.place_path) {
        return Err(AppError::NotFound);
    }
    match perm {
        Some(p) if !actor.can(p, &v.place_path) => Err(AppError::Forbidden),
        _ => Ok(v),
    }
}

/// Loads a volunteer for an input field (`field`), answering a missing or invisible one as a field error.
pub async fn load_for_field(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Option<Uuid>,
    field: &str,
) -> AppResult<VolunteerRow> {
    let Some(id) = id else {
        return Err(AppError::field(
            field,
            "请选择志愿者",
            &format!("{field} is required"),
        ));
    };
    load(c, actor, id, None).await.map_err(|e| match e {
        AppError::NotFound => AppError::field(field, "志愿者不存在", "no such volunteer"),
        e => e,
    })
}

struct Checked {
    name: String,
    sex: Option<String>,
    birth_date: Option<NaiveDate>,
    id_number: Option<IdNumber>,
    phone: Option<Phone>,
    skills: Vec<String>,
    categories: Vec<String>,
    work_unit: String,
    availability: String,
}

fn check(input: &VolunteerInput, today: NaiveDate) -> AppResult<Checked> {
    use wushe_domain::kernel::text::clean;
    let mut errs = ValidationErrors::new();
    let id_number = match input
        .id_number
        .as_deref()
        .map(clean)
        .filter(|s| !s.is_empty())
    {
        Some(s) => IdNumber::parse(&s, today)
            .map_err(|e| errs.push(e.to_field_error("id_number")))
            .ok(),
        None => None,
    };
    let phone = match input.phone.as_deref().map(clean).filter(|s| !s.is_empty()) {
        Some(s) => Phone::parse(&s)
            .map_err(|e| errs.push(e.to_field_error("phone")))
            .ok(),
        None => {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "phone",
                "联系电话不能为空",
                "phone is required",
            ));
            None
        }
    };
    let sex = match input.sex.as_deref().map(clean).filter(|s| !s.is_empty()) {
        Some(s) => match wushe_domain::people::sex::Sex::parse(&s) {
            Some(x) => Some(x.as_str().to_owned()),
            None => {
                errs.push(wushe_domain::kernel::error::FieldError::new(
                    "sex",
                    "性别应为男或女",
                    "sex must be male or female",
                ));
                None
            }
        },
        None => id_number.as_ref().map(|n| n.sex().as_str().to_owned()),
    };
    let name = clean(&input.name);
    let work_unit = clean(&input.work_unit);
    let availability = clean(&input.availability);
    if let Err(e) = volunteer::validate_texts(&name, &work_unit, &availability) {
        e.0.into_iter().for_each(|f| errs.push(f));
    }
    let skills = volunteer::clean_list("skills", "技能", &input.skills)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let categories = volunteer::clean_list("categories", "服务类别", &input.categories)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if let Some(b) = input.birth_date {
        if b > today {
            errs.push(wushe_domain::kernel::error::FieldError::new(
                "birth_date",
                "出生日期不能晚于今天",
                "the birth date cannot be in the future",
            ));
        }
    }
    errs.into_result(())?;
    Ok(Checked {
        birth_date: input
            .birth_date
            .or_else(|| id_number.as_ref().map(|n| n.birth_date())),
        name,
        sex,
        id_number,
        phone,
        skills,
        categories,
        work_unit,
        availability,
    })
}

async fn insert(
    app: &App,
    actor: &Actor,
    input: VolunteerInput,
    status: VolunteerStatus,
    user_id: Option<Uuid>,
) -> AppResult<Volunteer> {
    let today = app.today();
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let perm = if status == VolunteerStatus::Pending {
        None
    } else {
        Some(Permission::ManageVolunteers)
    };
    let community = match perm {
        Some(p) => community(&mut c, actor, input.community_id, p).await?,
        None => {
            // A resident signing up needs no permission, only a grant somewhere inside the community.
            let p = wushe_store::map::places::get(
                &mut c,
                input.community_id.ok_or_else(|| {
                    AppError::field("community_id", "请选择社区", "community_id is required")
                })?,
            )
            .await?
            .filter(|p| PlaceKind::parse(&p.kind) == Some(PlaceKind::Community))
            .ok_or_else(|| AppError::field("community_id", "社区不存在", "no such community"))?;
            if !crate::map::places::visible(actor, &p.path) {
                return Err(AppError::field(
                    "community_id",
                    "只能报名自己所在的社区",
                    "you can only sign up in your own community",
                ));
            }
            if !actor.can_in_community(Permission::SelfService, &p.path) {
                return Err(AppError::Forbidden);
            }
            p
        }
    };
    let row = create(&mut c, app, actor, &community, input, status, user_id).await?;
    let policy = current_policy(&mut c, community.id, today).await?;
    tx.commit().await?;
    Ok(Volunteer::masked(row, &policy))
}

/// Registers a volunteer in a community already checked, inside the caller's transaction (the form, a
/// self sign-up, or one row of an import). Pending registrations are self sign-ups: they may not link a
/// resident or be matched to one.
pub(crate) async fn create(
    c: &mut Conn<'_>,
    app: &App,
    actor: &Actor,
    community: &PlaceRow,
    input: VolunteerInput,
    status: VolunteerStatus,
    user_id: Option<Uuid>,
) -> AppResult<VolunteerRow> {
    let mut row = prepare(c, app, actor, community, input, status, user_id).await?;
    let seq = wushe_store::kernel::counters::next(c, "volunteer_no").await?;
    row.volunteer_no = volunteer::volunteer_no(seq);
    wushe_store::volunteering::volunteers::insert(c, &row)
        .await
        .map_err(|e| {
            if e.is_unique_on("resident") {
                AppError::conflict(
                    "duplicate_volunteer",
                    "这位居民已登记为志愿者",
                    "this resident is already a volunteer",
                )
            } else {
                e.into()
            }
        })?;
    audit::record(
        c,
        actor,
        Entry {
            action: if status == VolunteerStatus::Pending {
                "volunteer.apply"
            } else {
                "volunteer.create"
            },
            object_type: "volunteer",
            object_id: Some(row.id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"volunteer_no": row.volunteer_no, "name": row.name}),
        },
    )
    .await?;
    Ok(row)
}

/// Checks a registration and builds its row without writing anything (its `volunteer_no` is left
/// empty): what [`create`] stores, and all an import's dry run needs, on a reader connection.
pub(crate) async fn prepare(
    c: &mut Conn<'_>,
    app: &App,
    actor: &Actor,
    community: &PlaceRow,
    mut input: VolunteerInput,
    status: VolunteerStatus,
    user_id: Option<Uuid>,
) -> AppResult<VolunteerRow> {
    let today = app.today();
    let staff = status != VolunteerStatus::Pending;
    // Someone signing themselves up cannot link or look up a resident: that would attach another person's
    // register entry (and its ID number and phone) to their own login.
    if !staff && input.resident_id.is_some() {
        return Err(AppError::field(
            "resident_id",
            "自行报名时不能关联居民档案",
            "signing yourself up cannot link a resident record",
        ));
    }
    // A linked resident fills what the form left empty: the data is entered once.
    if let Some(rid) = input.resident_id {
        let r = wushe_store::people::residents::get(c, rid)
            .await?
            .filter(|r| {
                r.community_id == community.id
                    && (!staff || actor.can(Permission::ReadPeople, &r.place_path))
            })
            .ok_or_else(|| {
                AppError::field(
                    "resident_id",
                    "该社区没有这位居民",
                    "no such resident in this community",
                )
            })?;
        if input.name.trim().is_empty() {
            input.name = r.name.clone();
        }
        if input.sex.is_none() {
            input.sex = Some(r.sex.clone());
        }
        if input.birth_date.is_none() {
            input.birth_date = r.birth_date;
        }
        if input.id_number.is_none() {
            input.id_number = r
                .id_number_enc
                .as_deref()
                .map(|b| app.crypto.decrypt(b))
                .transpose()?;
        }
        if input.phone.is_none() {
            input.phone = r
                .phone_enc
                .as_deref()
                .map(|b| app.crypto.decrypt(b))
                .transpose()?;
        }
    }
    let v = check(&input, today)?;
    let id_hash = v
        .id_number
        .as_ref()
        .map(|n| app.crypto.blind_index("id_number", n.as_str()));
    let mut resident_id = input.resident_id;
    let mut id_hash = id_hash;
    if let Some(h) = id_hash.clone() {
        if let Some(other) = wushe_store::volunteering::volunteers::find_by_id_hash(c, &h).await? {
            if staff {
                return Err(duplicate(&other));
            }
            // A self sign-up must not learn whether a number belongs to a volunteer: it is taken like
            // any other, without its index, and the worker who approves it is told (see `set_status`).
            id_hash = None;
        }
        if resident_id.is_none() && staff {
            resident_id = wushe_store::people::residents::find_by_id_hash(c, &h)
                .await?
                .filter(|r| r.community_id == community.id)
                .map(|r| r.id);
        }
    }
    if let Some(user) = user_id {
        if let Some(existing) = by_user(c, user).await? {
            return Err(duplicate(&existing));
        }
    }
    // Checked before the insert (which the unique index would also refuse): on PostgreSQL a refused
    // statement spoils the transaction, and an import carries on after a refused row.
    if let Some(rid) = resident_id {
        if let Some(existing) = wushe_store::volunteering::volunteers::by_resident(c, rid).await? {
            return Err(AppError::conflict(
                "duplicate_volunteer",
                format!("这位居民已登记为志愿者（编号{}）", existing.volunteer_no),
                format!(
                    "this resident is already volunteer {}",
                    existing.volunteer_no
                ),
            ));
        }
    }
    let now = app.now();
    Ok(VolunteerRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path: community.path.clone(),
        volunteer_no: String::new(),
        name: v.name,
        sex: v.sex,
        birth_date: v.birth_date,
        id_number_enc: v.id_number.as_ref().map(|n| app.crypto.encrypt(n.as_str())),
        id_number_hash: id_hash,
        id_number_mask: v.id_number.as_ref().map(|n| n.masked()),
        phone_enc: v.phone.as_ref().map(|p| app.crypto.encrypt(p.as_str())),
        phone_hash: v
            .phone
            .as_ref()
            .map(|p| app.crypto.blind_index("phone", p.as_str())),
        phone_mask: v.phone.as_ref().map(|p| p.masked()),
        resident_id,
        user_id,
        skills: serde_json::to_string(&v.skills).expect("list serializes"),
        categories: serde_json::to_string(&v.categories).expect("list serializes"),
        party_member: input.party_member,
        in_service_party_member: input.in_service_party_member,
        work_unit: v.work_unit,
        availability: v.availability,
        status: status.as_str().to_owned(),
        points_balance: 0,
        total_minutes: 0,
        created_at: now,
        created_by: actor.author(),
        updated_at: now,
    })
}

fn duplicate(other: &VolunteerRow) -> AppError {
    AppError::conflict(
        "duplicate_volunteer",
        format!("已登记为志愿者（编号{}）", other.volunteer_no),
        format!("already registered as volunteer {}", other.volunteer_no),
    )
}

async fn by_user(c: &mut Conn<'_>, user: Uuid) -> AppResult<Option<VolunteerRow>> {
    Ok(wushe_store::volunteering::volunteers::by_user(c, user).await?)
}

/// Registers a volunteer (active at once).
pub async fn register(app: &App, actor: &Actor, input: VolunteerInput) -> AppResult<Volunteer> {
    insert(app, actor, input, VolunteerStatus::Active, None).await
}

/// A resident signs themselves up; the registration waits for a community worker's approval.
pub async fn apply(app: &App, actor: &Actor, input: VolunteerInput) -> AppResult<Volunteer> {
    if actor.author().is_none() {
        return Err(AppError::Forbidden);
    }
    insert(app, actor, input, VolunteerStatus::Pending, actor.author()).await
}

/// The caller's own volunteer registration, if any.
pub async fn mine(app: &App, actor: &Actor) -> AppResult<Option<Volunteer>> {
    let Some(user) = actor.author() else {
        return Ok(None);
    };
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let Some(row) = wushe_store::volunteering::volunteers::by_user(&mut c, user).await? else {
        return Ok(None);
    };
    let policy = current_policy(&mut c, row.community_id, app.today()).await?;
    Ok(Some(Volunteer::masked(row, &policy)))
}

/// Approves a pending registration, or records that a volunteer left (`to` = `active` / `left`).
pub async fn set_status(
    app: &App,
    actor: &Actor,
    id: Uuid,
    to: VolunteerStatus,
    note: &str,
) -> AppResult<Volunteer> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = load(&mut c, actor, id, Some(Permission::ManageVolunteers)).await?;
    let from = VolunteerStatus::parse(&row.status).unwrap_or(VolunteerStatus::Active);
    let allowed = matches!(
        (from, to),
        (VolunteerStatus::Pending, VolunteerStatus::Active)
            | (VolunteerStatus::Pending, VolunteerStatus::Left)
            | (VolunteerStatus::Active, VolunteerStatus::Left)
            | (VolunteerStatus::Left, VolunteerStatus::Active)
    );
    if !allowed {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("志愿者{}，不能改为{}", from.label_zh(), to.label_zh()),
            format!(
                "a volunteer who is {} cannot become {}",
                from.as_str(),
                to.as_str()
            ),
        ));
    }
    // A self sign-up whose ID number was already a volunteer's was taken without its index; approving
    // it would register the person twice.
    if to == VolunteerStatus::Active && row.id_number_hash.is_none() {
        if let Some(blob) = &row.id_number_enc {
            let hash = app
                .crypto
                .blind_index("id_number", &app.crypto.decrypt(blob)?);
            if let Some(other) =
                wushe_store::volunteering::volunteers::find_by_id_hash(&mut c, &hash).await?
            {
                return Err(duplicate(&other));
            }
            wushe_store::volunteering::volunteers::set_id_hash(&mut c, id, &hash).await?;
        }
    }
    let now = app.now();
    wushe_store::volunteering::volunteers::set_status(&mut c, id, to.as_str(), now).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "volunteer.status",
            object_type: "volunteer",
            object_id: Some(id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"from": from.as_str(), "to": to.as_str(), "note": note}),
        },
    )
    .await?;
    let row = wushe_store::volunteering::volunteers::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let policy = current_policy(&mut c, row.community_id, app.today()).await?;
    tx.commit().await?;
    Ok(Volunteer::masked(row, &policy))
}

/// Reads a volunteer; `unmask` needs the permission at their community and writes an audit row.
pub async fn get(app: &App, actor: &Actor, id: Uuid, unmask: bool) -> AppResult<Volunteer> {
    if !unmask {
        // A masked read writes nothing: it stays off the (on SQLite, single) writer connection.
        let mut c = app.db.read().await?;
        let mut c = c.conn();
        let row = load(&mut c, actor, id, None).await?;
        let policy = current_policy(&mut c, row.community_id, app.today()).await?;
        let path = row.place_path.clone();
        return Ok(Volunteer::masked(row, &policy).restrict_for(actor, &path));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let row = load(&mut c, actor, id, Some(Permission::UnmaskPii)).await?;
    let policy = current_policy(&mut c, row.community_id, app.today()).await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "volunteer.unmask",
            object_type: "volunteer",
            object_id: Some(id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"fields": ["id_number", "phone"]}),
        },
    )
    .await?;
    let decrypt = |b: &Option<Vec<u8>>| b.as_deref().map(|b| app.crypto.decrypt(b)).transpose();
    let (idn, phone) = (decrypt(&row.id_number_enc)?, decrypt(&row.phone_enc)?);
    let mut out = Volunteer::masked(row, &policy);
    out.id_number = idn;
    out.phone = phone;
    out.masked = false;
    tx.commit().await?;
    Ok(out)
}

/// What a caller may ask of the volunteer list and its export.
#[derive(Debug, Clone, Default)]
pub struct VolunteerSearch {
    /// Name or volunteer number contains this.
    pub q: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only party members (community staff only: grants inside a community cannot filter on it).
    pub party_member: bool,
    /// Has this skill.
    pub skill: Option<String>,
    /// Only with at least this many hours served (0 to 100,000).
    pub min_hours: Option<i64>,
}

impl VolunteerSearch {
    /// The store's filter; an hour count outside 0-100000 is refused rather than overflowing.
    pub(crate) fn filter(&self) -> AppResult<VolunteerFilter> {
        if self.min_hours.is_some_and(|h| !(0..=100_000).contains(&h)) {
            return Err(AppError::field(
                "min_hours",
                "服务时长应为0到100000小时",
                "min_hours must be between 0 and 100000",
            ));
        }
        Ok(VolunteerFilter {
            q: self.q.clone(),
            status: self.status.clone(),
            party_member: self.party_member.then_some(true),
            skill: self.skill.clone(),
            min_minutes: self.min_hours.map(|h| h * 60),
        })
    }
}

/// Lists volunteers in the caller's area, optionally inside one community.
pub async fn list(
    app: &App,
    actor: &Actor,
    search: &VolunteerSearch,
    community_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Volunteer>> {
    let f = &search.filter()?;
    let limit = page::limit(limit)?;
    let after: Option<(String, String)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    // Party membership is withheld from grants inside a community, so it cannot be filtered on there.
    let mut scope = if f.party_member.is_some() {
        actor.scope(Permission::ReadVolunteers)
    } else {
        actor.community_scope(Permission::ReadVolunteers)
    };
    if let Some(cid) = community_id {
        let p = community(&mut c, actor, Some(cid), Permission::ReadVolunteers).await?;
        scope = scope.narrow(&p.path);
    }
    let rows =
        wushe_store::volunteering::volunteers::list(&mut c, &scope, f, after, limit + 1).await?;
    let mut policies: Vec<(Uuid, Policy)> = Vec::new();
    for r in &rows {
        if !policies.iter().any(|(id, _)| *id == r.community_id) {
            policies.push((
                r.community_id,
                current_policy(&mut c, r.community_id, app.today()).await?,
            ));
        }
    }
    let policy_of = |id: Uuid| {
        policies
            .iter()
            .find(|(c, _)| *c == id)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(Policy::yangming_default)
    };
    Ok(page::cut(
        rows,
        limit,
        |r| (r.place_path.clone(), r.volunteer_no.clone()),
        |r| {
            let p = policy_of(r.community_id);
            let path = r.place_path.clone();
            Volunteer::masked(r, &p).restrict_for(actor, &path)
        },
    ))
}

/// A team or sub-group as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Team {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// The team this is a sub-group of.
    pub parent_id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// What it does.
    pub description: String,
    /// Leader.
    pub leader_id: Option<Uuid>,
    /// Current members.
    pub member_count: i64,
    /// Members, current first (only when reading one team).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<Vec<Membership>>,
    /// Sub-groups (only when reading one team).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<SubGroup>>,
    /// Created.
    pub created_at: chrono::DateTime<Utc>,
}

impl From<TeamRow> for Team {
    fn from(t: TeamRow) -> Self {
        Team {
            id: t.id,
            community_id: t.community_id,
            parent_id: t.parent_id,
            name: t.name,
            description: t.description,
            leader_id: t.leader_id,
            member_count: t.member_count,
            members: None,
            groups: None,
            created_at: t.created_at,
        }
    }
}

/// A sub-group as listed inside its team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubGroup {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Leader.
    pub leader_id: Option<Uuid>,
    /// Current members.
    pub member_count: i64,
}

/// A volunteer's membership of a team.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Membership {
    /// Id.
    pub id: Uuid,
    /// Team.
    pub team_id: Uuid,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Volunteer's name.
    pub volunteer_name: String,
    /// Volunteer's number.
    pub volunteer_no: String,
    /// `member` or `leader`.
    pub role: String,
    /// Joined.
    pub joined_on: NaiveDate,
    /// Left.
    pub left_on: Option<NaiveDate>,
    /// Note (e.g. the partner unit a surge group came from).
    pub note: String,
}

impl From<MemberRow> for Membership {
    fn from(m: MemberRow) -> Self {
        Membership {
            id: m.id,
            team_id: m.team_id,
            volunteer_id: m.volunteer_id,
            volunteer_name: m.volunteer_name,
            volunteer_no: m.volunteer_no,
            role: m.role,
            joined_on: m.joined_on,
            left_on: m.left_on,
            note: m.note,
        }
    }
}

/// Loads a team the caller may see and act on with `perm`.
pub async fn load_team(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    perm: Permission,
) -> AppResult<TeamRow> {
    let t = wushe_store::volunteering::volunteers::get_team(c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    actor.check_community(perm, &t.place_path)?;
    Ok(t)
}

/// Creates a team, or a sub-group of one (`parent_id`), with an optional leader who joins it.
pub async fn create_team(
    app: &App,
    actor: &Actor,
    community_id: Option<Uuid>,
    parent_id: Option<Uuid>,
    name: &str,
    description: &str,
    leader_id: Option<Uuid>,
) -> AppResult<Team> {
    let name = wushe_domain::kernel::text::clean(name);
    let description = wushe_domain::kernel::text::clean(description);
    let mut errs = ValidationErrors::new();
    wushe_domain::volunteering::limits::TEAM_NAME.check(&name, &mut errs);
    wushe_domain::volunteering::limits::TEAM_DESCRIPTION.check(&description, &mut errs);
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let parent = match parent_id {
        Some(pid) => Some(
            load_team(&mut c, actor, pid, Permission::ManageVolunteers)
                .await
                .map_err(|_| {
                    AppError::field("parent_id", "上级队伍不存在", "no such parent team")
                })?,
        ),
        None => None,
    };
    let community_id = community_id.or(parent.as_ref().map(|p| p.community_id));
    let community = community(&mut c, actor, community_id, Permission::ManageVolunteers).await?;
    if let Some(p) = &parent {
        if p.community_id != community.id {
            return Err(AppError::field(
                "parent_id",
                "上级队伍不在这个社区",
                "the parent team is in another community",
            ));
        }
        if p.parent_id.is_some() {
            return Err(AppError::field(
                "parent_id",
                "小组下不能再建小组",
                "a sub-group cannot have sub-groups",
            ));
        }
    }
    if wushe_store::volunteering::volunteers::find_team(&mut c, community.id, parent_id, &name)
        .await?
        .is_some()
    {
        return Err(AppError::field(
            "name",
            "同名的队伍已存在",
            "a team with this name already exists",
        ));
    }
    let leader = match leader_id {
        Some(l) => Some(active_in(&mut c, actor, l, community.id, "leader_id").await?),
        None => None,
    };
    let now = app.now();
    let row = TeamRow {
        id: Uuid::now_v7(),
        community_id: community.id,
        place_path: community.path.clone(),
        parent_id,
        name,
        description,
        leader_id,
        archived_at: None,
        created_at: now,
        created_by: actor.author(),
        updated_at: now,
        member_count: 0,
    };
    wushe_store::volunteering::volunteers::insert_team(&mut c, &row).await?;
    if let Some(l) = &leader {
        join(&mut c, actor, &row, l, "leader", app.today(), "", app.now()).await?;
    }
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "team.create",
            object_type: "team",
            object_id: Some(row.id),
            place_path: Some(&row.place_path),
            community_id: Some(row.community_id),
            detail: json!({"name": row.name, "parent_id": parent_id, "leader_id": leader_id}),
        },
    )
    .await?;
    let t = wushe_store::volunteering::volunteers::get_team(&mut c, row.id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(t.into())
}

/// An active volunteer of `community` for an input field.
async fn active_in(
    c: &mut Conn<'_>,
    actor: &Actor,
    id: Uuid,
    community: Uuid,
    field: &str,
) -> AppResult<VolunteerRow> {
    let v = load_for_field(c, actor, Some(id), field).await?;
    if v.community_id != community {
        return Err(AppError::field(
            field,
            "该志愿者不在这个社区",
            "the volunteer is in another community",
        ));
    }
    if v.status != VolunteerStatus::Active.as_str() {
        return Err(AppError::field(
            field,
            "该志愿者尚未审核通过或已退出",
            "the volunteer is not active",
        ));
    }
    Ok(v)
}

#[allow(clippy::too_many_arguments)]
async fn join(
    c: &mut Conn<'_>,
    actor: &Actor,
    team: &TeamRow,
    v: &VolunteerRow,
    role: &str,
    on: NaiveDate,
    note: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<MemberRow> {
    if wushe_store::volunteering::volunteers::current_member(c, team.id, v.id)
        .await?
        .is_some()
    {
        return Err(AppError::conflict(
            "already_member",
            format!("{}已经是{}的队员", v.name, team.name),
            format!("{} is already a member of {}", v.volunteer_no, team.name),
        ));
    }
    let m = MemberRow {
        id: Uuid::now_v7(),
        community_id: team.community_id,
        team_id: team.id,
        volunteer_id: v.id,
        role: role.to_owned(),
        joined_on: on,
        left_on: None,
        note: note.to_owned(),
        created_at: now,
        created_by: actor.author(),
        volunteer_name: v.name.clone(),
        volunteer_no: v.volunteer_no.clone(),
    };
    wushe_store::volunteering::volunteers::insert_member(c, &m).await?;
    Ok(m)
}

/// Adds volunteers to a team; several at once with a note is how a partner unit's staff join as a group
/// (surge capacity in an emergency). All or nothing.
pub async fn add_members(
    app: &App,
    actor: &Actor,
    team_id: Uuid,
    volunteer_ids: &[Uuid],
    joined_on: Option<NaiveDate>,
    note: &str,
) -> AppResult<Vec<Membership>> {
    if volunteer_ids.is_empty() || volunteer_ids.len() > 500 {
        return Err(AppError::field(
            "volunteer_id",
            "请选择1到500名志愿者",
            "give 1 to 500 volunteers",
        ));
    }
    let note = wushe_domain::kernel::text::clean(note);
    let mut errs = ValidationErrors::new();
    wushe_domain::volunteering::limits::MEMBER_NOTE.check(&note, &mut errs);
    errs.into_result(())?;
    let on = joined_on.unwrap_or_else(|| app.today());
    if on > app.today() {
        return Err(AppError::field(
            "joined_on",
            "加入日期不能晚于今天",
            "the joining date cannot be in the future",
        ));
    }
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let team = load_team(&mut c, actor, team_id, Permission::ManageVolunteers).await?;
    let mut out = Vec::new();
    for vid in volunteer_ids {
        let v = active_in(&mut c, actor, *vid, team.community_id, "volunteer_id").await?;
        out.push(
            join(&mut c, actor, &team, &v, "member", on, &note, app.now())
                .await?
                .into(),
        );
    }
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "team.join",
            object_type: "team",
            object_id: Some(team.id),
            place_path: Some(&team.place_path),
            community_id: Some(team.community_id),
            detail: json!({"volunteer_ids": volunteer_ids, "note": note}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Records that a volunteer left a team (the membership stays as history).
pub async fn remove_member(
    app: &App,
    actor: &Actor,
    team_id: Uuid,
    volunteer_id: Uuid,
    left_on: Option<NaiveDate>,
) -> AppResult<Membership> {
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let team = load_team(&mut c, actor, team_id, Permission::ManageVolunteers).await?;
    let m = wushe_store::volunteering::volunteers::current_member(&mut c, team.id, volunteer_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let on = left_on.unwrap_or_else(|| app.today());
    if on < m.joined_on || on > app.today() {
        return Err(AppError::field(
            "left_on",
            "退出日期应在加入日期和今天之间",
            "the leaving date must be between joining and today",
        ));
    }
    wushe_store::volunteering::volunteers::end_member(&mut c, m.id, on).await?;
    if team.leader_id == Some(volunteer_id) {
        wushe_store::volunteering::volunteers::set_leader(&mut c, team.id, None, app.now()).await?;
    }
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "team.leave",
            object_type: "team",
            object_id: Some(team.id),
            place_path: Some(&team.place_path),
            community_id: Some(team.community_id),
            detail: json!({"volunteer_id": volunteer_id, "left_on": on}),
        },
    )
    .await?;
    let m = wushe_store::volunteering::volunteers::get_member(&mut c, m.id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(m.into())
}

/// Reads a team with its members and sub-groups.
pub async fn get_team(app: &App, actor: &Actor, id: Uuid) -> AppResult<Team> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let t = load_team(&mut c, actor, id, Permission::ReadVolunteers).await?;
    let members = wushe_store::volunteering::volunteers::members(&mut c, id).await?;
    let groups = wushe_store::volunteering::volunteers::list_teams(
        &mut c,
        &wushe_store::Scope::Paths(vec![t.place_path.clone()]),
        Some(id),
        None,
        100,
    )
    .await?;
    let mut out: Team = t.into();
    out.members = Some(members.into_iter().map(Into::into).collect());
    out.groups = Some(
        groups
            .into_iter()
            .map(|g| SubGroup {
                id: g.id,
                name: g.name,
                leader_id: g.leader_id,
                member_count: g.member_count,
            })
            .collect(),
    );
    Ok(out)
}

/// Lists teams in the caller's area.
pub async fn list_teams(
    app: &App,
    actor: &Actor,
    community_id: Option<Uuid>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> AppResult<Page<Team>> {
    let limit = page::limit(limit)?;
    let after: Option<(String, String, Uuid)> = page::decode(cursor)?;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let mut scope = actor.community_scope(Permission::ReadVolunteers);
    if let Some(cid) = community_id {
        let p = community(&mut c, actor, Some(cid), Permission::ReadVolunteers).await?;
        scope = scope.narrow(&p.path);
    }
    let rows =
        wushe_store::volunteering::volunteers::list_teams(&mut c, &scope, None, after, limit + 1)
            .await?;
    Ok(page::cut(
        rows,
        limit,
        |t| (t.place_path.clone(), t.name.clone(), t.id),
        Team::from,
    ))
}

/// The communities a caller may pick on a volunteer form: those inside their area, and the community
/// their own grant lies in (a resident or volunteer granted at a grid or building).
pub async fn communities_for(
    app: &App,
    actor: &Actor,
) -> AppResult<Vec<crate::map::places::Place>> {
    let mut out = crate::map::places::list(app, actor, Some("community"), None, None, Some(500))
        .await?
        .items;
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    if let wushe_store::Scope::Paths(paths) = actor.own_communities() {
        for p in paths {
            if let Some(row) = wushe_store::map::places::by_path(&mut c, &p).await? {
                if !out.iter().any(|x| x.id == row.id) {
                    out.push(row.into());
                }
            }
        }
    }
    Ok(out)
}

/// The id of a volunteer the caller may see, by the public number people read off a card (`field` names
/// the form input on failure).
pub async fn id_by_no(app: &App, actor: &Actor, no: &str, field: &str) -> AppResult<Uuid> {
    let no = wushe_domain::kernel::text::code(no).to_uppercase();
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let found = wushe_store::volunteering::volunteers::by_no(&mut c, &no).await?;
    match found {
        Some(v) if v.user_id == actor.author() && v.user_id.is_some() => Ok(v.id),
        Some(v) if actor.can_in_community(Permission::ReadVolunteers, &v.place_path) => Ok(v.id),
        _ => Err(AppError::field(
            field,
            "没有这个志愿者编号",
            "no volunteer has this number",
        )),
    }
}
