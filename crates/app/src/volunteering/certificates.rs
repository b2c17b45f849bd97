//! Certificates of volunteer service (志愿服务证明). 《志愿服务记录与证明出具办法(试行)》 (2020): issued
//! free of charge, numbered, verifiable, showing the hours, what the service was and the recording unit.

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_store::volunteering::certificates::CertificateRow;

use crate::kernel::audit::{self, Entry};
use crate::{Actor, App, AppError, AppResult};

/// A certificate as issued, and what its public verification shows (nothing else about the person).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Certificate {
    /// Id.
    pub id: Uuid,
    /// Public number, e.g. `ZM2026000001`.
    pub number: String,
    /// Volunteer's name.
    pub volunteer_name: String,
    /// Volunteer number (not the ID number).
    pub volunteer_no: String,
    /// The recording community.
    pub community_name: String,
    /// First day covered.
    pub from_date: NaiveDate,
    /// Last day covered.
    pub to_date: NaiveDate,
    /// Service minutes in the period.
    pub minutes: i64,
    /// Service hours, one decimal.
    pub hours: f64,
    /// Service records counted.
    pub records: i64,
    /// What the service was.
    pub content: String,
    /// Issued at.
    pub issued_at: chrono::DateTime<Utc>,
    /// Who issued it.
    pub issuer_name: String,
    /// Where anyone can check it.
    pub verify_url: String,
}

impl From<CertificateRow> for Certificate {
    fn from(r: CertificateRow) -> Self {
        Certificate {
            id: r.id,
            verify_url: format!("/public/certificates/{}", r.number),
            number: r.number,
            volunteer_name: r.volunteer_name,
            volunteer_no: r.volunteer_no,
            community_name: r.community_name,
            from_date: r.from_date,
            to_date: r.to_date,
            hours: (r.minutes as f64 / 6.0).round() / 10.0,
            minutes: r.minutes,
            records: r.records,
            content: r.content,
            issued_at: r.issued_at,
            issuer_name: r.issuer_name,
        }
    }
}

/// Four random letters after the sequence number: anyone holding a certificate can verify it, but nobody
/// can walk the sequence to read other volunteers' names and hours (32^4 guesses each, rate limited).
fn check_letters() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ0123456789";
    let mut rng = rand::thread_rng();
    (0..4)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Issues a certificate for a volunteer's service between two days (all of it when absent).
pub async fn issue(
    app: &App,
    actor: &Actor,
    volunteer_id: Option<Uuid>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> AppResult<Certificate> {
    let today = app.today();
    let to = to.unwrap_or(today);
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let v = crate::volunteering::volunteers::load_for_field(
        &mut c,
        actor,
        volunteer_id,
        "volunteer_id",
    )
    .await?;
    if !actor.can(Permission::ManageVolunteers, &v.place_path) {
        return Err(AppError::Forbidden);
    }
    // Without a start, the certificate covers everything from the first day of service on record.
    let from = match from {
        Some(f) => f,
        None => wushe_store::volunteering::certificates::first_served(&mut c, v.id)
            .await?
            .unwrap_or(to),
    };
    if from > to || to > today {
        return Err(AppError::field(
            "from",
            "证明期间不正确：开始不能晚于结束，结束不能晚于今天",
            "the period must start before it ends and end by today",
        ));
    }
    let rows = wushe_store::volunteering::certificates::service_in(&mut c, v.id, from, to).await?;
    let minutes: i64 = rows.iter().map(|r| r.1).sum();
    let records: i64 = rows.iter().map(|r| r.2).sum();
    if minutes <= 0 {
        return Err(AppError::rule(
            "no_service",
            "这段时间没有服务记录，不能出具证明",
            "there is no service in this period to certify",
        ));
    }
    let content = rows
        .iter()
        .filter(|r| r.1 > 0)
        .take(10)
        .map(|r| r.0.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let community = wushe_store::map::places::get(&mut c, v.community_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let seq =
        wushe_store::kernel::counters::next(&mut c, &format!("certificate_{}", today.format("%Y")))
            .await?;
    let row = CertificateRow {
        id: Uuid::now_v7(),
        community_id: v.community_id,
        place_path: v.place_path.clone(),
        number: format!("ZM{}{:06}{}", today.format("%Y"), seq, check_letters()),
        volunteer_id: v.id,
        volunteer_name: v.name.clone(),
        volunteer_no: v.volunteer_no.clone(),
        community_name: community.name,
        from_date: from,
        to_date: to,
        minutes,
        records,
        content,
        issued_at: app.now(),
        issued_by: actor.author(),
        issuer_name: actor.display_name.clone(),
    };
    wushe_store::volunteering::certificates::insert(&mut c, &row).await?;
    audit::record(&mut c, actor, Entry {
        action: "certificate.issue", object_type: "certificate", object_id: Some(row.id),
        place_path: Some(&row.place_path), community_id: Some(row.community_id),
        detail: json!({"number": row.number, "volunteer_id": v.id, "minutes": minutes, "from": from, "to": to}),
    }).await?;
    tx.commit().await?;
    Ok(row.into())
}

/// Reads a certificate (those who may read the volunteer).
pub async fn get(app: &App, actor: &Actor, id: Uuid) -> AppResult<Certificate> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let r = wushe_store::volunteering::certificates::get(&mut c, id)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::volunteering::volunteers::load(&mut c, actor, r.volunteer_id, None).await?;
    Ok(r.into())
}

/// A volunteer's certificates.
pub async fn of_volunteer(
    app: &App,
    actor: &Actor,
    volunteer_id: Uuid,
) -> AppResult<Vec<Certificate>> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    crate::volunteering::volunteers::load(&mut c, actor, volunteer_id, None).await?;
    Ok(
        wushe_store::volunteering::certificates::of_volunteer(&mut c, volunteer_id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    )
}

/// Public verification by number: exactly what the certificate shows, to anyone.
pub async fn verify(app: &App, number: &str) -> AppResult<Certificate> {
    let number = wushe_domain::kernel::text::code(number).to_uppercase();
    if number.is_empty()
        || number.len() > 20
        || !number.chars().all(|ch| ch.is_ascii_alphanumeric())
    {
        return Err(AppError::NotFound);
    }
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    Ok(
        wushe_store::volunteering::certificates::by_number(&mut c, &number)
            .await?
            .ok_or(AppError::NotFound)?
            .into(),
    )
}
