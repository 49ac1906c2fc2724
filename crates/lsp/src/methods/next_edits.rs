//! `tandem/nextEdits` (request, `{textDocument: {uri, version?}}`): the edits the document's
//! last edit implies elsewhere, once it has settled (see `Engine::next_edits`), as
//! `{edits: [{id, uri, range, newText, kind, reason, confidence}]}`, best first. Nothing is
//! applied: the client applies what the user accepts and reports it with
//! `tandem/suggestionOutcome` (a dismissal forgets the proposal). After answering, the server
//! has the model write the proposals still waiting for it, so the next one is ready in time.

use crate::session::Server;
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::NextEdit;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Position, Range, TextDocumentIdentifier, Uri};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NextEditsParams {
    pub text_document: TextDocumentIdentifier,
}

/// An edit's range in LSP terms.
pub(crate) fn range(e: &NextEdit) -> Range {
    let ((l0, c0), (l1, c1)) = e.range;
    Range::new(Position::new(l0, c0), Position::new(l1, c1))
}

/// The URI of the document an edit changes.
pub(crate) fn uri_of(e: &NextEdit) -> Option<Uri> {
    match (&e.uri, &e.path) {
        (Some(u), _) => u.parse().ok(),
        (None, Some(p)) => Uri::from_file_path(p),
        (None, None) => None,
    }
}

/// The standing proposals for `uri`'s last edit, after it settles.
pub(crate) async fn proposals(server: &Server, uri: &Uri) -> Result<Vec<NextEdit>> {
    let edits =
        server.engine().next_edits(uri.as_str()).await.map_err(|e| Error::invalid_params(e.to_string()))?;
    // The rest are written while the user looks at these; a completion request stops it.
    let engine = server.engine().clone();
    tokio::spawn(async move { engine.write_next_edits().await });
    Ok(edits)
}

pub(crate) async fn handle(server: &Server, params: NextEditsParams) -> Result<Value> {
    let edits = proposals(server, &params.text_document.uri).await?;
    let edits: Vec<Value> = edits
        .iter()
        .filter_map(|e| {
            Some(json!({
                "id": e.id,
                "uri": uri_of(e)?.as_str(),
                "range": range(e),
                "newText": e.text,
                "kind": e.kind,
                "reason": e.reason,
                "confidence": e.confidence,
            }))
        })
        .collect();
    Ok(json!({ "edits": edits }))
}
