//! Issue 4, points 3 and 4: the activity process end to end, hours from check-out and from a paper
//! sheet, and corrections only by reversing records.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::common::{map, spawn, Map, TestApp};
use crate::volunteers::volunteer;

fn ts(t: chrono::DateTime<Utc>) -> String {
    // Sent with a +08:00 offset, as a client in China would.
    t.with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn activity(
    t: &TestApp,
    token: &str,
    m: &Map,
    title: &str,
    start: chrono::DateTime<Utc>,
    hours: i64,
    capacity: i64,
) -> Value {
    t.post(
        "/api/v1/activities",
        token,
        json!({"title": title, "community_id": m.community_a, "starts_at": ts(start), "ends_at": ts(start + Duration::hours(hours)),
               "place_text": "社区活动室", "capacity": capacity, "content": "为独居老人理发", "skills": ["理发"],
               "tasks": [{"title": "准备工具"}]}),
    )
    .await
    .expect(201)
}

#[tokio::test]
async fn an_activity_runs_from_plan_to_summary() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v1 = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let v2 = volunteer(&t, &worker, &m.community_a, "王五", "13800000003").await;
    let v3 = volunteer(&t, &worker, &m.community_a, "赵六", "13800000004").await;
    let start = Utc::now() - Duration::hours(3);

    // Bad plans are refused field by field.
    let bad = t
        .post(
            "/api/v1/activities",
            &worker,
            json!({"title": "x", "community_id": m.community_a, "starts_at": ts(start),
            "ends_at": ts(start - Duration::hours(1)), "place_text": "活动室", "capacity": 0}),
        )
        .await;
    assert_eq!(bad.status, 400);
    let f: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(f, ["ends_at", "capacity"]);
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let elsewhere = t
        .post(
            "/api/v1/activities",
            &worker_b,
            json!({"title": "x", "community_id": m.community_a, "starts_at": ts(start),
            "ends_at": ts(start + Duration::hours(1)), "place_text": "活动室", "capacity": 1}),
        )
        .await;
    assert_eq!(
        elsewhere.status, 400,
        "another community's activity is not theirs to plan"
    );

    let a = activity(&t, &worker, &m, "义务理发", start, 4, 2).await;
    assert_eq!(a["status"], "draft");
    assert_eq!(a["timeline"][0]["to"], "draft");
    let id = a["id"].as_str().unwrap();
    let code = a["checkin_code"].as_str().unwrap().to_owned();

    // Nobody signs up to a draft.
    let early = t
        .post(
            &format!("/api/v1/activities/{id}/signups"),
            &worker,
            json!({"volunteer_id": v1["id"]}),
        )
        .await;
    assert_eq!(early.code(), "invalid_transition");
    let p = t
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/activities/{id}/publish"),
            Some(&worker),
            None,
        )
        .await
        .expect(200);
    assert_eq!(p["status"], "published");
    assert_eq!(
        t.post(
            &format!("/api/v1/activities/{id}/publish"),
            &worker,
            json!({})
        )
        .await
        .status,
        409
    );

    t.post(
        &format!("/api/v1/activities/{id}/signups"),
        &worker,
        json!({"volunteer_id": v1["id"]}),
    )
    .await
    .expect(200);
    let two = t
        .post(
            &format!("/api/v1/activities/{id}/signups"),
            &worker,
            json!({"volunteer_id": v2["id"]}),
        )
        .await
        .expect(200);
    assert_eq!(two["signed_up"], 2);
    let full = t
        .post(
            &format!("/api/v1/activities/{id}/signups"),
            &worker,
            json!({"volunteer_id": v3["id"]}),
        )
        .await;
    assert_eq!(full.status, 422);
    assert_eq!(full.code(), "activity_full");
    let again = t
        .post(
            &format!("/api/v1/activities/{id}/signups"),
            &worker,
            json!({"volunteer_id": v1["id"]}),
        )
        .await;
    assert_eq!(again.status, 409);

    // A second activity at an overlapping time clashes for v1.
    let b = activity(
        &t,
        &worker,
        &m,
        "环境清扫",
        start + Duration::hours(1),
        4,
        10,
    )
    .await;
    let bid = b["id"].as_str().unwrap();
    t.post(
        &format!("/api/v1/activities/{bid}/publish"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    let clash = t
        .post(
            &format!("/api/v1/activities/{bid}/signups"),
            &worker,
            json!({"volunteer_id": v1["id"]}),
        )
        .await;
    assert_eq!(clash.code(), "time_clash");
    assert!(clash.body["detail"].as_str().unwrap().contains("义务理发"));

    // The organiser types in the paper sign-in times: v1 on time for two hours, v2 late.
    let inn = t
        .post(
            &format!("/api/v1/activities/{id}/checkins"),
            &worker,
            json!({"volunteer_id": v1["id"], "at": ts(start)}),
        )
        .await
        .expect(200);
    let s1 = &inn["signups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["volunteer_id"] == v1["id"])
        .unwrap()
        .clone();
    assert_eq!(s1["late"], false);
    let out_before_in = t
        .post(
            &format!("/api/v1/activities/{id}/checkouts"),
            &worker,
            json!({"volunteer_id": v2["id"]}),
        )
        .await;
    assert_eq!(out_before_in.code(), "invalid_transition");
    let late = t
        .post(
            &format!("/api/v1/activities/{id}/checkins"),
            &worker,
            json!({"volunteer_id": v2["id"], "at": ts(start + Duration::minutes(30))}),
        )
        .await
        .expect(200);
    assert_eq!(
        late["signups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["volunteer_id"] == v2["id"])
            .unwrap()["late"],
        true
    );
    let backwards = t
        .post(
            &format!("/api/v1/activities/{id}/checkouts"),
            &worker,
            json!({"volunteer_id": v2["id"], "at": ts(start + Duration::minutes(10))}),
        )
        .await;
    assert_eq!(backwards.code(), "invalid_transition");
    let out = t
        .post(
            &format!("/api/v1/activities/{id}/checkouts"),
            &worker,
            json!({"volunteer_id": v1["id"], "at": ts(start + Duration::hours(2))}),
        )
        .await
        .expect(200);
    let s1 = out["signups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["volunteer_id"] == v1["id"])
        .unwrap()
        .clone();
    assert_eq!(s1["minutes"], 120);
    let rec = t
        .get(
            &format!(
                "/api/v1/service-records/{}",
                s1["record_id"].as_str().unwrap()
            ),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(rec["minutes"], 120);
    assert_eq!(rec["activity_id"], id);
    assert_eq!(rec["points"], 4, "Yangming default: 2 points an hour");
    let pts = t
        .get(
            &format!("/api/v1/volunteers/{}/points", v1["id"].as_str().unwrap()),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(pts["balance"], 4);
    assert_eq!(pts["entries"][0]["kind"], "service");

    // A volunteer checks themselves in with the code on the organiser's phone.
    let me = t.user("v3_login", "volunteer", Some(&m.grid_a1)).await;
    let mine = t
        .post(
            "/api/v1/volunteers/apply",
            &me,
            json!({"name": "孙七", "phone": "13800000005", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    t.post(
        &format!(
            "/api/v1/volunteers/{}/approve",
            mine["id"].as_str().unwrap()
        ),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    let c = activity(
        &t,
        &worker,
        &m,
        "读书会",
        Utc::now() - Duration::minutes(30),
        2,
        5,
    )
    .await;
    let cid = c["id"].as_str().unwrap();
    t.post(
        &format!("/api/v1/activities/{cid}/publish"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    let seen = t
        .get(&format!("/api/v1/activities/{cid}"), &me)
        .await
        .expect(200);
    assert!(
        seen["checkin_code"].is_null(),
        "the code is only on the organiser's phone"
    );
    assert!(seen["signups"].is_null());
    let listed = t.get("/api/v1/activities", &me).await.expect(200);
    assert!(listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["status"] == "published"));
    t.post(&format!("/api/v1/activities/{cid}/signups"), &me, json!({}))
        .await
        .expect(200);
    let wrong = t
        .post(
            &format!("/api/v1/activities/{cid}/checkins"),
            &me,
            json!({"code": "000000x"}),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["errors"][0]["field"], "code");
    let own_code = t
        .get(&format!("/api/v1/activities/{cid}"), &worker)
        .await
        .expect(200)["checkin_code"]
        .as_str()
        .unwrap()
        .to_owned();
    t.post(
        &format!("/api/v1/activities/{cid}/checkins"),
        &me,
        json!({"code": own_code}),
    )
    .await
    .expect(200);
    let not_yours = t
        .post(
            &format!("/api/v1/activities/{cid}/checkins"),
            &me,
            json!({"volunteer_id": v1["id"], "code": own_code}),
        )
        .await;
    assert_eq!(not_yours.status, 403);
    let backdate = t
        .post(
            &format!("/api/v1/activities/{cid}/checkouts"),
            &me,
            json!({"code": own_code, "at": ts(Utc::now())}),
        )
        .await;
    assert_eq!(backdate.body["errors"][0]["field"], "at");
    let _ = code;

    // Completing needs a summary; whoever never came is a no-show; nothing moves after.
    let no_summary = t
        .post(
            &format!("/api/v1/activities/{id}/complete"),
            &worker,
            json!({}),
        )
        .await;
    assert_eq!(no_summary.body["errors"][0]["field"], "summary");
    let done = t
        .post(&format!("/api/v1/activities/{id}/complete"), &worker, json!({"summary": "为12位老人理发", "feedback": "老人很满意", "photos": ["photo-1.jpg"]}))
        .await
        .expect(200);
    assert_eq!(done["status"], "completed");
    let steps: Vec<&str> = done["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["to"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["draft", "published", "completed"]);
    let v2row = done["signups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["volunteer_id"] == v2["id"])
        .unwrap()
        .clone();
    assert_eq!(v2row["no_show"], false, "checked in, so not a no-show");
    assert_eq!(
        t.post(
            &format!("/api/v1/activities/{id}/complete"),
            &worker,
            json!({"summary": "x"})
        )
        .await
        .status,
        409
    );
    assert_eq!(
        t.post(
            &format!("/api/v1/activities/{id}/signups"),
            &worker,
            json!({"volunteer_id": v3["id"]})
        )
        .await
        .status,
        409
    );
    assert_eq!(
        t.post(
            &format!("/api/v1/activities/{id}/cancel"),
            &worker,
            json!({"reason": "x"})
        )
        .await
        .status,
        409
    );
    let nocancel = t
        .post(
            &format!("/api/v1/activities/{bid}/cancel"),
            &worker,
            json!({}),
        )
        .await;
    assert_eq!(nocancel.body["errors"][0]["field"], "reason");
    let cancelled = t
        .post(
            &format!("/api/v1/activities/{bid}/cancel"),
            &worker,
            json!({"reason": "暴雨"}),
        )
        .await
        .expect(200);
    assert_eq!(cancelled["timeline"][2]["note"], "暴雨");
    assert_eq!(
        t.get(&format!("/api/v1/activities/{id}"), &worker_b)
            .await
            .status,
        404
    );
    let calendar = t
        .get(
            &format!(
                "/api/v1/activities?community_id={}&from={}",
                m.community_a,
                (Utc::now() - Duration::days(1)).format("%Y-%m-%d")
            ),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(calendar["items"].as_array().unwrap().len(), 3);
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn hours_for_many_and_corrections_by_reversal() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let mut vols = Vec::new();
    for i in 0..5 {
        vols.push(
            volunteer(
                &t,
                &worker,
                &m.community_a,
                &format!("志愿者{i}"),
                &format!("1380000010{i}"),
            )
            .await,
        );
    }
    let a = activity(
        &t,
        &worker,
        &m,
        "清理楼道",
        Utc::now() - Duration::hours(5),
        3,
        50,
    )
    .await;
    let id = a["id"].as_str().unwrap();
    let lines: Vec<Value> = vols
        .iter()
        .map(|v| json!({"volunteer_id": v["id"], "minutes": 90}))
        .collect();
    let draft = t
        .post(
            &format!("/api/v1/activities/{id}/hours"),
            &worker,
            json!({"lines": lines}),
        )
        .await;
    assert_eq!(draft.code(), "invalid_transition");
    t.post(
        &format!("/api/v1/activities/{id}/publish"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    // One bad line refuses the whole sheet.
    let mut bad = lines.clone();
    bad.push(json!({"volunteer_id": vols[0]["id"], "minutes": 30}));
    let r = t
        .post(
            &format!("/api/v1/activities/{id}/hours"),
            &worker,
            json!({"lines": bad}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "lines[5]");
    let too_long = t
        .post(
            &format!("/api/v1/activities/{id}/hours"),
            &worker,
            json!({"lines": [{"volunteer_id": vols[0]["id"], "minutes": 181}]}),
        )
        .await;
    assert_eq!(too_long.status, 400);
    let recs = t
        .post(
            &format!("/api/v1/activities/{id}/hours"),
            &worker,
            json!({"lines": lines}),
        )
        .await
        .expect(200);
    assert_eq!(recs.as_array().unwrap().len(), 5);
    assert!(recs.as_array().unwrap().iter().all(|r| r["points"] == 3));
    let twice = t
        .post(
            &format!("/api/v1/activities/{id}/hours"),
            &worker,
            json!({"lines": [lines[0].clone()]}),
        )
        .await;
    assert_eq!(twice.code(), "already_recorded");
    let after = t
        .get(&format!("/api/v1/activities/{id}"), &worker)
        .await
        .expect(200);
    assert_eq!(
        after["signed_up"], 5,
        "the paper sheet's volunteers are on the list"
    );

    // A wrong record is corrected only by a reversing one.
    let rid = recs[0]["id"].as_str().unwrap();
    let vid = vols[0]["id"].as_str().unwrap();
    let no_reason = t
        .post(
            &format!("/api/v1/service-records/{rid}/reverse"),
            &worker,
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let rev = t
        .post(
            &format!("/api/v1/service-records/{rid}/reverse"),
            &worker,
            json!({"reason": "录错了人"}),
        )
        .await
        .expect(201);
    assert_eq!(rev["minutes"], -90);
    assert_eq!(rev["points"], -3);
    assert_eq!(rev["reverses_id"], rid);
    assert_eq!(rev["reason"], "录错了人");
    assert_eq!(
        t.post(
            &format!("/api/v1/service-records/{rid}/reverse"),
            &worker,
            json!({"reason": "x"})
        )
        .await
        .code(),
        "invalid_transition"
    );
    let rev_id = rev["id"].as_str().unwrap();
    assert_eq!(
        t.post(
            &format!("/api/v1/service-records/{rev_id}/reverse"),
            &worker,
            json!({"reason": "x"})
        )
        .await
        .code(),
        "invalid_transition"
    );
    let pts = t
        .get(&format!("/api/v1/volunteers/{vid}/points"), &worker)
        .await
        .expect(200);
    assert_eq!(pts["balance"], 0);
    let kinds: Vec<&str> = pts["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"service") && kinds.contains(&"reversal"),
        "{kinds:?}"
    );
    let v = t
        .get(&format!("/api/v1/volunteers/{vid}"), &worker)
        .await
        .expect(200);
    assert_eq!(v["total_minutes"], 0);
    let list = t
        .get(
            &format!("/api/v1/volunteers/{vid}/service-records"),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "the wrong record and its reversal both stay"
    );

    // The monthly chart of the street and of the community add up the same: 5 × 90 − 90 minutes.
    let month = wushe_domain::kernel::time::local_date(Utc::now() - Duration::hours(5))
        .format("%Y-%m")
        .to_string();
    let street = t
        .get(
            &format!("/api/v1/service-hours/monthly?place_id={}", m.street),
            &t.admin,
        )
        .await
        .expect(200);
    let row = street
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["month"] == month.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["minutes"], 360);
    assert_eq!(row["hours"], 6.0);
    assert_eq!(row["records"], 6);
    let mine = t
        .get("/api/v1/service-hours/monthly", &worker)
        .await
        .expect(200);
    assert_eq!(
        mine, street,
        "a community worker's whole area is their community"
    );
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let theirs = t
        .get(
            &format!("/api/v1/service-hours/monthly?place_id={}", m.street),
            &worker_b,
        )
        .await
        .expect(200);
    assert_eq!(
        theirs,
        json!([]),
        "the street's chart shows another community only what is theirs"
    );
    let bad = t
        .get("/api/v1/service-hours/monthly?from=2026-13", &worker)
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "from");
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_hours_sheet_counts_the_whole_day_and_keeps_online_signups() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let online = volunteer(&t, &worker, &m.community_a, "钱七", "13800000201").await;
    let busy = volunteer(&t, &worker, &m.community_a, "孙八", "13800000202").await;
    let start = Utc::now() - Duration::hours(2);
    let a = activity(&t, &worker, &m, "敬老院探访", start, 3, 10).await;
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
        json!({"volunteer_id": online["id"]}),
    )
    .await
    .expect(200);
    // 23 hours already on record that day: 90 more minutes from the sheet would pass 24 hours.
    let day = wushe_domain::kernel::time::local_date(start);
    t.post(
        "/api/v1/service-records",
        &worker,
        json!({"volunteer_id": busy["id"], "minutes": 1380, "served_on": day, "content": "防汛值守"}),
    )
    .await
    .expect(201);
    let over = t
        .post(
            &format!("/api/v1/activities/{id}/hours"),
            &worker,
            json!({"lines": [{"volunteer_id": online["id"], "minutes": 60},
                             {"volunteer_id": busy["id"], "minutes": 90}]}),
        )
        .await;
    assert_eq!(over.status, 400);
    assert_eq!(over.body["errors"][0]["field"], "lines[1].minutes");
    let recs = t
        .post(
            &format!("/api/v1/activities/{id}/hours"),
            &worker,
            json!({"lines": [{"volunteer_id": online["id"], "minutes": 60},
                             {"volunteer_id": busy["id"], "minutes": 60}]}),
        )
        .await
        .expect(200);
    assert_eq!(recs[0]["volunteer_id"], online["id"]);
    assert_eq!(recs[1]["minutes"], 60);
    let after = t
        .get(&format!("/api/v1/activities/{id}"), &worker)
        .await
        .expect(200);
    assert_eq!(after["signed_up"], 2);
    let mine = after["signups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["volunteer_id"] == online["id"])
        .unwrap()
        .clone();
    assert_eq!(
        mine["minutes"], 60,
        "the online sign-up carries the typed hours"
    );
    assert_eq!(mine["record_id"], recs[0]["id"]);
    let v = t
        .get(
            &format!("/api/v1/volunteers/{}", busy["id"].as_str().unwrap()),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(v["total_minutes"], 1440);
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn service_records_refuse_absurd_minutes_and_dates() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let today = wushe_domain::kernel::time::local_date(Utc::now());
    let rec = |minutes: i64, day: chrono::NaiveDate| json!({"volunteer_id": v["id"], "minutes": minutes, "served_on": day, "content": "陪同就医", "organiser": "探访组"});
    for bad in [0, -30, 1441] {
        let r = t
            .post("/api/v1/service-records", &worker, rec(bad, today))
            .await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.body["errors"][0]["field"], "minutes");
    }
    let future = t
        .post(
            "/api/v1/service-records",
            &worker,
            rec(60, today + Duration::days(1)),
        )
        .await;
    assert_eq!(future.body["errors"][0]["field"], "served_on");
    let missing = t
        .post(
            "/api/v1/service-records",
            &worker,
            json!({"volunteer_id": v["id"], "content": "x"}),
        )
        .await;
    let f: Vec<&str> = missing.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(f, ["minutes", "served_on"]);
    let ok = t
        .post("/api/v1/service-records", &worker, rec(1000, today))
        .await
        .expect(201);
    assert_eq!(
        ok["points"], 33,
        "1000 minutes at 2 points an hour, rounded down"
    );
    let over = t
        .post("/api/v1/service-records", &worker, rec(441, today))
        .await;
    assert!(over.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("超过24小时"));
    t.post("/api/v1/service-records", &worker, rec(440, today))
        .await
        .expect(201);
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let other = t
        .post("/api/v1/service-records", &worker_b, rec(10, today))
        .await;
    assert_eq!(other.body["errors"][0]["field"], "volunteer_id");
}
