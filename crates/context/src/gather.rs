//! What goes in a completion prompt: the definitions the code near the cursor uses, from the
//! files the current file imports (then the rest of the workspace), code like the code above the
//! cursor (`similar`), and recently edited code, ranked and cut to a token budget; then the
//! syntax-aware windows of the current file in the room that is left.
//!
//! The chosen pieces are laid out by path and position, not by rank, so the prompt's start
//! changes rarely and the model's KV cache stays reusable across keystrokes.

use crate::imports::{self, Imported};
use crate::index::Index;
use crate::language::{self, Language};
use crate::lines::{BYTES_PER_TOKEN, floor_char_boundary};
use crate::outline::{Kind, Outline, parse};
use crate::similar;
use crate::view;
use crate::window::{self, Anchor, Budget, Parsed, Window};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use tandem_core::{ContextFile, ContextLayout};
use tree_sitter::Tree;

/// Lines above the cursor whose identifiers count as "used near the cursor".
const NEAR_LINES_ABOVE: usize = 40;
/// Lines below the cursor that count.
const NEAR_LINES_BELOW: usize = 10;
/// Bytes on either side of the cursor that those lines are looked for in: near lines, however
/// long they are, cost the same.
const NEAR_BYTES: usize = 8 * 1024;
pub use crate::outline::MAX_PARSE_BYTES;
/// Bytes of the current file above the prefix window that are searched for code like the code at
/// the cursor: a long file costs what one of the largest indexed files does.
const SIMILAR_REACH: usize = 512 * 1024;

/// How candidate pieces of context are scored. A piece's score is the weight of the name that
/// leads to it (by how near the cursor it is used, or how it is imported) times factors for what
/// it is and where it comes from; similar code and recent edits score on their own scales; the
/// best pieces fill the budget. The defaults are what the development set was tuned with;
/// `tandem bench --cases` measures a change. Deserializes from a partial JSON object (missing
/// fields keep their defaults; unknown ones are an error, so that a misspelt weight is noticed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// A name used on the cursor's line. A name `i` lines above weighs
    /// `near_above / (1 + i / near_above_decay)`: what the code at the cursor just used is what it
    /// most likely needs next.
    pub near_above: f32,
    /// Lines above the cursor over which a name's weight falls to half of `near_above`.
    pub near_above_decay: f32,
    /// A name used on the line after the cursor's; `i` lines below weighs
    /// `near_below / (1 + i / near_below_decay)`. Less than above: code below is often about to
    /// be replaced, and it is in the prompt's suffix already.
    pub near_below: f32,
    /// Lines below the cursor over which a name's weight falls to half of `near_below`.
    pub near_below_decay: f32,
    /// A name weighing at least this is "at the cursor": a method found by its name alone is
    /// only shown when it is used there (a name elsewhere is a guess among every type that has
    /// such a method). The cursor's own line and `typing` reach it; the line above does not.
    pub at_cursor: f32,
    /// A definition whose name starts with the word being typed: what the word may become.
    pub typing: f32,
    /// A name imported by name (`use a::B`, `from a import b`) but not used near the cursor: the
    /// file means to use it, somewhere.
    pub imported_unused: f32,
    /// Factor for a definition imported by name: the import says exactly which one is meant.
    pub named_import: f32,
    /// Factor for a definition in a file open in the editor: what the user is working with.
    pub open_file: f32,
    /// Factor on a module qualifier's weight (`util.` right before the cursor) for what the
    /// module defines at its top level: the next word is one of them.
    pub module_at_cursor: f32,
    /// Factor on a module qualifier's weight when it is used near the cursor but not at it.
    pub module_near: f32,
    /// Factor for types (classes, structs, enums, traits, interfaces): they say the most per
    /// token (fields, variants, method names).
    pub kind_type: f32,
    /// Factor for functions, methods and macros: a signature is short and tells how to call it.
    pub kind_function: f32,
    /// Factor for fields and variants (shown inside their type).
    pub kind_member: f32,
    /// Factor for constants and variables: their value rarely matters to the next line.
    pub kind_value: f32,
    /// A name must weigh at least this to be looked for outside the imported files: only names
    /// used close to the cursor are worth a workspace-wide guess.
    pub elsewhere_min: f32,
    /// Factor for a definition found outside the imported files, divided by the number of files
    /// defining the name: a guess, weighed down by its ambiguity.
    pub elsewhere: f32,
    /// Factor on a similar window's Jaccard similarity (0 to 1) to the lines above the cursor:
    /// code like the code being written shows the calls and constants it needs.
    pub similar: f32,
    /// Similar windows less alike than this (Jaccard) do not help.
    pub similar_min: f32,
    /// The most recently edited piece of another file; the `n`th most recent scores
    /// `recent / (1 + n)`: what the user just worked on is likely what comes next.
    pub recent: f32,
    /// Candidates scoring under this are left out, however much room is left: noise costs time.
    pub min_score: f32,
}

