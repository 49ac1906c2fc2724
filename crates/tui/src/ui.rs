//! Drawing the chat: the conversation (scrollable, answers as Markdown), the input, a completion
//! list, the status line and a footer of key hints. Works at any size; below a minimum it draws
//! what fits.

use crate::app::{App, Focus};
use crate::markdown;
use crate::session::{AnswerEntry, AnswerState, Entry, Level};
use crate::theme::Theme;
use crate::wrap::wrap_plain;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use tandem_core::Side;
use tandem_engine::RouteError;

/// What drawing keeps between frames, apart from the app's state: rendered entries (kept while
/// they and the width are unchanged, so only the streaming answer is drawn again as it grows)
/// and the conversation's layout at the last draw.
#[derive(Debug, Default)]
pub struct View {
    entries: Vec<(u64, Vec<Line<'static>>)>,
    layout: (usize, usize),
}

impl View {
    /// The conversation's lines and the height of its view at the last draw: the runner tells
    /// the app with [`crate::app::Msg::Layout`] when it changes.
    pub fn layout(&self) -> (usize, usize) {
        self.layout
    }
}

fn key(entry: &Entry, width: u16, theme: &Theme) -> u64 {
    let mut h = DefaultHasher::new();
    (width, theme.name).hash(&mut h);
    match entry {
        Entry::User { text } => text.hash(&mut h),
        Entry::Notice { level, text } => (level, text).hash(&mut h),
        Entry::Assistant(a) => {
            (&a.text, &a.model, a.route, &a.degraded, &a.state, a.tokens).hash(&mut h);
            a.total_ms.map(f64::to_bits).hash(&mut h);
        }
    }
    h.finish()
}

fn indent(lines: Vec<Line<'static>>, by: usize) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|mut l| {
            l.spans.insert(0, Span::raw(" ".repeat(by)));
            l
        })
        .collect()
}

fn answer_header(a: &AnswerEntry, t: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled("◆ tandem", t.assistant)];
    // An answer whose route is not known yet (the router has not said) shows neither.
    for part in [a.model.as_str(), a.route.map_or("", Side::as_str)] {
        if !part.is_empty() {
            spans.push(Span::styled(format!(" · {part}"), t.dim));
        }
    }
    if a.degraded.is_some() {
        spans.push(Span::styled(" · fallback", t.warning));
    }
    if let Some(ms) = a.total_ms {
        spans.push(Span::styled(format!(" · {} tok · {:.1} s", a.tokens, ms / 1000.0), t.dim));
    }
    Line::from(spans)
}

fn render_entry(entry: &Entry, width: u16, t: &Theme) -> Vec<Line<'static>> {
    let body = width.saturating_sub(2).max(1);
    let mut out = Vec::new();
    match entry {
        Entry::User { text } => {
            out.push(Line::styled("› you", t.user));
            out.extend(indent(wrap_plain(text, body as usize, t.text), 2));
        }
        Entry::Assistant(a) => {
            out.push(answer_header(a, t));
            if a.text.is_empty() && a.state == AnswerState::Streaming {
                out.push(Line::styled("  thinking…", t.dim));
            } else {
                let mut lines = indent(markdown::render(&a.text, body, t), 2);
                if a.state == AnswerState::Streaming {
                    match lines.last_mut() {
                        Some(l) if l.width() < width as usize => l.spans.push(Span::styled("▌", t.dim)),
                        _ => lines.push(Line::styled("  ▌", t.dim)),
                    }
                }
                out.extend(lines);
            }
            match &a.state {
                AnswerState::Stopped => out.push(Line::styled("  [stopped]", t.dim)),
                AnswerState::Interrupted => out.push(Line::styled("  [interrupted]", t.dim)),
                AnswerState::Failed(e) => {
                    out.extend(indent(wrap_plain(&format!("✗ {e}"), body as usize, t.error), 2))
                }
                AnswerState::Done | AnswerState::Streaming => {}
            }
        }
        Entry::Notice { level, text } => {
            let (mark, style) = match level {
                Level::Info => ("·", t.notice),
                Level::Warning => ("!", t.warning),
                Level::Error => ("✗", t.error),
            };
            let lines = wrap_plain(text, width.saturating_sub(2).max(1) as usize, style);
            for (i, mut l) in lines.into_iter().enumerate() {
                l.spans.insert(0, Span::styled(if i == 0 { format!("{mark} ") } else { "  ".into() }, style));
                out.push(l);
            }
        }
    }
    out
}

