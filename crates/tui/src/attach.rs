//! Attaching code: `path`, `path:LINE` and `path:START-END` references (on the command line and
//! as `@path` in messages), reading them safely, and completing paths like a shell does.

use std::ops::Range;
use std::path::{Path, PathBuf};
use tandem_core::reference::{ReferenceError, parse_ref, select};
use tandem_engine::Attachment;
use tandem_engine::fence_language;
use tandem_engine::files::{self, ReadError};

/// Attached files larger than this are refused (a prompt could not hold them anyway): the
/// engine's one cap on what is read.
pub const MAX_BYTES: usize = files::MAX_FILE_BYTES;

/// Why a reference cannot be attached.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    /// The reference's lines are malformed, or outside the file.
    #[error("cannot attach `{reference}`: {source}")]
    Lines { reference: String, source: ReferenceError },
    #[error("cannot attach `{path}`: it is a directory (attach its files)")]
    Directory { path: String },
    #[error(
        "cannot attach `{path}`: it is over the {} KiB limit (attach a range: `{path}:START-END`)",
        MAX_BYTES / 1024
    )]
    TooLarge { path: String },
    #[error("cannot attach `{path}`: it is a binary file")]
    Binary { path: String },
    #[error("cannot attach `{path}`: it is not UTF-8 text")]
    NotUtf8 { path: String },
    /// Missing, unreadable, or not a regular file (a device, a FIFO).
    #[error("cannot attach `{path}`: {source}")]
    Unreadable { path: String, source: ReadError },
}

/// The `@references` in a message: their byte ranges (the `@` included) and their text.
pub fn refs_in(message: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut prev = ' ';
    for (i, c) in message.char_indices() {
        if c == '@' && prev.is_whitespace() {
            let rest = &message[i + 1..];
            let len = rest.find(char::is_whitespace).unwrap_or(rest.len());
            // Punctuation that ends a sentence is not part of the path.
            let word = rest[..len].trim_end_matches([',', ';', '!', '?', ')', '.', '"', '\'']);
            if !word.is_empty() {
                out.push((i..i + 1 + word.len(), word));
            }
        }
        prev = c;
    }
    out
}

/// `path` as a file to read: `~/` is under `home` (when known), relative paths are under `root`.
pub fn resolve(root: &Path, home: Option<&Path>, path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => root.join(path),
    }
}

/// `path` as shown and sent: relative to `root` when inside it.
pub fn display(root: &Path, file: &Path) -> String {
    match file.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().replace('\\', "/"),
        _ => file.to_string_lossy().into_owned(),
    }
}

/// Reads a reference (`path[:lines]`, relative to `root`) as an attachment: text files only,
/// at most [`MAX_BYTES`], lines within the file.
pub fn load(root: &Path, home: Option<&Path>, reference: &str) -> Result<Attachment, AttachError> {
    let bad_lines = |source| AttachError::Lines { reference: reference.to_owned(), source };
    let (path, lines) = parse_ref(reference).map_err(bad_lines)?;
    let file = resolve(root, home, path);
    let owned = || path.to_owned();
    if std::fs::metadata(&file).is_ok_and(|m| m.is_dir()) {
        return Err(AttachError::Directory { path: owned() });
    }
    let text = files::read_text_capped(&file, path, MAX_BYTES).map_err(|e| match e {
        ReadError::TooLarge { .. } => AttachError::TooLarge { path: owned() },
        ReadError::Binary { .. } => AttachError::Binary { path: owned() },
        ReadError::NotUtf8 { .. } => AttachError::NotUtf8 { path: owned() },
        source => AttachError::Unreadable { path: owned(), source },
    })?;
    let text = match lines {
        Some(r) => select(&text, r).map_err(bad_lines)?,
        None => text,
    };
    let shown = display(root, &file);
    let language = fence_language(&shown).map(str::to_owned);
    Ok(Attachment { path: shown, lines, language, text })
}

/// Completions of a partial path (as typed after `@`): the entries of its directory that start
/// with its last part, directories ending in `/`, hidden ones only when asked for, sorted.
pub fn complete(root: &Path, home: Option<&Path>, partial: &str) -> Vec<String> {
    let (dir, stem) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let Ok(entries) = std::fs::read_dir(resolve(root, home, if dir.is_empty() { "." } else { dir })) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(stem) || (name.starts_with('.') && !stem.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().ok()?.is_dir() || e.path().is_dir();
            Some(format!("{dir}{name}{}", if is_dir { "/" } else { "" }))
        })
        .collect();
    out.sort();
    out
}

