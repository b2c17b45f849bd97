//! Issue 5, point 6 (and 7 for events): a grid event from report to published result, a failed
//! verification, escalation grid → community → street with each level acting on what reached it, photos
//! checked by their bytes, the 12345 rates, and overdue flags.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::common::{map, spawn, TestApp};

async fn upload(t: &TestApp, token: &str, bytes: Vec<u8>, name: &str) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    let r = t
        .http
        .post(t.url("/api/v1/photos"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_event_is_handled_in_the_grid_or_goes_up() {
    let t = spawn().await;
    let m = map(&t).await;
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let street = t
        .user("street_admin", "street_admin", Some(&m.street))
        .await;
    let lane = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;

    // Photos are checked by their bytes, not their names.
    let (s, bad) = upload(&t, &lane, b"<svg onload=alert(1)>".to_vec(), "x.png").await;
    assert_eq!(s, 400, "{bad}");
    assert!(bad["detail"].as_str().unwrap().contains("JPEG"));
    let (s, photo) = upload(
        &t,
        &lane,
        crate::common::picture(image::ImageFormat::Png),
        "../../etc/passwd",
    )
    .await;
    assert_eq!(s, 201, "{photo}");
    let pid = photo["id"].as_str().unwrap().to_owned();

    // 发现 → 上报, by a resident in their grid.
    let report = |grid: &str, cat: &str, desc: &str| json!({"grid_id": grid, "category": cat, "description": desc, "location_text": "1栋东侧路口"});
    let wrong = t
        .post("/api/v1/events", &lane, report(&m.grid_a1, "外星人", "x"))
        .await;
    assert_eq!(wrong.body["errors"][0]["field"], "category");
    assert!(wrong.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("道路破损"));
    let elsewhere = t
        .post("/api/v1/events", &lane, report(&m.grid_b1, "道路破损", "x"))
        .await;
    assert_eq!(elsewhere.body["errors"][0]["field"], "grid_id");
    let half = t
        .post(
            "/api/v1/events",
            &lane,
            json!({"grid_id": m.grid_a1, "category": "道路破损", "description": "x", "lat": 28.2}),
        )
        .await;
    assert_eq!(half.body["errors"][0]["field"], "lat");
    let e = t
        .post(
            "/api/v1/events",
            &lane,
            json!({"grid_id": m.grid_a1, "category": "道路破损", "description": "路面塌陷一个坑",
            "location_text": "1栋东侧路口", "lat": 28.2, "lng": 112.9, "photos": [pid]}),
        )
        .await
        .expect(201);
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(e["status"], "reported");
    assert_eq!(e["allowed_actions"], json!(["accept", "escalate"]));
    assert_eq!(e["photos"], json!([pid]));
    let url = |id: &str, a: &str| format!("/api/v1/events/{id}/{a}");
    let photo_url = format!("/api/v1/photos/{pid}");
    let r = t
        .http
        .get(t.url(&photo_url))
        .bearer_auth(&worker)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/png");
    assert_eq!(t.get(&photo_url, &worker_b).await.status, 404);
    let early = t
        .post(&url(&id, "close"), &steward, json!({"result": "x"}))
        .await;
    assert_eq!(early.code(), "invalid_transition");
    assert_eq!(early.body["allowed_actions"], json!(["accept", "escalate"]));

    // 受理 → 派遣 → 处置 → 核查 (fails, back) → 处置 → 核查 → 结案, all in the grid.
    t.post(&url(&id, "accept"), &steward, json!({}))
        .await
        .expect(200);
    let team_b = t
        .post(
            "/api/v1/teams",
            &worker_b,
            json!({"name": "龙王港服务队", "community_id": m.community_b}),
        )
        .await
        .expect(201);
    let other = t
        .post(
            &url(&id, "dispatch"),
            &steward,
            json!({"assignee_id": team_b["id"]}),
        )
        .await;
    assert_eq!(other.code(), "other_community");
    let me = t.get("/api/v1/me", &steward).await.expect(200);
    let d = t
        .post(
            &url(&id, "dispatch"),
            &steward,
            json!({"assignee_id": me["id"]}),
        )
        .await
        .expect(200);
    assert_eq!(d["assignee_type"], "user");
    t.post(&url(&id, "resolve"), &steward, json!({"note": "已填补"}))
        .await
        .expect(200);
    let no_why = t
        .post(&url(&id, "verify"), &steward, json!({"passed": false}))
        .await;
    assert_eq!(no_why.body["errors"][0]["field"], "note");
    let back = t
        .post(
            &url(&id, "verify"),
            &steward,
            json!({"passed": false, "note": "还有积水"}),
        )
        .await
        .expect(200);
    assert_eq!(back["status"], "dispatched");
    t.post(&url(&id, "resolve"), &steward, json!({}))
        .await
        .expect(200);
    t.post(&url(&id, "verify"), &steward, json!({"passed": true}))
        .await
        .expect(200);
    let no_result = t.post(&url(&id, "close"), &steward, json!({})).await;
    assert_eq!(no_result.body["errors"][0]["field"], "result");
    let closed = t
        .post(
            &url(&id, "close"),
            &steward,
            json!({"result": "路面已修复、积水已排", "satisfaction": 5}),
        )
        .await
        .expect(200);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["result"], "路面已修复、积水已排");
    let steps: Vec<&str> = closed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["report", "accept", "dispatch", "resolve", "verify", "resolve", "verify", "close"]
    );

    // 小事不出网格, 大事不出社区: what the grid cannot close goes up, and only that level acts on it.
    let big = t
        .post(
            "/api/v1/events",
            &steward,
            report(&m.grid_a1, "安全隐患", "楼顶广告牌松动"),
        )
        .await
        .expect(201);
    let big_id = big["id"].as_str().unwrap().to_owned();
    let no_reason = t.post(&url(&big_id, "escalate"), &steward, json!({})).await;
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let up = t
        .post(
            &url(&big_id, "escalate"),
            &steward,
            json!({"reason": "需要吊车，网格无法处置"}),
        )
        .await
        .expect(200);
    assert_eq!(up["status"], "reported", "escalation keeps the status");
    assert_eq!(up["place_id"], m.community_a.as_str());
    assert_eq!(up["escalations"], 1);
    assert_eq!(
        t.post(&url(&big_id, "accept"), &steward, json!({}))
            .await
            .status,
        403,
        "the grid no longer handles it"
    );
    let reached = t
        .get(
            &format!("/api/v1/events?at_place_id={}", m.community_a),
            &worker,
        )
        .await
        .expect(200);
    let ids: Vec<&str> = reached["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [big_id.as_str()]);
    t.post(
        &url(&big_id, "escalate"),
        &worker,
        json!({"reason": "需要街道协调产权单位"}),
    )
    .await
    .expect(200);
    assert_eq!(
        t.post(&url(&big_id, "accept"), &worker, json!({}))
            .await
            .status,
        403
    );
    let top = t
        .post(&url(&big_id, "escalate"), &street, json!({"reason": "x"}))
        .await;
    assert_eq!(top.code(), "cannot_escalate");
    let at_street = t
        .post(&url(&big_id, "accept"), &street, json!({}))
        .await
        .expect(200);
    assert_eq!(at_street["place_id"], m.street.as_str());

    // A third, left alone, is flagged when its acceptance is overdue (2 hours by default), once.
    let idle = t
        .post(
            "/api/v1/events",
            &lane,
            report(&m.grid_a1, "噪音扰民", "夜间施工"),
        )
        .await
        .expect(201);
    let later = Utc::now() + Duration::hours(3);
    let (a, b) = tokio::join!(
        wushe_app::service::alerts::sweep(&t.app, later),
        wushe_app::service::alerts::sweep(&t.app, later)
    );
    assert_eq!(a.unwrap().flagged + b.unwrap().flagged, 1);
    let alerts = t.get("/api/v1/alerts", &steward).await.expect(200);
    assert_eq!(alerts[0]["object_id"], idle["id"]);
    assert_eq!(alerts[0]["label"], "事件待受理超时");

    // The 12345 figures of the grid: 3 reported, 2 accepted in time (one by the street after escalation),
    // 1 closed, and its reporter satisfied.
    let rates = t
        .get(
            &format!("/api/v1/events/rates?place_id={}", m.community_a),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(rates.as_array().unwrap().len(), 1);
    assert_eq!(rates[0]["grid_id"], m.grid_a1.as_str());
    assert_eq!(rates[0]["reported"], 3);
    assert_eq!(rates[0]["response_permille"], 667);
    assert_eq!(rates[0]["solution_permille"], 333);
    assert_eq!(rates[0]["satisfaction_permille"], 1000);
    assert_eq!(t.get("/api/v1/events/rates", &lane).await.status, 403);

    // The resident sees what they reported; another community sees none of it.
    let mine = t.get("/api/v1/events", &lane).await.expect(200);
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    let theirs = t.get("/api/v1/events", &worker_b).await.expect(200);
    assert_eq!(theirs["items"], json!([]));
    assert_eq!(
        t.get(&format!("/api/v1/events/{id}"), &worker_b)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_community_adds_event_categories_with_their_deadlines() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let body = json!({"category": "井盖缺失", "accept_hours": 1, "dispatch_hours": 1, "resolve_hours": 24, "verify_hours": 12, "close_hours": 12});
    assert_eq!(
        t.call(
            reqwest::Method::PUT,
            &format!("/api/v1/communities/{}/event-deadlines", m.community_a),
            Some(&steward),
            Some(body.clone())
        )
        .await
        .status,
        403,
        "the community sets its dictionary"
    );
    t.call(
        reqwest::Method::PUT,
        &format!("/api/v1/communities/{}/event-deadlines", m.community_a),
        Some(&worker),
        Some(body),
    )
    .await
    .expect(200);
    let e = t
        .post(
            "/api/v1/events",
            &steward,
            json!({"grid_id": m.grid_a1, "category": "井盖缺失", "description": "3栋前井盖丢失"}),
        )
        .await
        .expect(201);
    let due = chrono::DateTime::parse_from_rfc3339(e["due_at"].as_str().unwrap()).unwrap();
    let since = chrono::DateTime::parse_from_rfc3339(e["status_since"].as_str().unwrap()).unwrap();
    assert_eq!(due - since, Duration::hours(1));
}

/// Issue 13: with each event the use case says what this caller may do now: the steward handles it, the
/// reporter waits, and the team it was dispatched to may report it resolved (and nothing else).
#[tokio::test]
async fn each_event_says_what_its_caller_may_do() {
    let t = spawn().await;
    let m = map(&t).await;
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let lane = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let e = t
        .post(
            "/api/v1/events",
            &lane,
            json!({"grid_id": m.grid_a1, "category": "市容环境", "description": "楼道堆放杂物",
                   "location_text": "1栋东侧路口"}),
        )
        .await
        .expect(201);
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(e["my_actions"], json!([]));
    let seen = t
        .get(&format!("/api/v1/events/{id}"), &steward)
        .await
        .expect(200);
    assert_eq!(seen["my_actions"], seen["allowed_actions"]);
    assert!(seen["my_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("accept")));
    let listed = t.get("/api/v1/events", &steward).await.expect(200);
    assert_eq!(listed["items"][0]["my_actions"], seen["my_actions"]);
    let accepted = t
        .post(&format!("/api/v1/events/{id}/accept"), &steward, json!({}))
        .await
        .expect(200);
    assert!(accepted["my_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("dispatch")));
    let again = t
        .get(&format!("/api/v1/events/{id}"), &lane)
        .await
        .expect(200);
    assert_eq!(again["my_actions"], json!([]), "the reporter waits");
}
