//! The hot path: a keystroke's completion request to a suggestion, as [`Engine::complete`].
//!
//! reuse (typed through the last suggestion) → cancel the document's older request → debounce →
//! snapshot (the document as it is now; a request whose text was edited since is stale) and its
//! syntax tree, parsed incrementally from the last one → context (workspace definitions and
//! recent code, kept while the cursor stays near, then syntax-aware windows whose start stays put
//! across keystrokes, so the KV cache stays warm) → LRU cache → model under a token budget →
//! post-processing → metrics. The time budget covers context and model together.
//!
//! Work per request is bounded by what the prompt needs: only the text near the cursor is looked
//! at, copied or tokenized, so a 50 MB document (or line) costs about what a small one does.
//! The document is not copied: a request reads it under the lock when it arrives, and holds a
//! shared snapshot from the end of its debounce until its prompt is built.

use crate::cache::{self, Cached, Shown};
use crate::document::{Document, DocumentError, Place, position, units};
use crate::engine::{Engine, Tuning, lock};
use crate::kept::{Kept, WindowStart, hash_of};
use crate::metrics::{Outcome, RequestRecord, Source};
use crate::postprocess::{self, Parsed, Placement, Span};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tandem_context::gather::{self, Context, MAX_PARSE_BYTES, Request, Snippet};
use tandem_context::syntax::{body_indent, reparse};
use tandem_context::window::Anchor;
use tandem_context::{Language, Tree};
use tandem_core::text::{ceil_char_boundary, floor_char_boundary};
use tandem_core::{
    Aggressiveness, Cancel, CompletionSettings, ContextLayout, FimPrompt, GenerationParams, Multiline,
    Prompt, StopReason,
};
use tandem_model::{Backend, BackendError, BackendKind, GenerateRequest};

/// The suggestion at a cursor, and where it goes.
#[derive(Clone, Debug, PartialEq)]
pub struct Suggestion {
    pub answer: InlineAnswer,
    /// The suggestion's id, for reporting what became of it ([`Engine::outcome`]); the rest of
    /// a suggestion the user is typing through keeps its id. 0 with no suggestion.
    pub id: u64,
    /// The cursor's position (line, character in the editor's encoding): where the text goes.
    pub position: (u32, u32),
    /// The word before the cursor (letters, digits, `_`), and where it starts: a popup item
    /// replaces it with itself followed by the text, so that clients filtering by it keep it.
    pub word: String,
    pub word_start: (u32, u32),
    /// The range the text replaces, when it is not inserted at the cursor: a next edit proposed
    /// on the cursor's line (see [`Engine::next_edits`]).
    pub replace: Option<((u32, u32), (u32, u32))>,
}

