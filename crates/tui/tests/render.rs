//! The screen as drawn by `ui::draw` on ratatui's `TestBackend`: layout at 80x24, resizing, a
//! long conversation scrolled, the completion list, and both themes.

mod support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use support::*;
use tandem_core::{Side, StopReason};
use tandem_engine::{ExplainTimings, Reply};
use tandem_tui::app::{Msg, Stream};
use tandem_tui::ui::View;
use tandem_tui::{Theme, ui};

/// Draws like the event loop: `&App` with a fresh view cache, then the layout told to the app.
fn draw(app: &mut Chat, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut view = View::default();
    t.draw(|f| ui::draw(f, &app.app, &mut view)).unwrap();
    let (lines, height) = view.layout();
    app.update(Msg::Layout { lines, height });
    t.backend().buffer().clone()
}

fn rows(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| (0..b.area.width).map(|x| b[(x, y)].symbol()).collect::<String>().trim_end().to_owned())
        .collect()
}

fn finish(app: &mut Chat, text: &str) {
    app.update(Msg::Stream(Stream::Text(text.into())));
    app.update(Msg::Stream(Stream::Done(Ok(Box::new(Reply {
        markdown: text.into(),
        model: "qwen-local".into(),
        route: Side::Local,
        reason: String::new(),
        degraded: None,
        stop: StopReason::EndOfText,
        timings: ExplainTimings { route_ms: 0.0, first_token_ms: Some(10.0), total_ms: 2300.0 },
        tokens_sent: 50,
        tokens_received: 12,
        redactions: 0,
    })))));
}

#[test]
fn a_conversation_at_80x24() {
    let (_dir, mut app) = workspace();
    send(&mut app, "@src/lib.rs what does add do?");
    finish(&mut app, "It returns the sum of `a` and `b`.");
    let screen = rows(&draw(&mut app, 80, 24));
    let expected_top = [
        "› you",
        "  @src/lib.rs what does add do?",
        "",
        "◆ tandem · qwen-local · local · 12 tok · 2.3 s",
        "  It returns the sum of a and b.",
    ];
    assert_eq!(&screen[..5], &expected_top, "{screen:#?}");
    assert!(screen[5..19].iter().all(String::is_empty), "{screen:#?}");
    assert!(screen[19].starts_with("┌ message "), "{screen:#?}");
    assert!(screen[20].starts_with("│ Ask about your code"), "{screen:#?}");
    assert!(screen[21].starts_with("└"));
    let status = &screen[22];
    assert!(status.starts_with(" qwen-local (local) │ ctx "), "{status}");
    assert!(status.contains("· 1 file │ last 12 tok · 2.3 s"), "{status}");
    assert!(status.ends_with("proj"), "{status}");
    assert!(screen[23].starts_with("Enter send · Alt-Enter newline · @path attach"), "{}", screen[23]);
}

#[test]
fn streaming_shows_progress_and_the_status_clock() {
    let (_dir, mut app) = workspace();
    send(&mut app, "hi");
    let screen = rows(&draw(&mut app, 80, 24));
    assert_eq!(screen[4], "  thinking…");
    assert!(screen[19].starts_with("┌ answering — Esc stops "), "{}", screen[19]);
    assert!(screen[22].contains("│ answering… 0."), "{}", screen[22]);
    app.update(Msg::Stream(Stream::Text("Hello the".into())));
    let screen = rows(&draw(&mut app, 80, 24));
    assert_eq!(screen[4], "  Hello the▌");
}

#[test]
fn it_resizes_and_draws_at_any_size() {
    let (_dir, mut app) = workspace();
    for i in 0..3 {
        send(&mut app, &format!("question {i} with quite a few words in it to wrap on narrow screens"));
        finish(
            &mut app,
            "An answer that is long enough to need wrapping when the terminal is narrow. ".repeat(3).trim(),
        );
    }
    for (w, h) in [(80, 24), (40, 12), (200, 60), (20, 6), (1, 1), (120, 8)] {
        let b = draw(&mut app, w, h);
        let screen = rows(&b);
        assert_eq!(screen.len(), h as usize);
        if h >= 6 {
            // The input and the status line are always there, the newest text just above them.
            assert!(screen.iter().any(|r| r.starts_with("┌")), "{w}x{h}: {screen:#?}");
            assert!(screen[h as usize - 2].starts_with(" qwen-local"), "{w}x{h}: {screen:#?}");
        }
        if h >= 12 {
            let conv = screen[..h as usize - 5].join("\n");
            assert!(conv.contains("narrow."), "{w}x{h}: the end of the last answer shows: {screen:#?}");
        }
    }
}

