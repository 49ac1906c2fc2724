//! Inline completions through the router: a [`Backend`] adapter that hands each fill-in-the-middle
//! request to the router's one answering pipeline ([`Router::answer`]), so that the local model
//! or a remote completion model (`/v1/completions`) fills in the middle with the same decision,
//! privacy rules, redaction, fallback and record as explanations. Remote text is held back until
//! the remote answer is complete, so a fallback never mixes two answers. Used only when
//! `[router] inline` is not `local` and a remote model is configured ([`RoutedBackend::wrap`]);
//! other prompts go straight to the local model.
//!
//! [`Router::answer`]: crate::router::Router::answer

use crate::answer::{AnswerRequest, RemoteText, TokenCounter};
use crate::answer::{ExplainError, Progress};
use crate::redact::redact;
use crate::router::{RouteRequest, Router, Task};
use std::sync::Arc;
use tandem_core::{Preference, Prompt, Side};
use tandem_model::{Backend, BackendError, BackendInfo, Event, Finished, GenerateRequest, Generation};

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
        if router.remote().is_some() && router.settings().inline != Preference::Local {
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
        // Deciding may run a health check, and the pipeline blocks: off the caller's (async)
        // thread.
        let spawned = std::thread::Builder::new().name("tandem-route".into()).spawn({
            let events = events.clone();
            move || {
                let result = complete(&router, local, &request, &mut |p| {
                    if let Progress::Text(t) = p {
                        let _ = events.send(Event::Text(t.to_owned()));
                    }
                });
                let _ = events.send(Event::Done(result));
            }
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

/// A fill-in-the-middle request through the pipeline, `local` answering on the local side.
fn complete(
    router: &Router,
    local: Arc<dyn Backend>,
    request: &GenerateRequest,
    on: &mut dyn FnMut(Progress<'_>),
) -> Result<Finished, BackendError> {
    let Prompt::Fim(fim) = &request.prompt else { unreachable!("only FIM prompts are routed") };
    let route = RouteRequest {
        task: Task::Inline,
        code_tokens: (fim.prefix.len() + fim.suffix.len()).div_ceil(4),
        question_tokens: 0,
        question: None,
        paths: fim.path.iter().map(String::as_str).collect(),
        force: None,
    };
    let remote_prompt = |redacting: bool| {
        let mut sent = fim.clone();
        if !redacting {
            return (Prompt::Fim(sent), 0);
        }
        let (p, s) = (redact(&sent.prefix), redact(&sent.suffix));
        (sent.prefix, sent.suffix) = (p.text, s.text);
        (Prompt::Fim(sent), p.count + s.count)
    };
    // The completion model's prompt is already fitted to it.
    let local_prompt = |_: &TokenCounter<'_>, _| request.prompt.clone();
    let params = |_: Side| request.params.clone();
    let answer = AnswerRequest {
        route,
        remote_prompt: &remote_prompt,
        local_prompt: &local_prompt,
        params: &params,
        local: Some(local),
        remote_text: RemoteText::Hold,
    };
    match router.answer(answer, &request.cancel, on) {
        Ok(answered) => Ok(answered.finished),
        Err(ExplainError::RemoteFailed(e) | ExplainError::LocalFailed(e)) => Err(e),
        // Neither happens here: a completion never forces a side, and brings its local model.
        Err(ExplainError::Refused(_) | ExplainError::NoModel(_)) => Err(BackendError::WorkerGone),
    }
}
