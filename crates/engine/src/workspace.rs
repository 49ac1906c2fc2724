//! The workspace behind the completions: the index of its files (built from disk in the
//! background, kept current from the editor's buffers and file events), the documents open in
//! the editor, and a ring of recently edited code.

use crate::redact::PathRules;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};
use tandem_context::gather::Snippet;
use tandem_context::index::{Index, Limits, Skip};

/// Recent snippets kept.
const RECENT: usize = 16;
/// Lines above and below the cursor a recent snippet takes.
const RECENT_LINES: usize = 6;
/// Directories never indexed even when no ignore file says so.
const SKIPPED_DIRS: [&str; 6] = ["node_modules", "target", ".git", "dist", "build", "__pycache__"];

/// What a scan did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanReport {
    pub indexed: usize,
    pub skipped: usize,
    pub bytes: usize,
    pub elapsed: Duration,
    /// The index hit its limits; files after that point were left out.
    pub full: bool,
}

#[derive(Debug, Default)]
pub struct Workspace {
    root: RwLock<Option<PathBuf>>,
    index: RwLock<Index>,
    recent: Mutex<VecDeque<Snippet>>,
    open: Mutex<BTreeSet<String>>,
    /// When each open document's buffer last went into the index.
    indexed_at: Mutex<HashMap<String, Instant>>,
}

/// Tokens of workspace map that explanations and chat carry.
pub const MAP_TOKENS: usize = 400;

