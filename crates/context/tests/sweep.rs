//! Context gathering never fails: every prefix of real files (broken code at every point), with
//! the cursor at its end and at that point of the whole file, gives windows within budget (a line
//! longer than the budget is cut, not kept whole).

use std::path::Path;
use tandem_context::Language;
use tandem_context::gather::{Request, gather};
use tandem_context::index::Index;
use tandem_context::window::Anchor;
use tandem_core::ContextLayout;

fn count(s: &str) -> usize {
    s.len().div_ceil(4)
}

fn sweep(path: &str, text: &str, index: &Index, step: usize) {
    let mut checked = 0;
    for i in (0..=text.len()).step_by(step).filter(|&i| text.is_char_boundary(i)) {
        for (doc, cursor) in [(&text[..i], i), (text, i)] {
            let req = Request {
                path,
                language: Language::from_path(path),
                text: doc,
                tree: None,
                cursor,
                prefix_tokens: 120,
                suffix_tokens: 20,
                context_tokens: 40,
                layout: if i % 2 == 0 { ContextLayout::Comments } else { ContextLayout::Repository },
                anchor: (i % 3 == 0).then_some(Anchor { start: i / 2, headers: None }),
                grow: i % 2 == 0,
                recent: &[],
                open: &[],
            };
            let ctx = gather(&req, index, None, &count);
            let w = &ctx.window;
            assert!(ctx.files_tokens <= 40, "{path}@{i}");
            assert!(
                count(&w.prefix) <= 120 - ctx.files_tokens,
                "{path}@{i}: prefix of {} tokens",
                count(&w.prefix)
            );
            assert!(count(&w.suffix) <= 20, "{path}@{i}: suffix of {} tokens", count(&w.suffix));
            assert!(
                doc[..cursor].ends_with(&w.prefix[w.header_len..]),
                "{path}@{i}: the window is the text before the cursor"
            );
            assert!(
                doc[cursor..].starts_with(&w.suffix),
                "{path}@{i}: the suffix is the text after the cursor"
            );
        }
        checked += 1;
    }
    assert!(checked > 50, "{path}: only {checked} points");
}

#[test]
fn every_prefix_of_real_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut index = Index::default();
    let files = [
        "src/gather.rs",
        "src/window.rs",
        "tests/fixtures/python/pkg/views.py",
        "tests/fixtures/python/pkg/util.py",
        "tests/fixtures/typescript/src/client/http.ts",
        "tests/fixtures/go/util/strings.go",
        "tests/fixtures/c/src/vec.h",
        "tests/fixtures/cpp/include/geo/point.hpp",
        "tests/fixtures/java/src/main/java/com/acme/model/Order.java",
        "tests/fixtures/javascript/src/math.js",
    ];
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(root.join(f)).unwrap().replace("$0", "")))
        .collect();
    for (p, t) in &texts {
        index.update(p, t).unwrap();
    }
    for (p, t) in &texts {
        // Every byte of small files; about 150 points of large ones.
        sweep(p, t, &index, (t.len() / 150).max(1));
    }
}
