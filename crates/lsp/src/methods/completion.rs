//! `textDocument/completion`: the suggestion as a popup item, for clients without inline
//! completion.

use crate::session::Server;
use std::time::Duration;
use tandem_engine::{InlineAnswer, Suggestion};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// Popup completion for clients without inline completion: one item carrying the
/// suggestion, never waiting longer than `popup_wait_ms`; the model keeps working after that
/// so a later request can take the answer from the cache.
pub(crate) async fn handle(server: &Server, params: CompletionParams) -> Result<Option<CompletionResponse>> {
    let tdp = params.text_document_position;
    let wait = Duration::from_millis(server.settings().popup_wait_ms);
    let task = tokio::spawn({
        let server = server.clone();
        async move { server.complete(&tdp.text_document.uri, tdp.position, true).await }
    });
    let suggestion = match tokio::time::timeout(wait, task).await {
        Ok(Ok(Ok(s))) => Some(s),
        Ok(Ok(Err(e))) => return Err(e),
        Ok(Err(_)) | Err(_) => None,
    };
    let items = match suggestion {
        Some(Suggestion {
            answer: InlineAnswer::Text { text: suggestion, .. },
            id,
            position,
            word,
            word_start,
            replace: None,
        }) => {
            // Clients filter by the word before the cursor: the item replaces that word with
            // the word followed by the suggestion.
            let start = Position::new(word_start.0, word_start.1);
            let end = Position::new(position.0, position.1);
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
                command: Some(super::suggestion_outcome::accepted(id)),
                ..CompletionItem::default()
            }]
        }
        _ => Vec::new(),
    };
    Ok(Some(CompletionResponse::List(CompletionList { is_incomplete: true, items })))
}
