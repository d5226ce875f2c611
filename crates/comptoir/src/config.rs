//! Configuration: command-line flags > `COMPTOIR_*` environment variables > `comptoir.toml` >
//! defaults. Flags and variables are read by clap (each flag names its variable); this module
//! fills what they left unset from the TOML file, then from the defaults.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";

/// `comptoir.toml`: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub log: Option<String>,
    pub max_json_body_bytes: Option<usize>,
    pub max_import_bytes: Option<u64>,
    pub request_timeout_secs: Option<u64>,
    pub conversation_rate: Option<f64>,
    pub conversation_burst: Option<f64>,
}

impl FileConfig {
    /// Reads `path` if given (it must exist), else `./comptoir.toml` if present.
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("comptoir.toml"), false),
        };
        if !path.exists() {
            if required {
                anyhow::bail!("configuration file {} does not exist", path.display());
            }
            return Ok(FileConfig::default());
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("invalid configuration in {}", path.display()))
    }
}

/// Where the database is: an explicit URL, else a SQLite file in the data directory.
pub fn database_url(url: Option<String>, data_dir: &Path) -> String {
    url.unwrap_or_else(|| format!("sqlite://{}", data_dir.join("comptoir.db").display()))
}

/// Variables we read; any other `COMPTOIR_*` is probably a typo and gets a warning.
pub const KNOWN_ENV: &[&str] = &[
    "COMPTOIR_CONFIG",
    "COMPTOIR_DATA_DIR",
    "COMPTOIR_DATABASE_URL",
    "COMPTOIR_LISTEN",
    "COMPTOIR_LOG",
    "COMPTOIR_DEMO",
    "COMPTOIR_MAX_JSON_BODY_BYTES",
    "COMPTOIR_MAX_IMPORT_BYTES",
    "COMPTOIR_REQUEST_TIMEOUT_SECS",
    "COMPTOIR_CONVERSATION_RATE",
    "COMPTOIR_CONVERSATION_BURST",
    "COMPTOIR_TEST_POSTGRES_URL",
];

pub fn unknown_env() -> Vec<String> {
    std::env::vars()
        .map(|(k, _)| k)
        .filter(|k| k.starts_with("COMPTOIR_") && !KNOWN_ENV.contains(&k.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_keys_parse_and_typos_are_refused() {
        let c: FileConfig =
            toml::from_str("listen = \"0.0.0.0:9000\"\ndata_dir = \"/var/lib/comptoir\"").unwrap();
        assert_eq!(c.listen.as_deref(), Some("0.0.0.0:9000"));
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
    }

    #[test]
    fn sqlite_in_data_dir_by_default() {
        assert_eq!(
            database_url(None, Path::new("./data")),
            "sqlite://./data/comptoir.db"
        );
        assert_eq!(
            database_url(Some("postgres://x/y".into()), Path::new("d")),
            "postgres://x/y"
        );
    }
}
