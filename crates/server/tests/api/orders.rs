//! Issue 5, points 5 and 7: the four-orders loop end to end, a race of two dispatches, and overdue steps
//! flagged once even by two job runners.

use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::common::{map, spawn, Map, TestApp};

async fn order(t: &TestApp, token: &str, m: &Map, household: &str) -> Value {
    let tomorrow = wushe_domain::kernel::time::local_date(Utc::now()) + Duration::days(1);
    t.post(
        "/api/v1/orders",
        token,
        json!({"community_id": m.community_a, "household_id": household, "category": "养老",
               "content": "帮忙买菜，腿脚不便", "wanted_by": tomorrow}),
    )
    .await
    .expect(201)
}

/// A volunteer of community A with their own login.
async fn volunteer_with_login(t: &TestApp, worker: &str, m: &Map) -> (Value, String) {
    let token = t.user("vol_a", "resident", Some(&m.grid_a1)).await;
    let v = t
        .post(
            "/api/v1/volunteers/apply",
            &token,
            json!({"name": "周师傅", "phone": "13700002222", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    t.post(
        &format!("/api/v1/volunteers/{}/approve", v["id"].as_str().unwrap()),
        worker,
        json!({}),
    )
    .await
    .expect(200);
    (v, token)
}

#[tokio::test]
async fn an_order_goes_round_the_four_steps() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let me = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let home = t.household(&m.building_a1, "101").await;
    let elsewhere = t.household(&m.building_a2, "202").await;

    // 群众点单: a resident orders for their own household, not for a neighbour's building.
    let bad = t
        .post(
            "/api/v1/orders",
            &me,
            json!({"community_id": m.community_a, "category": "", "content": ""}),
        )
        .await;
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["category", "content"]);
    let theirs = t
        .post("/api/v1/orders", &me, json!({"community_id": m.community_a, "household_id": elsewhere, "category": "养老", "content": "x"}))
        .await;
    assert_eq!(theirs.body["errors"][0]["field"], "household_id");
    let o = order(&t, &me, &m, &home).await;
    let id = o["id"].as_str().unwrap().to_owned();
    assert_eq!(o["status"], "placed");
    assert_eq!(o["allowed_actions"], json!(["dispatch"]));
    assert_eq!(o["timeline"][0]["to"], "placed");
    assert_eq!(o["timeline"][0]["from"], Value::Null);
    let url = |a: &str| format!("/api/v1/orders/{id}/{a}");

    // 站点派单: only the station; never to another community's team.
    assert_eq!(t.post(&url("dispatch"), &me, json!({})).await.status, 403);
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let team_b = t
        .post(
            "/api/v1/teams",
            &worker_b,
            json!({"name": "龙王港服务队", "community_id": m.community_b}),
        )
        .await
        .expect(201);
    let other = t
        .post(&url("dispatch"), &worker, json!({"team_id": team_b["id"]}))
        .await;
    assert_eq!(other.status, 422);
    assert_eq!(other.code(), "other_community");
    assert_eq!(
        t.get(&format!("/api/v1/orders/{id}"), &worker_b)
            .await
            .status,
        404,
        "another community's station does not see it"
    );
    let (v, vol) = volunteer_with_login(&t, &worker, &m).await;
    let d = t
        .post(
            &url("dispatch"),
            &worker,
            json!({"volunteer_id": v["id"], "note": "今天下午"}),
        )
        .await
        .expect(200);
    assert_eq!(d["status"], "dispatched");
    assert_eq!(d["assignee_name"], "周师傅");
    // A second dispatch is a conflict naming what the order allows now.
    let again = t
        .post(&url("dispatch"), &worker, json!({"volunteer_id": v["id"]}))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "invalid_transition");
    assert_eq!(again.body["allowed_actions"], json!(["accept", "decline"]));

    // 团队接单: the volunteer declines with a reason; it goes back to the station.
    let no_reason = t.post(&url("decline"), &vol, json!({})).await;
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let back = t
        .post(&url("decline"), &vol, json!({"reason": "今天在外地"}))
        .await
        .expect(200);
    assert_eq!(back["status"], "placed");
    assert_eq!(back["assignee_id"], Value::Null);
    let team = t
        .post(
            "/api/v1/teams",
            &worker,
            json!({"name": "阳明助老队", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    t.post(&url("dispatch"), &worker, json!({"team_id": team["id"]}))
        .await
        .expect(200);
    t.post(&url("accept"), &worker, json!({})).await.expect(200);
    let done = t
        .post(&url("complete"), &worker, json!({"note": "已送菜上门"}))
        .await
        .expect(200);
    assert_eq!(done["status"], "completed");
    assert_eq!(done["allowed_actions"], json!(["evaluate", "close"]));

    // 联合评单: three parties, each once, 1 to 5; the third closes it.
    let ev = url("evaluations");
    let six = t
        .post(&ev, &me, json!({"by": "resident", "score": 6}))
        .await;
    assert_eq!(six.body["errors"][0]["field"], "score");
    assert_eq!(
        t.post(&ev, &me, json!({"by": "station", "score": 5}))
            .await
            .status,
        403,
        "a resident cannot evaluate for the station"
    );
    t.post(
        &ev,
        &me,
        json!({"by": "resident", "score": 5, "comment": "很及时"}),
    )
    .await
    .expect(200);
    let twice = t
        .post(&ev, &me, json!({"by": "resident", "score": 4}))
        .await;
    assert_eq!(twice.code(), "already_evaluated");
    let two = t
        .post(&ev, &worker, json!({"by": "station", "score": 4}))
        .await
        .expect(200);
    assert_eq!(two["status"], "completed");
    let closed = t
        .post(&ev, &worker, json!({"by": "team", "score": 5}))
        .await
        .expect(200);
    assert_eq!(closed["status"], "closed");
    assert!(closed["closed_at"].is_string());
    assert_eq!(closed["evaluations"].as_array().unwrap().len(), 3);
    let actions: Vec<&str> = closed["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "place", "dispatch", "decline", "dispatch", "accept", "complete", "evaluate",
            "evaluate", "evaluate"
        ]
    );
    assert_eq!(closed["timeline"][2]["note"], "今天在外地");
    let late = t.post(&url("accept"), &worker, json!({})).await;
    assert_eq!(late.code(), "invalid_transition");

    // The board: the station sees counts per status; the resident sees their own orders.
    order(&t, &me, &m, &home).await;
    let board = t.get("/api/v1/orders", &worker).await.expect(200);
    assert_eq!(board["items"].as_array().unwrap().len(), 2);
    let count = |b: &Value, s: &str| {
        b["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == s)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count(&board, "placed"), 1);
    assert_eq!(count(&board, "closed"), 1);
    let placed = t
        .get("/api/v1/orders?status=placed", &worker)
        .await
        .expect(200);
    assert_eq!(placed["items"].as_array().unwrap().len(), 1);
    let mine = t.get("/api/v1/orders", &me).await.expect(200);
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    let theirs = t.get("/api/v1/orders", &worker_b).await.expect(200);
    assert_eq!(theirs["items"], json!([]));
    let bad = t.get("/api/v1/orders?status=lost", &worker).await;
    assert_eq!(bad.body["errors"][0]["field"], "status");
    // The board's kept counts agree with the orders (`wushe check`).
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn two_racing_dispatches_have_one_winner() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let home = t.household(&m.building_a1, "101").await;
    let team = t
        .post(
            "/api/v1/teams",
            &worker,
            json!({"name": "阳明助老队", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    let other = t
        .post(
            "/api/v1/teams",
            &worker,
            json!({"name": "阳明巡逻队", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    for _ in 0..5 {
        let o = order(&t, &worker, &m, &home).await;
        let url = format!("/api/v1/orders/{}/dispatch", o["id"].as_str().unwrap());
        let (a, b) = tokio::join!(
            t.post(&url, &worker, json!({"team_id": team["id"]})),
            t.post(&url, &worker, json!({"team_id": other["id"]}))
        );
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409]);
        let loser = if a.status == 409 { &a } else { &b };
        assert_eq!(loser.code(), "invalid_transition");
        let read = t
            .get(
                &format!("/api/v1/orders/{}", o["id"].as_str().unwrap()),
                &worker,
            )
            .await
            .expect(200);
        let dispatches = read["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["action"] == "dispatch")
            .count();
        assert_eq!(dispatches, 1, "one winner, one timeline step");
    }
    let board = t.get("/api/v1/orders", &worker).await.expect(200);
    let dispatched = board["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["status"] == "dispatched")
        .unwrap()["count"]
        .clone();
    assert_eq!(dispatched, 5, "the losers moved no count");
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn overdue_steps_are_flagged_once_even_by_two_runners() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let me = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let home = t.household(&m.building_a1, "101").await;
    // The community gives 养老 orders two hours to be dispatched.
    let set = t
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/communities/{}/order-deadlines", m.community_a),
            Some(&worker),
            Some(json!({"category": "养老", "dispatch_hours": 2, "accept_hours": 4, "complete_hours": 48, "evaluate_days": 3})),
        )
        .await
        .expect(200);
    assert_eq!(set["dispatch_hours"], 2);
    let bad = t
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/communities/{}/order-deadlines", m.community_a),
            Some(&worker),
            Some(json!({"category": "养老", "dispatch_hours": 0, "accept_hours": 4, "complete_hours": 48, "evaluate_days": 3})),
        )
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "dispatch_hours");
    let o = order(&t, &me, &m, &home).await;
    let id = o["id"].as_str().unwrap().to_owned();
    let due = chrono::DateTime::parse_from_rfc3339(o["due_at"].as_str().unwrap()).unwrap();
    let placed = chrono::DateTime::parse_from_rfc3339(o["status_since"].as_str().unwrap()).unwrap();
    assert_eq!(due - placed, Duration::hours(2));

    // Nothing is due yet.
    let now = Utc::now();
    let s = wushe_app::service::alerts::sweep(&t.app, now)
        .await
        .unwrap();
    assert_eq!(s.flagged, 0);
    // Three hours on, two runners at once flag it once.
    let later = now + Duration::hours(3);
    let (a, b) = tokio::join!(
        wushe_app::service::alerts::sweep(&t.app, later),
        wushe_app::service::alerts::sweep(&t.app, later)
    );
    assert_eq!(a.unwrap().flagged + b.unwrap().flagged, 1);
    assert_eq!(
        wushe_app::service::alerts::sweep(&t.app, later)
            .await
            .unwrap()
            .flagged,
        0
    );
    let alerts = t.get("/api/v1/alerts", &worker).await.expect(200);
    assert_eq!(alerts.as_array().unwrap().len(), 1);
    assert_eq!(alerts[0]["object_id"], id.as_str());
    assert_eq!(alerts[0]["label"], "工单待派单超时");
    assert_eq!(t.get("/api/v1/alerts", &me).await.status, 403);
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    assert_eq!(
        t.get("/api/v1/alerts", &worker_b).await.expect(200),
        json!([]),
        "each community sees its own"
    );
    // Dispatching clears it.
    let team = t
        .post(
            "/api/v1/teams",
            &worker,
            json!({"name": "阳明助老队", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    t.post(
        &format!("/api/v1/orders/{id}/dispatch"),
        &worker,
        json!({"team_id": team["id"]}),
    )
    .await
    .expect(200);
    assert_eq!(
        t.get("/api/v1/alerts", &worker).await.expect(200),
        json!([])
    );

    // A completed order nobody evaluates closes when its evaluation period runs out, once.
    t.post(&format!("/api/v1/orders/{id}/accept"), &worker, json!({}))
        .await
        .expect(200);
    t.post(&format!("/api/v1/orders/{id}/complete"), &worker, json!({}))
        .await
        .expect(200);
    let after = Utc::now() + Duration::days(4);
    let (a, b) = tokio::join!(
        wushe_app::service::alerts::sweep(&t.app, after),
        wushe_app::service::alerts::sweep(&t.app, after)
    );
    assert_eq!(a.unwrap().closed + b.unwrap().closed, 1);
    let read = t
        .get(&format!("/api/v1/orders/{id}"), &worker)
        .await
        .expect(200);
    assert_eq!(read["status"], "closed");
    let last = read["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["note"], "评价期满，自动办结");
}

#[tokio::test]
async fn an_order_placed_from_a_phone_carries_its_photo() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let me = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let home = t.household(&m.building_a1, "101").await;
    let jpeg = crate::common::picture(image::ImageFormat::Jpeg);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(jpeg).file_name("tap.jpg"),
    );
    let r = t
        .http
        .post(t.url("/api/v1/photos"))
        .bearer_auth(&me)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let photo: Value = r.json().await.unwrap();
    let pid = photo["id"].as_str().unwrap().to_owned();
    let foreign = t
        .post(
            "/api/v1/orders",
            &worker,
            json!({"community_id": m.community_a, "household_id": home, "category": "其他",
            "content": "水龙头漏水", "photos": [pid]}),
        )
        .await;
    assert_eq!(
        foreign.body["errors"][0]["field"], "photos",
        "only the uploader attaches their photo"
    );
    let o = t
        .post(
            "/api/v1/orders",
            &me,
            json!({"community_id": m.community_a, "household_id": home, "category": "其他",
            "content": "水龙头漏水", "photos": [pid]}),
        )
        .await
        .expect(201);
    assert_eq!(o["photos"], json!([pid]));
    let url = format!("/api/v1/photos/{pid}");
    let r = t
        .http
        .get(t.url(&url))
        .bearer_auth(&worker)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the station sees the order's photo");
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(t.get(&url, &worker_b).await.status, 404);
}

/// Issue 13: the app reads one clock, so a test moves time forward instead of sleeping or backdating rows:
/// a step falls due, the board's overdue filter finds it, the running job flags it, and an unused API token
/// and a page session run out.
#[tokio::test]
async fn moving_the_app_clock_makes_steps_overdue_and_sessions_end() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let me = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let home = t.household(&m.building_a1, "101").await;
    let o = order(&t, &me, &m, &home).await;
    let id = o["id"].as_str().unwrap().to_owned();
    assert_eq!(o["overdue"], false);
    assert!(overdue_board(&t, &worker).await.is_empty());

    // A day to dispatch by default: a day and an hour later the order is overdue.
    t.app.clock.advance(Duration::hours(25));
    let later = t
        .get(&format!("/api/v1/orders/{id}"), &worker)
        .await
        .expect(200);
    assert_eq!(later["overdue"], true);
    assert_eq!(overdue_board(&t, &worker).await, vec![id.clone()]);
    let s = wushe_app::service::alerts::sweep(&t.app, t.app.now())
        .await
        .unwrap();
    assert_eq!(s.flagged, 1);

    // Thirty-one days on, the worker's token has gone unused past its month; a fresh login works.
    t.app.clock.advance(Duration::days(31));
    t.app.caches.sessions.clear();
    assert_eq!(t.get("/api/v1/me", &worker).await.status, 401);
    let fresh = t.login("worker_a", "user-password-2026").await;
    t.get("/api/v1/me", &fresh).await.expect(200);
}

/// The ids on the dispatch board's overdue filter.
async fn overdue_board(t: &TestApp, token: &str) -> Vec<String> {
    t.get("/api/v1/orders?overdue=true", token)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Issue 13: with each order the use case says what this caller may do now (`my_actions`, and as whom
/// they may evaluate), so pages show exactly those and recompute no permission.
#[tokio::test]
async fn each_order_says_what_its_caller_may_do() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let me = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let home = t.household(&m.building_a1, "101").await;
    let o = order(&t, &me, &m, &home).await;
    let id = o["id"].as_str().unwrap().to_owned();
    let mine = |v: &Value| (v["my_actions"].clone(), v["may_evaluate_as"].clone());
    assert_eq!(mine(&o), (json!([]), json!([])), "the resident waits");
    let read = |token: String| {
        let t = &t;
        let id = id.clone();
        async move {
            t.get(&format!("/api/v1/orders/{id}"), &token)
                .await
                .expect(200)
        }
    };
    assert_eq!(mine(&read(worker.clone()).await).0, json!(["dispatch"]));
    let board = t.get("/api/v1/orders", &worker).await.expect(200);
    assert_eq!(board["items"][0]["my_actions"], json!(["dispatch"]));
    assert_eq!(board["dispatcher"], true);
    assert_eq!(
        t.get("/api/v1/orders", &me).await.expect(200)["dispatcher"],
        false
    );

    let (v, vol) = volunteer_with_login(&t, &worker, &m).await;
    let url = |a: &str| format!("/api/v1/orders/{id}/{a}");
    t.post(&url("dispatch"), &worker, json!({"volunteer_id": v["id"]}))
        .await
        .expect(200);
    assert_eq!(
        mine(&read(vol.clone()).await).0,
        json!(["accept", "decline"])
    );
    assert_eq!(mine(&read(me.clone()).await).0, json!([]));
    t.post(&url("accept"), &vol, json!({})).await.expect(200);
    let done = t.post(&url("complete"), &vol, json!({})).await.expect(200);
    assert_eq!(mine(&done), (json!(["evaluate"]), json!(["team"])));
    assert_eq!(
        mine(&read(me.clone()).await),
        (json!(["evaluate"]), json!(["resident"]))
    );
    // The community's worker runs its teams too, so may also speak for the team.
    assert_eq!(
        mine(&read(worker.clone()).await),
        (json!(["evaluate"]), json!(["resident", "station", "team"]))
    );
    let after = t
        .post(
            &url("evaluations"),
            &me,
            json!({"by": "resident", "score": 5}),
        )
        .await
        .expect(200);
    assert_eq!(mine(&after), (json!([]), json!([])), "evaluated once");
    assert_eq!(
        mine(&read(worker.clone()).await),
        (json!(["evaluate"]), json!(["station", "team"]))
    );
}
