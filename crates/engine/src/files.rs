//! Reading text from outside: the one reader every face and the index use.
//!
//! Whatever names a file — a client's URI, a command-line argument, a file event, a chat
//! attachment — the bytes come through [`read_text`]: only regular files (a FIFO, a device or a
//! directory is refused before a byte is read, and opening never blocks), at most
//! [`MAX_FILE_BYTES`], and only UTF-8 text without NUL bytes. Standard input goes through
//! [`read_stream`] under the same cap.
//!
//! Paths are resolved here too: [`Root`] is a workspace directory that confines what a client
//! may name (`..` and symlinks resolved first), and [`link_target`] tells the privacy rules what
//! a symlink really points to.

use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use tandem_core::text::{NotText, decode};

/// The largest file read: the index's own cap on a file, so that a file is either usable
/// everywhere or refused everywhere with the same message.
pub const MAX_FILE_BYTES: usize = tandem_context::index::MAX_FILE_BYTES;

/// Why a file's text could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {name}: {source}")]
    Io { name: String, source: std::io::Error },
    #[error("cannot read {name}: it is not a regular file")]
    NotRegular { name: String },
    #[error("cannot read {name}: it is larger than the {} KiB limit", .cap / 1024)]
    TooLarge { name: String, cap: usize },
    #[error("{name} looks like a binary file (it contains NUL bytes)")]
    Binary { name: String },
    #[error("{name} is not UTF-8 text (invalid byte at offset {valid_up_to})")]
    NotUtf8 { name: String, valid_up_to: usize },
    #[error("{name} is outside the workspace")]
    Outside { name: String },
}

impl ReadError {
    /// Whether the file is there but refused for what it is (as opposed to gone or unreadable).
    pub fn is_refused(&self) -> bool {
        !matches!(self, Self::Io { .. })
    }
}

/// Opens `path` for reading without blocking on a FIFO and without becoming a terminal's
/// controlling process, then checks on the open handle (not on the name, which could be swapped
/// in between) that it is a regular file.
fn open_regular(path: &Path, name: &str) -> Result<File, ReadError> {
    let io = |source| ReadError::Io { name: name.to_owned(), source };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular { name: name.to_owned() });
    }
    Ok(file)
}

/// The text of the regular file at `path` (`name` is how errors call it), at most `cap` bytes.
pub fn read_text_capped(path: &Path, name: &str, cap: usize) -> Result<String, ReadError> {
    let file = open_regular(path, name)?;
    if file.metadata().is_ok_and(|m| m.len() > cap as u64) {
        return Err(ReadError::TooLarge { name: name.to_owned(), cap });
    }
    read_stream(file, name, cap)
}

/// The text of the regular file at `path`, at most [`MAX_FILE_BYTES`].
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    read_text_capped(path, &path.display().to_string(), MAX_FILE_BYTES)
}

/// At most `cap` bytes of text from `input` (standard input, or a file already checked); a
/// longer input is refused after reading one byte past the cap, not read to its end.
pub fn read_stream(input: impl Read, name: &str, cap: usize) -> Result<String, ReadError> {
    let mut bytes = Vec::new();
    input
        .take(cap as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io { name: name.to_owned(), source })?;
    if bytes.len() > cap {
        return Err(ReadError::TooLarge { name: name.to_owned(), cap });
    }
    decode(bytes).map_err(|e| match e {
        NotText::Binary => ReadError::Binary { name: name.to_owned() },
        NotText::NotUtf8 { valid_up_to } => ReadError::NotUtf8 { name: name.to_owned(), valid_up_to },
    })
}

/// `path` with `.` and `..` taken out by its text alone (no disk access); `None` when `..`
/// climbs above its start. For names of files that may no longer exist.
pub fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::Normal(part) => {
                out.push(part);
                depth += 1;
            }
            Component::RootDir | Component::Prefix(_) => out.push(c.as_os_str()),
        }
    }
    Some(out)
}

/// A workspace directory: what is inside it, by name and on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Root {
    /// As the client or the user named it (URIs from the editor use this spelling).
    given: PathBuf,
    /// With its symlinks resolved (where files really are).
    real: PathBuf,
}

impl Root {
    pub fn new(dir: &Path) -> Self {
        let given =
            std::path::absolute(dir).ok().and_then(|p| normalize(&p)).unwrap_or_else(|| dir.to_owned());
        let real = given.canonicalize().unwrap_or_else(|_| given.clone());
        Self { given, real }
    }

    pub fn path(&self) -> &Path {
        &self.given
    }

