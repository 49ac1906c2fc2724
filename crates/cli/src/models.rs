//! Choosing a model: the manifest, names versus paths, and what to say when a model is missing.

use crate::store;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tandem_core::{Manifest, PromptFormat};
use tandem_model::{LoadOptions, LocalBackend, Runtime};

const BUILTIN_MANIFEST: &str = include_str!("../../../models/manifest.toml");

pub fn load_manifest(path: Option<&Path>) -> Result<Manifest> {
    match path {
        None => Ok(Manifest::parse(BUILTIN_MANIFEST)?),
        Some(p) => {
            let text = tandem_engine::files::read_text(p).context("reading the manifest")?;
            Manifest::parse(&text).with_context(|| format!("in {}", p.display()))
        }
    }
}

/// What the user asked for on the command line.
#[derive(Clone, Debug)]
pub struct Choice {
    pub model: Option<String>,
    pub pull: bool,
}

/// A model file ready to load.
#[derive(Debug)]
pub struct Resolved {
    pub name: String,
    pub path: PathBuf,
    pub format: PromptFormat,
}

/// Finds the model file: a path is used as it is (with the format of the manifest entry whose
/// file name matches, else the default's); a name is looked up in the manifest and the store.
pub fn resolve(manifest: &Manifest, choice: &Choice) -> Result<Resolved> {
    let wanted = choice.model.clone().unwrap_or_else(|| manifest.default.clone());
    let format_of = |name: &str| manifest.format(name).cloned().context("manifest format missing");
    if let Some(entry) = manifest.model(&wanted) {
        let path = store::model_path(entry)?;
        if !store::is_present(entry)? {
            if !choice.pull {
                bail!(
                    "model `{}` is not installed; fetch it with `tandem model pull {}` (about {}), \
                     pass --pull, or give a GGUF file with --model PATH",
                    entry.name,
                    entry.name,
                    store::human(entry.size)
                );
            }
            store::pull(entry, &store::PullOptions::default())?;
        }
        return Ok(Resolved { name: entry.name.clone(), path, format: format_of(&entry.format)? });
    }
    let path = PathBuf::from(&wanted);
    if !path.is_file() {
        let names: Vec<&str> = manifest.models.iter().map(|m| m.name.as_str()).collect();
        bail!("no model file at {wanted} and no known model of that name (known: {})", names.join(", "));
    }
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    let entry = manifest.model_by_file(&file).unwrap_or(manifest.default_model());
    Ok(Resolved { name: file.into_owned(), format: format_of(&entry.format)?, path })
}

/// Loads the chosen model into a runtime.
pub fn load_runtime(manifest: &Manifest, choice: &Choice, opts: &LoadOptions) -> Result<(Resolved, Runtime)> {
    let resolved = resolve(manifest, choice)?;
    let runtime = Runtime::load(&resolved.path, resolved.format.clone(), opts)?;
    Ok((resolved, runtime))
}

/// Loads the chosen model behind its worker thread.
pub fn load_backend(
    manifest: &Manifest,
    choice: &Choice,
    opts: &LoadOptions,
) -> Result<(Resolved, LocalBackend)> {
    let (resolved, runtime) = load_runtime(manifest, choice, opts)?;
    let backend = LocalBackend::spawn(resolved.name.clone(), runtime).context("starting the model thread")?;
    Ok((resolved, backend))
}

pub fn list(manifest: &Manifest) -> Result<ExitCode> {
    println!("models directory: {}", store::models_dir()?.display());
    for m in &manifest.models {
        let mark = if m.name == manifest.default { "*" } else { " " };
        let state = if store::is_present(m)? { "installed" } else { "not installed" };
        println!("{mark} {:<22} {:>9}  {:<13}  {}", m.name, store::human(m.size), state, m.description);
    }
    println!("(* default; fetch one with `tandem model pull NAME`)");
    Ok(ExitCode::SUCCESS)
}

pub fn pull(manifest: &Manifest, name: Option<&str>, opts: store::PullOptions) -> Result<ExitCode> {
    let entry = match name {
        None => manifest.default_model(),
        Some(n) => manifest.model(n).with_context(|| {
            let names: Vec<&str> = manifest.models.iter().map(|m| m.name.as_str()).collect();
            format!("unknown model `{n}` (known: {})", names.join(", "))
        })?,
    };
    if store::is_present(entry)? && opts.find_links.is_none() {
        eprintln!("tandem: {} is already installed at {}", entry.name, store::model_path(entry)?.display());
        return Ok(ExitCode::SUCCESS);
    }
    store::pull(entry, &opts)?;
    Ok(ExitCode::SUCCESS)
}
