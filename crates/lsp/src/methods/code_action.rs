//! `textDocument/codeAction`: "Explain with tandem" for a non-empty selection, carrying the
//! `tandem.explain` command.

use serde_json::json;
use tower_lsp_server::ls_types::*;

pub(crate) fn capability() -> CodeActionProviderCapability {
    CodeActionProviderCapability::Simple(true)
}

/// `textDocument/codeAction`: "Explain with tandem" for a non-empty selection.
pub(crate) fn handle(params: CodeActionParams) -> Option<CodeActionResponse> {
    let r = params.range;
    if r.start == r.end {
        return Some(Vec::new());
    }
    // The action has no kind (it is neither a fix nor a refactoring), so it is shown with a
    // selection's actions and left out when a client asks for particular kinds only
    // (source actions on save, quick fixes).
    if params.context.only.as_ref().is_some_and(|only| !only.is_empty()) {
        return Some(Vec::new());
    }
    let args = json!({"uri": params.text_document.uri, "range": r});
    let command = Command {
        title: super::execute_command::TITLE.into(),
        command: super::execute_command::COMMAND.into(),
        arguments: Some(vec![args]),
    };
    Some(vec![CodeActionOrCommand::CodeAction(CodeAction {
        title: super::execute_command::TITLE.into(),
        command: Some(command),
        ..CodeAction::default()
    })])
}
