//! The chat's state and every change to it: [`App::update`] takes a [`Msg`] (a key, a paste, a
//! piece of a streaming answer, a signal) and returns the [`Cmd`]s the event loop must carry out
//! (start or stop a generation, switch the local model, quit). No terminal is involved, so all of
//! it is tested directly.

use crate::attach;
use crate::session::{AnswerEntry, AnswerState, AttachmentRef, Entry, Level, Session, Store};
use crate::theme::Theme;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::{TextArea, WrapMode};
use std::cell::Cell;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tandem_core::{Side, StopReason};
use tandem_engine::{Attachment, ChatRequest, Explanation, Turn};

/// What the app reacts to.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    /// A piece of the answer being generated.
    Stream(Stream),
    /// The local model finished loading (its name), or failed to.
    LocalReady(Result<String, String>),
    /// The process is asked to end (SIGTERM, SIGHUP): save and quit.
    Terminate,
    /// Nothing changed but the screen must be drawn again (a resize).
    Redraw,
}

/// Events of one generation.
#[derive(Debug)]
pub enum Stream {
    Text(String),
    /// The remote side failed; the local model answers from the start.
    Fallback(String),
    Done(Result<Box<Explanation>, String>),
}

/// What the event loop must do.
#[derive(Debug)]
pub enum Cmd {
    Ask(Box<ChatRequest>),
    /// Stop the generation in flight.
    Stop,
    /// Use this local model from now on.
    SwitchLocal(String),
    Quit,
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
    /// Whether the router sends chat to the remote side unless told otherwise.
    pub chat_remote: bool,
}

/// What the app needs from around it, besides the files it reads.
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
    pub store: Store,
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
    /// Lines of the conversation and the height of its view at the last draw.
    pub view: Cell<(usize, usize)>,
    pub generating: Option<Instant>,
    pub models: Models,
    pub force: Option<Side>,
    pub theme: Theme,
    pub workspace: String,
    pub root: PathBuf,
    home: Option<PathBuf>,
    pub completion: Option<Completion>,
    /// A message for the status line (until the next key).
    pub flash: Option<String>,
    /// The last answer's tokens and seconds.
    pub last: Option<(usize, f64)>,
    /// Tokens of the attached code and of the workspace map.
    pub context_tokens: usize,
    pub should_quit: bool,
    /// Rendered entries (see [`crate::ui::Cache`]).
    pub cache: crate::ui::Cache,
    quit_armed: bool,
    store: Store,
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

const HELP: &str = "\
Commands
  /explain [question]  explain the attached code
  /context             what is attached; /context drop N|PATH, /context clear
  /model [NAME]        show or switch: auto, local, remote, a local model
  /clear               a new conversation (the old one stays saved)
  /save [FILE]         save now; with FILE, also write it there as Markdown
  /resume [N|ID]       list saved conversations, or continue one
  /help                this help; /quit leaves
Attaching
  @path or @path:10-40 in a message attaches a file or lines (Tab completes);
  a message of only @paths just attaches them
Keys
  Enter send · Alt-Enter or Ctrl-J new line · Up/Down, Ctrl-P/N history
  Esc or Ctrl-C stop an answer · Ctrl-C clears the input; twice quits
  Ctrl-D on an empty input quits · PgUp/PgDn scroll
  Esc moves to the conversation: vim j/k, Ctrl-D/U, Ctrl-F/B, g/G;
  emacs Ctrl-N/P, Ctrl-V, Alt-V, Alt-< Alt->; i, Enter or Esc return";

/// Saves while streaming at most this often.
const SAVE_EVERY: Duration = Duration::from_secs(1);

fn new_input() -> TextArea<'static> {
    let mut t = TextArea::default();
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_placeholder_text("Ask about your code — @path attaches a file, /help lists commands");
    t.set_cursor_line_style(ratatui::style::Style::default());
    t
}

