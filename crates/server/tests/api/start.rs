//! Point 1, 2, 8 and 10: start, bootstrap once, OpenAPI, health, readiness, metrics, request ids.

use serde_json::Value;

use crate::common::{self, spawn, spawn_with};

#[tokio::test]
async fn first_start_seeds_the_demo_once_and_creates_the_admin() {
    let t = spawn_with(true).await;
    let me = t.get("/api/v1/me", &t.admin).await.expect(200);
    assert_eq!(me["username"], "admin");
    assert_eq!(me["roles"][0]["role"], "admin");
    let roots = t
        .get("/api/v1/places?kind=community", &t.admin)
        .await
        .expect(200);
    let names: Vec<&str> = roots["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"阳明山庄社区"), "{names:?}");
    let grids = t
        .get("/api/v1/places?kind=grid&limit=500", &t.admin)
        .await
        .expect(200);
    assert_eq!(grids["items"].as_array().unwrap().len(), 16);
    let before = t.resident_count().await;
    assert!(before > 1000, "demo has {before} residents");
    // A second start on the same database seeds nothing more.
    let cfg = wushe::Config {
        demo: true,
        admin_password: Some(common::ADMIN_PASSWORD.into()),
        ..wushe::Config::default()
    };
    let again = wushe::bootstrap(&t.app, &cfg).await.unwrap();
    assert!(again.demo.is_none());
    assert!(!again.admin_created);
    assert_eq!(t.resident_count().await, before);
    // The demo logins work and see only their area.
    let steward = t.login("wangge01", common::ADMIN_PASSWORD).await;
    let mine = t
        .get("/api/v1/residents?limit=500", &steward)
        .await
        .expect(200);
    let n = mine["items"].as_array().unwrap().len();
    assert!(n > 0 && n < before, "grid steward sees {n} of {before}");
    // The bulk load indexes tags and names: the steward's tag page and name search find their people,
    // and only theirs.
    let party = t
        .get(
            "/api/v1/residents?tag=%E5%85%9A%E5%91%98&limit=500",
            &steward,
        )
        .await
        .expect(200);
    let party = party["items"].as_array().unwrap();
    assert!(!party.is_empty());
    assert!(party.iter().all(|r| r["tags"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!("党员"))));
    let first = mine["items"][0]["name"].as_str().unwrap();
    let piece: String = first.chars().take(2).collect();
    let found = t
        .get(
            &format!("/api/v1/residents?limit=500&name={piece}"),
            &steward,
        )
        .await
        .expect(200);
    let found = found["items"].as_array().unwrap();
    assert!(found.iter().any(|r| r["id"] == mine["items"][0]["id"]));
    assert!(found.len() <= n);
}

#[tokio::test]
async fn health_readiness_metrics_and_request_ids() {
    let t = spawn().await;
    let r = t.http.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-request-id").is_some());
    let r = t
        .http
        .get(t.url("/readyz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let m = t
        .http
        .get(t.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(m.contains("wushe_http_requests_total"), "{m}");
}

#[tokio::test]
async fn openapi_document_lists_the_fixed_routes_and_docs_are_served() {
    let t = spawn().await;
    let doc: Value = t
        .http
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/users",
        "/api/v1/places",
        "/api/v1/places/{id}/children",
        "/api/v1/households",
        "/api/v1/residents",
        "/api/v1/residents/{id}",
        "/api/v1/imports/residents",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(paths["/api/v1/residents"]["post"].is_object());
    let docs = t.http.get(t.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("swagger"));
}

#[tokio::test]
async fn unknown_api_routes_and_missing_login_are_problems() {
    let t = spawn().await;
    let r = t.get("/api/v1/nothing-here", &t.admin).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.code(), "not_found");
    assert_eq!(r.headers["content-type"], "application/problem+json");
    let r = t
        .call(reqwest::Method::GET, "/api/v1/residents", None, None)
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(r.code(), "unauthorized");
    assert!(r.body["title"]
        .as_str()
        .unwrap()
        .chars()
        .any(|c| c > '\u{4e00}'));
}

#[tokio::test]
async fn the_demo_street_shows_the_service_loop() {
    let t = spawn_with(true).await;
    let worker = t.login("shequ01", common::ADMIN_PASSWORD).await;
    let board = t.get("/api/v1/orders", &worker).await.expect(200);
    let count = |s: &str| {
        board["counts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["status"] == s)
            .unwrap()["count"]
            .as_i64()
            .unwrap()
    };
    assert!(
        count("placed") >= 1 && count("dispatched") >= 1 && count("closed") >= 1,
        "{board}"
    );
    let events = t.get("/api/v1/events", &worker).await.expect(200);
    let statuses: Vec<&str> = events["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert!(
        statuses.contains(&"closed") && statuses.contains(&"reported"),
        "{statuses:?}"
    );
    let projects = t.get("/api/v1/projects", &worker).await.expect(200);
    assert_eq!(projects[0]["status"], "claimed");
    let demands = t.get("/api/v1/demands", &worker).await.expect(200);
    let first = demands["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["category"] == "养老")
        .unwrap()
        .clone();
    let matches = t
        .get(
            &format!("/api/v1/demands/{}/matches", first["id"].as_str().unwrap()),
            &worker,
        )
        .await
        .expect(200);
    assert_eq!(matches["items"][0]["name"], "社区长者食堂", "{matches}");
}
