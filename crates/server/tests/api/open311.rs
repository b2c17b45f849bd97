//! Issue 5, point 8: grid events as Open311 GeoReport v2, over HTTP as any Open311 client sends it (the
//! georeport client library itself drives these endpoints in tests/open311_client.rs).

use serde_json::{json, Value};

use crate::common::{map, spawn, TestApp};

async fn file(t: &TestApp, form: &[(&str, &str)]) -> (u16, Value) {
    let r = t
        .http
        .post(t.url("/open311/v2/requests.json"))
        .form(form)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn read(t: &TestApp, path: &str) -> (u16, Value) {
    let r = t.http.get(t.url(path)).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn partner_systems_read_and_file_events_over_open311() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;

    // Keys are issued by the community, shown once, bound to a place.
    let denied = t
        .post(
            "/api/v1/open311/keys",
            &steward,
            json!({"name": "x", "place_id": m.grid_a1}),
        )
        .await;
    assert_eq!(denied.status, 403);
    let grid_key = t
        .post(
            "/api/v1/open311/keys",
            &worker,
            json!({"name": "区12345平台", "place_id": m.grid_a1}),
        )
        .await
        .expect(201);
    let grid_key = grid_key["api_key"].as_str().unwrap().to_owned();
    let community_key = t
        .post(
            "/api/v1/open311/keys",
            &worker,
            json!({"name": "城市大脑", "place_id": m.community_a}),
        )
        .await
        .expect(201)["api_key"]
        .as_str()
        .unwrap()
        .to_owned();

    let (s, services) = read(&t, "/open311/v2/services.json").await;
    assert_eq!(s, 200);
    let codes: Vec<&str> = services
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["service_code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"道路破损") && codes.contains(&"其他"),
        "{codes:?}"
    );
    assert_eq!(services[0]["type"], "realtime");
    assert_eq!(services[0]["metadata"], false);

    // Filing needs a valid key and a known service code; errors are Open311's shape.
    let (s, e) = file(&t, &[("service_code", "道路破损"), ("description", "x")]).await;
    assert_eq!(s, 403);
    assert_eq!(e[0]["code"], 403);
    let (s, _) = file(
        &t,
        &[
            ("api_key", "nope"),
            ("service_code", "道路破损"),
            ("description", "x"),
        ],
    )
    .await;
    assert_eq!(s, 403);
    let (s, e) = file(
        &t,
        &[
            ("api_key", &grid_key),
            ("service_code", "不存在"),
            ("description", "x"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    assert!(
        e[0]["description"]
            .as_str()
            .unwrap()
            .contains("service_code"),
        "{e}"
    );
    let (s, filed) = file(
        &t,
        &[
            ("api_key", &grid_key),
            ("service_code", "道路破损"),
            ("description", "人行道砖块松动"),
            ("address_string", "1栋南侧人行道"),
            ("lat", "28.21"),
            ("long", "112.88"),
        ],
    )
    .await;
    assert_eq!(s, 201, "{filed}");
    let id = filed[0]["service_request_id"].as_str().unwrap().to_owned();
    // A community's key names the grid as an attribute, inside its own community only.
    let (s, _) = file(
        &t,
        &[
            ("api_key", &community_key),
            ("service_code", "其他"),
            ("description", "x"),
        ],
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = file(
        &t,
        &[
            ("api_key", &community_key),
            ("service_code", "其他"),
            ("description", "x"),
            ("attribute[grid_id]", &m.grid_b1),
        ],
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = file(
        &t,
        &[
            ("api_key", &community_key),
            ("service_code", "噪音扰民"),
            ("description", "广场舞音响太大"),
            ("attribute[grid_id]", &m.grid_a2),
        ],
    )
    .await;
    assert_eq!(s, 201);

    // Reads need no key and carry nothing personal.
    let (s, list) = read(&t, "/open311/v2/requests.json?status=open").await;
    assert_eq!(s, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    let one = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service_request_id"] == id.as_str())
        .unwrap();
    assert_eq!(one["status"], "open");
    assert_eq!(one["lat"], 28.21);
    assert_eq!(one["long"], 112.88);
    // The reporter's own words wait until the community has accepted the report (issue 12, point 11).
    assert_eq!(one["address"], "");
    assert_eq!(one["description"], "");
    let mut keys: Vec<&String> = one.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "address",
            "agency_responsible",
            "description",
            "expected_datetime",
            "lat",
            "long",
            "media_url",
            "requested_datetime",
            "service_code",
            "service_name",
            "service_notice",
            "service_request_id",
            "status",
            "status_notes",
            "updated_datetime"
        ]
    );
    let (s, single) = read(&t, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(s, 200);
    assert_eq!(single[0]["service_code"], "道路破损");
    let (s, _) = read(
        &t,
        "/open311/v2/requests/00000000-0000-0000-0000-000000000000.json",
    )
    .await;
    assert_eq!(s, 404);
    let (_, closed) = read(&t, "/open311/v2/requests.json?status=closed").await;
    assert_eq!(closed, json!([]));
    let (_, coded) = read(&t, "/open311/v2/requests.json?service_code=噪音扰民").await;
    assert_eq!(coded.as_array().unwrap().len(), 1);
    let (s, _) = read(&t, "/open311/v2/requests.json?start_date=yesterday").await;
    assert_eq!(s, 400);

    // Filed events are ordinary events for the grid steward.
    let mine = t.get("/api/v1/events", &steward).await.expect(200);
    let filed_here: Vec<&Value> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["id"] == id.as_str())
        .collect();
    assert_eq!(filed_here.len(), 1);
    assert_eq!(filed_here[0]["reporter_id"], Value::Null);
    t.post(&format!("/api/v1/events/{id}/accept"), &steward, json!({}))
        .await
        .expect(200);
    let (_, single) = read(&t, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(single[0]["description"], "人行道砖块松动");
    assert_eq!(single[0]["address"], "1栋南侧人行道");
}
