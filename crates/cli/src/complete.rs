//! `tandem complete FILE:LINE:COL`: the completion at a cursor, for scripts and quick checks.

use crate::models::{self, Choice};
use crate::target::{cursor_offset, find_root, open_in_workspace, parse_target, read_input};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::{InlineAnswer, Place};
use tandem_model::LoadOptions;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// FILE:LINE:COL, 1-based, the column counted in characters; `-:LINE:COL` reads stdin.
    #[arg(allow_hyphen_values = true)]
    target: String,
    /// The file's name when it comes from stdin (shown to the model).
    #[arg(long)]
    path: Option<String>,
    /// Print JSON with the completion, counts and timings.
    #[arg(long)]
    json: bool,
    /// Most tokens to generate (default: the config's completion settings).
    #[arg(long)]
    max_tokens: Option<usize>,
    /// Prompt tokens for the text around the cursor, a quarter of them after it (default: the
    /// config's completion settings).
    #[arg(long)]
    budget: Option<usize>,
    /// The workspace root whose definitions the prompt may quote (default: the nearest
    /// directory above FILE holding .git, else the current directory).
    #[arg(long)]
    root: Option<PathBuf>,
}

/// Completes the way the editor's language server does — the engine's own prompt assembly, with
/// the workspace indexed — except that it waits for the whole answer.
pub fn run(
    manifest: &Manifest,
    choice: &Choice,
    settings: &CompletionSettings,
    args: Args,
) -> Result<ExitCode> {
    let started = Instant::now();
    let (file, line, col) = parse_target(&args.target)?;
    let (text, path) = read_input(file, args.path.as_deref())?;
    let cursor = cursor_offset(&text, line, col).with_context(|| format!("bad position {}", args.target))?;
    let (resolved, backend) = models::load_backend(manifest, choice, &LoadOptions::default())?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut settings = settings.clone();
    // A script waits for the whole answer: the editor's time budget is for typing.
    settings.time_budget_ms = settings.time_budget_ms.max(WAIT_MS);
    if let Some(n) = args.max_tokens {
        settings.max_tokens = n;
    }
    if let Some(budget) = args.budget {
        settings.suffix_tokens = budget / 4;
        settings.prefix_tokens = budget - budget / 4;
    }
    let named = path.as_deref().unwrap_or(file);
    let root = match &args.root {
        Some(r) => std::path::absolute(r)?,
        None => std::path::absolute(find_root(Path::new(named)))?,
    };
    // Stdin without a name is no file of the workspace.
    let named = if file == "-" && path.is_none() { "stdin" } else { named };
    let (engine, _) = open_in_workspace(settings, &root, Path::new(named), text, "")?;
    let engine = engine.with_backend(Arc::new(backend));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    let suggestion = runtime.block_on(engine.complete(named, Place::Offset(cursor), true))?;
    let completion = match suggestion.answer {
        InlineAnswer::Text { text, .. } => text,
        InlineAnswer::Empty | InlineAnswer::Cancelled => String::new(),
    };
    if args.json {
        let r = engine.metrics().metrics.recent.back().cloned().unwrap_or_default();
        let out = serde_json::json!({
            "completion": completion,
            "model": resolved.name,
            "prompt_tokens": r.prompt_tokens,
            "context_tokens": r.context_tokens,
            "reused_tokens": r.reused_tokens,
            "evaluated_tokens": r.evaluated_tokens,
            "generated_tokens": r.generated_tokens,
            "timings_ms": {
                "load": load_ms,
                "context": r.context_ms,
                "prompt": r.prompt_ms,
                "generate": r.generate_ms,
                "total": started.elapsed().as_secs_f64() * 1000.0,
            },
        });
        println!("{out}");
    } else {
        println!("{completion}");
    }
    Ok(ExitCode::SUCCESS)
}

/// How long a one-shot completion may take, at least.
const WAIT_MS: u64 = 60_000;
