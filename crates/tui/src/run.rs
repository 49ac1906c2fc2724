//! The terminal and the event loop. Keys, pastes, answer pieces and signals all arrive as
//! [`Msg`]s on one channel; the loop hands them to [`App::update`], carries out the commands
//! (file and session I/O through [`Io`], answers on a worker thread), feeds their results back,
//! and redraws with [`ui::draw`](crate::ui::draw). It also asks the router where the next
//! question would go whenever that may have changed ([`RouteWatch`]), on a thread of its own
//! ([`spawn_route_worker`]), and hands the decision to the app as [`Msg::NextRoute`]. Raw mode
//! and the alternate screen are left on every way out: a normal quit, an error, a panic (a hook
//! restores the terminal before the message is printed), and SIGTERM, SIGHUP, SIGINT or SIGQUIT
//! (the conversation is saved first).

use crate::app::{App, Command, Msg, Stream};
use crate::attach;
use crate::session::Store;
use crate::ui::View;
use anyhow::{Context, Result};
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::{Terminal, backend::CrosstermBackend};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;
use tandem_core::{Cancel, Side};
use tandem_engine::{ChatRequest, Decision, Progress, RouteError, RouteRequest, Router, Task};

/// The app's file and session I/O: the workspace it attaches from and the sessions store.
#[derive(Clone, Debug)]
pub struct Io {
    pub root: PathBuf,
    /// The home directory, for `~/` in references.
    pub home: Option<PathBuf>,
    pub store: Store,
}

impl Io {
    pub fn new(options: &crate::app::Options) -> Self {
        Self { root: options.root.clone(), home: options.home.clone(), store: options.store.clone() }
    }

    /// Carries out an I/O command, answering with its result; any other command is handed back.
    pub fn perform(&self, command: Command) -> Result<Msg, Command> {
        let home = self.home.as_deref();
        Ok(match command {
            Command::ReadAttachments { references, purpose } => Msg::Attached {
                results: references
                    .into_iter()
                    .map(|r| {
                        let loaded = attach::load(&self.root, home, &r);
                        (r, loaded)
                    })
                    .collect(),
                purpose,
            },
            Command::Complete { word } => {
                let candidates = attach::complete(&self.root, home, &word);
                Msg::Completions { word, candidates }
            }
            Command::SaveSession { session, announce } => {
                Msg::Saved { result: self.store.save(&session), id: session.id, announce }
            }
            Command::WriteMarkdown { path, markdown } => {
                let path = attach::resolve(&self.root, home, &path);
                let result = std::fs::write(&path, markdown).map_err(|e| e.to_string());
                Msg::Wrote { path, result }
            }
            Command::ListSessions { pick } => Msg::Sessions { pick, sessions: self.store.list() },
            other => return Err(other),
        })
    }
}

/// Updates `app` with `msg`, carrying out the I/O commands that follow (in order, each result
/// fed back at once); returns the other commands (answers, stopping, switching, quitting).
pub fn settle(app: &mut App, io: &Io, msg: Msg) -> Vec<Command> {
    let mut queue = std::collections::VecDeque::from(app.update(msg));
    let mut rest = Vec::new();
    while let Some(command) = queue.pop_front() {
        match io.perform(command) {
            Ok(result) => {
                let follow = app.update(result);
                for c in follow.into_iter().rev() {
                    queue.push_front(c);
                }
            }
            Err(other) => rest.push(other),
        }
    }
    rest
}

/// Makes the named local model the router's local side, or says why it cannot.
pub type SwitchLocal = dyn Fn(&str) -> Result<(), String>;

/// What the loop needs besides the app.
pub struct Services {
    pub router: Arc<Router>,
    /// Makes the named local model the router's local side (loaded when next needed).
    pub switch_local: Box<SwitchLocal>,
    /// Load the local model in the background as soon as the router says the first question goes
    /// to it.
    pub preload: bool,
    pub io: Io,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").field("router", &self.router).field("preload", &self.preload).finish()
    }
}

