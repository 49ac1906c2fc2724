//! The session: the state one client's handlers share (documents, settings, the model, the
//! workspace, the router) and the helpers they use to read it. The handlers are in `methods/`.

use crate::document::{Documents, Encoding};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tandem_engine::{CompletionSettings, Engine, InlineRequest, Router, Workspace};
use tower_lsp_server::Client;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

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
pub(crate) enum Model {
    Loading,
    Ready(Arc<Engine>),
    Failed(String),
}

#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) client: Client,
    pub(crate) docs: Mutex<Documents>,
    pub(crate) encoding: OnceLock<Encoding>,
    pub(crate) settings: Mutex<CompletionSettings>,
    pub(crate) model: Mutex<Model>,
    pub(crate) loader: Mutex<Option<LoaderCell>>,
    pub(crate) progress: OnceLock<bool>,

    pub(crate) workspace: Arc<Workspace>,
    /// The client can watch files for us (dynamic registration of didChangeWatchedFiles).
    pub(crate) watch: OnceLock<bool>,
    pub(crate) metrics_file: Option<PathBuf>,
    pub(crate) log_requests: bool,
    pub(crate) metrics_written: Mutex<Option<Instant>>,
    pub(crate) router: Arc<Router>,
    /// Index updates (parsing, reading files) run off the async threads one at a time, in the
    /// order their notifications arrived: an open, an edit and a close of one file never
    /// overtake each other.
    pub(crate) index_lane: Arc<tokio::sync::Mutex<()>>,
}

pub(crate) struct LoaderCell(pub(crate) Loader);

impl std::fmt::Debug for LoaderCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Loader")
    }
}

/// The tandem language server (cheap to clone; clones share state).
#[derive(Clone, Debug)]
pub struct Server(pub(crate) Arc<Session>);

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

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Server {
    pub fn new(client: Client, options: Options) -> Self {
        Self(Arc::new(Session {
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
            index_lane: Arc::default(),
            // Without a router: local only, on the completion model.
            router: options
                .router
                .unwrap_or_else(|| Arc::new(Router::new(Default::default(), Default::default(), None))),
        }))
    }

    pub(crate) fn encoding(&self) -> Encoding {
        self.0.encoding.get().copied().unwrap_or(Encoding::Utf16)
    }

    pub(crate) fn engine(&self) -> Option<Arc<Engine>> {
        match &*lock(&self.0.model) {
            Model::Ready(e) => Some(e.clone()),
            _ => None,
        }
    }

    /// The engine request for a position, or why there is none.
    pub(crate) fn request_at(
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
    pub(crate) fn relative_path(&self, uri: &Uri) -> Option<String> {
        let path = file_path(uri)?;
        let whole = || path.to_string_lossy().into_owned();
        Some(self.0.workspace.relative(&path).unwrap_or_else(whole))
    }

    /// A document's path inside the workspace, if it is in it (by name, `..` resolved).
    pub(crate) fn workspace_path(&self, uri: &Uri) -> Option<String> {
        self.0.workspace.relative(&file_path(uri)?)
    }

    pub(crate) fn range_at(&self, text: &str, cursor: usize) -> Range {
        let (line, character) = crate::document::position(text, cursor, self.encoding());
        Range::new(Position::new(line, character), Position::new(line, character))
    }

    /// Keeps a copy of the metrics on disk for `tandem stats`, at most once a second.
    /// After a completion request: its record on stderr (when asked), the metrics on disk.
    pub(crate) fn answered(&self, engine: &Engine) {
        if self.0.log_requests
            && let Some(r) = engine.metrics().metrics.recent.back()
        {
            crate::log::line(format!("tandem: request {}", serde_json::to_string(r).unwrap_or_default()));
        }
        self.save_metrics(engine);
    }

    pub(crate) fn save_metrics(&self, engine: &Engine) {
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

    /// Runs `job` on the workspace off the async threads, after every job queued before it.
    /// Waiting for the lane is the handler's first await, so jobs keep their messages' order.
    pub(crate) async fn index(&self, job: impl FnOnce(&Workspace) + Send + 'static) {
        let turn = self.0.index_lane.clone().lock_owned().await;
        let ws = self.0.workspace.clone();
        tokio::task::spawn_blocking(move || {
            job(&ws);
            drop(turn);
        });
    }
}
