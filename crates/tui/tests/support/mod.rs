//! What the chat's tests share: an app over a temporary workspace and sessions directory, and
//! keys to press.

#![allow(dead_code)]

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;
use tandem_engine::Attachment;
use tandem_tui::app::{Cmd, Msg};
use tandem_tui::session::Store;
use tandem_tui::{App, Host, Models, Options, Theme};

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
        chat_remote: true,
    }
}

/// A workspace with `src/lib.rs` and `src/util.rs`, and an app over it.
pub fn workspace() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proj");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/lib.rs"), "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n").unwrap();
    std::fs::write(root.join("src/util.rs"), "pub fn twice(x: i32) -> i32 {\n    x * 2\n}\n").unwrap();
    let app = app_in(&root, &dir.path().join("sessions"), Theme::dark());
    (dir, app)
}

pub fn app_in(root: &Path, sessions: &Path, theme: Theme) -> App {
    let options = Options {
        root: root.to_owned(),
        home: None,
        store: Store::new(sessions),
        models: models(),
        theme,
        force: None,
        workspace: "proj".into(),
    };
    App::new(options, Box::new(TestHost))
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
pub fn type_text(app: &mut App, text: &str) -> Vec<Cmd> {
    text.chars().flat_map(|c| app.update(key(KeyCode::Char(c)))).collect()
}

/// Types `text` and presses Enter.
pub fn send(app: &mut App, text: &str) -> Vec<Cmd> {
    let mut cmds = type_text(app, text);
    cmds.extend(app.update(key(KeyCode::Enter)));
    cmds
}
