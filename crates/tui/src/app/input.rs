//! Keys: the input (sending, new lines, history, `@path` completion), stopping and quitting,
//! and scrolling the conversation with vim and emacs keys.

use super::{App, Command, Completion, Focus, Purpose};
use crate::attach;
use crate::session::{AnswerState, Entry, Level};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Instant;
use tandem_engine::{ChatRequest, Turn};

impl App {
    pub(super) fn key(&mut self, key: KeyEvent) -> Vec<Command> {
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
            self.scroll_key(key, ctrl, alt);
            return if key.code == KeyCode::Esc && self.generating.is_some() {
                vec![Command::Stop]
            } else {
                Vec::new()
            };
        }
        if key.code != KeyCode::Tab {
            self.completion = None;
        }
        let first_row = self.input.cursor().0 == 0;
        let last_row = self.input.cursor().0 + 1 >= self.input.lines().len();
        match key.code {
            KeyCode::Esc if self.generating.is_some() => return vec![Command::Stop],
            KeyCode::Esc => self.focus = Focus::Conversation,
            KeyCode::Char('d') if ctrl && self.input_text().is_empty() && self.generating.is_none() => {
                return self.quit();
            }
            KeyCode::Enter if alt => self.input.insert_newline(),
            KeyCode::Char('j') if ctrl => self.input.insert_newline(),
            KeyCode::Enter => return self.submit(),
            KeyCode::Tab => return self.complete(),
            KeyCode::Up if first_row => self.history_step(-1),
            KeyCode::Char('p') if ctrl && first_row => self.history_step(-1),
            KeyCode::Down if last_row => self.history_step(1),
            KeyCode::Char('n') if ctrl && last_row => self.history_step(1),
            KeyCode::PageUp => self.scroll_by(-(self.page() as isize)),
            KeyCode::PageDown => self.scroll_by(self.page() as isize),
            _ => {
                self.input.input(key);
            }
        }
        Vec::new()
    }

    fn ctrl_c(&mut self) -> Vec<Command> {
        if self.generating.is_some() {
            return vec![Command::Stop];
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

    fn page(&self) -> usize {
        self.layout.1.max(2) - 1
    }

    /// Scrolls by `delta` lines (negative: up); reaching the end follows it again.
    pub fn scroll_by(&mut self, delta: isize) {
        let (total, height) = self.layout;
        let bottom = total.saturating_sub(height);
        let top = self.scroll.unwrap_or(bottom) as isize + delta;
        let top = top.clamp(0, bottom as isize) as usize;
        self.scroll = (top < bottom).then_some(top);
    }

    fn scroll_key(&mut self, key: KeyEvent, ctrl: bool, alt: bool) {
        let half = (self.page() / 2).max(1) as isize;
        let page = self.page() as isize;
        match key.code {
            KeyCode::Esc if self.generating.is_some() => {}
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
        if self.scroll == Some(0) && self.layout.0 <= self.layout.1 {
            self.scroll = None;
        }
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

    /// The `@path` word at the cursor (after the `@`).
    fn at_word(&self) -> Option<String> {
        let (row, col) = (self.input.cursor().0, self.input.cursor().1);
        let line = self.input.lines().get(row)?;
        let end = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
        let start = line[..end].rfind(char::is_whitespace).map_or(0, |i| i + 1);
        Some(line[start..end].strip_prefix('@')?.to_owned())
    }

    /// Replaces the `@path` word at the cursor with `with`.
    fn replace_at_word(&mut self, with: &str) {
        let n = self.at_word().map_or(0, |w| w.chars().count());
        for _ in 0..n {
            self.input.delete_char();
        }
        self.input.insert_str(with);
    }

    /// Tab: cycles the candidates listed, else asks for the paths the `@` word completes to.
    fn complete(&mut self) -> Vec<Command> {
        let Some(word) = self.at_word() else {
            self.input.insert_tab();
            return Vec::new();
        };
        if let Some(c) = &mut self.completion
            && c.candidates.len() > 1
        {
            let next = c.selected.map_or(0, |i| (i + 1) % c.candidates.len());
            c.selected = Some(next);
            let with = c.candidates[next].clone();
            self.replace_at_word(&with);
            return Vec::new();
        }
        vec![Command::Complete { word }]
    }

    /// The paths `word` completes to, if the input still ends the same `@` word.
    pub(super) fn completions(&mut self, word: &str, candidates: Vec<String>) {
        if self.at_word().as_deref() != Some(word) {
            return;
        }
        match candidates.len() {
            0 => self.flash = Some(format!("no file matches `{word}`")),
            1 => {
                self.replace_at_word(&candidates[0]);
                self.completion = None;
            }
            _ => {
                let common = attach::common_prefix(&candidates);
                if common.len() > word.len() {
                    self.replace_at_word(&common);
                }
                self.completion = Some(Completion { candidates, selected: None });
            }
        }
    }

    fn submit(&mut self) -> Vec<Command> {
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
        // What the message names is read first; the message goes once it is attached.
        let references: Vec<String> =
            attach::refs_in(trimmed).into_iter().map(|(_, r)| r.to_owned()).collect();
        if references.is_empty() {
            self.set_input("");
            return self.ask(trimmed.to_owned());
        }
        vec![Command::ReadAttachments { references, purpose: Purpose::Message(trimmed.to_owned()) }]
    }

    /// A message whose `@references` are now attached (as `labels`): sent, unless it was only
    /// references.
    pub(super) fn send_with_attachments(&mut self, text: String, labels: &[String]) -> Vec<Command> {
        let mut rest = text.clone();
        for (range, _) in attach::refs_in(&text).iter().rev() {
            rest.replace_range(range.clone(), "");
        }
        self.set_input("");
        if rest.trim().is_empty() {
            self.notice(
                Level::Info,
                format!("attached {} ({} tokens of context)", labels.join(", "), self.context_tokens),
            );
            return Vec::new();
        }
        self.ask(text)
    }

    /// Sends a user message.
    pub(super) fn ask(&mut self, text: String) -> Vec<Command> {
        self.session.entries.push(Entry::User { text });
        // Labelled with the router's word on the next question until the engine reports the
        // route it takes (`Stream::Route`); unlabelled when the router has not said.
        let (model, side) = self.decided_route().map_or((String::new(), None), |(m, s)| (m, Some(s)));
        self.session.entries.push(Entry::Assistant(super::streaming::streaming(model, side)));
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
        let mut cmds: Vec<Command> = self.save().into_iter().collect();
        cmds.push(Command::StartAnswer(Box::new(request)));
        cmds
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
}
