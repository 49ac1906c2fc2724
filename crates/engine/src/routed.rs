//! Inline completions through the router: a [`Backend`] that decides per request whether the
//! local model or a remote completion model (`/v1/completions`) fills in the middle, with the
//! same privacy rules, redaction and fallback as explanations. Used only when `[router] inline`
//! is not `local`; other prompts go straight to the local model.

use crate::redact::redact;
use crate::router::{RouteRecord, RouteRequest, Router, Task, ms_since};
use std::sync::Arc;
use std::time::Instant;
use tandem_core::{Prompt, Side};
use tandem_model::{Backend, BackendError, BackendInfo, Event, GenerateRequest, Generation};
use tokio::sync::mpsc::UnboundedSender;

/// The local model, with the remote one tried first when the router says so.
#[derive(Debug)]
pub struct RoutedBackend {
    router: Arc<Router>,
    local: Arc<dyn Backend>,
}

impl RoutedBackend {
    pub fn new(router: Arc<Router>, local: Arc<dyn Backend>) -> Self {
        Self { router, local }
    }

    /// The backend inline completions use: through the router only when it may send them to
    /// the remote model, else the local model itself (no routing on the hot path).
    pub fn wrap(router: Arc<Router>, local: Arc<dyn Backend>) -> Arc<dyn Backend> {
        if router.remote().is_some() && router.settings().inline != tandem_core::Preference::Local {
            Arc::new(Self::new(router, local))
        } else {
            local
        }
    }
}

impl Backend for RoutedBackend {
    fn info(&self) -> BackendInfo {
        self.local.info()
    }

    fn generate(&self, request: GenerateRequest) -> Generation {
        if !matches!(request.prompt, Prompt::Fim(_)) {
            return self.local.generate(request);
        }
        let (events, generation) = Generation::new(request.cancel.clone());
        let (router, local) = (self.router.clone(), self.local.clone());
        // Deciding may run a health check: off the caller's (async) thread.
        let spawned = std::thread::Builder::new().name("tandem-route".into()).spawn({
            let events = events.clone();
            move || route(&router, &local, request, &events)
        });
        if spawned.is_err() {
            let _ = events.send(Event::Done(Err(BackendError::WorkerGone)));
        }
        generation
    }

    fn count_tokens(&self, text: &str) -> Option<usize> {
        self.local.count_tokens(text)
    }
}

/// Forwards a generation's events; returns its end.
fn forward(
    generation: Generation,
    events: &UnboundedSender<Event>,
) -> Result<tandem_model::Finished, BackendError> {
    generation.wait_with(|t| {
        let _ = events.send(Event::Text(t.to_owned()));
    })
}

fn route(
    router: &Router,
    local: &Arc<dyn Backend>,
    request: GenerateRequest,
    events: &UnboundedSender<Event>,
) {
    let started = Instant::now();
    let Prompt::Fim(fim) = &request.prompt else { return };
    let code_tokens = (fim.prefix.len() + fim.suffix.len()).div_ceil(4);
    let route = RouteRequest {
        task: Task::Inline,
        code_tokens,
        question_tokens: 0,
        question: None,
        paths: fim.path.iter().map(String::as_str).collect(),
        force: None,
    };
    let decision = router.decide(&route);
    let mut record = RouteRecord { task: Some(Task::Inline), ..RouteRecord::default() };
    let side = match &decision {
        Ok(d) => {
            record.reason = d.reason.clone();
            d.side
        }
        Err(e) => {
            record.reason = e.to_string();
            Side::Local
        }
    };
    if side == Side::Remote
        && let Some(remote) = router.remote().cloned()
    {
        let mut sent = fim.clone();
        if router.privacy().redact {
            let (p, s) = (redact(&sent.prefix), redact(&sent.suffix));
            record.redactions = p.count + s.count;
            (sent.prefix, sent.suffix) = (p.text, s.text);
        }
        let remote_request = GenerateRequest {
            prompt: Prompt::Fim(sent),
            params: request.params.clone(),
            cancel: request.cancel.clone(),
        };
        // Text is held back until the remote answer is complete, so a fallback never mixes two
        // answers.
        match remote.generate(remote_request).wait() {
            Ok(done) => {
                router.remote_succeeded();
                if !done.text.is_empty() {
                    let _ = events.send(Event::Text(done.text.clone()));
                }
                record.route = Some(Side::Remote);
                record.model = remote.info().model;
                record.tokens_sent = done.stats.prompt_tokens.max(code_tokens);
                record.tokens_received = done.stats.generated_tokens;
                record.latency_ms = ms_since(started);
                router.record(record);
                let _ = events.send(Event::Done(Ok(done)));
                return;
            }
            Err(e) => {
                router.remote_failed(&e);
                record.degraded = Some(format!("remote failed: {e}"));
            }
        }
    }
    let result = forward(local.generate(request), events);
    record.route = Some(Side::Local);
    record.model = local.info().model;
    if let Ok(done) = &result {
        record.tokens_sent = done.stats.prompt_tokens;
        record.tokens_received = done.stats.generated_tokens;
    }
    record.error = result.as_ref().err().map(ToString::to_string);
    record.latency_ms = ms_since(started);
    router.record(record);
    let _ = events.send(Event::Done(result));
}
