//! The workspace index: every source file's outline and text, and which files define each name.
//! Bounded: per-file and total size limits and a file count limit; binary, generated and minified
//! files are skipped. Pure — the caller reads the files and feeds them in.

use crate::imports::Files;
use crate::language::Language;
use crate::outline::Outline;
use crate::similar::{self, Chunk};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How much the index may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_files: usize,
    pub max_file_bytes: usize,
    pub max_total_bytes: usize,
}

/// The largest file indexed, and (through the engine's reader) the largest file read at all.
pub const MAX_FILE_BYTES: usize = 512 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Self { max_files: 20_000, max_file_bytes: MAX_FILE_BYTES, max_total_bytes: 128 * 1024 * 1024 }
    }
}

/// One indexed file.
#[derive(Debug)]
pub struct Entry {
    pub language: Language,
    pub text: Arc<str>,
    pub outline: Outline,
    /// Windows of lines, for finding code like the code at a cursor.
    pub chunks: Vec<Chunk>,
}

/// Why a file is not in the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    UnknownLanguage,
    TooLarge,
    Binary,
    Generated,
    Full,
}

#[derive(Debug, Default)]
pub struct Index {
    limits: Limits,
    files: HashMap<Arc<str>, Entry>,
    names: HashMap<String, HashSet<Arc<str>>>,
    go_modules: HashMap<String, String>,
    bytes: usize,
    generation: u64,
    /// Changes when the names the index defines, or where imports lead, may have changed: a
    /// file added or removed, a file's definitions renamed, added or removed, a Go module moved.
    names_generation: u64,
}

/// Whether `text` looks machine-made: a generated-code marker near the top, or minified lines.
pub fn is_generated(path: &str, text: &str) -> bool {
    if path.contains(".min.") {
        return true;
    }
    let head: String = text.lines().take(8).collect::<Vec<_>>().join("\n").to_lowercase();
    if head.contains("@generated")
        || (head.contains("generated") && (head.contains("do not edit") || head.contains("don't edit")))
    {
        return true;
    }
    text.lines().take(200).any(|l| l.len() > 2000)
}

/// A file made ready for the index: parsed, outlined and cut into windows (the expensive part),
/// or the reason it stays out.
#[derive(Debug)]
pub enum Prepared {
    File(Entry),
    /// A `go.mod`: the module path of its directory (`None`: it names none).
    GoModule {
        dir: String,
        module: Option<String>,
    },
    Skipped(Skip),
}

impl Prepared {
    /// Does the parsing for `path` with `text` under `limits`, touching no index.
    pub fn of(path: &str, text: &str, limits: Limits) -> Self {
        if path.ends_with("go.mod") {
            let dir = crate::imports::dir(path).to_owned();
            let module = text.lines().find_map(|l| l.trim().strip_prefix("module "));
            return Self::GoModule { dir, module: module.map(|m| m.trim().trim_matches('"').to_owned()) };
        }
        let Some(language) = Language::from_path(path) else { return Self::Skipped(Skip::UnknownLanguage) };
        if text.len() > limits.max_file_bytes {
            return Self::Skipped(Skip::TooLarge);
        }
        if text.as_bytes().contains(&0) {
            return Self::Skipped(Skip::Binary);
        }
        if is_generated(path, text) {
            return Self::Skipped(Skip::Generated);
        }
        let outline = Outline::of(language, text);
        Self::File(Entry { language, text: text.into(), outline, chunks: similar::chunks(text) })
    }
}

impl Index {
    pub fn new(limits: Limits) -> Self {
        Self { limits, ..Self::default() }
    }

    /// Adds or replaces the file at `path` (workspace-relative, `/`-separated).
    pub fn update(&mut self, path: &str, text: &str) -> Result<(), Skip> {
        if self.files.get(path).is_some_and(|e| &*e.text == text) {
            return Ok(());
        }
        let prepared = Prepared::of(path, text, self.limits);
        self.insert(path, prepared)
    }

    /// Whether the index holds `path` with exactly this text (nothing to prepare).
    pub fn holds(&self, path: &str, text: &str) -> bool {
        self.files.get(path).is_some_and(|e| &*e.text == text)
    }

    /// Puts a file prepared by [`Prepared::of`] in the index: cheap, so a caller can parse
    /// without holding the index and only swap the entry in under its lock.
    pub fn insert(&mut self, path: &str, prepared: Prepared) -> Result<(), Skip> {
        let entry = match prepared {
            Prepared::GoModule { dir, module } => {
                match module {
                    Some(m) => self.go_modules.insert(dir, m),
                    None => self.go_modules.remove(&dir),
                };
                self.names_generation += 1;
                return Ok(());
            }
            Prepared::Skipped(Skip::UnknownLanguage) => return Err(Skip::UnknownLanguage),
            Prepared::Skipped(skip) => {
                self.remove(path);
                return Err(skip);
            }
            Prepared::File(entry) => entry,
        };
        let old = self.files.get(path).map_or(0, |e| e.text.len());
        let replacing = self.files.contains_key(path);
        if (!replacing && self.files.len() >= self.limits.max_files)
            || self.bytes - old + entry.text.len() > self.limits.max_total_bytes
        {
            return Err(Skip::Full);
        }
        if self.files.get(path).is_some_and(|e| e.text == entry.text) {
            return Ok(());
        }
        fn names(e: &Entry) -> Vec<&str> {
            let mut n: Vec<&str> = e.outline.definitions.iter().map(|d| d.name.as_str()).collect();
            n.sort_unstable();
            n
        }
        let renamed = self.files.get(path).is_none_or(|old| names(old) != names(&entry));
        self.names_generation += u64::from(renamed);
        self.take(path);
        let key: Arc<str> = path.into();
        for d in &entry.outline.definitions {
            self.names.entry(d.name.clone()).or_default().insert(key.clone());
        }
        self.bytes += entry.text.len();
        self.generation += 1;
        self.files.insert(key, entry);
        Ok(())
    }

