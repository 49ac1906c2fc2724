//! `tandem/status`: tells the client the state of the models — `loading` / `ready` / `error` for
//! the local model's load, `degraded` when an explanation fell back to the local model.

use serde_json::{Value, json};
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::notification::Notification;

/// The `tandem/status` notification.
#[derive(Debug)]
pub enum TandemStatus {}

impl Notification for TandemStatus {
    type Params = Value;
    const METHOD: &'static str = "tandem/status";
}

/// Sends `tandem/status`.
pub async fn status(client: &Client, state: &str, model: &str, detail: &str) {
    client.send_notification::<TandemStatus>(json!({"state": state, "model": model, "detail": detail})).await;
}
