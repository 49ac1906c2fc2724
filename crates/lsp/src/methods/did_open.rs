//! `textDocument/didOpen`: the client's text becomes the engine's document (and goes into the
//! index on the engine's index thread).

use crate::session::{Server, file_path};
use tower_lsp_server::ls_types::DidOpenTextDocumentParams;

pub(crate) async fn handle(server: &Server, params: DidOpenTextDocumentParams) {
    let d = params.text_document;
    let path = file_path(&d.uri);
    server.engine().open(d.uri.as_str(), path.as_deref(), d.text, d.version, d.language_id);
}
