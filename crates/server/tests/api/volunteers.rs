//! Issue 4, points 1 and 2: registering volunteers (linked to residents, masked, numbered), self sign-up
//! pending approval, teams with sub-groups and dated memberships.

use serde_json::{json, Value};

use crate::common::{id_number, map, spawn, TestApp};

/// Registers an active volunteer in a community as `token` and returns the body.
pub async fn volunteer(
    t: &TestApp,
    token: &str,
    community: &str,
    name: &str,
    phone: &str,
) -> Value {
    t.post(
        "/api/v1/volunteers",
        token,
        json!({"name": name, "phone": phone, "community_id": community, "skills": ["理发"], "party_member": false}),
    )
    .await
    .expect(201)
}

#[tokio::test]
async fn volunteers_are_numbered_linked_to_residents_and_masked() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let h = t.household(&m.building_a1, "101").await;
    let idn = id_number("19800512", 124);
    let rid = t.resident(&h, "刘桂英", &idn).await;

    // Registering by ID number finds the resident: the data is entered once.
    let v = t
        .post(
            "/api/v1/volunteers",
            &worker,
            json!({"name": "刘桂英", "phone": "13812345678", "id_number": idn,
            "community_id": m.community_a, "skills": ["理发", " 理发 "], "categories": ["扶老助老"],
            "party_member": true, "in_service_party_member": true, "work_unit": "市第一医院"}),
        )
        .await
        .expect(201);
    let no = v["volunteer_no"].as_str().unwrap();
    assert!(no.starts_with('V') && no.len() == 9, "{no}");
    assert_ne!(no, idn);
    assert_eq!(v["resident_id"], rid.as_str());
    assert_eq!(v["status"], "active");
    assert_eq!(v["sex"], "female");
    assert_eq!(v["birth_date"], "1980-05-12");
    assert_eq!(v["skills"], json!(["理发"]));
    assert_eq!(v["masked"], true);
    assert_eq!(v["phone"], "138****5678");
    assert!(!v["id_number"].as_str().unwrap().contains("19800512"));
    let id = v["id"].as_str().unwrap();

    // The same person twice is refused with their number.
    let dup = t
        .post("/api/v1/volunteers", &worker, json!({"name": "刘桂英", "phone": "13812345678", "id_number": idn, "community_id": m.community_a}))
        .await;
    assert_eq!(dup.status, 409);
    assert_eq!(dup.code(), "duplicate_volunteer");
    assert!(dup.body["detail"].as_str().unwrap().contains(no));

    // Linking by resident fills name, sex and birth date from the register.
    let h2 = t.household(&m.building_a1, "102").await;
    let rid2 = t.resident(&h2, "王建国", &id_number("19551101", 57)).await;
    let v2 = t
        .post(
            "/api/v1/volunteers",
            &worker,
            json!({"resident_id": rid2, "phone": "13900001111", "community_id": m.community_a}),
        )
        .await
        .expect(201);
    assert_eq!(v2["name"], "王建国");
    assert_eq!(v2["sex"], "male");
    assert_ne!(v2["volunteer_no"], v["volunteer_no"]);

    // Bad input names the field in Chinese and writes nothing.
    let bad = t
        .post("/api/v1/volunteers", &worker, json!({"name": "", "phone": "123", "id_number": "430104198005121230", "community_id": m.community_a}))
        .await;
    assert_eq!(bad.status, 400);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"name") && fields.contains(&"phone") && fields.contains(&"id_number"),
        "{fields:?}"
    );
    let wrong_type = t.post("/api/v1/volunteers", &worker, json!({"name": "x", "phone": "13800000000", "community_id": m.community_a, "skills": "理发"})).await;
    assert_eq!(wrong_type.status, 400);
    let grid = t
        .post(
            "/api/v1/volunteers",
            &worker,
            json!({"name": "x", "phone": "13800000000", "community_id": m.grid_a1}),
        )
        .await;
    assert_eq!(grid.status, 400);
    assert_eq!(grid.body["errors"][0]["field"], "community_id");
    let listed = t
        .get(
            &format!("/api/v1/volunteers?community_id={}", m.community_a),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);

    // Another community's worker sees nothing; a grid steward reads but cannot register.
    let other = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    assert_eq!(
        t.get(&format!("/api/v1/volunteers/{id}"), &other)
            .await
            .status,
        404
    );
    assert_eq!(
        t.get("/api/v1/volunteers", &other).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    assert_eq!(
        t.get(&format!("/api/v1/volunteers/{id}"), &steward)
            .await
            .status,
        200
    );
    let r = t
        .post(
            "/api/v1/volunteers",
            &steward,
            json!({"name": "新人", "phone": "13800000000", "community_id": m.community_a}),
        )
        .await;
    assert_eq!(r.status, 403);

    // Unmasking shows the numbers and is audited.
    let clear = t
        .get(&format!("/api/v1/volunteers/{id}?unmask=true"), &worker)
        .await
        .expect(200);
    assert_eq!(clear["id_number"], idn.as_str());
    assert_eq!(clear["phone"], "13812345678");
    let auditor = t.user("auditor1", "auditor", None).await;
    let log = t
        .get(
            &format!("/api/v1/audit?action=volunteer.unmask&object_id={id}"),
            &auditor,
        )
        .await
        .expect(200);
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_resident_signs_up_and_waits_for_approval() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let me = t.user("resident_a", "resident", Some(&m.grid_a1)).await;
    assert_eq!(t.get("/api/v1/me/volunteer", &me).await.status, 404);
    let v = t
        .post("/api/v1/volunteers/apply", &me, json!({"name": "陈小梅", "phone": "13700001234", "community_id": m.community_a, "availability": "周末上午"}))
        .await
        .expect(201);
    assert_eq!(v["status"], "pending");
    let id = v["id"].as_str().unwrap();
    assert_eq!(
        t.get("/api/v1/me/volunteer", &me).await.expect(200)["id"],
        id
    );
    // Signing up in a community the resident does not live in is refused.
    let elsewhere = t
        .post(
            "/api/v1/volunteers/apply",
            &me,
            json!({"name": "陈小梅", "phone": "13700001234", "community_id": m.community_b}),
        )
        .await;
    assert_eq!(elsewhere.status, 400);
    // A sign-up cannot attach someone else's register entry to this login.
    let h = t.household(&m.building_a1, "909").await;
    let other = t.resident(&h, "邻居", &id_number("19700101", 11)).await;
    let linked = t
        .post("/api/v1/volunteers/apply", &me, json!({"name": "陈小梅", "phone": "13700001234", "community_id": m.community_a, "resident_id": other}))
        .await;
    assert_eq!(linked.body["errors"][0]["field"], "resident_id");
    // Twice is refused.
    let twice = t
        .post(
            "/api/v1/volunteers/apply",
            &me,
            json!({"name": "陈小梅", "phone": "13700001234", "community_id": m.community_a}),
        )
        .await;
    assert_eq!(twice.code(), "duplicate_volunteer");
    // The resident cannot approve themselves; the worker can, once.
    assert_eq!(
        t.post(&format!("/api/v1/volunteers/{id}/approve"), &me, json!({}))
            .await
            .status,
        403
    );
    let ok = t
        .post(
            &format!("/api/v1/volunteers/{id}/approve"),
            &worker,
            json!({"note": "已核实"}),
        )
        .await
        .expect(200);
    assert_eq!(ok["status"], "active");
    let again = t
        .post(
            &format!("/api/v1/volunteers/{id}/approve"),
            &worker,
            json!({}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "invalid_transition");
    let left = t
        .call(
            reqwest::Method::POST,
            &format!("/api/v1/volunteers/{id}/leave"),
            Some(&worker),
            None,
        )
        .await
        .expect(200);
    assert_eq!(left["status"], "left");
}

#[tokio::test]
async fn teams_have_subgroups_leaders_and_dated_memberships() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let lead = volunteer(&t, &worker, &m.community_a, "张队长", "13800000001").await;
    let a = volunteer(&t, &worker, &m.community_a, "李四", "13800000002").await;
    let b = volunteer(&t, &worker, &m.community_a, "王五", "13800000003").await;
    let worker_b = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let outsider = volunteer(&t, &worker_b, &m.community_b, "赵六", "13800000004").await;

    let team = t
        .post("/api/v1/teams", &worker, json!({"name": "阳明志愿服务队", "community_id": m.community_a, "leader_id": lead["id"]}))
        .await
        .expect(201);
    let tid = team["id"].as_str().unwrap();
    assert_eq!(team["member_count"], 1);
    let group = t
        .post(
            "/api/v1/teams",
            &worker,
            json!({"name": "探访组", "parent_id": tid}),
        )
        .await
        .expect(201);
    assert_eq!(group["community_id"], m.community_a.as_str());
    let nested = t
        .post(
            "/api/v1/teams",
            &worker,
            json!({"name": "再下一级", "parent_id": group["id"]}),
        )
        .await;
    assert_eq!(nested.status, 400);
    let same = t
        .post(
            "/api/v1/teams",
            &worker,
            json!({"name": "阳明志愿服务队", "community_id": m.community_a}),
        )
        .await;
    assert_eq!(same.body["errors"][0]["field"], "name");

    let mem = t
        .post(
            &format!("/api/v1/teams/{tid}/members"),
            &worker,
            json!({"volunteer_id": a["id"]}),
        )
        .await
        .expect(201);
    assert_eq!(mem["role"], "member");
    let twice = t
        .post(
            &format!("/api/v1/teams/{tid}/members"),
            &worker,
            json!({"volunteer_id": a["id"]}),
        )
        .await;
    assert_eq!(twice.status, 409);
    let foreign = t
        .post(
            &format!("/api/v1/teams/{tid}/members"),
            &worker,
            json!({"volunteer_id": outsider["id"]}),
        )
        .await;
    assert_eq!(foreign.status, 400);
    // A partner unit's staff join together, with the unit in the note.
    let surge = t
        .post(
            &format!("/api/v1/teams/{tid}/members"),
            &worker,
            json!({"volunteer_ids": [b["id"]], "note": "市消防救援支队"}),
        )
        .await
        .expect(201);
    assert_eq!(surge[0]["note"], "市消防救援支队");

    let left = t
        .post(
            &format!(
                "/api/v1/teams/{tid}/members/{}/leave",
                a["id"].as_str().unwrap()
            ),
            &worker,
            json!({}),
        )
        .await
        .expect(200);
    assert!(left["left_on"].is_string());
    let full = t
        .get(&format!("/api/v1/teams/{tid}"), &worker)
        .await
        .expect(200);
    assert_eq!(full["member_count"], 2);
    let members = full["members"].as_array().unwrap();
    assert_eq!(members.len(), 3, "the one who left stays as history");
    assert!(members.last().unwrap()["left_on"].is_string());
    assert_eq!(full["groups"][0]["name"], "探访组");
    // Rejoining after leaving is a new membership.
    t.post(
        &format!("/api/v1/teams/{tid}/members"),
        &worker,
        json!({"volunteer_id": a["id"]}),
    )
    .await
    .expect(201);
    assert_eq!(
        t.get(&format!("/api/v1/teams/{tid}"), &worker_b)
            .await
            .status,
        404
    );
    let listed = t
        .get(
            &format!("/api/v1/teams?community_id={}", m.community_a),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn volunteers_and_their_hours_export_in_the_documented_layout() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let v = volunteer(&t, &worker, &m.community_a, "刘桂英", "13812345678").await;
    volunteer(&t, &worker, &m.community_a, "王建国", "13900001111").await;
    let today = wushe_domain::kernel::time::local_date(chrono::Utc::now());
    t.post("/api/v1/service-records", &worker, json!({"volunteer_id": v["id"], "minutes": 90, "served_on": today, "content": "陪同就医", "organiser": "探访组"}))
        .await
        .expect(201);
    let fetch = |path: String| {
        let (http, url, token) = (t.http.clone(), t.url(&path), worker.clone());
        async move {
            let r = http.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            wushe_app::kernel::sheet::read_first_sheet(&r.bytes().await.unwrap()).unwrap()
        }
    };
    let sheet = fetch(format!(
        "/api/v1/volunteers/export.xlsx?community_id={}",
        m.community_a
    ))
    .await;
    assert_eq!(
        sheet.headers,
        wushe_app::volunteering::export::VOLUNTEER_HEADERS
    );
    assert_eq!(sheet.rows.len(), 2);
    let row = sheet.rows.iter().find(|r| r[1].text == "刘桂英").unwrap();
    assert_eq!(row[5].text, "138****5678");
    assert_eq!(row[6].text, "阳明山庄社区");
    assert_eq!(row[14].text, "1.5");
    assert_eq!(row[15].text, "3");
    let clear = fetch("/api/v1/volunteers/export.xlsx?unmask=true".into()).await;
    assert!(clear.rows.iter().any(|r| r[5].text == "13812345678"));
    let records = fetch(format!(
        "/api/v1/service-records/export.xlsx?place_id={}",
        m.street
    ))
    .await;
    assert_eq!(
        records.headers,
        wushe_app::volunteering::export::RECORD_HEADERS
    );
    assert_eq!(records.rows.len(), 1);
    assert_eq!(records.rows[0][0].text, v["volunteer_no"].as_str().unwrap());
    assert_eq!(records.rows[0][3].text, "陪同就医");
    assert_eq!(records.rows[0][6].text, "90");
    let other = t
        .user("worker_b", "community_worker", Some(&m.community_b))
        .await;
    let r = t
        .http
        .get(t.url("/api/v1/volunteers/export.xlsx"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    let empty = wushe_app::kernel::sheet::read_first_sheet(&r.bytes().await.unwrap()).unwrap();
    assert!(
        empty.rows.is_empty(),
        "another community's worker exports nothing of ours"
    );
}

async fn import(
    t: &TestApp,
    token: &str,
    bytes: Vec<u8>,
    community: &str,
    dry: bool,
) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("志愿者.xlsx"),
        )
        .text("dry_run", dry.to_string())
        .text("community_id", community.to_owned());
    let r = t
        .http
        .post(t.url("/api/v1/imports/volunteers"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn volunteers_come_in_from_the_export_layout_once() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let h = t.household(&m.building_a1, "101").await;
    let idn = id_number("19800512", 124);
    let rid = t.resident(&h, "王芳", &idn).await;
    // The export's columns, computed ones included (they are ignored on the way in).
    let headers = &wushe_app::volunteering::export::VOLUNTEER_HEADERS[..15];
    let row = |name: &str, id: &str, phone: &str, community: &str, party: &str| -> Vec<String> {
        [
            "",
            name,
            "",
            "",
            id,
            phone,
            community,
            "理发、维修",
            "助老",
            party,
            "否",
            "",
            "周末",
            "在册",
            "3.5",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let rows = vec![
        row("王芳", &idn, "13800001111", "阳明山庄社区", "是"),
        row("李强", "", "13800002222", "", "否"),
        row("赵敏", "", "138****3333", "", "否"),
        row("孙悦", "", "13800004444", "龙王港社区", "否"),
        row("李强", "", "13800002222", "", "否"),
        row("周杰", "", "123", "", "也许"),
    ];
    let file = crate::imports::xlsx(headers, &rows);
    let (status, dry) = import(&t, &worker, file.clone(), &m.community_a, true).await;
    assert_eq!(status, 200, "{dry}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["created"], 2);
    let errs: Vec<(i64, &str)> = dry["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errs,
        [(4, "联系电话"), (5, "所属社区"), (6, "姓名"), (7, "党员")],
        "{dry}"
    );
    let none = t.get("/api/v1/volunteers", &worker).await.expect(200);
    assert_eq!(none["items"], json!([]), "a dry run writes nothing");

    let (status, done) = import(&t, &worker, file.clone(), &m.community_a, false).await;
    assert_eq!(status, 200);
    assert_eq!(done["created"], 2);
    let list = t.get("/api/v1/volunteers", &worker).await.expect(200);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let wang = items.iter().find(|v| v["name"] == "王芳").unwrap();
    assert_eq!(
        wang["resident_id"],
        rid.as_str(),
        "linked to the resident by ID number"
    );
    assert_eq!(wang["party_member"], true);
    assert_eq!(wang["skills"], json!(["理发", "维修"]));
    assert_eq!(wang["status"], "active");
    assert!(wang["volunteer_no"].as_str().unwrap().starts_with('V'));

    // The same file again registers nobody twice.
    let (_, again) = import(&t, &worker, file, &m.community_a, false).await;
    assert_eq!(again["created"], 0);
    assert_eq!(again["unchanged"], 2);

    let (status, bad) = import(
        &t,
        &worker,
        crate::imports::xlsx(&["姓名"], &[vec!["王五".into()]]),
        &m.community_a,
        true,
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        bad["detail"]
            .as_str()
            .unwrap()
            .contains("缺少表头：联系电话"),
        "{bad}"
    );
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let (status, _) = import(
        &t,
        &steward,
        crate::imports::xlsx(headers, &[]),
        &m.community_a,
        true,
    )
    .await;
    assert_eq!(
        status, 403,
        "registering volunteers is the community's work"
    );
}
