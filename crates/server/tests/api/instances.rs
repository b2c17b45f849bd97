//! Several instances on one PostgreSQL: each keeps read caches, and a write on one reaches the others.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{id_number, map, spawn};

/// Polls `check` until it holds or two seconds pass; notices travel asynchronously.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{what}: not within 2 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// SQLite serves one instance per database file: there is nothing to share.
#[tokio::test]
#[ignore = "PostgreSQL only; .ci/run runs it: WUSHE_TEST_PG_URL=... cargo test --test api -- --ignored pg_only_"]
async fn pg_only_a_write_on_one_instance_reaches_the_caches_of_another() {
    crate::common::require_backend("postgres");
    let a = spawn().await;
    let m = map(&a).await;
    let h = a.household(&m.building_a1, "1单元101").await;
    let r = a.resident(&h, "刘德明", &id_number("19580101", 3)).await;
    let b = a.second_instance().await;
    let worker = a.login("admin", crate::common::ADMIN_PASSWORD).await;

    // B reads (and caches) the resident and the session.
    assert_eq!(
        b.get(&format!("/api/v1/residents/{r}"), &worker)
            .await
            .expect(200)["name"],
        "刘德明"
    );

    // A corrects the name: B shows it.
    a.call(
        reqwest::Method::PUT,
        &format!("/api/v1/residents/{r}"),
        Some(&a.admin),
        Some(json!({"household_id": h, "name": "刘德民", "id_number": id_number("19580101", 3)})),
    )
    .await
    .expect(200);
    eventually("the corrected name on the other instance", || async {
        b.get(&format!("/api/v1/residents/{r}"), &worker)
            .await
            .expect(200)["name"]
            == "刘德民"
    })
    .await;

    // A ends the session: B refuses it.
    a.post("/api/v1/auth/logout", &worker, json!({}))
        .await
        .expect(204);
    eventually(
        "the ended session refused on the other instance",
        || async {
            b.get(&format!("/api/v1/residents/{r}"), &worker)
                .await
                .status
                == 401
        },
    )
    .await;
}
