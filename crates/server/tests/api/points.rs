//! Issue 4, points 5 to 7: the points policy over time, balances and years, redemptions that never
//! overdraw (also under 50 concurrent requests), and the supermarket's stock ledger.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::common::{map, spawn, TestApp};
use crate::volunteers::volunteer;

async fn serve(t: &TestApp, token: &str, v: &Value, minutes: i64, day: NaiveDate) -> Value {
    t.post(
        "/api/v1/service-records",
        token,
        json!({"volunteer_id": v["id"], "minutes": minutes, "served_on": day, "content": "敬老探访"}),
    )
    .await
    .expect(201)
}

#[tokio::test]
async fn points_keep_the_policy_that_earned_them() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let vid = v["id"].as_str().unwrap();
    let today = wushe_domain::kernel::time::local_date(Utc::now());
    let year = today.year();
    let old_day = today - Duration::days(20);
    let change = today - Duration::days(10);

    // Before any policy the Yangming rule applies.
    let current = t
        .get(
            &format!("/api/v1/communities/{}/points-policy", m.community_a),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(current["current"]["points_per_hour"], 2);
    assert_eq!(current["current"]["star_threshold"], 30);
    let first = serve(&t, &worker, &v, 120, old_day).await;
    assert_eq!(first["points"], 4);

    // The community raises the rate from a day on; what was earned keeps its points.
    let bad = t
        .call(
            reqwest::Method::PUT,
            &format!("/api/v1/communities/{}/points-policy", m.community_a),
            Some(&worker),
            Some(json!({"points_per_hour": -1, "points_per_item": 2, "star_threshold": 30})),
        )
        .await;
    assert_eq!(bad.status, 400);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["valid_from"],
        "every missing field is named before the numbers are checked"
    );
    let policy = t
        .call(reqwest::Method::PUT, &format!("/api/v1/communities/{}/points-policy", m.community_a), Some(&worker),
            Some(json!({"points_per_hour": 3, "points_per_item": 1, "star_threshold": 10, "valid_from": change, "rounding": "nearest"})))
        .await
        .expect(200);
    assert_eq!(policy["valid_from"], change.to_string());
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let r = t
        .call(reqwest::Method::PUT, &format!("/api/v1/communities/{}/points-policy", m.community_a), Some(&steward),
            Some(json!({"points_per_hour": 9, "points_per_item": 9, "star_threshold": 9, "valid_from": change})))
        .await;
    assert_eq!(r.status, 403);

    let before = serve(&t, &worker, &v, 120, change - Duration::days(1)).await;
    assert_eq!(
        before["points"], 4,
        "a day before the change earns by the old rule"
    );
    let after = serve(&t, &worker, &v, 90, change).await;
    assert_eq!(after["points"], 5, "4.5 rounds to 5 under the new rule");
    let again = t
        .get(
            &format!("/api/v1/service-records/{}", first["id"].as_str().unwrap()),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(again["points"], 4, "never recomputed");

    // Reversing takes back what the record earned, not what today's rule would give.
    let rev = t
        .post(
            &format!(
                "/api/v1/service-records/{}/reverse",
                first["id"].as_str().unwrap()
            ),
            &worker,
            json!({"reason": "重复录入"}),
        )
        .await
        .expect(201);
    assert_eq!(rev["points"], -4);

    let pts = t
        .get(
            &format!("/api/v1/volunteers/{vid}/points?year={year}"),
            &worker,
        )
        .await
        .expect(200);
    let in_year = [old_day, change - Duration::days(1), change]
        .iter()
        .filter(|d| d.year() == year)
        .count();
    if in_year == 3 {
        assert_eq!(pts["earned_in_year"], 9);
    }
    assert_eq!(pts["balance"], 9);
    assert_eq!(pts["star_threshold"], 10);
    assert_eq!(
        pts["star_eligible"],
        pts["earned_in_year"].as_i64().unwrap() >= 10
    );
    let bad_year = t
        .get(
            &format!("/api/v1/volunteers/{vid}/points?year=abc"),
            &worker,
        )
        .await;
    assert_eq!(bad_year.status, 400);
}

