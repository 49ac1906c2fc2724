//! `tandem/routing` (request, no params): the router's decisions and counts.

use crate::session::Server;
use serde_json::Value;
use tower_lsp_server::jsonrpc::Result;

/// `tandem/routing`: the router's decisions and counts.
pub(crate) fn handle(server: &Server) -> Result<Value> {
    Ok(serde_json::to_value(server.engine().router().metrics()).unwrap_or(Value::Null))
}