impl App {
    pub fn new(options: Options, host: Box<dyn Host>) -> Self {
        Self {
            session: Session::new(),
            input: new_input(),
            attachments: Vec::new(),
            focus: Focus::Input,
            scroll: None,
            view: Cell::new((0, 0)),
            generating: None,
            models: options.models,
            force: options.force,
            theme: options.theme,
            workspace: options.workspace,
            root: options.root,
            home: options.home,
            completion: None,
            flash: None,
            last: None,
            context_tokens: 0,
            should_quit: false,
            cache: crate::ui::Cache::default(),
            quit_armed: false,
            store: options.store,
            history: Vec::new(),
            history_pos: None,
            draft: String::new(),
            last_save: Instant::now(),
            host,
            map: None,
        }
    }

    /// Continues a saved session: its conversation, and its attachments read again.
    pub fn resume(&mut self, session: Session) {
        let refs = session.attachments.clone();
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
        for r in refs {
            let reference = match r.lines {
                Some((a, b)) => format!("{}:{a}-{b}", r.path),
                None => r.path,
            };
            if let Err(e) = self.attach(&reference) {
                self.notice(Level::Warning, e);
            }
        }
        self.refresh_context();
        self.scroll = None;
    }

    /// Attaches a file or lines (`path[:lines]`), replacing an attachment with the same label.
    pub fn attach(&mut self, reference: &str) -> Result<String, String> {
        let a = attach::load(&self.root, self.home.as_deref(), reference)?;
        let label = a.label();
        self.attachments.retain(|b| b.label() != label);
        self.attachments.push(a);
        self.sync_refs();
        Ok(label)
    }

    fn sync_refs(&mut self) {
        self.session.attachments =
            self.attachments.iter().map(|a| AttachmentRef { path: a.path.clone(), lines: a.lines }).collect();
    }

    /// Recomputes the workspace map and the context's token count.
    pub fn refresh_context(&mut self) {
        self.map =
            if self.attachments.is_empty() { None } else { self.host.workspace_map(&self.attachments) };
        let code: usize = self.attachments.iter().map(|a| self.host.count_tokens(&a.text)).sum();
        self.context_tokens = code + self.map.as_deref().map_or(0, |m| self.host.count_tokens(m));
    }

    pub fn notice(&mut self, level: Level, text: impl Into<String>) {
        self.session.entries.push(Entry::Notice { level, text: text.into() });
        self.scroll = None;
    }

    /// The model and side the next answer is expected from.
    pub fn expected_route(&self) -> (String, Side) {
        let remote = self.models.remote.clone().filter(|_| !self.models.local_only);
        match (self.force, remote) {
            (Some(Side::Local), _) | (_, None) => (self.models.local.clone(), Side::Local),
            (Some(Side::Remote), Some(r)) => (r, Side::Remote),
            (None, Some(r)) if self.models.chat_remote => (r, Side::Remote),
            (None, Some(_)) => (self.models.local.clone(), Side::Local),
        }
    }

    pub fn input_text(&self) -> String {
        self.input.lines().join("\n")
    }

    fn set_input(&mut self, text: &str) {
        self.input = new_input();
        self.input.insert_str(text);
    }

