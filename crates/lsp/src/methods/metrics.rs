//! `tandem/metrics` (request, no params): the state of the model, the engine's counters and the
//! timings of recent requests.

use crate::session::{Model, Server};
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::Result;

/// `tandem/metrics`: the engine's counters and recent request timings.
pub(crate) fn handle(server: &Server) -> Result<Value> {
    let state = match server.model() {
        Model::Loading => json!({"state": "loading"}),
        Model::Failed(e) => json!({"state": "failed", "error": e}),
        Model::Ready => {
            let engine = server.engine();
            let mut v = serde_json::to_value(engine.metrics()).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert("state".into(), json!("ready"));
                let model = engine.backend().map(|b| b.info().model);
                o.insert("model".into(), json!(model));
                let larger = engine.larger().map(|b| b.info().model);
                o.insert("larger_model".into(), json!(larger));
            }
            v
        }
    };
    Ok(state)
}