impl Weights {
    /// The weights gathering uses unless told otherwise.
    pub const DEFAULT: Weights = Weights {
        near_above: 1.0,
        near_above_decay: 8.0,
        near_below: 0.8,
        near_below_decay: 4.0,
        at_cursor: 0.9,
        typing: 0.9,
        imported_unused: 0.3,
        named_import: 1.5,
        open_file: 1.2,
        module_at_cursor: 2.0,
        module_near: 0.8,
        kind_type: 1.0,
        kind_function: 0.9,
        kind_member: 0.85,
        kind_value: 0.7,
        elsewhere_min: 0.6,
        elsewhere: 0.6,
        similar: 2.0,
        similar_min: 0.25,
        recent: 0.5,
        min_score: 0.3,
    };
}

impl Default for Weights {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A piece of recently edited or viewed code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub path: String,
    /// Where it starts in its file (for ordering).
    pub offset: usize,
    pub text: String,
}

/// What to gather.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The document's path, workspace-relative.
    pub path: &'a str,
    pub language: Option<Language>,
    pub text: &'a str,
    /// The syntax tree of `text` in `language`, when the caller keeps one (see
    /// [`crate::syntax::Syntax`]); parsed here otherwise.
    pub tree: Option<&'a Tree>,
    /// Byte offset of the cursor (a char boundary of `text`).
    pub cursor: usize,
    /// Tokens for the current file before the cursor (headers included), when there is no
    /// other context; the context's tokens come out of this.
    pub prefix_tokens: usize,
    pub suffix_tokens: usize,
    /// At most this many tokens of other files.
    pub context_tokens: usize,
    /// How the other files appear in the prompt (what their tokens are counted as).
    pub layout: ContextLayout,
    /// The previous window for this document.
    pub anchor: Option<Anchor<'a>>,
    /// Whether a fresh window leaves room to grow into (an editor's requests, so that the next
    /// keystrokes keep its start); a one-shot request takes its whole budget.
    pub grow: bool,
    /// Recently edited or viewed code, most recent first.
    pub recent: &'a [Snippet],
    /// Paths of the documents open in the editor.
    pub open: &'a [String],
}

/// The gathered context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// Other files' pieces, in prompt order.
    pub files: Vec<ContextFile>,
    /// Tokens the files take in the prompt (path lines and separators included).
    pub files_tokens: usize,
    pub window: Window,
}

/// A candidate piece of context.
#[derive(Debug)]
struct Candidate {
    score: f32,
    path: String,
    offset: usize,
    text: String,
}

/// Tokens a context file costs in the prompt. In the repository-level layout
/// (`<sep>{path}\n{content}\n`, each part encoded on its own): the separator, the path, the
/// content and two newlines; in the comments layout, its commented text.
pub fn file_cost(
    layout: ContextLayout,
    language: Option<Language>,
    path: &str,
    content: &str,
    count: &dyn Fn(&str) -> usize,
) -> usize {
    match layout {
        ContextLayout::Repository => 3 + count(path) + count(content),
        ContextLayout::Comments => {
            let mut text = String::new();
            push_commented(&mut text, language, path, content);
            count(&text)
        }
    }
}

