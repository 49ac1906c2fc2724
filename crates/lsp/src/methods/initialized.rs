//! `initialized`: starts the background work — the model's load, then the workspace index.

use crate::session::Server;

/// The index waits for the model: on two cores, parsing the workspace would slow the load that
/// every completion waits for.
pub(crate) fn handle(server: &Server) {
    let server = server.clone();
    tokio::spawn(async move {
        crate::load::model(server.clone()).await;
        crate::load::workspace(server).await;
    });
}
