//! Fixture workspaces per language, the cursor marked `$0` in one file: what the gathered
//! context holds, compared with a snapshot (`tests/fixtures/<lang>.snap`). Run with
//! `UPDATE_SNAPSHOTS=1` to rewrite them after an intended change, and review the diff.

use std::path::{Path, PathBuf};
use tandem_context::Language;
use tandem_context::gather::{Request, gather};
use tandem_context::index::Index;
use tandem_core::ContextLayout;

/// A stand-in token count: deterministic and close to code's real ratio.
fn count(s: &str) -> usize {
    s.len().div_ceil(4)
}

fn files_under(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, root, out);
        } else {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The workspace of a fixture, indexed, and its marked file with the cursor offset.
pub fn workspace(lang: &str) -> (Index, String, String, usize) {
    let root = fixtures().join(lang);
    let mut files = Vec::new();
    files_under(&root, &root, &mut files);
    let mut index = Index::default();
    let mut marked = None;
    for (path, text) in files {
        if let Some(cursor) = text.find("$0") {
            let text = text.replace("$0", "");
            index.update(&path, &text).unwrap();
            marked = Some((path, text, cursor));
        } else {
            let _ = index.update(&path, &text);
        }
    }
    let (path, text, cursor) = marked.expect("a file marked with $0");
    (index, path, text, cursor)
}

fn render(lang: &str) -> String {
    let (index, path, text, cursor) = workspace(lang);
    let req = Request {
        path: &path,
        language: Language::from_path(&path),
        text: &text,
        tree: None,
        cursor,
        prefix_tokens: 200,
        suffix_tokens: 16,
        context_tokens: 100,
        layout: ContextLayout::Repository,
        anchor: None,
        grow: true,
        recent: &[],
        open: &[],
    };
    let ctx = gather(&req, &index, None, &count);
    let mut out = String::new();
    for f in &ctx.files {
        out.push_str(&format!("=== {}\n{}\n", f.path, f.content));
    }
    let w = &ctx.window;
    out.push_str(&format!(
        "=== {path} (headers: {} bytes)\n{}<CURSOR>{}\n",
        w.header_len, w.prefix, w.suffix
    ));
    assert!(ctx.files_tokens <= 100, "{lang}: context {} tokens", ctx.files_tokens);
    assert!(count(&w.prefix) <= 200 - ctx.files_tokens, "{lang}: prefix {} tokens", count(&w.prefix));
    assert!(count(&w.suffix) <= 16 || !w.suffix.trim_end().contains('\n'), "{lang}: suffix");
    out
}

fn check(lang: &str) {
    let got = render(lang);
    let snap = fixtures().join(format!("{lang}.snap"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snap, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&snap).unwrap_or_else(|_| panic!("missing {}", snap.display()));
    assert_eq!(got, want, "context for the {lang} fixture changed (UPDATE_SNAPSHOTS=1 to accept)");
}

#[test]
fn rust() {
    check("rust");
}

#[test]
fn python() {
    check("python");
}

#[test]
fn javascript() {
    check("javascript");
}

#[test]
fn typescript() {
    check("typescript");
}

#[test]
fn go() {
    check("go");
}

#[test]
fn c() {
    check("c");
}

#[test]
fn cpp() {
    check("cpp");
}

#[test]
fn java() {
    check("java");
}