/// Other files' pieces as line comments in `language`, to go at the top of the text before the
/// cursor: each file's path, its lines commented out, and a blank line.
pub fn commented(language: Option<Language>, files: &[ContextFile]) -> String {
    let mut out = String::new();
    for f in files {
        push_commented(&mut out, language, &f.path, &f.content);
    }
    out
}

fn push_commented(out: &mut String, language: Option<Language>, path: &str, content: &str) {
    let marker = language.map_or("//", Language::comment);
    out.push_str(&format!("{marker} {path}\n"));
    for line in content.lines() {
        if line.trim().is_empty() {
            out.push_str(marker);
        } else {
            out.push_str(&format!("{marker} {line}"));
        }
        out.push('\n');
    }
    out.push('\n');
}

/// Gathers the context for `req` from `index` (which may be empty), or keeps the files of an
/// earlier gathering (`keep`: files and their tokens) and only cuts new windows. Never fails.
pub fn gather(
    req: &Request<'_>,
    index: &Index,
    keep: Option<(&[ContextFile], usize)>,
    count: &dyn Fn(&str) -> usize,
) -> Context {
    gather_until(req, index, keep, count, &|| false)
}

/// [`gather`] within a time budget: `expired` is asked between steps, and once it says the time
/// is up, no more context is looked for — what was chosen so far goes with the windows (which
/// are always cut: their work is bounded by their budget).
pub fn gather_until(
    req: &Request<'_>,
    index: &Index,
    keep: Option<(&[ContextFile], usize)>,
    count: &dyn Fn(&str) -> usize,
    expired: &dyn Fn() -> bool,
) -> Context {
    gather_with(req, &Weights::DEFAULT, index, keep, count, expired)
}

/// [`gather_until`] with other scoring weights than the defaults.
pub fn gather_with(
    req: &Request<'_>,
    weights: &Weights,
    index: &Index,
    keep: Option<(&[ContextFile], usize)>,
    count: &dyn Fn(&str) -> usize,
    expired: &dyn Fn() -> bool,
) -> Context {
    let cursor = floor_char_boundary(req.text, req.cursor.min(req.text.len()));
    let parse_it = req.text.len() <= MAX_PARSE_BYTES && !expired();
    let parsed_here = match req.tree {
        Some(_) => None,
        None => req.language.filter(|_| parse_it).and_then(|l| parse(l, req.text)),
    };
    let tree = req.tree.filter(|_| req.language.is_some()).or(parsed_here.as_ref());
    let outline = match (req.language, tree) {
        (Some(l), Some(t)) => Outline::from_tree(l, req.text, t),
        _ => Outline::default(),
    };
    let parsed = match (req.language, tree) {
        (Some(language), Some(tree)) => Some(Parsed { language, tree, outline: &outline }),
        _ => None,
    };
    let (files, files_tokens) = if let Some((files, tokens)) = keep {
        (files.to_vec(), tokens)
    } else if req.context_tokens == 0 || expired() {
        (Vec::new(), 0)
    } else {
        let candidates = candidates(req, weights, cursor, &outline, index, expired);
        let cost = |path: &str, content: &str| file_cost(req.layout, req.language, path, content, count);
        select(candidates, context_budget(req), &cost, expired)
    };
    // The context comes out of the prefix's budget: the prompt is no larger than without it,
    // when it starts afresh and as it grows.
    let mut plain = Budget::new(req.prefix_tokens, req.suffix_tokens);
    if !req.grow {
        plain.fresh = plain.prefix;
    }
    let budget = Budget {
        prefix: plain.prefix.saturating_sub(files_tokens),
        fresh: plain.fresh.saturating_sub(files_tokens),
        suffix: plain.suffix,
    };
    let window = window::window(req.text, cursor, parsed.as_ref(), budget, req.anchor, count);
    Context { files, files_tokens, window }
}

/// Tokens of other files' code the prompt may hold.
fn context_budget(req: &Request<'_>) -> usize {
    req.context_tokens.min(req.prefix_tokens / 3)
}