#[test]
fn scrolling_back_keeps_the_view_and_says_what_is_below() {
    let (_dir, mut app) = workspace();
    for i in 0..12 {
        send(&mut app, &format!("question {i}"));
        finish(&mut app, &format!("answer {i}"));
    }
    let screen = rows(&draw(&mut app, 80, 24));
    assert_eq!(screen[18], "  answer 11", "{screen:#?}");
    app.update(key(KeyCode::PageUp));
    let screen = rows(&draw(&mut app, 80, 24));
    assert!(!screen.iter().any(|r| r.contains("answer 11")));
    assert!(screen[18].ends_with(" ↓ 18 more lines (End)"), "{screen:#?}");
    // Sending jumps to the end; text arriving below does not move what is being read.
    send(&mut app, "another");
    let screen = rows(&draw(&mut app, 80, 24));
    assert_eq!(screen[18], "  thinking…", "{screen:#?}");
    app.update(key(KeyCode::PageUp));
    let before = rows(&draw(&mut app, 80, 24))[..18].to_vec();
    app.update(Msg::Stream(Stream::Text("streaming on\n\nand on\n\nand on".into())));
    let screen = rows(&draw(&mut app, 80, 24));
    assert_eq!(screen[..18], before[..], "the view stays put while text arrives");
    assert!(screen[18].contains("more lines (End)"), "{screen:#?}");
}

#[test]
fn completions_are_listed_above_the_input() {
    let (_dir, mut app) = workspace();
    type_text(&mut app, "@src/");
    app.update(key(KeyCode::Tab));
    let screen = rows(&draw(&mut app, 80, 24));
    let list = screen[..19].join("\n");
    assert!(list.contains("│src/lib.rs") && list.contains("│src/util.rs"), "{screen:#?}");
}

#[test]
fn themes_stay_readable() {
    // Light terminals: no yellow or light colours, which vanish on white.
    let light = Theme::light();
    let dark = Theme::dark();
    assert_ne!(light, dark);
    let (dir, _) = workspace();
    let mut app = app_in(&dir.path().join("proj"), &dir.path().join("s"), Theme::light());
    send(&mut app, "q");
    finish(&mut app, "Use `add` here:\n\n```rust\nfn main() { let x = \"s\"; }\n```\n");
    let b = draw(&mut app, 80, 24);
    let bad = [Color::Yellow, Color::LightYellow, Color::White, Color::LightCyan, Color::LightGreen];
    let status_row = 22;
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            let fg = b[(x, y)].fg;
            if y != status_row {
                assert!(!bad.contains(&fg), "({x},{y}) `{}` is {fg:?} on a light theme", b[(x, y)].symbol());
            }
        }
    }
    // Both themes colour the user, the assistant, and code differently from plain text.
    for t in [light, dark] {
        assert_ne!(t.user, t.text);
        assert_ne!(t.assistant, t.text);
        assert_ne!(t.inline_code, t.text);
    }
}

#[test]
fn answers_render_as_markdown_with_highlighted_code() {
    let (_dir, mut app) = workspace();
    send(&mut app, "example?");
    finish(&mut app, "## Usage\n\nCall it:\n\n```rust\nfn main() { add(1, 2); }\n```\n");
    let b = draw(&mut app, 80, 24);
    let screen = rows(&b);
    let at = |needle: &str| {
        let y =
            screen.iter().position(|r| r.contains(needle)).unwrap_or_else(|| panic!("{needle}: {screen:#?}"));
        let x = screen[y].find(needle).unwrap();
        (screen[y][..x].chars().count() as u16, y as u16)
    };
    assert!(!screen.iter().any(|r| r.contains("```") || r.contains("## ")), "{screen:#?}");
    let theme = Theme::dark();
    let (x, y) = at("Usage");
    assert_eq!(b[(x, y)].fg, theme.heading.fg.unwrap());
    let (x, y) = at("fn main");
    let keyword = theme.syntax(tandem_engine::Highlight::Keyword);
    assert_eq!(b[(x, y)].fg, keyword.fg.unwrap(), "`fn` is a keyword: {screen:#?}");
    assert_ne!(b[(x + 3, y)].fg, keyword.fg.unwrap(), "`main` is not");
}
