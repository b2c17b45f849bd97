//! `wushe`: serves the whole product, or runs one administrative command.

use anyhow::Context;
use clap::Parser;
use wushe::cli::{Cli, Command, ExportWhat, ImportWhat, ScaleArg};
use wushe::Config;
use wushe_app::Actor;

/// mimalloc rather than glibc's allocator: under many threads (tokio workers and one thread per SQLite
/// connection) glibc's arena locks and consolidation were the largest item in the read profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_logs(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Exit status when the configured key cannot serve the database (sysexits' EX_CONFIG).
const EXIT_KEY: i32 = 78;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match run().await {
        Err(e)
            if e.downcast_ref::<wushe_app::kernel::keys::KeyError>()
                .is_some() =>
        {
            eprintln!("{e}");
            std::process::exit(EXIT_KEY);
        }
        other => other,
    }
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let cfg = Config::load(&cli.config)?;
    init_logs(&cfg.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(cfg).await,
        Command::Migrate => {
            wushe::open(&cfg, None).await?;
            println!("数据库迁移完成 / migrations applied");
            Ok(())
        }
        Command::CreateAdmin { username, password } => {
            let app = wushe::open(&cfg, None).await?;
            let created =
                wushe_app::accounts::users::create_first_admin(&app, &username, &password)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!(
                "{}",
                if created {
                    "管理员已创建 / admin created"
                } else {
                    "用户名已存在，未修改 / user exists, unchanged"
                }
            );
            Ok(())
        }
        Command::SeedVolunteers {
            volunteers,
            records,
        } => {
            let app = wushe::open(&cfg, None).await?;
            let started = std::time::Instant::now();
            let l = wushe_seed::volunteer_load::load(&app, volunteers, records)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!(
                "已生成 / seeded: {} volunteers, {} service records in {:.1}s",
                l.volunteers,
                l.records,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::SeedServiceLoop {
            demands,
            resources,
            orders,
        } => {
            let app = wushe::open(&cfg, None).await?;
            let started = std::time::Instant::now();
            let l = wushe_seed::service_load::load(&app, demands, resources, orders)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!(
                "已生成 / seeded: {} demands, {} resources, {} orders in {} in {:.1}s",
                l.demands,
                l.resources,
                l.orders,
                l.street,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::MatchAll { per_demand } => {
            let app = wushe::open(&cfg, None).await?;
            let started = std::time::Instant::now();
            let (n, m) = wushe_app::lists::match_all(&app, "/", per_demand)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!(
                "已匹配 / matched: {n} open demands, {m} proposals in {:.2}s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::SeedDemo { scale } => {
            let app = wushe::open(&cfg, None).await?;
            let scale = match scale {
                ScaleArg::Demo => wushe_seed::demo::Scale::Demo,
                ScaleArg::City => wushe_seed::demo::Scale::City,
            };
            let started = std::time::Instant::now();
            match wushe_seed::demo::seed(&app, scale)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?
            {
                Some(s) => println!(
                    "已生成 / seeded: {} places, {} households, {} residents in {:.1}s",
                    s.places,
                    s.households,
                    s.residents,
                    started.elapsed().as_secs_f64()
                ),
                None => println!(
                    "数据库中已有地点，未生成 / the database already has places; nothing seeded"
                ),
            }
            Ok(())
        }
        Command::Import {
            what: ImportWhat::Residents { file, dry_run },
        } => {
            let app = wushe::open(&cfg, None).await?;
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let report = wushe_app::people::import::residents(
                &app,
                &Actor::system(),
                &name,
                &bytes,
                dry_run,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Export {
            what: ExportWhat::Residents { file },
        } => {
            let app = wushe::open(&cfg, None).await?;
            let (bytes, rows) = wushe_app::people::export::residents(
                &app,
                &Actor::system(),
                &Default::default(),
                None,
                false,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
            println!(
                "已导出 {rows} 名居民 / exported {rows} residents to {}",
                file.display()
            );
            Ok(())
        }
        Command::RotateKey { new_key } => {
            let new = wushe_app::kernel::crypto::Crypto::new(&wushe::config::parse_key(
                &new_key,
                "WUSHE_NEW_SECRET_KEY",
            )?)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let app = wushe::open_unchecked(&cfg, None).await?;
            let done = wushe_app::kernel::keys::rotate(&app, &new)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "密钥已轮换 / key rotated: {} resealed, {} already under the new key; fingerprint {}",
                done.resealed,
                done.already,
                new.fingerprint()
            );
            if cfg.store_rotated_key(&new_key)? {
                println!("新密钥已写入数据目录 / the new key replaced data/secret.key");
            } else {
                println!("请把 WUSHE_SECRET_KEY 改为新密钥后再启动 / set WUSHE_SECRET_KEY to the new key before starting");
            }
            Ok(())
        }
        Command::Backup { file } => {
            anyhow::ensure!(!file.exists(), "{} already exists", file.display());
            let app = wushe::open(&cfg, None).await?;
            let dest = file.to_string_lossy().into_owned();
            if app.db.backup_sqlite(&dest).await? {
                println!("已备份 / backup written to {}", file.display());
                Ok(())
            } else {
                anyhow::bail!("PostgreSQL is backed up with pg_dump (or your provider's snapshots), not by wushe")
            }
        }
        Command::Check => {
            let app = wushe::open(&cfg, None).await?;
            let mut problems = app.db.integrity_check().await?;
            problems.extend(wushe_app::volunteering::points::check_ledgers(&app).await?);
            problems.extend(
                wushe_app::kernel::keys::undecryptable(&app)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            );
            if problems.is_empty() {
                println!("数据库完整性检查通过，各账目相符 / integrity check passed, every ledger adds up");
                Ok(())
            } else {
                for p in &problems {
                    eprintln!("{p}");
                }
                anyhow::bail!("{} integrity problems", problems.len())
            }
        }
    }
}

async fn serve(cfg: Config) -> anyhow::Result<()> {
    let app = wushe::open(&cfg, None).await?;
    let boot = wushe::bootstrap(&app, &cfg).await?;
    let listener = tokio::net::TcpListener::bind(&cfg.addr)
        .await
        .with_context(|| format!("binding {}", cfg.addr))?;
    let addr = listener.local_addr()?;
    println!();
    println!("  五社 Wushe 已启动 / is running:  http://{addr}/");
    println!(
        "  数据库 / database:             {}",
        if cfg.is_postgres() {
            "PostgreSQL".to_owned()
        } else {
            cfg.database_url()
        }
    );
    match &boot.generated_admin_password {
        Some(p) => println!(
            "  管理员 / admin login:          admin / {p}   (只显示这一次 / shown only once)"
        ),
        None if boot.admin_created => {
            println!("  管理员 / admin login:          admin / (WUSHE_ADMIN_PASSWORD)")
        }
        None => println!("  管理员 / admin login:          admin (已存在 / exists)"),
    }
    if let Some(d) = &boot.demo {
        println!(
            "  演示数据 / demo data:           {} 户 households, {} 名 residents",
            d.households, d.residents
        );
        let users: Vec<String> = wushe::DEMO_USERS
            .iter()
            .map(|(u, r, _)| format!("{u} ({r})"))
            .collect();
        println!(
            "  演示账号 / demo logins:         {}  (密码同管理员 / same password as admin)",
            users.join(", ")
        );
    }
    println!("  接口文档 / API docs:            http://{addr}/api/docs/");
    println!();
    let router = wushe::router(app.clone(), &cfg)?;
    tokio::spawn(wushe_app::kernel::jobs::run(app.clone()));
    wushe::serve(listener, router, wushe::shutdown_signal()).await?;
    app.db.close().await;
    Ok(())
}
