//! `textDocument/inlineCompletion` (LSP 3.18): the engine's suggestion at the cursor, as one item.

use crate::session::Server;
use tandem_engine::InlineAnswer;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

/// `textDocument/inlineCompletion` (LSP 3.18).
pub(crate) async fn handle(
    server: &Server,
    params: InlineCompletionParams,
) -> Result<Option<InlineCompletionResponse>> {
    let tdp = params.text_document_position;
    let explicit = params.context.trigger_kind == InlineCompletionTriggerKind::INVOKED;
    let Some((req, engine)) = server.request_at(&tdp.text_document.uri, tdp.position, explicit)? else {
        return Ok(Some(InlineCompletionResponse::Array(Vec::new())));
    };
    let range = server.range_at(&req.text, req.cursor);
    let answer = engine.inline(req).await.map_err(|e| Error::invalid_params(e.to_string()))?;
    server.answered(&engine);
    let items = match answer {
        InlineAnswer::Text { text, .. } => vec![InlineCompletionItem {
            insert_text: text,
            filter_text: None,
            range: Some(range),
            command: None,
            insert_text_format: None,
        }],
        InlineAnswer::Empty | InlineAnswer::Cancelled => Vec::new(),
    };
    Ok(Some(InlineCompletionResponse::Array(items)))
}
