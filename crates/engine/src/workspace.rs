//! The workspace behind the completions: its root, the index of its files (built from disk in
//! the background, kept current from the editor's buffers and file events), and a ring of
//! recently edited code. Which documents are open is the engine's to know (`document.rs`): the
//! calls that depend on it are told.

use crate::files::{ReadError, Root};
use crate::redact::PathRules;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant};
use tandem_context::gather::Snippet;
use tandem_context::index::{Index, Limits, Prepared, Skip};
use tandem_core::text::floor_char_boundary;

/// Recent snippets kept.
const RECENT: usize = 16;
/// Lines above and below the cursor a recent snippet takes.
const RECENT_LINES: usize = 6;
/// Most bytes above and below the cursor a recent snippet takes.
const RECENT_BYTES: usize = 2048;

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
    root: RwLock<Option<Root>>,
    index: RwLock<Index>,
    recent: Mutex<VecDeque<Snippet>>,
}

/// Tokens of workspace map that explanations and chat carry.
pub const MAP_TOKENS: usize = 400;

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
        *self.root.write().unwrap_or_else(|e| e.into_inner()) = root.map(|r| Root::new(&r));
    }

    pub fn root(&self) -> Option<PathBuf> {
        read(&self.root).as_ref().map(|r| r.path().to_owned())
    }

    /// The root with its resolved spelling, for confining reads to it.
    pub fn root_dir(&self) -> Option<Root> {
        read(&self.root).clone()
    }

    /// The workspace's name (its folder's), for the repository-level prompt.
    pub fn name(&self) -> String {
        self.root()
            .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "workspace".into())
    }

    /// `path` relative to the root, `/`-separated, `..` resolved; `None` outside the workspace.
    pub fn relative(&self, path: &Path) -> Option<String> {
        read(&self.root).as_ref()?.relative(path)
    }

    /// The text of the workspace file `rel`, when it is a regular text file within the index's
    /// size cap whose real path is inside the workspace.
    pub fn read_file(&self, rel: &str) -> Result<String, ReadError> {
        let root = self.root_dir().ok_or_else(|| ReadError::Outside { name: rel.to_owned() })?;
        root.read(rel, self.index().limits().max_file_bytes)
    }

    pub fn index(&self) -> RwLockReadGuard<'_, Index> {
        read(&self.index)
    }

    /// Parses outside the index's lock and only swaps the entry in under it, so a completion
    /// reading the index never waits behind a parse.
    fn update(&self, rel: &str, text: &str) -> Result<(), Skip> {
        let limits = {
            let index = self.index();
            if index.holds(rel, text) {
                return Ok(());
            }
            index.limits()
        };
        let prepared = Prepared::of(rel, text, limits);
        self.index.write().unwrap_or_else(|e| e.into_inner()).insert(rel, prepared)
    }

    /// Indexes every source file under the root, honouring ignore files (.gitignore, .ignore)
    /// and skipping hidden, vendored and build directories. Blocking; run it off the async
    /// threads.
    pub fn scan(&self) -> ScanReport {
        self.scan_except(&|_| false)
    }

    /// [`Workspace::scan`], leaving alone the files for which `open` says the editor has them
    /// open: their buffer's text is what counts.
    pub fn scan_except(&self, open: &dyn Fn(&str) -> bool) -> ScanReport {
        let started = Instant::now();
        let mut report = ScanReport::default();
        let Some(root) = self.root_dir() else { return report };
        let limits = self.index().limits();
        let walker = ignore::WalkBuilder::new(root.path())
            .require_git(false)
            .filter_entry(|e| !SKIPPED_DIRS.iter().any(|d| e.file_name() == *d))
            .build();
        for entry in walker.flatten() {
            // Links are not followed: a link's text belongs to its target, which may be outside
            // the workspace or excluded by the privacy rules under its own name.
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let Some(rel) = self.relative(entry.path()) else { continue };
            let wanted = rel.ends_with("go.mod") || tandem_context::Language::from_path(&rel).is_some();
            if !wanted || open(&rel) {
                continue;
            }
            let text = match crate::files::read_text_capped(entry.path(), &rel, limits.max_file_bytes) {
                Ok(text) => text,
                Err(e) if e.is_refused() => {
                    report.skipped += 1;
                    continue;
                }
                Err(_) => continue,
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

    /// Whether `rel` is a link on disk: its text is its target's, which the index does not take
    /// under another name (the scan skips links for the same reason).
    fn is_alias(&self, rel: &str) -> bool {
        self.root_dir().is_some_and(|r| r.is_alias(rel))
    }

    /// The editor's buffer of the workspace file `rel` (opened, edited or saved): what counts
    /// for the index while it is open. A link's buffer is its target's text and stays out.
    pub fn index_buffer(&self, rel: &str, text: &str) {
        if !self.is_alias(rel) {
            let _ = self.update(rel, text);
        }
    }

    /// A file changed, appeared or went away on disk. Only what resolves inside the workspace
    /// to a regular text file under the cap is read; anything else leaves the index.
    /// Not for a file the editor has open (its buffer counts).
    pub fn reload(&self, rel: &str) {
        match self.read_file(rel) {
            Ok(text) if !self.is_alias(rel) => {
                let _ = self.update(rel, &text);
            }
            _ => self.index.write().unwrap_or_else(|e| e.into_inner()).remove(rel),
        }
    }

    /// Remembers the code around `cursor` in `rel` as recently edited; replaces an earlier
    /// snippet of the same place.
    pub fn record_recent(&self, rel: &str, text: &str, cursor: usize) {
        // Only the text near the cursor is looked at: a document of one huge line costs a
        // snippet of at most twice `RECENT_BYTES`, not a copy of itself.
        let cursor = floor_char_boundary(text, cursor.min(text.len()));
        let lo = floor_char_boundary(text, cursor.saturating_sub(RECENT_BYTES));
        let hi = floor_char_boundary(text, (cursor + RECENT_BYTES).min(text.len()));
        let (before, after) = (&text[lo..cursor], &text[cursor..hi]);
        let start = before.rmatch_indices('\n').nth(RECENT_LINES).map_or(lo, |(i, _)| lo + i + 1);
        let end = after.match_indices('\n').nth(RECENT_LINES).map_or(hi, |(i, _)| cursor + i);
        let Some(chunk) = text.get(start..end) else { return };
        if chunk.trim().is_empty() {
            return;
        }
        let mut recent = lock(&self.recent);
        recent.retain(|s| s.path != rel || s.offset.abs_diff(start) > 400);
        recent.push_front(Snippet { path: rel.to_owned(), offset: start, text: chunk.to_owned() });
        recent.truncate(RECENT);
    }

    /// A map of the workspace's definitions that the `focus` files use, within `MAP_TOKENS` (400)
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

        // A buffer's text replaces the disk's; a reload reads the disk again. (That an open
        // buffer is not reloaded is the engine's: `tests/documents.rs`.)
        ws.index_buffer("src/lib.rs", "pub fn beta() {}\n");
        assert_eq!(ws.index().defining("beta").count(), 1);
        ws.reload("src/lib.rs");
        assert_eq!((ws.index().defining("alpha").count(), ws.index().defining("beta").count()), (1, 0));
        std::fs::remove_file(root.join("src/lib.rs")).unwrap();
        ws.reload("src/lib.rs");
        assert!(ws.index().is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn nothing_outside_the_root_and_no_link_gets_into_the_index() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.py"), "def leaked(): pass\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join(".env.py"), "def env_value(): pass\n").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.py"), root.join("out.py")).unwrap();
        std::os::unix::fs::symlink(root.join(".env.py"), root.join("notes.py")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", root.join("zero.py")).unwrap();
        let ws = Workspace::new(Limits::default());
        ws.set_root(Some(root.to_owned()));
        ws.scan();
        assert_eq!(ws.index().defining("leaked").count(), 0);

        // `..` is resolved by name before anything is read: it names no workspace file.
        let escape = root.join("../../../../../dev/zero");
        assert_eq!(ws.relative(&escape), None);
        let sibling = root.join("sub/../../x.py");
        assert_eq!(ws.relative(&sibling), None);
        // File events for links: a link out of the workspace, to a device, or to another file
        // is not read into the index (its text is not its own).
        for link in ["out.py", "zero.py", "notes.py"] {
            ws.reload(link);
        }
        assert_eq!(ws.index().defining("leaked").count(), 0);
        assert!(ws.index().defining("env_value").all(|p| p == ".env.py"));
        // An open buffer of a link stays out of the index too; a new unsaved file does not.
        ws.index_buffer("notes.py", "def from_buffer(): pass\n");
        ws.index_buffer("new.py", "def unsaved(): pass\n");
        assert_eq!(
            (ws.index().defining("from_buffer").count(), ws.index().defining("unsaved").count()),
            (0, 1)
        );
        assert!(matches!(ws.read_file("out.py"), Err(ReadError::Outside { .. })));
        assert!(matches!(
            ws.read_file("zero.py"),
            Err(ReadError::Outside { .. } | ReadError::NotRegular { .. })
        ));
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

    #[test]
    fn a_recent_snippet_of_one_huge_line_is_bounded() {
        let ws = Workspace::default();
        let text = "é".repeat(1 << 20);
        ws.record_recent("x.rs", &text, text.len() / 2 + 1);
        let s = &ws.recent()[0];
        assert!(s.text.len() <= 2 * RECENT_BYTES && !s.text.is_empty(), "{}", s.text.len());
        assert_eq!(&text[s.offset..s.offset + s.text.len()], s.text);
    }
}
