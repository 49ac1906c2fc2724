//! Inline completions through the router when `[router] inline` sends them away: a remote
//! completion model on a loopback server fills in the middle, excluded files stay local, and a
//! failing remote side falls back to the local model without mixing answers.

#[path = "../../model/tests/support/loopback.rs"]
mod loopback;

use loopback::{Framing, Loopback, Step, sse_head, status, text_delta};
use std::sync::Arc;
use std::time::Duration;
use tandem_core::{
    FimPrompt, GenerationParams, Preference, PrivacySettings, Prompt, RemoteSettings, RouterSettings,
};
use tandem_engine::{RoutedBackend, Router, Side};
use tandem_model::{Backend, FakeBackend, Finished, GenerateRequest, RemoteBackend};

fn routed(url: &str, local: &FakeBackend) -> (Arc<Router>, RoutedBackend) {
    let s = RemoteSettings {
        url: url.into(),
        model: "team-coder-7b".into(),
        retries: 0,
        first_token_timeout_ms: 1000,
        ..RemoteSettings::default()
    };
    let remote: Arc<dyn Backend> = Arc::new(RemoteBackend::new(s, None).unwrap());
    let settings = RouterSettings { inline: Preference::Remote, ..RouterSettings::default() };
    let router = Arc::new(Router::new(settings, PrivacySettings::default(), Some(remote)));
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

fn run(b: &RoutedBackend, req: GenerateRequest) -> Finished {
    let generation = b.generate(req);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(generation.wait());
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("hung").unwrap()
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
