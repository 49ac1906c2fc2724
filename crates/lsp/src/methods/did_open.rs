//! `textDocument/didOpen`: the client's text becomes the document, and goes into the index off the
//! async threads.

use crate::session::{Server, lock};
use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

pub(crate) async fn handle(server: &Server, params: DidOpenTextDocumentParams) {
    let d = params.text_document;
    // The document is the client's from now on, before anything awaits.
    let text: std::sync::Arc<str> = d.text.into();
    lock(&server.0.docs).open(d.uri.as_str().to_owned(), text.clone(), d.version, d.language_id);
    // Parsing it into the index (and checking on disk whether it is a link) is blocking work.
    if let Some(rel) = server.workspace_path(&d.uri) {
        server.index(move |ws| ws.opened(&rel, &text)).await;
    }
}
