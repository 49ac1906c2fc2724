//! The chat's state and every change to it, Elm-style: [`App::update`] takes a [`Msg`] (a key, a
//! paste, a piece of a streaming answer, the result of a file or session operation, a signal)
//! and returns the [`Command`]s the runner must carry out. `update` does no I/O: reading
//! attachments, completing paths, saving and listing sessions, writing Markdown and answering are
//! all commands, whose results come back as messages. No terminal is involved either, so all of
//! it is tested directly.
//!
//! - [`input`]: keys, the input's history, `@path` completion, sending a message.
//! - [`commands`]: the slash commands' table (which also writes `/help`) and what each does.
//! - [`streaming`]: the answer's events, and the route shown: the engine's word for the answer
//!   in flight, else the router's decision for the next question ([`Msg::NextRoute`]).

pub mod commands;
pub mod input;
pub mod streaming;

use crate::attach::AttachError;
use crate::session::{AttachmentRef, Entry, Level, Session, SessionError};
use crate::theme::Theme;
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};
use ratatui_textarea::{TextArea, WrapMode};
use std::path::PathBuf;
use std::time::Instant;
use tandem_core::Side;
use tandem_engine::{Attachment, ChatRequest, Decision, RouteError};

pub use streaming::Stream;

/// What the app reacts to.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    /// A piece of the answer being generated.
    Stream(Stream),
    /// The local model finished loading (its name), or failed to.
    LocalReady(Result<String, String>),
    /// Where the router would send the next question now, or why it would refuse it: asked by
    /// the runner whenever what decides it changes (see [`crate::run::RouteWatch`]).
    NextRoute(Result<Decision, RouteError>),
    /// The process is asked to end (SIGTERM, SIGHUP): save and quit.
    Terminate,
    /// Nothing changed but the screen must be drawn again (a resize).
    Redraw,
    /// The conversation's lines and the height of its view at the last draw (for paging).
    Layout {
        lines: usize,
        height: usize,
    },
    /// Continue a saved session (its attachments are read again).
    Resume(Box<Session>),
    /// The result of [`Command::ReadAttachments`]: each reference with its attachment or error.
    Attached {
        purpose: Purpose,
        results: Vec<(String, Result<Attachment, AttachError>)>,
    },
    /// The result of [`Command::Complete`]: the paths `word` may complete to.
    Completions {
        word: String,
        candidates: Vec<String>,
    },
    /// The result of [`Command::SaveSession`].
    Saved {
        id: String,
        result: Result<(), SessionError>,
        announce: bool,
    },
    /// The result of [`Command::WriteMarkdown`]: the file written, or why not.
    Wrote {
        path: PathBuf,
        result: Result<(), String>,
    },
    /// The result of [`Command::ListSessions`]: the saved sessions, newest first.
    Sessions {
        pick: String,
        sessions: Vec<Session>,
    },
    /// Switching the local model failed.
    SwitchFailed(String),
}

/// Why attachments are read, which decides what their results do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// `@references` in this message: attach them all and send it, or keep it for fixing.
    Message(String),
    /// A resumed session's attachments: a missing one is a warning.
    Resume,
    /// Attached from outside (the command line): attach what can be.
    Quiet,
}

/// What the runner must do (and, for I/O, answer with a [`Msg`]).
#[derive(Debug)]
pub enum Command {
    /// Read these `path[:lines]` references; answer [`Msg::Attached`].
    ReadAttachments {
        references: Vec<String>,
        purpose: Purpose,
    },
    /// List the paths `word` (after an `@`) completes to; answer [`Msg::Completions`].
    Complete {
        word: String,
    },
    /// Save the session; answer [`Msg::Saved`].
    SaveSession {
        session: Box<Session>,
        announce: bool,
    },
    /// Write the conversation as Markdown to `path` (as typed); answer [`Msg::Wrote`].
    WriteMarkdown {
        path: String,
        markdown: String,
    },
    /// List the saved sessions; answer [`Msg::Sessions`].
    ListSessions {
        pick: String,
    },
    /// Start answering; the answer's events come as [`Msg::Stream`].
    StartAnswer(Box<ChatRequest>),
    /// Stop the generation in flight.
    Stop,
    /// Use this local model from now on (a failure is [`Msg::SwitchFailed`]).
    SwitchLocal(String),
    Quit,
}

impl Command {
    /// Whether the command is file or session I/O, answered at once by a message.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            Command::ReadAttachments { .. }
                | Command::Complete { .. }
                | Command::SaveSession { .. }
                | Command::WriteMarkdown { .. }
                | Command::ListSessions { .. }
        )
    }
}

/// Where keys go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    Input,
    /// Scrolling the conversation (vim and emacs keys).
    Conversation,
}

