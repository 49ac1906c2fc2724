//! Next edits: once an edit settles, the changes it implies elsewhere, in the document and in
//! the workspace ([`Engine::next_edits`]).
//!
//! *Where* is deterministic: the syntax trees of the document before and after the edit say what
//! changed (`tandem_context::implied`: a rename, a signature, a line with siblings or copies),
//! and the trees of the document and of the workspace files that can see the name say where else
//! it is due. *What* is computed where it is determined; a call that must pass a parameter the
//! function just gained gets its argument from the local model (a fill-in-the-middle prompt
//! showing the edit), checked with tree-sitter and kept only above the confidence the
//! suggestions need. Nothing changes a buffer: the editor applies what the user accepts.
//!
//! Each document keeps its edits since the last analysed one (`track::EditTrack`): the text they
//! started from and every byte shift since, so that proposals follow later edits, and an edit
//! that applies a proposal is recognised as accepting it rather than as a new edit. Proposals
//! live in one store ([`Proposals`]) until applied, dismissed, or replaced by the next edit's.

use crate::document::{Documents, Encoding, position};
use crate::engine::{Engine, Tuning, lock};
use crate::inline::EngineError;
use crate::metrics::Outcome;
use crate::track::Previous;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tandem_context::implied::{self, Change, Edit, Implied, Insertion, Kind, Scoped};
use tandem_context::outline::{MAX_PARSE_BYTES, parse};
use tandem_context::syntax::{self, error_count, reparse, with_insertion};
use tandem_context::{Language, Tree};
use tandem_core::{Cancel, FimPrompt, GenerationParams, Prompt, StopReason};
use tandem_model::{BackendKind, GenerateRequest};

/// Proposals kept for one edit.
const MAX_PROPOSALS: usize = 64;
/// Workspace files looked into for a name other files can see.
const MAX_FILES: usize = 64;
/// Proposals the model writes while the request waits (the nearest); the rest are written
/// after it answers.
const WRITE_NOW: usize = 1;
/// Bytes of the target file around a model-written argument shown to the model.
const WINDOW_BEFORE: usize = 1000;
const WINDOW_AFTER: usize = 300;

/// Where a proposal's text is: an open document (after its edit number `seq`), or a workspace
/// file on disk as the index holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    Open { uri: String, seq: u64 },
    File { rel: String },
}

#[derive(Clone, Debug)]
struct Proposal {
    id: u64,
    target: Target,
    range: Range<usize>,
    /// The text at `range` when it was proposed.
    old: String,
    /// The replacement; `None` until the model has written it.
    text: Option<String>,
    insert_at: Option<Insertion>,
    kind: Kind,
    reason: String,
    confidence: f32,
    /// The edit it follows, for the model: the edited lines before and after, and the file.
    edit: Arc<EditLines>,
    /// Written by the model and found wanting: never shown.
    rejected: bool,
    /// The editor reported it accepted: not shown again, and its application is no new edit.
    accepted: bool,
}

#[derive(Debug)]
struct EditLines {
    path: String,
    before: String,
    after: String,
    comment: &'static str,
}

/// The proposals of the last analysed edit that implied any.
#[derive(Debug, Default)]
pub(crate) struct Proposals {
    items: Vec<Proposal>,
    /// That edit: its document, the document's edit number after it, and the bytes it left.
    origin: Option<(String, u64, Range<usize>)>,
}

impl Proposal {
    /// Whether it is one to show: written, not found wanting, not reported accepted.
    fn shown(&self) -> bool {
        self.text.is_some() && !self.rejected && !self.accepted
    }
}

impl Proposals {
    /// Forgets proposal `id` (dismissed); whether it was one.
    fn forget(&mut self, id: u64) -> bool {
        let before = self.items.len();
        self.items.retain(|p| p.id != id);
        self.items.len() != before
    }

    /// Marks proposal `id` accepted (its application follows); whether it was one not marked yet.
    fn accept(&mut self, id: u64) -> bool {
        self.items.iter_mut().find(|p| p.id == id && !p.accepted).is_some_and(|p| {
            p.accepted = true;
            true
        })
    }
}

