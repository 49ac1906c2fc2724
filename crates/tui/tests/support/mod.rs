//! What the chat's tests share: an app over a temporary workspace and sessions directory (with
//! the runner's file and session I/O carried out as the event loop does, and the router asked
//! where the next question goes when the event loop would ask it), and keys to press.

#![allow(dead_code)]

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::Arc;
use tandem_core::RouterSettings;
use tandem_engine::{Attachment, PrivacySettings, Router};
use tandem_tui::app::{Command, Msg};
use tandem_tui::run::RouteWatch;
use tandem_tui::session::Store;
use tandem_tui::{App, Host, Io, Models, Options, Theme};

/// Counts a token per four characters; maps the attached paths.
pub struct TestHost;

impl Host for TestHost {
    fn count_tokens(&self, text: &str) -> usize {
        text.chars().count().div_ceil(4)
    }

    fn workspace_map(&self, attachments: &[Attachment]) -> Option<String> {
        Some(format!("map of {}", attachments.iter().map(|a| a.path.as_str()).collect::<Vec<_>>().join(", ")))
    }
}

pub fn models() -> Models {
    Models {
        local: "qwen-local".into(),
        local_choices: vec!["qwen-local".into(), "qwen-big".into()],
        remote: None,
        local_only: false,
    }
}

/// A workspace with `src/lib.rs` and `src/util.rs`, and an app over it.
pub fn workspace() -> (tempfile::TempDir, Chat) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n").unwrap();
    std::fs::write(root.join("src/util.rs"), "pub fn twice(x: i32) -> i32 {\n    x * 2\n}\n").unwrap();
    let app = app_in(&root, &dir.path().join("sessions"), Theme::dark());
    (dir, app)
}

pub fn app_in(root: &Path, sessions: &Path, theme: Theme) -> Chat {
    let options = Options {
        root: root.to_owned(),
        home: None,
        store: Store::new(sessions),
        models: models(),
        theme,
        force: None,
        workspace: "proj".into(),
    };
    let io = Io::new(&options);
    // Like `models()`: no remote model.
    let router = Arc::new(Router::new(RouterSettings::default(), PrivacySettings::default(), None));
    let mut chat =
        Chat { app: App::new(options, Box::new(TestHost)), io, router, routes: RouteWatch::default() };
    chat.ask_route(true);
    chat
}

/// The app with the runner's I/O: [`Chat::update`] is `App::update` followed by the file and
/// session commands it gives, carried out at once (see `tandem_tui::settle`), and then, when the
/// event loop would, the router's decision on the next question (asked at once here, on a
/// thread of its own by the event loop).
pub struct Chat {
    pub app: App,
    pub io: Io,
    router: Arc<Router>,
    routes: RouteWatch,
}

impl Chat {
    /// Updates the app, carries out its I/O, asks the router if due, and returns the other
    /// commands.
    pub fn update(&mut self, msg: Msg) -> Vec<Command> {
        let again = tandem_tui::run::asks_again(&msg);
        let commands = tandem_tui::settle(&mut self.app, &self.io, msg);
        self.ask_route(again);
        commands
    }

    /// Routes the next questions with `router` (asked at once, as at the start).
    pub fn set_router(&mut self, router: Arc<Router>) {
        self.router = router;
        self.ask_route(true);
    }

    fn ask_route(&mut self, again: bool) {
        if let Some(next) = self.routes.due(&self.app, again) {
            let decided = next.decide(&self.router);
            assert!(self.app.update(Msg::NextRoute(decided)).is_empty(), "a route is only stored");
        }
    }
}

impl Deref for Chat {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl DerefMut for Chat {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn alt(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::ALT))
}

/// Types `text` key by key; returns the commands the keys gave.
pub fn type_text(app: &mut Chat, text: &str) -> Vec<Command> {
    text.chars().flat_map(|c| app.update(key(KeyCode::Char(c)))).collect()
}

/// Types `text` and presses Enter.
pub fn send(app: &mut Chat, text: &str) -> Vec<Command> {
    let mut cmds = type_text(app, text);
    cmds.extend(app.update(key(KeyCode::Enter)));
    cmds
}
