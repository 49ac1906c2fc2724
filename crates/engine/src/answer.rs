//! The one answering pipeline, for every task (inline fill-in-the-middle completions,
//! explanations, chat): decide → privacy (exclusion rules in the decision; secrets redacted from
//! what is sent remote) → generate on the chosen side, announcing it with [`Progress::Route`] →
//! on a remote failure, fall back to the local model, visibly (a degraded reason,
//! [`Progress::Fallback`]) → one [`RouteRecord`]. The tasks differ only in their prompts, their
//! parameters, which local model answers, and whether remote text streams or is held back until
//! the remote answer is complete ([`RemoteText`]).

use crate::router::{LoadError, RouteError, RouteRecord, RouteRequest, Router};
use std::sync::Arc;
use std::time::Instant;
use tandem_core::{Cancel, GenerationParams, Prompt, Side};
use tandem_model::{Backend, BackendError, Finished, GenerateRequest};

/// Why there is no answer: an explanation, a chat answer, or an inline completion the router
/// sent remote.
#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error(transparent)]
    Refused(#[from] RouteError),
    #[error("no local model is available: {0}")]
    NoModel(#[from] LoadError),
    #[error("the remote model failed and fallback is off: {0}")]
    RemoteFailed(BackendError),
    #[error("the local model failed: {0}")]
    LocalFailed(BackendError),
}

/// What the caller is told while the answer streams.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Which side and model answer, sent as each one starts (before its text; again, for the
    /// local model, after a [`Progress::Fallback`]), so that no face has to guess the route.
    Route {
        side: Side,
        model: &'a str,
    },
    Text(&'a str),
    /// The remote side failed; the local model answers from the start. `shown` is whether text
    /// was already streamed.
    Fallback {
        reason: &'a str,
        shown: bool,
    },
}

/// A rough token count where no tokenizer is at hand (about four bytes a token).
pub(crate) fn estimate_tokens(text: &str) -> usize {
    text.len().div_ceil(4)
}

/// How the remote side's text reaches the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RemoteText {
    /// As it comes (explanations, chat); a fallback after some of it is announced as shown.
    Stream,
    /// In one piece once the remote answer is complete (inline completions), so that a fallback
    /// never mixes two answers.
    Hold,
}

/// Counts the tokens of a text for a model.
pub(crate) type TokenCounter<'a> = dyn Fn(&str) -> usize + 'a;

/// A request as [`Router::answer`] serves it: where it may go, and what each side is sent.
pub(crate) struct AnswerRequest<'a> {
    pub route: RouteRequest<'a>,
    /// The prompt for the remote model, redacted when the argument is true, and the number of
    /// redactions.
    pub remote_prompt: &'a dyn Fn(bool) -> (Prompt, usize),
    /// The prompt for the local model, fitted into a token budget with its token counter.
    pub local_prompt: &'a dyn Fn(&TokenCounter<'_>, usize) -> Prompt,
    /// The generation parameters for each side.
    pub params: &'a dyn Fn(Side) -> GenerationParams,
    /// The local model that answers; `None`: the router's own ([`Router::local`]).
    pub local: Option<Arc<dyn Backend>>,
    pub remote_text: RemoteText,
}

/// An answer, and how it came.
#[derive(Debug)]
pub(crate) struct Answered {
    /// The answering model's end: the whole text, how it stopped, its counts.
    pub finished: Finished,
    pub side: Side,
    pub model: String,
    /// Why the router chose the side it first tried.
    pub reason: String,
    /// Why the answer came from the local model instead of the remote one, if it did.
    pub degraded: Option<String>,
    /// Secrets replaced in what was sent (0 for a local answer).
    pub redactions: usize,
    pub route_ms: f64,
    pub first_token_ms: Option<f64>,
    pub total_ms: f64,
    pub tokens_sent: usize,
}

