//! The hot path: a keystroke's completion request to a suggestion.
//!
//! reuse (typed through the last suggestion) → cancel the document's older request → debounce →
//! context (workspace definitions and recent code, kept while the cursor stays near, then
//! syntax-aware windows whose start stays put across keystrokes, so the KV cache stays warm) →
//! LRU cache → model under a token budget → post-processing → metrics. The time budget covers
//! context and model together.
//!
//! Work per request is bounded by what the prompt needs: only the text near the cursor is looked
//! at, copied or tokenized, so a 50 MB document (or line) costs about what a small one does.

use crate::cache::{Lru, Shown};
use crate::metrics::{Metrics, RequestRecord, Snapshot, Source};
use crate::postprocess::{self, Span};
use crate::workspace::Workspace;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use tandem_context::Language;
use tandem_context::gather::{self, Context, MAX_PARSE_BYTES, Request, Snippet};
use tandem_context::window::Anchor;
use tandem_core::text::{ceil_char_boundary, floor_char_boundary};
use tandem_core::{
    Cancel, CompletionSettings, ContextFile, ContextLayout, FimPrompt, GenerationParams, Multiline, Prompt,
    StopReason,
};
use tandem_model::{Backend, BackendError, GenerateRequest};

/// A request for the suggestion at a cursor, in editor terms.
#[derive(Clone, Debug)]
pub struct InlineRequest {
    /// Identifies the document (its URI).
    pub document: String,
    /// The document's text when the request was made.
    pub text: Arc<str>,
    /// Byte offset of the cursor (a char boundary of `text`).
    pub cursor: usize,
    /// LSP language id.
    pub language: String,
    /// The document's path relative to the workspace, shown to the model.
    pub path: Option<String>,
    /// The user asked explicitly: no debounce.
    pub explicit: bool,
}

/// The suggestion, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InlineAnswer {
    Text {
        text: String,
        source: Source,
    },
    /// Nothing worth showing (or completions are off here).
    Empty,
    /// A newer request for the same document took over.
    Cancelled,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cursor offset {0} is not inside the document")]
    BadCursor(usize),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

#[derive(Debug)]
struct State {
    /// What the engine keeps for each open document, in one place: a closed document's entry
    /// goes as a whole.
    docs: HashMap<String, DocState>,
    cache: Lru,
}

impl State {
    fn doc(&mut self, document: &str) -> &mut DocState {
        self.docs.entry(document.to_owned()).or_default()
    }
}

/// One document's completion state.
#[derive(Debug, Default)]
struct DocState {
    /// The suggestion on screen, for typed-ahead reuse.
    shown: Option<Shown>,
    /// The request in flight, cancelled by the next one.
    inflight: Option<Cancel>,
    /// Where the prefix window starts, kept while the prefix fits its budget.
    anchor: Option<WindowStart>,
    /// The workspace context of the last prompt, kept while the cursor stays near.
    context: Option<Kept>,
}

/// Where a document's last prefix window started, the header lines in front of it, and a hash
/// of the text above that start (the headers are kept while it is unchanged).
#[derive(Debug)]
struct WindowStart {
    start: usize,
    headers: String,
    above: u64,
}

