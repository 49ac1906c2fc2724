//! Answers streaming into the app through the real router and worker thread: from a scripted
//! local backend (stop mid-answer included), from a remote model over loopback HTTP speaking the
//! OpenAI wire format, and the visible fallback when the remote side fails. Also the runner's
//! route thread, which tells the app where the next question goes.

mod support;

#[path = "../../model/tests/support/loopback.rs"]
mod loopback;

use ratatui::crossterm::event::KeyCode;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::*;
use tandem_core::{Prompt, RemoteSettings, RouterSettings, Side};
use tandem_engine::{PrivacySettings, Router};
use tandem_model::{FakeBackend, RemoteBackend};
use tandem_tui::App;
use tandem_tui::app::{Command, Msg, Purpose, Stream};
use tandem_tui::run::{RouteWatch, spawn_answer, spawn_route_worker};
use tandem_tui::session::{AnswerState, Entry, Level};

/// Carries out the app's commands like the event loop does, until the answer is complete;
/// `on_text` sees the app after each piece and may return keys to press.
fn pump(app: &mut Chat, router: &Arc<Router>, cmds: Vec<Command>, mut on_text: impl FnMut(&App) -> Vec<Msg>) {
    let (tx, rx) = mpsc::channel();
    let mut cancel = None;
    let mut pending: Vec<Command> = cmds;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for cmd in pending.drain(..) {
            match cmd {
                Command::StartAnswer(r) => cancel = Some(spawn_answer(router.clone(), *r, tx.clone())),
                Command::Stop => cancel.as_ref().expect("a generation").cancel(),
                other => panic!("unexpected {other:?}"),
            }
        }
        if app.generating.is_none() && cancel.is_some() {
            return;
        }
        let msg =
            rx.recv_timeout(deadline.saturating_duration_since(Instant::now())).expect("the answer ends");
        let is_text = matches!(msg, Msg::Stream(Stream::Text(_)));
        pending.extend(app.update(msg));
        if is_text {
            for m in on_text(app) {
                pending.extend(app.update(m));
            }
        }
    }
}

fn answers(app: &App) -> Vec<tandem_tui::session::AnswerEntry> {
    app.session
        .entries
        .iter()
        .filter_map(|e| if let Entry::Assistant(a) = e { Some(a.clone()) } else { None })
        .collect()
}

fn local_router(fake: &FakeBackend) -> Arc<Router> {
    let router = Router::new(RouterSettings::default(), PrivacySettings::default(), None);
    Arc::new(router.with_local(Arc::new(fake.clone())))
}

#[test]
fn a_local_answer_streams_in_with_the_attached_code_in_the_prompt() {
    let fake =
        FakeBackend::new(|_| "`add` returns `a + b`.".into()).with_piece_delay(Duration::from_millis(2));
    let router = local_router(&fake);
    let (_dir, mut app) = workspace();
    let cmds = send(&mut app, "@src/lib.rs what does it return?");
    let mut seen = Vec::new();
    pump(&mut app, &router, cmds, |app| {
        seen.push(answers(app).last().unwrap().text.clone());
        Vec::new()
    });
    assert!(seen.len() > 5, "the answer came in pieces: {seen:?}");
    assert!(seen.windows(2).all(|w| w[1].starts_with(&w[0])), "each piece extends the text");
    let a = answers(&app).pop().unwrap();
    assert_eq!(
        (a.text.as_str(), a.model.as_str(), a.state),
        ("`add` returns `a + b`.", "fake", AnswerState::Done)
    );
    let Prompt::Chat { messages } = &fake.prompts()[0] else { panic!("a chat prompt") };
    assert!(messages[0].content.contains("`src/lib.rs`:\n```rust\npub fn add(a: i32, b: i32) -> i32 {"));
    assert_eq!(messages.last().unwrap().content, "@src/lib.rs what does it return?");
}

#[test]
fn esc_stops_the_answer_mid_stream() {
    let long = "word ".repeat(400);
    let fake = FakeBackend::new(move |_| long.clone()).with_piece_delay(Duration::from_millis(5));
    let router = local_router(&fake);
    let (_dir, mut app) = workspace();
    let cmds = send(&mut app, "talk a lot");
    let mut pieces = 0;
    pump(&mut app, &router, cmds, |_| {
        pieces += 1;
        // Scroll while it streams, then stop it.
        match pieces {
            2 => vec![key(KeyCode::PageUp)],
            3 => vec![key(KeyCode::Esc)],
            _ => Vec::new(),
        }
    });
    let a = answers(&app).pop().unwrap();
    assert_eq!(a.state, AnswerState::Stopped);
    assert!(a.text.len() < 400 * 5, "cut short: {} bytes", a.text.len());
    assert_eq!(fake.cancelled(), 1);
    assert!(app.generating.is_none());
}

