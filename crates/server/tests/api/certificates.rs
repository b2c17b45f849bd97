//! Issue 4, points 3 and 8: certificates of service with public verification, and the iCalendar feeds.

use chrono::{Datelike, Duration, Utc};
use serde_json::json;

use crate::common::{map, spawn};
use crate::volunteers::volunteer;

#[tokio::test]
async fn certificates_are_numbered_free_and_verifiable_by_anyone() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "刘桂英", "13812345678").await;
    let vid = v["id"].as_str().unwrap();
    let none = t
        .post(
            "/api/v1/certificates",
            &worker,
            json!({"volunteer_id": vid}),
        )
        .await;
    assert_eq!(none.status, 422);
    assert_eq!(none.code(), "no_service");
    let today = wushe_domain::kernel::time::local_date(Utc::now());
    for (minutes, content) in [(120, "陪伴独居老人"), (30, "整理图书角")] {
        t.post("/api/v1/service-records", &worker, json!({"volunteer_id": vid, "minutes": minutes, "served_on": today - Duration::days(3), "content": content}))
            .await
            .expect(201);
    }
    let c = t
        .post(
            "/api/v1/certificates",
            &worker,
            json!({"volunteer_id": vid}),
        )
        .await
        .expect(201);
    let number = c["number"].as_str().unwrap().to_owned();
    assert!(
        number.starts_with(&format!("ZM{}000001", today.year())),
        "{number}"
    );
    assert_eq!(number.len(), 16);
    assert_eq!(c["minutes"], 150);
    assert_eq!(c["hours"], 2.5);
    assert_eq!(c["content"], "陪伴独居老人、整理图书角");
    assert_eq!(c["community_name"], "阳明山庄社区");
    assert_eq!(c["from_date"], (today - Duration::days(3)).to_string());
    let backwards = t
        .post(
            "/api/v1/certificates",
            &worker,
            json!({"volunteer_id": vid, "from": today, "to": today - Duration::days(1)}),
        )
        .await;
    assert_eq!(backwards.body["errors"][0]["field"], "from");
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    assert_eq!(
        t.post(
            "/api/v1/certificates",
            &steward,
            json!({"volunteer_id": vid})
        )
        .await
        .status,
        403
    );

    // Anyone verifies by number without logging in and sees only what the certificate shows.
    let public = t
        .call(
            reqwest::Method::GET,
            &format!("/api/v1/public/certificates/{number}"),
            None,
            None,
        )
        .await
        .expect(200);
    assert_eq!(public["volunteer_name"], "刘桂英");
    assert!(public.get("id_number").is_none() && public.get("phone").is_none());
    assert!(!public.to_string().contains("13812345678"));
    let guess = format!("{}AAAA", &number[..12]);
    let wrong = if guess == number {
        format!("{}BBBB", &number[..12])
    } else {
        guess
    };
    assert_eq!(
        t.call(
            reqwest::Method::GET,
            &format!("/api/v1/public/certificates/{wrong}"),
            None,
            None
        )
        .await
        .status,
        404
    );
    let page = t
        .http
        .get(t.url(&format!("/public/certificates/{}", number.to_lowercase())))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("刘桂英") && html.contains("2小时30分") && html.contains("核验通过"));
    let missing = t
        .http
        .get(t.url("/public/certificates/ZM0000"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let listed = t
        .get(&format!("/api/v1/volunteers/{vid}/certificates"), &worker)
        .await
        .expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn activities_are_served_as_icalendar_feeds() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let start = Utc::now() + Duration::days(2);
    let a = t
        .post("/api/v1/activities", &worker, json!({"title": "周末义诊, 量血压", "community_id": m.community_a,
            "starts_at": start, "ends_at": start + Duration::hours(2), "place_text": "社区卫生站", "capacity": 5}))
        .await
        .expect(201);
    let id = a["id"].as_str().unwrap();
    t.post(
        &format!("/api/v1/activities/{id}/publish"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    t.post(
        &format!("/api/v1/activities/{id}/signups"),
        &worker,
        json!({"volunteer_id": v["id"]}),
    )
    .await
    .expect(200);
    for path in [
        format!("/api/v1/communities/{}/activities.ics", m.community_a),
        format!(
            "/api/v1/volunteers/{}/activities.ics",
            v["id"].as_str().unwrap()
        ),
    ] {
        let r = t
            .http
            .get(t.url(&path))
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar"));
        let body = r.text().await.unwrap();
        assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
        assert!(body.contains(&format!("UID:{id}@wushe")));
        assert!(body.contains("SUMMARY:周末义诊\\, 量血压"));
        assert!(body.contains(&format!("DTSTART:{}", start.format("%Y%m%dT%H%M%SZ"))));
    }
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let r = t
        .http
        .get(t.url(&format!(
            "/api/v1/communities/{}/activities.ics",
            m.community_a
        )))
        .bearer_auth(&worker_b)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn a_phone_calendar_reads_the_feed_with_a_link_that_opens_nothing_else() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let me = t.user("resident_a", "resident", Some(&m.grid_a1)).await;
    let v = t
        .post(
            "/api/v1/volunteers/apply",
            &me,
            json!({"name": "陈小梅", "phone": "13700001234", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    let vid = v["id"].as_str().unwrap();
    t.post(
        &format!("/api/v1/volunteers/{vid}/approve"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    let start = Utc::now() + Duration::days(3);
    let a = t
        .post("/api/v1/activities", &worker, json!({"title": "重阳节敬老", "community_id": m.community_a,
            "starts_at": start, "ends_at": start + Duration::hours(2), "place_text": "社区活动室", "capacity": 5}))
        .await
        .expect(201);
    let aid = a["id"].as_str().unwrap();
    t.post(
        &format!("/api/v1/activities/{aid}/publish"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    t.post(&format!("/api/v1/activities/{aid}/signups"), &me, json!({}))
        .await
        .expect(200);

    let link = t
        .post("/api/v1/me/calendar-link", &me, json!({}))
        .await
        .expect(200);
    let token = link["feed_token"].as_str().unwrap().to_owned();
    let feed = link["volunteer_feed"].as_str().unwrap().to_owned();
    assert!(feed.contains(vid) && feed.ends_with(&token));
    // No header, no cookie: what a phone calendar sends.
    let r = t.http.get(t.url(&feed)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("SUMMARY:重阳节敬老"));
    let community = format!(
        "/api/v1/communities/{}/activities.ics?feed_token={token}",
        m.community_a
    );
    assert_eq!(
        t.http.get(t.url(&community)).send().await.unwrap().status(),
        200
    );
    // The link is not a login: as a bearer token it opens nothing.
    assert_eq!(t.get("/api/v1/me", &token).await.status, 401);
    assert_eq!(
        t.http
            .get(t.url("/api/v1/me?feed_token=x"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // A new link stops the old one.
    let newer = t
        .post("/api/v1/me/calendar-link", &me, json!({}))
        .await
        .expect(200);
    assert_ne!(newer["feed_token"], link["feed_token"]);
    assert_eq!(t.http.get(t.url(&feed)).send().await.unwrap().status(), 401);
    let fresh = newer["volunteer_feed"].as_str().unwrap();
    assert_eq!(t.http.get(t.url(fresh)).send().await.unwrap().status(), 200);
}
