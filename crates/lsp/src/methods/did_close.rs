//! `textDocument/didClose`: the document is forgotten; the file on disk counts again for the index
//! (read off the async threads).

use crate::session::{Server, lock};
use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

pub(crate) async fn handle(server: &Server, params: DidCloseTextDocumentParams) {
    if let Some(rel) = server.workspace_path(&params.text_document.uri) {
        server.index(move |ws| ws.closed(&rel)).await;
    }
    let uri = params.text_document.uri.as_str().to_owned();
    lock(&server.0.docs).close(&uri);
    if let Some(e) = server.engine() {
        e.close(&uri);
    }
}
