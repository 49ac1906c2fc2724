//! `tandem lsp` (the language server on stdio) and `tandem stats` (its metrics).

use crate::config;
use crate::models::Choice;
use crate::remote;
use anyhow::{Context, Result};
use std::process::ExitCode;
use std::sync::Arc;
use tandem_core::Manifest;
use tandem_engine::{RoutedBackend, Router};

pub fn run(manifest: Manifest, choice: Choice, config: config::Config) -> Result<ExitCode> {
    // Explanations use the larger local model when it is installed; otherwise the server hands
    // the router the completion model once it is loaded.
    // A bad [remote] must not cost the editor its completions: go on without the remote side.
    let mut router = remote::router(&config).unwrap_or_else(|e| {
        eprintln!("tandem: the remote model is off: {e:#}");
        Router::new(config.router.clone(), config.privacy.clone(), None)
    });
    let explain_choice = remote::local_choice(&manifest, &choice);
    if explain_choice.model != choice.model {
        router = router.with_local_loader(remote::local_loader(manifest.clone(), explain_choice));
    }
    let settings = config.completion;
    let router = Arc::new(router);
    let inline_router = router.clone();
    let load_local = remote::local_loader(manifest, choice);
    let loader: tandem_lsp::Loader = Box::new(move || Ok(RoutedBackend::wrap(inline_router, load_local()?)));
    let log_requests =
        std::env::var("TANDEM_LOG").is_ok_and(|v| v.split(',').any(|l| l.trim() == "requests"));
    let options = tandem_lsp::Options {
        settings,
        loader,
        metrics_file: config::metrics_path(),
        log_requests,
        router: Some(router),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(tandem_lsp::serve(tokio::io::stdin(), tokio::io::stdout(), options));
    // The model thread may be mid-answer; nothing it does matters after exit.
    std::process::exit(0)
}

pub fn stats(json: bool) -> Result<ExitCode> {
    let path = config::metrics_path().context("neither XDG_STATE_HOME nor HOME is set")?;
    let text = tandem_engine::files::read_text(&path).with_context(|| {
        format!("no metrics at {} (has `tandem lsp` answered a request yet?)", path.display())
    })?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    if json {
        println!("{v}");
        return Ok(ExitCode::SUCCESS);
    }
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let f = |k: &str| v[k].as_f64().map_or("-".to_owned(), |x| format!("{x:.0} ms"));
    println!("model            {}", v["model"].as_str().unwrap_or("?"));
    println!("requests         {}", n("requests"));
    println!("  reuse hits     {}", n("reuse_hits"));
    println!("  cache hits     {}", n("cache_hits"));
    println!("  model calls    {}", n("model_calls"));
    println!("  cancelled      {}", n("cancelled"));
    println!("  empty          {}", n("empty"));
    println!("  errors         {}", n("errors"));
    println!("suggestions      {} shown, {} hidden (too unsure)", n("shown"), n("hidden"));
    println!("  accepted       {}", n("accepted"));
    println!("  dismissed      {}", n("dismissed"));
    println!("  routed up      {}", n("routed_up"));
    println!("latency p50      {}", f("latency_p50_ms"));
    println!("latency p95      {}", f("latency_p95_ms"));
    if let Some(t) = v["mean_evaluated_tokens"].as_f64() {
        println!("prompt tokens evaluated per model call (mean): {t:.0}");
    }
    Ok(ExitCode::SUCCESS)
}
