//! `App::update` without a terminal: keys, commands, attachments, streaming events, sessions.

mod support;

use ratatui::crossterm::event::KeyCode;
use std::sync::Arc;
use support::*;
use tandem_core::{RouterSettings, Side, StopReason};
use tandem_engine::{ExplainTimings, PrivacySettings, Reply, RouteError, Router, Speaker};
use tandem_model::FakeBackend;
use tandem_tui::App;
use tandem_tui::app::commands::COMMANDS;
use tandem_tui::app::{Command, Focus, Msg, Purpose, Stream};
use tandem_tui::session::{AnswerState, Entry, Level, Store};

fn asked(cmds: &[Command]) -> &tandem_engine::ChatRequest {
    match cmds {
        [Command::StartAnswer(r)] => r,
        other => panic!("expected one Ask, got {other:?}"),
    }
}

fn done(text: &str, stop: StopReason) -> Msg {
    Msg::Stream(Stream::Done(Ok(Box::new(Reply {
        markdown: text.into(),
        model: "qwen-local".into(),
        route: Side::Local,
        reason: "test".into(),
        degraded: None,
        stop,
        timings: ExplainTimings { route_ms: 0.1, first_token_ms: Some(40.0), total_ms: 1500.0 },
        tokens_sent: 100,
        tokens_received: 7,
        redactions: 0,
    }))))
}

fn text(s: &str) -> Msg {
    Msg::Stream(Stream::Text(s.into()))
}

fn notices(app: &App) -> Vec<(Level, String)> {
    app.session
        .entries
        .iter()
        .filter_map(|e| match e {
            Entry::Notice { level, text } => Some((*level, text.clone())),
            _ => None,
        })
        .collect()
}

/// A router with a remote model (which never answers here) and the default privacy rules.
fn remote_router() -> Arc<Router> {
    let remote = Arc::new(FakeBackend::new(|_| "remote".into()));
    Arc::new(Router::new(RouterSettings::default(), PrivacySettings::default(), Some(remote)))
}

/// Why the router said the next question goes where it goes.
fn route_reason(app: &App) -> String {
    match &app.next_route {
        Some(Ok(d)) => d.reason.clone(),
        other => panic!("no decision: {other:?}"),
    }
}

fn status_text(app: &App) -> String {
    tandem_tui::ui::status(app, 120).spans.iter().map(|s| s.content.as_ref()).collect()
}

fn last_answer(app: &App) -> tandem_tui::session::AnswerEntry {
    app.session
        .entries
        .iter()
        .rev()
        .find_map(|e| match e {
            Entry::Assistant(a) => Some(a.clone()),
            _ => None,
        })
        .expect("an answer")
}

#[test]
fn a_message_is_sent_streamed_and_saved() {
    let (dir, mut app) = workspace();
    let cmds = send(&mut app, "what does add do?");
    let req = asked(&cmds);
    assert_eq!(req.turns.len(), 1);
    assert_eq!(req.turns[0].speaker, Speaker::User);
    assert_eq!(req.turns[0].text, "what does add do?");
    assert!(req.attachments.is_empty());
    assert_eq!(app.input_text(), "", "the input is cleared");
    assert!(app.generating.is_some());
    // The question is on disk before any answer comes.
    let saved = Store::new(dir.path().join("sessions")).load(&app.session.id).unwrap();
    assert_eq!(saved.entries[0], Entry::User { text: "what does add do?".into() });

    app.update(text("It adds"));
    app.update(text(" two numbers."));
    assert_eq!(last_answer(&app).text, "It adds two numbers.");
    assert_eq!(last_answer(&app).state, AnswerState::Streaming);
    app.update(done("It adds two numbers.", StopReason::EndOfText));
    let a = last_answer(&app);
    assert_eq!((a.state, a.tokens, a.route), (AnswerState::Done, 7, Some(Side::Local)));
    assert!(app.generating.is_none());
    assert_eq!(app.last, Some((7, 1.5)));
    let saved = Store::new(dir.path().join("sessions")).load(&app.session.id).unwrap();
    assert_eq!(saved.entries, app.session.entries);

    // The next question carries the conversation so far.
    let cmds = send(&mut app, "and twice?");
    let req = asked(&cmds);
    let texts: Vec<&str> = req.turns.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, ["what does add do?", "It adds two numbers.", "and twice?"]);
}

