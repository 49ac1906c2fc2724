//! Completion settings from the client: `initializationOptions` and
//! `workspace/didChangeConfiguration` apply their `completion` object over the config file's.

use crate::session::Server;
use serde_json::Value;
use tandem_engine::CompletionSettings;
use tower_lsp_server::ls_types::MessageType;

/// Why a client's completion settings were not taken.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("completion settings must be an object, got {0}")]
    NotAnObject(Value),
    #[error("invalid completion settings: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// Applies `overlay` (the keys a client sent) over `base`.
pub fn merge_settings(
    base: &CompletionSettings,
    overlay: &Value,
) -> Result<CompletionSettings, SettingsError> {
    let mut merged = serde_json::to_value(base)?;
    let Some(over) = overlay.as_object() else {
        return Err(SettingsError::NotAnObject(overlay.clone()));
    };
    if let Some(m) = merged.as_object_mut() {
        for (k, v) in over {
            m.insert(k.clone(), v.clone());
        }
    }
    Ok(serde_json::from_value(merged)?)
}

/// The `completion` object of initialization options or configuration, at the top level or
/// under `tandem`.
pub(crate) fn completion_section(v: &Value) -> Option<&Value> {
    v.get("completion").or_else(|| v.get("tandem").and_then(|t| t.get("completion")))
}

/// Applies a client's `completion` section; a bad one is shown to the user and changes nothing.
pub(crate) async fn apply(server: &Server, section: &Value) {
    match merge_settings(&server.settings(), section) {
        Ok(s) => server.engine().set_settings(s),
        Err(e) => server.0.client.show_message(MessageType::ERROR, format!("tandem: {e}")).await,
    }
}