/// Bytes a piece of context may have and still be worth counting: no piece longer could fit.
fn piece_bytes(req: &Request<'_>) -> usize {
    context_budget(req).saturating_mul(BYTES_PER_TOKEN)
}

/// Names too common to say which definition is meant, besides the languages' keywords
/// ([`language::is_keyword`]): methods and types every codebase has. They lead nowhere.
const COMMON_NAMES: &[&str] = &[
    "len",
    "length",
    "size",
    "get",
    "set",
    "add",
    "remove",
    "push",
    "pop",
    "append",
    "insert",
    "contains",
    "clone",
    "copy",
    "to_string",
    "toString",
    "into",
    "from_str",
    "iter",
    "next",
    "map",
    "filter",
    "unwrap",
    "is_empty",
    "isEmpty",
    "equals",
    "hashCode",
    "String",
    "Error",
    "Ok",
    "Err",
    "Some",
    "keys",
    "values",
    "items",
    "update",
    "apply",
    "call",
    "bind",
    "then",
    "catch",
    "fmt",
    "format",
    "print",
    "join",
    "split",
    "string",
    "int",
    "bool",
    "err",
    "ctx",
    "Handler",
    "ServeHTTP",
    "init",
    "__init__",
    "main",
    "run",
    "close",
    "open",
    "read",
    "write",
    "Write",
    "Read",
    "name",
    "value",
];

/// Whether `word` is too common to say which definition is meant.
fn is_common(word: &str) -> bool {
    COMMON_NAMES.contains(&word) || language::is_keyword(word)
}

/// Identifiers in `text`.
fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.len() >= 2 && !w.starts_with(|c: char| c.is_ascii_digit()) && !is_common(w))
}

/// Names used near the cursor and how much each matters (closer lines weigh more); and, apart,
/// the names used there as qualifiers (`util.x`, `fmt::y`): modules whose contents are wanted.
fn wanted<'t>(
    text: &'t str,
    cursor: usize,
    weights: &Weights,
) -> (HashMap<&'t str, f32>, HashMap<&'t str, f32>) {
    let (mut names, mut qualifiers): (HashMap<&str, f32>, HashMap<&str, f32>) = Default::default();
    let before = &text[floor_char_boundary(text, cursor.saturating_sub(NEAR_BYTES))..cursor];
    let after = &text[cursor..floor_char_boundary(text, cursor.saturating_add(NEAR_BYTES))];
    let above = before
        .rsplit('\n')
        .take(NEAR_LINES_ABOVE)
        .enumerate()
        .map(|(i, l)| (l, weights.near_above / (1.0 + i as f32 / weights.near_above_decay)));
    let below = after
        .split('\n')
        .take(NEAR_LINES_BELOW)
        .enumerate()
        .map(|(i, l)| (l, weights.near_below / (1.0 + i as f32 / weights.near_below_decay)));
    for (line, w) in above.chain(below) {
        let import_line = language::is_import_line(line.trim_start());
        for id in identifiers(line) {
            let e = names.entry(id).or_insert(0.0);
            *e = e.max(w);
            let offset = id.as_ptr() as usize - line.as_ptr() as usize;
            let next = &line[offset + id.len()..];
            if !import_line && (next.starts_with('.') || next.starts_with("::")) {
                let e = qualifiers.entry(id).or_insert(0.0);
                *e = e.max(w);
            }
        }
    }
    (names, qualifiers)
}

/// The name code uses for the module in `path`: its file stem, or its directory for package
/// files (`pkg/__init__.py`, `util/index.ts`) and Go (packages are directories).
fn module_name(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.split('.').next().unwrap_or(file);
    let dir_name = || imports::dir(path).rsplit('/').next().unwrap_or("");
    if language::names_its_directory(file, stem) { dir_name() } else { stem }
}

fn kind_weight(kind: Kind, weights: &Weights) -> f32 {
    match kind {
        Kind::Class | Kind::Struct | Kind::Enum | Kind::Trait | Kind::Interface | Kind::Type => {
            weights.kind_type
        }
        Kind::Function | Kind::Method | Kind::Macro => weights.kind_function,
        Kind::Field | Kind::Variant => weights.kind_member,
        Kind::Constant | Kind::Variable => weights.kind_value,
        Kind::Impl | Kind::Module => 0.0,
    }
}