#[test]
fn at_paths_attach_code_and_bad_ones_keep_the_message() {
    let (_dir, mut app) = workspace();
    let cmds = send(&mut app, "@src/lib.rs:1-2 why i32?");
    let req = asked(&cmds);
    assert_eq!(req.attachments.len(), 1);
    assert_eq!(req.attachments[0].label(), "src/lib.rs:1-2");
    assert_eq!(req.attachments[0].text, "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n");
    assert_eq!(req.workspace_map.as_deref(), Some("map of src/lib.rs"));
    assert!(app.context_tokens > 0);
    app.update(done("because", StopReason::EndOfText));

    // A message of only references attaches and asks nothing.
    assert!(send(&mut app, "@src/util.rs").is_empty());
    assert_eq!(app.attachments.len(), 2);
    assert!(notices(&app).last().unwrap().1.starts_with("attached src/util.rs ("));

    // A reference that cannot be read: nothing is sent, the message stays for fixing.
    assert!(send(&mut app, "look at @src/nope.rs please").is_empty());
    assert_eq!(app.input_text(), "look at @src/nope.rs please");
    assert!(app.flash.as_deref().unwrap().contains("cannot attach `src/nope.rs`"));
    assert_eq!(app.attachments.len(), 2);
}

#[test]
fn stopping_and_quitting() {
    let (_dir, mut app) = workspace();
    send(&mut app, "explain");
    // While an answer streams, Esc and Ctrl-C stop it, and Enter sends nothing.
    assert!(matches!(app.update(key(KeyCode::Esc)).as_slice(), [Command::Stop]));
    assert!(matches!(app.update(ctrl('c')).as_slice(), [Command::Stop]));
    assert!(send(&mut app, "more").is_empty());
    assert_eq!(app.input_text(), "more");
    assert!(app.flash.as_deref().unwrap().contains("Esc"));
    app.update(text("Half"));
    app.update(done("Half", StopReason::Cancelled));
    assert_eq!(last_answer(&app).state, AnswerState::Stopped);

    // Ctrl-C clears the input; on an empty input it must be pressed twice in a row.
    assert!(app.update(ctrl('c')).is_empty());
    assert_eq!(app.input_text(), "");
    assert!(app.update(ctrl('c')).is_empty());
    assert!(!app.should_quit);
    app.update(key(KeyCode::Char('x')));
    app.update(key(KeyCode::Backspace));
    assert!(app.update(ctrl('c')).is_empty(), "another key in between disarms");
    assert!(matches!(app.update(ctrl('c')).as_slice(), [Command::Quit]));
    assert!(app.should_quit);

    let (_dir, mut app) = workspace();
    assert!(matches!(app.update(ctrl('d')).as_slice(), [Command::Quit]));
}

#[test]
fn a_signal_mid_answer_saves_it_as_interrupted() {
    let (dir, mut app) = workspace();
    send(&mut app, "long question");
    app.update(text("partial ans"));
    let cmds = app.update(Msg::Terminate);
    assert!(matches!(cmds.as_slice(), [Command::Stop, Command::Quit]));
    let saved = Store::new(dir.path().join("sessions")).last().unwrap();
    let Entry::Assistant(a) = &saved.entries[1] else { panic!() };
    assert_eq!((a.text.as_str(), &a.state), ("partial ans", &AnswerState::Interrupted));
}