fn hash_of(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Workspace context chosen for a document, and where.
#[derive(Debug)]
struct Kept {
    files: Vec<ContextFile>,
    tokens: usize,
    line: usize,
    generation: u64,
}

/// Lines the cursor may move before the workspace context is chosen again.
const CONTEXT_LINES: usize = 12;

/// Bytes on either side of the cursor that typed-ahead reuse and post-processing look at: the
/// cursor's line and a few around it, however long the document or the line.
const NEAR_BYTES: usize = 4 * 1024;

/// The text before and after `cursor` (a char boundary) within [`NEAR_BYTES`] of it.
pub(crate) fn near(text: &str, cursor: usize) -> (&str, &str) {
    let start = ceil_char_boundary(text, cursor.saturating_sub(NEAR_BYTES));
    let end = floor_char_boundary(text, cursor.saturating_add(NEAR_BYTES));
    (&text[start..cursor], &text[cursor..end])
}

/// The completion engine shared by every request of a server.
#[derive(Debug)]
pub struct Engine {
    backend: Arc<dyn Backend>,
    workspace: Arc<Workspace>,
    settings: RwLock<CompletionSettings>,
    /// How context candidates are scored (the defaults, unless tuning overrides them).
    weights: RwLock<gather::Weights>,
    state: Mutex<State>,
    metrics: Mutex<Metrics>,
}

/// Cancels a generation when the request that started it goes away (`$/cancelRequest` drops the
/// handler's future).
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

impl Engine {
    /// An engine with an empty workspace.
    pub fn new(backend: Arc<dyn Backend>, settings: CompletionSettings) -> Self {
        Self::with_workspace(backend, settings, Arc::default())
    }

    pub fn with_workspace(
        backend: Arc<dyn Backend>,
        settings: CompletionSettings,
        workspace: Arc<Workspace>,
    ) -> Self {
        Self {
            backend,
            workspace,
            settings: RwLock::new(settings),
            weights: RwLock::new(gather::Weights::default()),
            state: Mutex::new(State { docs: HashMap::new(), cache: Lru::new(64) }),
            metrics: Mutex::new(Metrics::default()),
        }
    }

    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.backend
    }

    pub fn workspace(&self) -> &Arc<Workspace> {
        &self.workspace
    }

    pub fn settings(&self) -> CompletionSettings {
        self.settings.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_settings(&self, settings: CompletionSettings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    /// Scores context candidates with `weights` (for tuning: `tandem bench --cases --weights`).
    pub fn set_weights(&self, weights: gather::Weights) {
        *self.weights.write().unwrap_or_else(|e| e.into_inner()) = weights;
    }

    pub fn metrics(&self) -> Snapshot {
        self.metrics.lock().unwrap_or_else(|e| e.into_inner()).snapshot()
    }

    /// Forgets a closed document.
    pub fn close(&self, document: &str) {
        if let Some(c) = self.lock().docs.remove(document).and_then(|d| d.inflight) {
            c.cancel();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn record(&self, r: RequestRecord) {
        self.metrics.lock().unwrap_or_else(|e| e.into_inner()).record(r);
    }

    /// The suggestion at the request's cursor.
    pub async fn inline(&self, req: InlineRequest) -> Result<InlineAnswer, EngineError> {
        let start = Instant::now();
        let text = &*req.text;
        if req.cursor > text.len() || !text.is_char_boundary(req.cursor) {
            return Err(EngineError::BadCursor(req.cursor));
        }
        let settings = self.settings();
        let mut rec = RequestRecord::default();
        if !settings.language_enabled(&req.language) {
            rec.empty = true;
            self.record(rec);
            return Ok(InlineAnswer::Empty);
        }
        let before = &text[..req.cursor];
        let (near_before, near_after) = near(text, req.cursor);
        let after_line = near_after.split('\n').next().unwrap_or("");

        // 1. Typed-ahead reuse: no model call, no cancellation of work in flight.
        let reused = self
            .lock()
            .docs
            .get(&req.document)
            .and_then(|d| d.shown.as_ref()?.rest(before, after_line).map(str::to_owned));
        if let Some(rest) = reused {
            rec.source = Some(Source::Reuse);
            rec.total_ms = ms(start.elapsed());
            self.record(rec);
            return Ok(InlineAnswer::Text { text: rest, source: Source::Reuse });
        }

        // 2. Latest wins: this request supersedes the document's older one.
        let cancel = Cancel::new();
        if let Some(old) = self.lock().doc(&req.document).inflight.replace(cancel.clone()) {
            old.cancel();
        }
        let _guard = CancelOnDrop(cancel.clone());
        let answer = self
            .ask_model(
                &req,
                &settings,
                &cancel,
                (before, near_before, near_after),
                after_line,
                &mut rec,
                start,
            )
            .await;
        {
            let mut st = self.lock();
            if let Some(d) = st.docs.get_mut(&req.document)
                && d.inflight.as_ref().is_some_and(|c| c.same(&cancel))
            {
                d.inflight = None;
            }
        }
        rec.total_ms = ms(start.elapsed());
        match &answer {
            Ok(InlineAnswer::Cancelled) => rec.cancelled = true,
            Ok(InlineAnswer::Empty) => rec.empty = true,
            Ok(InlineAnswer::Text { .. }) => {}
            Err(_) => self.metrics.lock().unwrap_or_else(|e| e.into_inner()).errors += 1,
        }
        self.record(rec);
        answer
    }

    /// `before` is the whole text before the cursor; `near_before` and `near_after` the text
    /// around it that post-processing looks at.
    #[allow(clippy::too_many_arguments)]
    async fn ask_model(
        &self,
        req: &InlineRequest,
        settings: &CompletionSettings,
        cancel: &Cancel,
        (before, near_before, near_after): (&str, &str, &str),
        after_line: &str,
        rec: &mut RequestRecord,
        start: Instant,
    ) -> Result<InlineAnswer, EngineError> {
        if !req.explicit && settings.debounce_ms > 0 {
            tokio::time::sleep(Duration::from_millis(settings.debounce_ms)).await;
        }
        rec.debounce_ms = ms(start.elapsed());
        if cancel.is_cancelled() {
            return Ok(InlineAnswer::Cancelled);
        }
        let t = Instant::now();
        // The time budget starts after the debounce (a wait, not work) and covers the context
        // as well as the model: gathering stops looking for context when it is up.
        let deadline = t + Duration::from_millis(settings.time_budget_ms);
        let expired = || Instant::now() >= deadline;
        let count = |s: &str| self.backend.count_tokens(s).unwrap_or(s.len() / 3 + 1);
        let language = Language::detect(&req.language, req.path.as_deref().unwrap_or(""));
        let context = self.prompt_parts(req, language, settings, &count, &expired);
        rec.context_tokens = context.files_tokens;
        rec.context_files = context.files.len();
        let repository = settings.context && settings.context_layout == ContextLayout::Repository;
        let repo = repository.then(|| self.workspace.name());
        let prompt = fim_prompt(context, settings.context_layout, language, req.path.clone(), repo);
        let span = match settings.multiline {
            Multiline::Never => Span::Line,
            Multiline::Always => Span::Block,
            Multiline::Auto => postprocess::span_at(near_before, near_after),
        };
        rec.context_ms = ms(t.elapsed());
        let key = Lru::key(&prompt.prefix, &prompt.suffix, (matches!(span, Span::Block), &prompt.files));
        let cached = self.lock().cache.get(key);
        let (text, source) = match cached {
            Some(text) => (text, Source::Cache),
            // No time left for the model: nothing, now, rather than something late.
            None if expired() => return Ok(InlineAnswer::Empty),
            None => {
                let stop = postprocess::stop_strings(span);
                let params = GenerationParams {
                    max_tokens: settings.max_tokens,
                    stop,
                    time_budget: Some(deadline.saturating_duration_since(Instant::now())),
                    ..GenerationParams::default()
                };
                let prompt = Prompt::Fim(prompt);
                let generation =
                    self.backend.generate(GenerateRequest { prompt, params, cancel: cancel.clone() });
                let done = generation.finish_with(|_| {}).await?;
                let s = &done.stats;
                rec.queue_ms = s.queue_ms;
                rec.prompt_ms = s.prompt_ms;
                rec.prompt_tokens = s.prompt_tokens;
                rec.evaluated_tokens = s.evaluated_tokens;
                rec.reused_tokens = s.reused_tokens;
                rec.generate_ms = s.generate_ms;
                rec.generated_tokens = s.generated_tokens;
                if done.stop == StopReason::Cancelled {
                    return Ok(InlineAnswer::Cancelled);
                }
                let t = Instant::now();
                let text = postprocess::clean(&done.text, near_before, near_after, span);
                rec.postprocess_ms = ms(t.elapsed());
                // An answer cut by the clock may be cut mid-thought: show it, don't keep it.
                if done.stop != StopReason::TimeBudget {
                    self.lock().cache.put(key, text.clone());
                }
                (text, Source::Model)
            }
        };
        rec.source = Some(source);
        if text.is_empty() {
            return Ok(InlineAnswer::Empty);
        }
        self.lock().doc(&req.document).shown = Some(Shown::new(before, after_line, text.clone()));
        Ok(InlineAnswer::Text { text, source })
    }

    /// The workspace context and the windows around the cursor, looked for until `expired`.
    fn prompt_parts(
        &self,
        req: &InlineRequest,
        language: Option<Language>,
        settings: &CompletionSettings,
        count: &dyn Fn(&str) -> usize,
        expired: &dyn Fn() -> bool,
    ) -> Context {
        let text = &*req.text;
        let path = req.path.as_deref().unwrap_or("");
        // Without context: plain line windows, as a baseline.
        let language = language.filter(|_| settings.context);
        // Counted as bytes: a vectorized pass, the one whole-text scan left per request.
        let line = text.as_bytes()[..req.cursor].iter().filter(|&&b| b == b'\n').count();
        // Only a parsed document has headers to keep, and only one small enough to parse is
        // worth hashing the text above its window for.
        let parsed = text.len() <= MAX_PARSE_BYTES;
        let (anchor, kept) = {
            let st = self.lock();
            let doc = st.docs.get(&req.document);
            (
                doc.and_then(|d| d.anchor.as_ref()).map(|w| {
                    let same_above =
                        parsed && text.get(..w.start).is_some_and(|above| hash_of(above) == w.above);
                    (w.start, same_above.then(|| w.headers.clone()))
                }),
                doc.and_then(|d| d.context.as_ref()).map(|k| (k.line, k.generation)),
            )
        };
        let context = {
            let index = self.workspace.index();
            let generation = index.generation();
            let keep = kept
                .filter(|&(l, g)| settings.context && l.abs_diff(line) <= CONTEXT_LINES && g == generation);
            let kept_files = keep.and_then(|_| {
                let st = self.lock();
                st.docs.get(&req.document)?.context.as_ref().map(|k| (k.files.clone(), k.tokens))
            });
            // The workspace's share only when context is on and chosen anew: this runs on every
            // keystroke.
            let (recent, open) = if settings.context && kept_files.is_none() {
                (self.workspace.recent(), self.workspace.open_documents())
            } else {
                (Vec::new(), Vec::new())
            };
            let anchor =
                anchor.as_ref().map(|(start, headers)| Anchor { start: *start, headers: headers.as_deref() });
            let gather_req =
                gather_request(settings, path, language, text, req.cursor, anchor, &recent, &open);
            let weights = self.weights.read().unwrap_or_else(|e| e.into_inner()).clone();
            let c = gather::gather_with(
                &gather_req,
                &weights,
                &index,
                kept_files.as_ref().map(|(f, t)| (f.as_slice(), *t)),
                count,
                expired,
            );
            // Context cut short by the clock is not kept: the next keystroke looks again.
            if settings.context && kept_files.is_none() && !expired() {
                let k = Kept { files: c.files.clone(), tokens: c.files_tokens, line, generation };
                self.lock().doc(&req.document).context = Some(k);
            }
            c
        };
        // A document too large to parse is too large to quote from: its lines may be any length,
        // and a recent snippet is a copy.
        if settings.context && !path.is_empty() && parsed {
            self.workspace.record_recent(path, text, req.cursor);
        }
        let w = &context.window;
        let start = WindowStart {
            start: w.start,
            headers: w.prefix[..w.header_len].to_owned(),
            above: if parsed { hash_of(&text[..w.start.min(text.len())]) } else { 0 },
        };
        self.lock().doc(&req.document).anchor = Some(start);
        context
    }
}

/// The context request for a cursor, as every editor prompt builds it (the language is `None`
/// when context is off: plain line windows).
#[allow(clippy::too_many_arguments)]
fn gather_request<'a>(
    settings: &CompletionSettings,
    path: &'a str,
    language: Option<Language>,
    text: &'a str,
    cursor: usize,
    anchor: Option<Anchor<'a>>,
    recent: &'a [Snippet],
    open: &'a [String],
) -> Request<'a> {
    Request {
        path,
        language,
        text,
        cursor,
        prefix_tokens: settings.prefix_tokens,
        suffix_tokens: settings.suffix_tokens,
        context_tokens: if settings.context { settings.context_tokens } else { 0 },
        layout: settings.context_layout,
        anchor,
        grow: true,
        recent,
        open,
    }
}

/// What an editor's first completion prompt at `cursor` in the workspace file `path` would
/// hold: the engine's own assembly (the same request, settings and weights as
/// [`Engine::inline`]), chosen afresh, with no window anchor or kept context yet. For showing and
/// tuning (`tandem context`).
pub fn plan(
    workspace: &Workspace,
    settings: &CompletionSettings,
    path: &str,
    text: &str,
    cursor: usize,
    count: &dyn Fn(&str) -> usize,
) -> Context {
    let language = Language::from_path(path).filter(|_| settings.context);
    let (recent, open) = (workspace.recent(), workspace.open_documents());
    let req = gather_request(settings, path, language, text, cursor, None, &recent, &open);
    gather::gather_with(&req, &gather::Weights::default(), &workspace.index(), None, count, &|| false)
}

/// The fill-in-the-middle prompt for gathered context: its other files in `layout` (in the
/// repository-level layout when `repo` names the repository), then the windows.
pub fn fim_prompt(
    context: Context,
    layout: ContextLayout,
    language: Option<Language>,
    path: Option<String>,
    repo: Option<String>,
) -> FimPrompt {
    let Context { files, window, .. } = context;
    match (layout, repo) {
        (ContextLayout::Repository, Some(repo)) => {
            FimPrompt { prefix: window.prefix, suffix: window.suffix, path, repo: Some(repo), files }
        }
        _ => FimPrompt {
            prefix: gather::commented(language, &files) + &window.prefix,
            suffix: window.suffix,
            path,
            repo: None,
            files: Vec::new(),
        },
    }
}
