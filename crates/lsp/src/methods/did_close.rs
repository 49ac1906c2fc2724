//! `textDocument/didClose`: the engine forgets the document; the file on disk counts again for
//! the index.

use crate::session::Server;
use tower_lsp_server::ls_types::DidCloseTextDocumentParams;

pub(crate) async fn handle(server: &Server, params: DidCloseTextDocumentParams) {
    server.engine().close(params.text_document.uri.as_str());
}