#[test]
fn input_history_with_arrows_and_emacs_keys() {
    let (_dir, mut app) = workspace();
    for q in ["first", "second"] {
        send(&mut app, q);
        app.update(done("ok", StopReason::EndOfText));
    }
    type_text(&mut app, "draft");
    app.update(key(KeyCode::Up));
    assert_eq!(app.input_text(), "second");
    app.update(ctrl('p'));
    assert_eq!(app.input_text(), "first");
    app.update(key(KeyCode::Up));
    assert_eq!(app.input_text(), "first", "stays at the oldest");
    app.update(ctrl('n'));
    assert_eq!(app.input_text(), "second");
    app.update(key(KeyCode::Down));
    assert_eq!(app.input_text(), "draft", "back to what was being typed");
}

#[test]
fn newlines_and_pastes_do_not_send() {
    let (_dir, mut app) = workspace();
    type_text(&mut app, "line one");
    assert!(app.update(alt(KeyCode::Enter)).is_empty());
    assert!(app.update(ctrl('j')).is_empty());
    app.update(Msg::Paste("pasted\r\ncode".into()));
    assert_eq!(app.input_text(), "line one\n\npasted\ncode");
    let cmds = app.update(key(KeyCode::Enter));
    assert_eq!(asked(&cmds).turns[0].text, "line one\n\npasted\ncode");
}

#[test]
fn a_fallback_shows_in_the_conversation() {
    let (_dir, mut app) = workspace();
    app.models.remote = Some("big-remote".into());
    app.set_router(remote_router());
    send(&mut app, "why is this slow?");
    assert_eq!(last_answer(&app).model, "big-remote", "labelled with the router's word");
    app.update(text("Because"));
    app.update(Msg::Stream(Stream::Fallback("remote failed: connection refused".into())));
    let n = notices(&app);
    assert_eq!(n.last().unwrap().0, Level::Warning);
    assert!(
        n.last()
            .unwrap()
            .1
            .contains("remote failed: connection refused; the local model qwen-local answers instead")
    );
    let answers: Vec<_> = app
        .session
        .entries
        .iter()
        .filter_map(|e| if let Entry::Assistant(a) = e { Some(a.clone()) } else { None })
        .collect();
    assert_eq!(answers.len(), 2, "the remote's partial text stays, marked failed");
    assert!(matches!(answers[0].state, AnswerState::Failed(_)));
    assert_eq!(answers[1].model, "qwen-local");
    app.update(text("Local"));
    assert_eq!(last_answer(&app).text, "Local");
}

#[test]
fn commands() {
    let (dir, mut app) = workspace();
    send(&mut app, "/explain");
    assert!(notices(&app).last().unwrap().1.starts_with("nothing is attached"));
    send(&mut app, "@src/lib.rs");
    let cmds = send(&mut app, "/explain briefly");
    let q = &asked(&cmds).turns.last().unwrap().text;
    assert!(q.starts_with("Explain the attached code (`src/lib.rs`)") && q.ends_with(" briefly"), "{q}");
    app.update(done("It adds.", StopReason::EndOfText));

    send(&mut app, "/context");
    let listing = notices(&app).last().unwrap().1.clone();
    assert!(listing.contains("1. src/lib.rs (") && listing.contains("workspace map"), "{listing}");
    send(&mut app, "/context drop 1");
    assert!(app.attachments.is_empty());
    assert_eq!(app.context_tokens, 0);
    send(&mut app, "/context drop 1");
    assert_eq!(notices(&app).last().unwrap().0, Level::Error);

    send(&mut app, "/model remote");
    assert!(notices(&app).last().unwrap().1.starts_with("no remote model is configured"));
    assert!(
        matches!(send(&mut app, "/model qwen-big").as_slice(), [Command::SwitchLocal(m)] if m == "qwen-big")
    );
    assert_eq!(app.force, Some(Side::Local));
    assert_eq!(app.route_shown(), Some(("qwen-big".to_owned(), Side::Local)));
    assert_eq!(route_reason(&app), "local model requested");
    send(&mut app, "/model auto");
    assert_eq!(app.force, None);
    assert_eq!(route_reason(&app), "no remote model configured");
    send(&mut app, "/model");
    let said = notices(&app).last().unwrap().1.clone();
    assert!(
        said.starts_with("the next question goes to qwen-big (local): no remote model configured\n"),
        "{said}"
    );
    send(&mut app, "/model gpt-9");
    assert!(notices(&app).last().unwrap().1.starts_with("unknown model `gpt-9`"));

    let out = dir.path().join("talk.md");
    send(&mut app, &format!("/save {}", out.display()));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.contains("## You\n\nExplain the attached code") && md.contains("It adds."), "{md}");

    let first = app.session.id.clone();
    send(&mut app, "/clear");
    assert_ne!(app.session.id, first);
    assert!(!app.session.entries.iter().any(|e| matches!(e, Entry::User { .. })));
    send(&mut app, "/resume");
    let list = notices(&app).last().unwrap().1.clone();
    assert!(list.contains("1. Explain the attached code"), "{list}");
    send(&mut app, "/resume 1");
    assert_eq!(app.session.id, first);
    assert_eq!(app.attachments.len(), 0, "attachments as they were when it was saved");

    send(&mut app, "/frobnicate");
    assert!(notices(&app).last().unwrap().1.starts_with("unknown command /frobnicate"));
    send(&mut app, "/help");
    assert!(notices(&app).last().unwrap().1.contains("/resume [N|ID]"));
    send(&mut app, "/h");
    assert!(notices(&app).last().unwrap().1.starts_with("Commands"), "an alias from the table");
    assert!(matches!(send(&mut app, "/quit").as_slice(), [Command::Quit]));
}