/// The edited document, as an analysis sees it.
#[derive(Clone, Copy)]
struct Here<'a> {
    uri: &'a str,
    text: &'a Arc<String>,
    tree: &'a Tree,
    language: Language,
    rel: Option<&'a str>,
    path: Option<&'a str>,
    seq: u64,
}

/// What an edit implies: the places (with their text), the bytes the edit left, the edit as the
/// next one may go on with it, and its lines for the model's prompt.
struct Implication {
    found: Vec<(Target, Shared, Implied)>,
    span: Range<usize>,
    previous: Previous,
    lines: Arc<EditLines>,
}

/// A proposed edit, in editor terms.
#[derive(Clone, Debug, PartialEq)]
pub struct NextEdit {
    pub id: u64,
    /// The document it changes: an open one's URI, else the file's path.
    pub uri: Option<String>,
    pub path: Option<PathBuf>,
    /// `(line, character)` of its start and end, in the editor's encoding.
    pub range: ((u32, u32), (u32, u32)),
    pub text: String,
    /// `rename`, `signature`, `sibling` or `repeat`.
    pub kind: &'static str,
    pub reason: String,
    pub confidence: f32,
}

/// A file's text, shared, not copied: an open document's buffer or what the index holds.
#[derive(Clone, Debug)]
enum Shared {
    Buffer(Arc<String>),
    Indexed(Arc<str>),
}

impl std::ops::Deref for Shared {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Shared::Buffer(t) => t,
            Shared::Indexed(t) => t,
        }
    }
}

/// A proposal where it is now.
struct Located {
    text: Shared,
    range: Range<usize>,
    uri: Option<String>,
    rel: Option<String>,
    /// Its replacement is already there: the user applied it.
    applied: bool,
}

/// The lines `text[start..end]` lies on, at most 400 bytes.
fn lines_of(text: &str, start: usize, end: usize) -> String {
    let s = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let e = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let lines = text[s..e].trim_end();
    let cut = tandem_core::text::floor_char_boundary(lines, 400);
    lines[..cut].to_owned()
}

impl Engine {
    /// The edits the document's last edit implies, best first, once it has settled (left alone
    /// for `next_edit_delay_ms`; this waits for that). An edit that applied proposals leaves
    /// the others standing, as does one that implies nothing; any other edit replaces them with
    /// its own. The model writes the nearest proposal that needs it now;
    /// [`Engine::write_next_edits`] writes the rest.
    pub async fn next_edits(&self, uri: &str) -> Result<Vec<NextEdit>, EngineError> {
        let Tuning { settings, encoding, .. } = self.tuning();
        if !settings.next_edits {
            return Ok(Vec::new());
        }
        let delay = Duration::from_millis(settings.next_edit_delay_ms);
        for _ in 0..100 {
            let changed = lock(&self.docs).get_mut(uri)?.track.changed_at;
            match changed.map(|t| t.elapsed()) {
                Some(e) if e < delay => tokio::time::sleep(delay - e).await,
                _ => break,
            }
        }
        self.analyse(uri);
        self.write_next_edits_up_to(WRITE_NOW, settings.aggressiveness.threshold()).await;
        Ok(self.current(encoding))
    }

    /// Writes the proposals that wait for the model (for after [`Engine::next_edits`] answered:
    /// the next one is ready when the user gets to it). A completion request stops it.
    pub async fn write_next_edits(&self) {
        let threshold = self.tuning().settings.aggressiveness.threshold();
        self.write_next_edits_up_to(MAX_PROPOSALS, threshold).await;
    }

