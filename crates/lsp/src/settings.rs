//! Completion settings from the client: `initializationOptions` and
//! `workspace/didChangeConfiguration` apply their `completion` object over the config file's.

use crate::session::Server;
use serde_json::Value;
use tandem_engine::CompletionSettings;
use tower_lsp_server::ls_types::MessageType;

/// Applies `overlay` (the keys a client sent) over `base`.
pub fn merge_settings(base: &CompletionSettings, overlay: &Value) -> Result<CompletionSettings, String> {
    let mut merged = serde_json::to_value(base).map_err(|e| e.to_string())?;
    let Some(over) = overlay.as_object() else {
        return Err(format!("completion settings must be an object, got {overlay}"));
    };
    if let Some(m) = merged.as_object_mut() {
        for (k, v) in over {
            m.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(merged).map_err(|e| format!("invalid completion settings: {e}"))
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
