//! The prompt budget holds exactly when counted with the real tokenizer: for each language's
//! fixture workspace, the rendered repository-level prompt is the layout's fixed tokens plus the
//! context files, prefix and suffix as counted, and each part stays within its budget.
//!
//! Uses the default model's tokenizer (fetched by `scripts/test`); `TANDEM_TEST_MODEL` overrides.

use std::path::Path;
use tandem_context::Language;
use tandem_context::gather::{Request, gather};
use tandem_context::index::Index;
use tandem_core::{FimPrompt, Prompt};
use tandem_model::TextTokenizer;
use tandem_model::format::Formatter;

#[path = "../../model/tests/support/model.rs"]
mod model;

use model::{manifest, model_path};

fn files_under(dir: &Path, root: &Path, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, root, out);
        } else if p.extension().is_none_or(|x| x != "snap") {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((rel, std::fs::read_to_string(&p).unwrap()));
        }
    }
}

#[test]
fn budgets_hold_with_the_real_tokenizer() {
    let tok = TextTokenizer::load(&model_path()).expect("tokenizer");
    let m = manifest();
    let fmt = Formatter::new(m.format(&m.default_model().format).unwrap().clone(), &tok).unwrap();
    let count = |s: &str| tok.encode(s).unwrap().len();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../context/tests/fixtures");
    for lang in ["rust", "python", "javascript", "typescript", "go", "c", "cpp", "java"] {
        let root = fixtures.join(lang);
        let mut files = Vec::new();
        files_under(&root, &root, &mut files);
        let mut index = Index::default();
        let mut marked = None;
        for (path, text) in files {
            let clean = text.replace("$0", "");
            let _ = index.update(&path, &clean);
            if let Some(c) = text.find("$0") {
                marked = Some((path, clean, c));
            }
        }
        let (path, text, cursor) = marked.unwrap();
        for (prefix_tokens, suffix_tokens, context_tokens) in [(40, 8, 20), (90, 12, 45), (300, 30, 120)] {
            let req = Request {
                path: &path,
                language: Language::from_path(&path),
                text: &text,
                cursor,
                prefix_tokens,
                suffix_tokens,
                context_tokens,
                anchor: None,
                grow: true,
                recent: &[],
                open: &[],
            };
            let ctx = gather(&req, &index, None, &count);
            let w = &ctx.window;
            let fim = |files, prefix: &str, suffix: &str| {
                Prompt::Fim(FimPrompt {
                    prefix: prefix.into(),
                    suffix: suffix.into(),
                    repo: Some("fixture".into()),
                    path: Some(path.clone()),
                    files,
                })
            };
            let fixed = fmt.render(&tok, &fim(Vec::new(), "", "")).unwrap().len();
            let rendered = fmt.render(&tok, &fim(ctx.files.clone(), &w.prefix, &w.suffix)).unwrap().len();
            let (p, s) = (count(&w.prefix), count(&w.suffix));
            assert_eq!(rendered, fixed + ctx.files_tokens + p + s, "{lang}: the counts are the prompt's");
            assert!(
                ctx.files_tokens <= context_tokens,
                "{lang}: context {} > {context_tokens}",
                ctx.files_tokens
            );
            let cursor_line = text[..cursor].rsplit('\n').next().unwrap();
            assert!(
                p <= prefix_tokens - ctx.files_tokens || w.prefix == cursor_line,
                "{lang}: prefix {p} + context {} > {prefix_tokens}",
                ctx.files_tokens
            );
            let rest_of_line = text[cursor..].split_inclusive('\n').next().unwrap_or("");
            assert!(s <= suffix_tokens || w.suffix == rest_of_line, "{lang}: suffix {s} > {suffix_tokens}");
            if prefix_tokens >= 300 {
                assert!(!ctx.files.is_empty(), "{lang}: no context with {context_tokens} tokens to spend");
            }
        }
    }
}
