//! `workspace/didChangeWatchedFiles`: files that changed on disk are read into the index again, off
//! the async threads (only names inside the workspace; links and special files are not read).

use crate::session::Server;
use tower_lsp_server::ls_types::DidChangeWatchedFilesParams;

pub(crate) async fn handle(server: &Server, params: DidChangeWatchedFilesParams) {
    let paths: Vec<String> = params.changes.iter().filter_map(|c| server.workspace_path(&c.uri)).collect();
    // Reading files is blocking work.
    server
        .index(move |ws| {
            for p in paths {
                ws.reload(&p);
            }
        })
        .await;
}
