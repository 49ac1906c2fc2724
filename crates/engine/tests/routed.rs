//! Inline completions through the router when `[router] inline` sends them away: a remote
//! completion model on a loopback server fills in the middle, excluded files stay local, and a
//! failing remote side falls back to the local model without mixing answers — through the same
//! pipeline as explanations, so both fall back and are recorded alike.

#[path = "../../model/tests/support/loopback.rs"]
mod loopback;

use loopback::{Framing, Loopback, Step, sse_head, status, text_delta};
use std::sync::Arc;
use std::time::Duration;
use tandem_core::{
    FimPrompt, GenerationParams, Preference, PrivacySettings, Prompt, RemoteSettings, RouterSettings,
};
use tandem_engine::{Cancel, ExplainRequest, Reply, RouteRecord, RoutedBackend, Router, Side, Task};
use tandem_model::{
    Backend, BackendError, BackendInfo, BackendKind, Event, FakeBackend, Finished, GenerateRequest,
    Generation, RemoteBackend,
};

fn remote(url: &str) -> Arc<dyn Backend> {
    let s = RemoteSettings {
        url: url.into(),
        model: "team-coder-7b".into(),
        retries: 0,
        first_token_timeout_ms: 1000,
        idle_timeout_ms: 600,
        ..RemoteSettings::default()
    };
    Arc::new(RemoteBackend::new(s, None).unwrap())
}

fn router_with(settings: RouterSettings, url: &str) -> Arc<Router> {
    Arc::new(Router::new(settings, PrivacySettings::default(), Some(remote(url))))
}

fn routed(url: &str, local: &FakeBackend) -> (Arc<Router>, RoutedBackend) {
    let settings = RouterSettings { inline: Preference::Remote, ..RouterSettings::default() };
    let router = router_with(settings, url);
    let backend = RoutedBackend::new(router.clone(), Arc::new(local.clone()));
    (router, backend)
}

fn fim(path: &str) -> GenerateRequest {
    let prompt = Prompt::Fim(FimPrompt {
        prefix: "TOKEN = \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\"\ndef add(a, b):\n    return ".into(),
        suffix: "\n".into(),
        path: Some(path.into()),
        ..FimPrompt::default()
    });
    GenerateRequest::new(prompt, GenerationParams { max_tokens: 16, ..GenerationParams::default() })
}

/// Runs a completion, at most 20 s; returns its end and every piece of text it streamed.
fn run_streamed(b: &dyn Backend, req: GenerateRequest) -> (Finished, Vec<String>) {
    let generation = b.generate(req);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut pieces = Vec::new();
        let end = generation.wait_with(|t| pieces.push(t.to_owned()));
        let _ = tx.send((end, pieces));
    });
    let (end, pieces) = rx.recv_timeout(Duration::from_secs(20)).expect("hung");
    (end.unwrap(), pieces)
}

fn run(b: &RoutedBackend, req: GenerateRequest) -> Finished {
    run_streamed(b, req).0
}

