//! One module per LSP method (and per tandem method), named after it; each exposes `handle`. The
//! `LanguageServer` impl here only hands each method to its module.

use crate::session::Server;
use serde_json::Value;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

pub(crate) mod code_action;
pub(crate) mod completion;
pub(crate) mod copilot_inline_edit;
pub(crate) mod cursor_rest;
pub(crate) mod did_change;
pub(crate) mod did_change_configuration;
pub(crate) mod did_change_watched_files;
pub(crate) mod did_close;
pub(crate) mod did_open;
pub(crate) mod did_save;
pub(crate) mod execute_command;
pub(crate) mod initialize;
pub(crate) mod initialized;
pub(crate) mod inline_completion;
pub(crate) mod metrics;
pub(crate) mod next_edits;
pub(crate) mod routing;
pub(crate) mod shutdown;
pub(crate) mod suggestion_outcome;

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        initialize::handle(self, params).await
    }

    async fn initialized(&self, _: InitializedParams) {
        initialized::handle(self);
    }

    async fn shutdown(&self) -> Result<()> {
        shutdown::handle(self).await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        did_open::handle(self, params).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        did_change::handle(self, params).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        did_save::handle(self, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        did_close::handle(self, params).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        did_change_watched_files::handle(self, params).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        did_change_configuration::handle(self, params).await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        completion::handle(self, params).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(code_action::handle(params))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        execute_command::handle(self, params).await
    }
}

impl Server {
    /// `textDocument/inlineCompletion` (LSP 3.18; a custom method for tower-lsp-server).
    pub async fn inline_completion(
        &self,
        params: InlineCompletionParams,
    ) -> Result<Option<InlineCompletionResponse>> {
        inline_completion::handle(self, params).await
    }

    /// `tandem/nextEdits`.
    pub async fn next_edits(&self, params: next_edits::NextEditsParams) -> Result<Value> {
        next_edits::handle(self, params).await
    }

    /// `textDocument/copilotInlineEdit`.
    pub async fn copilot_inline_edit(&self, params: copilot_inline_edit::InlineEditParams) -> Result<Value> {
        copilot_inline_edit::handle(self, params).await
    }

    /// `tandem/cursorRest` (notification).
    pub async fn cursor_rest(&self, params: cursor_rest::CursorRestParams) {
        cursor_rest::handle(self, params);
    }

    /// `tandem/suggestionOutcome` (notification).
    pub async fn suggestion_outcome(&self, params: Value) {
        suggestion_outcome::handle(self, params);
    }

    /// `tandem/metrics`.
    pub async fn metrics(&self) -> Result<Value> {
        metrics::handle(self)
    }

    /// `tandem/routing`.
    pub async fn routing(&self) -> Result<Value> {
        routing::handle(self)
    }
}
