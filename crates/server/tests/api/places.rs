//! Point 3: the map, parent kinds enforced, archive instead of delete, moves with history.

use reqwest::Method;
use serde_json::json;

use crate::common::{map, spawn};

#[tokio::test]
async fn parent_kinds_are_enforced_and_bad_input_changes_nothing() {
    let t = spawn().await;
    let m = map(&t).await;
    let before = t
        .get("/api/v1/places?limit=500", &t.admin)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len();
    let cases = [
        (
            json!({"kind": "grid", "name": "错层网格", "parent_id": m.street}),
            "parent_id",
        ),
        (
            json!({"kind": "building", "name": "楼", "parent_id": m.community_a}),
            "parent_id",
        ),
        (json!({"kind": "street", "name": "无上级街道"}), "parent_id"),
        (
            json!({"kind": "county", "name": "县", "parent_id": m.district}),
            "kind",
        ),
        (
            json!({"kind": "grid", "name": "", "parent_id": m.community_a}),
            "name",
        ),
        (
            json!({"kind": "grid", "name": "很".repeat(51), "parent_id": m.community_a}),
            "name",
        ),
        (
            json!({"kind": "grid", "name": "网格", "parent_id": "018f0000-0000-7000-8000-000000000000"}),
            "parent_id",
        ),
        (
            json!({"kind": "grid", "name": "网格", "parent_id": "not-a-uuid"}),
            "parent_id",
        ),
    ];
    for (body, field) in cases {
        let r = t.post("/api/v1/places", &t.admin, body.clone()).await;
        assert_eq!(r.status, 400, "{body} -> {}", r.body);
        assert_eq!(r.body["errors"][0]["field"], field, "{body} -> {}", r.body);
        assert!(!r.body["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    let r = t
        .post(
            "/api/v1/places",
            &t.admin,
            json!({"kind": "grid", "name": "第一网格", "parent_id": m.community_a}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.code(), "duplicate_name");
    let after = t
        .get("/api/v1/places?limit=500", &t.admin)
        .await
        .expect(200)["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
}

#[tokio::test]
async fn children_and_created_objects_read_back() {
    let t = spawn().await;
    let m = map(&t).await;
    let r = t
        .post(
            "/api/v1/places",
            &t.admin,
            json!({"kind": "lane", "name": "港子1巷", "parent_id": m.grid_a1}),
        )
        .await;
    assert_eq!(r.status, 201);
    let loc = r.headers["location"].to_str().unwrap().to_owned();
    let lane = t.get(&loc, &t.admin).await.expect(200);
    assert_eq!(lane["kind"], "lane");
    assert_eq!(lane["community_id"], m.community_a.as_str());
    let kids = t
        .get(&format!("/api/v1/places/{}/children", m.grid_a1), &t.admin)
        .await
        .expect(200);
    let names: Vec<&str> = kids["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["1栋", "港子1巷"]);
}

#[tokio::test]
async fn a_building_moves_to_another_grid_with_its_people_and_history() {
    let t = spawn().await;
    let m = map(&t).await;
    let h = t.household(&m.building_a1, "1单元101").await;
    let r = t
        .resident(&h, "易晓玲", &crate::common::id_number("19700101", 12))
        .await;
    let steward_a2 = t.user("steward_a2", "grid_steward", Some(&m.grid_a2)).await;
    assert_eq!(
        t.get(&format!("/api/v1/residents/{r}"), &steward_a2)
            .await
            .status,
        404
    );
    let moved = t
        .post(
            &format!("/api/v1/places/{}/move", m.building_a1),
            &t.admin,
            json!({"parent_id": m.grid_a2, "note": "网格调整"}),
        )
        .await
        .expect(200);
    assert_eq!(moved["parent_id"], m.grid_a2.as_str());
    // The people follow the building into the steward's grid, for reads and for searches alike.
    assert_eq!(
        t.get(&format!("/api/v1/residents/{r}"), &steward_a2)
            .await
            .status,
        200
    );
    let found = t
        .get("/api/v1/residents?name=%E6%99%93%E7%8E%B2", &steward_a2)
        .await
        .expect(200);
    assert_eq!(found["items"][0]["id"], r.as_str());
    let steward_a1 = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    let gone = t
        .get("/api/v1/residents?name=%E6%99%93%E7%8E%B2", &steward_a1)
        .await
        .expect(200);
    assert_eq!(gone["items"].as_array().unwrap().len(), 0);
    let hist = t
        .get(
            &format!("/api/v1/places/{}/history", m.building_a1),
            &t.admin,
        )
        .await
        .expect(200);
    assert_eq!(hist[0]["from_parent_id"], m.grid_a1.as_str());
    assert_eq!(hist[0]["to_parent_id"], m.grid_a2.as_str());
    assert_eq!(hist[0]["note"], "网格调整");
    // Not into another community, nor under a wrong kind.
    let r = t
        .post(
            &format!("/api/v1/places/{}/move", m.building_a1),
            &t.admin,
            json!({"parent_id": m.grid_b1}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = t
        .post(
            &format!("/api/v1/places/{}/move", m.building_a1),
            &t.admin,
            json!({"parent_id": m.community_a}),
        )
        .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn archiving_refuses_busy_places_and_never_deletes() {
    let t = spawn().await;
    let m = map(&t).await;
    let r = t
        .post(
            &format!("/api/v1/places/{}/archive", m.grid_a1),
            &t.admin,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 409);
    assert_eq!(r.code(), "place_not_empty");
    let b = t.place("building", "9栋", Some(&m.grid_a1)).await;
    let a = t
        .post(&format!("/api/v1/places/{b}/archive"), &t.admin, json!({}))
        .await
        .expect(200);
    assert_eq!(a["archived"], true);
    assert_eq!(
        t.get(&format!("/api/v1/places/{b}"), &t.admin)
            .await
            .expect(200)["archived"],
        true
    );
    let kids = t
        .get(&format!("/api/v1/places/{}/children", m.grid_a1), &t.admin)
        .await
        .expect(200);
    assert_eq!(kids["items"].as_array().unwrap().len(), 1);
    let kids = t
        .get(
            &format!(
                "/api/v1/places/{}/children?include_archived=true",
                m.grid_a1
            ),
            &t.admin,
        )
        .await
        .expect(200);
    assert_eq!(kids["items"].as_array().unwrap().len(), 2);
    let r = t
        .post(&format!("/api/v1/places/{b}/restore"), &t.admin, json!({}))
        .await
        .expect(200);
    assert_eq!(r["archived"], false);
    let r = t
        .call(
            Method::PATCH,
            &format!("/api/v1/places/{b}"),
            Some(&t.admin),
            Some(json!({"name": "10栋"})),
        )
        .await
        .expect(200);
    assert_eq!(r["name"], "10栋");
}

#[tokio::test]
async fn communities_get_the_default_tag_dictionary_and_can_extend_it() {
    let t = spawn().await;
    let m = map(&t).await;
    let tags = t
        .get(
            &format!("/api/v1/communities/{}/tags", m.community_a),
            &t.admin,
        )
        .await
        .expect(200);
    let names: Vec<&str> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["tag"].as_str().unwrap())
        .collect();
    for want in [
        "独居老人",
        "空巢老人",
        "残疾",
        "低保",
        "特困",
        "特扶",
        "留守儿童",
        "党员",
        "退役军人",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let tags = t
        .post(
            &format!("/api/v1/communities/{}/tags", m.community_a),
            &t.admin,
            json!({"tag": "楼栋长"}),
        )
        .await
        .expect(200);
    assert!(tags
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["tag"] == "楼栋长"));
}