impl Router {
    /// The answering pipeline, for every task: decides where `a` goes, sends the remote model its
    /// (redacted) prompt, falls back to the local model when the remote side fails (unless the
    /// remote side was forced or fallback is off), and records one [`RouteRecord`] for every
    /// outcome, errors included. Blocks until the answer is complete; `on` hears which side
    /// answers as each starts, the text as it is shown, and a fallback.
    pub(crate) fn answer(
        &self,
        a: AnswerRequest<'_>,
        cancel: &Cancel,
        on: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Answered, ExplainError> {
        let started = Instant::now();
        let mut record = RouteRecord { task: Some(a.route.task), ..RouteRecord::default() };
        let result = self.answer_inner(&a, cancel, on, started, &mut record);
        match &result {
            Ok(done) => {
                record.model = done.model.clone();
                record.first_token_ms = done.first_token_ms;
                record.tokens_sent = done.tokens_sent;
                record.tokens_received = done.finished.stats.generated_tokens;
            }
            Err(e) => record.error = Some(e.to_string()),
        }
        record.latency_ms = ms_since(started);
        self.record(record);
        result
    }

    /// The pipeline's steps, noting in `record` where the request went as it goes;
    /// [`Router::answer`] completes the record and keeps it.
    fn answer_inner(
        &self,
        a: &AnswerRequest<'_>,
        cancel: &Cancel,
        on: &mut dyn FnMut(Progress<'_>),
        started: Instant,
        record: &mut RouteRecord,
    ) -> Result<Answered, ExplainError> {
        let decision = self.decide(&a.route)?;
        let route_ms = ms_since(started);
        record.route = Some(decision.side);
        record.reason = decision.reason.clone();
        let answered = |run: Run, side, model, degraded, redactions| Answered {
            finished: run.finished,
            side,
            model,
            reason: decision.reason.clone(),
            degraded,
            redactions,
            route_ms,
            first_token_ms: run.first_token_ms,
            total_ms: ms_since(started),
            tokens_sent: run.tokens_sent,
        };
        let mut degraded = None;
        if decision.side == Side::Remote
            && let Some(remote) = self.remote().cloned()
        {
            let (prompt, redactions) = (a.remote_prompt)(self.privacy().redact);
            record.redactions = redactions;
            let model = remote.info().model;
            on(Progress::Route { side: Side::Remote, model: &model });
            let hold = a.remote_text == RemoteText::Hold;
            match generate(remote.as_ref(), prompt, (a.params)(Side::Remote), cancel, started, hold, on) {
                Ok(run) => {
                    self.remote_succeeded();
                    if hold && !run.finished.text.is_empty() {
                        on(Progress::Text(&run.finished.text));
                    }
                    return Ok(answered(run, Side::Remote, model, None, redactions));
                }
                Err((e, shown)) => {
                    self.remote_failed(&e);
                    if a.route.force == Some(Side::Remote) || !self.settings().fallback {
                        return Err(ExplainError::RemoteFailed(e));
                    }
                    let reason = format!("remote failed: {e}");
                    on(Progress::Fallback { reason: &reason, shown });
                    record.degraded = Some(reason.clone());
                    degraded = Some(reason);
                }
            }
        }
        let local = match &a.local {
            Some(local) => local.clone(),
            None => self.local()?,
        };
        let model = local.info().model;
        record.route = Some(Side::Local);
        record.model = model.clone();
        let count = |s: &str| local.count_tokens(s).unwrap_or_else(|| estimate_tokens(s));
        let prompt = (a.local_prompt)(&count, self.settings().local_max_tokens);
        on(Progress::Route { side: Side::Local, model: &model });
        let run = generate(local.as_ref(), prompt, (a.params)(Side::Local), cancel, started, false, on)
            .map_err(|(e, _)| ExplainError::LocalFailed(e))?;
        Ok(answered(run, Side::Local, model, degraded, 0))
    }
}

/// One side's generation, ended.
struct Run {
    finished: Finished,
    first_token_ms: Option<f64>,
    tokens_sent: usize,
}

/// Runs `prompt` on `backend`, handing its text to `on` as it comes unless `hold`. On failure,
/// the error and whether any text was shown.
fn generate(
    backend: &dyn Backend,
    prompt: Prompt,
    params: GenerationParams,
    cancel: &Cancel,
    started: Instant,
    hold: bool,
    on: &mut dyn FnMut(Progress<'_>),
) -> Result<Run, (BackendError, bool)> {
    let sent_estimate = estimate_tokens(&prompt_text(&prompt));
    let request = GenerateRequest { prompt, params, cancel: cancel.clone() };
    let (mut first_token_ms, mut shown) = (None, false);
    let done = backend.generate(request).wait_with(|t| {
        first_token_ms.get_or_insert_with(|| ms_since(started));
        if !hold {
            shown = true;
            on(Progress::Text(t));
        }
    });
    match done {
        Ok(finished) => Ok(Run {
            tokens_sent: if finished.stats.prompt_tokens > 0 {
                finished.stats.prompt_tokens
            } else {
                sent_estimate
            },
            finished,
            first_token_ms,
        }),
        Err(e) => Err((e, shown)),
    }
}

fn prompt_text(p: &Prompt) -> String {
    match p {
        Prompt::Chat { messages } => {
            messages.iter().map(|m| m.content.as_str()).collect::<Vec<_>>().join("\n")
        }
        Prompt::Text { text } => text.clone(),
        Prompt::Fim(f) => format!("{}{}", f.prefix, f.suffix),
    }
}

/// Milliseconds since `t`.
pub(crate) fn ms_since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}
