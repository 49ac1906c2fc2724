//! `textDocument/didChange`: edits apply in arrival order (before the first await); now and then
//! the edited buffer goes into the index, off the async threads.

use crate::document::Change;
use crate::session::{Server, lock};
use tower_lsp_server::ls_types::*;

pub(crate) async fn handle(server: &Server, params: DidChangeTextDocumentParams) {
    // Applied before the first await: edits keep their arrival order.
    let changes: Vec<Change> = params
        .content_changes
        .into_iter()
        .map(|c| Change {
            range: c.range.map(|r| ((r.start.line, r.start.character), (r.end.line, r.end.character))),
            text: c.text,
        })
        .collect();
    let uri = params.text_document.uri.as_str().to_owned();
    let result = lock(&server.0.docs).change(&uri, params.text_document.version, &changes, server.encoding());
    if let Err(e) = result {
        server.0.client.log_message(MessageType::ERROR, format!("tandem: {e}")).await;
        return;
    }
    // Now and then, the edited buffer's definitions go into the index for the other files.
    let Some(rel) = server.workspace_path(&params.text_document.uri) else { return };
    if !server.0.workspace.due(&rel) {
        return;
    }
    let text = lock(&server.0.docs).get(&uri).map(|d| d.text.clone());
    if let Some(text) = text {
        server.index(move |ws| ws.buffer_changed(&rel, &text)).await;
    }
}
