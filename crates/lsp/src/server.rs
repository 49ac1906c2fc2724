//! The language server: lifecycle, document sync, inline and popup completions, configuration,
//! progress while the model loads, and tandem's custom methods. Explanations live in
//! [`explain`].

#[path = "explain.rs"]
pub mod explain;

use crate::document::{Change, Documents, Encoding};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tandem_engine::{CompletionSettings, Engine, InlineAnswer, InlineRequest, Router, Workspace};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// Loads the model; runs once, on a blocking thread, after `initialized`.
pub type Loader = tandem_engine::LocalLoader;

/// What the server starts with.
pub struct Options {
    /// Settings from the config file; `initializationOptions` and configuration changes apply
    /// on top.
    pub settings: CompletionSettings,
    pub loader: Loader,
    /// Where to keep a copy of the metrics for `tandem stats`.
    pub metrics_file: Option<PathBuf>,
    /// Log each completion request's record (stages, tokens) on stderr.
    pub log_requests: bool,
    /// Routes explanations; `None`: local only, on the completion model.
    pub router: Option<Arc<Router>>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("settings", &self.settings)
            .field("metrics_file", &self.metrics_file)
            .field("log_requests", &self.log_requests)
            .finish()
    }
}

/// The state of the model behind the server.
#[derive(Debug)]
enum Model {
    Loading,
    Ready(Arc<Engine>),
    Failed(String),
}

#[derive(Debug)]
struct Inner {
    client: Client,
    docs: Mutex<Documents>,
    encoding: OnceLock<Encoding>,
    settings: Mutex<CompletionSettings>,
    model: Mutex<Model>,
    loader: Mutex<Option<LoaderCell>>,
    progress: OnceLock<bool>,

    workspace: Arc<Workspace>,
    /// The client can watch files for us (dynamic registration of didChangeWatchedFiles).
    watch: OnceLock<bool>,
    metrics_file: Option<PathBuf>,
    log_requests: bool,
    metrics_written: Mutex<Option<Instant>>,
    router: Arc<Router>,
}

struct LoaderCell(Loader);

impl std::fmt::Debug for LoaderCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loader")
    }
}

/// The tandem language server (cheap to clone; clones share state).
#[derive(Clone, Debug)]
pub struct Server(Arc<Inner>);

/// The file a `file:` URI names, percent-decoding undone and `.`/`..` resolved by name; `None`
/// for other schemes or a path that climbs above `/`.
pub(crate) fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?;
    if !path.is_absolute() {
        return None;
    }
    tandem_engine::files::normalize(&path)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Applies `overlay` (the keys a client sent) over `base`.