    /// The proposal for `uri` that lies on `line`, for an inline completion there. On the hot
    /// path: only that document's proposals are looked at, and only the one found is put in
    /// editor terms.
    pub(crate) fn next_edit_on_line(&self, uri: &str, line: u32) -> Option<NextEdit> {
        let encoding = self.encoding();
        let docs = lock(&self.docs);
        let next = lock(&self.next);
        if next.items.is_empty() {
            return None;
        }
        let text = &docs.get(uri)?.text;
        let start = tandem_context::lines::line_start(text, line as usize)?;
        let end = tandem_context::lines::line_end(text, start);
        next.items.iter().filter(|p| p.shown()).find_map(|p| {
            let at = self.locate(&docs, p).filter(|a| !a.applied && a.uri.as_deref() == Some(uri))?;
            (start <= at.range.start && at.range.end <= end)
                .then(|| self.edit_of(p, at, encoding, None))
                .flatten()
        })
    }

    /// What became of proposal `id`, as the editor reports it; whether it is one.
    pub(crate) fn next_edit_outcome(&self, id: u64, outcome: Outcome) -> bool {
        let counted = match outcome {
            Outcome::Accepted => lock(&self.next).accept(id),
            Outcome::Dismissed => lock(&self.next).forget(id),
            Outcome::Shown => return false,
        };
        if counted {
            let mut m = lock(&self.metrics);
            match outcome {
                Outcome::Accepted => m.next_accepted += 1,
                _ => m.next_dismissed += 1,
            }
        }
        counted
    }

    /// Finds the edit since the document's base, and what it implies.
    fn analyse(&self, uri: &str) {
        // What the analysis needs, under the lock.
        let (text, stale, rel, path, language, seq) = {
            let mut docs = lock(&self.docs);
            let Ok(doc) = docs.get_mut(uri) else { return };
            if doc.track.base_seq == doc.track.seq {
                return;
            }
            // Too large to parse: nothing to compare, and no copy of it is made.
            if doc.text.len() > MAX_PARSE_BYTES {
                doc.track.base_seq = doc.track.seq;
                doc.track.base_tree = None;
                doc.track.previous = None;
                return;
            }
            let language = Language::detect(&doc.language, doc.path.as_deref().unwrap_or(""));
            (doc.text.clone(), doc.tree(), doc.rel.clone(), doc.path.clone(), language, doc.track.seq)
        };
        let new_tree = match stale {
            Ok(tree) => tree,
            Err((lang, old)) => reparse(lang, &text, old.as_ref()),
        };
        if self.accept_applied(uri) {
            self.settle(uri, seq, new_tree, None);
            return;
        }
        let (Some(language), Some(new_tree)) = (language, new_tree) else {
            self.settle(uri, seq, None, None);
            return;
        };
        if rel.as_deref().is_some_and(|r| self.router().excludes(r)) {
            self.settle(uri, seq, Some(new_tree), None);
            return;
        }
        // The edit since the last analysis, from the text after it; then, when that implies
        // nothing and it went on with the previous edit (a name typed in two goes, an undo),
        // both together, from the text before the previous one.
        let (last, continued) = {
            let docs = lock(&self.docs);
            let Some(doc) = docs.get(uri) else { return };
            let t = &doc.track;
            let continued = t
                .previous
                .as_ref()
                .filter(|p| t.map(p.seq, &p.span).is_none_or(|(_, touched)| touched))
                .map(|p| (p.base_seq, p.tree.clone(), p.seq));
            ((t.base_seq, t.base_tree.clone()), continued)
        };
        let here = Here {
            uri,
            text: &text,
            tree: &new_tree,
            language,
            rel: rel.as_deref(),
            path: path.as_deref(),
            seq,
        };
        let mut outcome = self.implied_since(&here, last.0, last.1);
        if outcome.as_ref().is_some_and(|o| o.found.is_empty())
            && let Some((base_seq, tree, previous_seq)) = continued
        {
            // What the previous edit implied goes with it.
            {
                let mut next = lock(&self.next);
                if next.origin.as_ref().is_some_and(|(u, s, _)| u == uri && *s == previous_seq) {
                    *next = Proposals::default();
                }
            }
            outcome = self.implied_since(&here, base_seq, tree);
        }
        let Some(Implication { found, span, previous, lines }) = outcome else {
            self.settle(uri, seq, Some(new_tree), None);
            return;
        };
        // An edit that implies nothing leaves the standing proposals (it may be elsewhere).
        if !found.is_empty() {
            let items: Vec<Proposal> = found
                .into_iter()
                .map(|(target, text, p)| Proposal {
                    id: self.last_id.fetch_add(1, Ordering::Relaxed) + 1,
                    target,
                    old: text[p.range.clone()].to_owned(),
                    range: p.range,
                    text: p.text,
                    insert_at: p.insert_at,
                    kind: p.kind,
                    reason: p.reason,
                    confidence: p.confidence,
                    edit: lines.clone(),
                    rejected: false,
                    accepted: false,
                })
                .collect();
            lock(&self.metrics).next_proposed += items.len() as u64;
            *lock(&self.next) = Proposals { items, origin: Some((uri.to_owned(), seq, span)) };
        }
        self.settle(uri, seq, Some(new_tree), Some(previous));
    }

