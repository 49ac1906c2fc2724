//! `tandem bench --typing`: replays typing through the language server — lines of a real source
//! file erased and typed back one keystroke at a time, each keystroke an incremental
//! `didChange` and an automatic `inlineCompletion` — and reports keystroke-to-suggestion latency,
//! how answers were made (reuse, cache, model), and prompt tokens evaluated per model call.
//!
//! The server runs in this process over an in-memory pipe, speaking JSON-RPC exactly as over
//! stdio, with the real model.

use crate::bench::BENCH_TEXT;
use crate::models::{self, Choice};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::Backend;
use tandem_lsp::framing::{Frame, FrameReader, frame};
use tandem_model::LoadOptions;
use tokio::io::{AsyncWriteExt, DuplexStream, ReadHalf, WriteHalf};

#[derive(Debug, Clone)]
pub struct TypingArgs {
    pub lines: usize,
    pub pause_ms: u64,
    pub json: bool,
}

struct Session {
    out: WriteHalf<DuplexStream>,
    input: FrameReader<ReadHalf<DuplexStream>>,
    next_id: i64,
    version: i32,
}

const URI: &str = "file:///bench/runtime.rs";

impl Session {
    async fn send(&mut self, msg: Value) -> Result<()> {
        self.out.write_all(&frame(msg.to_string().as_bytes())).await.context("writing to the server")
    }

    async fn request(&mut self, method: &str, params: Value) -> Result<Value> {
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

    async fn notify(&mut self, method: &str, params: Value) -> Result<()> {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params})).await
    }

    async fn edit(&mut self, line: usize, from: usize, to: usize, text: &str) -> Result<()> {
        self.version += 1;
        let range =
            json!({"start": {"line": line, "character": from}, "end": {"line": line, "character": to}});
        let params = json!({"textDocument": {"uri": URI, "version": self.version}, "contentChanges": [{"range": range, "text": text}]});
        self.notify("textDocument/didChange", params).await
    }
}

/// Lines inside function bodies worth typing: indented, plain code, of a typical length.
fn pick_lines(text: &str, n: usize) -> Vec<usize> {
    let candidates: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| {
            let t = l.trim_start();
            l.len() - t.len() >= 8 && (16..=80).contains(&t.len()) && !t.starts_with("//") && l.is_ascii()
        })
        .map(|(i, _)| i)
        .collect();
    let step = (candidates.len() / n.max(1)).max(1);
    candidates.into_iter().step_by(step).take(n).collect()
}

pub fn run(
    manifest: &Manifest,
    choice: &Choice,
    settings: CompletionSettings,
    args: TypingArgs,
) -> Result<ExitCode> {
    let (resolved, backend) = models::load_backend(manifest, choice, &LoadOptions::default())?;
    let backend: Arc<dyn Backend> = Arc::new(backend);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let report = runtime.block_on(replay(backend, settings, &args))?;
    if args.json {
        println!("{report}");
    } else {
        let r = &report;
        println!("model              {}", resolved.name);
        println!(
            "keystrokes         {} on {} lines of tests/fixtures/bench_input.rs.txt",
            r["keystrokes"], r["lines"]
        );
        println!(
            "latency            p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
            r["latency_ms"]["p50"].as_f64().unwrap_or(0.0),
            r["latency_ms"]["p95"].as_f64().unwrap_or(0.0),
            r["latency_ms"]["max"].as_f64().unwrap_or(0.0)
        );
        println!(
            "answered by        reuse {}, cache {}, model {} (cancelled {}, empty {})",
            r["reuse_hits"], r["cache_hits"], r["model_calls"], r["cancelled"], r["empty"]
        );
        println!(
            "suggestions shown  {} ({} a correct prefix of the rest of the line)",
            r["shown"], r["correct_prefix"]
        );
        println!(
            "prompt tokens      {:.0} evaluated per model call (mean), {:.0} in the prompt",
            r["evaluated_tokens_mean"].as_f64().unwrap_or(0.0),
            r["prompt_tokens_mean"].as_f64().unwrap_or(0.0)
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn replay(backend: Arc<dyn Backend>, settings: CompletionSettings, args: &TypingArgs) -> Result<Value> {
    let (client_end, server_end) = tokio::io::duplex(1 << 20);
    let (sr, sw) = tokio::io::split(server_end);
    let loader: tandem_lsp::Loader = Box::new(move || Ok(backend));
    tokio::spawn(tandem_lsp::serve(
        sr,
        sw,
        tandem_lsp::Options { settings, loader, metrics_file: None, log_requests: false, router: None },
    ));
    let (cr, cw) = tokio::io::split(client_end);
    let mut s = Session { out: cw, input: FrameReader::new(cr), next_id: 1, version: 1 };
    s.request("initialize", json!({"processId": null, "rootUri": "file:///bench", "capabilities": {}}))
        .await?;
    s.notify("initialized", json!({})).await?;
    while s.request("tandem/metrics", Value::Null).await?["state"] != "ready" {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let doc = json!({"uri": URI, "languageId": "rust", "version": 1, "text": BENCH_TEXT});
    s.notify("textDocument/didOpen", json!({"textDocument": doc})).await?;
    let lines: Vec<&str> = BENCH_TEXT.lines().collect();
    let picked = pick_lines(BENCH_TEXT, args.lines);
    let mut latencies = Vec::new();
    let (mut shown, mut correct) = (0, 0);
    for &i in &picked {
        let line = lines[i];
        let indent = line.len() - line.trim_start().len();
        s.edit(i, indent, line.len(), "").await?;
        for (k, c) in line[indent..].char_indices() {
            let col = indent + k;
            s.edit(i, col, col, &c.to_string()).await?;
            let started = Instant::now();
            let params = json!({"textDocument": {"uri": URI}, "position": {"line": i, "character": col + 1}, "context": {"triggerKind": 2}});
            let result = s.request("textDocument/inlineCompletion", params).await?;
            let took = started.elapsed();
            latencies.push(took.as_secs_f64() * 1000.0);
            if let Some(text) =
                result.as_array().and_then(|a| a.first()).and_then(|i| i["insertText"].as_str())
            {
                shown += 1;
                correct += usize::from(line[col + 1..].starts_with(text));
            }
            tokio::time::sleep(Duration::from_millis(args.pause_ms).saturating_sub(took)).await;
        }
    }
    let metrics = s.request("tandem/metrics", Value::Null).await?;
    let model_records: Vec<&Value> = metrics["recent"]
        .as_array()
        .map(|r| r.iter().filter(|x| x["source"] == "model").collect())
        .unwrap_or_default();
    let mean = |k: &str| {
        (!model_records.is_empty()).then(|| {
            model_records.iter().map(|r| r[k].as_f64().unwrap_or(0.0)).sum::<f64>()
                / model_records.len() as f64
        })
    };
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies.get(((latencies.len().max(1) - 1) as f64 * p).round() as usize).copied();
    Ok(json!({
        "lines": picked.len(),
        "keystrokes": latencies.len(),
        "pause_ms": args.pause_ms,
        "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "max": latencies.last()},
        "reuse_hits": metrics["reuse_hits"],
        "cache_hits": metrics["cache_hits"],
        "model_calls": metrics["model_calls"],
        "cancelled": metrics["cancelled"],
        "empty": metrics["empty"],
        "shown": shown,
        "correct_prefix": correct,
        "evaluated_tokens_mean": mean("evaluated_tokens"),
        "prompt_tokens_mean": mean("prompt_tokens"),
    }))
}
