//! `tandem bench --next-edits DIR`: how fast next edits are found on a real workspace, through
//! the engine with the real model. For functions spread over the workspace's indexed files, two
//! edits at each definition, made on the open document and then undone: the function renamed
//! (every place is found and written without the model: the time is the *where*), and a
//! parameter without a default added (its call sites need an argument the model writes: the time
//! includes writing the first one). Reports the index's size, and per kind of edit the
//! latency p50/p95 of `next_edits` once the edit has settled and the places proposed (the
//! proposals the model writes after the answer are written before the next edit, as the
//! language server does in the background).

use crate::client::percentiles;
use crate::models::{self, Choice};
use anyhow::{Result, bail};
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;
use tandem_core::{CompletionSettings, Manifest};
use tandem_engine::{Change, Engine, Language, position};
use tandem_model::LoadOptions;

/// A function definition to edit: its file, the text, where its name is, where its first
/// line's parameter list closes.
struct Target {
    rel: String,
    language: Language,
    text: Arc<str>,
    name: std::ops::Range<usize>,
    close: Option<usize>,
}

/// Up to `n` function definitions spread over the index, whose names other code uses.
fn targets(engine: &Engine, n: usize) -> Vec<Target> {
    let index = engine.workspace().index();
    let mut all: Vec<Target> = Vec::new();
    let mut entries: Vec<_> = index.entries().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (rel, e) in entries {
        for d in &e.outline.definitions {
            use tandem_engine::DefinitionKind as K;
            if !matches!(d.kind, K::Function | K::Method) || d.name.len() < 4 {
                continue;
            }
            let head = &e.text[d.range.clone()];
            let Some(at) = head.find(&d.name) else { continue };
            let name = d.range.start + at..d.range.start + at + d.name.len();
            let line_end = e.text[name.end..].find('\n').map_or(e.text.len(), |i| name.end + i);
            let line = &e.text[name.end..line_end];
            // `name(…)` closing on the same line, with something inside.
            let close = (line.starts_with('(') && !line.starts_with("()"))
                .then(|| line.find(')').map(|i| name.end + i))
                .flatten();
            all.push(Target { rel: rel.to_owned(), language: e.language, text: e.text.clone(), name, close });
        }
    }
    let step = (all.len() / n.max(1)).max(1);
    all.into_iter().step_by(step).take(n).collect()
}

pub fn run(
    manifest: &Manifest,
    choice: &Choice,
    settings: CompletionSettings,
    dir: &Path,
    n: usize,
    json: bool,
) -> Result<ExitCode> {
    let settings = CompletionSettings { next_edit_delay_ms: 0, ..settings };
    let (resolved, backend) = models::load_backend(manifest, choice, &LoadOptions::default())?;
    let root = std::fs::canonicalize(dir)?;
    let engine = Engine::new(settings).with_backend(Arc::new(backend));
    engine.set_root(Some(&root));
    let scanned = Instant::now();
    let report = engine.scan();
    let scan_ms = scanned.elapsed().as_secs_f64() * 1e3;
    let lines: usize = engine.workspace().index().entries().map(|(_, e)| e.text.lines().count()).sum();
    let targets = targets(&engine, n);
    if targets.is_empty() {
        bail!("{} has no function definitions to edit", dir.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let enc = tandem_engine::Encoding::Utf16;
    let (mut rename_ms, mut add_ms, mut rename_places, mut add_written) = (vec![], vec![], vec![], vec![]);
    for t in &targets {
        let uri = format!("file://{}", root.join(&t.rel).display());
        let edits: Vec<(&str, std::ops::Range<usize>, String)> = {
            let mut e = vec![("rename", t.name.clone(), format!("{}_renamed", &t.text[t.name.clone()]))];
            if let Some(close) = t.close {
                e.push(("add", close..close, ", extra_arg".to_owned()));
            }
            e
        };
        for (kind, range, new) in edits {
            engine.open(
                &uri,
                Some(&root.join(&t.rel)),
                t.text.to_string(),
                1,
                t.language.spec().ids[0].into(),
            );
            let start = position(&t.text, range.start, enc);
            let end = position(&t.text, range.end, enc);
            engine.change(&uri, 2, &[Change { range: Some((start, end)), text: new }])?;
            let asked = Instant::now();
            let proposed = runtime.block_on(engine.next_edits(&uri))?;
            let ms = asked.elapsed().as_secs_f64() * 1e3;
            // As the server does after answering: the model writes the rest, before the next edit.
            runtime.block_on(engine.write_next_edits());
            match kind {
                "rename" => {
                    rename_ms.push(ms);
                    rename_places.push(proposed.len() as f64);
                }
                _ => {
                    add_ms.push(ms);
                    add_written.push(proposed.iter().filter(|p| p.kind == "signature").count() as f64);
                }
            }
            engine.close(&uri);
        }
    }
    let report = json!({
        "model": resolved.name,
        "workspace": {"files": report.indexed, "lines": lines, "scan_ms": scan_ms},
        "edits": targets.len(),
        "rename": {"latency_ms": percentiles(rename_ms), "places": percentiles(rename_places)},
        "add_parameter": {"latency_ms": percentiles(add_ms), "written": percentiles(add_written)},
    });
    if json {
        println!("{report}");
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &Value) {
    let w = &r["workspace"];
    println!(
        "workspace: {} files, {} lines (indexed in {:.0} ms); {} functions edited",
        w["files"],
        w["lines"],
        w["scan_ms"].as_f64().unwrap_or(0.0),
        r["edits"]
    );
    for (label, key, count) in
        [("renamed", "rename", "places"), ("parameter added", "add_parameter", "written")]
    {
        let l = &r[key]["latency_ms"];
        let c = &r[key][count];
        println!(
            "{label:>16}: next edits p50 {:.1} ms, p95 {:.1} ms (n={}); {count} per edit p50 {}, max {}",
            l["p50"].as_f64().unwrap_or(f64::NAN),
            l["p95"].as_f64().unwrap_or(f64::NAN),
            l["n"],
            c["p50"],
            c["max"]
        );
    }
}