    /// What the document's edits since edit `base_seq` imply (`tree`: the text's tree then, if
    /// known): the places, best first. `None` when there is nothing to compare (edits forgotten,
    /// none left).
    fn implied_since(&self, here: &Here<'_>, base_seq: u64, tree: Option<Tree>) -> Option<Implication> {
        let Here { uri, text, language, seq, .. } = *here;
        let base = lock(&self.docs).get(uri)?.track.text_at(base_seq, text)?;
        let (start, old_end, new_end) = implied::changed_span(&base, text)?;
        let previous = Previous { base_seq, tree: tree.clone(), seq, span: start..new_end };
        let lines = Arc::new(EditLines {
            path: here.path.unwrap_or_default().to_owned(),
            before: lines_of(&base, start, old_end),
            after: lines_of(text, start, new_end),
            comment: language.comment(),
        });
        let nothing = |previous| {
            Some(Implication { found: Vec::new(), span: start..new_end, previous, lines: lines.clone() })
        };
        let Some(old_tree) =
            tree.or_else(|| syntax::before_edit(language, text, here.tree, &base, (start, old_end, new_end)))
        else {
            return nothing(previous);
        };
        let known = |name: &str| self.workspace.index().defining(name).next().is_some();
        let excluded = |rel: &str| self.router().excludes(rel);
        let edit = Edit {
            language,
            old: &base,
            old_tree: &old_tree,
            new: text,
            new_tree: here.tree,
            start,
            old_end,
            new_end,
            known: &known,
        };
        let mut found: Vec<(Target, Shared, Implied)> = Vec::new();
        let shared = Shared::Buffer(here.text.clone());
        for Scoped { change, scope, visible } in implied::analyse(&edit) {
            for p in implied::places(text, here.tree, &change, scope, start..new_end) {
                found.push((Target::Open { uri: uri.to_owned(), seq }, shared.clone(), p));
            }
            if visible {
                found.extend(self.elsewhere(&change, language, here.rel, &excluded));
            }
        }
        // A place two changes reach keeps the first (the more specific) one's edit.
        let mut kept: Vec<(Target, Shared, Implied)> = Vec::with_capacity(found.len());
        for f in found {
            let overlaps = |k: &(Target, Shared, Implied)| {
                k.0 == f.0
                    && k.2.range.start < f.2.range.end.max(f.2.range.start + 1)
                    && f.2.range.start < k.2.range.end.max(k.2.range.start + 1)
            };
            if !kept.iter().any(overlaps) {
                kept.push(f);
            }
        }
        let mut found = kept;
        // Nearest first in the document, then the other files in path order.
        found.sort_by_key(|(target, _, p)| match target {
            Target::Open { uri: u, .. } if u == uri => (0, String::new(), p.range.start.abs_diff(start)),
            Target::Open { uri: u, .. } => (1, u.clone(), p.range.start),
            Target::File { rel } => (1, rel.clone(), p.range.start),
        });
        found.truncate(MAX_PROPOSALS);
        Some(Implication { found, span: start..new_end, previous, lines })
    }

