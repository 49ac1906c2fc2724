//! An LSP client for the benchmarks that replay editing (`--typing`, `--session`): the server
//! runs in this process over an in-memory pipe, speaking JSON-RPC exactly as over stdio, with the
//! real model.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tandem_core::CompletionSettings;
use tandem_engine::Backend;
use tandem_lsp::framing::{Frame, FrameReader, frame};
use tokio::io::{AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};

pub struct Client {
    out: WriteHalf<DuplexStream>,
    input: FrameReader<ReadHalf<DuplexStream>>,
    next_id: i64,
}

impl Client {
    /// Starts a server on `backend` with `settings`, initializes it with `root` and waits until
    /// its model is ready.
    pub async fn start(backend: Arc<dyn Backend>, settings: CompletionSettings, root: &str) -> Result<Self> {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (sr, sw) = tokio::io::split(server_end);
        let loader: tandem_lsp::Loader = Box::new(move || Ok(backend));
        let options =
            tandem_lsp::Options { settings, loader, metrics_file: None, log_requests: false, router: None };
        tokio::spawn(tandem_lsp::serve(sr, sw, options));
        let (cr, cw) = tokio::io::split(client_end);
        let mut c = Self { out: cw, input: FrameReader::new(cr), next_id: 1 };
        c.request("initialize", json!({"processId": null, "rootUri": root, "capabilities": {}})).await?;
        c.notify("initialized", json!({})).await?;
        while c.request("tandem/metrics", Value::Null).await?["state"] != "ready" {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(c)
    }

    async fn send(&mut self, msg: Value) -> Result<()> {
        self.out.write_all(&frame(msg.to_string().as_bytes())).await.context("writing to the server")
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})).await?;
        loop {
            let Frame::Body(body) = self.input.next().await? else { bail!("the server stopped") };
            let msg: Value = serde_json::from_slice(&body)?;
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                if let Some(e) = msg.get("error") {
                    bail!("{method} failed: {e}");
                }
                return Ok(msg["result"].clone());
            }
        }
    }

    pub async fn notify(&mut self, method: &str, params: Value) -> Result<()> {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await
    }

    /// Replaces columns `from..to` of `line` with `text`, as document version `version`.
    pub async fn edit(
        &mut self,
        uri: &str,
        version: i32,
        line: usize,
        from: usize,
        to: usize,
        text: &str,
    ) -> Result<()> {
        let range =
            json!({"start": {"line": line, "character": from}, "end": {"line": line, "character": to}});
        let params = json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"range": range, "text": text}]});
        self.notify("textDocument/didChange", params).await
    }

    /// An automatic inline completion at `line`, `character`: the first item's text, if any.
    pub async fn inline(&mut self, uri: &str, line: usize, character: usize) -> Result<Option<String>> {
        let params = json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}, "context": {"triggerKind": 2}});
        let result = self.request("textDocument/inlineCompletion", params).await?;
        Ok(result
            .as_array()
            .and_then(|a| a.first())
            .and_then(|i| i["insertText"].as_str())
            .map(str::to_owned))
    }
}

/// Lines inside function bodies worth typing: indented by at least `min_indent`, plain code, of
/// a typical length.
pub fn typable_lines(text: &str, min_indent: usize) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            l.len() - t.len() >= min_indent
                && (16..=80).contains(&t.len())
                && !["//", "#", "/*", "*", "\"", "'"].iter().any(|c| t.starts_with(c))
                && l.is_ascii()
        })
        .map(|(i, _)| i)
        .collect()
}

/// Percentiles of a list of milliseconds.
pub fn percentiles(mut v: Vec<f64>) -> Value {
    v.sort_by(f64::total_cmp);
    let pct = |p: f64| v.get(((v.len().max(1) - 1) as f64 * p).round() as usize).copied();
    json!({"n": v.len(), "p50": pct(0.5), "p95": pct(0.95), "max": v.last()})
}
