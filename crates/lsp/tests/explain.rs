//! Explanations through the language server, in process over an in-memory pipe: the command and
//! code action are advertised, the code action carries the command, `workspace/executeCommand`
//! answers from the local (fake) model or from a real remote backend on a loopback server, a
//! remote failure falls back and sends `tandem/status` "degraded", the model's load is reported
//! as "loading" / "ready" / "error", and bad arguments get errors while the session goes on.

#[path = "../../model/tests/support/loopback.rs"]
mod loopback;

use loopback::{Loopback, chat_answer, status};
use serde_json::{Value, json};
use std::sync::Arc;
use tandem_core::{CompletionSettings, Prompt, RemoteSettings};
use tandem_engine::{Backend, Router};
use tandem_model::{FakeBackend, RemoteBackend};

#[path = "support/client.rs"]
mod client;
#[path = "support/frames.rs"]
mod frames;
use client::Client;

impl Client {
    /// Waits for a `tandem/status` notification with `state`.
    async fn status(&mut self, state: &str) -> Value {
        self.note(|n| n["method"] == "tandem/status" && n["params"]["state"] == state).await["params"].clone()
    }

    async fn explain(&mut self, args: Value) -> Value {
        self.request("workspace/executeCommand", json!({"command": "tandem.explain", "arguments": [args]}))
            .await
    }
}

fn fake() -> FakeBackend {
    FakeBackend::new(|_| "It adds two numbers.".into())
}

fn loader(backend: FakeBackend) -> tandem_lsp::Loader {
    Box::new(move || Ok(Arc::new(backend) as Arc<dyn Backend>))
}

fn remote_router(url: &str) -> Arc<Router> {
    let s = RemoteSettings {
        url: url.into(),
        model: "big-coder".into(),
        first_token_timeout_ms: 1000,
        idle_timeout_ms: 500,
        total_timeout_ms: 5000,
        retries: 0,
        ..RemoteSettings::default()
    };
    let remote: Arc<dyn Backend> = Arc::new(RemoteBackend::new(s, None).unwrap());
    let settings =
        tandem_core::RouterSettings { explain: tandem_core::Preference::Remote, ..Default::default() };
    Arc::new(Router::new(settings, Default::default(), Some(remote)))
}

const TEXT: &str = "import os\n\ndef add(a, b):\n    return a + b\n";
const URI: &str = "file:///w/add.py";

