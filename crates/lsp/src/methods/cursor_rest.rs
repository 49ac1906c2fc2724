//! `tandem/cursorRest` (notification, `{textDocument: {uri}, position}`): tandem's editor clients
//! send it when the cursor came to rest at a new place (debounced). The engine evaluates that
//! place's prompt while the model is idle (`Engine::warm`), so the first suggestion there does
//! not pay for it; any request that needs the model stops the warm-up at once.

use crate::session::Server;
use serde::Deserialize;
use tandem_engine::Place;
use tower_lsp_server::ls_types::{Position, TextDocumentIdentifier};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CursorRestParams {
    pub text_document: TextDocumentIdentifier,
    pub position: Position,
}

/// Starts the warm-up and returns: a notification is never waited on.
pub(crate) fn handle(server: &Server, params: CursorRestParams) {
    let engine = server.engine().clone();
    let uri = params.text_document.uri.as_str().to_owned();
    let place = Place::Position { line: params.position.line, character: params.position.character };
    tokio::spawn(async move {
        // A document not open, or a position outside it, is nothing to warm.
        let _ = engine.warm(&uri, place).await;
    });
}
