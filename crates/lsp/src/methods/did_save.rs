//! `textDocument/didSave`: the saved buffer goes into the index, off the async threads.

use crate::session::{Server, lock};
use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

pub(crate) async fn handle(server: &Server, params: DidSaveTextDocumentParams) {
    let uri = params.text_document.uri;
    let text = lock(&server.0.docs).get(uri.as_str()).map(|d| d.text.clone());
    if let (Some(rel), Some(text)) = (server.workspace_path(&uri), text) {
        // Parsing is blocking work.
        server.index(move |ws| ws.buffer_changed(&rel, &text)).await;
    }
}