/// The longest common prefix of `items` (whole characters).
pub fn common_prefix(items: &[String]) -> String {
    let Some(first) = items.first() else { return String::new() };
    let mut prefix = first.as_str();
    for s in &items[1..] {
        let n: usize =
            prefix.chars().zip(s.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
        prefix = &prefix[..n];
    }
    prefix.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_in_messages() {
        let m = "look at @src/lib.rs:3-4, and @b.py. Mail me@x.org or @";
        let refs: Vec<&str> = refs_in(m).into_iter().map(|(_, r)| r).collect();
        assert_eq!(refs, ["src/lib.rs:3-4", "b.py"]);
        let (range, _) = &refs_in("@a.rs why")[0];
        assert_eq!(range.clone(), 0..5);
    }

    #[test]
    fn loading_checks_what_it_reads() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("src")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "a\nb\nc\n").unwrap();
        std::fs::write(root.join("bin.dat"), b"\x00\x01\x02").unwrap();
        std::fs::write(root.join("latin1.txt"), b"caf\xe9").unwrap();
        let a = load(root, None, "src/lib.rs:2-3").unwrap();
        assert_eq!((a.path.as_str(), a.lines, a.text.as_str()), ("src/lib.rs", Some((2, 3)), "b\nc\n"));
        assert_eq!(a.language.as_deref(), Some("rust"));
        assert_eq!(a.label(), "src/lib.rs:2-3");
        let err = |r: &str| load(root, None, r).unwrap_err();
        let text = |r: &str| err(r).to_string();
        assert!(matches!(err("src/lib.rs:2-9"), AttachError::Lines { .. }));
        assert_eq!(
            text("src/lib.rs:2-9"),
            "cannot attach `src/lib.rs:2-9`: lines 2-9 are outside the file (3 lines)"
        );
        assert_eq!(
            text("src/lib.rs:5-3"),
            "cannot attach `src/lib.rs:5-3`: the range 5-3 ends before it starts"
        );
        assert!(matches!(err("bin.dat"), AttachError::Binary { .. }));
        assert_eq!(text("bin.dat"), "cannot attach `bin.dat`: it is a binary file");
        assert_eq!(text("latin1.txt"), "cannot attach `latin1.txt`: it is not UTF-8 text");
        assert_eq!(text("src"), "cannot attach `src`: it is a directory (attach its files)");
        assert!(matches!(err("missing.rs"), AttachError::Unreadable { .. }));
        assert!(text("missing.rs").starts_with("cannot attach `missing.rs`: cannot read missing.rs: "));
        let big = root.join("big.txt");
        std::fs::write(&big, "x".repeat(MAX_BYTES + 1)).unwrap();
        assert!(matches!(err("big.txt"), AttachError::TooLarge { .. }));
        assert_eq!(
            text("big.txt"),
            format!(
                "cannot attach `big.txt`: it is over the {} KiB limit (attach a range: `big.txt:START-END`)",
                MAX_BYTES / 1024
            )
        );
        // Devices and FIFOs are refused before a byte is read (a FIFO would block forever).
        assert!(text("/dev/zero").contains("not a regular file"));
        #[cfg(unix)]
        {
            let made = std::process::Command::new("mkfifo").arg(root.join("pipe.rs")).status().unwrap();
            assert!(made.success());
            assert!(text("pipe.rs").contains("not a regular file"));
        }
    }

    #[test]
    fn paths_complete_like_a_shell() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src/nested")).unwrap();
        for f in ["src/main.rs", "src/map.rs", "src/.hidden", "README.md"] {
            std::fs::write(root.join(f), "").unwrap();
        }
        assert_eq!(complete(root, None, "src/ma"), ["src/main.rs", "src/map.rs"]);
        assert_eq!(complete(root, None, "s"), ["src/"]);
        assert_eq!(complete(root, None, "src/"), ["src/main.rs", "src/map.rs", "src/nested/"]);
        assert_eq!(complete(root, None, "src/.h"), ["src/.hidden"]);
        assert!(complete(root, None, "nowhere/x").is_empty());
        assert_eq!(common_prefix(&complete(root, None, "src/ma")), "src/ma");
        assert_eq!(common_prefix(&["src/main.rs".into(), "src/mainly".into()]), "src/main");
        assert_eq!(common_prefix(&["é1".into(), "é2".into()]), "é");
    }
}
