//! Multi-row inserts for bulk loads of the volunteer ledgers (benchmarks and migrations from other systems).

use sqlx::QueryBuilder;

use crate::volunteering::points::{EntryRow, RecordRow};
use crate::volunteering::volunteers::VolunteerRow;
use crate::{on, Conn, Result};

/// Inserts volunteers in chunks.
pub async fn volunteers(c: &mut Conn<'_>, rows: &[VolunteerRow]) -> Result<()> {
    for chunk in rows.chunks(1000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new("INSERT INTO volunteers (id, community_id, place_path, volunteer_no, name, sex,
                birth_date, id_number_enc, id_number_hash, id_number_mask, phone_enc, phone_hash, phone_mask, resident_id,
                user_id, skills, categories, party_member, in_service_party_member, work_unit, availability, status,
                points_balance, total_minutes, created_at, created_by, updated_at) ");
            qb.push_values(chunk, |mut b, v| {
                b.push_bind(v.id).push_bind(v.community_id).push_bind(v.place_path.clone()).push_bind(v.volunteer_no.clone())
                    .push_bind(v.name.clone()).push_bind(v.sex.clone()).push_bind(v.birth_date).push_bind(v.id_number_enc.clone())
                    .push_bind(v.id_number_hash.clone()).push_bind(v.id_number_mask.clone()).push_bind(v.phone_enc.clone())
                    .push_bind(v.phone_hash.clone()).push_bind(v.phone_mask.clone()).push_bind(v.resident_id).push_bind(v.user_id)
                    .push_bind(v.skills.clone()).push_bind(v.categories.clone()).push_bind(v.party_member)
                    .push_bind(v.in_service_party_member).push_bind(v.work_unit.clone()).push_bind(v.availability.clone())
                    .push_bind(v.status.clone()).push_bind(v.points_balance).push_bind(v.total_minutes).push_bind(v.created_at)
                    .push_bind(v.created_by).push_bind(v.updated_at);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Inserts service records in chunks.
pub async fn records(c: &mut Conn<'_>, rows: &[RecordRow]) -> Result<()> {
    for chunk in rows.chunks(2000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO service_records ({}) ", crate::volunteering::points::RECORD_COLS));
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.id).push_bind(r.community_id).push_bind(r.place_path.clone()).push_bind(r.volunteer_id)
                    .push_bind(r.activity_id).push_bind(r.served_on).push_bind(r.minutes).push_bind(r.organiser.clone())
                    .push_bind(r.recorder_id).push_bind(r.reverses_id).push_bind(r.created_at);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    crate::kernel::texts::write(c, &crate::volunteering::points::record_texts(rows)).await
}

/// Inserts points entries in chunks.
pub async fn entries(c: &mut Conn<'_>, rows: &[EntryRow]) -> Result<()> {
    for chunk in rows.chunks(2000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new(format!("INSERT INTO points_entries ({}) ", crate::volunteering::points::ENTRY_COLS));
            qb.push_values(chunk, |mut b, e| {
                b.push_bind(e.id).push_bind(e.community_id).push_bind(e.volunteer_id).push_bind(e.year).push_bind(e.earned_on)
                    .push_bind(e.kind.clone()).push_bind(e.points).push_bind(e.policy_id).push_bind(e.source_id)
                    .push_bind(e.reverses_id).push_bind(e.created_at).push_bind(e.created_by);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    crate::kernel::texts::write(c, &crate::volunteering::points::entry_texts(rows)).await
}

/// Inserts monthly totals (place_path, month, community, minutes, records) in chunks.
pub async fn months(
    c: &mut Conn<'_>,
    rows: &[(String, String, uuid::Uuid, i64, i64)],
) -> Result<()> {
    for chunk in rows.chunks(2000) {
        on!(c, c => {
            let mut qb = QueryBuilder::new("INSERT INTO service_months (place_path, month, community_id, minutes, records) ");
            qb.push_values(chunk, |mut b, m| {
                b.push_bind(m.0.clone()).push_bind(m.1.clone()).push_bind(m.2).push_bind(m.3).push_bind(m.4);
            });
            qb.build().execute(&mut *c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// The communities (id, path) of the whole map, in path order.
pub async fn communities(c: &mut Conn<'_>) -> Result<Vec<(uuid::Uuid, String)>> {
    Ok(on!(c, c => sqlx::query_as::<_, (uuid::Uuid, String)>(
        "SELECT id, path FROM places WHERE kind = 'community' AND archived_at IS NULL ORDER BY path")
        .fetch_all(c).await)?)
}
