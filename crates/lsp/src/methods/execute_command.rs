//! `workspace/executeCommand`: `tandem.suggestionOutcome` (see `suggestion_outcome.rs`), and
//! `tandem.explain` with arguments `[{"uri": ..., "range": ...}]` (no
//! range: the whole document) answers `{"markdown", "model", "route", "reason", "degraded"}` from
//! the model the router picks. The code is the open document's text, else the workspace file's
//! (read off the async threads; nothing outside the workspace is read for a client); a fallback
//! to the local model sends `tandem/status` "degraded".

use crate::session::{Model, Server};
use crate::status::status;
use serde_json::{Value, json};
use std::sync::Arc;
use tandem_engine::{Cancel, ExplainError, ExplainRequest, Focus, OpenDocument, Progress};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

pub const COMMAND: &str = "tandem.explain";
pub const TITLE: &str = "Explain with tandem";

pub(crate) fn options() -> ExecuteCommandOptions {
    let commands = vec![COMMAND.into(), super::suggestion_outcome::COMMAND.into()];
    ExecuteCommandOptions { commands, ..ExecuteCommandOptions::default() }
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

/// `workspace/executeCommand`.
pub(crate) async fn handle(server: &Server, params: ExecuteCommandParams) -> Result<Option<Value>> {
    if params.command == super::suggestion_outcome::COMMAND {
        let report = params.arguments.first().unwrap_or(&Value::Null);
        super::suggestion_outcome::record(server, report).map_err(Error::invalid_params)?;
        return Ok(None);
    }
    if params.command != COMMAND {
        return Err(Error::invalid_params(format!(
            "unknown command `{}` (tandem offers `{COMMAND}`)",
            params.command
        )));
    }
    let arg = params.arguments.first().ok_or_else(|| {
        Error::invalid_params(format!("`{COMMAND}` needs one argument: {{\"uri\": ..., \"range\": ...}}"))
    })?;
    let uri: Uri =
        arg.get("uri").cloned().ok_or_else(|| Error::invalid_params("the argument has no `uri`")).and_then(
            |u| serde_json::from_value(u).map_err(|e| Error::invalid_params(format!("bad uri: {e}"))),
        )?;
    let range: Option<Range> = match arg.get("range") {
        None | Some(Value::Null) => None,
        Some(r) => Some(
            serde_json::from_value(r.clone())
                .map_err(|e| Error::invalid_params(format!("bad range: {e}")))?,
        ),
    };
    let req = explain_request(server, &uri, range).await?;
    let router = server.engine().router().clone();
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
                ExplainError::NoModel(_) if matches!(server.model(), Model::Loading) => {
                    "the local model is still loading; try again in a moment".to_owned()
                }
                _ => err.to_string(),
            };
            return Err(server_error(message));
        }
    };
    if let Some(why) = &e.degraded {
        status(&server.0.client, "degraded", &e.model, why).await;
    }
    Ok(Some(json!({
        "markdown": e.markdown,
        "model": e.model,
        "route": e.route,
        "reason": e.reason,
        "degraded": e.degraded.is_some(),
    })))
}

/// The code to explain, with a map of the workspace definitions it may use: the open document's
/// text (else the workspace file's), cut to `range`.
async fn explain_request(server: &Server, uri: &Uri, range: Option<Range>) -> Result<ExplainRequest> {
    let key = uri.as_str();
    let engine = server.engine();
    let doc = match engine.document(key) {
        Some(d) => d,
        None => {
            // Only the client's own open documents, and files of the workspace, are read:
            // a URI is no licence to read anything else on the machine.
            let rel = server.workspace_path(uri).ok_or_else(|| {
                Error::invalid_params(format!(
                    "document is not open and is not in the workspace, so it is not read: {key}"
                ))
            })?;
            let ws = server.workspace().clone();
            let name = rel.clone();
            let text = tokio::task::spawn_blocking(move || ws.read_file(&name))
                .await
                .map_err(|e| server_error(format!("reading the document failed: {e}")))?
                .map_err(|e| Error::invalid_params(format!("document is not open; {e}")))?;
            OpenDocument { text: Arc::new(text), language: String::new(), path: Some(rel) }
        }
    };
    let text = &doc.text;
    let (code, lines) = match range {
        None => (text.to_string(), None),
        Some(r) => {
            let enc = engine.encoding();
            let at = |p: Position| {
                doc.offset(p.line, p.character, enc)
                    .map_err(|e| Error::invalid_params(format!("bad range: {e}")))
            };
            let (start, end) = (at(r.start)?, at(r.end)?);
            if end < start {
                return Err(Error::invalid_params("bad range: it ends before it starts"));
            }
            let last =
                if r.end.character == 0 && r.end.line > r.start.line { r.end.line } else { r.end.line + 1 };
            (text[start..end].to_owned(), Some((r.start.line as usize + 1, last as usize)))
        }
    };
    if code.trim().is_empty() {
        return Err(Error::invalid_params("nothing to explain: the selection is empty"));
    }
    let workspace_map = doc.path.as_deref().and_then(|p| {
        let focus = [Focus { path: p, text }];
        server.workspace().map(&focus, &|s| s.len().div_ceil(4), engine.router().rules())
    });
    let language = (!doc.language.is_empty()).then(|| doc.language.clone());
    Ok(ExplainRequest { code, path: doc.path, language, lines, workspace_map, ..ExplainRequest::default() })
}
