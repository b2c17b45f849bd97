//! The Wushe binary's library half: configuration, opening the database, first-start bootstrap and
//! serving, shared by `main.rs` and the end-to-end tests.

pub mod cli;
pub mod config;

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;
use wushe_app::kernel::crypto::Crypto;
use wushe_app::App;
use wushe_domain::accounts::role::Role;
use wushe_seed::demo::{Scale, Seeded};
use wushe_store::kernel::db::DbConfig;
use wushe_store::Db;

pub use config::Config;

/// Opens the database (creating the data dir for SQLite), applies migrations and builds the app; refuses
/// (with a [`wushe_app::kernel::keys::KeyError`]) when the configured key is not the one that sealed the database.
pub async fn open(cfg: &Config, pg_schema: Option<String>) -> anyhow::Result<App> {
    let app = open_unchecked(cfg, pg_schema).await?;
    wushe_app::kernel::keys::check_at_start(&app)
        .await
        .map_err(|e| anyhow::anyhow!("checking the key: {e:?}"))??;
    Ok(app)
}

/// Opens the database without checking the key against it: only for `wushe rotate-key`, which checks
/// both keys itself.
pub async fn open_unchecked(cfg: &Config, pg_schema: Option<String>) -> anyhow::Result<App> {
    if !cfg.is_postgres() {
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    }
    let db = Db::connect(&DbConfig {
        url: cfg.database_url(),
        max_connections: cfg.max_connections,
        pg_schema,
    })
    .await
    .context("connecting to the database")?;
    db.migrate().await.context("applying migrations")?;
    if !cfg.is_postgres() {
        keep_private(&cfg.data_dir)?;
    }
    let crypto = Crypto::new(&cfg.secret_key()?).map_err(|e| anyhow::anyhow!("{e}"))?;
    let photo_store = cfg.photo_store()?;
    photo_store.check().await.map_err(anyhow::Error::msg)?;
    Ok(App::new(db, crypto)
        .with_files(cfg.data_dir.join("files"))
        .with_photo_store(photo_store))
}

/// Makes the data directory and the SQLite files readable by this user only, as the key file is: they
/// hold the households' personal data.
fn keep_private(dir: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let set = |p: &std::path::Path, mode: u32| -> anyhow::Result<()> {
            if p.exists() {
                std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
                    .with_context(|| format!("restricting {}", p.display()))?;
            }
            Ok(())
        };
        set(dir, 0o700)?;
        for f in ["wushe.db", "wushe.db-wal", "wushe.db-shm"] {
            set(&dir.join(f), 0o600)?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// What the first start created.
#[derive(Debug, Default)]
pub struct Bootstrap {
    /// The admin password, when it was generated now (printed once).
    pub generated_admin_password: Option<String>,
    /// Whether the admin was created now.
    pub admin_created: bool,
    /// The demo data, when seeded now.
    pub demo: Option<Seeded>,
}

/// Demo logins, one per kind of user, all with the admin's password.
pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("jiedao01", "街道管理员", Role::StreetAdmin),
    ("shequ01", "社区工作者", Role::CommunityWorker),
    ("wangge01", "网格员", Role::GridSteward),
    ("shenji01", "审计员", Role::Auditor),
];

/// Creates the first admin (and, when configured, the demo street and its users) if missing.
pub async fn bootstrap(app: &App, cfg: &Config) -> anyhow::Result<Bootstrap> {
    let mut out = Bootstrap::default();
    let user_count = {
        let mut c = app.db.read().await?;
        wushe_store::accounts::users::count_all(&mut c.conn()).await?
    };
    let password = match &cfg.admin_password {
        Some(p) if !p.is_empty() => p.clone(),
        _ if user_count == 0 => {
            let p = wushe_app::kernel::crypto::generate_password();
            out.generated_admin_password = Some(p.clone());
            p
        }
        _ => String::new(),
    };
    if user_count == 0 || !password.is_empty() {
        out.admin_created = wushe_app::accounts::users::create_first_admin(app, "admin", &password)
            .await
            .map_err(|e| anyhow::anyhow!("creating the admin: {e:?}"))?;
        if !out.admin_created {
            out.generated_admin_password = None;
        }
    }
    if cfg.demo {
        if let Some(seeded) = wushe_seed::demo::seed(app, Scale::Demo)
            .await
            .map_err(|e| anyhow::anyhow!("seeding the demo: {e:?}"))?
        {
            if !password.is_empty() {
                for (name, display, role) in DEMO_USERS {
                    // Each demo user is granted where the role belongs: the street, the first community, its first grid.
                    let place = match role {
                        Role::StreetAdmin => seeded.first_street,
                        Role::CommunityWorker => seeded.communities.first().copied(),
                        Role::GridSteward => seeded.first_grid,
                        _ => None,
                    };
                    wushe_app::accounts::users::create_system_user(
                        app,
                        name,
                        display,
                        &password,
                        &[(*role, place)],
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("creating demo user {name}: {e:?}"))?;
                }
            }
            out.demo = Some(seeded);
        }
    }
    Ok(out)
}

/// The HTTP router for an app.
///
/// Also starts following the other instances' writes (PostgreSQL), so this one's read caches stay true;
/// call it inside the runtime that serves.
pub fn router(app: App, cfg: &Config) -> anyhow::Result<axum::Router> {
    let trusted_proxies =
        wushe_web::client::parse_proxies(&cfg.trusted_proxies).map_err(anyhow::Error::msg)?;
    tokio::spawn(wushe_app::kernel::cache::listen(app.clone()));
    Ok(wushe_web::router(wushe_web::AppState {
        app: std::sync::Arc::new(app),
        secure_cookies: cfg.secure_cookies,
        trusted_proxies: std::sync::Arc::new(trusted_proxies),
        metrics_token: cfg
            .metrics_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(std::sync::Arc::from),
    }))
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
