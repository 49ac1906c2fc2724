//! `textDocument/copilotInlineEdit` (request, `{textDocument: {uri, version}, position}`): the
//! same proposals as `tandem/nextEdits`, for the document asked about, in the shape existing
//! next-edit clients read: `{edits: [{range, text, textDocument: {uri, version}, command}]}`,
//! nearest to the position first. The command reports the acceptance.

use crate::session::Server;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{OptionalVersionedTextDocumentIdentifier, Position};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InlineEditParams {
    pub text_document: OptionalVersionedTextDocumentIdentifier,
    pub position: Position,
}

pub(crate) async fn handle(server: &Server, params: InlineEditParams) -> Result<Value> {
    let doc = params.text_document;
    let mut edits = super::next_edits::proposals(server, &doc.uri).await?;
    edits.retain(|e| e.uri.as_deref() == Some(doc.uri.as_str()));
    let line = params.position.line;
    edits.sort_by_key(|e| e.range.0.0.abs_diff(line));
    let edits: Vec<Value> = edits
        .iter()
        .map(|e| {
            json!({
                "range": super::next_edits::range(e),
                "text": e.text,
                "textDocument": {"uri": doc.uri.as_str(), "version": doc.version},
                "command": super::suggestion_outcome::accepted(e.id),
            })
        })
        .collect();
    Ok(json!({ "edits": edits }))
}
