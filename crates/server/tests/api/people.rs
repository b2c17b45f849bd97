//! Point 4: households and residents — ID checks, derivation, duplicates, masking, unmasking, search, moves.

use reqwest::Method;
use serde_json::json;

use crate::common::{id_number, map, spawn};

#[tokio::test]
async fn a_resident_is_registered_with_sex_and_birth_date_from_the_id_and_shown_masked() {
    let t = spawn().await;
    let m = map(&t).await;
    let h = t.household(&m.building_a1, "1单元101").await;
    let idn = id_number("19500307", 15); // serial 015: odd → male
    let r = t.post("/api/v1/residents", &t.admin, json!({"household_id": h, "name": "刘华玲", "id_number": idn, "phone": "13812345678", "tags": ["独居老人"]})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let loc = r.headers["location"].to_str().unwrap().to_owned();
    let b = r.body;
    assert_eq!(b["sex"], "male");
    assert_eq!(b["birth_date"], "1950-03-07");
    assert_eq!(b["masked"], true);
    assert_eq!(
        b["id_number"],
        format!("{}********{}", &idn[..6], &idn[14..])
    );
    assert_eq!(b["phone"], "138****5678");
    let again = t.get(&loc, &t.admin).await.expect(200);
    assert_eq!(again["id_number"], b["id_number"]);
    let clear = t
        .get(&format!("{loc}?unmask=true"), &t.admin)
        .await
        .expect(200);
    assert_eq!(clear["id_number"], idn.as_str());
    assert_eq!(clear["phone"], "13812345678");
    assert_eq!(clear["masked"], false);
}

#[tokio::test]
async fn the_same_id_number_twice_is_refused_with_a_link() {
    let t = spawn().await;
    let m = map(&t).await;
    let h1 = t.household(&m.building_a1, "101").await;
    let h2 = t.household(&m.building_a2, "202").await;
    let idn = id_number("19800101", 20);
    let first = t.resident(&h1, "张三", &idn).await;
    let r = t
        .post(
            "/api/v1/residents",
            &t.admin,
            json!({"household_id": h2, "name": "张三", "id_number": idn.to_lowercase()}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.code(), "duplicate_id_number");
    assert_eq!(r.body["existing_id"], first.as_str());
    assert_eq!(r.body["existing_url"], format!("/api/v1/residents/{first}"));
    assert_eq!(t.resident_count().await, 1);
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let t = spawn().await;
    let m = map(&t).await;
    let h = t.household(&m.building_a1, "101").await;
    let good = id_number("19900101", 30);
    let mut bad_check = good.clone();
    bad_check.pop();
    bad_check.push(if good.ends_with('0') { '1' } else { '0' });
    let cases = vec![
        (
            json!({"household_id": h, "name": "李四", "id_number": bad_check}),
            "id_number",
        ),
        (
            json!({"household_id": h, "name": "李四", "id_number": "12345"}),
            "id_number",
        ),
        (
            json!({"household_id": h, "name": "李四", "sex": "female", "phone": "1234"}),
            "phone",
        ),
        (
            json!({"household_id": h, "name": "", "sex": "female"}),
            "name",
        ),
        (
            json!({"household_id": h, "name": "李".repeat(51), "sex": "female"}),
            "name",
        ),
        (json!({"household_id": h, "name": "李四"}), "sex"),
        (
            json!({"household_id": h, "name": "李四", "sex": "unknown"}),
            "sex",
        ),
        (
            json!({"household_id": h, "name": "李四", "id_number": good, "sex": "male"}),
            "sex",
        ),
        (
            json!({"household_id": h, "name": "李四", "sex": "male", "birth_date": "2999-01-01"}),
            "birth_date",
        ),
        (
            json!({"household_id": h, "name": "李四", "sex": "male", "birth_date": "1990-13-45"}),
            "birth_date",
        ),
        (
            json!({"household_id": h, "name": "李四", "sex": "male", "tags": ["不在字典里"]}),
            "tags",
        ),
        (
            json!({"household_id": h, "name": "李四", "sex": "male", "relation": "远房"}),
            "relation",
        ),
        (
            json!({"household_id": "018f0000-0000-7000-8000-000000000000", "name": "李四", "sex": "male"}),
            "household_id",
        ),
        (json!({"name": "李四", "sex": "male"}), "household_id"),
        (json!({"household_id": h, "name": 7}), "name"),
        (
            json!({"household_id": h, "name": "李四", "tags": "党员"}),
            "tags",
        ),
    ];
    for (body, field) in cases {
        let r = t.post("/api/v1/residents", &t.admin, body.clone()).await;
        assert_eq!(r.status, 400, "{body} -> {}", r.body);
        assert_eq!(r.code(), "validation_failed");
        let fields: Vec<&str> = r.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&field),
            "{body}: expected {field}, got {fields:?}"
        );
        let msg = r.body["errors"][0]["message"].as_str().unwrap();
        assert!(
            msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "message in Chinese: {msg}"
        );
    }
    // Malformed JSON and the wrong content type.
    let r = t
        .http
        .post(t.url("/api/v1/residents"))
        .bearer_auth(&t.admin)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "malformed_json");
    let r = t
        .http
        .post(t.url("/api/v1/residents"))
        .bearer_auth(&t.admin)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    assert_eq!(t.resident_count().await, 0);
}

