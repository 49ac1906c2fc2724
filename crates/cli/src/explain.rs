//! `tandem explain FILE[:START-END]`: a Markdown explanation of code, streamed to stdout, from
//! the model the router picks (the remote one when configured, the local one otherwise or as a
//! fallback).

use crate::config::Config;
use crate::models::Choice;
use crate::remote;
use crate::target::read_input;
use anyhow::{Result, bail};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use tandem_core::Manifest;
use tandem_core::reference::{parse_ref, select};
use tandem_engine::Focus;
use tandem_engine::fence_language;
use tandem_engine::{ExplainError, ExplainRequest, Progress, RouteError, Router, Workspace};

/// Exit codes of `tandem explain` beyond 0 (success, degraded included), 1 (bad input or
/// config) and 2 (usage).
pub const EXIT_NO_MODEL: u8 = 3;
pub const EXIT_REMOTE_FAILED: u8 = 4;
pub const EXIT_REFUSED: u8 = 5;

#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 answered (also when the local model stood in for a failing remote one), \
1 bad input or config (unreadable, binary or non-UTF-8 file, lines outside the file), 2 usage error, \
3 no model available, 4 the remote model failed and there was no fallback (--remote, or [router] fallback = false), \
5 refused by the privacy rules (--remote with an excluded file or in local-only mode, or no remote configured)."
)]
pub struct Args {
    /// FILE, FILE:LINE or FILE:START-END (1-based, inclusive); `-` reads stdin.
    #[arg(allow_hyphen_values = true)]
    target: String,
    /// The code's language (default: from the file's extension).
    #[arg(long)]
    lang: Option<String>,
    /// The file's name when it comes from stdin (shown to the model, checked by the privacy rules).
    #[arg(long)]
    path: Option<String>,
    /// A question about the code.
    #[arg(long, short)]
    question: Option<String>,
    /// Use the local model only.
    #[arg(long, conflicts_with = "remote")]
    local: bool,
    /// Use the remote model only (no fallback).
    #[arg(long)]
    remote: bool,
    /// Print one JSON object: the text, the model, the route and its reason, timings, tokens.
    #[arg(long)]
    json: bool,
    /// Most tokens of the answer.
    #[arg(long)]
    max_tokens: Option<usize>,
}

/// The file's workspace: the nearest directory above it holding `.git`, else the current
/// directory.
fn workspace_of(file: &Path) -> Option<Workspace> {
    let workspace = Workspace::default();
    workspace.set_root(Some(std::path::absolute(crate::target::find_root(file)).ok()?));
    Some(workspace)
}

/// Indexes the workspace and maps what the file (`rel` in it) uses, leaving out what the privacy
/// rules exclude.
fn workspace_map(workspace: &Workspace, rel: &str, text: &str, router: &Router) -> Option<String> {
    workspace.scan();
    let focus = [Focus { path: rel, text }];
    workspace.map(&focus, &|s| s.len().div_ceil(4), router.rules())
}

pub fn run(manifest: &Manifest, choice: &Choice, config: &Config, args: Args) -> Result<ExitCode> {
    let (file, range) = parse_ref(&args.target).map_err(anyhow::Error::msg)?;
    let (text, path) = read_input(file, args.path.as_deref())?;
    let code = match range {
        Some(r) => select(&text, r).map_err(anyhow::Error::msg)?,
        None => text.clone(),
    };
    if code.trim().is_empty() {
        bail!("nothing to explain: the {} is empty", if range.is_some() { "selection" } else { "file" });
    }
    let language = args.lang.clone().or_else(|| path.as_deref().and_then(fence_language).map(str::to_owned));
    let force = remote::forced_side(args.local, args.remote);
    let router = remote::router(config)?
        .with_local_loader(remote::local_loader(manifest.clone(), remote::local_choice(manifest, choice)));
    // A file on disk is named relative to its workspace, as the language server names it, so
    // that rules anchored at the root apply wherever the command runs from; the router resolves
    // links there. The definitions elsewhere in the workspace that the file uses go along.
    let workspace = (file != "-").then(|| workspace_of(Path::new(file))).flatten();
    let rel = workspace.as_ref().and_then(|w| w.relative(&std::path::absolute(file).ok()?));
    let (path, workspace_map) = match (&workspace, rel) {
        (Some(w), Some(rel)) => {
            router.set_root(w.root().as_deref());
            let map = workspace_map(w, &rel, &text, &router);
            (Some(rel), map)
        }
        _ => (path, None),
    };
    let req = ExplainRequest {
        workspace_map,
        code,
        path,
        language,
        lines: range,
        question: args.question.clone(),
        force,
        max_tokens: args.max_tokens,
    };
    let mut out = std::io::stdout().lock();
    let mut wrote_any = false;
    let mut on = |p: Progress<'_>| match p {
        Progress::Text(t) if !args.json => {
            let _ = out.write_all(t.as_bytes());
            let _ = out.flush();
            wrote_any = true;
        }
        Progress::Text(_) | Progress::Route { .. } => {}
        Progress::Fallback { reason, shown } => {
            eprintln!("tandem: {reason}; answering with the local model");
            if shown && !args.json {
                let _ = out.write_all(b"\n\n---\n\n");
            }
        }
    };
    let result = router.explain(&req, &Default::default(), &mut on);
    remote::save_health(config, &router);
    let e = match result {
        Ok(e) => e,
        Err(err) => {
            let code = match &err {
                ExplainError::NoModel(_) => EXIT_NO_MODEL,
                ExplainError::RemoteFailed(_) => EXIT_REMOTE_FAILED,
                ExplainError::Refused(
                    RouteError::Excluded { .. } | RouteError::LocalOnly | RouteError::NoRemote,
                ) => EXIT_REFUSED,
                ExplainError::LocalFailed(_) => 1,
            };
            if wrote_any {
                println!();
            }
            eprintln!("tandem: error: {err}");
            return Ok(ExitCode::from(code));
        }
    };
    if args.json {
        let v = serde_json::json!({
            "markdown": e.markdown,
            "model": e.model,
            "route": e.route,
            "reason": e.reason,
            "degraded": e.degraded.is_some(),
            "degraded_reason": e.degraded,
            "stop": e.stop,
            "timings_ms": {"route": e.timings.route_ms, "first_token": e.timings.first_token_ms, "total": e.timings.total_ms},
            "tokens": {"sent": e.tokens_sent, "received": e.tokens_received},
            "redactions": e.redactions,
        });
        println!("{v}");
    } else {
        if !e.markdown.ends_with('\n') {
            println!();
        }
        if let Some(why) = &e.degraded {
            eprintln!("tandem: degraded: answered by the local model {} ({why})", e.model);
        }
    }
    Ok(ExitCode::SUCCESS)
}
