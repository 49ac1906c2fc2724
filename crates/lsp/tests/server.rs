//! The server in process, over an in-memory pipe, driven by a small JSON-RPC client, with the
//! fake backend: capabilities, ordering of edits, positions, cancellation, latest-wins, the
//! popup fallback, loading, settings, and bad input.

use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tandem_core::{CompletionSettings, Prompt};
use tandem_engine::Backend;
use tandem_model::FakeBackend;
use tokio::io::AsyncWriteExt;

#[path = "support/client.rs"]
mod client;
#[path = "support/frames.rs"]
mod frames;
use client::Client;

impl Client {
    async fn with_fake(backend: FakeBackend, settings: CompletionSettings) -> Self {
        Self::start(Box::new(move || Ok(Arc::new(backend) as Arc<dyn Backend>)), settings, None).await
    }

    /// Waits until the model is loaded.
    async fn ready(&mut self) {
        for _ in 0..200 {
            if self.request("tandem/metrics", Value::Null).await["result"]["state"] == "ready" {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the model never became ready");
    }

    async fn inline(&mut self, uri: &str, line: u32, character: u32) -> Value {
        let id = self.send_inline(uri, line, character).await;
        self.response(id).await
    }

    async fn send_inline(&mut self, uri: &str, line: u32, character: u32) -> i64 {
        let params = json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}, "context": {"triggerKind": 1}});
        self.send_request("textDocument/inlineCompletion", params).await
    }
}

fn echo_prefix() -> FakeBackend {
    // Answers with a marker so tests can see the prompt went through.
    FakeBackend::new(|_| "SUGGESTION".into())
}

fn fim_prefix(p: &Prompt) -> String {
    match p {
        Prompt::Fim(f) => f.prefix.clone(),
        other => panic!("not FIM: {other:?}"),
    }
}

