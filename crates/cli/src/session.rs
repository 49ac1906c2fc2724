//! `tandem bench --session DIR`: replays an editing session over a real multi-file workspace
//! through the language server: several places in each of several files, visited in turn —
//! moves within a file, to the next file, and back to a file seen before — with a dwell when the
//! cursor arrives (an editor client reports where it came to rest) and keystrokes typed at each
//! place at a steady cadence. Reports the latency of the first suggestion after each move and of
//! the later keystrokes, prompt tokens evaluated per model call, and how often a stored prompt
//! (a slot of the prompt cache) served a model call.

use crate::client::{Client, percentiles, typable_lines};
use crate::models::{self, Choice};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::Backend;
use tandem_model::LoadOptions;

#[derive(Debug, Clone)]
pub struct SessionArgs {
    pub dir: PathBuf,
    pub files: usize,
    pub places: usize,
    pub keystrokes: usize,
    pub pause_ms: u64,
    /// How long the cursor rests at a new place before the first keystroke.
    pub dwell_ms: u64,
    /// Whether the client reports where the cursor came to rest (`tandem/cursorRest`).
    pub rest_notifications: bool,
    pub prompt_cache_bytes: usize,
    pub json: bool,
}

/// Source files the session may visit: by extension, of a size worth editing.
const EXTENSIONS: &[(&str, &str)] = &[
    ("rs", "rust"),
    ("py", "python"),
    ("go", "go"),
    ("ts", "typescript"),
    ("js", "javascript"),
    ("java", "java"),
    ("c", "c"),
    ("cpp", "cpp"),
];
const MIN_BYTES: u64 = 2 * 1024;
const MAX_BYTES: u64 = 200 * 1024;
/// Files looked at in the workspace, at most.
const MAX_WALK: usize = 20_000;

struct File {
    uri: String,
    language: &'static str,
    text: String,
    places: Vec<usize>,
    /// For each place, the next line worth typing after it: where a return to the place types
    /// (the user comes back to go on, not to type the same line again).
    next: Vec<usize>,
}

/// The files to visit: `n` spread over the workspace's source files in path order, each with
/// `places` lines to type at.
fn pick_files(dir: &Path, n: usize, places: usize) -> Result<Vec<File>> {
    let mut found = Vec::new();
    for entry in ignore::WalkBuilder::new(dir).follow_links(false).build().take(MAX_WALK) {
        let Ok(entry) = entry else { continue };
        let path = entry.path();
        let Some(language) = path
            .extension()
            .and_then(|e| e.to_str())
            .and_then(|e| EXTENSIONS.iter().find(|(x, _)| *x == e))
            .map(|(_, l)| *l)
        else {
            continue;
        };
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        if entry.file_type().is_some_and(|t| t.is_file()) && (MIN_BYTES..=MAX_BYTES).contains(&size) {
            found.push((path.to_owned(), language));
        }
    }
    found.sort();
    let step = (found.len() / n.max(1)).max(1);
    let mut files = Vec::new();
    for (path, language) in found.into_iter().step_by(step) {
        // Capped, a regular file, no link followed: the project's one way to read a source file.
        let name = path.display().to_string();
        let Ok(text) = tandem_engine::files::read_text_capped(&path, &name, MAX_BYTES as usize) else {
            continue;
        };
        let lines = typable_lines(&text, 4);
        if lines.len() < places {
            continue;
        }
        let spread = lines.len() / places;
        let picked: Vec<usize> = (0..places).map(|k| spread / 2 + k * spread.max(1)).collect();
        let next = picked.iter().map(|&k| lines[(k + 1).min(lines.len() - 1)]).collect();
        let places = picked.iter().map(|&k| lines[k]).collect();
        let path = std::fs::canonicalize(&path)?;
        files.push(File { uri: format!("file://{}", path.display()), language, text, places, next });
        if files.len() == n {
            break;
        }
    }
    if files.len() < 2 {
        bail!("{} has fewer than two source files with {places} lines to type at", dir.display());
    }
    Ok(files)
}

