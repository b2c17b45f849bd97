//! Crash safety: kill -9 the server during a 10,000-row import; after a restart the database passes an
//! integrity check and the import is either fully there or fully absent.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::common::{id_number, ADMIN_PASSWORD, SECRET};
use crate::imports::{xlsx, HEADERS};

/// The `wushe` binary on the SQLite database in `dir`, with the test key.
fn wushe(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wushe"));
    c.env("WUSHE_DATA_DIR", dir)
        .env("WUSHE_SECRET_KEY", SECRET)
        .env_remove("WUSHE_DATABASE_URL");
    c
}

fn start(dir: &std::path::Path, port: u16) -> Child {
    wushe(dir)
        .env("WUSHE_ADDR", format!("127.0.0.1:{port}"))
        .env("WUSHE_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("WUSHE_DEMO", "true")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start wushe")
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not become ready");
}

async fn import(
    http: reqwest::Client,
    base: String,
    token: String,
    bytes: Vec<u8>,
    dry: bool,
) -> Result<Value, reqwest::Error> {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("big.xlsx"),
        )
        .text("dry_run", dry.to_string());
    http.post(format!("{base}/api/v1/imports/residents"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await?
        .json()
        .await
}

// The binary under test runs on its embedded SQLite; PostgreSQL's own crash recovery is not ours to test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "SQLite only; .ci/run runs it: cargo test --test api -- --ignored sqlite_only_"]
async fn sqlite_only_kill_during_a_big_import_leaves_a_sound_database() {
    crate::common::require_backend("sqlite");
    let dir = std::env::temp_dir().join(format!("wushe-crash-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut child = start(&dir, port);
    wait_ready(&http, &base).await;
    let token = {
        let r: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": "shequ01", "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["token"]
            .as_str()
            .expect("demo community worker logs in")
            .to_owned()
    };
    let rows: Vec<Vec<String>> = (0..10_000u32)
        .map(|i| {
            let day = format!("1960{:02}{:02}", (i % 336) / 28 + 1, i % 28 + 1);
            vec![
                format!("导入{i}"),
                String::new(),
                id_number(&day, 500 + (i / 336) * 2 + 1).replacen("430104", "430181", 1),
                String::new(),
                String::new(),
                "第一网格".into(),
                "1栋".into(),
                format!("{}号", i / 3),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    // The ID numbers above were made for region 430104; recompute the check digit for 430181.
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .map(|mut r| {
            let first17: String = r[2].chars().take(17).collect();
            r[2] = format!(
                "{first17}{}",
                wushe_domain::people::id_number::check_digit(&first17).unwrap()
            );
            r
        })
        .collect();
    let bytes = xlsx(&HEADERS, &rows);
    // A dry run does the same work inside a transaction and rolls back: it tells how long the real one takes.
    let started = Instant::now();
    let dry = import(
        http.clone(),
        base.clone(),
        token.clone(),
        bytes.clone(),
        true,
    )
    .await
    .unwrap();
    let took = started.elapsed();
    assert_eq!(dry["created"], 10_000, "{}", dry["errors"][0]);
    let before = count_residents(&dir).await;
    let job = tokio::spawn(import(
        http.clone(),
        base.clone(),
        token.clone(),
        bytes,
        false,
    ));
    tokio::time::sleep(took / 2).await;
    assert!(
        !job.is_finished(),
        "the import must still be running when the server is killed"
    );
    child.kill().expect("kill -9");
    child.wait().unwrap();
    assert!(
        job.await.unwrap().is_err(),
        "the client saw the connection drop"
    );
    // Restart: the integrity check passes and the import is all or nothing.
    let check = wushe(&dir).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let after = count_residents(&dir).await;
    assert!(
        after == before || after == before + 10_000,
        "before {before}, after {after}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

async fn count_residents(dir: &std::path::Path) -> i64 {
    let cfg = wushe::Config {
        data_dir: dir.to_owned(),
        secret_key: Some(SECRET.into()),
        demo: false,
        ..wushe::Config::default()
    };
    let app = wushe::open(&cfg, None).await.unwrap();
    let n = {
        // The pooled connection must be back in the pool before the pool closes.
        let mut c = app.db.read().await.unwrap();
        wushe_store::people::residents::count(&mut c.conn(), &wushe_store::Scope::All, None)
            .await
            .unwrap()
    };
    app.db.close().await;
    n
}

// `wushe backup` copies SQLite; PostgreSQL is backed up with pg_dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "SQLite only; .ci/run runs it: cargo test --test api -- --ignored sqlite_only_"]
async fn sqlite_only_backup_copies_a_live_database_and_the_cli_exports_residents() {
    crate::common::require_backend("sqlite");
    let dir = std::env::temp_dir().join(format!("wushe-backup-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut child = start(&dir, port);
    wait_ready(&http, &base).await;
    let before = count_residents(&dir).await;
    let cli = |args: &[&str]| wushe(&dir).args(args).output().unwrap();
    // The server keeps running (and answering) while the copy is taken.
    let backup = dir.join("copy.db");
    let out = cli(&["backup", backup.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let out = cli(&["backup", backup.to_str().unwrap()]);
    assert!(
        !out.status.success(),
        "an existing file is never overwritten"
    );
    let xlsx_path = dir.join("all.xlsx");
    let out = cli(&["export", "residents", xlsx_path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    child.kill().unwrap();
    child.wait().unwrap();
    let sheet =
        wushe_app::kernel::sheet::read_first_sheet(&std::fs::read(&xlsx_path).unwrap()).unwrap();
    assert_eq!(sheet.rows.len() as i64, before);
    assert!(
        sheet.rows.iter().all(|r| r[2].text.contains("********")),
        "CLI exports are masked"
    );
    // The copy opens on its own and holds the same people.
    let copy_dir = dir.join("restored");
    std::fs::create_dir_all(&copy_dir).unwrap();
    std::fs::copy(&backup, copy_dir.join("wushe.db")).unwrap();
    let check = wushe(&copy_dir).arg("check").output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(count_residents(&copy_dir).await, before);
    let _ = std::fs::remove_dir_all(&dir);
}
