//! Certificates of volunteer service, kept as issued.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{on, Conn, Result};

/// A stored certificate.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CertificateRow {
    /// Id.
    pub id: Uuid,
    /// Community.
    pub community_id: Uuid,
    /// Community path.
    pub place_path: String,
    /// Public number.
    pub number: String,
    /// Volunteer.
    pub volunteer_id: Uuid,
    /// Name as issued.
    pub volunteer_name: String,
    /// Volunteer number as issued.
    pub volunteer_no: String,
    /// The recording community's name.
    pub community_name: String,
    /// First day covered.
    pub from_date: NaiveDate,
    /// Last day covered.
    pub to_date: NaiveDate,
    /// Net minutes in the period.
    pub minutes: i64,
    /// Service records in the period.
    pub records: i64,
    /// What the service was.
    pub content: String,
    /// Issued at.
    pub issued_at: DateTime<Utc>,
    /// By.
    pub issued_by: Option<Uuid>,
    /// The issuer's name.
    pub issuer_name: String,
}

const COLS: &str = "id, community_id, place_path, number, volunteer_id, volunteer_name, volunteer_no, community_name,
    from_date, to_date, minutes, records, content, issued_at, issued_by, issuer_name";

/// Inserts a certificate.
pub async fn insert(c: &mut Conn<'_>, r: &CertificateRow) -> Result<()> {
    on!(c, c => sqlx::query(&format!("INSERT INTO certificates ({COLS})
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"))
        .bind(r.id).bind(r.community_id).bind(&r.place_path).bind(&r.number).bind(r.volunteer_id)
        .bind(&r.volunteer_name).bind(&r.volunteer_no).bind(&r.community_name).bind(r.from_date).bind(r.to_date)
        .bind(r.minutes).bind(r.records).bind(&r.content).bind(r.issued_at).bind(r.issued_by).bind(&r.issuer_name)
        .execute(c).await.map(|_| ()))?;
    Ok(())
}

/// Reads one certificate.
pub async fn get(c: &mut Conn<'_>, id: Uuid) -> Result<Option<CertificateRow>> {
    let sql = format!("SELECT {COLS} FROM certificates WHERE id = $1");
    Ok(on!(c, c => sqlx::query_as::<_, CertificateRow>(&sql).bind(id).fetch_optional(c).await)?)
}

/// Finds a certificate by its number (public verification).
pub async fn by_number(c: &mut Conn<'_>, number: &str) -> Result<Option<CertificateRow>> {
    let sql = format!("SELECT {COLS} FROM certificates WHERE number = $1");
    Ok(on!(c, c => sqlx::query_as::<_, CertificateRow>(&sql).bind(number).fetch_optional(c).await)?)
}

/// A volunteer's certificates, newest first.
pub async fn of_volunteer(c: &mut Conn<'_>, volunteer: Uuid) -> Result<Vec<CertificateRow>> {
    let sql =
        format!("SELECT {COLS} FROM certificates WHERE volunteer_id = $1 ORDER BY issued_at DESC");
    Ok(on!(c, c => sqlx::query_as::<_, CertificateRow>(&sql).bind(volunteer).fetch_all(c).await)?)
}

/// Net minutes, record count and the contents (most minutes first) of a volunteer's records in a period.
pub async fn service_in(
    c: &mut Conn<'_>,
    volunteer: Uuid,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(String, i64, i64)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT COALESCE(x.body, '') AS content, CAST(SUM(r.minutes) AS BIGINT), CAST(COUNT(*) AS BIGINT)
         FROM service_records r LEFT JOIN personal_texts x ON x.owner_id = r.id AND x.field = 'content'
         WHERE r.volunteer_id = $1 AND r.served_on >= $2 AND r.served_on <= $3
         GROUP BY 1 ORDER BY 2 DESC, 1")
        .bind(volunteer).bind(from).bind(to).fetch_all(c).await)?)
}

/// The first day a volunteer has service on record, if any.
pub async fn first_served(c: &mut Conn<'_>, volunteer: Uuid) -> Result<Option<NaiveDate>> {
    Ok(on!(c, c => sqlx::query_scalar::<_, Option<NaiveDate>>(
        "SELECT MIN(served_on) FROM service_records WHERE volunteer_id = $1")
        .bind(volunteer).fetch_one(c).await)?)
}
