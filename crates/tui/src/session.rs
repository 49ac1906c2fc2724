//! Conversations on disk: one JSON file per session under the data directory
//! (`$XDG_DATA_HOME/tandem/sessions`, chosen by the binary), written atomically (a temporary file
//! in the same directory, then a rename), so a crash or a closed terminal never leaves half a
//! file. Attachments are kept as references and read again on resume.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use tandem_core::Side;
use tandem_engine::files::ReadError;

/// The largest session file read back (a long conversation is a few hundred KiB).
const MAX_SESSION_BYTES: usize = 64 << 20;

/// How an answer ended (or that it has not yet).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerState {
    Streaming,
    Done,
    /// Stopped by the user.
    Stopped,
    /// The program ended while it streamed.
    Interrupted,
    Failed(String),
}

/// One answer and what is known about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerEntry {
    pub text: String,
    pub model: String,
    pub route: Option<Side>,
    /// Why the local model answered instead of the remote one.
    pub degraded: Option<String>,
    pub state: AnswerState,
    pub tokens: usize,
    pub first_token_ms: Option<f64>,
    pub total_ms: Option<f64>,
}

/// How a notice reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// One entry of the conversation as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entry {
    User {
        text: String,
    },
    Assistant(AnswerEntry),
    /// Shown, never sent to a model (help, fallbacks, errors, command output).
    Notice {
        level: Level,
        text: String,
    },
}

/// A file or lines of it, attached by reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub path: String,
    pub lines: Option<(usize, usize)>,
}

/// A saved conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub created_ms: u64,
    pub updated_ms: u64,
    pub entries: Vec<Entry>,
    pub attachments: Vec<AttachmentRef>,
}

pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// A new, empty session with a fresh id.
    pub fn new() -> Self {
        let now = now_ms();
        // Milliseconds and the process id: sortable, and unique across concurrent chats.
        let id = format!("{now}-{}", std::process::id());
        Self { id, created_ms: now, updated_ms: now, entries: Vec::new(), attachments: Vec::new() }
    }

    /// The first question, shortened: how the session is listed.
    pub fn title(&self) -> String {
        let first = self.entries.iter().find_map(|e| match e {
            Entry::User { text } => Some(text.as_str()),
            _ => None,
        });
        let line = first.unwrap_or("(empty)").lines().next().unwrap_or("").trim();
        let mut title: String = line.chars().take(60).collect();
        if line.chars().count() > 60 {
            title.push('…');
        }
        title
    }

    /// Whether it holds anything worth keeping.
    pub fn is_empty(&self) -> bool {
        !self.entries.iter().any(|e| matches!(e, Entry::User { .. }))
    }

    /// The conversation as Markdown (for `/save FILE`).
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n", self.title());
        for e in &self.entries {
            match e {
                Entry::User { text } => out.push_str(&format!("\n## You\n\n{}\n", text.trim_end())),
                Entry::Assistant(a) => {
                    out.push_str(&format!("\n## tandem ({})\n\n{}\n", a.model, a.text.trim_end()))
                }
                Entry::Notice { .. } => {}
            }
        }
        out
    }
}

/// Why a session cannot be saved or read back.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot save the session in {}: {source}", dir.display())]
    Save { dir: PathBuf, source: std::io::Error },
    #[error("cannot save the session: {0}")]
    Encode(#[source] serde_json::Error),
    /// An id that names no file in the sessions directory (a path elsewhere included).
    #[error("no session `{id}`")]
    BadId { id: String },
    #[error("cannot read session `{id}`: {source}")]
    Read { id: String, source: ReadError },
    #[error("{} is not a session: {source}", path.display())]
    NotASession { path: PathBuf, source: serde_json::Error },
}

/// The sessions directory.
#[derive(Clone, Debug)]
pub struct Store {
    dir: PathBuf,
}

impl Store {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Writes the session atomically.
    pub fn save(&self, session: &Session) -> Result<(), SessionError> {
        let fail = |source| SessionError::Save { dir: self.dir.clone(), source };
        std::fs::create_dir_all(&self.dir).map_err(fail)?;
        let json = serde_json::to_vec_pretty(session).map_err(SessionError::Encode)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(fail)?;
        tmp.write_all(&json).and_then(|()| tmp.as_file().sync_all()).map_err(fail)?;
        tmp.persist(self.path(&session.id)).map_err(|e| fail(e.error))?;
        Ok(())
    }

