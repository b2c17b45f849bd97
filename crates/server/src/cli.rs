//! The command line: `wushe serve | migrate | create-admin | seed-demo | import | export | backup | check |
//! rotate-key`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Wushe 五社: a community co-governance platform.
#[derive(Debug, Parser)]
#[command(
    name = "wushe",
    version,
    about = "五社联动社区治理平台 / Wushe community co-governance platform"
)]
pub struct Cli {
    /// Configuration file (missing is fine; WUSHE_* variables override it).
    #[arg(long, global = true, default_value = "wushe.toml")]
    pub config: PathBuf,
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages and the API (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create (or reset the password of nobody: only creates) a system administrator.
    CreateAdmin {
        /// User name.
        #[arg(long, default_value = "admin")]
        username: String,
        /// Password (at least 10 characters); read from WUSHE_NEW_ADMIN_PASSWORD when omitted.
        #[arg(long, env = "WUSHE_NEW_ADMIN_PASSWORD")]
        password: String,
    },
    /// Seed demo data (skipped when the database already has places).
    SeedDemo {
        /// `demo`: one street; `city`: 100 communities and 1,000,000 residents for benchmarks.
        #[arg(long, value_enum, default_value = "demo")]
        scale: ScaleArg,
    },
    /// Load a city's volunteers and three years of service records (benchmarks; after `seed-demo --scale city`).
    SeedVolunteers {
        /// How many volunteers.
        #[arg(long, default_value_t = 300_000)]
        volunteers: usize,
        /// How many service records (each with its points entry).
        #[arg(long, default_value_t = 10_000_000)]
        records: usize,
    },
    /// Load open demands, resources and a street's year of orders (benchmarks; after `seed-volunteers`).
    SeedServiceLoop {
        /// Open demands spread over the city.
        #[arg(long, default_value_t = 10_000)]
        demands: usize,
        /// Resources spread over the city.
        #[arg(long, default_value_t = 5_000)]
        resources: usize,
        /// Orders in the first street.
        #[arg(long, default_value_t = 100_000)]
        orders: usize,
    },
    /// Match every open demand (the quarterly refresh) and print how long it took.
    MatchAll {
        /// Proposals kept per demand.
        #[arg(long, default_value_t = 10)]
        per_demand: usize,
    },
    /// Import or export residents as .xlsx, acting as a system administrator.
    Import {
        /// What to import.
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export residents to .xlsx (masked).
    Export {
        /// What to export.
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Write a consistent copy of the live SQLite database.
    Backup {
        /// Destination file (must not exist).
        file: PathBuf,
    },
    /// Check the database's integrity, every ledger, and that every ID number and phone decrypts.
    Check,
    /// Reseal every ID number and phone under a new key (in batches; run again to finish an interrupted
    /// rotation). The current key comes from the configuration as usual.
    RotateKey {
        /// The new key, 64 hex characters; read from WUSHE_NEW_SECRET_KEY when omitted.
        #[arg(long, env = "WUSHE_NEW_SECRET_KEY", hide_env_values = true)]
        new_key: String,
    },
}

/// Seed sizes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ScaleArg {
    /// One street, two communities.
    Demo,
    /// A whole city, for benchmarks.
    City,
}

/// Import targets.
#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Residents from an .xlsx file.
    Residents {
        /// The file.
        file: PathBuf,
        /// Check only; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Export targets.
#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// All residents, masked.
    Residents {
        /// The file to write.
        file: PathBuf,
    },
}
