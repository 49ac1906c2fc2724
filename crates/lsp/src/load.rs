//! The background work a session starts once the client is ready: loading the model off the
//! async threads (with progress and `tandem/status`), then indexing the workspace and asking the
//! client to watch its files.

use crate::session::{LoaderCell, Server, lock};
use crate::status::status;
use std::time::Instant;
use tower_lsp_server::ls_types::*;

/// Loads the model off the async threads, reporting progress, then starts the engine.
pub(crate) async fn model(server: Server) {
    let Some(LoaderCell(loader)) = lock(&server.0.loader).take() else { return };
    let client = &server.0.client;
    let token = ProgressToken::String("tandem/loading".into());
    let progress = if server.0.progress.get().copied().unwrap_or(false)
        && client
            .send_request::<request::WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: token.clone(),
            })
            .await
            .is_ok()
    {
        Some(client.progress(token, "tandem").with_message("loading the model").begin().await)
    } else {
        None
    };
    let started = Instant::now();
    status(client, "loading", "", "loading the model").await;
    let result = tokio::task::spawn_blocking(loader)
        .await
        .unwrap_or_else(|e| Err(tandem_engine::LoadError::Crashed(e.to_string())))
        .map_err(|e| e.to_string());
    match result {
        Ok(backend) => {
            let model = backend.info().model;
            server.engine().attach(backend);
            larger(&server, &model);
            let msg = format!("model {model} ready in {:.1} s", started.elapsed().as_secs_f64());
            client.log_message(MessageType::INFO, format!("tandem: {msg}")).await;
            status(client, "ready", &model, &msg).await;
            if let Some(p) = progress {
                p.finish_with_message(msg).await;
            }
        }
        Err(e) => {
            *lock(&server.0.load_error) = Some(e.clone());
            if let Some(p) = progress {
                p.finish_with_message("no model").await;
            }
            status(client, "error", "", &e).await;
            client.show_message(MessageType::ERROR, format!("tandem: no completions: {e}")).await;
        }
    }
}

/// Lets completions route up to the larger local model (the router's, for explanations, when
/// it is another one than the completion model `model`), when the settings want that: loaded
/// the first time a request needs it.
fn larger(server: &Server, model: &str) {
    if !server.settings().route_up {
        return;
    }
    let router = server.engine().router().clone();
    let model = model.to_owned();
    server
        .engine()
        .larger_when_needed(Box::new(move || router.local().ok().filter(|l| l.info().model != model)));
}

/// Indexes the workspace in the background (completions don't wait for it), then asks the
/// client to report file changes.
pub(crate) async fn workspace(server: Server) {
    let engine = server.engine().clone();
    if engine.workspace().root().is_none() {
        return;
    }
    let report = tokio::task::spawn_blocking(move || engine.scan()).await.unwrap_or_default();
    let mut msg = format!(
        "tandem: indexed {} files ({} KiB) in {} ms, skipped {}",
        report.indexed,
        report.bytes / 1024,
        report.elapsed.as_millis(),
        report.skipped
    );
    if report.full {
        msg.push_str("; the index is full, the rest of the workspace is left out");
    }
    server.0.client.log_message(MessageType::INFO, msg).await;
    if server.0.watch.get().copied().unwrap_or(false) {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*".into()),
                kind: None,
            }],
        };
        let registration = Registration {
            id: "tandem/watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(e) = server.0.client.register_capability(vec![registration]).await {
            server.0.client.log_message(MessageType::WARNING, format!("tandem: no file watching: {e}")).await;
        }
    }
}