/// The models on offer.
#[derive(Clone, Debug, Default)]
pub struct Models {
    /// The local model's name.
    pub local: String,
    /// Local models that can be switched to.
    pub local_choices: Vec<String>,
    /// The remote model's name, when one is configured.
    pub remote: Option<String>,
    pub local_only: bool,
}

/// What the app needs from around it to count its context (no files: those are commands).
pub trait Host {
    /// Tokens `text` takes.
    fn count_tokens(&self, text: &str) -> usize;
    /// The workspace map for these attachments (within the host's budget), if any.
    fn workspace_map(&self, attachments: &[Attachment]) -> Option<String>;
}

/// How to start.
#[derive(Debug)]
pub struct Options {
    pub root: PathBuf,
    /// The home directory, for `~/` in references.
    pub home: Option<PathBuf>,
    pub store: crate::session::Store,
    pub models: Models,
    pub theme: Theme,
    /// The side the user chose on the command line.
    pub force: Option<Side>,
    /// The workspace's name for the status line.
    pub workspace: String,
}

/// The path completion in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<String>,
    /// The candidate shown in the input, when cycling.
    pub selected: Option<usize>,
}

/// The chat.
pub struct App {
    pub session: Session,
    pub input: TextArea<'static>,
    pub attachments: Vec<Attachment>,
    pub focus: Focus,
    /// The first conversation line shown; `None` follows the end.
    pub scroll: Option<usize>,
    /// Lines of the conversation and the height of its view at the last draw ([`Msg::Layout`]).
    pub layout: (usize, usize),
    pub generating: Option<Instant>,
    pub models: Models,
    pub force: Option<Side>,
    pub theme: Theme,
    pub workspace: String,
    pub completion: Option<Completion>,
    /// A message for the status line (until the next key).
    pub flash: Option<String>,
    /// The last answer's tokens and seconds.
    pub last: Option<(usize, f64)>,
    /// Tokens of the attached code and of the workspace map.
    pub context_tokens: usize,
    /// The router's latest word on the next question ([`Msg::NextRoute`]); `None` until the
    /// runner has asked it.
    pub next_route: Option<Result<Decision, RouteError>>,
    pub should_quit: bool,
    quit_armed: bool,
    history: Vec<String>,
    history_pos: Option<usize>,
    draft: String,
    last_save: Instant,
    host: Box<dyn Host>,
    map: Option<String>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("session", &self.session.id).field("focus", &self.focus).finish()
    }
}

fn new_input() -> TextArea<'static> {
    let mut t = TextArea::default();
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_placeholder_text("Ask about your code — @path attaches a file, /help lists commands");
    t.set_cursor_line_style(ratatui::style::Style::default());
    t
}

impl App {
    /// A new conversation. `options.root`, `home` and `store` are the runner's (see
    /// [`crate::run::Io`]): the app itself touches no file.
    pub fn new(options: Options, host: Box<dyn Host>) -> Self {
        Self {
            session: Session::new(),
            input: new_input(),
            attachments: Vec::new(),
            focus: Focus::Input,
            scroll: None,
            layout: (0, 0),
            generating: None,
            models: options.models,
            force: options.force,
            theme: options.theme,
            workspace: options.workspace,
            completion: None,
            flash: None,
            last: None,
            context_tokens: 0,
            next_route: None,
            should_quit: false,
            quit_armed: false,
            history: Vec::new(),
            history_pos: None,
            draft: String::new(),
            last_save: Instant::now(),
            host,
            map: None,
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Command> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.key(key),
            Msg::Key(_) | Msg::Redraw => Vec::new(),
            Msg::Paste(text) => {
                self.focus = Focus::Input;
                self.input.insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
                Vec::new()
            }
            Msg::Stream(s) => self.stream(s),
            Msg::LocalReady(Ok(name)) => {
                self.models.local = name;
                Vec::new()
            }
            Msg::LocalReady(Err(e)) => {
                self.notice(Level::Error, format!("the local model could not be loaded: {e}"));
                Vec::new()
            }
            Msg::NextRoute(route) => {
                self.next_route = Some(route);
                Vec::new()
            }
            Msg::Terminate => {
                let mut cmds = vec![Command::Stop];
                cmds.extend(self.interrupt());
                self.should_quit = true;
                cmds.push(Command::Quit);
                cmds
            }
            Msg::Layout { lines, height } => {
                self.layout = (lines, height);
                Vec::new()
            }
            Msg::Resume(session) => self.resume(*session),
            Msg::Attached { purpose, results } => self.attached(purpose, results),
            Msg::Completions { word, candidates } => {
                self.completions(&word, candidates);
                Vec::new()
            }
            Msg::Saved { id, result, announce } => {
                match (result, announce) {
                    (Ok(()), true) => {
                        self.notice(Level::Info, format!("saved as {id} (tandem chat --resume {id})"))
                    }
                    (Ok(()), false) => {}
                    (Err(e), true) => self.notice(Level::Error, e.to_string()),
                    (Err(e), false) => self.flash = Some(e.to_string()),
                }
                Vec::new()
            }
            Msg::Wrote { path, result } => {
                match result {
                    Ok(()) => {
                        self.notice(Level::Info, format!("wrote the conversation to {}", path.display()))
                    }
                    Err(e) => self.notice(Level::Error, format!("cannot write {}: {e}", path.display())),
                }
                Vec::new()
            }
            Msg::Sessions { pick, sessions } => self.sessions(&pick, sessions),
            Msg::SwitchFailed(e) => {
                self.notice(Level::Error, e);
                Vec::new()
            }
        }
    }