fn candidates(
    req: &Request<'_>,
    weights: &Weights,
    cursor: usize,
    outline: &Outline,
    index: &Index,
    expired: &dyn Fn() -> bool,
) -> Vec<Candidate> {
    let (wanted, qualifiers) = wanted(req.text, cursor, weights);
    // The names the file itself defines near the cursor are visible already.
    let imported: Vec<Imported> = match req.language {
        Some(l) => imports::resolve(l, req.path, &outline.imports, index),
        None => Vec::new(),
    };
    let imported_paths: HashSet<&str> = imported.iter().map(|i| i.path.as_str()).collect();
    let named: HashSet<&str> = imported.iter().flat_map(|i| i.names.iter().map(String::as_str)).collect();
    // One view per (file, shown definition); its score is the best of the names leading to it.
    let mut views: HashMap<(String, usize), f32> = HashMap::new();
    let mut consider = |path: &str, out: &Outline, boost: f32, names: &HashMap<&str, f32>| {
        for (i, d) in out.definitions.iter().enumerate() {
            let Some(&w) = names.get(d.name.as_str()) else { continue };
            if !view::is_listed(d) {
                continue;
            }
            // A member by its name alone (a method, a field) is a guess among every type that has
            // one: only when its type is named near the cursor too, or it is imported by name,
            // or (not for fields, whose names are local names too) used at the cursor.
            let method =
                d.kind == Kind::Method || d.parent.is_some_and(|p| !out.definitions[p].kind.is_member());
            let member = method || d.kind.is_member();
            let owner_named = d.parent.is_some_and(|p| names.contains_key(out.definitions[p].name.as_str()));
            let at_cursor = w >= weights.at_cursor && d.kind != Kind::Field;
            if member && !owner_named && !at_cursor && !named.contains(d.name.as_str()) {
                continue;
            }
            let shown = match d.parent {
                Some(p) if d.kind.is_member() => p,
                _ => i,
            };
            let explicit = if named.contains(d.name.as_str()) { weights.named_import } else { 1.0 };
            let score = w * boost * kind_weight(d.kind, weights) * explicit;
            let e = views.entry((path.to_owned(), shown)).or_insert(0.0);
            *e = e.max(score);
        }
    };
    let open: HashSet<&str> = req.open.iter().map(String::as_str).collect();
    let before = &req.text[floor_char_boundary(req.text, cursor.saturating_sub(NEAR_BYTES))..cursor];
    let typing = &before[before.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_').len()..];
    for imp in &imported {
        if let Some(e) = index.get(&imp.path) {
            let boost = if open.contains(imp.path.as_str()) { weights.open_file } else { 1.0 };
            // Names taken explicitly count even when not used near the cursor.
            let mut names = wanted.clone();
            for n in &imp.names {
                names.entry(n.as_str()).or_insert(weights.imported_unused);
            }
            // A module used by name near the cursor (`util.`): what it defines at the top.
            let module = module_name(&imp.path);
            let at_cursor = [".", "::", "->"].iter().any(|sep| {
                before[..before.len() - typing.len()].strip_suffix(sep).is_some_and(|b| b.ends_with(module))
            });
            let module_weight = qualifiers.get(module).copied().unwrap_or(0.0)
                * if at_cursor { weights.module_at_cursor } else { weights.module_near };
            // The word being typed at the cursor: definitions it may be the start of.
            for d in &e.outline.definitions {
                if d.parent.is_none() && module_weight > 0.0 {
                    names.entry(d.name.as_str()).or_insert(module_weight);
                }
                if typing.len() >= 2 && d.name.starts_with(typing) && d.name != typing {
                    names.insert(d.name.as_str(), weights.typing);
                }
            }
            consider(&imp.path, &e.outline, boost, &names);
        }
    }
    // Elsewhere in the workspace: names the imports did not define, defined in a few files
    // only, weighed down by ambiguity.
    let found: HashSet<&str> = imported
        .iter()
        .filter_map(|imp| index.get(&imp.path))
        .flat_map(|e| e.outline.definitions.iter().map(|d| d.name.as_str()))
        .collect();
    let mut elsewhere: BTreeMap<&str, HashMap<&str, f32>> = BTreeMap::new();
    for (&name, &w) in &wanted {
        if found.contains(name) {
            continue;
        }
        // Only names used close to the cursor, long enough to be specific.
        if w < weights.elsewhere_min || name.len() < 4 {
            continue;
        }
        let files: Vec<&str> =
            index.defining(name).filter(|p| *p != req.path && !imported_paths.contains(p)).collect();
        if files.is_empty() || files.len() > 3 {
            continue;
        }
        for f in files.iter().copied() {
            // Top-level definitions only: a field or method name elsewhere is a coincidence.
            let top = index.get(f).is_some_and(|e| {
                e.outline
                    .definitions
                    .iter()
                    .any(|d| d.name == name && d.parent.is_none() && d.kind != Kind::Method)
            });
            if top {
                elsewhere.entry(f).or_default().insert(name, w * weights.elsewhere / files.len() as f32);
            }
        }
    }
    for (path, names) in &elsewhere {
        if let Some(e) = index.get(path) {
            let boost = if open.contains(path) { weights.open_file } else { 1.0 };
            consider(path, &e.outline, boost, names);
        }
    }
    let mut out: Vec<Candidate> = Vec::new();
    for ((path, i), score) in views.into_iter().filter(|(_, s)| *s >= weights.min_score) {
        let Some(e) = index.get(&path) else { continue };
        let text = view::view(e.language, &e.text, &e.outline, i);
        out.push(Candidate { score, path, offset: e.outline.definitions[i].range.start, text });
    }
    if !expired() {
        out.extend(similar_code(req, weights, cursor, index, expired));
    }
    let recent = req.recent.iter().filter(|s| s.path != req.path && s.text.len() <= piece_bytes(req));
    for (rank, s) in recent.enumerate() {
        let score = weights.recent / (1.0 + rank as f32);
        out.push(Candidate { score, path: s.path.clone(), offset: s.offset, text: s.text.clone() });
    }
    out
}

/// At most this many similar windows are candidates.
const SIMILAR_WINDOWS: usize = 3;

/// Windows of code that look like the lines above the cursor: in other files of the same
/// language, and in the current file above the reach of the prefix window.
fn similar_code(
    req: &Request<'_>,
    weights: &Weights,
    cursor: usize,
    index: &Index,
    expired: &dyn Fn() -> bool,
) -> Vec<Candidate> {
    let Some(language) = req.language else { return Vec::new() };
    let before = &req.text[..cursor];
    let query = similar::query(before);
    if query.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(f32, &str, &str, similar::Match)> = Vec::new();
    for (path, e) in index.entries() {
        if expired() {
            break;
        }
        if path == req.path || !language.same_family(e.language) {
            continue;
        }
        for m in similar::best(&query, &e.chunks, weights.similar_min).into_iter().take(SIMILAR_WINDOWS) {
            found.push((m.score, path, &e.text, m));
        }
    }
    // The window reaches about four bytes per token back from the cursor; the search, from the
    // first line start within SIMILAR_REACH above that.
    let far = floor_char_boundary(before, before.len().saturating_sub(req.prefix_tokens * 4));
    let mut from = floor_char_boundary(before, far.saturating_sub(SIMILAR_REACH));
    if from > 0 {
        from = before[from..far].find('\n').map_or(far, |i| from + i + 1);
    }
    let own = similar::chunks(&before[from..far]);
    for m in similar::best(&query, &own, weights.similar_min).into_iter().take(SIMILAR_WINDOWS) {
        let m = similar::Match { start: from + m.start, end: from + m.end, ..m };
        found.push((m.score, req.path, before, m));
    }
    found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)).then(a.3.start.cmp(&b.3.start)));
    found
        .into_iter()
        .take(SIMILAR_WINDOWS)
        .filter_map(|(score, path, text, m)| {
            let text = text.get(m.start..m.end).filter(|t| t.len() <= piece_bytes(req))?;
            let text = text.trim_matches('\n').to_owned();
            Some(Candidate { score: score * weights.similar, path: path.to_owned(), offset: m.start, text })
        })
        .collect()
}

