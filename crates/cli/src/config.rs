//! The user's config file: `$XDG_CONFIG_HOME/tandem/config.toml`, else
//! `~/.config/tandem/config.toml`. Missing is fine; malformed is an error that names the file.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::PathBuf;
use tandem_core::CompletionSettings;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// A manifest name or the path of a GGUF file.
    pub model: Option<String>,
    /// Threads for model computation.
    pub threads: Option<usize>,
    /// Inline completion settings (`[completion]`).
    pub completion: CompletionSettings,
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

pub fn load() -> Result<Config> {
    let Some(path) = path() else { return Ok(Config::default()) };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))
}
