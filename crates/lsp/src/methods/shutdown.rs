//! `shutdown`: the metrics are written one last time for `tandem stats`.

use crate::session::{Server, lock};
use tower_lsp_server::jsonrpc::Result;

pub(crate) async fn handle(server: &Server) -> Result<()> {
    *lock(&server.0.metrics_written) = None;
    // Writing the file is blocking work.
    let server = server.clone();
    let _ = tokio::task::spawn_blocking(move || server.save_metrics()).await;
    Ok(())
}
