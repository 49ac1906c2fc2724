//! The façade the faces drive: [`Engine`] owns each open document's whole life (text, version,
//! language, path, syntax tree and the completer's state, in one entry of `Documents`), the
//! workspace and its index, the router, the completion model once it is loaded, the settings,
//! the answer cache and the metrics. A face calls what it needs — open, change, save, close,
//! complete, plan, the text of a document for an explanation, metrics — and nothing else.
//!
//! Index updates (parsing a buffer, reading a file) run on one background thread, in the order
//! they were asked for: an open, an edit and a close of one file never overtake each other, and
//! no caller waits for them.

use crate::cache::{Cached, Lru};
use crate::document::{Change, Document, DocumentError, Documents, Encoding};
use crate::larger::{Larger, LargerLoader};
use crate::metrics::{Metrics, Snapshot};
use crate::next_edits::Proposals;
use crate::router::Router;
use crate::workspace::{ScanReport, Workspace};
use std::path::Path;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::{Duration, Instant};
use tandem_context::gather::Weights;
use tandem_core::{Cancel, CompletionSettings};
use tandem_model::Backend;

/// How often an edited buffer goes into the index again while it changes.
const REINDEX_EVERY: Duration = Duration::from_secs(2);

type Job = Box<dyn FnOnce(&Workspace) + Send>;

/// tandem's engine: see the module docs.
#[derive(Debug)]
pub struct Engine {
    pub(crate) docs: Arc<Mutex<Documents>>,
    pub(crate) workspace: Arc<Workspace>,
    router: Arc<Router>,
    /// What a request reads once when it starts.
    tuning: RwLock<Tuning>,
    /// The model completions use, once loaded.
    backend: RwLock<Option<Arc<dyn Backend>>>,
    /// A larger local model that answers again where the completion model has little
    /// confidence, when there is one.
    pub(crate) larger: Arc<Larger>,
    pub(crate) cache: Mutex<Lru<Cached>>,
    pub(crate) metrics: Mutex<Metrics>,
    /// The last suggestion's id.
    pub(crate) last_id: AtomicU64,
    /// The warm-up in flight (see [`Engine::warm`]): a request that needs the model stops it.
    pub(crate) warming: Mutex<Option<Cancel>>,
    /// The edits the last analysed edit implies (see [`Engine::next_edits`]).
    pub(crate) next: Mutex<Proposals>,
    indexer: OnceLock<Sender<Job>>,
}

