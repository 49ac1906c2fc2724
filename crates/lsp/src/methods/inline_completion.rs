//! `textDocument/inlineCompletion` (LSP 3.18): the engine's suggestion at the cursor, as one item,
//! with the command that reports its acceptance.

use crate::session::Server;
use tandem_engine::InlineAnswer;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// `textDocument/inlineCompletion` (LSP 3.18).
pub(crate) async fn handle(
    server: &Server,
    params: InlineCompletionParams,
) -> Result<Option<InlineCompletionResponse>> {
    let tdp = params.text_document_position;
    let explicit = params.context.trigger_kind == InlineCompletionTriggerKind::INVOKED;
    let s = server.complete(&tdp.text_document.uri, tdp.position, explicit).await?;
    let at = Position::new(s.position.0, s.position.1);
    // A next edit on the cursor's line replaces its own range.
    let range = match s.replace {
        Some(((l0, c0), (l1, c1))) => Range::new(Position::new(l0, c0), Position::new(l1, c1)),
        None => Range::new(at, at),
    };
    let items = match s.answer {
        InlineAnswer::Text { text, .. } => vec![InlineCompletionItem {
            insert_text: text,
            filter_text: None,
            range: Some(range),
            command: Some(super::suggestion_outcome::accepted(s.id)),
            insert_text_format: None,
        }],
        InlineAnswer::Empty | InlineAnswer::Cancelled => Vec::new(),
    };
    Ok(Some(InlineCompletionResponse::Array(items)))
}