fn user_message(p: &Prompt) -> String {
    match p {
        Prompt::Chat { messages } => messages.last().unwrap().content.clone(),
        other => panic!("not chat: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_and_code_action_are_offered_and_answer_from_the_local_model() {
    let model = fake();
    let mut c = Client::start(loader(model.clone()), CompletionSettings::default(), None).await;
    let r = c.initialize(json!({}), Value::Null).await;
    let caps = &r["result"]["capabilities"];
    assert_eq!(
        caps["executeCommandProvider"]["commands"],
        json!(["tandem.explain", "tandem.suggestionOutcome"])
    );
    assert_eq!(caps["codeActionProvider"], true);
    assert_eq!(c.status("loading").await["model"], "");
    let ready = c.status("ready").await;
    assert_eq!(ready["model"], "fake");
    c.open(URI, TEXT).await;

    let range = json!({"start": {"line": 2, "character": 0}, "end": {"line": 4, "character": 0}});
    let ctx = json!({"diagnostics": []});
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": range, "context": ctx}),
        )
        .await;
    let actions = r["result"].as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["title"], "Explain with tandem");
    assert_eq!(actions[0]["command"]["command"], "tandem.explain");
    assert_eq!(actions[0]["command"]["arguments"], json!([{"uri": URI, "range": range}]));
    let empty = json!({"start": {"line": 2, "character": 3}, "end": {"line": 2, "character": 3}});
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": empty, "context": ctx}),
        )
        .await;
    assert_eq!(r["result"], json!([]));
    let only = json!({"diagnostics": [], "only": ["quickfix"]});
    let r = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": range, "context": only}),
        )
        .await;
    assert_eq!(r["result"], json!([]), "not a quick fix");

    // What the code action's command does.
    let args = actions[0]["command"]["arguments"][0].clone();
    let r = c.explain(args).await;
    assert_eq!(
        r["result"],
        json!({"markdown": "It adds two numbers.", "model": "fake", "route": "local", "reason": "no remote model configured", "degraded": false})
    );
    let sent = user_message(model.prompts().last().unwrap());
    assert!(
        sent.contains("def add(a, b):\n    return a + b") && sent.contains("`add.py` (lines 3-4)"),
        "{sent}"
    );
    assert!(!sent.contains("import os"), "only the range: {sent}");

    // No range: the whole document.
    c.explain(json!({"uri": URI})).await;
    assert!(user_message(model.prompts().last().unwrap()).contains("import os"));
    let routing = c.request("tandem/routing", Value::Null).await;
    assert_eq!(routing["result"]["requests"], 2);
    assert_eq!(routing["result"]["local"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_remote_model_answers_and_its_failure_falls_back_with_a_degraded_status() {
    let server =
        Loopback::start(
            |i, _| if i == 0 { chat_answer(&["Adds ", "a and b."]) } else { status(500, &[], "boom") },
        );
    let model = fake();
    let mut c = Client::start(
        loader(model.clone()),
        CompletionSettings::default(),
        Some(remote_router(&server.url())),
    )
    .await;
    c.initialize(json!({}), Value::Null).await;
    c.status("ready").await;
    c.open(URI, TEXT).await;
    let r = c.explain(json!({"uri": URI})).await;
    assert_eq!(r["result"]["markdown"], "Adds a and b.");
    assert_eq!(
        (r["result"]["route"].as_str(), r["result"]["model"].as_str()),
        (Some("remote"), Some("big-coder"))
    );
    assert_eq!(r["result"]["degraded"], false);

    let r = c.explain(json!({"uri": URI})).await;
    assert_eq!(r["result"]["markdown"], "It adds two numbers.");
    assert_eq!((r["result"]["route"].as_str(), r["result"]["model"].as_str()), (Some("local"), Some("fake")));
    assert_eq!(r["result"]["degraded"], true);
    let s = c.status("degraded").await;
    assert_eq!(s["model"], "fake");
    assert!(s["detail"].as_str().unwrap().contains("HTTP 500"), "{s}");
    let routing = c.request("tandem/routing", Value::Null).await;
    assert_eq!(
        (routing["result"]["remote"].as_u64(), routing["result"]["fallbacks"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_load_is_an_error_status() {
    let mut c = Client::start(
        Box::new(|| Err(tandem_engine::LoadError::Failed("no model file".into()))),
        CompletionSettings::default(),
        None,
    )
    .await;
    c.initialize(json!({}), Value::Null).await;
    let s = c.status("error").await;
    assert_eq!(s["detail"], "no model file");
    c.open(URI, TEXT).await;
    let r = c.explain(json!({"uri": URI})).await;
    assert!(r["error"]["message"].as_str().unwrap().contains("no local model"), "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_get_errors_and_the_session_goes_on() {
    let mut c = Client::start(loader(fake()), CompletionSettings::default(), None).await;
    c.initialize(json!({}), Value::Null).await;
    c.status("ready").await;
    c.open(URI, TEXT).await;
    let bad_range = json!({"start": {"line": 40, "character": 0}, "end": {"line": 41, "character": 0}});
    let backwards = json!({"start": {"line": 3, "character": 0}, "end": {"line": 1, "character": 0}});
    let blank = json!({"start": {"line": 1, "character": 0}, "end": {"line": 2, "character": 0}});
    let cases = [
        (json!({"command": "tandem.nope", "arguments": []}), "unknown command"),
        (json!({"command": "tandem.explain", "arguments": []}), "needs one argument"),
        (json!({"command": "tandem.explain", "arguments": [{"range": blank}]}), "no `uri`"),
        (json!({"command": "tandem.explain", "arguments": [{"uri": "file:///nowhere/x.py"}]}), "is not open"),
        (json!({"command": "tandem.explain", "arguments": [{"uri": URI, "range": bad_range}]}), "bad range"),
        (
            json!({"command": "tandem.explain", "arguments": [{"uri": URI, "range": backwards}]}),
            "ends before it starts",
        ),
        (
            json!({"command": "tandem.explain", "arguments": [{"uri": URI, "range": blank}]}),
            "nothing to explain",
        ),
        (
            json!({"command": "tandem.explain", "arguments": [{"uri": URI, "range": "everything"}]}),
            "bad range",
        ),
    ];
    for (params, needle) in cases {
        let r = c.request("workspace/executeCommand", params.clone()).await;
        let message = r["error"]["message"].as_str().unwrap_or_else(|| panic!("{params}: {r}"));
        assert!(message.contains(needle), "{params}: {message}");
    }
    let r = c.explain(json!({"uri": URI})).await;
    assert_eq!(r["result"]["markdown"], "It adds two numbers.");
}
