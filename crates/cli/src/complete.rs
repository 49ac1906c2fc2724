//! `tandem complete FILE:LINE:COL`: the completion at a cursor, for scripts and quick checks.

use crate::context::{find_root, open_in_workspace};
use crate::models::{self, Choice};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::{InlineAnswer, Place, files};
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

pub fn parse_target(target: &str) -> Result<(&str, usize, usize)> {
    let mut it = target.rsplitn(3, ':');
    let (col, line, file) = (it.next(), it.next(), it.next());
    let (Some(col), Some(line), Some(file)) = (col, line, file) else {
        bail!("expected FILE:LINE:COL, got `{target}`");
    };
    let num = |s: &str, what: &str| -> Result<usize> {
        match s.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => bail!("{what} must be a number from 1, got `{s}` in `{target}`"),
        }
    };
    Ok((file, num(line, "LINE")?, num(col, "COL")?))
}

/// The text of `file` (`-`: stdin) and its path: `path` names stdin; a file on disk is called by
/// its own name, so that the privacy rules see (and resolve) the file that is really sent. The
/// input is a regular UTF-8 text file (or stream) of at most the reader's cap, or a clear error.
pub fn read_input(file: &str, path: Option<&str>) -> Result<(String, Option<String>)> {
    if file == "-" {
        let text = files::read_stream(std::io::stdin().lock(), "stdin", files::MAX_FILE_BYTES)?;
        return Ok((text, path.map(str::to_owned)));
    }
    Ok((read_file(file)?, Some(file.to_owned())))
}

/// The text of the file named on the command line, through the engine's one reader.
pub fn read_file(file: &str) -> Result<String> {
    Ok(files::read_text_capped(Path::new(file), file, files::MAX_FILE_BYTES)?)
}

/// Byte offset of 1-based `line` and `col` (in characters; one past the last character is the
/// end of the line). Lines end as they do for editors: at `\n`, `\r\n` or a lone `\r`.
pub fn cursor_offset(text: &str, line: usize, col: usize) -> Result<usize> {
    use tandem_core::reference::{line_count, line_end, line_start};
    let Some(start) = line_start(text, line.saturating_sub(1)) else {
        bail!("line {line} is past the end of the file ({} lines)", line_count(text));
    };
    let content = &text[start..line_end(text, start)];
    let chars = content.chars().count();
    if col > chars + 1 {
        bail!("column {col} is past the end of line {line} ({chars} characters)");
    }
    Ok(start + content.char_indices().nth(col - 1).map_or(content.len(), |(i, _)| i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_from_the_right() {
        assert_eq!(parse_target("a:b.py:3:7").unwrap(), ("a:b.py", 3, 7));
        assert!(parse_target("a.py:0:1").is_err());
        assert!(parse_target("a.py:3").is_err());
    }

    #[test]
    fn positions_count_characters() {
        let text = "héllo\nwörld\n";
        assert_eq!(cursor_offset(text, 1, 1).unwrap(), 0);
        assert_eq!(cursor_offset(text, 1, 3).unwrap(), 3);
        assert_eq!(cursor_offset(text, 2, 6).unwrap(), text.len() - 1);
        assert_eq!(cursor_offset(text, 3, 1).unwrap(), text.len());
        assert!(cursor_offset(text, 4, 1).is_err());
        assert!(cursor_offset(text, 1, 7).is_err());
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let text = "a = 1\rb = 2\r\nc = 3\r";
        assert_eq!(cursor_offset(text, 2, 1).unwrap(), 6);
        assert_eq!(cursor_offset(text, 3, 6).unwrap(), text.len() - 1);
        assert_eq!(cursor_offset(text, 4, 1).unwrap(), text.len());
        assert!(cursor_offset(text, 2, 7).is_err(), "the CRLF is no character of line 2");
    }
}