    /// Saves the session (not an empty one), reporting a failure once in the conversation.
    pub fn save(&mut self) {
        self.last_save = Instant::now();
        if self.session.is_empty() {
            return;
        }
        self.session.updated_ms = crate::session::now_ms();
        if let Err(e) = self.store.save(&self.session) {
            self.flash = Some(e);
        }
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.key(key),
            Msg::Key(_) => Vec::new(),
            Msg::Paste(text) => {
                self.focus = Focus::Input;
                self.input.insert_str(text.replace("\r\n", "\n").replace('\r', "\n"));
                Vec::new()
            }
            Msg::Stream(s) => {
                self.stream(s);
                Vec::new()
            }
            Msg::LocalReady(Ok(name)) => {
                self.models.local = name;
                Vec::new()
            }
            Msg::LocalReady(Err(e)) => {
                self.notice(Level::Error, format!("the local model could not be loaded: {e}"));
                Vec::new()
            }
            Msg::Redraw => Vec::new(),
            Msg::Terminate => {
                self.interrupt();
                self.should_quit = true;
                vec![Cmd::Stop, Cmd::Quit]
            }
        }
    }

    /// Marks an answer in flight as interrupted and saves: the program is ending.
    pub fn interrupt(&mut self) {
        if self.generating.take().is_some()
            && let Some(Entry::Assistant(a)) = self.session.entries.last_mut()
        {
            a.state = AnswerState::Interrupted;
        }
        self.save();
    }

    fn answer_mut(&mut self) -> Option<&mut AnswerEntry> {
        match self.session.entries.last_mut() {
            Some(Entry::Assistant(a)) if a.state == AnswerState::Streaming => Some(a),
            _ => None,
        }
    }

    fn stream(&mut self, s: Stream) {
        match s {
            Stream::Text(t) => {
                if let Some(a) = self.answer_mut() {
                    a.text.push_str(&t);
                    a.tokens += 1;
                }
                if self.last_save.elapsed() >= SAVE_EVERY {
                    self.save();
                }
            }
            Stream::Fallback(reason) => {
                let local = self.models.local.clone();
                if let Some(a) = self.answer_mut() {
                    if a.text.is_empty() {
                        self.session.entries.pop();
                    } else {
                        a.state = AnswerState::Failed(reason.clone());
                    }
                }
                self.notice(Level::Warning, format!("{reason}; the local model {local} answers instead"));
                self.session.entries.push(Entry::Assistant(streaming(local, Side::Local)));
            }
            Stream::Done(result) => {
                self.generating = None;
                match result {
                    Ok(e) => {
                        let e = *e;
                        self.last = Some((e.tokens_received, e.timings.total_ms / 1000.0));
                        if let Some(a) = self.answer_mut() {
                            a.text = e.markdown;
                            a.model = e.model;
                            a.route = Some(e.route);
                            a.degraded = e.degraded;
                            a.tokens = e.tokens_received;
                            a.first_token_ms = e.timings.first_token_ms;
                            a.total_ms = Some(e.timings.total_ms);
                            a.state = if e.stop == StopReason::Cancelled {
                                AnswerState::Stopped
                            } else {
                                AnswerState::Done
                            };
                        }
                    }
                    Err(err) => {
                        if let Some(a) = self.answer_mut() {
                            a.state = AnswerState::Failed(err);
                        }
                    }
                }
                self.save();
            }
        }
    }

    fn key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        self.flash = None;
        if !(ctrl && key.code == KeyCode::Char('c')) {
            self.quit_armed = false;
        }
        if ctrl && key.code == KeyCode::Char('c') {
            return self.ctrl_c();
        }
        if self.focus == Focus::Conversation {
            return self.scroll_key(key, ctrl, alt);
        }
        if key.code != KeyCode::Tab {
            self.completion = None;
        }
        match key.code {
            KeyCode::Esc if self.generating.is_some() => vec![Cmd::Stop],
            KeyCode::Esc => {
                self.focus = Focus::Conversation;
                Vec::new()
            }
            KeyCode::Char('d') if ctrl && self.input_text().is_empty() && self.generating.is_none() => {
                self.quit()
            }
            KeyCode::Enter if alt => {
                self.input.insert_newline();
                Vec::new()
            }
            KeyCode::Char('j') if ctrl => {
                self.input.insert_newline();
                Vec::new()
            }
            KeyCode::Enter => self.submit(),
            KeyCode::Tab => {
                self.complete();
                Vec::new()
            }
            KeyCode::Up if self.input.cursor().0 == 0 => {
                self.history_step(-1);
                Vec::new()
            }
            KeyCode::Char('p') if ctrl && self.input.cursor().0 == 0 => {
                self.history_step(-1);
                Vec::new()
            }
            KeyCode::Down if self.input.cursor().0 + 1 >= self.input.lines().len() => {
                self.history_step(1);
                Vec::new()
            }
            KeyCode::Char('n') if ctrl && self.input.cursor().0 + 1 >= self.input.lines().len() => {
                self.history_step(1);
                Vec::new()
            }
            KeyCode::PageUp => {
                self.scroll_by(-(self.page() as isize));
                Vec::new()
            }
            KeyCode::PageDown => {
                self.scroll_by(self.page() as isize);
                Vec::new()
            }
            _ => {
                self.input.input(key);
                Vec::new()
            }
        }
    }

    fn ctrl_c(&mut self) -> Vec<Cmd> {
        if self.generating.is_some() {
            return vec![Cmd::Stop];
        }
        if !self.input_text().is_empty() {
            self.set_input("");
            self.completion = None;
            return Vec::new();
        }
        if self.quit_armed {
            return self.quit();
        }
        self.quit_armed = true;
        self.flash = Some("press Ctrl-C again to quit".into());
        Vec::new()
    }

    fn quit(&mut self) -> Vec<Cmd> {
        self.interrupt();
        self.should_quit = true;
        vec![Cmd::Quit]
    }

    fn page(&self) -> usize {
        self.view.get().1.max(2) - 1
    }

    /// Scrolls by `delta` lines (negative: up); reaching the end follows it again.
    pub fn scroll_by(&mut self, delta: isize) {
        let (total, height) = self.view.get();
        let bottom = total.saturating_sub(height);
        let top = self.scroll.unwrap_or(bottom) as isize + delta;
        let top = top.clamp(0, bottom as isize) as usize;
        self.scroll = (top < bottom).then_some(top);
    }

    fn scroll_key(&mut self, key: KeyEvent, ctrl: bool, alt: bool) -> Vec<Cmd> {
        let half = (self.page() / 2).max(1) as isize;
        let page = self.page() as isize;
        match key.code {
            KeyCode::Esc if self.generating.is_some() => return vec![Cmd::Stop],
            KeyCode::Esc | KeyCode::Enter | KeyCode::Char('i') if !ctrl && !alt => self.focus = Focus::Input,
            KeyCode::Char('j') | KeyCode::Down if !alt => self.scroll_by(1),
            KeyCode::Char('e') | KeyCode::Char('n') if ctrl => self.scroll_by(1),
            KeyCode::Char('k') | KeyCode::Up if !alt => self.scroll_by(-1),
            KeyCode::Char('y') | KeyCode::Char('p') if ctrl => self.scroll_by(-1),
            KeyCode::Char('d') if ctrl => self.scroll_by(half),
            KeyCode::Char('u') if ctrl => self.scroll_by(-half),
            KeyCode::Char('f') | KeyCode::Char('v') if ctrl => self.scroll_by(page),
            KeyCode::Char('b') if ctrl => self.scroll_by(-page),
            KeyCode::Char('v') if alt => self.scroll_by(-page),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll_by(page),
            KeyCode::PageUp => self.scroll_by(-page),
            KeyCode::Char('g') | KeyCode::Home => self.scroll = Some(0),
            KeyCode::Char('<') if alt => self.scroll = Some(0),
            KeyCode::Char('G') | KeyCode::End => self.scroll = None,
            KeyCode::Char('>') if alt => self.scroll = None,
            KeyCode::Char('/') => {
                self.focus = Focus::Input;
                self.input.insert_char('/');
            }
            _ => {}
        }
        if self.scroll == Some(0) && self.view.get().0 <= self.view.get().1 {
            self.scroll = None;
        }
        Vec::new()
    }

    fn history_step(&mut self, dir: isize) {
        if self.history.is_empty() {
            return;
        }
        let pos = match (self.history_pos, dir < 0) {
            (None, true) => {
                self.draft = self.input_text();
                Some(self.history.len() - 1)
            }
            (None, false) => return,
            (Some(p), true) => Some(p.saturating_sub(1)),
            (Some(p), false) if p + 1 < self.history.len() => Some(p + 1),
            (Some(_), false) => None,
        };
        self.history_pos = pos;
        let text = pos.map_or_else(|| self.draft.clone(), |p| self.history[p].clone());
        self.set_input(&text);
    }

    /// The `@path` word at the cursor: its byte range in the cursor's line (after the `@`).
    fn at_word(&self) -> Option<(usize, usize, String)> {
        let (row, col) = (self.input.cursor().0, self.input.cursor().1);
        let line = self.input.lines().get(row)?;
        let end = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
        let start = line[..end].rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = line[start..end].strip_prefix('@')?;
        Some((row, start + 1, word.to_owned()))
    }

    fn complete(&mut self) {
        let Some((_, _, word)) = self.at_word() else {
            self.input.insert_tab();
            return;
        };
        let replace = |app: &mut Self, with: &str| {
            let n = app.at_word().map_or(0, |(_, _, w)| w.chars().count());
            for _ in 0..n {
                app.input.delete_char();
            }
            app.input.insert_str(with);
        };
        if let Some(c) = &mut self.completion
            && c.candidates.len() > 1
        {
            let next = c.selected.map_or(0, |i| (i + 1) % c.candidates.len());
            c.selected = Some(next);
            let with = c.candidates[next].clone();
            replace(self, &with);
            return;
        }
        let candidates = attach::complete(&self.root, self.home.as_deref(), &word);
        match candidates.len() {
            0 => self.flash = Some(format!("no file matches `{word}`")),
            1 => {
                let with = candidates[0].clone();
                replace(self, &with);
                self.completion = None;
            }
            _ => {
                let common = attach::common_prefix(&candidates);
                if common.len() > word.len() {
                    replace(self, &common);
                }
                self.completion = Some(Completion { candidates, selected: None });
            }
        }
    }

    fn submit(&mut self) -> Vec<Cmd> {
        let text = self.input_text();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        if self.history.last().map(String::as_str) != Some(trimmed) {
            self.history.push(trimmed.to_owned());
        }
        self.history_pos = None;
        if let Some(command) = trimmed.strip_prefix('/') {
            let command = command.to_owned();
            self.set_input("");
            return self.command(&command);
        }
        if self.generating.is_some() {
            self.flash = Some("an answer is still coming: wait, or press Esc to stop it".into());
            return Vec::new();
        }
        // Attach what the message names; a bad reference keeps the message for fixing.
        let refs = attach::refs_in(trimmed);
        let mut attached = Vec::new();
        for (_, r) in &refs {
            match self.attach(r) {
                Ok(label) => attached.push(label),
                Err(e) => {
                    self.flash = Some(e);
                    return Vec::new();
                }
            }
        }
        if !attached.is_empty() {
            self.refresh_context();
        }
        let mut rest = trimmed.to_owned();
        for (range, _) in refs.iter().rev() {
            rest.replace_range(range.clone(), "");
        }
        self.set_input("");
        if rest.trim().is_empty() {
            self.notice(
                Level::Info,
                format!("attached {} ({} tokens of context)", attached.join(", "), self.context_tokens),
            );
            return Vec::new();
        }
        self.ask(trimmed.to_owned())
    }

    /// Sends a user message.
    fn ask(&mut self, text: String) -> Vec<Cmd> {
        self.session.entries.push(Entry::User { text });
        let (model, side) = self.expected_route();
        self.session.entries.push(Entry::Assistant(streaming(model, side)));
        self.generating = Some(Instant::now());
        self.scroll = None;
        self.focus = Focus::Input;
        // The workspace index may have grown since the code was attached.
        self.refresh_context();
        let request = ChatRequest {
            turns: self.turns(),
            attachments: self.attachments.clone(),
            workspace_map: self.map.clone(),
            force: self.force,
            max_tokens: None,
        };
        self.save();
        vec![Cmd::Ask(Box::new(request))]
    }

    /// The conversation as the model sees it: questions and answers (a cut-short answer with
    /// text counts; a failed one does not), ending with the new question.
    fn turns(&self) -> Vec<Turn> {
        self.session
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::User { text } => Some(Turn::user(text.clone())),
                Entry::Assistant(a)
                    if !a.text.trim().is_empty()
                        && matches!(
                            a.state,
                            AnswerState::Done | AnswerState::Stopped | AnswerState::Interrupted
                        ) =>
                {
                    Some(Turn::assistant(a.text.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn command(&mut self, line: &str) -> Vec<Cmd> {
        let (name, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let arg = arg.trim();
        match name {
            "help" | "h" | "?" => self.notice(Level::Info, HELP),
            "quit" | "exit" | "q" => return self.quit(),
            "clear" => {
                if self.generating.is_some() {
                    self.flash = Some("stop the answer first (Esc)".into());
                } else {
                    self.save();
                    self.session = Session::new();
                    self.sync_refs();
                    self.scroll = None;
                    self.notice(Level::Info, "new conversation (the previous one is saved: /resume)");
                }
            }
            "explain" => {
                if self.attachments.is_empty() {
                    self.notice(
                        Level::Error,
                        "nothing is attached: attach code first with @path or @path:10-40",
                    );
                } else if self.generating.is_some() {
                    self.flash = Some("an answer is still coming: wait, or press Esc to stop it".into());
                } else {
                    let what =
                        self.attachments.iter().map(|a| format!("`{}`", a.label())).collect::<Vec<_>>();
                    let mut q = format!(
                        "Explain the attached code ({}): what it does, how, and anything surprising or risky.",
                        what.join(", ")
                    );
                    if !arg.is_empty() {
                        q.push_str(&format!(" {arg}"));
                    }
                    return self.ask(q);
                }
            }
            "context" => self.context_command(arg),
            "model" => return self.model_command(arg),
            "save" => self.save_command(arg),
            "resume" => self.resume_command(arg),
            _ => self.notice(Level::Error, format!("unknown command /{name} (/help lists them)")),
        }
        Vec::new()
    }

    fn context_command(&mut self, arg: &str) {
        let (verb, what) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
        match verb {
            "" => {
                if self.attachments.is_empty() {
                    self.notice(Level::Info, "nothing is attached (attach with @path or @path:10-40)");
                    return;
                }
                let mut s = String::from("attached:");
                for (i, a) in self.attachments.iter().enumerate() {
                    s.push_str(&format!(
                        "\n  {}. {} ({} tokens)",
                        i + 1,
                        a.label(),
                        self.host.count_tokens(&a.text)
                    ));
                }
                if let Some(m) = &self.map {
                    s.push_str(&format!("\n  workspace map ({} tokens)", self.host.count_tokens(m)));
                }
                s.push_str(&format!(
                    "\n{} tokens in all; /context drop N|PATH, /context clear",
                    self.context_tokens
                ));
                self.notice(Level::Info, s);
            }
            "clear" => {
                self.attachments.clear();
                self.after_detach("detached everything".into());
            }
            "drop" | "detach" | "rm" => {
                let what = what.trim();
                let index = what.parse::<usize>().ok().filter(|&n| n >= 1 && n <= self.attachments.len());
                let found = index.map(|n| n - 1).or_else(|| {
                    self.attachments
                        .iter()
                        .position(|a| a.label() == what || a.path == what.trim_start_matches('@'))
                });
                match found {
                    Some(i) => {
                        let a = self.attachments.remove(i);
                        self.after_detach(format!("detached {}", a.label()));
                    }
                    None => self
                        .notice(Level::Error, format!("`{what}` is not attached (/context lists what is)")),
                }
            }
            _ => self.notice(
                Level::Error,
                format!("/context {verb}: use /context, /context drop N|PATH, /context clear"),
            ),
        }
    }

    fn after_detach(&mut self, what: String) {
        self.sync_refs();
        self.refresh_context();
        self.notice(Level::Info, format!("{what} ({} tokens of context left)", self.context_tokens));
    }

    fn model_command(&mut self, arg: &str) -> Vec<Cmd> {
        let remote = self.models.remote.clone();
        match arg {
            "" => {
                let (model, side) = self.expected_route();
                let mut s = format!("answering with {model} ({side:?}).\nchoices: auto, local");
                if remote.is_some() {
                    s.push_str(", remote");
                }
                for m in &self.models.local_choices {
                    s.push_str(&format!(", {m}"));
                }
                if self.models.local_only {
                    s.push_str("\n(local-only mode: nothing is sent to a remote model)");
                }
                self.notice(Level::Info, s.to_lowercase());
            }
            "auto" => {
                self.force = None;
                self.model_switched();
            }
            "local" => {
                self.force = Some(Side::Local);
                self.model_switched();
            }
            "remote" => match (&remote, self.models.local_only) {
                (_, true) => self.notice(Level::Error, "local-only mode is on: nothing is sent to a remote model"),
                (None, _) => self.notice(
                    Level::Error,
                    "no remote model is configured (set [remote] url and model in the config, or TANDEM_REMOTE_URL and TANDEM_REMOTE_MODEL)",
                ),
                (Some(_), _) => {
                    self.force = Some(Side::Remote);
                    self.model_switched();
                }
            },
            name if self.models.local_choices.iter().any(|m| m == name) => {
                if self.generating.is_some() {
                    self.flash = Some("stop the answer first (Esc)".into());
                    return Vec::new();
                }
                self.models.local = name.to_owned();
                self.force = Some(Side::Local);
                self.notice(Level::Info, format!("switched to the local model {name} (it loads with the next question)"));
                return vec![Cmd::SwitchLocal(name.to_owned())];
            }
            other => self.notice(Level::Error, format!("unknown model `{other}` (/model lists the choices)")),
        }
        Vec::new()
    }

    fn model_switched(&mut self) {
        let (model, side) = self.expected_route();
        let side = if side == Side::Local { "local" } else { "remote" };
        let how = if self.force.is_none() { "the router decides; next: " } else { "" };
        self.notice(Level::Info, format!("{how}{model} ({side})"));
    }

    fn save_command(&mut self, arg: &str) {
        self.save();
        if let Some(e) = self.flash.take() {
            self.notice(Level::Error, e);
            return;
        }
        if arg.is_empty() {
            let what = if self.session.is_empty() {
                "nothing to save yet".to_owned()
            } else {
                format!("saved as {} (tandem chat --resume {})", self.session.id, self.session.id)
            };
            self.notice(Level::Info, what);
            return;
        }
        let path = attach::resolve(&self.root, self.home.as_deref(), arg);
        match std::fs::write(&path, self.session.to_markdown()) {
            Ok(()) => self.notice(Level::Info, format!("wrote the conversation to {}", path.display())),
            Err(e) => self.notice(Level::Error, format!("cannot write {}: {e}", path.display())),
        }
    }

    fn resume_command(&mut self, arg: &str) {
        if self.generating.is_some() {
            self.flash = Some("stop the answer first (Esc)".into());
            return;
        }
        let sessions: Vec<Session> =
            self.store.list().into_iter().filter(|s| s.id != self.session.id).take(20).collect();
        if arg.is_empty() {
            if sessions.is_empty() {
                self.notice(Level::Info, "no saved conversations yet");
                return;
            }
            let mut s = String::from("saved conversations (/resume N):");
            for (i, x) in sessions.iter().enumerate().take(10) {
                s.push_str(&format!(
                    "\n  {}. {}  ({} messages, {})",
                    i + 1,
                    x.title(),
                    x.entries.len(),
                    x.id
                ));
            }
            self.notice(Level::Info, s);
            return;
        }
        let chosen = match arg.parse::<usize>() {
            Ok(n) if n >= 1 && n <= sessions.len() => Some(sessions[n - 1].clone()),
            _ => sessions.into_iter().find(|s| s.id == arg),
        };
        match chosen {
            Some(s) => {
                self.save();
                let title = s.title();
                self.resume(s);
                self.notice(Level::Info, format!("resumed “{title}”"));
            }
            None => self.notice(Level::Error, format!("no saved conversation `{arg}` (/resume lists them)")),
        }
    }
}

fn streaming(model: String, side: Side) -> AnswerEntry {
    AnswerEntry {
        text: String::new(),
        model,
        route: Some(side),
        degraded: None,
        state: AnswerState::Streaming,
        tokens: 0,
        first_token_ms: None,
        total_ms: None,
    }
}
