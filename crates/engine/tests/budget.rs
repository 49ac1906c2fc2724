//! The prompt budget holds when counted with the real tokenizer: for each language's fixture
//! workspace and both context layouts, the rendered prompt is the layout's fixed tokens plus the
//! context files, prefix and suffix as counted (exactly in the repository-level layout; in the
//! comments layout at most that, text joined at a boundary merging into fewer tokens at most once
//! per boundary), and each part stays within its budget — also in a line longer than the budget,
//! which is cut near the cursor rather than kept whole.
//!
//! Uses the default model's tokenizer (fetched by `scripts/test`); `TANDEM_TEST_MODEL` overrides.

use std::path::Path;
use tandem_context::Language;
use tandem_context::gather::{Request, gather};
use tandem_context::index::Index;
use tandem_core::{ContextLayout, FimPrompt, Prompt};
use tandem_engine::fim_prompt;
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
        for layout in [ContextLayout::Repository, ContextLayout::Comments] {
            for (prefix_tokens, suffix_tokens, context_tokens) in [(40, 8, 20), (90, 12, 45), (300, 30, 120)]
            {
                let req = Request {
                    path: &path,
                    language: Language::from_path(&path),
                    text: &text,
                    tree: None,
                    cursor,
                    prefix_tokens,
                    suffix_tokens,
                    context_tokens,
                    layout,
                    anchor: None,
                    grow: true,
                    recent: &[],
                    open: &[],
                };
                let ctx = gather(&req, &index, None, &count);
                let (p, s) = (count(&ctx.window.prefix), count(&ctx.window.suffix));
                let (files, files_tokens) = (ctx.files.clone(), ctx.files_tokens);
                let fixed = fmt.render(&tok, &Prompt::Fim(FimPrompt::default())).unwrap().len();
                let fixed_repo = fmt
                    .render(
                        &tok,
                        &Prompt::Fim(FimPrompt {
                            repo: Some("fixture".into()),
                            path: Some(path.clone()),
                            ..FimPrompt::default()
                        }),
                    )
                    .unwrap()
                    .len();
                let prompt =
                    fim_prompt(ctx, layout, req.language, Some(path.clone()), Some("fixture".into()));
                let rendered = fmt.render(&tok, &Prompt::Fim(prompt)).unwrap().len();
                match layout {
                    ContextLayout::Repository => assert_eq!(
                        rendered,
                        fixed_repo + files_tokens + p + s,
                        "{lang}: the counts are the prompt's"
                    ),
                    // Text joined at a boundary can only merge into fewer tokens.
                    ContextLayout::Comments => {
                        assert!(
                            rendered <= fixed + files_tokens + p + s,
                            "{lang}: the counts bound the prompt"
                        );
                        assert!(
                            rendered + files.len() >= fixed + files_tokens + p + s,
                            "{lang}: the counts are the prompt's"
                        );
                    }
                }
                assert!(files_tokens <= context_tokens, "{lang}: context {files_tokens} > {context_tokens}");
                assert!(
                    p <= prefix_tokens - files_tokens,
                    "{lang}: prefix {p} + context {files_tokens} > {prefix_tokens}"
                );
                assert!(s <= suffix_tokens, "{lang}: suffix {s} > {suffix_tokens}");
                if prefix_tokens >= 300 {
                    assert!(!files.is_empty(), "{lang}: no context with {context_tokens} tokens to spend");
                }
            }
        }
    }
}

#[test]
fn budgets_hold_in_a_line_longer_than_the_budget() {
    let tok = TextTokenizer::load(&model_path()).expect("tokenizer");
    let count = |s: &str| tok.encode(s).unwrap().len();
    // Minified code: one line of 200 KB, the cursor in the middle, with and without a grammar.
    let line: String = (0..4000).map(|i| format!("function f{i}(a,b){{return a*{i}+b;}}")).collect();
    let cursor = line.len() / 2;
    let cursor = (cursor..).find(|&c| line.is_char_boundary(c)).unwrap();
    for path in ["min.js", "min.txt"] {
        for (prefix_tokens, suffix_tokens) in [(40, 8), (768, 48)] {
            let req = Request {
                path,
                language: Language::from_path(path),
                text: &line,
                tree: None,
                cursor,
                prefix_tokens,
                suffix_tokens,
                context_tokens: 0,
                layout: ContextLayout::Comments,
                anchor: None,
                grow: false,
                recent: &[],
                open: &[],
            };
            let w = gather(&req, &Index::default(), None, &count).window;
            let (p, s) = (count(&w.prefix), count(&w.suffix));
            assert!(p <= prefix_tokens && s <= suffix_tokens, "{path}: {p} + {s} tokens");
            assert!(
                p >= prefix_tokens * 9 / 10 && s >= suffix_tokens * 3 / 4,
                "{path}: {p} + {s}: the budget is used"
            );
            assert!(line[..cursor].ends_with(&w.prefix) && line[cursor..].starts_with(&w.suffix));
        }
    }
}