    /// The document's edits up to `seq` are analysed: the text after them (whose tree is `tree`)
    /// is the new base, and `previous` what an edit going on with this one starts from.
    fn settle(&self, uri: &str, seq: u64, tree: Option<Tree>, previous: Option<Previous>) {
        if let Ok(doc) = lock(&self.docs).get_mut(uri)
            && doc.track.seq == seq
        {
            doc.track.base_seq = seq;
            doc.track.base_tree = tree;
            doc.track.previous = previous;
        }
    }

    /// Whether the edits since the document's base applied standing proposals; if so, they are
    /// accepted (and forgotten) and the others stand.
    fn accept_applied(&self, uri: &str) -> bool {
        let docs = lock(&self.docs);
        let Some(doc) = docs.get(uri) else { return false };
        let Some(base) = doc.track.text_at(doc.track.base_seq, &doc.text) else { return false };
        let Some((start, _, new_end)) = implied::changed_span(&base, &doc.text) else { return false };
        let mut next = lock(&self.next);
        let applied: Vec<(u64, bool, Range<usize>)> = next
            .items
            .iter()
            .filter_map(|p| {
                let at = self.locate(&docs, p)?;
                (at.applied && at.uri.as_deref() == Some(uri)).then_some((p.id, p.accepted, at.range))
            })
            .collect();
        let (first, last) = (applied.iter().map(|a| a.2.start).min(), applied.iter().map(|a| a.2.end).max());
        if !first.zip(last).is_some_and(|(a, b)| a <= start && new_end <= b) {
            return false;
        }
        next.items.retain(|p| !applied.iter().any(|a| a.0 == p.id));
        lock(&self.metrics).next_accepted += applied.iter().filter(|a| !a.1).count() as u64;
        true
    }

    /// The places `change` is due in the other workspace files of the language's family that
    /// name it (their buffer when open), except those the privacy rules exclude.
    fn elsewhere(
        &self,
        change: &Change,
        language: Language,
        this: Option<&str>,
        excluded: &dyn Fn(&str) -> bool,
    ) -> Vec<(Target, Shared, Implied)> {
        let Some((needle, word)) = implied::needle(change) else { return Vec::new() };
        let candidates: Vec<(String, Language, Arc<str>, Vec<usize>)> = {
            let index = self.workspace.index();
            let mut c: Vec<_> =
                index
                    .entries()
                    .filter(|(rel, e)| Some(*rel) != this && e.language.same_family(language))
                    .filter(|(_, e)| {
                        if word { implied::contains_word(&e.text, needle) } else { e.text.contains(needle) }
                    })
                    .map(|(rel, e)| {
                        // Where top-level definitions start and end: windows parsed around a use start there.
                        let top = e.outline.definitions.iter().filter(|d| d.parent.is_none());
                        let bounds = top.flat_map(|d| [d.range.start, d.range.end]).collect();
                        (rel.to_owned(), e.language, e.text.clone(), bounds)
                    })
                    .collect();
            c.sort_by(|a, b| a.0.cmp(&b.0));
            c.truncate(MAX_FILES);
            c
        };
        let mut out = Vec::new();
        for (rel, lang, indexed, bounds) in candidates {
            if excluded(&rel) {
                continue;
            }
            // An open document's buffer may differ from what the index holds: parsed whole.
            let (target, text, bounds) = {
                let docs = lock(&self.docs);
                match docs.uri_of(&rel).and_then(|u| Some((u.to_owned(), docs.get(u)?))) {
                    Some((uri, d)) => {
                        (Target::Open { uri, seq: d.track.seq }, Shared::Buffer(d.text.clone()), Vec::new())
                    }
                    None => (Target::File { rel: rel.clone() }, Shared::Indexed(indexed), bounds),
                }
            };
            for p in implied::places_near(lang, &text, change, &bounds) {
                out.push((target.clone(), text.clone(), p));
            }
        }
        out
    }