    pub fn load(&self, id: &str) -> Result<Session, SessionError> {
        // An id names a file in the sessions directory, never a path elsewhere.
        if id.is_empty()
            || !id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            || id.contains("..")
        {
            return Err(SessionError::BadId { id: id.to_owned() });
        }
        let path = self.path(id);
        let text = tandem_engine::files::read_text_capped(&path, id, MAX_SESSION_BYTES)
            .map_err(|source| SessionError::Read { id: id.to_owned(), source })?;
        let mut s: Session = serde_json::from_str(&text)
            .map_err(|source| SessionError::NotASession { path: path.clone(), source })?;
        // An answer that was streaming when the program ended is cut short for good.
        for e in &mut s.entries {
            if let Entry::Assistant(a) = e
                && a.state == AnswerState::Streaming
            {
                a.state = AnswerState::Interrupted;
            }
        }
        Ok(s)
    }

    /// Saved sessions, the most recently updated first (unreadable files are left out).
    pub fn list(&self) -> Vec<Session> {
        let Ok(dir) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut all: Vec<Session> = dir
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let id = name.strip_suffix(".json")?;
                self.load(id).ok()
            })
            .collect();
        all.sort_by(|a, b| b.updated_ms.cmp(&a.updated_ms).then_with(|| b.id.cmp(&a.id)));
        all
    }

    /// The most recently updated session.
    pub fn last(&self) -> Option<Session> {
        self.list().into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(text: &str, state: AnswerState) -> Entry {
        Entry::Assistant(AnswerEntry {
            text: text.into(),
            model: "m".into(),
            route: Some(Side::Local),
            degraded: None,
            state,
            tokens: 3,
            first_token_ms: None,
            total_ms: None,
        })
    }

    #[test]
    fn sessions_round_trip_and_list_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("sessions"));
        let mut a = Session::new();
        a.id = "a".into();
        a.updated_ms = 1;
        a.entries.push(Entry::User { text: "first question\nmore".into() });
        a.entries.push(answer("half an ans", AnswerState::Streaming));
        a.attachments.push(AttachmentRef { path: "src/lib.rs".into(), lines: Some((1, 4)) });
        let mut b = Session::new();
        b.id = "b".into();
        b.updated_ms = 2;
        store.save(&a).unwrap();
        store.save(&b).unwrap();
        std::fs::write(store.dir().join("junk.json"), "{").unwrap();
        let ids: Vec<String> = store.list().into_iter().map(|s| s.id).collect();
        assert_eq!(ids, ["b", "a"]);
        let back = store.load("a").unwrap();
        assert_eq!(back.title(), "first question");
        assert_eq!(back.attachments, a.attachments);
        let Entry::Assistant(ans) = &back.entries[1] else { panic!() };
        assert_eq!(ans.state, AnswerState::Interrupted, "a streaming answer reads back as interrupted");
        assert_eq!(ans.text, "half an ans");
        // Only the sessions remain: no temporary files left behind.
        let names: Vec<_> =
            std::fs::read_dir(store.dir()).unwrap().flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 3);
    }

    #[test]
    fn an_unwritable_directory_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let err = Store::new(file.join("sessions")).save(&Session::new()).unwrap_err();
        assert!(matches!(err, SessionError::Save { .. }), "{err:?}");
        assert!(err.to_string().starts_with("cannot save the session in "), "{err}");
    }

    #[test]
    fn a_session_that_cannot_be_read_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("sessions"));
        std::fs::create_dir_all(store.dir()).unwrap();
        std::fs::write(store.dir().join("junk.json"), "{").unwrap();
        let err = store.load("../junk").unwrap_err();
        assert!(matches!(err, SessionError::BadId { .. }), "{err:?}");
        assert_eq!(err.to_string(), "no session `../junk`");
        let err = store.load("junk").unwrap_err();
        assert!(matches!(err, SessionError::NotASession { .. }), "{err:?}");
        assert!(
            err.to_string()
                .ends_with("junk.json is not a session: EOF while parsing an object at line 1 column 1"),
            "{err}"
        );
        let err = store.load("gone").unwrap_err();
        assert!(matches!(err, SessionError::Read { .. }), "{err:?}");
        assert!(err.to_string().starts_with("cannot read session `gone`: "), "{err}");
    }

    #[test]
    fn markdown_export_keeps_the_conversation() {
        let mut s = Session::new();
        s.entries.push(Entry::User { text: "why?".into() });
        s.entries.push(Entry::Notice { level: Level::Info, text: "help".into() });
        s.entries.push(answer("because", AnswerState::Done));
        assert_eq!(s.to_markdown(), "# why?\n\n## You\n\nwhy?\n\n## tandem (m)\n\nbecause\n");
    }
}
