//! The answer's events: text arriving, the fallback to the local model, the end. Also the route
//! shown: the answer in flight's, else where the router says the next question goes. The app
//! never works the route out itself: the router decides, the engine and the runner report.

use super::{App, Command};
use crate::session::{AnswerEntry, AnswerState, Entry, Level};
use std::time::Duration;
use tandem_core::{Side, StopReason};
use tandem_engine::Reply;

/// Events of one generation.
#[derive(Debug)]
pub enum Stream {
    /// Which side and model answer: the engine's own word (`Progress::Route`), sent as each side
    /// starts. The answer in flight shows it from then on; until it arrives, the answer carries
    /// the router's last word on the next question ([`super::Msg::NextRoute`]), if any.
    Route {
        side: Side,
        model: String,
    },
    Text(String),
    /// The remote side failed; the local model answers from the start.
    Fallback(String),
    Done(Result<Box<Reply>, String>),
}

/// Saves while streaming at most this often.
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// A new answer, streaming (`model` is empty while the route is not known).
pub(super) fn streaming(model: String, route: Option<Side>) -> AnswerEntry {
    AnswerEntry {
        text: String::new(),
        model,
        route,
        degraded: None,
        state: AnswerState::Streaming,
        tokens: 0,
        first_token_ms: None,
        total_ms: None,
    }
}

impl App {
    /// The model that answers on `side`, by name.
    pub(super) fn model_on(&self, side: Side) -> String {
        match side {
            Side::Local => self.models.local.clone(),
            Side::Remote => self.models.remote.clone().unwrap_or_else(|| "the remote model".into()),
        }
    }

    /// The model and side the router said the next question goes to ([`super::Msg::NextRoute`]);
    /// `None` until it has said, or when it would refuse the question.
    pub fn decided_route(&self) -> Option<(String, Side)> {
        match &self.next_route {
            Some(Ok(d)) => Some((self.model_on(d.side), d.side)),
            _ => None,
        }
    }

    /// The route to show: the answer in flight's (the engine's word once it has reported it, see
    /// [`Stream::Route`]), else the router's decision for the next question.
    pub fn route_shown(&self) -> Option<(String, Side)> {
        let in_flight = self.session.entries.last().and_then(|e| match e {
            Entry::Assistant(a) if a.state == AnswerState::Streaming => Some((a.model.clone(), a.route?)),
            _ => None,
        });
        in_flight.or_else(|| self.decided_route())
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
                self.session.entries.push(Entry::Assistant(streaming(local, Some(Side::Local))));
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
