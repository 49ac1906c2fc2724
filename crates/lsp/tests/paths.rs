//! What a client can make the server read, in process over an in-memory pipe: only its own open
//! documents and regular text files inside the workspace root. A URI naming a device, a FIFO, a
//! file outside the root (directly, through `..`, or through a link) is refused with an error,
//! and file events for such names read nothing; the session goes on after each.

use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use tandem_core::CompletionSettings;
use tandem_engine::Backend;
use tandem_model::FakeBackend;

#[path = "support/client.rs"]
mod client;
#[path = "support/frames.rs"]
mod frames;
use client::Client;

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

async fn explain(c: &mut Client, uri: &str) -> Value {
    let params = json!({"command": "tandem.explain", "arguments": [{"uri": uri}]});
    c.request("workspace/executeCommand", params).await
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_open_documents_and_workspace_files_are_read() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.py"), "def leaked():\n    return 1\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("a.py"), "def add(a, b):\n    return a + b\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.py"), root.join("link.py")).unwrap();
    assert!(std::process::Command::new("mkfifo").arg(root.join("pipe.py")).status().unwrap().success());

    let backend = FakeBackend::new(|_| "It adds.".into());
    let loader: tandem_lsp::Loader = Box::new(move || Ok(Arc::new(backend) as Arc<dyn Backend>));
    let mut c = Client::start(loader, CompletionSettings::default(), None).await;
    let params = json!({"processId": null, "rootUri": uri(&root), "capabilities": {}});
    c.request("initialize", params).await;
    c.notify("initialized", json!({})).await;
    c.note(|n| n["method"] == "tandem/status" && n["params"]["state"] == "ready").await;

    let escape = format!("{}/../../../../../../../dev/zero", uri(&root));
    let sibling = format!("{}/../{}/secret.py", uri(&root), outside.path().display());
    let encoded = format!("{}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/dev/zero", uri(&root));
    let refused = [
        ("file:///dev/zero".to_owned(), "not in the workspace"),
        (escape.clone(), "not in the workspace"),
        (encoded.clone(), "not in the workspace"),
        (sibling.clone(), "not in the workspace"),
        (uri(&root.join("link.py")), "outside the workspace"),
        (uri(&root.join("pipe.py")), "not a regular file"),
        ("untitled:Untitled-1".to_owned(), "not in the workspace"),
    ];
    for (u, needle) in &refused {
        let r = explain(&mut c, u).await;
        let message = r["error"]["message"].as_str().unwrap_or_else(|| panic!("{u}: {r}"));
        assert!(message.contains(needle), "{u}: {message}");
    }
    // A workspace file that is not open is read; an open document is taken from the client even
    // when it is outside the workspace.
    assert_eq!(explain(&mut c, &uri(&root.join("a.py"))).await["result"]["markdown"], "It adds.");
    let elsewhere = uri(&outside.path().join("secret.py"));
    let doc = json!({"uri": elsewhere, "languageId": "python", "version": 1, "text": "x = 1\n"});
    c.notify("textDocument/didOpen", json!({"textDocument": doc})).await;
    assert_eq!(explain(&mut c, &elsewhere).await["result"]["markdown"], "It adds.");

    // File events naming things outside the root read nothing (reading /dev/zero would never end)
    // and the session goes on.
    let changes: Vec<Value> =
        [&escape, &encoded, &sibling].iter().map(|u| json!({"uri": u, "type": 2})).collect();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": changes})).await;
    for u in [&escape, &encoded, &uri(&root.join("pipe.py")), &uri(&root.join("link.py"))] {
        c.notify("textDocument/didClose", json!({"textDocument": {"uri": u}})).await;
    }
    let r = c.request("tandem/metrics", Value::Null).await;
    assert!(r["result"].is_object(), "{r}");
}