/// The conversation as lines `width` columns wide.
pub fn conversation(app: &App, view: &mut View, width: u16) -> Vec<Line<'static>> {
    let cache = &mut view.entries;
    cache.truncate(app.session.entries.len());
    let mut out: Vec<Line<'static>> = Vec::new();
    if app.session.entries.is_empty() {
        out.extend(wrap_plain(
            "Ask about your code. Attach files with @path or @path:10-40 (Tab completes), or list them on the command line. /help shows commands and keys.",
            width as usize,
            app.theme.dim,
        ));
    }
    for (i, e) in app.session.entries.iter().enumerate() {
        let k = key(e, width, &app.theme);
        if cache.get(i).is_none_or(|(ck, _)| *ck != k) {
            let lines = render_entry(e, width, &app.theme);
            if i < cache.len() {
                cache[i] = (k, lines);
            } else {
                cache.push((k, lines));
            }
        }
        if i > 0 {
            out.push(Line::default());
        }
        out.extend(cache[i].1.iter().cloned());
    }
    out
}

fn thousands(n: usize) -> String {
    if n >= 10_000 {
        format!("{:.0}k", n as f64 / 1000.0)
    } else if n >= 1000 {
        format!("{:.1}k", n as f64 / 1000.0)
    } else {
        n.to_string()
    }
}

/// The status line: model and route, fallback state, context, the last answer, the workspace.
pub fn status(app: &App, width: u16) -> Line<'static> {
    let t = &app.theme;
    // The answer in flight says where it comes from (the engine's word once it reports the
    // route: `Stream::Route`); otherwise where the router says the next question goes.
    let route = match (app.route_shown(), &app.next_route) {
        (Some((model, side)), _) => format!(" {model} ({})", side.as_str()),
        (None, Some(Err(e))) => format!(" ✗ remote refused ({})", refusal(e)),
        (None, _) => " asking the router…".to_owned(),
    };
    let mut parts = vec![route];
    match app.force {
        Some(Side::Local) => parts.push("forced local".into()),
        Some(Side::Remote) => parts.push("forced remote".into()),
        None => {}
    }
    let degraded = app.session.entries.iter().rev().find_map(|e| match e {
        Entry::Assistant(a) if a.state != AnswerState::Streaming => Some(a.degraded.is_some()),
        _ => None,
    });
    if degraded == Some(true) {
        parts.push("⚠ fallback to local".into());
    }
    let files = app.attachments.len();
    parts.push(format!(
        "ctx {} tok{}",
        thousands(app.context_tokens),
        if files > 0 {
            format!(" · {files} file{}", if files == 1 { "" } else { "s" })
        } else {
            String::new()
        }
    ));
    if let Some(started) = app.generating {
        parts.push(format!("answering… {:.1} s", started.elapsed().as_secs_f64()));
    } else if let Some((tokens, secs)) = app.last {
        parts.push(format!("last {} tok · {secs:.1} s", thousands(tokens)));
    }
    let left = parts.join(" │ ");
    let right = format!("{} ", app.workspace);
    let mut spans = vec![Span::styled(left.clone(), t.status)];
    if let Some(flash) = &app.flash {
        spans.push(Span::styled(format!(" │ {flash}"), t.status.patch(t.warning)));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let pad = (width as usize).saturating_sub(used + right.chars().count());
    if pad > 0 {
        spans.push(Span::styled(" ".repeat(pad), t.status));
        spans.push(Span::styled(right, t.status));
    }
    Line::from(spans)
}

