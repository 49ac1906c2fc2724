//! The session: what one client's handlers share — the engine (which owns the documents, the
//! workspace, the router, the settings and the model), the client's capabilities, and the state
//! of the model's load — and the helpers they use. The handlers are in `methods/`.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tandem_engine::{CompletionSettings, Engine, Place, Router, Workspace};
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

/// Where the model's load is: ready once the engine has the model, failed with the loader's
/// error, loading otherwise.
#[derive(Debug)]
pub(crate) enum Model {
    Loading,
    Ready,
    Failed(String),
}

#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) client: Client,
    pub(crate) engine: Arc<Engine>,
    /// Why the model could not be loaded.
    pub(crate) load_error: Mutex<Option<String>>,
    pub(crate) loader: Mutex<Option<LoaderCell>>,
    pub(crate) progress: OnceLock<bool>,
    /// The client can watch files for us (dynamic registration of didChangeWatchedFiles).
    pub(crate) watch: OnceLock<bool>,
    pub(crate) metrics_file: Option<PathBuf>,
    pub(crate) log_requests: bool,
    pub(crate) metrics_written: Mutex<Option<Instant>>,
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
        // Without a router: local only, on the completion model.
        let router = options
            .router
            .unwrap_or_else(|| Arc::new(Router::new(Default::default(), Default::default(), None)));
        let engine = Engine::new(options.settings).with_workspace(Arc::default()).with_router(router);
        Self(Arc::new(Session {
            client,
            engine: Arc::new(engine),
            load_error: Mutex::new(None),
            loader: Mutex::new(Some(LoaderCell(options.loader))),
            progress: OnceLock::new(),
            watch: OnceLock::new(),
            metrics_file: options.metrics_file,
            log_requests: options.log_requests,
            metrics_written: Mutex::new(None),
        }))
    }

    pub(crate) fn model(&self) -> Model {
        if self.0.engine.backend().is_some() {
            return Model::Ready;
        }
        lock(&self.0.load_error).clone().map_or(Model::Loading, Model::Failed)
    }

    pub(crate) fn engine(&self) -> &Arc<Engine> {
        &self.0.engine
    }

    pub(crate) fn workspace(&self) -> &Arc<Workspace> {
        self.0.engine.workspace()
    }

    pub(crate) fn settings(&self) -> CompletionSettings {
        self.0.engine.settings()
    }

    /// The suggestion at an editor position (empty while no model is loaded), or why there is
    /// none.
    pub(crate) async fn complete(
        &self,
        uri: &Uri,
        pos: Position,
        explicit: bool,
    ) -> Result<tandem_engine::Suggestion> {
        let place = Place::Position { line: pos.line, character: pos.character };
        let suggestion = self
            .0
            .engine
            .complete(uri.as_str(), place, explicit)
            .await
            .map_err(|e| Error::invalid_params(e.to_string()))?;
        self.answered();
        Ok(suggestion)
    }

    /// A document's path inside the workspace, if it is in it (by name, `..` resolved).
    pub(crate) fn workspace_path(&self, uri: &Uri) -> Option<String> {
        self.workspace().relative(&file_path(uri)?)
    }

    /// Keeps a copy of the metrics on disk for `tandem stats`, at most once a second.
    /// After a completion request: its record on stderr (when asked), the metrics on disk.
    pub(crate) fn answered(&self) {
        if self.0.log_requests
            && let Some(r) = self.0.engine.metrics().metrics.recent.back()
        {
            crate::log::line(format!("tandem: request {}", serde_json::to_string(r).unwrap_or_default()));
        }
        self.save_metrics();
    }

    pub(crate) fn save_metrics(&self) {
        let Some(path) = &self.0.metrics_file else { return };
        {
            let mut last = lock(&self.0.metrics_written);
            if last.is_some_and(|t| t.elapsed() < Duration::from_secs(1)) {
                return;
            }
            *last = Some(Instant::now());
        }
        let Some(backend) = self.0.engine.backend() else { return };
        let mut v = serde_json::to_value(self.0.engine.metrics()).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("model".into(), json!(backend.info().model));
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