    pub fn remove(&mut self, path: &str) {
        if self.take(path) {
            self.names_generation += 1;
        }
    }

    /// Takes `path`'s entry out; whether there was one.
    fn take(&mut self, path: &str) -> bool {
        let Some((key, entry)) = self.files.remove_entry(path) else { return false };
        for d in &entry.outline.definitions {
            if let Some(set) = self.names.get_mut(&d.name) {
                set.remove(&key);
                if set.is_empty() {
                    self.names.remove(&d.name);
                }
            }
        }
        self.bytes -= entry.text.len();
        self.generation += 1;
        true
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.files.get(path)
    }

    /// The files that define `name`.
    pub fn defining(&self, name: &str) -> impl Iterator<Item = &str> {
        self.names.get(name).into_iter().flatten().map(|p| &**p)
    }

    /// Every indexed file, in no particular order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.files.iter().map(|(k, e)| (&**k, e))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Bytes of text held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Changes with every update that changed something.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Changes when the defined names may have changed (see the field); not when a file's code
    /// changed inside the definitions it already had.
    pub fn names_generation(&self) -> u64 {
        self.names_generation
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }
}

impl Files for Index {
    fn exists(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    fn paths(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.files.keys().map(|k| &**k))
    }

    fn go_module(&self, dir: &str) -> Option<String> {
        self.go_modules.get(dir).cloned()
    }

    fn imports_of(&self, path: &str) -> Vec<String> {
        self.files.get(path).map(|e| e.outline.imports.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_prepared_without_the_index_and_swapped_in() {
        let mut index = Index::new(Limits::default());
        let prepared = Prepared::of("src/a.rs", "pub fn alpha() {}\n", index.limits());
        assert!(matches!(prepared, Prepared::File(_)));
        assert_eq!(index.generation(), 0);
        index.insert("src/a.rs", prepared).unwrap();
        assert_eq!(index.defining("alpha").collect::<Vec<_>>(), ["src/a.rs"]);
        assert!(index.holds("src/a.rs", "pub fn alpha() {}\n"));
        let generation = index.generation();
        index.update("src/a.rs", "pub fn alpha() {}\n").unwrap();
        assert_eq!(index.generation(), generation, "the same text changes nothing");
        let unknown = Prepared::of("notes.txt", "x", index.limits());
        assert_eq!(index.insert("notes.txt", unknown), Err(Skip::UnknownLanguage));
        let module = Prepared::of("go.mod", "module example.com/m\n", index.limits());
        assert!(matches!(&module, Prepared::GoModule { module: Some(m), .. } if m == "example.com/m"));
    }

    #[test]
    fn updates_replace_and_remove_names() {
        let mut index = Index::default();
        index.update("src/a.rs", "pub fn alpha() {}\npub struct Beta;\n").unwrap();
        assert_eq!(index.defining("alpha").collect::<Vec<_>>(), ["src/a.rs"]);
        index.update("src/a.rs", "pub fn gamma() {}\n").unwrap();
        assert_eq!(index.defining("alpha").count(), 0);
        assert_eq!(index.defining("gamma").collect::<Vec<_>>(), ["src/a.rs"]);
        index.remove("src/a.rs");
        assert_eq!((index.len(), index.bytes(), index.defining("gamma").count()), (0, 0, 0));
    }

    #[test]
    fn the_names_generation_follows_definitions_not_code_inside_them() {
        let mut index = Index::default();
        index.update("src/a.rs", "pub fn alpha() {\n    1\n}\n").unwrap();
        let (all, names) = (index.generation(), index.names_generation());
        // Code inside a definition changes: the text does, the names do not.
        index.update("src/a.rs", "pub fn alpha() {\n    2\n}\n").unwrap();
        assert!(index.generation() > all);
        assert_eq!(index.names_generation(), names);
        // A definition added, a file added, a file removed: each may matter to a context.
        for step in 0..3 {
            let before = index.names_generation();
            match step {
                0 => index.update("src/a.rs", "pub fn alpha() {\n    2\n}\npub fn beta() {}\n").unwrap(),
                1 => index.update("src/b.rs", "pub fn gamma() {}\n").unwrap(),
                _ => index.remove("src/b.rs"),
            }
            assert!(index.names_generation() > before, "step {step}");
        }
    }

    #[test]
    fn skips_what_is_not_source_and_stays_bounded() {
        let limits = Limits { max_files: 2, max_file_bytes: 100, max_total_bytes: 150 };
        let mut index = Index::new(limits);
        assert_eq!(index.update("README.md", "# hi"), Err(Skip::UnknownLanguage));
        assert_eq!(index.update("big.rs", &"x".repeat(101)), Err(Skip::TooLarge));
        assert_eq!(index.update("bin.c", "int\0"), Err(Skip::Binary));
        assert_eq!(
            index.update("gen.go", "// Code generated by x. DO NOT EDIT.\npackage p\n"),
            Err(Skip::Generated)
        );
        assert_eq!(index.update("app.min.js", "var a=1"), Err(Skip::Generated));
        index.update("a.py", &"a = 1\n".repeat(15)).unwrap();
        assert_eq!(index.update("b.py", &"b = 1\n".repeat(15)), Err(Skip::Full), "bytes");
        index.update("b.py", "b = 1\n").unwrap();
        assert_eq!(index.update("c.py", "c = 1\n"), Err(Skip::Full), "files");
        assert!(index.bytes() <= 150 && index.len() == 2);
    }
}