/// The suggestion, or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub enum InlineAnswer {
    Text {
        text: String,
        source: Source,
        /// The model's confidence in it, when the model reports one.
        confidence: Option<f32>,
    },
    /// Nothing worth showing (or completions are off here, or no model is loaded yet).
    Empty,
    /// A newer request or edit of the same document took over.
    Cancelled,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Document(#[from] DocumentError),
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// Prompt tokens per forward pass of a warm-up.
const WARM_CHUNK: usize = 48;

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

/// What a request takes from its document when it arrives (under the documents' lock, without
/// copying the document).
#[derive(Debug)]
struct Arrival {
    cursor: usize,
    /// The user asked: no debounce.
    explicit: bool,
    version: i32,
    language: String,
    path: Option<String>,
    near_before: String,
    near_after: String,
}

impl Arrival {
    /// What a request at byte offset `cursor` of `doc` takes from it.
    fn at(doc: &Document, cursor: usize, explicit: bool) -> Self {
        let (near_before, near_after) = near(&doc.text, cursor);
        Self {
            cursor,
            explicit,
            version: doc.version,
            language: doc.language.clone(),
            path: doc.path.clone(),
            near_before: near_before.to_owned(),
            near_after: near_after.to_owned(),
        }
    }
}

/// A request's prompt, with what the record and placement need of how it was made.
struct Built {
    prompt: FimPrompt,
    /// The document's text and tree as the prompt saw them, for checking suggestions.
    text: Arc<String>,
    tree: Option<Tree>,
    /// The indentation of the body the cursor is in.
    body_indent: Option<usize>,
    context_tokens: usize,
    context_files: usize,
}

/// What a request takes from its document once its debounce is over: a snapshot of the text
/// (shared, not copied), the syntax tree, and what the last prompt left.
struct Snapshot {
    text: Arc<String>,
    tree: Result<Option<Tree>, (Language, Option<Tree>)>,
    anchor: Option<WindowStart>,
    kept: Option<Kept>,
    open: Vec<String>,
    version: i32,
    /// The tree was parsed for this request: the document keeps it.
    reparsed: bool,
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

/// How an answer is cut and placed for the cursor.
struct Shaping<'a> {
    near_before: &'a str,
    near_after: &'a str,
    span: Span,
    placement: Placement<'a>,
    /// The document parsed, when it could be: a suggestion must leave it as valid as it is.
    parsed: Option<Parsed<'a>>,
}

/// Below this confidence (or with nothing to show) a suggestion of the completion model is
/// asked again of the larger model, when one is loaded: where the default aggressiveness would
/// show nothing.
const ROUTE_UP_BELOW: f32 = Aggressiveness::Medium.threshold();

/// How much longer the larger model (1.5B) takes than the completion model (0.5B) for the same
/// work, on these CPUs (`tandem bench`: prompt 97 against 318 tokens/s, generation 11 against
/// 39): the larger one is not asked when it could not finish in the time left.
const LARGER_SLOWDOWN: f64 = 3.5;

/// Whether the larger model should answer again.
fn route_up(answer: &Cached) -> bool {
    answer.text.is_empty() || answer.confidence.is_some_and(|c| c < ROUTE_UP_BELOW)
}

/// One model's answer to `prompt`, cleaned, placed and scored, with how the generation went;
/// no answer when it was cancelled.
async fn model_answer(
    backend: &dyn Backend,
    prompt: &FimPrompt,
    params: GenerationParams,
    cancel: &Cancel,
    shaping: &Shaping<'_>,
) -> Result<(Option<Cached>, tandem_model::Finished), BackendError> {
    let prompt = Prompt::Fim(prompt.clone());
    let done = backend
        .generate(GenerateRequest { prompt, params, cancel: cancel.clone() })
        .finish_with(|_| {})
        .await?;
    if done.stop == StopReason::Cancelled {
        return Ok((None, done));
    }
    let Shaping { near_before, near_after, span, placement, parsed } = *shaping;
    // Out of time mid-line: the line is unfinished, and only the lines before it can be shown.
    let raw = match done.stop {
        StopReason::TimeBudget => &done.text[..done.text.rfind('\n').unwrap_or(0)],
        _ => &done.text[..],
    };
    let text = postprocess::clean(raw, near_before, near_after, span);
    let mut text = postprocess::place(text, near_before, span, placement);
    if let Some(doc) = parsed.filter(|_| !text.is_empty()) {
        text = postprocess::valid(text, span, doc);
    }
    let confidence = postprocess::confidence(&done.tokens, postprocess::source_len(raw, &text));
    Ok((Some(Cached { text, confidence }), done))
}

/// The identifier characters right before `cursor`, within `near_before`.
fn word_before(near_before: &str) -> &str {
    let start = near_before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map_or(near_before.len(), |(i, _)| i);
    &near_before[start..]
}

impl Engine {
    fn record(&self, r: RequestRecord) {
        lock(&self.metrics).record(r);
    }

    /// The suggestion at `place` in the open document `uri`. The explicit flag (the user asked)
    /// skips the debounce.
    pub async fn complete(&self, uri: &str, place: Place, explicit: bool) -> Result<Suggestion, EngineError> {
        let start = Instant::now();
        let Tuning { settings, weights, encoding } = self.tuning();
        // A next edit proposed on the cursor's line is what the cursor came for.
        if let Place::Position { line, character } = place
            && let Some(edit) = self.next_edit_on_line(uri, line)
        {
            return Ok(Suggestion {
                answer: InlineAnswer::Text {
                    text: edit.text,
                    source: Source::NextEdit,
                    confidence: Some(edit.confidence),
                },
                id: edit.id,
                position: (line, character),
                word: String::new(),
                word_start: (line, character),
                replace: Some(edit.range),
            });
        }
        let backend = self.backend();
        let cancel = Cancel::new();
        // Under the documents' lock: where the cursor is, the text near it, and whether the user
        // typed into the suggestion on screen (then no model call, nothing cancelled).
        let (arrival, mut suggestion, reused, taken) = {
            let mut docs = lock(&self.docs);
            let doc = docs.get_mut(uri)?;
            let cursor = doc.offset(place, encoding)?;
            let text = &doc.text;
            let (near_before, near_after) = near(text, cursor);
            let word = word_before(near_before);
            let (line, character) = match place {
                // The line is the request's; only the cursor's line is looked at for the column.
                Place::Position { line, .. } => {
                    let start = text[..cursor].rfind(['\n', '\r']).map_or(0, |i| i + 1);
                    (line, units(&text[start..cursor], encoding))
                }
                Place::Offset(_) => position(text, cursor, encoding),
            };
            let suggestion = Suggestion {
                answer: InlineAnswer::Empty,
                id: 0,
                position: (line, character),
                word: word.to_owned(),
                word_start: (line, character - units(word, encoding)),
                replace: None,
            };
            let after_line = near_after.split('\n').next().unwrap_or("");
            let enabled = backend.is_some() && settings.language_enabled(&doc.language);
            let shown = doc.completion.shown.as_ref();
            let reused = enabled
                .then(|| Some((shown?.rest(&text[..cursor], after_line)?.to_owned(), shown?.id)))
                .flatten();
            // Typed out to its end (or accepted, and the editor asks again after it): taken.
            let taken = shown.filter(|s| s.taken(&text[..cursor])).map(|s| s.id);
            // Latest wins: this request supersedes the document's older one, and any warm-up.
            if enabled && reused.is_none() {
                if let Some(old) = doc.completion.inflight.replace(cancel.clone()) {
                    old.cancel();
                }
                if let Some(warm) = lock(&self.warming).take() {
                    warm.cancel();
                }
            }
            let arrival = enabled.then(|| Arrival::at(doc, cursor, explicit));
            (arrival, suggestion, reused, taken)
        };
        if let Some(id) = taken {
            self.outcome(id, Outcome::Accepted);
        }
        let mut rec = RequestRecord::default();
        let (Some(arrival), Some(backend)) = (arrival, backend) else {
            if self.backend().is_some() {
                rec.empty = true;
                self.record(rec);
            }
            return Ok(suggestion);
        };
        if let Some((rest, id)) = reused {
            rec.source = Some(Source::Reuse);
            rec.id = id;
            rec.total_ms = ms(start.elapsed());
            self.record(rec);
            suggestion.answer = InlineAnswer::Text { text: rest, source: Source::Reuse, confidence: None };
            suggestion.id = id;
            return Ok(suggestion);
        }
        let _guard = CancelOnDrop(cancel.clone());
        let tuning = (&settings, &weights);
        let answer = self.ask_model(uri, &arrival, &*backend, tuning, &cancel, &mut rec, start).await;
        // What the answer leaves with the document: no request in flight, the suggestion shown.
        if let Ok(d) = lock(&self.docs).get_mut(uri) {
            if d.completion.inflight.as_ref().is_some_and(|c| c.same(&cancel)) {
                d.completion.inflight = None;
            }
            if let Ok(InlineAnswer::Text { text, source: Source::Model | Source::Cache, .. }) = &answer {
                let id = self.last_id.fetch_add(1, Ordering::Relaxed) + 1;
                let after_line = arrival.near_after.split('\n').next().unwrap_or("");
                let shown = Shown::new(arrival.cursor, &arrival.near_before, after_line, text.clone(), id);
                d.completion.shown = Some(shown);
                (suggestion.id, rec.id, rec.outcome) = (id, id, Some(Outcome::Shown));
            }
        }
        rec.total_ms = ms(start.elapsed());
        match &answer {
            Ok(InlineAnswer::Cancelled) => rec.cancelled = true,
            Ok(InlineAnswer::Empty) => rec.empty = true,
            Ok(InlineAnswer::Text { .. }) => {}
            Err(_) => lock(&self.metrics).errors += 1,
        }
        self.record(rec);
        suggestion.answer = answer?;
        Ok(suggestion)
    }

    /// Records what became of suggestion `id` (see [`Suggestion::id`]), as the editor reports
    /// it. Answers whether `id` is a recent suggestion.
    pub fn outcome(&self, id: u64, outcome: Outcome) -> bool {
        let next = self.next_edit_outcome(id, outcome);
        lock(&self.metrics).outcome(id, outcome) || next
    }

    /// Evaluates the prompt a request at `place` in `uri` would make, so that the first request
    /// there finds its keys and values cached: for where the cursor came to rest, before the
    /// user types. Only for the local model, and only while no request of the document is in
    /// flight; a later warm-up replaces this one, and any request that needs the model stops it
    /// (between two layers of the forward pass). Answers whether a prompt was evaluated.
    pub async fn warm(&self, uri: &str, place: Place) -> Result<bool, EngineError> {
        let Tuning { settings, weights, encoding } = self.tuning();
        let Some(backend) = self.backend().filter(|b| b.info().kind == BackendKind::Local) else {
            return Ok(false);
        };
        let cancel = Cancel::new();
        let arrival = {
            let docs = lock(&self.docs);
            let doc = docs.get(uri).ok_or_else(|| DocumentError::NotOpen(uri.to_owned()))?;
            let cursor = doc.offset(place, encoding)?;
            if !settings.language_enabled(&doc.language) || doc.completion.inflight.is_some() {
                return Ok(false);
            }
            Arrival::at(doc, cursor, true)
        };
        if let Some(old) = lock(&self.warming).replace(cancel.clone()) {
            old.cancel();
        }
        let count = |s: &str| backend.count_tokens(s).unwrap_or(s.len() / 3 + 1);
        let language = Language::detect(&arrival.language, arrival.path.as_deref().unwrap_or(""));
        let deadline = Instant::now() + Duration::from_millis(settings.time_budget_ms);
        let expired = || Instant::now() >= deadline;
        let tuning = (&settings, &weights);
        let Some(built) = self.build(uri, &arrival, language, tuning, &count, &expired) else {
            return Ok(false);
        };
        let params = GenerationParams {
            max_tokens: 0,
            // A warm-up is likely to be stopped by the first keystroke: small passes keep most
            // of what it evaluated.
            prefill_chunk: Some(WARM_CHUNK),
            time_budget: Some(deadline.saturating_duration_since(Instant::now())),
            ..GenerationParams::default()
        };
        let request = GenerateRequest { prompt: Prompt::Fim(built.prompt), params, cancel: cancel.clone() };
        let done = backend.generate(request).finish_with(|_| {}).await?;
        let mut warming = lock(&self.warming);
        if warming.as_ref().is_some_and(|c| c.same(&cancel)) {
            *warming = None;
        }
        let warmed = done.stats.evaluated_tokens > 0;
        let mut metrics = lock(&self.metrics);
        metrics.warmups += u64::from(warmed);
        metrics.slot_hits += u64::from(done.stats.restored_tokens > 0);
        Ok(warmed)
    }

    /// Debounce, context, cache, model and post-processing for a request that arrived as
    /// `arrival`.
    #[allow(clippy::too_many_arguments)]
    async fn ask_model(
        &self,
        uri: &str,
        arrival: &Arrival,
        backend: &dyn Backend,
        (settings, weights): (&CompletionSettings, &gather::Weights),
        cancel: &Cancel,
        rec: &mut RequestRecord,
        start: Instant,
    ) -> Result<InlineAnswer, EngineError> {
        if !arrival.explicit && settings.debounce_ms > 0 {
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
        let count = |s: &str| backend.count_tokens(s).unwrap_or(s.len() / 3 + 1);
        let language = Language::detect(&arrival.language, arrival.path.as_deref().unwrap_or(""));
        // The document as it is now: an edit since the request arrived makes it stale (the
        // editor asks again for the new text).
        let Some(built) = self.build(uri, arrival, language, (settings, weights), &count, &expired) else {
            return Ok(InlineAnswer::Cancelled);
        };
        let placement = Placement {
            body_indent: built.body_indent,
            comment: language.map(Language::comment),
            definition_starts: language.map_or(&[], |l| l.spec().definition_starts),
        };
        rec.context_tokens = built.context_tokens;
        rec.context_files = built.context_files;
        let Built { prompt, text: doc_text, tree, .. } = built;
        let (near_before, near_after) = (&*arrival.near_before, &*arrival.near_after);
        let span = match settings.multiline {
            Multiline::Never => Span::Line,
            Multiline::Always => Span::Block,
            Multiline::Auto => postprocess::span_at(near_before, near_after),
        };
        rec.context_ms = ms(t.elapsed());
        let key = cache::key(&prompt.prefix, &prompt.suffix, (matches!(span, Span::Block), &prompt.files));
        let cached = lock(&self.cache).get(key);
        let (Cached { text, confidence }, source) = match cached {
            Some(answer) => (answer, Source::Cache),
            // No time left for the model: nothing, now, rather than something late.
            None if expired() => return Ok(InlineAnswer::Empty),
            None => {
                let parsed = match (language, &tree) {
                    (Some(language), Some(tree)) if settings.syntax_check => {
                        Some(Parsed { language, text: &doc_text, tree, cursor: arrival.cursor })
                    }
                    _ => None,
                };
                let shaping = Shaping { near_before, near_after, span, placement, parsed };
                let params = GenerationParams {
                    max_tokens: settings.max_tokens,
                    draft_tokens: settings.draft_tokens,
                    stop: postprocess::stop_strings(span),
                    time_budget: Some(deadline.saturating_duration_since(Instant::now())),
                    heal: settings.token_healing,
                    ..GenerationParams::default()
                };
                let (answer, done) = model_answer(backend, &prompt, params.clone(), cancel, &shaping).await?;
                rec.take(&done.stats);
                let Some(mut answer) = answer else { return Ok(InlineAnswer::Cancelled) };
                rec.model = Some(backend.info().model);
                let mut cut = done.stop == StopReason::TimeBudget;
                // Little confidence, or nothing: the larger model, when there is one, answers
                // again in what is left of the time budget, and its answer counts if it
                // finishes.
                let expected =
                    Duration::from_secs_f64((rec.prompt_ms + rec.generate_ms) * LARGER_SLOWDOWN / 1000.0);
                let in_time = Instant::now() + expected < deadline;
                let larger = match settings.route_up && route_up(&answer) && in_time {
                    true => self.larger.by(deadline - expected).await,
                    false => None,
                };
                if let Some(larger) = larger.filter(|_| !expired()) {
                    let t = Instant::now();
                    let params = GenerationParams {
                        time_budget: Some(deadline.saturating_duration_since(Instant::now())),
                        ..params
                    };
                    let (better, done) = model_answer(&*larger, &prompt, params, cancel, &shaping).await?;
                    rec.routed_ms = ms(t.elapsed());
                    rec.routed_up = true;
                    match better {
                        None => return Ok(InlineAnswer::Cancelled),
                        Some(b) if done.stop != StopReason::TimeBudget && !b.text.is_empty() => {
                            (answer, cut) = (b, false);
                            rec.model = Some(larger.info().model);
                        }
                        Some(_) => {}
                    }
                }
                // An answer cut by the clock may be cut mid-thought: show it, don't keep it.
                if !cut {
                    lock(&self.cache).put(key, answer.clone());
                }
                (answer, Source::Model)
            }
        };
        rec.source = Some(source);
        rec.confidence = confidence;
        if text.is_empty() {
            return Ok(InlineAnswer::Empty);
        }
        // Not sure enough of it to take the user's attention.
        if confidence.is_some_and(|c| c < settings.aggressiveness.threshold()) {
            rec.hidden = true;
            return Ok(InlineAnswer::Empty);
        }
        Ok(InlineAnswer::Text { text, source, confidence })
    }

    /// The prompt for a request that arrived as `arrival`, from the document as it is now; `None`
    /// when it was edited or closed since.
    fn build(
        &self,
        uri: &str,
        arrival: &Arrival,
        language: Option<Language>,
        (settings, weights): (&CompletionSettings, &gather::Weights),
        count: &dyn Fn(&str) -> usize,
        expired: &dyn Fn() -> bool,
    ) -> Option<Built> {
        let snapshot = self.snapshot(uri, arrival.version, settings)?;
        let text = snapshot.text.clone();
        let (context, body_indent, tree) =
            self.prompt_parts(uri, arrival, snapshot, language, (settings, weights), count, expired);
        let (context_tokens, context_files) = (context.files_tokens, context.files.len());
        let repository = settings.context && settings.context_layout == ContextLayout::Repository;
        let repo = repository.then(|| self.workspace.name());
        let prompt = fim_prompt(context, settings.context_layout, language, arrival.path.clone(), repo);
        Some(Built { prompt, text, tree, body_indent, context_tokens, context_files })
    }

    /// The document `uri` at `version`, with a syntax tree for its text (parsed incrementally
    /// from the last one, outside the lock); `None` when it changed or closed since.
    fn snapshot(&self, uri: &str, version: i32, settings: &CompletionSettings) -> Option<Snapshot> {
        let mut snapshot = {
            let docs = lock(&self.docs);
            let d = docs.get(uri).filter(|d| d.version == version)?;
            Snapshot {
                text: d.text.clone(),
                tree: if settings.context { d.tree() } else { Ok(None) },
                anchor: d.completion.anchor.clone(),
                kept: d.completion.context.clone(),
                open: if settings.context { docs.open_paths() } else { Vec::new() },
                version,
                reparsed: false,
            }
        };
        if let Err((language, old)) = &snapshot.tree {
            let tree = reparse(*language, &snapshot.text, old.as_ref());
            snapshot.reparsed = true;
            snapshot.tree = Ok(tree);
        }
        Some(snapshot)
    }

    /// The workspace context and the windows around the cursor, looked for until `expired`.
    #[allow(clippy::too_many_arguments)]
    fn prompt_parts(
        &self,
        uri: &str,
        arrival: &Arrival,
        snapshot: Snapshot,
        language: Option<Language>,
        (settings, weights): (&CompletionSettings, &gather::Weights),
        count: &dyn Fn(&str) -> usize,
        expired: &dyn Fn() -> bool,
    ) -> (Context, Option<usize>, Option<Tree>) {
        let Snapshot { text, tree, anchor, kept, open, version, reparsed } = snapshot;
        let text = text.as_str();
        let cursor = arrival.cursor;
        let path = arrival.path.as_deref().unwrap_or("");
        // Without context: plain line windows, as a baseline.
        let language = language.filter(|_| settings.context);
        let tree = tree.ok().flatten();
        // The body the cursor is in, for placing the suggestion.
        let body = tree.as_ref().and_then(|t| body_indent(t, text, cursor));
        // Counted as bytes: a vectorized pass, the one whole-text scan left per request.
        let line = text.as_bytes()[..cursor].iter().filter(|&&b| b == b'\n').count();
        // Only a parsed document has headers to keep, and only one small enough to parse is
        // worth hashing the text above its window for.
        let parsed = text.len() <= MAX_PARSE_BYTES;
        let anchor = anchor.map(|w| {
            let same_above = parsed && text.get(..w.start).is_some_and(|above| hash_of(above) == w.above);
            (w.start, same_above.then_some(w.headers))
        });
        let index = self.workspace.index();
        let kept =
            kept.filter(|k| settings.context && k.line.abs_diff(line) <= CONTEXT_LINES && k.current(&index));
        // The workspace's share only when context is on and chosen anew: this runs on every
        // keystroke.
        let recent = if settings.context && kept.is_none() { self.workspace.recent() } else { Vec::new() };
        let open = if kept.is_none() { open } else { Vec::new() };
        let anchor_ref =
            anchor.as_ref().map(|(start, headers)| Anchor { start: *start, headers: headers.as_deref() });
        let mut gather_req =
            gather_request(settings, path, language, text, cursor, anchor_ref, &recent, &open);
        gather_req.tree = tree.as_ref();
        let context = gather::gather_with(
            &gather_req,
            weights,
            &index,
            kept.as_ref().map(|k| (k.files.as_slice(), k.tokens)),
            count,
            expired,
        );
        let sources = (settings.context && kept.is_none())
            .then(|| (Kept::sources_in(&context.files, &index), index.names_generation()));
        drop(index);
        // A document too large to parse is too large to quote from: its lines may be any length,
        // and a recent snippet is a copy.
        if settings.context && !path.is_empty() && parsed {
            self.workspace.record_recent(path, text, cursor);
        }
        let w = &context.window;
        let start = WindowStart {
            start: w.start,
            headers: w.prefix[..w.header_len].to_owned(),
            above: if parsed { hash_of(&text[..w.start.min(text.len())]) } else { 0 },
        };
        // Context cut short by the clock is not kept: the next keystroke looks again.
        let keep = sources.filter(|_| !expired()).map(|(sources, names)| Kept {
            files: context.files.clone(),
            tokens: context.files_tokens,
            line,
            sources,
            names,
        });
        // What the prompt leaves with the document, in one visit: the tree parsed for it, the
        // window's start and the context chosen.
        if let Ok(d) = lock(&self.docs).get_mut(uri) {
            if reparsed {
                d.parsed(version, tree.clone());
            }
            d.completion.anchor = Some(start);
            if keep.is_some() {
                d.completion.context = keep;
            }
        }
        (context, body, tree)
    }

    /// What an editor's first completion prompt at `place` in the open document `uri` would
    /// hold: the engine's own assembly (the same request, settings and weights as
    /// [`Engine::complete`]), chosen afresh, with no window anchor or kept context yet. For
    /// showing and tuning (`tandem context`).
    pub fn plan(
        &self,
        uri: &str,
        place: Place,
        count: &dyn Fn(&str) -> usize,
    ) -> Result<Context, EngineError> {
        let Tuning { settings, weights, encoding } = self.tuning();
        let (text, cursor, path, language, open) = {
            let docs = lock(&self.docs);
            let d = docs.get(uri).ok_or_else(|| DocumentError::NotOpen(uri.to_owned()))?;
            let cursor = d.offset(place, encoding)?;
            (
                d.text.clone(),
                cursor,
                d.path.clone().unwrap_or_default(),
                d.language.clone(),
                docs.open_paths(),
            )
        };
        let language = Language::detect(&language, &path).filter(|_| settings.context);
        let recent = self.workspace.recent();
        let req = gather_request(&settings, &path, language, &text, cursor, None, &recent, &open);
        Ok(gather::gather_with(&req, &weights, &self.workspace.index(), None, count, &|| false))
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
        tree: None,
    }
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
