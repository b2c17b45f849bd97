//! iCalendar feeds (RFC 5545) of activities, per community and per volunteer, for phone calendars.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;

use crate::volunteering::activities::Activity;
use crate::{Actor, App, AppError, AppResult};

/// One event of a feed.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable id (the activity id).
    pub uid: Uuid,
    /// Title.
    pub summary: String,
    /// Where.
    pub location: String,
    /// What.
    pub description: String,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Cancelled events stay in the feed as cancelled so calendars remove them.
    pub cancelled: bool,
    /// Last change.
    pub stamp: DateTime<Utc>,
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (never inside a UTF-8 character) with CRLF + space.
fn fold(line: &str, out: &mut String) {
    let mut len = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += n;
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Renders a calendar named `name`.
pub fn render(name: &str, events: &[Event]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Wushe//Volunteer activities//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        fold(l, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    fold("X-WR-TIMEZONE:Asia/Shanghai", &mut out);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}@wushe", e.uid), &mut out);
        fold(&format!("DTSTAMP:{}", stamp(e.stamp)), &mut out);
        fold(&format!("DTSTART:{}", stamp(e.starts_at)), &mut out);
        fold(&format!("DTEND:{}", stamp(e.ends_at)), &mut out);
        fold(&format!("SUMMARY:{}", escape(&e.summary)), &mut out);
        fold(&format!("LOCATION:{}", escape(&e.location)), &mut out);
        if !e.description.is_empty() {
            fold(&format!("DESCRIPTION:{}", escape(&e.description)), &mut out);
        }
        fold(
            if e.cancelled {
                "STATUS:CANCELLED"
            } else {
                "STATUS:CONFIRMED"
            },
            &mut out,
        );
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

fn event(a: &Activity) -> Event {
    Event {
        uid: a.id,
        summary: a.title.clone(),
        location: a.place_text.clone(),
        description: a.content.clone(),
        starts_at: a.starts_at,
        ends_at: a.ends_at,
        cancelled: a.status == "cancelled",
        stamp: a.timeline.last().map_or(a.created_at, |t| t.at),
    }
}

/// A community's published (and recently cancelled) activities from 90 days ago on.
pub async fn community(app: &App, actor: &Actor, community_id: Uuid) -> AppResult<String> {
    let mut c = app.db.read().await?;
    let name = {
        let mut conn = c.conn();
        let p = wushe_store::map::places::get(&mut conn, community_id)
            .await?
            .filter(|p| crate::map::places::visible(actor, &p.path) && p.kind == "community")
            .ok_or(AppError::NotFound)?;
        p.name
    };
    drop(c);
    let mut events = Vec::new();
    for status in ["published", "completed", "cancelled"] {
        let f = crate::volunteering::activities::ActivitySearch {
            status: Some(status.into()),
            from: Some(app.now() - chrono::Duration::days(90)),
            ..Default::default()
        };
        let page = crate::volunteering::activities::list(
            app,
            actor,
            &f,
            Some(community_id),
            None,
            Some(500),
        )
        .await?;
        events.extend(page.items.iter().map(event));
    }
    events.sort_by_key(|e| e.starts_at);
    Ok(render(&format!("{name} 志愿活动"), &events))
}

/// The activities a volunteer is signed up to.
pub async fn volunteer(app: &App, actor: &Actor, volunteer_id: Uuid) -> AppResult<String> {
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    let v = crate::volunteering::volunteers::load(&mut conn, actor, volunteer_id, None).await?;
    let ids = wushe_store::volunteering::activities::activities_of(
        &mut conn,
        v.id,
        app.now() - chrono::Duration::days(90),
    )
    .await?;
    let mut events = Vec::new();
    for id in ids {
        if let Some(a) = wushe_store::volunteering::activities::get(&mut conn, id).await? {
            let tl = crate::kernel::workflow::timeline(&mut conn, a.id).await?;
            let manager = actor.can(Permission::ManageVolunteers, &a.place_path);
            events.push(event(&crate::volunteering::activities::view_of(
                a, manager, tl,
            )));
        }
    }
    Ok(render(&format!("{} 的志愿活动", v.name), &events))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lines_are_folded_escaped_and_crlf() {
        let t = Utc.with_ymd_and_hms(2026, 3, 1, 1, 30, 0).unwrap();
        let e = Event {
            uid: Uuid::nil(),
            summary: "义务理发; 敬老, 爱老".into(),
            location: "社区活动室".into(),
            description: "为独居老人理发\n请带工具".repeat(4),
            starts_at: t,
            ends_at: t + chrono::Duration::hours(2),
            cancelled: false,
            stamp: t,
        };
        let s = render("阳明山庄社区 志愿活动", &[e]);
        assert!(s.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(s.ends_with("END:VCALENDAR\r\n"));
        assert!(s.contains("DTSTART:20260301T013000Z\r\n"));
        assert!(s.contains("SUMMARY:义务理发\\; 敬老\\, 爱老"));
        assert!(s.contains("\\n请带工具"));
        for line in s.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
            assert!(!line.contains('\n'));
        }
        // Unfolding gives back the description whole.
        let unfolded = s.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "DESCRIPTION:{}",
            "为独居老人理发\\n请带工具".repeat(4)
        )));
    }
}
