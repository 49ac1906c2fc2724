//! `tandem bench`: load time, prompt evaluation and generation speed, and peak memory of the
//! local runtime on a fixed input (`tests/fixtures/bench_input.rs.txt`).

use crate::models::{self, Choice};
use anyhow::{Context, Result, bail};
use std::process::ExitCode;
use std::time::Instant;
use tandem_core::{Cancel, CompletionSettings, Manifest};
use tandem_model::{LoadOptions, Runtime};

/// The benchmark's input: a real source file, frozen so that figures stay comparable.
pub const BENCH_TEXT: &str = include_str!("../../../tests/fixtures/bench_input.rs.txt");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Prompt lengths to evaluate, in tokens.
    #[arg(long, value_delimiter = ',', default_value = "128,512")]
    prompt: Vec<usize>,
    /// Context lengths at which to time generation.
    #[arg(long, value_delimiter = ',', default_value = "0,512")]
    context: Vec<usize>,
    /// Tokens to generate per generation measurement.
    #[arg(long, default_value_t = 32)]
    gen_tokens: usize,
    /// Replay typing through the language server instead (keystroke-to-suggestion latency).
    #[arg(long)]
    typing: bool,
    /// With --typing: how many lines to erase and type back.
    #[arg(long, default_value_t = 6)]
    lines: usize,
    /// With --typing or --session: the pause between keystrokes, in milliseconds.
    #[arg(long, default_value_t = 120)]
    pause_ms: u64,
    /// Replay an editing session over the source files of this workspace instead: moves within
    /// a file, to other files and back, typing at each place (see `session.rs`).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["typing", "cases"])]
    session: Option<std::path::PathBuf>,
    /// With --session: how many files to visit.
    #[arg(long, default_value_t = 5)]
    files: usize,
    /// With --session: places per file.
    #[arg(long, default_value_t = 3)]
    places: usize,
    /// With --session: keystrokes typed at each place.
    #[arg(long, default_value_t = 12)]
    keystrokes: usize,
    /// With --session: how long the cursor rests at a new place before the first keystroke, in
    /// milliseconds.
    #[arg(long, default_value_t = 600)]
    dwell_ms: u64,
    /// With --session: the client does not report where the cursor comes to rest.
    #[arg(long)]
    no_rest: bool,
    /// Keys and values kept for recent prompts (the prompt cache's stored slots), in MiB; 0
    /// keeps none.
    #[arg(long, default_value_t = tandem_model::DEFAULT_PROMPT_CACHE_BYTES >> 20)]
    prompt_cache_mib: usize,
    /// Complete the cases of this JSON-lines file through the completion engine instead, and
    /// print each raw suggestion and its record (see `cases.rs`).
    #[arg(long, value_name = "FILE", conflicts_with = "typing")]
    cases: Option<String>,
    /// Measure next edits on the source files of this workspace instead: functions renamed and
    /// given a parameter at their definitions (see `nextedits.rs`).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["typing", "cases", "session"])]
    next_edits: Option<std::path::PathBuf>,
    /// With --next-edits: how many functions to edit.
    #[arg(long, default_value_t = 30)]
    edits: usize,
    /// Completion settings over the config file's, as JSON (`{"context": true}`).
    #[arg(long, value_name = "JSON")]
    settings: Option<String>,
    /// With --cases: context scoring weights over the defaults, as JSON (`{"similar": 0.5}`;
    /// the names are the fields of `tandem_context::gather::Weights`).
    #[arg(long, value_name = "JSON", requires = "cases")]
    weights: Option<String>,
}