    /// `path` relative to the root, `/`-separated, with `..` resolved by name; `None` outside
    /// the workspace (or for the root itself). Does not touch the disk: see [`Root::resolve`].
    pub fn relative(&self, path: &Path) -> Option<String> {
        let path = normalize(path)?;
        let rel = path.strip_prefix(&self.given).or_else(|_| path.strip_prefix(&self.real)).ok()?;
        let parts: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// Where the workspace file `rel` really is, with every symlink resolved, when that is
    /// inside the workspace; `None` when it is missing or resolves outside.
    pub fn resolve(&self, rel: &str) -> Option<PathBuf> {
        let real = self.given.join(normalize(Path::new(rel))?).canonicalize().ok()?;
        real.starts_with(&self.real).then_some(real)
    }

    /// Whether `rel` is a link (or lies under a linked directory, or is a dangling link): its
    /// text is not its own. A name with nothing on disk (a new, unsaved file) is no link.
    pub fn is_alias(&self, rel: &str) -> bool {
        let Some(rel) = normalize(Path::new(rel)) else { return true };
        let full = self.given.join(&rel);
        if full.symlink_metadata().is_err() {
            return false;
        }
        full.canonicalize().map_or(true, |real| real != self.real.join(rel))
    }

    /// The text of the workspace file `rel` (at most `cap` bytes), read through the same checks
    /// as [`read_text`] after resolving it; refused when it resolves outside the workspace.
    pub fn read(&self, rel: &str, cap: usize) -> Result<String, ReadError> {
        let path = self.resolve(rel).ok_or_else(|| {
            let exists = normalize(Path::new(rel)).is_some_and(|r| self.given.join(r).exists());
            if exists {
                ReadError::Outside { name: rel.to_owned() }
            } else {
                ReadError::Io { name: rel.to_owned(), source: std::io::ErrorKind::NotFound.into() }
            }
        })?;
        read_text_capped(&path, rel, cap)
    }
}

/// What `path` really is when it is a symlink or lies under one: its target with every link
/// resolved, named relative to `root` when inside it, else absolute. `None` for a plain file, or
/// one that does not exist. A relative `path` is taken from `root` when given, else from the
/// current directory.
pub fn link_target(root: Option<&Root>, path: &str) -> Option<String> {
    let given = Path::new(path);
    let full = match root {
        Some(r) if given.is_relative() => r.given.join(given),
        _ => std::path::absolute(given).ok()?,
    };
    let full = normalize(&full)?;
    let real = full.canonicalize().ok()?;
    if real == full || root.is_some_and(|r| r.relative(&full).is_some_and(|rel| real == r.real.join(rel))) {
        return None;
    }
    let inside = root.and_then(|r| r.relative(&real));
    Some(inside.unwrap_or_else(|| real.to_string_lossy().into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_under_the_cap_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.py");
        std::fs::write(&file, "x = 1\n").unwrap();
        assert_eq!(read_text(&file).unwrap(), "x = 1\n");
        assert!(matches!(read_text(dir.path()), Err(ReadError::NotRegular { .. })));
        assert!(matches!(read_text(Path::new("/dev/zero")), Err(ReadError::NotRegular { .. })));
        assert!(matches!(read_text(Path::new("/dev/null")), Err(ReadError::NotRegular { .. })));
        std::fs::write(&file, "x".repeat(100)).unwrap();
        assert!(matches!(read_text_capped(&file, "a.py", 99), Err(ReadError::TooLarge { cap: 99, .. })));
        assert_eq!(read_text_capped(&file, "a.py", 100).unwrap().len(), 100);
        std::fs::write(&file, b"a\x00b").unwrap();
        assert!(matches!(read_text(&file), Err(ReadError::Binary { .. })));
        std::fs::write(&file, b"caf\xe9").unwrap();
        assert!(matches!(read_text(&file), Err(ReadError::NotUtf8 { valid_up_to: 3, .. })));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.py");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        // With a blocking open this call would wait forever (no writer ever comes).
        assert!(matches!(read_text(&fifo), Err(ReadError::NotRegular { .. })));
    }

    #[test]
    fn streams_stop_one_byte_past_the_cap() {
        let endless = std::io::repeat(b'a');
        assert!(matches!(read_stream(endless, "stdin", 1000), Err(ReadError::TooLarge { .. })));
        assert_eq!(read_stream(&b"abc"[..], "stdin", 3).unwrap(), "abc");
    }

    #[test]
    fn names_are_normalized_and_confined() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), Some(PathBuf::from("/a/c/d")));
        assert_eq!(normalize(Path::new("a/../../b")), None);
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path());
        let inside = dir.path().join("src/x.rs");
        assert_eq!(root.relative(&inside).as_deref(), Some("src/x.rs"));
        assert_eq!(root.relative(&dir.path().join("src/../../../etc/passwd")), None);
        assert_eq!(root.relative(&dir.path().join("src/../lib.rs")).as_deref(), Some("lib.rs"));
        assert_eq!(root.relative(dir.path()), None);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_workspace_are_not_read_and_links_are_named() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("id_ed25519"), "KEY").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = Root::new(dir.path());
        std::fs::write(dir.path().join(".env.production"), "TOKEN=x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("id_ed25519"), dir.path().join("keyfile.txt"))
            .unwrap();
        std::os::unix::fs::symlink(".env.production", dir.path().join("notes.py")).unwrap();
        std::fs::write(dir.path().join("plain.py"), "x = 1").unwrap();

        assert!(matches!(root.read("keyfile.txt", MAX_FILE_BYTES), Err(ReadError::Outside { .. })));
        assert!(matches!(root.read("../x", MAX_FILE_BYTES), Err(ReadError::Io { .. })));
        assert_eq!(
            root.read("notes.py", MAX_FILE_BYTES).unwrap(),
            "TOKEN=x",
            "a link inside the workspace is inside"
        );
        assert!(root.is_alias("notes.py") && !root.is_alias("plain.py") && !root.is_alias("new.py"));

        let target = link_target(Some(&root), "keyfile.txt").unwrap();
        assert!(target.ends_with("/id_ed25519"), "{target}");
        assert_eq!(link_target(Some(&root), "notes.py").as_deref(), Some(".env.production"));
        assert_eq!(link_target(Some(&root), "plain.py"), None);
        assert_eq!(link_target(Some(&root), "missing.py"), None);
    }
}