    /// Continues a saved session: its conversation now, its attachments once read again.
    fn resume(&mut self, session: Session) -> Vec<Command> {
        let references: Vec<String> = session
            .attachments
            .iter()
            .map(|r| match r.lines {
                Some((a, b)) => format!("{}:{a}-{b}", r.path),
                None => r.path.clone(),
            })
            .collect();
        self.session = session;
        self.attachments.clear();
        self.history = self
            .session
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::User { text } => Some(text.clone()),
                _ => None,
            })
            .collect();
        self.refresh_context();
        self.scroll = None;
        if references.is_empty() {
            return Vec::new();
        }
        vec![Command::ReadAttachments { references, purpose: Purpose::Resume }]
    }

    /// Attachments read: attached (replacing ones with the same label), or reported.
    fn attached(
        &mut self,
        purpose: Purpose,
        results: Vec<(String, Result<Attachment, AttachError>)>,
    ) -> Vec<Command> {
        if let Purpose::Message(_) = purpose
            && let Some(e) = results.iter().find_map(|(_, r)| r.as_ref().err())
        {
            // A bad reference keeps the message for fixing; nothing is attached.
            self.flash = Some(e.to_string());
            return Vec::new();
        }
        let mut labels = Vec::new();
        for (_, result) in results {
            match result {
                Ok(a) => labels.push(self.add_attachment(a)),
                Err(e) => self.notice(Level::Warning, e.to_string()),
            }
        }
        self.refresh_context();
        match purpose {
            Purpose::Message(text) => self.send_with_attachments(text, &labels),
            Purpose::Resume | Purpose::Quiet => Vec::new(),
        }
    }

    fn add_attachment(&mut self, a: Attachment) -> String {
        let label = a.label();
        self.attachments.retain(|b| b.label() != label);
        self.attachments.push(a);
        self.sync_refs();
        label
    }

    fn sync_refs(&mut self) {
        self.session.attachments =
            self.attachments.iter().map(|a| AttachmentRef { path: a.path.clone(), lines: a.lines }).collect();
    }

    /// Recomputes the workspace map and the context's token count.
    fn refresh_context(&mut self) {
        self.map =
            if self.attachments.is_empty() { None } else { self.host.workspace_map(&self.attachments) };
        let code: usize = self.attachments.iter().map(|a| self.host.count_tokens(&a.text)).sum();
        self.context_tokens = code + self.map.as_deref().map_or(0, |m| self.host.count_tokens(m));
    }

    pub fn notice(&mut self, level: Level, text: impl Into<String>) {
        self.session.entries.push(Entry::Notice { level, text: text.into() });
        self.scroll = None;
    }

    pub fn input_text(&self) -> String {
        self.input.lines().join("\n")
    }

    fn set_input(&mut self, text: &str) {
        self.input = new_input();
        self.input.insert_str(text);
    }

    /// The command saving the session (none for an empty one).
    fn save(&mut self) -> Option<Command> {
        self.save_as(false)
    }

    fn save_as(&mut self, announce: bool) -> Option<Command> {
        self.last_save = Instant::now();
        if self.session.is_empty() {
            return None;
        }
        self.session.updated_ms = crate::session::now_ms();
        Some(Command::SaveSession { session: Box::new(self.session.clone()), announce })
    }

    /// Marks an answer in flight as interrupted and saves: the program is ending.
    pub fn interrupt(&mut self) -> Vec<Command> {
        if self.generating.take().is_some()
            && let Some(Entry::Assistant(a)) = self.session.entries.last_mut()
        {
            a.state = crate::session::AnswerState::Interrupted;
        }
        self.save().into_iter().collect()
    }

    fn quit(&mut self) -> Vec<Command> {
        let mut cmds = self.interrupt();
        self.should_quit = true;
        cmds.push(Command::Quit);
        cmds
    }
}