/// What a move is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    First,
    WithinFile,
    OtherFile,
    Back,
}

/// The visits: each file's places in turn, and after each file but the first, back to the last
/// place in the file before it (typing on the line after it).
fn plan(files: &[File]) -> Vec<(usize, usize, Move)> {
    let mut visits = Vec::new();
    for (f, file) in files.iter().enumerate() {
        for p in 0..file.places.len() {
            let kind = match (f, p) {
                (0, 0) => Move::First,
                (_, 0) => Move::OtherFile,
                _ => Move::WithinFile,
            };
            visits.push((f, p, kind));
        }
        if f > 0 {
            visits.push((f - 1, files[f - 1].places.len() - 1, Move::Back));
        }
    }
    visits
}

pub fn run(
    manifest: &Manifest,
    choice: &Choice,
    settings: CompletionSettings,
    args: SessionArgs,
) -> Result<ExitCode> {
    let files = pick_files(&args.dir, args.files, args.places)?;
    let opts = LoadOptions { prompt_cache_bytes: args.prompt_cache_bytes, ..LoadOptions::default() };
    let (resolved, backend) = models::load_backend(manifest, choice, &opts)?;
    let backend: Arc<dyn Backend> = Arc::new(backend);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let root = format!("file://{}", std::fs::canonicalize(&args.dir)?.display());
    let report = runtime.block_on(replay(backend, settings, &root, &files, &args))?;
    if args.json {
        println!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    let r = &report;
    let line = |v: &Value| {
        format!(
            "p50 {:>5.0} ms, p95 {:>5.0} ms ({} requests)",
            v["p50"].as_f64().unwrap_or(0.0),
            v["p95"].as_f64().unwrap_or(0.0),
            v["n"]
        )
    };
    println!("model                   {}", resolved.name);
    println!("workspace               {} ({} files, {} visits)", args.dir.display(), r["files"], r["visits"]);
    println!("first after a move      {}", line(&r["first_after_move_ms"]));
    println!("  within a file         {}", line(&r["by_move"]["within_file"]));
    println!("  to another file       {}", line(&r["by_move"]["other_file"]));
    println!("  back to a place       {}", line(&r["by_move"]["back"]));
    println!("later keystrokes        {}", line(&r["in_place_ms"]));
    println!(
        "model calls             {}, {:.0} prompt tokens evaluated per call (mean); {} prompts (calls or warm-ups) started from a stored one",
        r["model_calls"],
        r["evaluated_tokens_mean"].as_f64().unwrap_or(0.0),
        r["slot_hits"]
    );
    println!(
        "generation              {:.0} ms per model call (mean), {:.1} tokens, {:.1} of them drafted ahead",
        r["generate_ms_mean"].as_f64().unwrap_or(0.0),
        r["generated_tokens_mean"].as_f64().unwrap_or(0.0),
        r["accepted_tokens_mean"].as_f64().unwrap_or(0.0)
    );
    println!("cursor rest warm-ups    {}", r["warmups"]);
    println!("peak memory             {:.0} MiB", r["peak_rss_mib"].as_f64().unwrap_or(0.0));
    Ok(ExitCode::SUCCESS)
}

async fn replay(
    backend: Arc<dyn Backend>,
    settings: CompletionSettings,
    root: &str,
    files: &[File],
    args: &SessionArgs,
) -> Result<Value> {
    let mut c = Client::start(backend, settings, root).await?;
    let mut versions = vec![0; files.len()];
    let (mut first, mut later) = (Vec::new(), Vec::new());
    let mut by_move: [Vec<f64>; 4] = Default::default();
    let mut records: Vec<Value> = Vec::new();
    let visits = plan(files);
    for &(f, p, kind) in &visits {
        let file = &files[f];
        if versions[f] == 0 {
            versions[f] = 1;
            let doc = json!({"uri": file.uri, "languageId": file.language, "version": 1, "text": file.text});
            c.notify("textDocument/didOpen", json!({"textDocument": doc})).await?;
        }
        let i = if kind == Move::Back { file.next[p] } else { file.places[p] };
        let line = file.text.lines().nth(i).context("a place past the end of its file")?;
        let indent = line.len() - line.trim_start().len();
        let before = c.request("tandem/metrics", Value::Null).await?["requests"].as_u64().unwrap_or(0);
        // The cursor arrives at the line's end and rests there.
        if args.rest_notifications {
            let position = json!({"line": i, "character": line.len()});
            c.notify("tandem/cursorRest", json!({"textDocument": {"uri": file.uri}, "position": position}))
                .await?;
        }
        tokio::time::sleep(Duration::from_millis(args.dwell_ms)).await;
        // Retype the line's code: erase it, then type its first keystrokes.
        versions[f] += 1;
        c.edit(&file.uri, versions[f], i, indent, line.len(), "").await?;
        let typed: Vec<(usize, char)> = line[indent..].char_indices().take(args.keystrokes).collect();
        for (n, &(k, ch)) in typed.iter().enumerate() {
            let col = indent + k;
            versions[f] += 1;
            c.edit(&file.uri, versions[f], i, col, col, &ch.to_string()).await?;
            let started = Instant::now();
            c.inline(&file.uri, i, col + ch.len_utf8()).await?;
            let took = started.elapsed();
            let ms = took.as_secs_f64() * 1000.0;
            if n == 0 {
                first.push(ms);
                by_move[kind as usize].push(ms);
            } else {
                later.push(ms);
            }
            tokio::time::sleep(Duration::from_millis(args.pause_ms).saturating_sub(took)).await;
        }
        // The rest of the line comes back (typed, or accepted), so the file is as it was.
        let end = indent + typed.last().map_or(0, |&(k, ch)| k + ch.len_utf8());
        versions[f] += 1;
        c.edit(&file.uri, versions[f], i, end, end, &line[end..]).await?;
        let metrics = c.request("tandem/metrics", Value::Null).await?;
        let new = metrics["requests"].as_u64().unwrap_or(0).saturating_sub(before) as usize;
        if let Some(recent) = metrics["recent"].as_array() {
            records.extend(recent.iter().rev().take(new).cloned());
        }
    }
    let metrics = c.request("tandem/metrics", Value::Null).await?;
    let model: Vec<&Value> = records.iter().filter(|r| r["source"] == "model").collect();
    let mean = |k: &str| {
        (!model.is_empty())
            .then(|| model.iter().map(|r| r[k].as_f64().unwrap_or(0.0)).sum::<f64>() / model.len() as f64)
    };
    let [_, within, other, back] = by_move;
    Ok(json!({
        "files": files.len(),
        "visits": visits.len(),
        "keystrokes_per_place": args.keystrokes,
        "pause_ms": args.pause_ms,
        "dwell_ms": args.dwell_ms,
        "rest_notifications": args.rest_notifications,
        "prompt_cache_bytes": args.prompt_cache_bytes,
        "first_after_move_ms": percentiles(first),
        "by_move": {"within_file": percentiles(within), "other_file": percentiles(other), "back": percentiles(back)},
        "in_place_ms": percentiles(later),
        "model_calls": model.len(),
        "slot_hits": metrics["slot_hits"],
        "evaluated_tokens_mean": mean("evaluated_tokens"),
        "prompt_tokens_mean": mean("prompt_tokens"),
        "generate_ms_mean": mean("generate_ms"),
        "generated_tokens_mean": mean("generated_tokens"),
        "accepted_tokens_mean": mean("accepted_tokens"),
        "warmups": metrics["warmups"],
        "peak_rss_mib": crate::bench::status_kib("VmHWM").unwrap_or(0) as f64 / 1024.0,
    }))
}