#[test]
fn a_remote_answer_streams_over_http_and_a_failure_falls_back_visibly() {
    let server = loopback::Loopback::start(|n, _| match n {
        0 => loopback::chat_answer(&["Remote ", "says ", "hi."]),
        _ => loopback::status(500, &[], "overloaded"),
    });
    let settings = RemoteSettings {
        url: server.url(),
        model: "big-remote".into(),
        retries: 0,
        ..RemoteSettings::default()
    };
    let remote = Arc::new(RemoteBackend::new(settings, None).unwrap());
    let fake = FakeBackend::new(|_| "Local answer.".into());
    let router = Router::new(RouterSettings::default(), PrivacySettings::default(), Some(remote));
    let router = Arc::new(router.with_local(Arc::new(fake.clone())));
    let (_dir, mut app) = workspace();
    app.models.remote = Some("big-remote".into());
    app.set_router(router.clone());

    let cmds = send(&mut app, "hello?");
    pump(&mut app, &router, cmds, |_| Vec::new());
    let a = answers(&app).pop().unwrap();
    assert_eq!(
        (a.text.as_str(), a.route, a.state),
        ("Remote says hi.", Some(Side::Remote), AnswerState::Done)
    );
    let body = server.requests()[0].json();
    assert_eq!(body["messages"].as_array().unwrap().last().unwrap()["content"], "hello?");

    let cmds = send(&mut app, "again?");
    pump(&mut app, &router, cmds, |_| Vec::new());
    let a = answers(&app).pop().unwrap();
    assert_eq!(
        (a.text.as_str(), a.route, &a.state),
        ("Local answer.", Some(Side::Local), &AnswerState::Done)
    );
    assert!(a.degraded.as_deref().unwrap().contains("remote failed"), "{a:?}");
    let warned = app.session.entries.iter().any(|e| {
        matches!(e, Entry::Notice { level: Level::Warning, text } if text.contains("remote failed") && text.contains("answers instead"))
    });
    assert!(warned, "the fallback is said in the conversation: {:#?}", app.session.entries);
    // The local model saw the whole conversation, the remote's earlier answer included.
    let Prompt::Chat { messages } = &fake.prompts()[0] else { panic!() };
    assert!(messages.iter().any(|m| m.content == "Remote says hi."));
}

#[test]
fn excluded_files_never_reach_the_remote_model() {
    let server = loopback::Loopback::start(|_, _| loopback::chat_answer(&["remote"]));
    let settings =
        RemoteSettings { url: server.url(), model: "big-remote".into(), ..RemoteSettings::default() };
    let remote = Arc::new(RemoteBackend::new(settings, None).unwrap());
    let fake = FakeBackend::new(|_| "kept at home".into());
    let router = Router::new(RouterSettings::default(), PrivacySettings::default(), Some(remote));
    let router = Arc::new(router.with_local(Arc::new(fake.clone())));
    let (dir, mut app) = workspace();
    std::fs::write(dir.path().join("proj/.env"), "API_TOKEN=abc123\n").unwrap();
    app.models.remote = Some("big-remote".into());
    app.set_router(router.clone());
    let cmds = send(&mut app, "@.env what is set here?");
    pump(&mut app, &router, cmds, |_| Vec::new());
    let a = answers(&app).pop().unwrap();
    assert_eq!((a.text.as_str(), a.route), ("kept at home", Some(Side::Local)));
    assert!(server.requests().is_empty(), "nothing was sent to the remote model");
}

#[test]
fn the_route_thread_tells_the_app_where_the_next_question_goes() {
    let remote = Arc::new(FakeBackend::new(|_| "remote".into()));
    let router = Arc::new(Router::new(RouterSettings::default(), PrivacySettings::default(), Some(remote)));
    let (dir, mut chat) = workspace();
    std::fs::write(dir.path().join("proj/.env"), "API_TOKEN=abc123\n").unwrap();
    let io = chat.io.clone();
    let app = &mut chat.app;
    app.models.remote = Some("big-remote".into());
    app.next_route = None;

    // As the event loop does: ask when due, on the route thread; its answer is a message.
    let (tx, rx) = mpsc::channel();
    let questions = spawn_route_worker(router, tx);
    let mut routes = RouteWatch::default();
    let mut ask = |app: &mut App, again: bool| {
        let Some(next) = routes.due(app, again) else { return false };
        questions.send(next).unwrap();
        let msg = rx.recv_timeout(Duration::from_secs(30)).expect("the router answers");
        assert!(matches!(msg, Msg::NextRoute(_)), "{msg:?}");
        assert!(app.update(msg).is_empty());
        true
    };
    assert!(ask(app, false), "asked at the start");
    assert_eq!(app.route_shown(), Some(("big-remote".to_owned(), Side::Remote)));
    assert!(!ask(app, false), "nothing changed: not asked again");

    let attached = tandem_tui::attach::load(&io.root, None, ".env");
    tandem_tui::settle(
        app,
        &io,
        Msg::Attached { purpose: Purpose::Quiet, results: vec![(".env".into(), attached)] },
    );
    assert!(ask(app, false), "the attachments changed");
    assert_eq!(app.route_shown(), Some(("qwen-local".to_owned(), Side::Local)));
    let Some(Ok(decision)) = &app.next_route else { panic!("{:?}", app.next_route) };
    assert_eq!(decision.reason, ".env matches privacy rule `.env*`");
    let status: String = tandem_tui::ui::status(app, 120).spans.iter().map(|s| s.content.as_ref()).collect();
    assert!(status.starts_with(" qwen-local (local) │ "), "{status}");

    assert!(tandem_tui::run::asks_again(&Msg::Stream(Stream::Done(Err("stopped".into())))));
    assert!(ask(app, true), "after an answer it asks again");
}
