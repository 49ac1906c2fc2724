//! `textDocument/didSave`: the saved buffer goes into the index.

use crate::session::Server;
use tower_lsp_server::ls_types::DidSaveTextDocumentParams;

pub(crate) async fn handle(server: &Server, params: DidSaveTextDocumentParams) {
    server.engine().save(params.text_document.uri.as_str());
}
