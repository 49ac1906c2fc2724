//! The remote model and the router, built from the config and the environment: the API key is
//! read here (from `TANDEM_REMOTE_API_KEY`, else the variable `[remote] api_key_env` names) and
//! goes straight into a [`Secret`]. The remote side's health is kept between runs in the state
//! directory, so a command started while the remote side is down does not wait for it again.

use crate::config::{self, Config};
use crate::models::{self, Choice};
use anyhow::{Result, bail};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};
use tandem_core::{Manifest, Secret, Side};
use tandem_engine::{Backend, LoadError, LocalLoader, Router};
use tandem_model::{LoadOptions, RemoteBackend};

/// The model the local side of explanations uses: the 1.5B model when it is installed and the
/// user chose no model, else the chosen (or default) model.
pub const LARGER_LOCAL: &str = "qwen2.5-coder-1.5b";

/// The API key from the environment, if any.
fn api_key(config: &Config) -> Option<Secret> {
    config::env_var("TANDEM_REMOTE_API_KEY")
        .or_else(|| {
            Some(config.remote.api_key_env.trim()).filter(|k| !k.is_empty()).and_then(config::env_var)
        })
        .map(|k| Secret::new(k.trim()))
}

/// The remote backend, when one is configured.
pub fn backend(config: &Config) -> Result<Option<Arc<dyn Backend>>> {
    let r = &config.remote;
    if r.url.trim().is_empty() && r.model.trim().is_empty() {
        return Ok(None);
    }
    if !r.is_configured() {
        bail!("[remote] needs both `url` and `model` (or TANDEM_REMOTE_URL and TANDEM_REMOTE_MODEL)");
    }
    let backend = RemoteBackend::new(r.clone(), api_key(config)).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some(Arc::new(backend)))
}

/// The name of the local model explanations use.
pub fn local_choice(manifest: &Manifest, choice: &Choice) -> Choice {
    let larger_installed =
        manifest.model(LARGER_LOCAL).is_some_and(|e| crate::store::is_present(e).unwrap_or(false));
    let model = match &choice.model {
        None if larger_installed => Some(LARGER_LOCAL.to_owned()),
        other => other.clone(),
    };
    Choice { model, pull: choice.pull }
}

/// The larger local model completions route up to: the one for explanations, when it is
/// installed and is not the completion model itself.
pub fn larger_choice(manifest: &Manifest, choice: &Choice) -> Option<Choice> {
    let larger = local_choice(manifest, choice);
    (larger.model != choice.model).then_some(larger)
}

/// Loads the local model for explanations, when first needed.
pub fn local_loader(manifest: Manifest, choice: Choice) -> LocalLoader {
    Box::new(move || {
        let (_, backend) = models::load_backend(&manifest, &choice, &LoadOptions::default())
            .map_err(|e| LoadError::Failed(format!("{e:#}")))?;
        Ok(Arc::new(backend) as Arc<dyn Backend>)
    })
}

/// The side `--local` / `--remote` ask for, if either.
pub fn forced_side(local: bool, remote: bool) -> Option<Side> {
    match (local, remote) {
        (true, _) => Some(Side::Local),
        (_, true) => Some(Side::Remote),
        _ => None,
    }
}

/// The router for this run, with the remote side's saved health.
pub fn router(config: &Config) -> Result<Router> {
    let remote = backend(config)?;
    let router = Router::new(config.router.clone(), config.privacy.clone(), remote);
    if let Some(saved) = load_health(config) {
        let until = UNIX_EPOCH + Duration::from_millis(saved.down_until_ms);
        router.restore_remote_down(until, saved.reason);
    }
    Ok(router)
}

#[derive(Debug, Serialize, Deserialize)]
struct SavedHealth {
    url: String,
    down_until_ms: u64,
    reason: String,
}

fn load_health(config: &Config) -> Option<SavedHealth> {
    let text = tandem_engine::files::read_text(&config::remote_health_path()?).ok()?;
    let saved: SavedHealth = serde_json::from_str(&text).ok()?;
    (saved.url == config.remote.url).then_some(saved)
}

/// Keeps the remote side's health for the next run (best effort).
pub fn save_health(config: &Config, router: &Router) {
    let Some(path) = config::remote_health_path() else { return };
    let Some((until, reason)) = router.remote_down() else {
        let _ = std::fs::remove_file(&path);
        return;
    };
    let ms = until.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64;
    let saved = SavedHealth { url: config.remote.url.clone(), down_until_ms: ms, reason };
    let write = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&path, serde_json::to_string(&saved).unwrap_or_default()));
    if let Err(e) = write {
        eprintln!("tandem: cannot write {}: {e}", path.display());
    }
}
