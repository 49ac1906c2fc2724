//! Explanations in the editor, and the `tandem/status` notification.
//!
//! `workspace/executeCommand` with command `tandem.explain` and arguments
//! `[{"uri": ..., "range": ...}]` (no range: the whole document) answers
//! `{"markdown", "model", "route", "reason", "degraded"}`; the code action "Explain with tandem",
//! offered for a non-empty selection, carries that command. `tandem/status` tells the client the
//! state of the models: `loading` / `ready` / `error` for the local model's load, `degraded`
//! when an explanation fell back to the local model. `tandem/routing` (request) returns the
//! router's metrics.
//!
//! A child module of `server`, so it reads the server's state without widening it.

use super::{Server, lock};
use serde_json::{Value, json};
use std::sync::Arc;
use tandem_engine::context::map::Focus;
use tandem_engine::{Cancel, ExplainError, ExplainRequest, Progress, Router};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::notification::Notification;
use tower_lsp_server::ls_types::*;

pub const COMMAND: &str = "tandem.explain";
pub const TITLE: &str = "Explain with tandem";

/// The `tandem/status` notification.
#[derive(Debug)]
pub enum TandemStatus {}

impl Notification for TandemStatus {
    type Params = Value;
    const METHOD: &'static str = "tandem/status";
}

/// Sends `tandem/status`.
pub async fn status(client: &Client, state: &str, model: &str, detail: &str) {
    client.send_notification::<TandemStatus>(json!({"state": state, "model": model, "detail": detail})).await;
}

/// The router a server uses when none was given: local only, on the completion model.
pub fn default_router() -> Arc<Router> {
    Arc::new(Router::new(Default::default(), Default::default(), None))
}

pub fn command_options() -> ExecuteCommandOptions {
    ExecuteCommandOptions { commands: vec![COMMAND.into()], ..ExecuteCommandOptions::default() }
}

pub fn code_action_capability() -> CodeActionProviderCapability {
    CodeActionProviderCapability::Simple(true)
}

/// Cancels the explanation when the request goes away (`$/cancelRequest`).
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

fn server_error(message: String) -> Error {
    Error { code: ErrorCode::ServerError(-32001), message: message.into(), data: None }
}

impl Server {
    /// `textDocument/codeAction`: "Explain with tandem" for a non-empty selection.
    pub(super) fn explain_action(&self, params: CodeActionParams) -> Option<CodeActionResponse> {
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
        let command = Command { title: TITLE.into(), command: COMMAND.into(), arguments: Some(vec![args]) };
        Some(vec![CodeActionOrCommand::CodeAction(CodeAction {
            title: TITLE.into(),
            command: Some(command),
            ..CodeAction::default()
        })])
    }

    /// `workspace/executeCommand`.
    pub(super) async fn execute(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command `{}` (tandem offers `{COMMAND}`)",
                params.command
            )));
        }
        let arg = params.arguments.first().ok_or_else(|| {
            Error::invalid_params(format!("`{COMMAND}` needs one argument: {{\"uri\": ..., \"range\": ...}}"))
        })?;
        let uri: Uri = arg
            .get("uri")
            .cloned()
            .ok_or_else(|| Error::invalid_params("the argument has no `uri`"))
            .and_then(|u| {
                serde_json::from_value(u).map_err(|e| Error::invalid_params(format!("bad uri: {e}")))
            })?;
        let range: Option<Range> = match arg.get("range") {
            None | Some(Value::Null) => None,
            Some(r) => Some(
                serde_json::from_value(r.clone())
                    .map_err(|e| Error::invalid_params(format!("bad range: {e}")))?,
            ),
        };
        let req = self.explain_request(&uri, range).await?;
        let router = self.0.router.clone();
        let cancel = Cancel::new();
        let _guard = CancelOnDrop(cancel.clone());
        let answer =
            tokio::task::spawn_blocking(move || router.explain(&req, &cancel, &mut |_: Progress<'_>| {}))
                .await
                .map_err(|e| server_error(format!("the explanation failed: {e}")))?;
        let e = match answer {
            Ok(e) => e,
            Err(err) => {
                let message = match &err {
                    ExplainError::NoModel(_) if matches!(*lock(&self.0.model), super::Model::Loading) => {
                        "the local model is still loading; try again in a moment".to_owned()
                    }
                    _ => err.to_string(),
                };
                return Err(server_error(message));
            }
        };
        if let Some(why) = &e.degraded {
            status(&self.0.client, "degraded", &e.model, why).await;
        }
        Ok(Some(json!({
            "markdown": e.markdown,
            "model": e.model,
            "route": e.route,
            "reason": e.reason,
            "degraded": e.degraded.is_some(),
        })))
    }

    /// The code to explain, with a map of the workspace definitions it may use: the open document's text (else the file on disk), cut to `range`.
    async fn explain_request(&self, uri: &Uri, range: Option<Range>) -> Result<ExplainRequest> {
        let key = uri.as_str().to_owned();
        let open = lock(&self.0.docs).get(&key).map(|d| (d.text.clone(), d.language.clone()));
        let (text, language): (Arc<str>, Option<String>) = match open {
            Some((t, l)) => (t, Some(l)),
            None => {
                // Only the client's own open documents, and files of the workspace, are read:
                // a URI is no licence to read anything else on the machine.
                let rel = self.workspace_path(uri).ok_or_else(|| {
                    Error::invalid_params(format!(
                        "document is not open and is not in the workspace, so it is not read: {key}"
                    ))
                })?;
                let ws = self.0.workspace.clone();
                let text = tokio::task::spawn_blocking(move || ws.read_file(&rel))
                    .await
                    .map_err(|e| server_error(format!("reading the document failed: {e}")))?
                    .map_err(|e| Error::invalid_params(format!("document is not open; {e}")))?;
                (text.into(), None)
            }
        };
        let (code, lines) = match range {
            None => (text.to_string(), None),
            Some(r) => {
                let enc = self.encoding();
                let at = |p: Position| {
                    crate::document::offset(&text, p.line, p.character, enc)
                        .map_err(|e| Error::invalid_params(format!("bad range: {e}")))
                };
                let (start, end) = (at(r.start)?, at(r.end)?);
                if end < start {
                    return Err(Error::invalid_params("bad range: it ends before it starts"));
                }
                let last = if r.end.character == 0 && r.end.line > r.start.line {
                    r.end.line
                } else {
                    r.end.line + 1
                };
                (text[start..end].to_owned(), Some((r.start.line as usize + 1, last as usize)))
            }
        };
        if code.trim().is_empty() {
            return Err(Error::invalid_params("nothing to explain: the selection is empty"));
        }
        let path = self.relative_path(uri);
        let workspace_map = path.as_deref().and_then(|p| {
            let focus = [Focus { path: p, text: &text }];
            self.0.workspace.map(&focus, &|s| s.len().div_ceil(4), self.0.router.rules())
        });
        Ok(ExplainRequest { code, path, language, lines, workspace_map, ..ExplainRequest::default() })
    }

    /// `tandem/routing`: the router's decisions and counts.
    pub async fn routing(&self) -> Result<Value> {
        Ok(serde_json::to_value(self.0.router.metrics()).unwrap_or(Value::Null))
    }
}
