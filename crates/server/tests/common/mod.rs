//! The test kit: a fresh database per test (SQLite file, or a new PostgreSQL schema when
//! `WUSHE_TEST_PG_URL` is set), a real server on a random port, and small API helpers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use wushe::Config;

/// The admin password every test server starts with.
pub const ADMIN_PASSWORD: &str = "admin-password-2026";
/// A fixed key so that tests are repeatable.
pub const SECRET: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// A running test server.
pub struct TestApp {
    /// Base URL, e.g. `http://127.0.0.1:39123`.
    pub base: String,
    /// The address.
    pub addr: SocketAddr,
    /// HTTP client without cookies.
    pub http: reqwest::Client,
    /// The app behind the server (for direct checks).
    pub app: wushe_app::App,
    /// Admin bearer token.
    pub admin: String,
    /// Which backend this runs on.
    pub backend: &'static str,
    cfg: Config,
    schema: Option<String>,
    dir: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The PostgreSQL URL tests should use, if any.
pub fn pg_url() -> Option<String> {
    std::env::var("WUSHE_TEST_PG_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Stops a test that means something on one backend only, when run on the other: such tests are marked
/// `#[ignore = "..."]` so a plain run shows them skipped, and `.ci/run` runs them by name prefix
/// (`sqlite_only_`, `pg_only_`) on the backend they need; run on the wrong one by hand, they fail loudly
/// rather than pass.
pub fn require_backend(backend: &str) {
    let running = if pg_url().is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(
        running,
        backend,
        "this test needs {backend}: run it {}",
        if backend == "postgres" {
            "with WUSHE_TEST_PG_URL set"
        } else {
            "without WUSHE_TEST_PG_URL"
        }
    );
}

/// Makes a fresh config and (for PostgreSQL) a fresh schema.
pub async fn fresh_config(demo: bool) -> (Config, Option<String>, PathBuf) {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let dir = std::env::temp_dir().join(format!("wushe-test-{id}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cfg = Config {
        data_dir: dir.clone(),
        admin_password: Some(ADMIN_PASSWORD.into()),
        secret_key: Some(SECRET.into()),
        demo,
        max_connections: 8,
        ..Config::default()
    };
    let mut schema = None;
    if let Some(url) = pg_url() {
        let s = format!("t_{id}");
        let pool = sqlx::PgPool::connect(&url)
            .await
            .expect("connect to WUSHE_TEST_PG_URL");
        sqlx::query(&format!("CREATE SCHEMA {s}"))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        cfg.database_url = Some(url);
        schema = Some(s);
    }
    (cfg, schema, dir)
}

/// Starts a server on a fresh database, with the admin logged in.
pub async fn spawn() -> TestApp {
    spawn_with(false).await
}

/// Starts a server, optionally with the demo street.
pub async fn spawn_with(demo: bool) -> TestApp {
    spawn_configured(demo, |_| {}).await
}

/// Starts a server with a configuration changed by `f` (trusted proxies, a metrics token ...).
pub async fn spawn_configured(demo: bool, f: impl FnOnce(&mut Config)) -> TestApp {
    let (mut cfg, schema, dir) = fresh_config(demo).await;
    f(&mut cfg);
    let backend = if schema.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let app = wushe::open(&cfg, schema.clone())
        .await
        .expect("open database");
    wushe::bootstrap(&app, &cfg).await.expect("bootstrap");
    let mut t = serve_app(app, &cfg, schema, dir, backend).await;
    t.admin = t.login("admin", ADMIN_PASSWORD).await;
    t
}

/// Serves an opened app on a random port.
async fn serve_app(
    app: wushe_app::App,
    cfg: &Config,
    schema: Option<String>,
    dir: PathBuf,
    backend: &'static str,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let router = wushe::router(app.clone(), cfg).expect("router");
    tokio::spawn(async move {
        let _ = wushe::serve(listener, router, async {
            let _ = rx.await;
        })
        .await;
    });
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        addr,
        http,
        app,
        admin: String::new(),
        backend,
        cfg: cfg.clone(),
        schema,
        dir,
        shutdown: Some(tx),
    }
}

impl TestApp {
    /// Opens this test's database again with a configuration changed by `f` (another key ...), as a
    /// restarted server would; the error is what the binary would stop with.
    pub async fn reopen(&self, f: impl FnOnce(&mut Config)) -> anyhow::Result<wushe_app::App> {
        let mut cfg = self.cfg.clone();
        f(&mut cfg);
        wushe::open(&cfg, self.schema.clone()).await
    }

    /// The configuration this server runs with.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// The PostgreSQL schema of this test, if it runs on PostgreSQL.
    pub fn schema(&self) -> Option<String> {
        self.schema.clone()
    }

    /// A second server on the same database (PostgreSQL: several instances behind one load balancer).
    pub async fn second_instance(&self) -> TestApp {
        // Its own data directory, as a second machine has: nothing it serves may come from the first
        // instance's disk, and dropping it leaves the first instance's files alone.
        let dir =
            std::env::temp_dir().join(format!("wushe-test-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = Config {
            data_dir: dir.clone(),
            ..self.cfg.clone()
        };
        let app = wushe::open(&cfg, self.schema.clone())
            .await
            .expect("open database");
        let mut t = serve_app(app, &cfg, self.schema.clone(), dir, self.backend).await;
        t.admin = self.admin.clone();
        t
    }
}

/// A response: status, headers and JSON body (Null when not JSON).
pub struct Res {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: reqwest::header::HeaderMap,
    /// Body.
    pub body: Value,
}

impl Res {
    /// Panics with the body unless the status is as expected.
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// The problem code.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    /// Full URL of a path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Logs in through the API and returns the token (panics on failure).
    /// A browser-like client logged in through the login page: it keeps the session cookie and does not
    /// follow redirects, so a test sees the 303 a form answers.
    pub async fn page_session(&self, user: &str, pw: &str) -> reqwest::Client {
        let page = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = page
            .post(self.url("/login"))
            .form(&[("username", user), ("password", pw)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "logging in through the page");
        page
    }

    pub async fn login(&self, user: &str, pw: &str) -> String {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"username": user, "password": pw})),
            )
            .await;
        let b = r.expect(200);
        b["token"].as_str().unwrap().to_owned()
    }

    /// Sends a JSON request.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let mut rb = self.http.request(method, self.url(path));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.expect("request");
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Res {
            status,
            headers,
            body,
        }
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Creates a place as admin and returns its id.
    pub async fn place(&self, kind: &str, name: &str, parent: Option<&str>) -> String {
        let b = self
            .post(
                "/api/v1/places",
                &self.admin,
                json!({"kind": kind, "name": name, "parent_id": parent}),
            )
            .await
            .expect(201);
        b["id"].as_str().unwrap().to_owned()
    }

    /// Creates a user with one grant (as admin) and returns a logged-in token.
    pub async fn user(&self, username: &str, role: &str, place: Option<&str>) -> String {
        self.post(
            "/api/v1/users",
            &self.admin,
            json!({"username": username, "password": "user-password-2026", "display_name": username, "roles": [{"role": role, "place_id": place}]}),
        )
        .await
        .expect(201);
        self.login(username, "user-password-2026").await
    }

    /// Registers a household as admin.
    pub async fn household(&self, place: &str, door: &str) -> String {
        let b = self
            .post(
                "/api/v1/households",
                &self.admin,
                json!({"place_id": place, "address": door, "tags": []}),
            )
            .await
            .expect(201);
        b["id"].as_str().unwrap().to_owned()
    }

    /// Registers a resident as admin.
    pub async fn resident(&self, household: &str, name: &str, id_number: &str) -> String {
        let b = self
            .post("/api/v1/residents", &self.admin, json!({"household_id": household, "name": name, "id_number": id_number, "tags": []}))
            .await
            .expect(201);
        b["id"].as_str().unwrap().to_owned()
    }

    /// Counts residents visible to admin (all of them).
    pub async fn resident_count(&self) -> usize {
        let mut n = 0;
        let mut cursor = String::new();
        loop {
            let b = self
                .get(
                    &format!("/api/v1/residents?limit=500&include_archived=true{cursor}"),
                    &self.admin,
                )
                .await
                .expect(200);
            n += b["items"].as_array().unwrap().len();
            match b["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => return n,
            }
        }
    }
}

/// A small map: district → street → two communities; community A has grids A1, A2 with buildings.
pub struct Map {
    /// District.
    pub district: String,
    /// Street.
    pub street: String,
    /// Community A.
    pub community_a: String,
    /// Community B.
    pub community_b: String,
    /// Grid A1.
    pub grid_a1: String,
    /// Grid A2.
    pub grid_a2: String,
    /// Grid B1.
    pub grid_b1: String,
    /// Building in A1.
    pub building_a1: String,
    /// Building in A2.
    pub building_a2: String,
    /// Building in B1.
    pub building_b1: String,
}

/// Builds the small map through the API.
pub async fn map(t: &TestApp) -> Map {
    let district = t.place("district", "湘江新区", None).await;
    let street = t.place("street", "梅溪湖街道", Some(&district)).await;
    let community_a = t.place("community", "阳明山庄社区", Some(&street)).await;
    let community_b = t.place("community", "龙王港社区", Some(&street)).await;
    let grid_a1 = t.place("grid", "第一网格", Some(&community_a)).await;
    let grid_a2 = t.place("grid", "第二网格", Some(&community_a)).await;
    let grid_b1 = t.place("grid", "第一网格", Some(&community_b)).await;
    let building_a1 = t.place("building", "1栋", Some(&grid_a1)).await;
    let building_a2 = t.place("building", "2栋", Some(&grid_a2)).await;
    let building_b1 = t.place("building", "1栋", Some(&grid_b1)).await;
    Map {
        district,
        street,
        community_a,
        community_b,
        grid_a1,
        grid_a2,
        grid_b1,
        building_a1,
        building_a2,
        building_b1,
    }
}

/// Valid ID numbers for tests (check digits computed by the domain rule).
pub fn id_number(birth: &str, serial: u32) -> String {
    let first17 = format!("430104{birth}{serial:03}");
    let c = wushe_domain::people::id_number::check_digit(&first17).unwrap();
    format!("{first17}{c}")
}

/// A real picture in `format` (8×6 pixels), as a phone would upload it.
pub fn picture(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(8, 6, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}
