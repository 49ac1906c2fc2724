//! `workspace/didChangeWatchedFiles`: files that changed on disk are read into the index again on
//! the engine's index thread (only names inside the workspace; links and special files are not
//! read; open documents keep their buffers).

use crate::session::Server;
use tower_lsp_server::ls_types::DidChangeWatchedFilesParams;

pub(crate) async fn handle(server: &Server, params: DidChangeWatchedFilesParams) {
    let paths: Vec<String> = params.changes.iter().filter_map(|c| server.workspace_path(&c.uri)).collect();
    server.engine().reload(paths);
}