    /// Where proposal `p` is now, if it is still there (or was applied).
    fn locate(&self, docs: &Documents, p: &Proposal) -> Option<Located> {
        let (text, range, uri, rel, touched) = match &p.target {
            Target::Open { uri, seq } => {
                let d = docs.get(uri)?;
                let (range, touched) = d.track.map(*seq, &p.range).unwrap_or((p.range.clone(), true));
                (Shared::Buffer(d.text.clone()), range, Some(uri.clone()), d.rel.clone(), touched)
            }
            Target::File { rel } => match docs.uri_of(rel) {
                // Opened since: its buffer, where the file's text was.
                Some(uri) => {
                    let d = docs.get(uri)?;
                    (
                        Shared::Buffer(d.text.clone()),
                        p.range.clone(),
                        Some(uri.to_owned()),
                        Some(rel.clone()),
                        true,
                    )
                }
                None => {
                    let e = self.workspace.index();
                    (
                        Shared::Indexed(e.get(rel)?.text.clone()),
                        p.range.clone(),
                        None,
                        Some(rel.clone()),
                        false,
                    )
                }
            },
        };
        let at = text.get(range.clone())?;
        // Touched, it is still good only when it is exactly what the proposal wrote there.
        let applied = touched && p.text.as_deref() == Some(at);
        (!touched && at == p.old || applied).then_some(Located { text, range, uri, rel, applied })
    }

    /// The standing proposals, written and not applied, in editor terms.
    fn current(&self, encoding: Encoding) -> Vec<NextEdit> {
        let docs = lock(&self.docs);
        let next = lock(&self.next);
        let root = self.workspace.root();
        next.items
            .iter()
            .filter(|p| p.shown())
            .filter_map(|p| {
                self.edit_of(p, self.locate(&docs, p).filter(|a| !a.applied)?, encoding, root.as_deref())
            })
            .collect()
    }

    /// Proposal `p`, found at `at`, in editor terms (a file not open named under `root`).
    fn edit_of(
        &self,
        p: &Proposal,
        at: Located,
        encoding: Encoding,
        root: Option<&std::path::Path>,
    ) -> Option<NextEdit> {
        let path = match (&at.uri, &at.rel, root) {
            (None, Some(rel), Some(root)) => Some(root.join(rel)),
            _ => None,
        };
        (at.uri.is_some() || path.is_some()).then(|| NextEdit {
            id: p.id,
            uri: at.uri,
            path,
            range: (position(&at.text, at.range.start, encoding), position(&at.text, at.range.end, encoding)),
            text: p.text.clone().unwrap_or_default(),
            kind: p.kind.name(),
            reason: p.reason.clone(),
            confidence: p.confidence,
        })
    }

    /// Has the model write up to `n` proposals that wait for it, nearest first; those below
    /// `threshold` are rejected. Stops when a completion request needs the model.
    async fn write_next_edits_up_to(&self, n: usize, threshold: f32) {
        let Some(backend) = self.backend().filter(|b| b.info().kind == BackendKind::Local) else { return };
        for _ in 0..n {
            // The next proposal to write, and its place now.
            let job = {
                let docs = lock(&self.docs);
                let next = lock(&self.next);
                next.items.iter().filter(|p| p.text.is_none() && !p.rejected).find_map(|p| {
                    let at = self.locate(&docs, p)?;
                    Some((p.clone(), at.text, at.range))
                })
            };
            let Some((p, text, range)) = job else { return };
            let Some(ins) = p.insert_at else { return };
            let at = range.start + (ins.at - p.range.start);
            let cancel = Cancel::new();
            if let Some(old) = lock(&self.warming).replace(cancel.clone()) {
                old.cancel();
            }
            let written = write_argument(&*backend, &p.edit, &text, &range, at, ins, &cancel).await;
            let stopped = cancel.is_cancelled();
            {
                let mut warming = lock(&self.warming);
                if warming.as_ref().is_some_and(|c| c.same(&cancel)) {
                    *warming = None;
                }
            }
            if stopped {
                return;
            }
            let mut next = lock(&self.next);
            let Some(q) = next.items.iter_mut().find(|q| q.id == p.id) else { continue };
            match written {
                Some((new, confidence)) if confidence >= threshold => {
                    q.text = Some(new);
                    q.confidence = confidence;
                }
                Some((_, confidence)) => {
                    q.rejected = true;
                    q.confidence = confidence;
                }
                None => q.rejected = true,
            }
        }
    }
}

