//! Issue 5, point 8: a real Open311 client library (Python's `georeport`, installed by `.ci/run`) reads
//! and files grid events against a running server. Ignored by a plain `cargo test`, which cannot assume
//! the library is installed; `.ci/run` runs it with `-- --ignored`.

#[path = "common/mod.rs"]
mod common;

use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs python3 with georeport: pip install georeport"]
async fn the_georeport_client_reads_and_files_events() {
    let t = common::spawn().await;
    let m = common::map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let key = t
        .post(
            "/api/v1/open311/keys",
            &worker,
            json!({"name": "12345平台", "place_id": m.community_a}),
        )
        .await
        .expect(201)["api_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/open311_client.py");
    let base = t.base.clone();
    let grid = m.grid_a1.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("python3")
            .arg(script)
            .arg(base)
            .arg(key)
            .arg(grid)
            .output()
            .expect("python3")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");
}