/// The best candidates within `budget` tokens (`cost`: what a file's pieces cost), laid out by
/// path and position; once `expired`, those chosen so far.
fn select(
    mut candidates: Vec<Candidate>,
    budget: usize,
    cost: &dyn Fn(&str, &str) -> usize,
    expired: &dyn Fn() -> bool,
) -> (Vec<ContextFile>, usize) {
    candidates.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| a.path.cmp(&b.path)).then(a.offset.cmp(&b.offset))
    });
    let mut chosen: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    let mut used = 0;
    for c in candidates {
        if expired() {
            break;
        }
        // A piece this long could not fit: it is not tokenized to find out.
        if c.text.len() > budget.saturating_mul(BYTES_PER_TOKEN) {
            continue;
        }
        let mut pieces = chosen.get(&c.path).cloned().unwrap_or_default();
        if pieces.iter().any(|(_, t)| t.contains(&c.text) || c.text.contains(t.as_str())) {
            continue;
        }
        let before = chosen.get(&c.path).map_or(0, |p| cost(&c.path, &join(p)));
        pieces.push((c.offset, c.text));
        pieces.sort();
        let after = cost(&c.path, &join(&pieces));
        if used - before + after <= budget {
            used = used - before + after;
            chosen.insert(c.path, pieces);
        }
    }
    let files: Vec<ContextFile> =
        chosen.into_iter().map(|(path, pieces)| ContextFile { content: join(&pieces), path }).collect();
    (files, used)
}

