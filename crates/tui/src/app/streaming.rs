//! The answer's events: text arriving, the fallback to the local model, the end. Also the route
//! the answer is expected from until the engine says which it is.

use super::{App, Command};
use crate::session::{AnswerEntry, AnswerState, Entry, Level};
use std::time::Duration;
use tandem_core::{Side, StopReason};
use tandem_engine::Explanation;

/// Events of one generation.
#[derive(Debug)]
pub enum Stream {
    /// Which side and model answer: the engine's own word (`Progress::Route`), sent as each side
    /// starts. The answer in flight shows it from then on; [`App::expected_route`] only labels an
    /// answer until this arrives, and the status line between answers.
    Route {
        side: Side,
        model: String,
    },
    Text(String),
    /// The remote side failed; the local model answers from the start.
    Fallback(String),
    Done(Result<Box<Explanation>, String>),
}

/// Saves while streaming at most this often.
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// A new answer, streaming.
pub(super) fn streaming(model: String, side: Side) -> AnswerEntry {
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

impl App {
    /// The model and side the next answer is expected from: a guess at the router's decision,
    /// mirroring its rules (forced side, local-only, the chat preference) until the engine reports
    /// the route as it starts (see [`Stream::Route`]).
    pub fn expected_route(&self) -> (String, Side) {
        let remote = self.models.remote.clone().filter(|_| !self.models.local_only);
        match (self.force, remote) {
            (Some(Side::Local), _) | (_, None) => (self.models.local.clone(), Side::Local),
            (Some(Side::Remote), Some(r)) => (r, Side::Remote),
            (None, Some(r)) if self.models.chat_remote => (r, Side::Remote),
            (None, Some(_)) => (self.models.local.clone(), Side::Local),
        }
    }

    fn answer_mut(&mut self) -> Option<&mut AnswerEntry> {
        match self.session.entries.last_mut() {
            Some(Entry::Assistant(a)) if a.state == AnswerState::Streaming => Some(a),
            _ => None,
        }
    }

    pub(super) fn stream(&mut self, s: Stream) -> Vec<Command> {
        match s {
            Stream::Route { side, model } => {
                if let Some(a) = self.answer_mut() {
                    a.route = Some(side);
                    a.model = model;
                }
                Vec::new()
            }
            Stream::Text(t) => {
                if let Some(a) = self.answer_mut() {
                    a.text.push_str(&t);
                    a.tokens += 1;
                }
                if self.last_save.elapsed() >= SAVE_EVERY {
                    self.save().into_iter().collect()
                } else {
                    Vec::new()
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
                Vec::new()
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
                self.save().into_iter().collect()
            }
        }
    }
}