/// The settings a request reads once, together.
#[derive(Clone, Debug)]
pub(crate) struct Tuning {
    pub settings: CompletionSettings,
    /// How context candidates are scored (the defaults, unless tuning overrides them).
    pub weights: Weights,
    /// How the editor counts characters in a line.
    pub encoding: Encoding,
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn read<T: Clone>(l: &RwLock<T>) -> T {
    l.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn write<T>(l: &RwLock<T>, value: T) {
    *l.write().unwrap_or_else(|e| e.into_inner()) = value;
}

fn update<T>(l: &RwLock<T>, f: impl FnOnce(&mut T)) {
    f(&mut l.write().unwrap_or_else(|e| e.into_inner()));
}

impl Engine {
    /// An engine with an empty workspace, routing nothing anywhere but to the local model.
    pub fn new(settings: CompletionSettings) -> Self {
        Self {
            docs: Arc::default(),
            workspace: Arc::default(),
            router: Arc::new(Router::new(Default::default(), Default::default(), None)),
            tuning: RwLock::new(Tuning { settings, weights: Weights::default(), encoding: Encoding::Utf16 }),
            backend: RwLock::new(None),
            larger: Arc::default(),
            cache: Mutex::new(Lru::new(64)),
            metrics: Mutex::default(),
            last_id: AtomicU64::new(0),
            warming: Mutex::default(),
            next: Mutex::default(),
            indexer: OnceLock::new(),
        }
    }

    pub fn with_workspace(mut self, workspace: Arc<Workspace>) -> Self {
        self.workspace = workspace;
        self
    }

    pub fn with_router(mut self, router: Arc<Router>) -> Self {
        self.router = router;
        self
    }

    /// The model completions use, from now on (and the router's local side for explanations).
    pub fn attach(&self, backend: Arc<dyn Backend>) {
        self.router.offer_local(backend.clone());
        write(&self.backend, Some(backend));
    }

    /// [`Engine::attach`], for building one.
    pub fn with_backend(self, backend: Arc<dyn Backend>) -> Self {
        self.attach(backend);
        self
    }

    /// The larger local model completions route up to, from now on.
    pub fn attach_larger(&self, backend: Arc<dyn Backend>) {
        self.larger.attach(backend);
    }

    /// The larger local model completions route up to, loaded by `loader` the first time a
    /// request needs it.
    pub fn larger_when_needed(&self, loader: LargerLoader) {
        self.larger.load_when_needed(loader);
    }

    /// The larger model, when it is loaded.
    pub fn larger(&self) -> Option<Arc<dyn Backend>> {
        self.larger.get()
    }

    pub fn backend(&self) -> Option<Arc<dyn Backend>> {
        read(&self.backend)
    }

    pub fn workspace(&self) -> &Arc<Workspace> {
        &self.workspace
    }

    pub fn router(&self) -> &Arc<Router> {
        &self.router
    }

    /// How the editor counts characters in a line (UTF-16 unless it says otherwise).
    pub fn set_encoding(&self, encoding: Encoding) {
        update(&self.tuning, |t| t.encoding = encoding);
    }

    pub fn encoding(&self) -> Encoding {
        self.tuning.read().unwrap_or_else(|e| e.into_inner()).encoding
    }

    pub(crate) fn tuning(&self) -> Tuning {
        read(&self.tuning)
    }

    /// The workspace folder (`None`: none). Resolves its links: blocking.
    pub fn set_root(&self, root: Option<&Path>) {
        self.router.set_root(root);
        self.workspace.set_root(root.map(Path::to_owned));
    }

    pub fn settings(&self) -> CompletionSettings {
        self.tuning.read().unwrap_or_else(|e| e.into_inner()).settings.clone()
    }

    pub fn set_settings(&self, settings: CompletionSettings) {
        update(&self.tuning, |t| t.settings = settings);
    }

    /// Scores context candidates with `weights` (for tuning: `tandem bench --cases --weights`).
    pub fn set_weights(&self, weights: Weights) {
        update(&self.tuning, |t| t.weights = weights);
    }

    pub fn metrics(&self) -> Snapshot {
        lock(&self.metrics).snapshot()
    }

    /// Runs `job` on the index thread, after every job asked for before it.
    fn index(&self, job: impl FnOnce(&Workspace) + Send + 'static) {
        let sender = self.indexer.get_or_init(|| {
            let (tx, rx) = channel::<Job>();
            let workspace = self.workspace.clone();
            let spawned = std::thread::Builder::new().name("tandem-index".into()).spawn(move || {
                for job in rx {
                    job(&workspace);
                }
            });
            // Without the thread, sending fails and the index stays as it is: completions
            // still work.
            drop(spawned);
            tx
        });
        let _ = sender.send(Box::new(job));
    }

    /// Waits until the index holds every update asked for so far (for one-shot commands and
    /// tests: the editor never waits for the index).
    pub fn wait_for_index(&self) {
        let (tx, rx) = channel();
        self.index(move |_| {
            let _ = tx.send(());
        });
        let _ = rx.recv();
    }

    /// The editor opened a document: its text is the engine's from now on. `path` is the file
    /// it names (`..` resolved), if any.
    pub fn open(&self, uri: &str, path: Option<&Path>, text: String, version: i32, language: String) {
        let rel = path.and_then(|p| self.workspace.relative(p));
        let shown = rel.clone().or_else(|| path.map(|p| p.to_string_lossy().into_owned()));
        let mut doc = Document::new(text, version, language, shown, rel.clone());
        let snapshot = rel.as_ref().map(|_| doc.text.clone());
        doc.indexed_at = rel.as_ref().map(|_| Instant::now());
        if let Some(old) = lock(&self.docs).open(uri.to_owned(), doc) {
            old.cancel();
        }
        // Parsing it into the index (and checking on disk whether it is a link) is blocking work.
        if let (Some(rel), Some(text)) = (rel, snapshot) {
            self.index(move |ws| ws.index_buffer(&rel, &text));
        }
    }

    /// Edits to an open document, in order; refused as a whole (the document left as it was)
    /// when one does not fit. Now and then the buffer goes into the index.
    pub fn change(&self, uri: &str, version: i32, changes: &[Change]) -> Result<(), DocumentError> {
        let encoding = self.encoding();
        let due = {
            let mut docs = lock(&self.docs);
            let doc = docs.get_mut(uri)?;
            doc.change(uri, version, changes, encoding)?;
            let due = doc.rel.is_some() && doc.indexed_at.is_none_or(|t| t.elapsed() >= REINDEX_EVERY);
            if due {
                doc.indexed_at = Some(Instant::now());
            }
            due.then(|| (doc.rel.clone().unwrap_or_default(), doc.text.clone()))
        };
        if let Some((rel, text)) = due {
            self.index(move |ws| ws.index_buffer(&rel, &text));
        }
        Ok(())
    }

    /// The document was saved: its buffer goes into the index.
    pub fn save(&self, uri: &str) {
        let buffer = lock(&self.docs).get(uri).and_then(|d| Some((d.rel.clone()?, d.text.clone())));
        if let Some((rel, text)) = buffer {
            self.index(move |ws| ws.index_buffer(&rel, &text));
        }
    }

    /// The editor closed a document: it is forgotten (its request in flight cancelled), and the
    /// file on disk counts again for the index.
    pub fn close(&self, uri: &str) {
        let Some(doc) = lock(&self.docs).close(uri) else { return };
        doc.cancel();
        if let Some(rel) = doc.rel {
            self.reload(vec![rel]);
        }
    }

    /// Workspace files changed on disk (paths relative to the workspace): read into the index
    /// again, except those open in the editor.
    pub fn reload(&self, paths: Vec<String>) {
        let docs = self.docs.clone();
        self.index(move |ws| {
            for p in paths {
                // Asked when the job runs: a document opened since keeps its buffer.
                if !lock(&docs).is_open(&p) {
                    ws.reload(&p);
                }
            }
        });
    }

    /// Indexes the workspace from disk, leaving the open documents' buffers in place. Blocking.
    pub fn scan(&self) -> ScanReport {
        self.workspace.scan_except(&|rel| lock(&self.docs).is_open(rel))
    }

    /// An open document's text (a snapshot), its language id and its path, for an explanation.
    pub fn document(&self, uri: &str) -> Option<OpenDocument> {
        let docs = lock(&self.docs);
        let d = docs.get(uri)?;
        Some(OpenDocument { text: d.text.clone(), language: d.language.clone(), path: d.path.clone() })
    }
}

/// An open document's text as it was when asked for.
#[derive(Clone, Debug)]
pub struct OpenDocument {
    pub text: Arc<String>,
    pub language: String,
    pub path: Option<String>,
}

impl OpenDocument {
    /// The byte offset of an editor position.
    pub fn offset(&self, line: u32, character: u32, encoding: Encoding) -> Result<usize, DocumentError> {
        Ok(crate::document::offset(&self.text, line, character, encoding)?)
    }
}

impl Document {
    /// Cancels the document's request in flight.
    fn cancel(&self) {
        if let Some(c) = &self.completion.inflight {
            c.cancel();
        }
    }
}