/// How often an edited buffer is indexed again while it changes.
const REINDEX_EVERY: Duration = Duration::from_secs(2);

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Workspace {
    pub fn new(limits: Limits) -> Self {
        Self { index: RwLock::new(Index::new(limits)), ..Self::default() }
    }

    pub fn set_root(&self, root: Option<PathBuf>) {
        *self.root.write().unwrap_or_else(|e| e.into_inner()) = root;
    }

    pub fn root(&self) -> Option<PathBuf> {
        read(&self.root).clone()
    }

    /// The workspace's name (its folder's), for the repository-level prompt.
    pub fn name(&self) -> String {
        self.root()
            .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "workspace".into())
    }

    /// `path` relative to the root, `/`-separated; `None` outside the workspace.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let root = self.root()?;
        let rel = path.strip_prefix(&root).ok()?;
        let parts: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    pub fn index(&self) -> RwLockReadGuard<'_, Index> {
        read(&self.index)
    }

    fn update(&self, rel: &str, text: &str) -> Result<(), Skip> {
        self.index.write().unwrap_or_else(|e| e.into_inner()).update(rel, text)
    }

    /// Indexes every source file under the root, honouring ignore files (.gitignore, .ignore)
    /// and skipping hidden, vendored and build directories. Blocking; run it off the async
    /// threads. Files the editor has open keep their buffer's text.
    pub fn scan(&self) -> ScanReport {
        let started = Instant::now();
        let mut report = ScanReport::default();
        let Some(root) = self.root() else { return report };
        let limits = self.index().limits();
        let walker = ignore::WalkBuilder::new(&root)
            .require_git(false)
            .filter_entry(|e| !SKIPPED_DIRS.iter().any(|d| e.file_name() == *d))
            .build();
        for entry in walker.flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Some(rel) = self.relative(entry.path()) else { continue };
            let wanted = rel.ends_with("go.mod") || tandem_context::Language::from_path(&rel).is_some();
            if !wanted || lock(&self.open).contains(&rel) {
                continue;
            }
            if entry.metadata().is_ok_and(|m| m.len() as usize > limits.max_file_bytes) {
                report.skipped += 1;
                continue;
            }
            let Ok(bytes) = std::fs::read(entry.path()) else { continue };
            let Ok(text) = String::from_utf8(bytes) else {
                report.skipped += 1;
                continue;
            };
            match self.update(&rel, &text) {
                Ok(()) => report.indexed += 1,
                Err(Skip::Full) => {
                    report.full = true;
                    break;
                }
                Err(_) => report.skipped += 1,
            }
        }
        report.bytes = self.index().bytes();
        report.elapsed = started.elapsed();
        report
    }

    /// A document was opened (or saved) in the editor: its buffer is what counts.
    pub fn opened(&self, rel: &str, text: &str) {
        lock(&self.open).insert(rel.to_owned());
        lock(&self.indexed_at).insert(rel.to_owned(), Instant::now());
        let _ = self.update(rel, text);
    }

    /// The editor's buffer of an open document, on save.
    pub fn buffer_changed(&self, rel: &str, text: &str) {
        lock(&self.indexed_at).insert(rel.to_owned(), Instant::now());
        let _ = self.update(rel, text);
    }

    /// Whether an edited buffer is due to be indexed again (at most every couple of seconds
    /// while typing); marks it done when it is.
    pub fn due(&self, rel: &str) -> bool {
        let mut at = lock(&self.indexed_at);
        let due = at.get(rel).is_none_or(|t| t.elapsed() >= REINDEX_EVERY);
        if due {
            at.insert(rel.to_owned(), Instant::now());
        }
        due
    }

    /// A document was closed: the file on disk counts again.
    pub fn closed(&self, rel: &str) {
        lock(&self.open).remove(rel);
        lock(&self.indexed_at).remove(rel);
        self.reload(rel);
    }

    /// A file changed, appeared or went away on disk.
    pub fn reload(&self, rel: &str) {
        if lock(&self.open).contains(rel) {
            return;
        }
        let path = match self.root() {
            Some(r) => r.join(rel),
            None => return,
        };
        match std::fs::read(&path).ok().and_then(|b| String::from_utf8(b).ok()) {
            Some(text) => {
                let _ = self.update(rel, &text);
            }
            None => self.index.write().unwrap_or_else(|e| e.into_inner()).remove(rel),
        }
    }

    pub fn open_documents(&self) -> Vec<String> {
        lock(&self.open).iter().cloned().collect()
    }

    /// Remembers the code around `cursor` in `rel` as recently edited; replaces an earlier
    /// snippet of the same place.
    pub fn record_recent(&self, rel: &str, text: &str, cursor: usize) {
        let (before, after) = text.split_at(cursor.min(text.len()));
        let start = before.rmatch_indices('\n').nth(RECENT_LINES).map_or(0, |(i, _)| i + 1);
        let end = after.match_indices('\n').nth(RECENT_LINES).map_or(text.len(), |(i, _)| cursor + i);
        let Some(chunk) = text.get(start..end) else { return };
        if chunk.trim().is_empty() {
            return;
        }
        let mut recent = lock(&self.recent);
        recent.retain(|s| s.path != rel || s.offset.abs_diff(start) > 400);
        recent.push_front(Snippet { path: rel.to_owned(), offset: start, text: chunk.to_owned() });
        recent.truncate(RECENT);
    }

    /// A map of the workspace's definitions that the `focus` files use, within [`MAP_TOKENS`]
    /// tokens (as `count` counts them), leaving out the files the privacy `rules` exclude: context
    /// for chat and explain. `None` when it would be empty.
    pub fn map(
        &self,
        focus: &[tandem_context::map::Focus<'_>],
        count: &dyn Fn(&str) -> usize,
        rules: &PathRules,
    ) -> Option<String> {
        let allow = |p: &str| rules.excluded(p).is_none();
        let map = tandem_context::map::repo_map(&self.index(), focus, MAP_TOKENS, count, &allow);
        (!map.is_empty()).then_some(map)
    }

    /// Recent snippets, most recent first.
    pub fn recent(&self) -> Vec<Snippet> {
        lock(&self.recent).iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_respecting_ignore_files_and_follows_changes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("node_modules/x")).unwrap();
        std::fs::write(root.join(".gitignore"), "ignored.rs\n").unwrap();
        std::fs::write(root.join("src/lib.rs"), "pub fn alpha() {}\n").unwrap();
        std::fs::write(root.join("ignored.rs"), "pub fn hidden() {}\n").unwrap();
        std::fs::write(root.join("node_modules/x/index.js"), "function vendored() {}\n").unwrap();
        std::fs::write(root.join("blob.c"), b"int \0\x01\x02").unwrap();
        std::fs::write(root.join("notes.txt"), "text").unwrap();
        let ws = Workspace::new(Limits::default());
        ws.set_root(Some(root.to_owned()));
        let report = ws.scan();
        assert_eq!((report.indexed, report.skipped, report.full), (1, 1, false));
        assert_eq!(ws.index().defining("alpha").collect::<Vec<_>>(), ["src/lib.rs"]);
        assert_eq!(ws.index().defining("hidden").count() + ws.index().defining("vendored").count(), 0);

        // The editor's buffer wins while open; the disk again after closing.
        ws.opened("src/lib.rs", "pub fn beta() {}\n");
        assert_eq!(ws.index().defining("beta").count(), 1);
        ws.reload("src/lib.rs");
        assert_eq!(ws.index().defining("beta").count(), 1, "disk events don't override an open buffer");
        ws.closed("src/lib.rs");
        assert_eq!((ws.index().defining("alpha").count(), ws.index().defining("beta").count()), (1, 0));
        std::fs::remove_file(root.join("src/lib.rs")).unwrap();
        ws.reload("src/lib.rs");
        assert!(ws.index().is_empty());
    }

    #[test]
    fn recent_snippets_replace_the_same_place() {
        let ws = Workspace::default();
        let text = "a\nb\nc\n";
        ws.record_recent("x.rs", text, 2);
        ws.record_recent("y.rs", text, 2);
        ws.record_recent("x.rs", text, 4);
        let paths: Vec<String> = ws.recent().into_iter().map(|s| s.path).collect();
        assert_eq!(paths, ["x.rs", "y.rs"]);
    }
}