#[tokio::test]
async fn households_only_go_in_buildings_or_lanes_and_doors_are_unique() {
    let t = spawn().await;
    let m = map(&t).await;
    let r = t
        .post(
            "/api/v1/households",
            &t.admin,
            json!({"place_id": m.grid_a1, "address": "101"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "place_id");
    let r = t
        .post(
            "/api/v1/households",
            &t.admin,
            json!({"place_id": m.building_a1, "address": ""}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "address");
    let h = t.household(&m.building_a1, "1单元101").await;
    let r = t
        .post(
            "/api/v1/households",
            &t.admin,
            json!({"place_id": m.building_a1, "address": "1单元101"}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.code(), "duplicate_household");
    let got = t
        .get(&format!("/api/v1/households/{h}"), &t.admin)
        .await
        .expect(200);
    assert_eq!(got["address"], "1单元101");
    assert_eq!(got["place_name"], "1栋");
    let upd = t
        .call(
            Method::PUT,
            &format!("/api/v1/households/{h}"),
            Some(&t.admin),
            Some(json!({"address": "1单元102", "tags": ["低保"]})),
        )
        .await
        .expect(200);
    assert_eq!(upd["tags"][0], "低保");
}

#[tokio::test]
async fn residents_are_found_by_partial_chinese_name_address_and_tag() {
    let t = spawn().await;
    let m = map(&t).await;
    let h1 = t.household(&m.building_a1, "1单元101").await;
    let h2 = t.household(&m.building_a1, "2单元502").await;
    for (i, (h, name, tag)) in [
        (&h1, "欧阳淑珍", "独居老人"),
        (&h1, "欧阳建国", "党员"),
        (&h2, "王小平", "党员"),
    ]
    .iter()
    .enumerate()
    {
        t.post("/api/v1/residents", &t.admin, json!({"household_id": h, "name": name, "id_number": id_number("19600101", i as u32 * 2 + 1), "tags": [tag]})).await.expect(201);
    }
    let names = |v: serde_json::Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let mut by_name = names(
        t.get("/api/v1/residents?name=%E6%AC%A7%E9%98%B3", &t.admin)
            .await
            .expect(200),
    );
    by_name.sort();
    assert_eq!(by_name, vec!["欧阳建国", "欧阳淑珍"]);
    assert_eq!(
        names(
            t.get("/api/v1/residents?q=%E5%B0%8F", &t.admin)
                .await
                .expect(200)
        ),
        vec!["王小平"]
    );
    assert_eq!(
        names(
            t.get("/api/v1/residents?address=502", &t.admin)
                .await
                .expect(200)
        ),
        vec!["王小平"]
    );
    let mut party = names(
        t.get("/api/v1/residents?tag=%E5%85%9A%E5%91%98", &t.admin)
            .await
            .expect(200),
    );
    party.sort();
    assert_eq!(party, vec!["欧阳建国", "王小平"]);
    assert_eq!(
        names(
            t.get(&format!("/api/v1/residents?household_id={h2}"), &t.admin)
                .await
                .expect(200)
        ),
        vec!["王小平"]
    );
    // A correction is found under the new name and tag at once, and no longer under the old ones; the read
    // that cached the resident before the change shows the change too.
    let wang = t
        .get("/api/v1/residents?name=%E5%B0%8F%E5%B9%B3", &t.admin)
        .await
        .expect(200)["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.get(&format!("/api/v1/residents/{wang}"), &t.admin)
        .await
        .expect(200);
    t.call(
        reqwest::Method::PUT,
        &format!("/api/v1/residents/{wang}"),
        Some(&t.admin),
        Some(json!({"household_id": h2, "name": "王大平", "id_number": id_number("19600101", 5), "tags": ["低保"]})),
    )
    .await
    .expect(200);
    assert_eq!(
        t.get(&format!("/api/v1/residents/{wang}"), &t.admin)
            .await
            .expect(200)["name"],
        "王大平"
    );
    assert_eq!(
        names(
            t.get("/api/v1/residents?name=%E5%A4%A7%E5%B9%B3", &t.admin)
                .await
                .expect(200)
        ),
        vec!["王大平"]
    );
    assert!(names(
        t.get("/api/v1/residents?name=%E5%B0%8F%E5%B9%B3", &t.admin)
            .await
            .expect(200)
    )
    .is_empty());
    assert_eq!(
        names(
            t.get("/api/v1/residents?tag=%E5%85%9A%E5%91%98", &t.admin)
                .await
                .expect(200)
        ),
        vec!["欧阳建国"]
    );
    assert_eq!(
        names(
            t.get("/api/v1/residents?tag=%E4%BD%8E%E4%BF%9D", &t.admin)
                .await
                .expect(200)
        ),
        vec!["王大平"]
    );
    // Paging walks every row once.
    let p1 = t
        .get("/api/v1/residents?limit=2", &t.admin)
        .await
        .expect(200);
    let c = p1["next_cursor"].as_str().unwrap();
    let p2 = t
        .get(&format!("/api/v1/residents?limit=2&cursor={c}"), &t.admin)
        .await
        .expect(200);
    assert_eq!(
        p1["items"].as_array().unwrap().len() + p2["items"].as_array().unwrap().len(),
        3
    );
    assert!(p2["next_cursor"].is_null());
    assert_eq!(
        t.get("/api/v1/residents?cursor=garbage!", &t.admin)
            .await
            .status,
        400
    );
    // A page size outside 1..=500 is refused (it was quietly cut to 500 before issue 12).
    let too_many = t
        .get("/api/v1/residents?limit=100000", &t.admin)
        .await
        .expect(400);
    assert_eq!(too_many["errors"][0]["field"], "limit");
    t.get("/api/v1/residents?limit=500", &t.admin)
        .await
        .expect(200);
}

#[tokio::test]
async fn residents_move_between_households_with_history_and_archive() {
    let t = spawn().await;
    let m = map(&t).await;
    let h1 = t.household(&m.building_a1, "101").await;
    let h2 = t.household(&m.building_a2, "201").await;
    let r = t.resident(&h1, "赵德明", &id_number("19450505", 7)).await;
    let moved = t
        .post(
            &format!("/api/v1/residents/{r}/move"),
            &t.admin,
            json!({"household_id": h2, "note": "子女接去同住"}),
        )
        .await
        .expect(200);
    assert_eq!(moved["household_id"], h2.as_str());
    let hist = t
        .get(&format!("/api/v1/residents/{r}/history"), &t.admin)
        .await
        .expect(200);
    assert_eq!(hist[0]["from_household_id"], h1.as_str());
    assert_eq!(hist[0]["note"], "子女接去同住");
    // The move keeps the ID number findable: registering it again is still refused.
    let dup = t
        .post(
            "/api/v1/residents",
            &t.admin,
            json!({"household_id": h1, "name": "赵德明", "id_number": id_number("19450505", 7)}),
        )
        .await;
    assert_eq!(dup.code(), "duplicate_id_number");
    let r2 = t.call(Method::PUT, &format!("/api/v1/residents/{r}"), Some(&t.admin), Some(json!({"household_id": h2, "name": "赵德明", "id_number": id_number("19450505", 7), "phone": "0731-88886666", "relation": "父母", "tags": ["高龄老人"]}))).await.expect(200);
    assert_eq!(r2["phone"], "0731-******66");
    assert_eq!(r2["relation"], "父母");
    let archived = t
        .post(
            &format!("/api/v1/residents/{r}/archive"),
            &t.admin,
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(archived["archived"], true);
    let list = t.get("/api/v1/residents", &t.admin).await.expect(200);
    assert!(list["items"].as_array().unwrap().is_empty());
    let r = t
        .post(
            &format!("/api/v1/households/{h2}/archive"),
            &t.admin,
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(r["archived"], true);
}

#[tokio::test]
async fn unmasking_needs_the_permission_and_is_audited() {
    let t = spawn().await;
    let m = map(&t).await;
    let h = t.household(&m.building_a1, "101").await;
    let r = t.resident(&h, "孙德明", &id_number("19580808", 9)).await;
    let head = t.user("head1", "building_head", Some(&m.building_a1)).await;
    let masked = t
        .get(&format!("/api/v1/residents/{r}"), &head)
        .await
        .expect(200);
    assert_eq!(masked["masked"], true);
    let denied = t
        .get(&format!("/api/v1/residents/{r}?unmask=true"), &head)
        .await;
    assert_eq!(denied.status, 403);
    assert_eq!(denied.code(), "forbidden");
    let steward = t.user("steward1", "grid_steward", Some(&m.grid_a1)).await;
    t.get(&format!("/api/v1/residents/{r}?unmask=true"), &steward)
        .await
        .expect(200);
    let auditor = t.user("auditor1", "auditor", None).await;
    let log = t
        .get(
            &format!("/api/v1/audit?action=resident.unmask&object_id={r}"),
            &auditor,
        )
        .await
        .expect(200);
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{log}");
    assert_eq!(items[0]["actor_name"], "steward1");
    assert!(items[0]["ip"].as_str().unwrap().starts_with("127."));
    // Every write is there too, and the log is append-only in the database itself.
    let writes = t
        .get("/api/v1/audit?action=resident.create", &auditor)
        .await
        .expect(200);
    assert_eq!(writes["items"].as_array().unwrap().len(), 1);
    let export = t
        .http
        .get(t.url("/api/v1/audit/export.xlsx?action=resident."))
        .bearer_auth(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    assert!(export.bytes().await.unwrap().starts_with(b"PK"));
    assert_eq!(
        t.get("/api/v1/audit", &t.admin).await.status,
        403,
        "administration and audit are separate roles"
    );
    let mut tx = t.app.db.begin().await.unwrap();
    let tampered = match tx.conn() {
        wushe_store::Conn::Sqlite(c) => sqlx::query("DELETE FROM audit_log")
            .execute(c)
            .await
            .is_err(),
        wushe_store::Conn::Postgres(c) => sqlx::query("DELETE FROM audit_log")
            .execute(c)
            .await
            .is_err(),
    };
    assert!(tampered, "deleting audit rows must fail");
}

#[tokio::test]
async fn idempotency_keys_replay_the_first_result() {
    let t = spawn().await;
    let m = map(&t).await;
    let h = t.household(&m.building_a1, "101").await;
    let body = json!({"household_id": h, "name": "周也凡", "id_number": id_number("19880808", 41)});
    let send = || {
        t.http
            .post(t.url("/api/v1/residents"))
            .bearer_auth(&t.admin)
            .header("idempotency-key", "k-1")
            .json(&body)
            .send()
    };
    let a = send().await.unwrap();
    assert_eq!(a.status(), 201);
    let a_loc = a.headers()["location"].clone();
    let a_body: serde_json::Value = a.json().await.unwrap();
    let b = send().await.unwrap();
    assert_eq!(b.status(), 201);
    assert_eq!(b.headers()["location"], a_loc);
    assert_eq!(b.headers()["idempotent-replayed"], "true");
    let b_body: serde_json::Value = b.json().await.unwrap();
    assert_eq!(a_body, b_body);
    assert_eq!(t.resident_count().await, 1);
    let other = t
        .http
        .post(t.url("/api/v1/households"))
        .bearer_auth(&t.admin)
        .header("idempotency-key", "k-1")
        .json(&json!({"place_id": m.building_a1, "address": "9"}))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 422);
}