#[tokio::test]
async fn a_point_belongs_to_the_year_it_was_earned_in() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let vid = v["id"].as_str().unwrap();
    let year = wushe_domain::kernel::time::local_date(Utc::now()).year();
    let dec31 = NaiveDate::from_ymd_opt(year - 1, 12, 31).unwrap();
    let jan1 = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    for _ in 0..2 {
        serve(&t, &worker, &v, 480, dec31).await; // 16 points each
    }
    serve(&t, &worker, &v, 60, jan1).await;
    let last = t
        .get(
            &format!("/api/v1/volunteers/{vid}/points?year={}", year - 1),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(last["earned_in_year"], 32);
    assert_eq!(last["star_eligible"], true, "30 points in a year");
    assert_eq!(last["entries"].as_array().unwrap().len(), 2);
    let this = t
        .get(
            &format!("/api/v1/volunteers/{vid}/points?year={year}"),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(this["earned_in_year"], 2);
    assert_eq!(this["star_eligible"], false);
    assert_eq!(this["balance"], 34, "the balance is all-time");
}

#[tokio::test]
async fn redemptions_never_take_more_than_there_is() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let vid = v["id"].as_str().unwrap();
    let today = wushe_domain::kernel::time::local_date(Utc::now());
    serve(&t, &worker, &v, 300, today).await; // 10 points

    let voucher = t
        .post("/api/v1/rewards", &worker, json!({"name": "早餐券", "community_id": m.community_a, "points_price": 4, "merchant": "阳明早餐店", "quantity": 1, "unit": "张"}))
        .await
        .expect(201);
    assert_eq!(voucher["kind"], "voucher");
    assert_eq!(voucher["stock"], 1);
    let no_merchant = t
        .post(
            "/api/v1/rewards",
            &worker,
            json!({"name": "理发券", "community_id": m.community_a, "points_price": 4}),
        )
        .await;
    assert_eq!(no_merchant.body["errors"][0]["field"], "merchant");

    let ok = t
        .post(
            "/api/v1/redemptions",
            &worker,
            json!({"volunteer_id": vid, "reward_id": voucher["id"], "quantity": 1}),
        )
        .await
        .expect(201);
    assert_eq!(ok["points"], 4);
    assert_eq!(ok["balance_after"], 6);
    let gone = t
        .post(
            "/api/v1/redemptions",
            &worker,
            json!({"volunteer_id": vid, "reward_id": voucher["id"], "quantity": 1}),
        )
        .await;
    assert_eq!(gone.status, 422);
    assert_eq!(gone.code(), "out_of_stock");
    let rice = t
        .post(
            "/api/v1/supermarket/items",
            &worker,
            json!({"name": "大米", "unit": "袋", "community_id": m.community_a, "points_price": 5}),
        )
        .await
        .expect(201);
    t.post(
        "/api/v1/supermarket/purchases",
        &worker,
        json!({"item_id": rice["id"], "quantity": 10, "supplier": "粮油店"}),
    )
    .await
    .expect(201);
    let poor = t
        .post(
            "/api/v1/redemptions",
            &worker,
            json!({"volunteer_id": vid, "item_id": rice["id"], "quantity": 2}),
        )
        .await;
    assert_eq!(poor.status, 422);
    assert_eq!(poor.code(), "insufficient_points");
    assert!(poor.body["detail"].as_str().unwrap().contains("积分不足"));
    let item = t
        .get(
            &format!("/api/v1/supermarket/items/{}", rice["id"].as_str().unwrap()),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(item["stock"], 10, "a refused redemption takes nothing");
    let pts = t
        .get(&format!("/api/v1/volunteers/{vid}/points"), &worker)
        .await
        .expect(200);
    assert_eq!(pts["balance"], 6);
    assert_eq!(pts["earned_in_year"], 10, "spending does not unearn");
    let zero = t
        .post(
            "/api/v1/redemptions",
            &worker,
            json!({"volunteer_id": vid, "item_id": rice["id"], "quantity": 0}),
        )
        .await;
    assert_eq!(zero.body["errors"][0]["field"], "quantity");
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn fifty_concurrent_redemptions_against_a_balance_for_ten() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let vid = v["id"].as_str().unwrap().to_owned();
    let today = wushe_domain::kernel::time::local_date(Utc::now());
    serve(&t, &worker, &v, 600, today).await; // 20 points: ten redemptions at 2
    let soap = t
        .post(
            "/api/v1/supermarket/items",
            &worker,
            json!({"name": "肥皂", "community_id": m.community_a, "points_price": 2}),
        )
        .await
        .expect(201);
    let sid = soap["id"].as_str().unwrap().to_owned();
    t.post(
        "/api/v1/supermarket/purchases",
        &worker,
        json!({"item_id": sid, "quantity": 100}),
    )
    .await
    .expect(201);

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (http, url, token, body) = (
                t.http.clone(),
                t.url("/api/v1/redemptions"),
                worker.clone(),
                json!({"volunteer_id": vid, "item_id": sid, "quantity": 1}),
            );
            tokio::spawn(async move {
                let r = http
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let b: Value = r.json().await.unwrap_or(Value::Null);
                (status, b["code"].as_str().unwrap_or("").to_owned())
            })
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        let (status, code) = task.await.unwrap();
        match status {
            201 => ok += 1,
            422 => assert_eq!(code, "insufficient_points"),
            other => panic!("unexpected {other} {code}"),
        }
    }
    assert_eq!(ok, 10);
    let pts = t
        .get(&format!("/api/v1/volunteers/{vid}/points"), &worker)
        .await
        .expect(200);
    assert_eq!(pts["balance"], 0);
    let item = t
        .get(&format!("/api/v1/supermarket/items/{sid}"), &worker)
        .await
        .expect(200);
    assert_eq!(item["stock"], 90);
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_supermarket_keeps_a_stock_ledger() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let oil = t.post("/api/v1/supermarket/items", &worker, json!({"name": "食用油", "unit": "桶", "community_id": m.community_a, "points_price": 20})).await.expect(201);
    let towel = t
        .post(
            "/api/v1/supermarket/items",
            &worker,
            json!({"name": "毛巾", "community_id": m.community_a, "points_price": 3}),
        )
        .await
        .expect(201);
    assert_eq!(oil["stock"], 0);

    // A volunteer donates three items: stock goes up, a receipt is numbered, 2 points an item.
    let d = t
        .post("/api/v1/item-donations", &worker, json!({"donor_volunteer_id": v["id"], "community_id": m.community_a,
            "items": [{"item_id": oil["id"], "quantity": 2}, {"item_id": towel["id"], "quantity": 1}]}))
        .await
        .expect(201);
    assert_eq!(d["points"], 6);
    assert_eq!(d["donor_name"], "李四");
    assert!(d["receipt_no"].as_str().unwrap().starts_with("JZ"));
    let pts = t
        .get(
            &format!("/api/v1/volunteers/{}/points", v["id"].as_str().unwrap()),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(pts["balance"], 6);
    assert_eq!(pts["entries"][0]["kind"], "donation");
    // A company's donation earns nobody points.
    let co = t
        .post("/api/v1/item-donations", &worker, json!({"donor_name": "爱心超市有限公司", "community_id": m.community_a, "items": [{"item_id": oil["id"], "quantity": 3}]}))
        .await
        .expect(201);
    assert_eq!(co["points"], 0);
    assert_ne!(co["receipt_no"], d["receipt_no"]);
    let bad = t.post("/api/v1/item-donations", &worker, json!({"donor_name": "x", "community_id": m.community_a, "items": [{"item_id": oil["id"], "quantity": 0}]})).await;
    assert_eq!(bad.body["errors"][0]["field"], "items[0]");
    let nobody = t.post("/api/v1/item-donations", &worker, json!({"community_id": m.community_a, "items": [{"item_id": oil["id"], "quantity": 1}]})).await;
    assert_eq!(nobody.body["errors"][0]["field"], "donor_name");

    // Relief to a household in hardship, with reason and approver; never more than in stock.
    let h = t.household(&m.building_a1, "301").await;
    let oid = oil["id"].as_str().unwrap();
    let too_many = t
        .post(
            "/api/v1/supermarket/issues",
            &worker,
            json!({"item_id": oid, "quantity": 6, "household_id": h, "reason": "低保户春节慰问"}),
        )
        .await;
    assert_eq!(too_many.status, 422);
    assert_eq!(too_many.code(), "out_of_stock");
    let no_reason = t
        .post(
            "/api/v1/supermarket/issues",
            &worker,
            json!({"item_id": oid, "quantity": 1, "household_id": h}),
        )
        .await;
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let hb = t.household(&m.building_b1, "101").await;
    let other = t
        .post(
            "/api/v1/supermarket/issues",
            &worker,
            json!({"item_id": oid, "quantity": 1, "household_id": hb, "reason": "x"}),
        )
        .await;
    assert_eq!(other.body["errors"][0]["field"], "household_id");
    let issue = t
        .post("/api/v1/supermarket/issues", &worker, json!({"item_id": oid, "quantity": 4, "household_id": h, "reason": "低保户春节慰问", "approver": "社区书记"}))
        .await
        .expect(201);
    assert_eq!(issue["quantity"], -4);
    assert_eq!(issue["stock_after"], 1);
    assert_eq!(issue["approver"], "社区书记");

    // A stocktake finds one missing: an adjustment with its reason.
    let need_reason = t
        .post(
            &format!("/api/v1/supermarket/items/{oid}/stocktake"),
            &worker,
            json!({"counted": 0}),
        )
        .await;
    assert_eq!(need_reason.body["errors"][0]["field"], "reason");
    let negative = t
        .post(
            &format!("/api/v1/supermarket/items/{oid}/stocktake"),
            &worker,
            json!({"counted": -1, "reason": "x"}),
        )
        .await;
    assert_eq!(negative.body["errors"][0]["field"], "counted");
    let taken = t
        .post(
            &format!("/api/v1/supermarket/items/{oid}/stocktake"),
            &worker,
            json!({"counted": 0, "reason": "破损一桶"}),
        )
        .await
        .expect(200);
    assert_eq!(taken["stock"], 0);
    let kinds: Vec<&str> = taken["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["movement"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["adjustment", "relief", "donation", "donation"]);
    let sum: i64 = taken["movements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 0, "stock is the sum of its movements");
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    assert_eq!(
        t.get(&format!("/api/v1/supermarket/items/{oid}"), &worker_b)
            .await
            .status,
        404
    );
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn the_bulk_load_keeps_every_ledger_consistent() {
    let t = spawn().await;
    let m = map(&t).await;
    let loaded = wushe_seed::volunteer_load::load(&t.app, 20, 200)
        .await
        .unwrap();
    assert_eq!((loaded.volunteers, loaded.records), (20, 200));
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
    let all = t
        .get("/api/v1/volunteers?limit=500", &t.admin)
        .await
        .expect(200);
    assert_eq!(all["items"].as_array().unwrap().len(), 20);
    let minutes: i64 = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["total_minutes"].as_i64().unwrap())
        .sum();
    let from = (wushe_domain::kernel::time::local_date(Utc::now()) - Duration::days(3 * 366))
        .format("%Y-%m")
        .to_string();
    let months = t
        .get(
            &format!(
                "/api/v1/service-hours/monthly?place_id={}&from={from}",
                m.district
            ),
            &t.admin,
        )
        .await
        .expect(200);
    let charted: i64 = months
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["minutes"].as_i64().unwrap())
        .sum();
    assert_eq!(
        charted, minutes,
        "the chart adds up to the volunteers' totals"
    );
    // Numbers handed out in bulk do not collide with the next registration.
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "新志愿者", "13800000009").await;
    assert_eq!(v["volunteer_no"], "V00000021");
}

#[tokio::test]
async fn unspent_points_past_their_validity_expire_once() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let vid = v["id"].as_str().unwrap();
    let today = wushe_domain::kernel::time::local_date(Utc::now());
    let policy_url = format!("/api/v1/communities/{}/points-policy", m.community_a);
    let start = NaiveDate::from_ymd_opt(today.year() - 2, 1, 1).unwrap();
    let bad = t
        .call(
            reqwest::Method::PUT,
            &policy_url,
            Some(&worker),
            Some(json!({"points_per_hour": 2, "points_per_item": 2, "star_threshold": 30, "valid_from": start, "valid_years": 0})),
        )
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "valid_years");
    // 当年清零: points can be spent until the end of the year they were earned in.
    let set = t
        .call(
            reqwest::Method::PUT,
            &policy_url,
            Some(&worker),
            Some(json!({"points_per_hour": 2, "points_per_item": 2, "star_threshold": 30, "valid_from": start, "valid_years": 1})),
        )
        .await
        .expect(200);
    assert_eq!(set["valid_years"], 1);
    let last_year = NaiveDate::from_ymd_opt(today.year() - 1, 1, 15).unwrap();
    serve(&t, &worker, &v, 180, last_year).await; // 6 points, valid until last year's end
    serve(&t, &worker, &v, 120, today).await; // 4 points
    let voucher = t
        .post("/api/v1/rewards", &worker, json!({"name": "理发券", "community_id": m.community_a, "points_price": 4, "merchant": "阳明理发店", "quantity": 5, "unit": "张"}))
        .await
        .expect(201);
    t.post(
        "/api/v1/redemptions",
        &worker,
        json!({"volunteer_id": vid, "reward_id": voucher["id"], "quantity": 1}),
    )
    .await
    .expect(201);
    // The 4 spent came out of last year's 6 points; the other 2 expire, this year's 4 stay. Two sweeps at
    // once (two instances) expire them once.
    let (a, b) = tokio::join!(
        wushe_app::volunteering::points::expire_due(&t.app, today),
        wushe_app::volunteering::points::expire_due(&t.app, today)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let pts = t
        .get(&format!("/api/v1/volunteers/{vid}/points"), &worker)
        .await
        .expect(200);
    assert_eq!(pts["balance"], 4);
    assert_eq!(pts["earned_in_year"], 4, "expiry does not unearn");
    let expired: Vec<&Value> = pts["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "expiry")
        .collect();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["points"], -2);
    // A second sweep (a restart, another instance) finds nothing left.
    assert_eq!(
        wushe_app::volunteering::points::expire_due(&t.app, today)
            .await
            .unwrap(),
        0
    );
    assert!(wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap()
        .is_empty());
}