#[test]
fn resuming_reads_attachments_again() {
    let (dir, mut app) = workspace();
    send(&mut app, "@src/lib.rs @src/util.rs what?");
    app.update(done("two functions", StopReason::EndOfText));
    let root = dir.path().join("proj");
    std::fs::write(root.join("src/lib.rs"), "pub fn add() {}\n").unwrap();
    std::fs::remove_file(root.join("src/util.rs")).unwrap();
    let store = Store::new(dir.path().join("sessions"));
    let mut again = app_in(&root, store.dir(), tandem_tui::Theme::dark());
    again.update(Msg::Resume(Box::new(store.last().unwrap())));
    assert_eq!(again.attachments.len(), 1);
    assert_eq!(again.attachments[0].text, "pub fn add() {}\n", "read as the file is now");
    let n = notices(&again);
    assert!(n.last().unwrap().1.contains("cannot attach `src/util.rs`"), "{n:?}");
    // History comes back too.
    again.update(key(KeyCode::Up));
    assert_eq!(again.input_text(), "@src/lib.rs @src/util.rs what?");
}

#[test]
fn tab_completes_paths_after_at() {
    let (_dir, mut app) = workspace();
    type_text(&mut app, "see @src/l");
    app.update(key(KeyCode::Tab));
    assert_eq!(app.input_text(), "see @src/lib.rs");
    assert!(app.completion.is_none());

    let (_dir, mut app) = workspace();
    type_text(&mut app, "@s");
    app.update(key(KeyCode::Tab));
    assert_eq!(app.input_text(), "@src/");
    app.update(key(KeyCode::Tab));
    let c = app.completion.clone().unwrap();
    assert_eq!(c.candidates, ["src/lib.rs", "src/util.rs"]);
    app.update(key(KeyCode::Tab));
    assert_eq!(app.input_text(), "@src/lib.rs");
    app.update(key(KeyCode::Tab));
    assert_eq!(app.input_text(), "@src/util.rs");
    app.update(key(KeyCode::Char(' ')));
    assert!(app.completion.is_none());
    assert_eq!(app.input_text(), "@src/util.rs ");
}

