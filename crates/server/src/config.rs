//! Configuration from `wushe.toml` and `WUSHE_*` environment variables (the environment wins).

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

/// Everything the binary can be told.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Listen address (`WUSHE_ADDR`).
    pub addr: String,
    /// Where the SQLite file, the generated key and uploads live (`WUSHE_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `sqlite:...` or `postgres://...` (`WUSHE_DATABASE_URL`); default: SQLite in the data dir.
    pub database_url: Option<String>,
    /// Password of the first admin, user name `admin` (`WUSHE_ADMIN_PASSWORD`); generated when unset.
    pub admin_password: Option<String>,
    /// Field-encryption key, 64 hex characters (`WUSHE_SECRET_KEY`); generated into the data dir when unset.
    pub secret_key: Option<String>,
    /// Seed the demo street on first start (`WUSHE_DEMO`).
    pub demo: bool,
    /// `text` or `json` logs (`WUSHE_LOG_FORMAT`).
    pub log_format: String,
    /// Database connections per instance (`WUSHE_MAX_CONNECTIONS`).
    pub max_connections: u32,
    /// Mark cookies `Secure` always (`WUSHE_SECURE_COOKIES`); they are anyway on requests that came over
    /// HTTPS through a trusted proxy.
    pub secure_cookies: bool,
    /// Proxies (addresses or CIDRs, comma-separated) whose `X-Forwarded-For`/`-Proto` are believed
    /// (`WUSHE_TRUSTED_PROXIES`); empty: none, the TCP peer is the client.
    pub trusted_proxies: String,
    /// Bearer token for `/metrics` (`WUSHE_METRICS_TOKEN`); unset: `/metrics` answers only this machine.
    pub metrics_token: Option<String>,
    /// Where photo bytes go (`WUSHE_PHOTO_STORE`): `database` (default) or `s3`.
    pub photo_store: String,
    /// S3-compatible endpoint URL (`WUSHE_S3_ENDPOINT`); empty: AWS itself.
    pub s3_endpoint: String,
    /// Bucket (`WUSHE_S3_BUCKET`).
    pub s3_bucket: String,
    /// Region (`WUSHE_S3_REGION`), default `us-east-1`.
    pub s3_region: String,
    /// Access key id (`WUSHE_S3_ACCESS_KEY_ID`).
    pub s3_access_key_id: String,
    /// Secret access key (`WUSHE_S3_SECRET_ACCESS_KEY`).
    pub s3_secret_access_key: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            admin_password: None,
            secret_key: None,
            demo: true,
            log_format: "text".into(),
            max_connections: 16,
            secure_cookies: false,
            trusted_proxies: String::new(),
            metrics_token: None,
            photo_store: "database".into(),
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: String::new(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
        }
    }
}

impl Config {
    /// Reads defaults, then the TOML file (if present), then the environment.
    pub fn load(file: &Path) -> anyhow::Result<Config> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("WUSHE_"))
            .extract()
            .context("reading configuration (wushe.toml and WUSHE_* variables)")
    }

    /// The database URL, defaulting to SQLite in the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) if !u.trim().is_empty() => u.clone(),
            _ => format!("sqlite:{}", self.data_dir.join("wushe.db").display()),
        }
    }

    /// Where new photos' bytes go, from `photo_store` and the `s3_*` settings.
    pub fn photo_store(&self) -> anyhow::Result<wushe_app::kernel::photo_store::PhotoStore> {
        use wushe_app::kernel::photo_store::{PhotoStore, S3Settings};
        match self.photo_store.trim() {
            "" | "database" => Ok(PhotoStore::Database),
            "s3" => PhotoStore::s3(&S3Settings {
                endpoint: self.s3_endpoint.clone(),
                bucket: self.s3_bucket.clone(),
                region: self.s3_region.clone(),
                access_key_id: self.s3_access_key_id.clone(),
                secret_access_key: self.s3_secret_access_key.clone(),
            })
            .map_err(anyhow::Error::msg),
            other => anyhow::bail!(
                "WUSHE_PHOTO_STORE must be `database` or `s3`, not `{other}` / WUSHE_PHOTO_STORE 应为 database 或 s3"
            ),
        }
    }

    /// True when the database is PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.database_url().starts_with("postgres")
    }

    /// The field-encryption key: configured, or read from / generated into `data_dir/secret.key`.
    ///
    /// On PostgreSQL the key must be configured: several instances share the database, and a key
    /// generated on one instance's disk would seal data the others cannot open.
    pub fn secret_key(&self) -> anyhow::Result<Vec<u8>> {
        let hex_key = match &self.secret_key {
            Some(k) if !k.trim().is_empty() => k.trim().to_owned(),
            _ if self.is_postgres() => anyhow::bail!(
                "WUSHE_SECRET_KEY must be set on PostgreSQL (the same key on every instance; generate one \
                 with `openssl rand -hex 32`). / PostgreSQL 部署必须配置 WUSHE_SECRET_KEY，且各实例相同。"
            ),
            _ => {
                let path = self.data_dir.join("secret.key");
                if path.exists() {
                    std::fs::read_to_string(&path)
                        .with_context(|| format!("reading {}", path.display()))?
                        .trim()
                        .to_owned()
                } else {
                    std::fs::create_dir_all(&self.data_dir)?;
                    let k = wushe_app::kernel::crypto::Crypto::generate_secret_hex();
                    write_private(&path, &k)?;
                    tracing::warn!(
                        path = %path.display(),
                        "WUSHE_SECRET_KEY is not set: generated a field-encryption key into the data directory. \
                         Back it up with the database; without it ID numbers and phones cannot be read."
                    );
                    k
                }
            }
        };
        parse_key(&hex_key, "WUSHE_SECRET_KEY")
    }

    /// Writes a rotated key into `data_dir/secret.key` when that file is where the key came from; false
    /// when the key is configured (the operator then sets the new one).
    pub fn store_rotated_key(&self, new_hex: &str) -> anyhow::Result<bool> {
        if self
            .secret_key
            .as_deref()
            .is_some_and(|k| !k.trim().is_empty())
        {
            return Ok(false);
        }
        let path = self.data_dir.join("secret.key");
        let tmp = self.data_dir.join("secret.key.new");
        let _ = std::fs::remove_file(&tmp);
        write_private(&tmp, new_hex.trim())?;
        std::fs::rename(&tmp, &path).with_context(|| format!("replacing {}", path.display()))?;
        Ok(true)
    }
}

/// Decodes a hex key of at least 32 bytes; `name` is the setting it came from, for the message.
pub fn parse_key(hex_key: &str, name: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = hex::decode(hex_key.trim()).with_context(|| format!("{name} must be hex"))?;
    anyhow::ensure!(
        bytes.len() >= 32,
        "{name} must be at least 32 bytes (64 hex characters)"
    );
    Ok(bytes)
}

fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(content.as_bytes())?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, content)?;
        Ok(())
    }
}