/// Runs an explanation on another thread, at most 20 s.
fn explain(router: &Arc<Router>, req: ExplainRequest) -> Reply {
    let (tx, rx) = std::sync::mpsc::channel();
    let router = router.clone();
    std::thread::spawn(move || {
        let _ = tx.send(router.explain(&req, &Cancel::default(), &mut |_| {}));
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("explain hung").unwrap()
}

#[test]
fn inline_completions_follow_the_router() {
    let server = Loopback::start(|i, _| match i {
        0 => vec![sse_head(Framing::Chunked), text_delta("a + b"), Step::Data("data: [DONE]\n\n".into())],
        _ => status(500, &[], "boom"),
    });
    let local = FakeBackend::new(|_| "local".into());
    let (router, backend) = routed(&server.url(), &local);
    assert_eq!(backend.info().model, "fake", "shown as the local model");

    assert_eq!(run(&backend, fim("src/add.py")).text, "a + b");
    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/completions");
    let prompt = r.json()["prompt"].as_str().unwrap().to_owned();
    assert!(
        prompt.starts_with("<|fim_prefix|>TOKEN = \"[REDACTED]\"") && !prompt.contains("ghp_"),
        "{prompt}"
    );
    assert_eq!(local.calls(), 0);

    assert_eq!(run(&backend, fim("deploy/prod.key")).text, "local", "excluded file");
    assert_eq!(server.requests().len(), 1);

    assert_eq!(run(&backend, fim("src/add.py")).text, "local", "fallback");
    let m = router.metrics();
    assert_eq!((m.requests, m.remote, m.local, m.fallbacks), (3, 1, 2, 1));
    assert_eq!(m.recent[2].route, Some(Side::Local));
    assert!(m.recent[2].degraded.as_deref().unwrap().contains("HTTP 500"));

    // Chat prompts are not routed here.
    let chat = Prompt::Chat { messages: vec![] };
    assert_eq!(run(&backend, GenerateRequest::new(chat, GenerationParams::default())).text, "local");
    assert_eq!(router.metrics().requests, 3);
}

#[test]
fn remote_text_is_held_back_so_a_fallback_never_mixes_two_answers() {
    // Half an answer, then the connection drops.
    let server = Loopback::start(|_, _| vec![sse_head(Framing::Chunked), text_delta("a + "), Step::Abort]);
    let local = FakeBackend::new(|_| "local".into());
    let (router, backend) = routed(&server.url(), &local);
    let (end, pieces) = run_streamed(&backend, fim("src/add.py"));
    assert_eq!(end.text, "local");
    assert_eq!(pieces.concat(), "local", "no remote text was streamed: {pieces:?}");
    assert_eq!(server.requests().len(), 1);
    let m = router.metrics();
    assert_eq!(m.recent[0].route, Some(Side::Local));
    assert!(m.recent[0].degraded.as_deref().unwrap().starts_with("remote failed: "));
}

#[test]
fn with_inline_local_or_no_remote_completions_go_straight_to_the_local_model() {
    let local: Arc<dyn Backend> = Arc::new(FakeBackend::new(|_| "local".into()));
    let no_remote = Arc::new(Router::new(
        RouterSettings { inline: Preference::Remote, ..RouterSettings::default() },
        PrivacySettings::default(),
        None,
    ));
    let inline_local = router_with(RouterSettings::default(), "http://127.0.0.1:9");
    for router in [no_remote, inline_local] {
        let backend = RoutedBackend::wrap(router.clone(), local.clone());
        assert!(Arc::ptr_eq(&backend, &local), "the local model itself, no routing");
        assert_eq!(run_streamed(backend.as_ref(), fim("src/add.py")).0.text, "local");
        assert_eq!(router.metrics().requests, 0, "nothing routed, nothing recorded");
    }
}

/// One pipeline: an inline completion and an explanation that the router sends to a remote side
/// that fails both fall back to the local model, and leave records of the same shape.
#[test]
fn completions_and_explanations_fall_back_alike_when_the_remote_side_fails() {
    // A refusal (not a lasting failure): the remote side stays up, so both requests try it.
    let server = Loopback::start(|_, _| status(400, &[], "bad request"));
    let local = FakeBackend::new(|_| "local".into());
    let settings = RouterSettings {
        inline: Preference::Remote,
        explain: Preference::Remote,
        ..RouterSettings::default()
    };
    let router = Arc::new(
        Router::new(settings, PrivacySettings::default(), Some(remote(&server.url())))
            .with_local(Arc::new(local.clone())),
    );
    let backend = RoutedBackend::new(router.clone(), Arc::new(local.clone()));

    assert_eq!(run(&backend, fim("src/add.py")).text, "local");
    let code = ExplainRequest {
        code: "def add(a, b):\n    return a + b\n".into(),
        path: Some("src/add.py".into()),
        ..ExplainRequest::default()
    };
    let explanation = explain(&router, code);
    assert_eq!(explanation.markdown, "local");
    assert_eq!((explanation.route, explanation.model.as_str()), (Side::Local, "fake"));

    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/v1/completions", "/v1/chat/completions"], "both tried the remote side");
    assert_eq!(local.calls(), 2, "both answered locally");
    let m = router.metrics();
    assert_eq!((m.requests, m.local, m.remote, m.fallbacks, m.errors), (2, 2, 0, 2, 0));
    let (inline, explained) = (&m.recent[0], &m.recent[1]);
    assert_eq!((inline.task, explained.task), (Some(Task::Inline), Some(Task::Explain)));
    assert_eq!(inline.reason, "inline completion goes to the remote model");
    assert_eq!(explained.reason, "explain goes to the remote model");
    let shape = |r: &RouteRecord| (r.route, r.model.clone(), r.error.clone(), r.degraded.clone());
    let degraded = inline.degraded.as_deref().expect("the completion is marked degraded");
    assert!(degraded.starts_with("remote failed: ") && degraded.contains("HTTP 400"), "{degraded}");
    assert_eq!(shape(inline), (Some(Side::Local), "fake".into(), None, Some(degraded.to_owned())));
    assert_eq!(shape(explained), shape(inline), "the same shape of record");
    assert_eq!(explanation.degraded, explained.degraded);
}

/// A local model that always fails.
#[derive(Debug)]
struct Failing;

impl Backend for Failing {
    fn info(&self) -> BackendInfo {
        BackendInfo { kind: BackendKind::Local, model: "failing".into() }
    }

    fn generate(&self, request: GenerateRequest) -> Generation {
        let (events, generation) = Generation::new(request.cancel);
        let _ = events.send(Event::Done(Err(BackendError::WorkerGone)));
        generation
    }

    fn count_tokens(&self, _: &str) -> Option<usize> {
        None
    }
}

#[test]
fn a_local_failure_after_the_fallback_is_recorded_as_an_error() {
    let server = Loopback::start(|_, _| status(400, &[], "bad request"));
    let settings = RouterSettings { inline: Preference::Remote, ..RouterSettings::default() };
    let router = router_with(settings, &server.url());
    let backend = RoutedBackend::new(router.clone(), Arc::new(Failing));
    let generation = backend.generate(fim("src/add.py"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(generation.wait());
    });
    assert!(rx.recv_timeout(Duration::from_secs(20)).expect("hung").is_err());
    let m = router.metrics();
    assert_eq!((m.requests, m.local, m.fallbacks, m.errors), (1, 1, 1, 1));
    assert!(m.recent[0].degraded.is_some() && m.recent[0].error.is_some());
}