#[test]
fn the_conversation_scrolls_with_vim_and_emacs_keys() {
    let (_dir, mut app) = workspace();
    app.update(Msg::Layout { lines: 100, height: 21 });
    app.update(key(KeyCode::PageUp));
    assert_eq!(app.scroll, Some(59));
    app.update(key(KeyCode::PageDown));
    assert_eq!(app.scroll, None, "back at the end it follows again");
    app.update(key(KeyCode::Esc));
    assert_eq!(app.focus, Focus::Conversation);
    app.update(key(KeyCode::Char('k')));
    assert_eq!(app.scroll, Some(78));
    app.update(ctrl('u'));
    assert_eq!(app.scroll, Some(68));
    app.update(ctrl('n'));
    assert_eq!(app.scroll, Some(69));
    app.update(alt(KeyCode::Char('<')));
    assert_eq!(app.scroll, Some(0));
    app.update(key(KeyCode::Char('j')));
    assert_eq!(app.scroll, Some(1));
    app.update(key(KeyCode::Char('G')));
    assert_eq!(app.scroll, None);
    app.update(key(KeyCode::Char('i')));
    assert_eq!(app.focus, Focus::Input);
    type_text(&mut app, "j");
    assert_eq!(app.input_text(), "j", "keys type again in the input");
}

#[test]
fn help_lists_the_command_table() {
    let (_dir, mut app) = workspace();
    send(&mut app, "/help");
    let help = notices(&app).last().unwrap().1.clone();
    for c in COMMANDS {
        let line = help.lines().find(|l| l.trim_start().starts_with(&format!("/{}", c.name)));
        let line = line.unwrap_or_else(|| panic!("/{} is not in /help:\n{help}", c.name));
        assert!(line.contains(c.args) && line.contains(c.help), "{line}");
    }
    assert_eq!(help, tandem_tui::app::commands::help());
}

/// `App::update` alone, with nothing carried out: files are commands, results are messages.
#[test]
fn update_does_no_io() {
    let (dir, mut chat) = workspace();
    let app = &mut chat.app;
    for c in "@src/lib.rs what?".chars() {
        assert!(app.update(key(KeyCode::Char(c))).is_empty());
    }
    let cmds = app.update(key(KeyCode::Enter));
    let [Command::ReadAttachments { references, purpose }] = cmds.as_slice() else {
        panic!("expected one ReadAttachments, got {cmds:?}")
    };
    assert_eq!(references, &["src/lib.rs"]);
    assert_eq!(purpose, &Purpose::Message("@src/lib.rs what?".into()));
    assert!(app.attachments.is_empty() && app.session.entries.is_empty(), "nothing happens until it is read");

    // The result comes back as a message: the attachment is attached, the question saved and asked.
    let attachment = tandem_engine::Attachment {
        path: "src/lib.rs".into(),
        lines: None,
        text: "fn made_up() {}\n".into(),
        language: Some("rust".into()),
    };
    let cmds = app.update(Msg::Attached {
        purpose: purpose.clone(),
        results: vec![("src/lib.rs".into(), Ok(attachment))],
    });
    assert_eq!(app.attachments[0].text, "fn made_up() {}\n");
    let [Command::SaveSession { session, announce: false }, Command::StartAnswer(request)] = cmds.as_slice()
    else {
        panic!("expected a save and an answer, got {cmds:?}")
    };
    assert_eq!(session.entries[0], Entry::User { text: "@src/lib.rs what?".into() });
    assert_eq!(request.attachments[0].text, "fn made_up() {}\n");
    assert!(
        std::fs::read_dir(dir.path()).unwrap().all(|e| e.unwrap().file_name() != "sessions"),
        "nothing saved by update"
    );

    // Tab asks for completions; /save FILE and /resume are commands too.
    app.update(Msg::Stream(Stream::Done(Err("stopped".into()))));
    for c in "@sr".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    assert!(matches!(app.update(key(KeyCode::Tab)).as_slice(), [Command::Complete { word }] if word == "sr"));
    app.update(Msg::Completions { word: "sr".into(), candidates: vec!["src/".into()] });
    assert_eq!(app.input_text(), "@src/");
    app.update(ctrl('c'));
    for c in "/save out.md".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    let cmds = app.update(key(KeyCode::Enter));
    assert!(
        matches!(cmds.as_slice(), [Command::SaveSession { .. }, Command::WriteMarkdown { path, markdown }] if path == "out.md" && markdown.contains("## You")),
        "{cmds:?}"
    );
    assert!(!dir.path().join("proj/out.md").exists());
    for c in "/resume".chars() {
        app.update(key(KeyCode::Char(c)));
    }
    assert!(
        matches!(app.update(key(KeyCode::Enter)).as_slice(), [Command::ListSessions { pick }] if pick.is_empty())
    );
}

