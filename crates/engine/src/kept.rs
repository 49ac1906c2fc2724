//! What the completer keeps for each open document, in the document's own entry: the suggestion
//! on screen, the request in flight, where the last prefix window started, and the workspace
//! context chosen near the cursor. Closing the document drops it all at once.

use crate::cache::Shown;
use std::sync::Arc;
use tandem_context::index::Index;
use tandem_core::{Cancel, ContextFile};

/// One document's completion state, kept in its entry of the engine's documents.
#[derive(Debug, Default)]
pub(crate) struct DocState {
    /// The suggestion on screen, for typed-ahead reuse.
    pub(crate) shown: Option<Shown>,
    /// The request in flight, cancelled by the next one.
    pub(crate) inflight: Option<Cancel>,
    /// Where the prefix window starts, kept while the prefix fits its budget.
    pub(crate) anchor: Option<WindowStart>,
    /// The workspace context of the last prompt, kept while the cursor stays near.
    pub(crate) context: Option<Kept>,
}

/// Where a document's last prefix window started, the header lines in front of it, and a hash
/// of the text above that start (the headers are kept while it is unchanged).
#[derive(Clone, Debug)]
pub(crate) struct WindowStart {
    pub start: usize,
    pub headers: String,
    pub above: u64,
}

pub(crate) fn hash_of(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// Workspace context chosen for a document, and where.
#[derive(Clone, Debug)]
pub(crate) struct Kept {
    pub files: Vec<ContextFile>,
    pub tokens: usize,
    pub line: usize,
    /// The index's text of each file the context quotes, when it was chosen: the context is
    /// kept while none of them changed and no definition appeared or went elsewhere (edits
    /// inside other files' definitions do not matter).
    pub sources: Vec<(String, Option<Arc<str>>)>,
    /// The index's [`Index::names_generation`] then.
    pub names: u64,
}

impl Kept {
    /// The files `files` quote, with their text in `index` now.
    pub fn sources_in(files: &[ContextFile], index: &Index) -> Vec<(String, Option<Arc<str>>)> {
        let mut paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        paths.into_iter().map(|p| (p.to_owned(), index.get(p).map(|e| e.text.clone()))).collect()
    }

    /// Whether the files the context quotes are as they were, and the workspace defines the
    /// same names.
    pub fn current(&self, index: &Index) -> bool {
        self.names == index.names_generation()
            && self.sources.iter().all(|(path, then)| match (index.get(path), then) {
                (Some(now), Some(then)) => Arc::ptr_eq(&now.text, then),
                (None, None) => true,
                _ => false,
            })
    }
}