/// Why the router refuses the next question, in a few words (`/model` says it in full).
fn refusal(e: &RouteError) -> String {
    match e {
        RouteError::Excluded { path, .. } => format!("{path} is private"),
        RouteError::LocalOnly => "local-only mode".into(),
        RouteError::NoRemote => "no remote model configured".into(),
    }
}

fn footer(app: &App) -> &'static str {
    match (app.focus, app.generating.is_some()) {
        (Focus::Conversation, _) => {
            "j/k scroll · Ctrl-D/U half page · g/G top/end · i or Esc: back to the input"
        }
        (Focus::Input, true) => "Esc stop · PgUp/PgDn scroll · type your next message · /help",
        (Focus::Input, false) => {
            "Enter send · Alt-Enter newline · @path attach · Tab complete · /help · Ctrl-C quit"
        }
    }
}

/// Draws the whole chat.
pub fn draw(frame: &mut Frame<'_>, app: &App, view: &mut View) {
    let area = frame.area();
    let t = &app.theme;
    let input_lines = app.input.lines().len().clamp(1, 6) as u16;
    let [conv, input, status_area, footer_area] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(input_lines + 2),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    // The conversation.
    let lines = conversation(app, view, conv.width);
    let total = lines.len();
    let height = conv.height as usize;
    view.layout = (total, height);
    let bottom = total.saturating_sub(height);
    let top = app.scroll.map_or(bottom, |s| s.min(bottom));
    let shown: Vec<Line<'static>> = lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(shown), conv);
    if top < bottom && conv.height > 0 {
        let more = format!(" ↓ {} more lines (End) ", bottom - top);
        let w = (more.chars().count() as u16).min(conv.width);
        let at = Rect { x: conv.right() - w, y: conv.bottom() - 1, width: w, height: 1 };
        frame.render_widget(Paragraph::new(Span::styled(more, t.status)), at);
    }

    // Path completions, over the end of the conversation.
    if let Some(c) = &app.completion {
        let n = c.candidates.len().min(8) as u16;
        let h = (n + 2).min(conv.height);
        let w = c.candidates.iter().map(|s| s.chars().count()).max().unwrap_or(0).min(60) as u16 + 4;
        let rect =
            Rect { x: conv.x, y: conv.bottom().saturating_sub(h), width: w.min(conv.width), height: h };
        let items: Vec<Line<'static>> = c
            .candidates
            .iter()
            .enumerate()
            .take(8)
            .map(|(i, s)| {
                let style = if c.selected == Some(i) { t.selected } else { t.text };
                Line::styled(s.clone(), style)
            })
            .collect();
        let title = if c.candidates.len() > 8 {
            format!(" {} files (Tab) ", c.candidates.len())
        } else {
            " Tab ".into()
        };
        frame.render_widget(Clear, rect);
        frame.render_widget(
            Paragraph::new(items).block(Block::bordered().border_style(t.border).title(title)),
            rect,
        );
    }

    // The input.
    let border = if app.focus == Focus::Input { t.focused_border } else { t.border };
    let title = match app.generating {
        Some(_) => " answering — Esc stops ",
        None if app.focus == Focus::Conversation => " scrolling — i returns here ",
        None => " message ",
    };
    let mut textarea = app.input.clone();
    textarea.set_block(Block::bordered().border_style(border).title(Span::styled(title, t.dim)));
    textarea.set_placeholder_style(t.dim);
    textarea.set_cursor_style(if app.focus == Focus::Input { t.selected } else { Style::default() });
    frame.render_widget(&textarea, input);

    frame.render_widget(Paragraph::new(status(app, status_area.width)).style(t.status), status_area);
    frame.render_widget(Paragraph::new(Span::styled(footer(app), t.dim)), footer_area);
}