/// Starts answering `request` on a thread, sending its pieces as [`Msg::Stream`]; the returned
/// flag stops it.
pub fn spawn_answer(router: Arc<Router>, request: ChatRequest, tx: Sender<Msg>) -> Cancel {
    let cancel = Cancel::new();
    let flag = cancel.clone();
    std::thread::spawn(move || {
        let send = |s: Stream| {
            let _ = tx.send(Msg::Stream(s));
        };
        let result = router.chat(&request, &flag, &mut |p| match p {
            Progress::Route { side, model } => send(Stream::Route { side, model: model.to_owned() }),
            Progress::Text(t) => send(Stream::Text(t.to_owned())),
            Progress::Fallback { reason, .. } => send(Stream::Fallback(reason.to_owned())),
        });
        send(Stream::Done(result.map(Box::new).map_err(|e| e.to_string())));
    });
    cancel
}

/// What decides where the next question goes, as far as it is known before it is typed: the
/// attached code and the side the user forced. (Under `auto` the question's own words and length
/// count too; the engine's `Progress::Route` then says where it went.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextQuestion {
    /// The attachments' paths.
    pub paths: Vec<String>,
    /// Tokens of the attached code, estimated as the engine estimates a chat's (four bytes a
    /// token).
    pub code_tokens: usize,
    pub force: Option<Side>,
}

impl NextQuestion {
    pub fn of(app: &App) -> Self {
        Self {
            paths: app.attachments.iter().map(|a| a.path.clone()).collect(),
            code_tokens: app.attachments.iter().map(|a| a.text.len().div_ceil(4)).sum(),
            force: app.force,
        }
    }

    /// The router's decision. It may resolve links on disk and, when the remote side is down and
    /// its cooldown is over, run the remote's health check (a network request): call it off the
    /// UI thread ([`spawn_route_worker`]).
    pub fn decide(&self, router: &Router) -> Result<Decision, RouteError> {
        router.decide(&RouteRequest {
            task: Task::Chat,
            code_tokens: self.code_tokens,
            question_tokens: 0,
            question: None,
            paths: self.paths.iter().map(String::as_str).collect(),
            force: self.force,
        })
    }
}

/// When to ask the router again: what decides the route changed since it was last asked (first
/// of all at the start), or an answer ended (the remote side may have failed or recovered).
#[derive(Debug, Default)]
pub struct RouteWatch {
    asked: Option<NextQuestion>,
}

impl RouteWatch {
    /// The question to ask the router now, if any. `again` asks even when nothing changed (see
    /// [`asks_again`]).
    pub fn due(&mut self, app: &App, again: bool) -> Option<NextQuestion> {
        let next = NextQuestion::of(app);
        if !again && self.asked.as_ref() == Some(&next) {
            return None;
        }
        self.asked = Some(next.clone());
        Some(next)
    }
}

/// Whether the route is worth asking again after `msg` even when the attachments and the forced
/// side are unchanged: an answer ended.
pub fn asks_again(msg: &Msg) -> bool {
    matches!(msg, Msg::Stream(Stream::Done(_)))
}

/// Starts the thread that asks the router where the next question goes, so that a health check
/// never holds up the screen: it answers each [`NextQuestion`] sent to it with a
/// [`Msg::NextRoute`], in order, skipping those that a newer one replaced while it decided.
pub fn spawn_route_worker(router: Arc<Router>, tx: Sender<Msg>) -> Sender<NextQuestion> {
    let (questions, asked) = mpsc::channel::<NextQuestion>();
    std::thread::spawn(move || {
        while let Ok(mut next) = asked.recv() {
            while let Ok(newer) = asked.try_recv() {
                next = newer;
            }
            if tx.send(Msg::NextRoute(next.decide(&router))).is_err() {
                break;
            }
        }
    });
    questions
}

/// Puts the terminal back: cooked mode, the main screen, the cursor shown. Safe to call twice.
pub fn restore_terminal() {
    let _ = terminal::disable_raw_mode();
    let _ =
        execute!(std::io::stdout(), DisableBracketedPaste, LeaveAlternateScreen, event::DisableMouseCapture);
    let _ = execute!(std::io::stdout(), ratatui::crossterm::cursor::Show);
}

