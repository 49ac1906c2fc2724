//! `tandem bench --cases FILE`: completes a file of cases through the completion engine — the
//! language server's own path (workspace index, context, windows, model, post-processing) —
//! with the model loaded once, and prints one JSON line per case: the raw suggestion and the
//! request's record (prompt and context tokens, stage timings).
//!
//! For tuning the context on an evaluation set quickly; the set's own harness
//! (`../shared/eval/run.py`) scores the output and gives the figures that are reported.
//!
//! A case is one JSON line: `{"id", "root", "path", "language", "text", "cursor"}` — the workspace
//! directory, the document's path in it, its LSP language id, its text as the editor holds it,
//! and the cursor's byte offset.

use crate::models::{self, Choice};
use crate::target::open_in_workspace;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::{InlineAnswer, Place, Suggestion, Weights, files};
use tandem_model::LoadOptions;

/// The largest cases file read (each case carries a whole document).
const MAX_CASES_BYTES: usize = 256 << 20;

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    root: PathBuf,
    path: String,
    language: String,
    text: String,
    cursor: usize,
}

pub fn run(
    manifest: &Manifest,
    choice: &Choice,
    settings: CompletionSettings,
    weights: Weights,
    file: &str,
) -> Result<ExitCode> {
    let input = files::read_text_capped(std::path::Path::new(file), file, MAX_CASES_BYTES)?;
    let mut cases = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case =
            serde_json::from_str(line).with_context(|| format!("{file}:{}: not a case", n + 1))?;
        if !case.text.is_char_boundary(case.cursor.min(case.text.len())) || case.cursor > case.text.len() {
            bail!("{file}:{}: cursor {} is not inside the text", n + 1, case.cursor);
        }
        cases.push(case);
    }
    let (_, backend) = models::load_backend(manifest, choice, &LoadOptions::default())?;
    let backend: Arc<dyn tandem_engine::Backend> = Arc::new(backend);
    // The larger local model, when installed, for answers to route up to (as the server does).
    let larger = match crate::remote::larger_choice(manifest, choice).filter(|_| settings.route_up) {
        Some(c) => Some(Arc::new(models::load_backend(manifest, &c, &LoadOptions::default())?.1)),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    let mut out = std::io::stdout().lock();
    for case in cases {
        // A fresh engine and workspace per case, as a fresh server would have.
        let file = case.root.join(&case.path);
        let (engine, _) = open_in_workspace(settings.clone(), &case.root, &file, case.text, &case.language)?;
        let engine = engine.with_backend(backend.clone());
        if let Some(larger) = &larger {
            engine.attach_larger(larger.clone());
        }
        engine.set_weights(weights.clone());
        let key = file.to_string_lossy().into_owned();
        let started = Instant::now();
        let answer = runtime.block_on(engine.complete(&key, Place::Offset(case.cursor), true));
        let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
        let (raw, error) = match answer {
            Ok(Suggestion { answer: InlineAnswer::Text { text, .. }, .. }) => (text, None),
            Ok(_) => (String::new(), None),
            Err(e) => (String::new(), Some(e.to_string())),
        };
        let record = engine.metrics().metrics.recent.back().cloned().unwrap_or_default();
        let line =
            json!({"id": case.id, "raw": raw, "error": error, "latency_ms": latency_ms, "record": record});
        writeln!(out, "{line}")?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