pub fn run(
    manifest: &Manifest,
    choice: &Choice,
    settings: CompletionSettings,
    args: Args,
) -> Result<ExitCode> {
    let settings = match &args.settings {
        Some(json) => merge(settings, json)?,
        None => settings,
    };
    if let Some(file) = &args.cases {
        let weights = match &args.weights {
            Some(json) => serde_json::from_str(json).context("bad --weights")?,
            None => Default::default(),
        };
        return crate::cases::run(manifest, choice, settings, weights, file);
    }
    if let Some(dir) = &args.next_edits {
        return crate::nextedits::run(manifest, choice, settings, dir, args.edits, args.json);
    }
    if let Some(dir) = args.session {
        let session = crate::session::SessionArgs {
            dir,
            files: args.files,
            places: args.places,
            keystrokes: args.keystrokes,
            pause_ms: args.pause_ms,
            dwell_ms: args.dwell_ms,
            rest_notifications: !args.no_rest,
            prompt_cache_bytes: args.prompt_cache_mib << 20,
            json: args.json,
        };
        return crate::session::run(manifest, choice, settings, session);
    }
    if args.typing {
        let typing =
            crate::typing::TypingArgs { lines: args.lines, pause_ms: args.pause_ms, json: args.json };
        return crate::typing::run(manifest, choice, settings, typing);
    }
    let started = Instant::now();
    let (resolved, mut rt) = models::load_runtime(manifest, choice, &LoadOptions::default())?;
    let load_ms = ms(started);
    let mut tokens = rt.tokenizer().encode(BENCH_TEXT).context("tokenizing the bench input")?;
    let longest = args.prompt.iter().chain(&args.context).copied().max().unwrap_or(0) + 1;
    if longest + args.gen_tokens > rt.context() {
        bail!(
            "the longest measurement needs {} positions; the cache holds {}",
            longest + args.gen_tokens,
            rt.context()
        );
    }
    while tokens.len() < longest {
        tokens.extend_from_within(..tokens.len().min(longest - tokens.len()));
    }
    let cancel = Cancel::new();
    // The first pass pays one-time costs (page faults, buffer growth); time it apart.
    let t = Instant::now();
    rt.prefill(&tokens[..8], &cancel, None)?;
    let first_pass_ms = ms(t);

    let mut prompt = Vec::new();
    for &n in &args.prompt {
        rt.clear_cache();
        let t = Instant::now();
        rt.prefill(&tokens[..n.max(1)], &cancel, None)?;
        prompt.push((n, n as f64 / t.elapsed().as_secs_f64()));
    }
    let mut generation = Vec::new();
    for &ctx in &args.context {
        generation.push((ctx, generation_speed(&mut rt, &tokens[..ctx + 1], args.gen_tokens)?));
    }
    let peak_rss = status_kib("VmHWM").unwrap_or(0) as f64 / 1024.0;
    let threads = tandem_model::compute_threads();
    let cpu = cpu_model();
    if args.json {
        let out = serde_json::json!({
            "model": resolved.name,
            "cpu": cpu,
            "threads": threads,
            "load_ms": load_ms,
            "first_pass_ms": first_pass_ms,
            "prompt_tokens_per_s": prompt.iter().map(|(n, s)| serde_json::json!({"tokens": n, "tokens_per_s": s})).collect::<Vec<_>>(),
            "generation_tokens_per_s": generation.iter().map(|(c, s)| serde_json::json!({"context": c, "tokens_per_s": s})).collect::<Vec<_>>(),
            "peak_rss_mib": peak_rss,
        });
        println!("{out}");
    } else {
        println!("model          {} ({})", resolved.name, resolved.path.display());
        println!("cpu            {cpu}, {threads} threads");
        println!("load           {load_ms:.0} ms (first pass {first_pass_ms:.0} ms)");
        for (n, s) in &prompt {
            println!("prompt {n:>5}   {s:.1} tokens/s");
        }
        for (c, s) in &generation {
            println!("generate @{c:<5} {s:.1} tokens/s");
        }
        println!("peak memory    {peak_rss:.0} MiB");
    }
    Ok(ExitCode::SUCCESS)
}

/// Tokens per second generating greedily after `context` (whose last token starts generation).
fn generation_speed(rt: &mut Runtime, context: &[u32], n: usize) -> Result<f64> {
    rt.clear_cache();
    let mut logits = rt.prefill(context, &Cancel::new(), None)?.logits.context("prefill gave no logits")?;
    let t = Instant::now();
    for _ in 0..n {
        let next = tandem_model::qwen2::argmax(&logits);
        logits = rt.forward(&[next])?;
    }
    Ok(n as f64 / t.elapsed().as_secs_f64())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

pub(crate) fn status_kib(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned())
}

/// `settings` with the keys of the JSON object `json` replaced.
fn merge(settings: CompletionSettings, json: &str) -> Result<CompletionSettings> {
    let mut value = serde_json::to_value(settings)?;
    let over: serde_json::Value = serde_json::from_str(json).context("--settings is not JSON")?;
    let Some(over) = over.as_object() else { bail!("--settings must be a JSON object") };
    for (k, v) in over {
        value[k] = v.clone();
    }
    serde_json::from_value(value).context("--settings")
}