/// The argument a call must now pass, written by the model in place (fill in the middle, the edit
/// shown above as comments): the call's new text and the model's confidence. `None` when the
/// model wrote nothing usable: more than one argument, a line break, or a call that no longer
/// parses.
async fn write_argument(
    backend: &dyn tandem_model::Backend,
    edit: &EditLines,
    text: &str,
    call: &Range<usize>,
    at: usize,
    ins: Insertion,
    cancel: &Cancel,
) -> Option<(String, f32)> {
    use tandem_core::text::{ceil_char_boundary, floor_char_boundary};
    let c = edit.comment;
    let quote = |s: &str| s.lines().map(|l| format!("{c} {l}\n")).collect::<String>();
    let header = format!(
        "{c} {}: this edit was just made\n{c} before:\n{}{c} after:\n{}",
        edit.path,
        quote(&edit.before),
        quote(&edit.after)
    );
    let from = ceil_char_boundary(text, at.saturating_sub(WINDOW_BEFORE));
    let from = text[from..at].find('\n').map_or(from, |i| from + i + 1).min(at);
    let to = floor_char_boundary(text, (at + WINDOW_AFTER).min(text.len()));
    let before = if ins.comma_before { ", " } else { "" };
    let after = if ins.comma_after { ", " } else { "" };
    let prompt = FimPrompt {
        prefix: format!("{header}{}{before}", &text[from..at]),
        suffix: format!("{after}{}", &text[at..to]),
        ..FimPrompt::default()
    };
    let params = GenerationParams {
        max_tokens: 24,
        stop: vec!["\n".into()],
        time_budget: Some(Duration::from_secs(5)),
        ..GenerationParams::default()
    };
    let request = GenerateRequest { prompt: Prompt::Fim(prompt), params, cancel: cancel.clone() };
    let done = backend.generate(request).finish_with(|_| {}).await.ok()?;
    if done.stop == StopReason::Cancelled {
        return None;
    }
    let arg = one_argument(&done.text)?;
    let confidence = crate::postprocess::confidence(&done.tokens, arg.len())?;
    let inserted = format!("{before}{arg}{after}");
    // The document with the argument in place parses no worse than without it.
    let language = Language::from_path(&edit.path)?;
    let tree = parse(language, text)?;
    let with = with_insertion(language, text, &tree, at, &inserted)?;
    if error_count(&with) > error_count(&tree) {
        return None;
    }
    let new = format!("{}{inserted}{}", &text[call.start..at], &text[at..call.end]);
    Some((new, confidence))
}

/// The first argument of `text`: up to a comma or closing bracket outside brackets and strings.
/// `None` when empty or multi-line.
fn one_argument(text: &str) -> Option<&str> {
    let mut depth = 0i32;
    let mut end = text.len();
    for (i, c) in crate::postprocess::code_chars(text) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' | ',' if depth == 0 => {
                end = i;
                break;
            }
            ')' | ']' | '}' => depth -= 1,
            '\n' => return None,
            _ => {}
        }
    }
    let arg = text[..end].trim();
    (!arg.is_empty() && depth == 0).then_some(arg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_argument_stops_at_the_list_s_end() {
        assert_eq!(one_argument("depth)"), Some("depth"));
        assert_eq!(one_argument(" f(a, b), c)"), Some("f(a, b)"));
        assert_eq!(one_argument("\"a,b\")"), Some("\"a,b\""));
        assert_eq!(one_argument(")"), None);
        assert_eq!(one_argument("x\ny"), None);
    }
}