/// Restores the terminal when dropped, whatever the way out.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn enter() -> Result<Guard> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    terminal::enable_raw_mode().context("cannot put the terminal in raw mode")?;
    let guard = Guard;
    execute!(std::io::stdout(), EnterAlternateScreen, EnableBracketedPaste)
        .context("cannot set up the terminal")?;
    Ok(guard)
}

/// How long the loop waits for a message before redrawing anyway (the status line's clock).
const TICK: Duration = Duration::from_millis(250);

/// Runs the chat until the user quits or a signal ends it.
pub fn run(mut app: App, services: Services) -> Result<()> {
    let (tx, rx) = mpsc::channel::<Msg>();
    let signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGQUIT,
    ])
    .context("cannot watch for signals")?;
    let signal_handle = signals.handle();
    {
        let tx = tx.clone();
        let mut signals = signals;
        std::thread::spawn(move || {
            if signals.forever().next().is_some() {
                let _ = tx.send(Msg::Terminate);
            }
        });
    }
    let mut preload = services.preload;
    let questions = spawn_route_worker(services.router.clone(), tx.clone());
    let mut routes = RouteWatch::default();
    if let Some(next) = routes.due(&app, true) {
        let _ = questions.send(next);
    }

    let guard = enter()?;
    {
        let tx = tx.clone();
        std::thread::spawn(move || {
            loop {
                let msg = match event::read() {
                    Ok(Event::Key(k)) => Msg::Key(k),
                    Ok(Event::Paste(p)) => Msg::Paste(p),
                    Ok(Event::Resize(..)) => Msg::Redraw,
                    Ok(_) => continue,
                    Err(_) => Msg::Terminate,
                };
                let end = matches!(msg, Msg::Terminate);
                if tx.send(msg).is_err() || end {
                    break;
                }
            }
        });
    }
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout())).context("cannot draw")?;
    let mut cancel: Option<Cancel> = None;
    let mut view = View::default();
    let io = &services.io;
    let result = (|| -> Result<()> {
        loop {
            terminal.draw(|f| crate::ui::draw(f, &app, &mut view))?;
            if view.layout() != app.layout {
                let (lines, height) = view.layout();
                app.update(Msg::Layout { lines, height });
            }
            let first = match rx.recv_timeout(TICK) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            };
            // Everything that is waiting, then one draw.
            let mut batch = vec![first];
            batch.extend(rx.try_iter().take(512));
            for msg in batch {
                if let Msg::NextRoute(route) = &msg
                    && std::mem::take(&mut preload)
                    && matches!(route, Ok(d) if d.side == Side::Local)
                {
                    let (tx, router) = (tx.clone(), services.router.clone());
                    std::thread::spawn(move || {
                        let loaded = router.local().map(|b| b.info().model).map_err(|e| e.to_string());
                        let _ = tx.send(Msg::LocalReady(loaded));
                    });
                }
                let again = asks_again(&msg);
                let mut commands = settle(&mut app, io, msg);
                while !commands.is_empty() {
                    let mut results = Vec::new();
                    for command in commands {
                        match command {
                            Command::StartAnswer(request) => {
                                cancel = Some(spawn_answer(services.router.clone(), *request, tx.clone()));
                            }
                            Command::Stop => {
                                if let Some(c) = &cancel {
                                    c.cancel();
                                }
                            }
                            Command::SwitchLocal(name) => {
                                if let Err(e) = (services.switch_local)(&name) {
                                    results.push(Msg::SwitchFailed(e));
                                }
                            }
                            Command::Quit => return Ok(()),
                            io_command => {
                                if let Ok(m) = io.perform(io_command) {
                                    results.push(m);
                                }
                            }
                        }
                    }
                    commands = results.into_iter().flat_map(|m| settle(&mut app, io, m)).collect();
                }
                if let Some(next) = routes.due(&app, again) {
                    let _ = questions.send(next);
                }
            }
        }
    })();
    if let Some(c) = cancel {
        c.cancel();
    }
    for command in app.interrupt() {
        let _ = io.perform(command);
    }
    signal_handle.close();
    drop(terminal);
    drop(guard);
    result
}