fn join(pieces: &[(usize, String)]) -> String {
    pieces.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>().join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_names_are_the_names_and_keywords_they_were() {
        let was: HashSet<&str> = [
            "self Self this super return if else for while let const var fn def func function class",
            "struct impl pub import from use new len length size get set add remove push pop append",
            "insert contains clone copy to_string toString into from_str iter next map filter unwrap",
            "is_empty isEmpty equals hashCode String Error Ok Err Some None nil null true false True",
            "False keys values items update apply call bind then catch fmt format print join split",
            "string int bool err ctx Handler ServeHTTP init __init__ main run close open read write",
            "Write Read name value",
        ]
        .iter()
        .flat_map(|l| l.split_whitespace())
        .collect();
        let keywords = Language::all().iter().flat_map(|l| l.spec().keywords.iter().copied());
        let now: HashSet<&str> = COMMON_NAMES.iter().copied().chain(keywords).collect();
        assert_eq!(now, was);
        assert!(was.iter().all(|w| is_common(w)) && !is_common("Position"));
    }

    #[test]
    fn weights_override_from_partial_json() {
        let w: Weights = serde_json::from_str(r#"{"similar": 0.5, "recent": 0}"#).unwrap();
        assert_eq!(w, Weights { similar: 0.5, recent: 0.0, ..Weights::default() });
        assert!(serde_json::from_str::<Weights>(r#"{"simliar": 0.5}"#).is_err());
    }

    #[test]
    fn prefers_the_imported_definition_used_at_the_cursor() {
        let mut index = Index::default();
        index
            .update(
                "src/error.rs",
                "pub enum ErrorKind {\n    Empty,\n    Bad(u8),\n}\npub struct Position(pub usize);\n",
            )
            .unwrap();
        index.update("src/other.rs", "pub enum ErrorKind { Unrelated }\npub fn noise() {}\n").unwrap();
        let text = "use crate::error::ErrorKind;\nfn parse(s: &str) -> Result<(), ErrorKind> {\n    if s.is_empty() {\n        return Err(ErrorKind::";
        index.update("src/parse.rs", text).unwrap();
        let req = Request {
            path: "src/parse.rs",
            language: Some(Language::Rust),
            text,
            tree: None,
            cursor: text.len(),
            prefix_tokens: 400,
            suffix_tokens: 50,
            context_tokens: 60,
            layout: ContextLayout::Repository,
            anchor: None,
            grow: true,
            recent: &[],
            open: &[],
        };
        let count = |s: &str| s.len() / 2;
        let ctx = gather(&req, &index, None, &count);
        assert_eq!(
            ctx.files,
            [ContextFile {
                path: "src/error.rs".into(),
                content: "pub enum ErrorKind {\n    Empty,\n    Bad(u8),\n}".into()
            }]
        );
        assert!(ctx.files_tokens <= 60);
        assert_eq!(ctx.window.prefix, text);
    }

    #[test]
    fn finds_code_like_the_code_at_the_cursor_and_lays_it_out_as_comments() {
        let mut index = Index::default();
        let sibling = "package flags\n\nfunc (f *FlagSet) GetInt(name string) (int, error) {\n\tval, err := f.getFlagType(name, \"int\", intConv)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\treturn val.(int), nil\n}\n";
        index.update("int.go", sibling).unwrap();
        index
            .update("other.go", "package flags\n\nfunc unrelated(a, b int) int {\n\treturn a * b\n}\n")
            .unwrap();
        let text = "package flags\n\n// GetUint returns the uint value of a flag.\nfunc (f *FlagSet) GetUint(name string) (uint, error) {\n\tval, err := ";
        let req = Request {
            path: "uint.go",
            language: Some(Language::Go),
            text,
            tree: None,
            cursor: text.len(),
            prefix_tokens: 400,
            suffix_tokens: 50,
            context_tokens: 120,
            layout: ContextLayout::Comments,
            anchor: None,
            grow: true,
            recent: &[],
            open: &[],
        };
        let count = |s: &str| s.len() / 3;
        let ctx = gather(&req, &index, None, &count);
        assert_eq!(ctx.files.len(), 1, "{:?}", ctx.files);
        assert_eq!(ctx.files[0].path, "int.go");
        assert!(ctx.files[0].content.contains("f.getFlagType(name, \"int\", intConv)"));
        let shown = commented(req.language, &ctx.files);
        assert!(
            shown.starts_with("// int.go\n// package flags\n//\n// func (f *FlagSet) GetInt("),
            "{shown}"
        );
        assert!(shown.ends_with("// }\n\n"), "{shown}");
        assert_eq!(ctx.files_tokens, count(&shown));
    }

    fn far_request(text: &str, prefix_tokens: usize) -> Request<'_> {
        Request {
            path: "a.py",
            language: Some(Language::Python),
            text,
            tree: None,
            cursor: text.len(),
            prefix_tokens,
            suffix_tokens: 4,
            context_tokens: 100,
            layout: ContextLayout::Comments,
            anchor: None,
            grow: false,
            recent: &[],
            open: &[],
        }
    }

    #[test]
    fn the_current_files_far_code_counts_and_multibyte_text_never_splits() {
        let index = Index::default();
        let count = |s: &str| s.chars().count() / 3 + 1;
        let block = "def résumé(données, café):\n    total = données + café\n    return total\n\n";
        for repeat in 1..40 {
            let filler = "# éé\n".repeat(repeat * 7);
            let text = format!("{block}{filler}\ndef résumé2(données, café):\n    total = ");
            for prefix_tokens in [4, 9, 17, 33] {
                let ctx = gather(&far_request(&text, prefix_tokens), &index, None, &count);
                for f in &ctx.files {
                    assert_eq!(f.path, "a.py");
                    assert!(text.contains(&f.content));
                }
            }
        }
        // Far enough above the window, the current file's own look-alike is shown.
        let text = format!("{block}{}def résumé2(données, café):\n    total = ", "# éé\n".repeat(400));
        let ctx = gather(&far_request(&text, 300), &index, None, &count);
        assert_eq!(ctx.files.len(), 1, "{:?}", ctx.files);
        assert!(ctx.files[0].content.starts_with("def résumé(données, café):"), "{:?}", ctx.files);
        assert!(!ctx.window.prefix.contains("def résumé("));
    }
}
