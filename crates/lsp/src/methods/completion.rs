//! `textDocument/completion`: the suggestion as a popup item, for clients without inline
//! completion.

use crate::session::Server;
use std::time::Duration;
use tandem_engine::InlineAnswer;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

/// Popup completion for clients without inline completion: one item carrying the
/// suggestion, never waiting longer than `popup_wait_ms`; the model keeps working after that
/// so a later request can take the answer from the cache.
pub(crate) async fn handle(server: &Server, params: CompletionParams) -> Result<Option<CompletionResponse>> {
    let tdp = params.text_document_position;
    let Some((req, engine)) = server.request_at(&tdp.text_document.uri, tdp.position, true)? else {
        return Ok(Some(CompletionResponse::List(CompletionList { is_incomplete: true, items: Vec::new() })));
    };
    let wait = Duration::from_millis(engine.settings().popup_wait_ms);
    let text = req.text.clone();
    let cursor = req.cursor;
    let task = tokio::spawn({
        let engine = engine.clone();
        async move { engine.inline(req).await }
    });
    let answer = match tokio::time::timeout(wait, task).await {
        Ok(Ok(Ok(a))) => a,
        Ok(Ok(Err(e))) => return Err(Error::invalid_params(e.to_string())),
        Ok(Err(_)) | Err(_) => InlineAnswer::Empty,
    };
    server.answered(&engine);
    let items = match answer {
        InlineAnswer::Text { text: suggestion, .. } => {
            // Clients filter by the word before the cursor: the item replaces that word with
            // the word followed by the suggestion.
            let before = &text[..cursor];
            let word_start = before
                .char_indices()
                .rev()
                .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
                .last()
                .map_or(cursor, |(i, _)| i);
            let word = &before[word_start..];
            let start = server.range_at(&text, word_start).start;
            let end = server.range_at(&text, cursor).end;
            let label = suggestion.lines().next().unwrap_or("").trim();
            let label: String = format!("{word}{label}").chars().take(80).collect();
            vec![CompletionItem {
                label,
                kind: Some(CompletionItemKind::TEXT),
                detail: Some("tandem".into()),
                filter_text: Some(format!("{word}{suggestion}")),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                    Range::new(start, end),
                    format!("{word}{suggestion}"),
                ))),
                ..CompletionItem::default()
            }]
        }
        InlineAnswer::Empty | InlineAnswer::Cancelled => Vec::new(),
    };
    Ok(Some(CompletionResponse::List(CompletionList { is_incomplete: true, items })))
}
