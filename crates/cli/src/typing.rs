//! `tandem bench --typing`: replays typing through the language server — lines of a real source
//! file erased and typed back one keystroke at a time, each keystroke an incremental
//! `didChange` and an automatic `inlineCompletion` — and reports keystroke-to-suggestion latency,
//! how answers were made (reuse, cache, model), and prompt tokens evaluated per model call.
//!
//! The server runs in this process over an in-memory pipe, speaking JSON-RPC exactly as over
//! stdio, with the real model.

use crate::bench::BENCH_TEXT;
use crate::client::{Client, percentiles, typable_lines};
use crate::models::{self, Choice};
use anyhow::Result;
use serde_json::{Value, json};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::Backend;
use tandem_model::LoadOptions;

#[derive(Debug, Clone)]
pub struct TypingArgs {
    pub lines: usize,
    pub pause_ms: u64,
    pub json: bool,
}

const URI: &str = "file:///bench/runtime.rs";

/// Lines worth typing, spread over the file.
fn pick_lines(text: &str, n: usize) -> Vec<usize> {
    let candidates = typable_lines(text, 8);
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
        println!(
            "generation         {:.0} ms per model call (mean), {:.1} tokens, {:.1} of them drafted ahead",
            r["generate_ms_mean"].as_f64().unwrap_or(0.0),
            r["generated_tokens_mean"].as_f64().unwrap_or(0.0),
            r["accepted_tokens_mean"].as_f64().unwrap_or(0.0)
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn replay(backend: Arc<dyn Backend>, settings: CompletionSettings, args: &TypingArgs) -> Result<Value> {
    let mut s = Client::start(backend, settings, "file:///bench").await?;
    let doc = json!({"uri": URI, "languageId": "rust", "version": 1, "text": BENCH_TEXT});
    s.notify("textDocument/didOpen", json!({"textDocument": doc})).await?;
    let mut version = 1;
    let lines: Vec<&str> = BENCH_TEXT.lines().collect();
    let picked = pick_lines(BENCH_TEXT, args.lines);
    let mut latencies = Vec::new();
    let (mut shown, mut correct) = (0, 0);
    for &i in &picked {
        let line = lines[i];
        let indent = line.len() - line.trim_start().len();
        version += 1;
        s.edit(URI, version, i, indent, line.len(), "").await?;
        for (k, c) in line[indent..].char_indices() {
            let col = indent + k;
            version += 1;
            s.edit(URI, version, i, col, col, &c.to_string()).await?;
            let started = Instant::now();
            let result = s.inline(URI, i, col + 1).await?;
            let took = started.elapsed();
            latencies.push(took.as_secs_f64() * 1000.0);
            if let Some(text) = result {
                shown += 1;
                correct += usize::from(line[col + 1..].starts_with(text.as_str()));
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
    Ok(json!({
        "lines": picked.len(),
        "keystrokes": latencies.len(),
        "pause_ms": args.pause_ms,
        "latency_ms": percentiles(latencies),
        "reuse_hits": metrics["reuse_hits"],
        "cache_hits": metrics["cache_hits"],
        "model_calls": metrics["model_calls"],
        "cancelled": metrics["cancelled"],
        "empty": metrics["empty"],
        "shown": shown,
        "correct_prefix": correct,
        "evaluated_tokens_mean": mean("evaluated_tokens"),
        "prompt_tokens_mean": mean("prompt_tokens"),
        "generate_ms_mean": mean("generate_ms"),
        "generated_tokens_mean": mean("generated_tokens"),
        "accepted_tokens_mean": mean("accepted_tokens"),
    }))
}
