//! Issue 5, points 1 to 4: the demand, resource and project lists, and the matches between them with
//! their reasons.

use serde_json::{json, Value};

use crate::common::{id_number, map, spawn};

#[tokio::test]
async fn demands_meet_resources_through_ranked_matches_and_projects() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let h = t.household(&m.building_a1, "101").await;
    let far = t.household(&m.building_a2, "202").await;
    let rid = t.resident(&h, "刘奶奶", &id_number("19400301", 12)).await;
    let today = wushe_domain::kernel::time::local_date(chrono::Utc::now());

    // 需求清单: recorded from a visit; bad input named field by field.
    let bad = t
        .post("/api/v1/demands", &worker, json!({"community_id": m.community_a, "category": "养老", "content": "x", "urgency": "very"}))
        .await;
    assert_eq!(bad.body["errors"][0]["field"], "urgency");
    let d = t
        .post("/api/v1/demands", &steward, json!({"community_id": m.community_a, "category": "养老", "content": "独居老人午餐送餐",
            "urgency": "high", "resident_id": rid, "skills": ["烹饪"], "wanted_from": today, "wanted_to": today + chrono::Duration::days(14)}))
        .await
        .expect(201);
    assert_eq!(d["household_id"], h.as_str());
    assert_eq!(d["status"], "open");
    assert_eq!(
        d["quarter"],
        wushe_domain::lists::project::quarter_of(today)
    );
    let building = t
        .post(
            "/api/v1/demands",
            &steward,
            json!({"community_id": m.community_a, "category": "环境", "content": "楼道照明",
            "group_text": "1栋住户", "place_id": m.building_a1}),
        )
        .await
        .expect(201);
    assert_eq!(building["household_id"], Value::Null);
    let elsewhere_place = t
        .post("/api/v1/demands", &worker, json!({"community_id": m.community_a, "category": "环境", "content": "x", "place_id": m.building_b1}))
        .await;
    assert_eq!(elsewhere_place.body["errors"][0]["field"], "place_id");
    let not_theirs = t
        .post("/api/v1/demands", &steward, json!({"community_id": m.community_a, "category": "助残", "content": "x", "household_id": far}))
        .await;
    assert_eq!(
        not_theirs.status, 403,
        "a steward records demands in their grid"
    );
    let did = d["id"].as_str().unwrap().to_owned();

    // 资源清单: a kitchen in the community, a street-wide lawyer, a kitchen in the next community, and a
    // volunteer who cooks (their category is named 扶老助老 on the volunteer register).
    let res = |token: &str, body: Value| {
        let t = &t;
        let token = token.to_owned();
        async move { t.post("/api/v1/resources", &token, body).await.expect(201) }
    };
    let kitchen = res(&worker, json!({"community_id": m.community_a, "kind": "venue", "name": "阳光助餐点", "categories": ["养老"],
        "skills": ["烹饪"], "capacity": 30, "availability": "周一至周五", "provider_name": "阳光餐饮公司"})).await;
    let lawyer = res(&worker, json!({"community_id": m.community_a, "kind": "skill", "name": "律师驻点", "categories": ["法律"],
        "street_wide": true})).await;
    let next_door = res(&worker_b, json!({"community_id": m.community_b, "kind": "venue", "name": "龙王港食堂", "categories": ["养老"],
        "skills": ["烹饪"]})).await;
    let no_kind = t
        .post(
            "/api/v1/resources",
            &worker,
            json!({"community_id": m.community_a, "name": "x", "categories": ["养老"]}),
        )
        .await;
    assert_eq!(no_kind.body["errors"][0]["field"], "kind");
    let cook = t
        .post("/api/v1/volunteers", &worker, json!({"name": "王师傅", "phone": "13700003333", "community_id": m.community_a,
            "skills": ["烹饪"], "categories": ["扶老助老"], "party_member": false, "availability": "每天"}))
        .await
        .expect(201);

    // Matches: best first, six reasons each, the lawyer left out, the next community's kitchen further down.
    let got = t
        .get(&format!("/api/v1/demands/{did}/matches"), &worker)
        .await
        .expect(200);
    let items = got["items"].as_array().unwrap();
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["resource_id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&lawyer["id"].as_str().unwrap()), "{got}");
    assert_eq!(ids.len(), 3, "{got}");
    for w in items.windows(2) {
        assert!(w[0]["score"].as_u64() >= w[1]["score"].as_u64());
    }
    for i in items {
        let criteria: Vec<&str> = i["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["criterion"].as_str().unwrap())
            .collect();
        assert_eq!(
            criteria,
            [
                "category",
                "skill",
                "distance",
                "availability",
                "capacity",
                "rating"
            ]
        );
        let sum: u64 = i["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["points"].as_u64().unwrap())
            .sum();
        assert_eq!(i["score"].as_u64().unwrap(), sum);
    }
    let last = items.last().unwrap();
    assert_eq!(last["resource_id"], next_door["id"]);
    assert_eq!(last["reasons"][2]["zh"], "同街道不同社区");
    let vol = items
        .iter()
        .find(|i| i["resource_id"] == cook["id"])
        .expect("the volunteer is proposed");
    assert_eq!(vol["kind"], "volunteer");
    assert_eq!(vol["reasons"][0]["points"], 35, "扶老助老 serves 养老");
    assert_eq!(
        t.get(&format!("/api/v1/demands/{did}/matches"), &worker_b)
            .await
            .status,
        404
    );
    let reverse = t
        .get(
            &format!(
                "/api/v1/resources/{}/matches",
                kitchen["id"].as_str().unwrap()
            ),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(reverse[0]["demand_id"], did.as_str());

    // 项目清单: proposed, approved at a joint meeting, claimed by two, run, closed; the demand is met.
    let p = t
        .post(
            "/api/v1/projects",
            &worker,
            json!({"community_id": m.community_a, "title": "长者助餐", "demand_ids": [did],
            "resource_ids": [kitchen["id"]]}),
        )
        .await
        .expect(201);
    let pid = p["id"].as_str().unwrap().to_owned();
    assert_eq!(p["status"], "proposed");
    let url = |a: &str| format!("/api/v1/projects/{pid}/{a}");
    let early = t
        .post(&url("claim"), &worker, json!({"claimant_name": "x"}))
        .await;
    assert_eq!(early.code(), "invalid_transition");
    assert_eq!(early.body["allowed_actions"], json!(["approve", "reject"]));
    let no_meeting = t.post(&url("approve"), &worker, json!({})).await;
    assert_eq!(no_meeting.body["errors"][0]["field"], "meeting");
    t.post(
        &url("approve"),
        &worker,
        json!({"meeting": "2026年第四季度联席会议"}),
    )
    .await
    .expect(200);
    t.post(
        &url("claim"),
        &worker,
        json!({"claimant_name": "阳光餐饮公司", "claimant_kind": "partner", "note": "提供午餐"}),
    )
    .await
    .expect(200);
    let two = t
        .post(
            &url("claim"),
            &worker,
            json!({"claimant_name": "仁和社工", "claimant_kind": "social_org", "note": "上门送餐"}),
        )
        .await
        .expect(200);
    assert_eq!(two["claims"].as_array().unwrap().len(), 2, "one-to-many");
    t.post(&url("start"), &worker, json!({})).await.expect(200);
    let done = t
        .post(
            &url("close"),
            &worker,
            json!({"results": "三个月送餐2,100份"}),
        )
        .await
        .expect(200);
    assert_eq!(done["status"], "closed");
    assert_eq!(done["meeting"], "2026年第四季度联席会议");
    let met = t
        .get(&format!("/api/v1/demands/{did}"), &worker)
        .await
        .expect(200);
    assert_eq!(met["status"], "met");
    let listed = t.get("/api/v1/projects", &worker).await.expect(200);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(
        t.get("/api/v1/projects", &worker_b).await.expect(200),
        json!([])
    );
    let other = t
        .post(
            "/api/v1/projects",
            &worker_b,
            json!({"community_id": m.community_b, "title": "x", "demand_ids": [did]}),
        )
        .await;
    assert_eq!(other.body["errors"][0]["field"], "demand_ids");
}

#[tokio::test]
async fn a_quarters_list_carries_forward_what_is_still_open() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let now = chrono::Utc::now();
    let community: uuid::Uuid = m.community_a.parse().unwrap();
    let path = t
        .get(&format!("/api/v1/places/{}", m.community_a), &worker)
        .await
        .expect(200)["path"]
        .as_str()
        .unwrap()
        .to_owned();
    // Two demands recorded long ago: one still open, one met.
    let old = |content: &str, status: &str| wushe_store::lists::DemandRow {
        id: uuid::Uuid::now_v7(),
        community_id: community,
        place_path: path.clone(),
        category: "环境".into(),
        content: content.into(),
        urgency: "normal".into(),
        resident_id: None,
        household_id: None,
        group_text: String::new(),
        skills: "[]".into(),
        wanted_from: None,
        wanted_to: None,
        source: "meeting".into(),
        status: status.into(),
        quarter: "2025Q1".into(),
        created_by: None,
        created_at: now - chrono::Duration::days(400),
        updated_at: now,
    };
    let mut tx = t.app.db.begin().await.unwrap();
    wushe_store::lists::insert_demand(&mut tx.conn(), &old("楼道堆物清理", "open"))
        .await
        .unwrap();
    wushe_store::lists::insert_demand(&mut tx.conn(), &old("垃圾分类亭", "met"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    t.post(
        "/api/v1/demands",
        &worker,
        json!({"community_id": m.community_a, "category": "文化", "content": "广场舞场地"}),
    )
    .await
    .expect(201);
    let quarter =
        wushe_domain::lists::project::quarter_of(wushe_domain::kernel::time::local_date(now));
    let list = t
        .get(&format!("/api/v1/demands?quarter={quarter}"), &worker)
        .await
        .expect(200);
    let contents: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        ["广场舞场地", "楼道堆物清理"],
        "the open one is carried forward"
    );
    let then = t
        .get("/api/v1/demands?quarter=2025Q1", &worker)
        .await
        .expect(200);
    assert_eq!(
        then["items"].as_array().unwrap().len(),
        2,
        "the old quarter keeps its history"
    );
}

#[tokio::test]
async fn a_community_grows_its_category_tree_and_matching_follows_it() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let url = format!("/api/v1/communities/{}/service-categories", m.community_a);
    let tree = t.get(&url, &worker).await.expect(200);
    assert_eq!(tree[0]["name"], "养老");
    assert_eq!(tree[0]["built_in"], true);
    assert_eq!(
        t.post(&url, &steward, json!({"name": "助餐", "parent": "养老"}))
            .await
            .status,
        403
    );
    let bad_parent = t
        .post(&url, &worker, json!({"name": "助餐", "parent": "不存在"}))
        .await;
    assert_eq!(bad_parent.body["errors"][0]["field"], "parent");
    let grown = t
        .post(&url, &worker, json!({"name": "助餐", "parent": "养老"}))
        .await
        .expect(200);
    assert_eq!(grown[0]["children"], json!(["助餐"]));
    assert_eq!(
        t.post(&url, &worker, json!({"name": "助餐", "parent": "养老"}))
            .await
            .code(),
        "duplicate_category"
    );
    let unknown = t
        .post(
            "/api/v1/demands",
            &worker,
            json!({"community_id": m.community_a, "category": "外星", "content": "x"}),
        )
        .await;
    assert_eq!(unknown.body["errors"][0]["field"], "category");
    assert!(unknown.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("养老"));
    let d = t
        .post(
            "/api/v1/demands",
            &worker,
            json!({"community_id": m.community_a, "category": "助餐", "content": "午餐送餐"}),
        )
        .await
        .expect(201);
    t.post("/api/v1/resources", &worker, json!({"community_id": m.community_a, "kind": "venue", "name": "长者食堂", "categories": ["养老"]}))
        .await
        .expect(201);
    let got = t
        .get(
            &format!("/api/v1/demands/{}/matches", d["id"].as_str().unwrap()),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(got["items"][0]["name"], "长者食堂");
    assert_eq!(
        got["items"][0]["reasons"][0]["points"], 35,
        "助餐 is under 养老"
    );
    let order = t
        .post(
            "/api/v1/orders",
            &worker,
            json!({"community_id": m.community_a, "category": "外星", "content": "x"}),
        )
        .await;
    assert_eq!(order.body["errors"][0]["field"], "category");
}
