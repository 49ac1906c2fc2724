//! `initialize`: the client's capabilities (position encoding, progress, file watching), the
//! workspace root, the first settings, and what the server offers.

use crate::session::{Server, file_path};
use crate::settings::completion_section;
use tandem_engine::Encoding;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

pub(crate) async fn handle(server: &Server, params: InitializeParams) -> Result<InitializeResult> {
    let general = params.capabilities.general.as_ref();
    let offers_utf8 = general
        .and_then(|g| g.position_encodings.as_ref())
        .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
    let encoding = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
    server.engine().set_encoding(encoding);
    let progress = params.capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false);
    let _ = server.0.progress.set(progress);
    #[allow(deprecated)]
    let root = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or(params.root_uri.clone())
        .and_then(|u| file_path(&u));
    // Resolving the root's links touches the disk: off the async threads.
    let engine = server.engine().clone();
    let _ = tokio::task::spawn_blocking(move || engine.set_root(root.as_deref())).await;
    let watch = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let _ = server.0.watch.set(watch);
    if let Some(section) = params.initialization_options.as_ref().and_then(completion_section) {
        crate::settings::apply(server, section).await;
    }
    Ok(InitializeResult {
        server_info: Some(ServerInfo {
            name: "tandem".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        capabilities: ServerCapabilities {
            position_encoding: Some(match encoding {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            })),
            inline_completion_provider: Some(OneOf::Left(true)),
            completion_provider: Some(CompletionOptions::default()),
            execute_command_provider: Some(super::execute_command::options()),
            code_action_provider: Some(super::code_action::capability()),
            ..ServerCapabilities::default()
        },
        offset_encoding: None,
    })
}
