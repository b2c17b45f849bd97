//! Point 6: administrators manage users only inside their subtree.

use serde_json::json;

use crate::common::{map, spawn};

#[tokio::test]
async fn a_community_admin_manages_users_only_inside_the_community() {
    let t = spawn().await;
    let m = map(&t).await;
    let ca = t
        .user("admin_a", "community_admin", Some(&m.community_a))
        .await;
    let ok = t.post("/api/v1/users", &ca, json!({"username": "gsa1", "password": "steward-pass-1", "display_name": "网格员一", "roles": [{"role": "grid_steward", "place_id": m.grid_a1}]})).await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    let gs1 = ok.body["id"].as_str().unwrap().to_owned();
    let outside = t.post("/api/v1/users", &ca, json!({"username": "gsa2", "password": "steward-pass-1", "display_name": "外", "roles": [{"role": "grid_steward", "place_id": m.grid_b1}]})).await;
    assert_eq!(
        outside.status, 400,
        "the other community's grid is not visible: {}",
        outside.body
    );
    let admin = t.post("/api/v1/users", &ca, json!({"username": "boss", "password": "steward-pass-1", "display_name": "x", "roles": [{"role": "admin", "place_id": m.community_a}]})).await;
    assert_eq!(admin.status, 403);
    let wrong_level = t.post("/api/v1/users", &ca, json!({"username": "gsa3", "password": "steward-pass-1", "display_name": "x", "roles": [{"role": "grid_steward", "place_id": m.community_a}]})).await;
    assert_eq!(wrong_level.status, 400);
    let weak = t.post("/api/v1/users", &ca, json!({"username": "gsa4", "password": "short", "display_name": "x", "roles": [{"role": "grid_steward", "place_id": m.grid_a1}]})).await;
    assert_eq!(weak.status, 400);
    assert_eq!(weak.body["errors"][0]["field"], "password");
    let dup = t.post("/api/v1/users", &ca, json!({"username": "gsa1", "password": "steward-pass-1", "display_name": "x", "roles": [{"role": "grid_steward", "place_id": m.grid_a1}]})).await;
    assert_eq!(dup.status, 409);
    // The other community's users are invisible to this admin.
    let cb = t
        .user("admin_b", "community_admin", Some(&m.community_b))
        .await;
    let cb_id = t.get("/api/v1/me", &cb).await.expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        t.get(&format!("/api/v1/users/{cb_id}"), &ca).await.status,
        404
    );
    let listed: Vec<String> = t.get("/api/v1/users", &ca).await.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        listed.contains(&"gsa1".to_owned()) && !listed.contains(&"admin_b".to_owned()),
        "{listed:?}"
    );
    // Disabling ends the user's sessions.
    let gs_tok = t.login("gsa1", "steward-pass-1").await;
    t.post(&format!("/api/v1/users/{gs1}/disable"), &ca, json!({}))
        .await
        .expect(200);
    assert_eq!(t.get("/api/v1/me", &gs_tok).await.status, 401);
    let r = t
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "gsa1", "password": "steward-pass-1"})),
        )
        .await;
    assert_eq!(r.status, 401);
    // A grid steward manages no users.
    let gs = t.user("gsa9", "grid_steward", Some(&m.grid_a1)).await;
    assert_eq!(t.get("/api/v1/users", &gs).await.status, 403);
}
