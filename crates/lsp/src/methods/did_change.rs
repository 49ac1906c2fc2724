//! `textDocument/didChange`: edits apply in arrival order, in the handler's synchronous part;
//! the engine keeps the syntax tree in step and now and then indexes the buffer.

use crate::session::Server;
use tandem_engine::Change;
use tower_lsp_server::ls_types::*;

pub(crate) async fn handle(server: &Server, params: DidChangeTextDocumentParams) {
    let changes: Vec<Change> = params
        .content_changes
        .into_iter()
        .map(|c| Change {
            range: c.range.map(|r| ((r.start.line, r.start.character), (r.end.line, r.end.character))),
            text: c.text,
        })
        .collect();
    let doc = params.text_document;
    if let Err(e) = server.engine().change(doc.uri.as_str(), doc.version, &changes) {
        server.0.client.log_message(MessageType::ERROR, format!("tandem: {e}")).await;
    }
}
