//! The user's config file: `$XDG_CONFIG_HOME/tandem/config.toml`, else
//! `~/.config/tandem/config.toml`. Missing is fine; malformed is an error that names the file.
//! The environment (`TANDEM_REMOTE_URL`, `TANDEM_REMOTE_MODEL`, `TANDEM_LOCAL_ONLY`) wins over it.

use anyhow::Result;
use serde::Deserialize;
use std::path::PathBuf;
use tandem_core::{CompletionSettings, PrivacySettings, RemoteSettings, RouterSettings};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// A manifest name or the path of a GGUF file.
    pub model: Option<String>,
    /// Threads for model computation.
    pub threads: Option<usize>,
    /// Inline completion settings (`[completion]`).
    pub completion: CompletionSettings,
    /// The remote model (`[remote]`).
    pub remote: RemoteSettings,
    /// Which side serves what (`[router]`).
    pub router: RouterSettings,
    /// What may leave the machine (`[privacy]`).
    pub privacy: PrivacySettings,
}

impl Config {
    /// Applies the environment: `TANDEM_REMOTE_URL` and `TANDEM_REMOTE_MODEL` replace the
    /// `[remote]` values, and `TANDEM_LOCAL_ONLY=1` (or `true`) turns on local-only mode.
    pub fn with_env(mut self) -> Self {
        if let Some(url) = env_var("TANDEM_REMOTE_URL") {
            self.remote.url = url;
        }
        if let Some(model) = env_var("TANDEM_REMOTE_MODEL") {
            self.remote.model = model;
        }
        if env_var("TANDEM_LOCAL_ONLY").is_some_and(|v| matches!(v.trim(), "1" | "true" | "yes")) {
            self.privacy.local_only = true;
        }
        self
    }
}

/// An environment variable's value, unless it is unset or blank.
pub fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `$VAR/tandem`, else `~/FALLBACK/tandem`: tandem's directory of one XDG kind.
pub fn xdg_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    let base = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(fallback)))?;
    Some(base.join("tandem"))
}

/// Where `tandem lsp` keeps its metrics for `tandem stats`: `$XDG_STATE_HOME/tandem/metrics.json`,
/// else `~/.local/state/tandem/metrics.json`.
pub fn metrics_path() -> Option<PathBuf> {
    Some(xdg_dir("XDG_STATE_HOME", ".local/state")?.join("metrics.json"))
}

pub fn path() -> Option<PathBuf> {
    Some(xdg_dir("XDG_CONFIG_HOME", ".config")?.join("config.toml"))
}

/// The config file with the environment applied.
pub fn load() -> Result<Config> {
    Ok(load_file()?.with_env())
}

fn load_file() -> Result<Config> {
    let Some(path) = path() else { return Ok(Config::default()) };
    if !path.exists() {
        return Ok(Config::default());
    }
    let text = tandem_engine::files::read_text(&path)?;
    parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The config file's text as settings (the environment not yet applied).
/// A privacy rule that cannot be understood is an error, not a rule quietly dropped: a typo must
/// not let a file leave the machine.
pub fn parse(text: &str) -> Result<Config, String> {
    let config: Config = toml::from_str(text).map_err(|e| e.message().to_owned())?;
    let rules = tandem_engine::PathRules::new(&config.privacy.exclude);
    if let Some(bad) = rules.rejected().first() {
        return Err(format!("[privacy] exclude: the rule `{}` cannot be read: {}", bad.rule, bad.reason));
    }
    Ok(config)
}

/// Where the remote side's health is kept between runs: `$XDG_STATE_HOME/tandem/remote.json`.
pub fn remote_health_path() -> Option<PathBuf> {
    Some(xdg_dir("XDG_STATE_HOME", ".local/state")?.join("remote.json"))
}