fn items(r: &Value) -> Vec<Value> {
    r["result"].as_array().cloned().unwrap_or_else(|| panic!("no items in {r}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advertises_inline_completion_and_negotiates_the_encoding() {
    let mut c = Client::with_fake(echo_prefix(), CompletionSettings::default()).await;
    let r = c.initialize(json!({}), Value::Null).await;
    let caps = &r["result"]["capabilities"];
    assert_eq!(caps["inlineCompletionProvider"], true);
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"], json!({"openClose": true, "change": 2, "save": true}));
    assert!(caps["completionProvider"].is_object());

    let mut c = Client::with_fake(echo_prefix(), CompletionSettings::default()).await;
    let r = c.initialize(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}), Value::Null).await;
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-8");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_edits_then_a_completion_sees_the_final_text() {
    let fake = echo_prefix();
    let mut c = Client::with_fake(fake.clone(), CompletionSettings::default()).await;
    c.initialize(json!({}), Value::Null).await;
    c.ready().await;
    c.open("file:///w/a.py", "").await;
    let typed = "def add(a, b):\n    return a + b\n\nprint(add(1, 2))";
    let (mut line, mut col) = (0u32, 0u32);
    for (i, ch) in typed.chars().enumerate() {
        let change = json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": ch.to_string()});
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": "file:///w/a.py", "version": i + 2}, "contentChanges": [change]}),
        )
        .await;
        if ch == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    let r = c.inline("file:///w/a.py", line, col).await;
    assert_eq!(items(&r)[0]["insertText"], "SUGGESTION");
    assert_eq!(fim_prefix(fake.prompts().last().unwrap()), typed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf16_and_utf8_positions_land_on_the_same_character() {
    let text = "s = \"😀é\" + x\n";
    for (caps, character) in [(json!({}), 11u32), (json!({"general": {"positionEncodings": ["utf-8"]}}), 14)]
    {
        // An answer that keeps the line valid Python.
        let fake = FakeBackend::new(|_| " 1 +".into());
        let mut c = Client::with_fake(fake.clone(), CompletionSettings::default()).await;
        c.initialize(caps, Value::Null).await;
        c.ready().await;
        c.open("file:///w/u.py", text).await;
        let r = c.inline("file:///w/u.py", 0, character).await;
        let item = &items(&r)[0];
        assert_eq!(item["range"]["start"]["character"], character);
        assert_eq!(fim_prefix(&fake.prompts()[0]), "s = \"😀é\" +");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_request_stops_the_model_between_tokens() {
    let fake = FakeBackend::new(|_| "x".repeat(400)).with_piece_delay(Duration::from_millis(10));
    let mut c = Client::with_fake(
        fake.clone(),
        CompletionSettings { max_tokens: 200, ..CompletionSettings::default() },
    )
    .await;
    c.initialize(json!({}), Value::Null).await;
    c.ready().await;
    c.open("file:///w/a.py", "x = \n").await;
    let id = c.send_inline("file:///w/a.py", 0, 4).await;
    while fake.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    c.notify("$/cancelRequest", json!({"id": id})).await;
    let r = c.response(id).await;
    assert_eq!(r["error"]["code"], -32800, "{r}");
    for _ in 0..100 {
        if fake.cancelled() == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the generation was not cancelled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_request_for_the_document_wins() {
    let fake = FakeBackend::new(|p| format!("f({})", fim_prefix(p).len()))
        .with_piece_delay(Duration::from_millis(20));
    let mut c = Client::with_fake(fake.clone(), CompletionSettings::default()).await;
    c.initialize(json!({}), Value::Null).await;
    c.ready().await;
    c.open("file:///w/a.py", "abc = \n").await;
    let first = c.send_inline("file:///w/a.py", 0, 5).await;
    while fake.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = c.send_inline("file:///w/a.py", 0, 6).await;
    assert_eq!(items(&c.response(first).await), Vec::<Value>::new());
    assert_eq!(items(&c.response(second).await)[0]["insertText"], "f(6)");
    assert_eq!(fake.cancelled(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn popup_completion_carries_the_suggestion_for_clients_without_inline() {
    let mut c =
        Client::with_fake(FakeBackend::new(|_| "turn a + b".into()), CompletionSettings::default()).await;
    c.initialize(json!({}), Value::Null).await;
    c.ready().await;
    c.open("file:///w/a.py", "def add(a, b):\n    re\n").await;
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": "file:///w/a.py"}, "position": {"line": 1, "character": 6}}),
        )
        .await;
    assert_eq!(r["result"]["isIncomplete"], true);
    let item = &r["result"]["items"][0];
    assert_eq!(item["textEdit"]["newText"], "return a + b");
    assert_eq!(item["textEdit"]["range"]["start"], json!({"line": 1, "character": 4}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_model_loads_completions_are_empty_not_blocked() {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let loader: tandem_lsp::Loader = Box::new(move || {
        let _ = wait.recv_timeout(Duration::from_secs(10));
        Ok(Arc::new(echo_prefix()) as Arc<dyn Backend>)
    });
    let mut c = Client::start(loader, CompletionSettings::default(), None).await;
    c.initialize(json!({"window": {"workDoneProgress": true}}), Value::Null).await;
    c.open("file:///w/a.py", "x = \n").await;
    assert_eq!(c.request("tandem/metrics", Value::Null).await["result"]["state"], "loading");
    assert_eq!(items(&c.inline("file:///w/a.py", 0, 4).await), Vec::<Value>::new());
    release.send(()).unwrap();
    c.ready().await;
    assert_eq!(items(&c.inline("file:///w/a.py", 0, 4).await)[0]["insertText"], "SUGGESTION");
    let progress: Vec<&Value> = c.notes.iter().filter(|n| n["method"] == "$/progress").collect();
    assert!(progress.iter().any(|p| p["params"]["value"]["kind"] == "begin"), "{:?}", c.notes);
    assert!(progress.iter().any(|p| p["params"]["value"]["kind"] == "end"), "{:?}", c.notes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_come_from_initialization_options_and_configuration_changes() {
    let fake = echo_prefix();
    let mut c = Client::with_fake(fake.clone(), CompletionSettings::default()).await;
    c.initialize(json!({}), json!({"completion": {"languages": {"python": false}}})).await;
    c.ready().await;
    c.open("file:///w/a.py", "x = \n").await;
    assert_eq!(items(&c.inline("file:///w/a.py", 0, 4).await), Vec::<Value>::new());
    assert_eq!(fake.calls(), 0);
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"tandem": {"completion": {"languages": {}}}}}),
    )
    .await;
    assert_eq!(items(&c.inline("file:///w/a.py", 0, 4).await)[0]["insertText"], "SUGGESTION");
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"completion": {"debounce_ms": "soon"}}}),
    )
    .await;
    let told = |c: &Client| {
        c.notes.iter().any(|n| {
            n["method"] == "window/showMessage"
                && n["params"]["message"].as_str().unwrap_or("").contains("invalid completion settings")
        })
    };
    for _ in 0..100 {
        if told(&c) {
            break;
        }
        assert_eq!(c.request("tandem/metrics", Value::Null).await["result"]["state"], "ready");
    }
    assert!(told(&c), "{:?}", c.notes);
    // The bad value changed nothing.
    assert_eq!(items(&c.inline("file:///w/a.py", 0, 4).await)[0]["insertText"], "SUGGESTION");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_an_error_and_the_server_keeps_going() {
    let mut c = Client::with_fake(echo_prefix(), CompletionSettings::default()).await;
    c.initialize(json!({}), Value::Null).await;
    c.ready().await;
    c.send_raw(b"{this is not json").await;
    c.open("file:///w/a.py", "x = \n").await;
    let r = c.inline("file:///w/a.py", 99, 0).await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    let r = c.inline("file:///w/missing.py", 0, 0).await;
    assert_eq!(r["error"]["code"], -32602, "{r}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///w/a.py", "version": 2}, "contentChanges": [{"range": {"start": {"line": 40, "character": 0}, "end": {"line": 40, "character": 0}}, "text": "y"}]}),
    )
    .await;
    // A position past the end of a line is the end of the line.
    let r = c.inline("file:///w/a.py", 0, 80).await;
    assert_eq!(items(&r)[0]["range"]["start"]["character"], 4);
    assert!(c.notes.iter().any(|n| n["error"]["code"] == -32700 && n["id"].is_null()), "{:?}", c.notes);
    c.send_raw(br#"{"jsonrpc":"2.0","id":41,"params":{}}"#).await;
    assert_eq!(c.response(41).await["error"]["code"], -32600);
    c.out.write_all(b"Content-Length: banana\r\n\r\n").await.unwrap();
    assert_eq!(c.request("tandem/metrics", Value::Null).await["result"]["state"], "ready");
    assert!(c.notes.iter().any(|n| n["method"] == "window/logMessage"
        && n["params"]["message"].as_str().unwrap_or("").contains("outside the document")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_rest_with_bad_params_changes_nothing_and_a_good_one_warms_the_place() {
    let fake = echo_prefix();
    let mut c = Client::with_fake(fake.clone(), CompletionSettings::default()).await;
    c.initialize(json!({}), Value::Null).await;
    c.ready().await;
    c.open("file:///w/a.py", "def add(a, b):\n    return \n").await;
    let position = json!({"line": 1, "character": 11});
    for params in [
        Value::Null,
        json!({"position": position}),
        json!({"textDocument": {"uri": "file:///w/a.py"}, "position": {"line": "one"}}),
        json!({"textDocument": {"uri": "file:///w/missing.py"}, "position": position}),
        json!({"textDocument": {"uri": "not a uri"}, "position": position}),
        json!({"textDocument": {"uri": "file:///w/a.py"}, "position": {"line": 4_000_000_000u32, "character": 0}}),
    ] {
        c.notify("tandem/cursorRest", params).await;
    }
    // The server goes on answering, and none of those asked the model for anything.
    assert_eq!(c.request("tandem/metrics", Value::Null).await["result"]["state"], "ready");
    assert!(fake.prompts().is_empty(), "{:?}", fake.prompts());
    // A good one evaluates the place's prompt, the one a request there then makes.
    c.notify("tandem/cursorRest", json!({"textDocument": {"uri": "file:///w/a.py"}, "position": position}))
        .await;
    for _ in 0..200 {
        if !fake.prompts().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let warmed = fake.prompts();
    assert_eq!(warmed.len(), 1, "one warm-up");
    let r = c.inline("file:///w/a.py", 1, 11).await;
    assert_eq!(items(&r)[0]["insertText"], "SUGGESTION");
    assert_eq!(fake.prompts().last(), warmed.first(), "the request's prompt is the one warmed");
}

fn file_uri(p: &std::path::Path) -> String {
    format!("file://{}", p.display())
}

/// The other files at the top of a prompt in the comments layout (the default): blocks of
/// `# path` and the commented code, each ending with a blank line.
fn context_paths(p: &Prompt) -> Vec<(String, String)> {
    let Prompt::Fim(f) = p else { panic!("not FIM: {p:?}") };
    assert!(f.files.is_empty() && f.repo.is_none(), "the comments layout, not the repository layout");
    let mut out = Vec::new();
    let mut rest = f.prefix.as_str();
    while let Some((block, after)) = rest.split_once("\n\n") {
        let mut lines = block.lines();
        let Some(path) = lines.next().and_then(|l| l.strip_prefix("# ")) else { break };
        let code: Vec<&str> = lines
            .map(|l| l.strip_prefix("# ").or_else(|| l.strip_prefix('#')))
            .collect::<Option<_>>()
            .unwrap_or_default();
        if code.is_empty() {
            break;
        }
        out.push((path.to_owned(), code.join("\n")));
        rest = after;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_definitions_reach_the_prompt_and_follow_file_events() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::write(root.join("app/models.py"), "class User:\n    name: str\n    email: str\n").unwrap();
    let view = "from .models import User\nfrom . import text\n\ndef greet(user: User) -> str:\n    return ";
    std::fs::write(root.join("app/views.py"), view).unwrap();
    let fake = echo_prefix();
    let mut c = Client::with_fake(
        fake.clone(),
        CompletionSettings { debounce_ms: 0, context: true, ..Default::default() },
    )
    .await;
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    let params = json!({"processId": null, "rootUri": file_uri(root), "capabilities": caps});
    c.request("initialize", params).await;
    c.notify("initialized", json!({})).await;
    c.note(|m| {
        m["method"] == "window/logMessage"
            && m["params"]["message"].as_str().unwrap_or("").contains("indexed 2 files")
    })
    .await;
    c.note(|m| m["method"] == "client/registerCapability").await;
    c.ready().await;

    let uri = file_uri(&root.join("app/views.py"));
    c.open(&uri, view).await;
    let r = c.inline(&uri, 4, 11).await;
    assert_eq!(items(&r)[0]["insertText"], "SUGGESTION");
    let prompt = fake.prompts().pop().unwrap();
    let Prompt::Fim(fim) = &prompt else { panic!("not FIM") };
    assert_eq!(fim.path.as_deref(), Some("app/views.py"));
    assert_eq!(
        context_paths(&prompt),
        [("app/models.py".into(), "class User:\n    name: str\n    email: str".into())]
    );

    // A module appears on disk and the editor says so: its definitions are used once the code
    // at the cursor names it.
    std::fs::write(root.join("app/text.py"), "def shout(s: str) -> str:\n    return s.upper()\n").unwrap();
    let change = json!({"changes": [{"uri": file_uri(&root.join("app/text.py")), "type": 1}]});
    c.notify("workspace/didChangeWatchedFiles", change).await;
    let edit = json!({"range": {"start": {"line": 4, "character": 11}, "end": {"line": 4, "character": 11}}, "text": "text."});
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [edit]}),
    )
    .await;
    // The file event and the edit race (as in an editor); each keystroke asks again.
    let mut found = false;
    for i in 0..50u32 {
        let at = json!({"line": 4, "character": 16 + i});
        let key = json!({"range": {"start": at, "end": at}, "text": " "});
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 3 + i}, "contentChanges": [key]}),
        )
        .await;
        c.inline(&uri, 4, 17 + i).await;
        let paths = context_paths(&fake.prompts().pop().unwrap());
        if paths.iter().any(|(p, t)| p == "app/text.py" && t.contains("def shout(s: str) -> str:")) {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(found, "the new file's definitions never reached the prompt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suggestion_carries_the_command_that_reports_its_acceptance() {
    let mut c = Client::with_fake(echo_prefix(), CompletionSettings::default()).await;
    let r = c.initialize(json!({}), Value::Null).await;
    let commands = &r["result"]["capabilities"]["executeCommandProvider"]["commands"];
    assert!(commands.as_array().unwrap().contains(&json!("tandem.suggestionOutcome")), "{commands}");
    c.ready().await;
    c.open("file:///w/a.py", "def add(a, b):\n    return \n").await;
    let item = items(&c.inline("file:///w/a.py", 1, 11).await)[0].clone();
    let command = &item["command"];
    assert_eq!(command["command"], "tandem.suggestionOutcome");
    let id = command["arguments"][0]["id"].as_u64().unwrap();
    assert!(id > 0);
    assert_eq!(command["arguments"][0]["outcome"], "accepted");

    // Bad reports change nothing and end nothing.
    for params in [
        Value::Null,
        json!({"id": "x", "outcome": "accepted"}),
        json!({"id": id, "outcome": "loved"}),
        json!({"id": id + 1000, "outcome": "accepted"}),
    ] {
        c.notify("tandem/suggestionOutcome", params).await;
    }
    let bad = json!({"command": "tandem.suggestionOutcome", "arguments": [{"id": -1}]});
    assert!(c.request("workspace/executeCommand", bad).await["error"].is_object());
    let m = &c.request("tandem/metrics", Value::Null).await["result"];
    assert_eq!(
        (m["shown"].as_u64(), m["accepted"].as_u64(), m["dismissed"].as_u64()),
        (Some(1), Some(0), Some(0))
    );

    // A dismissal, then the client runs the item's command: accepted after all.
    c.notify("tandem/suggestionOutcome", json!({"id": id, "outcome": "dismissed"})).await;
    let r = c.request("workspace/executeCommand", command.clone()).await;
    assert_eq!(r["result"], Value::Null, "{r}");
    let m = &c.request("tandem/metrics", Value::Null).await["result"];
    assert_eq!((m["accepted"].as_u64(), m["dismissed"].as_u64()), (Some(1), Some(0)));
    let record = m["recent"].as_array().unwrap().iter().find(|r| r["id"] == json!(id)).unwrap().clone();
    assert_eq!(record["outcome"], "accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_edits_answer_in_both_shapes_and_bad_params_get_an_error() {
    let settings = CompletionSettings { debounce_ms: 0, next_edit_delay_ms: 0, ..Default::default() };
    let mut c = Client::with_fake(echo_prefix(), settings).await;
    c.initialize(json!({}), Value::Null).await;
    c.ready().await;
    let uri = "file:///w/cfg.py";
    c.open(uri, "a = get(\"a\")\nb = get(\"b\")\n").await;
    let change = json!({"range": {"start": {"line": 0, "character": 11}, "end": {"line": 0, "character": 11}}, "text": ", 1"});
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]}),
    )
    .await;
    let r = c.request("tandem/nextEdits", json!({"textDocument": {"uri": uri}})).await;
    let edits = r["result"]["edits"].as_array().unwrap().clone();
    assert_eq!(edits.len(), 1, "{r}");
    let e = &edits[0];
    assert_eq!(
        (e["uri"].as_str(), e["newText"].as_str(), e["kind"].as_str()),
        (Some(uri), Some(", 1"), Some("sibling"))
    );
    assert_eq!(
        e["range"],
        json!({"start": {"line": 1, "character": 11}, "end": {"line": 1, "character": 11}})
    );
    let r = c
        .request(
            "textDocument/copilotInlineEdit",
            json!({"textDocument": {"uri": uri, "version": 2}, "position": {"line": 1, "character": 0}}),
        )
        .await;
    let inline = &r["result"]["edits"][0];
    assert_eq!((inline["text"].clone(), inline["range"].clone()), (e["newText"].clone(), e["range"].clone()));
    assert_eq!(inline["textDocument"], json!({"uri": uri, "version": 2}));
    assert_eq!(inline["command"]["arguments"][0]["id"], e["id"]);

    // Bad params and unknown documents get errors; the server goes on.
    for params in
        [Value::Null, json!({"textDocument": 3}), json!({"textDocument": {"uri": "file:///w/none.py"}})]
    {
        assert!(c.request("tandem/nextEdits", params.clone()).await["error"].is_object(), "{params}");
        assert!(c.request("textDocument/copilotInlineEdit", params).await["error"].is_object());
    }
    let r = c.request("tandem/nextEdits", json!({"textDocument": {"uri": uri}})).await;
    assert_eq!(r["result"]["edits"].as_array().map(Vec::len), Some(1));
}
