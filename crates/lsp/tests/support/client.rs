//! A small JSON-RPC client for the server run in process over an in-memory pipe (shared by the
//! in-process LSP tests through `#[path]`, next to `frames.rs`).

#![allow(dead_code)]

use crate::frames::read_messages;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tandem_core::CompletionSettings;
use tandem_engine::Router;
use tokio::io::{AsyncWriteExt, DuplexStream, WriteHalf};
use tokio::sync::mpsc;

pub struct Client {
    pub out: WriteHalf<DuplexStream>,
    inbox: mpsc::UnboundedReceiver<Value>,
    /// Notifications (and server requests) seen while waiting for responses.
    pub notes: Vec<Value>,
    next_id: i64,
}

impl Client {
    /// Starts a server with this model loader, settings and router, and connects to it.
    pub async fn start(
        loader: tandem_lsp::Loader,
        settings: CompletionSettings,
        router: Option<Arc<Router>>,
    ) -> Self {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (sr, sw) = tokio::io::split(server_end);
        let options =
            tandem_lsp::Options { settings, loader, metrics_file: None, log_requests: false, router };
        tokio::spawn(tandem_lsp::serve(sr, sw, options));
        let (cr, cw) = tokio::io::split(client_end);
        let (tx, inbox) = mpsc::unbounded_channel();
        tokio::spawn(read_messages(cr, tx));
        Self { out: cw, inbox, notes: Vec::new(), next_id: 1 }
    }

    /// Sends `body` in a `Content-Length` frame, whatever it holds.
    pub async fn send_raw(&mut self, body: &[u8]) {
        let frame = [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat();
        self.out.write_all(&frame).await.unwrap();
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_raw(msg.to_string().as_bytes()).await;
    }

    pub async fn send_request(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(msg.to_string().as_bytes()).await;
        id
    }

    /// The next message within 20 s; requests from the server (progress tokens, registrations)
    /// are accepted on the way.
    async fn next(&mut self, deadline: tokio::time::Instant, what: &str) -> Value {
        let msg = tokio::time::timeout_at(deadline, self.inbox.recv())
            .await
            .unwrap_or_else(|_| panic!("{what} never came"))
            .expect("server closed");
        if let (Some(sid), Some(_)) = (msg.get("id"), msg.get("method")) {
            let reply = json!({"jsonrpc": "2.0", "id": sid, "result": null});
            self.send_raw(reply.to_string().as_bytes()).await;
        }
        msg
    }

    /// The response to request `id`, keeping what comes before it in `notes`.
    pub async fn response(&mut self, id: i64) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let msg = self.next(deadline, "an answer from the server").await;
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            self.notes.push(msg);
        }
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params).await;
        self.response(id).await
    }

    /// Waits for a notification matching `pred` (seen already or arriving within 20 s) and
    /// takes it out of `notes`.
    pub async fn note(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(i) = self.notes.iter().position(&pred) {
                return self.notes.remove(i);
            }
            let msg = self.next(deadline, "the notification").await;
            self.notes.push(msg);
        }
    }

    pub async fn initialize(&mut self, capabilities: Value, options: Value) -> Value {
        let params = json!({"processId": null, "rootUri": "file:///w", "capabilities": capabilities, "initializationOptions": options});
        let r = self.request("initialize", params).await;
        self.notify("initialized", json!({})).await;
        r
    }

    pub async fn open(&mut self, uri: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": "python", "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc})).await;
    }
}
