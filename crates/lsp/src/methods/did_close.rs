//! `textDocument/didClose`: the document is forgotten; the file on disk counts again for the index
//! (read off the async threads).

use crate::session::{Server, lock};
use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

pub(crate) fn handle(server: &Server, params: DidCloseTextDocumentParams) {
    if let Some(rel) = server.workspace_path(&params.text_document.uri) {
        let ws = server.0.workspace.clone();
        tokio::task::spawn_blocking(move || ws.closed(&rel));
    }
    let uri = params.text_document.uri.as_str().to_owned();
    lock(&server.0.docs).close(&uri);
    if let Some(e) = server.engine() {
        e.close(&uri);
    }
}