#[test]
fn the_route_the_engine_reports_replaces_the_routers_word() {
    let (_dir, mut app) = workspace();
    send(&mut app, "hi");
    assert_eq!(
        (last_answer(&app).model.as_str(), last_answer(&app).route),
        ("qwen-local", Some(Side::Local))
    );
    app.update(Msg::Stream(Stream::Route { side: Side::Remote, model: "big-remote".into() }));
    assert_eq!(
        (last_answer(&app).model.as_str(), last_answer(&app).route),
        ("big-remote", Some(Side::Remote))
    );
}

#[test]
fn the_route_shown_is_the_one_the_router_gave() {
    let (dir, mut app) = workspace();
    std::fs::write(dir.path().join("proj/.env"), "API_TOKEN=abc123\n").unwrap();
    app.models.remote = Some("big-remote".into());
    app.set_router(remote_router());
    assert_eq!(app.route_shown(), Some(("big-remote".to_owned(), Side::Remote)));
    assert_eq!(route_reason(&app), "chat goes to the remote model");
    assert!(status_text(&app).starts_with(" big-remote (remote) │ ctx "), "{}", status_text(&app));

    // The privacy rules exclude the attached file from the remote model: the router keeps the
    // next question local, and that is what shows.
    assert!(send(&mut app, "@.env").is_empty());
    assert_eq!(app.route_shown(), Some(("qwen-local".to_owned(), Side::Local)));
    assert_eq!(route_reason(&app), ".env matches privacy rule `.env*`");
    assert!(status_text(&app).starts_with(" qwen-local (local) │ ctx "), "{}", status_text(&app));

    // Forced to the remote side, the router would refuse it: no route, and the status line says why.
    send(&mut app, "/model remote");
    assert_eq!(app.force, Some(Side::Remote));
    assert_eq!(app.route_shown(), None);
    assert_eq!(app.next_route, Some(Err(RouteError::Excluded { path: ".env".into(), rule: ".env*".into() })));
    let status = status_text(&app);
    assert!(status.starts_with(" ✗ remote refused (.env is private) │ forced remote │ "), "{status}");
    // A question sent anyway is not labelled with a route the router did not give.
    send(&mut app, "what is set?");
    let a = last_answer(&app);
    assert_eq!((a.model.as_str(), a.route), ("", None));
    app.update(Msg::Stream(Stream::Done(Err(RouteError::Excluded {
        path: ".env".into(),
        rule: ".env*".into(),
    }
    .to_string()))));

    // Without the file, and back to auto: the remote model again.
    send(&mut app, "/model auto");
    send(&mut app, "/context clear");
    assert_eq!(app.route_shown(), Some(("big-remote".to_owned(), Side::Remote)));
}

#[test]
fn the_app_shows_whatever_route_the_runner_delivers() {
    let (_dir, mut chat) = workspace();
    let app = &mut chat.app;
    app.models.remote = Some("big-remote".into());
    app.next_route = None;
    assert_eq!(app.route_shown(), None);
    assert!(status_text(app).starts_with(" asking the router… │ "), "{}", status_text(app));
    // A remote model is configured and chat prefers it, but the router said local (its remote
    // side is down, say): the app shows the router's word.
    let said = tandem_engine::Decision { side: Side::Local, reason: "remote unavailable (timeout)".into() };
    assert!(app.update(Msg::NextRoute(Ok(said))).is_empty());
    assert_eq!(app.route_shown(), Some(("qwen-local".to_owned(), Side::Local)));
    let said = tandem_engine::Decision { side: Side::Remote, reason: "chat goes to the remote model".into() };
    app.update(Msg::NextRoute(Ok(said)));
    assert_eq!(app.route_shown(), Some(("big-remote".to_owned(), Side::Remote)));
}