pub fn merge_settings(
    base: &CompletionSettings,
    overlay: &Value,
) -> std::result::Result<CompletionSettings, String> {
    let mut merged = serde_json::to_value(base).map_err(|e| e.to_string())?;
    let Some(over) = overlay.as_object() else {
        return Err(format!("completion settings must be an object, got {overlay}"));
    };
    if let Some(m) = merged.as_object_mut() {
        for (k, v) in over {
            m.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(merged).map_err(|e| format!("invalid completion settings: {e}"))
}

/// The `completion` object of initialization options or configuration, at the top level or
/// under `tandem`.
fn completion_section(v: &Value) -> Option<&Value> {
    v.get("completion").or_else(|| v.get("tandem").and_then(|t| t.get("completion")))
}

impl Server {
    pub fn new(client: Client, options: Options) -> Self {
        Self(Arc::new(Inner {
            client,
            docs: Mutex::default(),
            encoding: OnceLock::new(),
            settings: Mutex::new(options.settings),
            model: Mutex::new(Model::Loading),
            loader: Mutex::new(Some(LoaderCell(options.loader))),
            progress: OnceLock::new(),
            workspace: Arc::default(),
            watch: OnceLock::new(),
            metrics_file: options.metrics_file,
            log_requests: options.log_requests,
            metrics_written: Mutex::new(None),
            router: options.router.unwrap_or_else(explain::default_router),
        }))
    }

    fn encoding(&self) -> Encoding {
        self.0.encoding.get().copied().unwrap_or(Encoding::Utf16)
    }

    fn engine(&self) -> Option<Arc<Engine>> {
        match &*lock(&self.0.model) {
            Model::Ready(e) => Some(e.clone()),
            _ => None,
        }
    }

    async fn apply_settings(&self, section: &Value) {
        let merged = merge_settings(&lock(&self.0.settings).clone(), section);
        match merged {
            Ok(s) => {
                if let Some(e) = self.engine() {
                    e.set_settings(s.clone());
                }
                *lock(&self.0.settings) = s;
            }
            Err(e) => self.0.client.show_message(MessageType::ERROR, format!("tandem: {e}")).await,
        }
    }

    /// Loads the model off the async threads, reporting progress, then starts the engine.
    async fn load(self) {
        let Some(LoaderCell(loader)) = lock(&self.0.loader).take() else { return };
        let client = &self.0.client;
        let token = ProgressToken::String("tandem/loading".into());
        let progress = if self.0.progress.get().copied().unwrap_or(false)
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
        explain::status(client, "loading", "", "loading the model").await;
        let result = tokio::task::spawn_blocking(loader)
            .await
            .unwrap_or_else(|e| Err(format!("the model loader failed: {e}")));
        match result {
            Ok(backend) => {
                let model = backend.info().model;
                self.0.router.offer_local(backend.clone());
                let settings = lock(&self.0.settings).clone();
                let engine = Engine::with_workspace(backend, settings, self.0.workspace.clone());
                *lock(&self.0.model) = Model::Ready(Arc::new(engine));
                let msg = format!("model {model} ready in {:.1} s", started.elapsed().as_secs_f64());
                client.log_message(MessageType::INFO, format!("tandem: {msg}")).await;
                explain::status(client, "ready", &model, &msg).await;
                if let Some(p) = progress {
                    p.finish_with_message(msg).await;
                }
            }
            Err(e) => {
                *lock(&self.0.model) = Model::Failed(e.clone());
                if let Some(p) = progress {
                    p.finish_with_message("no model").await;
                }
                explain::status(client, "error", "", &e).await;
                client.show_message(MessageType::ERROR, format!("tandem: no completions: {e}")).await;
            }
        }
    }

    /// The engine request for a position, or why there is none.
    fn request_at(
        &self,
        uri: &Uri,
        pos: Position,
        explicit: bool,
    ) -> Result<Option<(InlineRequest, Arc<Engine>)>> {
        let Some(engine) = self.engine() else { return Ok(None) };
        let key = uri.as_str().to_owned();
        let docs = lock(&self.0.docs);
        let doc =
            docs.get(&key).ok_or_else(|| Error::invalid_params(format!("document is not open: {key}")))?;
        let cursor = crate::document::offset(&doc.text, pos.line, pos.character, self.encoding())
            .map_err(|e| Error::invalid_params(e.to_string()))?;
        let path = self.relative_path(uri);
        let req = InlineRequest {
            document: key,
            text: doc.text.clone(),
            cursor,
            language: doc.language.clone(),
            path,
            explicit,
        };
        Ok(Some((req, engine)))
    }

    /// A document's path for prompts and the privacy rules: inside the workspace relative to it,
    /// else the whole path (`..` resolved).
    fn relative_path(&self, uri: &Uri) -> Option<String> {
        let path = file_path(uri)?;
        let whole = || path.to_string_lossy().into_owned();
        Some(self.0.workspace.relative(&path).unwrap_or_else(whole))
    }

    /// A document's path inside the workspace, if it is in it (by name, `..` resolved).
    fn workspace_path(&self, uri: &Uri) -> Option<String> {
        self.0.workspace.relative(&file_path(uri)?)
    }

    /// Indexes the workspace in the background (completions don't wait for it), then asks the
    /// client to report file changes.
    async fn index_workspace(self) {
        let ws = self.0.workspace.clone();
        if ws.root().is_none() {
            return;
        }
        let report = tokio::task::spawn_blocking(move || ws.scan()).await.unwrap_or_default();
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
        self.0.client.log_message(MessageType::INFO, msg).await;
        if self.0.watch.get().copied().unwrap_or(false) {
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
            if let Err(e) = self.0.client.register_capability(vec![registration]).await {
                self.0
                    .client
                    .log_message(MessageType::WARNING, format!("tandem: no file watching: {e}"))
                    .await;
            }
        }
    }

    fn range_at(&self, text: &str, cursor: usize) -> Range {
        let (line, character) = crate::document::position(text, cursor, self.encoding());
        Range::new(Position::new(line, character), Position::new(line, character))
    }

    /// `textDocument/inlineCompletion` (LSP 3.18).
    pub async fn inline_completion(
        &self,
        params: InlineCompletionParams,
    ) -> Result<Option<InlineCompletionResponse>> {
        let tdp = params.text_document_position;
        let explicit = params.context.trigger_kind == InlineCompletionTriggerKind::INVOKED;
        let Some((req, engine)) = self.request_at(&tdp.text_document.uri, tdp.position, explicit)? else {
            return Ok(Some(InlineCompletionResponse::Array(Vec::new())));
        };
        let range = self.range_at(&req.text, req.cursor);
        let answer = engine.inline(req).await.map_err(|e| Error::invalid_params(e.to_string()))?;
        self.answered(&engine);
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

    /// `tandem/metrics`: the engine's counters and recent request timings.
    pub async fn metrics(&self) -> Result<Value> {
        let state = match &*lock(&self.0.model) {
            Model::Loading => json!({"state": "loading"}),
            Model::Failed(e) => json!({"state": "failed", "error": e}),
            Model::Ready(e) => {
                let mut v = serde_json::to_value(e.metrics()).unwrap_or(Value::Null);
                if let Some(o) = v.as_object_mut() {
                    o.insert("state".into(), json!("ready"));
                    o.insert("model".into(), json!(e.backend().info().model));
                }
                v
            }
        };
        Ok(state)
    }

    /// Keeps a copy of the metrics on disk for `tandem stats`, at most once a second.
    /// After a completion request: its record on stderr (when asked), the metrics on disk.
    fn answered(&self, engine: &Engine) {
        if self.0.log_requests
            && let Some(r) = engine.metrics().metrics.recent.back()
        {
            crate::log::line(format!("tandem: request {}", serde_json::to_string(r).unwrap_or_default()));
        }
        self.save_metrics(engine);
    }

    fn save_metrics(&self, engine: &Engine) {
        let Some(path) = &self.0.metrics_file else { return };
        {
            let mut last = lock(&self.0.metrics_written);
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
                return;
            }
            *last = Some(Instant::now());
        }
        let mut v = serde_json::to_value(engine.metrics()).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("model".into(), json!(engine.backend().info().model));
            o.insert("pid".into(), json!(std::process::id()));
        }
        let tmp = path.with_extension("json.tmp");
        let written = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|()| {
            std::fs::write(&tmp, v.to_string())?;
            std::fs::rename(&tmp, path)
        });
        if let Err(e) = written {
            crate::log::line(format!("tandem: cannot write metrics to {}: {e}", path.display()));
        }
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let general = params.capabilities.general.as_ref();
        let offers_utf8 = general
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&PositionEncodingKind::UTF8));
        let encoding = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let _ = self.0.encoding.set(encoding);
        let progress =
            params.capabilities.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false);
        let _ = self.0.progress.set(progress);
        #[allow(deprecated)]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri.clone())
            .and_then(|u| file_path(&u));
        self.0.router.set_root(root.as_deref());
        self.0.workspace.set_root(root);
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        let _ = self.0.watch.set(watch);
        if let Some(section) = params.initialization_options.as_ref().and_then(completion_section) {
            self.apply_settings(section).await;
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
                execute_command_provider: Some(explain::command_options()),
                code_action_provider: Some(explain::code_action_capability()),
                ..ServerCapabilities::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // The index waits for the model: on two cores, parsing the workspace would slow the load
        // that every completion waits for.
        let server = self.clone();
        tokio::spawn(async move {
            server.clone().load().await;
            server.index_workspace().await;
        });
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        let text = lock(&self.0.docs).get(uri.as_str()).map(|d| d.text.clone());
        if let (Some(rel), Some(text)) = (self.workspace_path(&uri), text) {
            // Parsing is blocking work.
            let ws = self.0.workspace.clone();
            tokio::task::spawn_blocking(move || ws.buffer_changed(&rel, &text));
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let ws = self.0.workspace.clone();
        let paths: Vec<String> = params.changes.iter().filter_map(|c| self.workspace_path(&c.uri)).collect();
        // Reading files is blocking work.
        let _ = tokio::task::spawn_blocking(move || {
            for p in paths {
                ws.reload(&p);
            }
        })
        .await;
    }

    async fn shutdown(&self) -> Result<()> {
        if let Some(e) = self.engine() {
            *lock(&self.0.metrics_written) = None;
            self.save_metrics(&e);
        }
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let d = params.text_document;
        if let Some(rel) = self.workspace_path(&d.uri) {
            self.0.workspace.opened(&rel, &d.text);
        }
        lock(&self.0.docs).open(d.uri.as_str().to_owned(), d.text, d.version, d.language_id);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before the first await: edits keep their arrival order.
        let changes: Vec<Change> = params
            .content_changes
            .into_iter()
            .map(|c| Change {
                range: c.range.map(|r| ((r.start.line, r.start.character), (r.end.line, r.end.character))),
                text: c.text,
            })
            .collect();
        let uri = params.text_document.uri.as_str().to_owned();
        let result = lock(&self.0.docs).change(&uri, params.text_document.version, &changes, self.encoding());
        if let Err(e) = result {
            self.0.client.log_message(MessageType::ERROR, format!("tandem: {e}")).await;
            return;
        }
        // Now and then, the edited buffer's definitions go into the index for the other files.
        if let Some(rel) = self.workspace_path(&params.text_document.uri)
            && self.0.workspace.due(&rel)
            && let Some(text) = lock(&self.0.docs).get(&uri).map(|d| d.text.clone())
        {
            let ws = self.0.workspace.clone();
            tokio::task::spawn_blocking(move || ws.buffer_changed(&rel, &text));
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Some(rel) = self.workspace_path(&params.text_document.uri) {
            let ws = self.0.workspace.clone();
            tokio::task::spawn_blocking(move || ws.closed(&rel));
        }
        let uri = params.text_document.uri.as_str().to_owned();
        lock(&self.0.docs).close(&uri);
        if let Some(e) = self.engine() {
            e.close(&uri);
        }
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(self.explain_action(params))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        self.execute(params).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        if let Some(section) = completion_section(&params.settings) {
            self.apply_settings(section).await;
        }
    }

    /// Popup completion for clients without inline completion: one item carrying the
    /// suggestion, never waiting longer than `popup_wait_ms`; the model keeps working after that
    /// so a later request can take the answer from the cache.
    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let tdp = params.text_document_position;
        let Some((req, engine)) = self.request_at(&tdp.text_document.uri, tdp.position, true)? else {
            return Ok(Some(CompletionResponse::List(CompletionList {
                is_incomplete: true,
                items: Vec::new(),
            })));
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
        self.answered(&engine);
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
                let start = self.range_at(&text, word_start).start;
                let end = self.range_at(&text, cursor).end;
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
}
