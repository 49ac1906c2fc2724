//! `tandem context FILE:LINE:COL`: shows what a completion prompt at that cursor would hold —
//! the workspace definitions and the windows of the file — with token counts. For checking and
//! tuning what the model sees.

use crate::models::{self, Choice};
use crate::target::{cursor_offset, find_root, open_in_workspace, parse_target, read_file};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::{Language, Place, file_cost};
use tandem_model::TextTokenizer;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// FILE:LINE:COL, 1-based, the column counted in characters.
    target: String,
    /// The workspace root (default: the nearest directory above FILE holding .git, else the
    /// current directory).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(
    manifest: &Manifest,
    choice: &Choice,
    settings: &CompletionSettings,
    args: Args,
) -> Result<ExitCode> {
    let (file, line, col) = parse_target(&args.target)?;
    let text = read_file(file)?;
    let cursor = cursor_offset(&text, line, col).with_context(|| format!("bad position {}", args.target))?;
    let root = std::path::absolute(args.root.clone().unwrap_or_else(|| find_root(Path::new(file))))?;
    let resolved = models::resolve(manifest, choice)?;
    let tokenizer = TextTokenizer::load(&resolved.path)?;
    let count = |s: &str| tokenizer.encode(s).map_or(s.len() / 3 + 1, |t| t.len());

    let (engine, report) = open_in_workspace(settings.clone(), &root, Path::new(file), text, "")?;
    let path = engine.document(file).and_then(|d| d.path).unwrap_or_else(|| file.to_owned());
    // The engine's own assembly, as the editor's first request there would get it.
    let ctx = engine.plan(file, Place::Offset(cursor), &count)?;
    let language = Language::from_path(&path).filter(|_| settings.context);
    let cost = |p: &str, content: &str| file_cost(settings.context_layout, language, p, content, &count);
    let w = &ctx.window;
    if args.json {
        let files: Vec<_> = ctx
            .files
            .iter()
            .map(|f| serde_json::json!({"path": f.path, "content": f.content, "tokens": cost(&f.path, &f.content)}))
            .collect();
        let out = serde_json::json!({
            "root": root.display().to_string(),
            "path": path,
            "indexed_files": report.indexed,
            "files": files,
            "files_tokens": ctx.files_tokens,
            "headers": &w.prefix[..w.header_len],
            "prefix": &w.prefix[w.header_len..],
            "prefix_tokens": count(&w.prefix),
            "suffix": w.suffix,
            "suffix_tokens": count(&w.suffix),
        });
        println!("{out:#}");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "# workspace {} ({} files indexed in {} ms)",
        root.display(),
        report.indexed,
        report.elapsed.as_millis()
    );
    for f in &ctx.files {
        println!("\n## {} ({} tokens)\n{}", f.path, cost(&f.path, &f.content), f.content);
    }
    println!(
        "\n## {path}: before the cursor ({} tokens, headers {} bytes)\n{}",
        count(&w.prefix),
        w.header_len,
        w.prefix
    );
    println!("\n## after the cursor ({} tokens)\n{}", count(&w.suffix), w.suffix);
    println!(
        "\n# context {} + prefix {} + suffix {} tokens",
        ctx.files_tokens,
        count(&w.prefix),
        count(&w.suffix)
    );
    Ok(ExitCode::SUCCESS)
}
