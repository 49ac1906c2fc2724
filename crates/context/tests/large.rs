//! Work is bounded by what a prompt needs, not by what the document holds: a 50 MB document, on
//! many lines or on one, costs a completion no more tokenizing than a small one; documents too
//! large to parse get plain windows; a long line's window keeps its start while the user types;
//! and gathering stops looking for context when its time is up.
//!
//! The work is counted (bytes handed to the tokenizer), never timed.

use std::cell::Cell;
use tandem_context::Language;
use tandem_context::gather::{Context, MAX_PARSE_BYTES, Request, gather, gather_until};
use tandem_context::index::Index;
use tandem_context::window::Anchor;
use tandem_core::ContextLayout;

/// A stand-in tokenizer that records how much text it was given.
#[derive(Default)]
struct Counter {
    longest: Cell<usize>,
    total: Cell<usize>,
}

impl Counter {
    fn count(&self, s: &str) -> usize {
        self.longest.set(self.longest.get().max(s.len()));
        self.total.set(self.total.get() + s.len());
        s.len().div_ceil(4)
    }
}

fn tokens(s: &str) -> usize {
    s.len().div_ceil(4)
}

const MB: usize = 1024 * 1024;

fn request<'a>(path: &'a str, text: &'a str, cursor: usize) -> Request<'a> {
    Request {
        path,
        language: Language::from_path(path),
        text,
        tree: None,
        cursor,
        prefix_tokens: 768,
        suffix_tokens: 48,
        context_tokens: 256,
        layout: ContextLayout::Comments,
        anchor: None,
        grow: true,
        recent: &[],
        open: &[],
    }
}

fn workspace() -> Index {
    let mut index = Index::default();
    index
        .update("src/util.rs", "pub fn compute(alpha: u32, beta: u32) -> u32 {\n    alpha * beta\n}\n")
        .unwrap();
    index
}

/// The windows are the document's text at the cursor, within their budgets.
fn check_windows(ctx: &Context, text: &str, cursor: usize, what: &str) {
    let w = &ctx.window;
    assert!(text[..cursor].ends_with(&w.prefix[w.header_len..]), "{what}: the prefix is the text before");
    assert!(text[cursor..].starts_with(&w.suffix), "{what}: the suffix is the text after");
    assert!(tokens(&w.prefix) <= 768 - ctx.files_tokens, "{what}: prefix of {} tokens", tokens(&w.prefix));
    assert!(tokens(&w.suffix) <= 48, "{what}: suffix of {} tokens", tokens(&w.suffix));
    assert!(ctx.files_tokens <= 256, "{what}");
}

#[test]
fn a_fifty_megabyte_document_costs_what_its_windows_need() {
    let index = workspace();
    let statement = "let total = compute(alpha, beta) + offset; ";
    let one_line = statement.repeat(50 * MB / statement.len());
    let many_lines = one_line.replace("; ", ";\n");
    for (what, text) in [("one line", &one_line), ("many lines", &many_lines)] {
        let cursor = text.len() / 2 + 3;
        let counter = Counter::default();
        let ctx = gather(&request("src/big.rs", text, cursor), &index, None, &|s| counter.count(s));
        check_windows(&ctx, text, cursor, what);
        // The windows use their budget (a fresh one leaves a quarter to grow into).
        assert!(
            tokens(&ctx.window.prefix) + ctx.files_tokens >= 500,
            "{what}: {}",
            tokens(&ctx.window.prefix)
        );
        assert!(tokens(&ctx.window.suffix) >= 30, "{what}: {:?}", ctx.window.suffix);
        assert!(
            counter.longest.get() <= 16 * 1024,
            "{what}: {} bytes tokenized at once",
            counter.longest.get()
        );
        assert!(counter.total.get() <= MB, "{what}: {} bytes tokenized in all", counter.total.get());
    }
}

#[test]
fn documents_too_large_to_parse_get_plain_windows() {
    let body = "    let a = compute(1, 2);\n".repeat(40);
    let before = format!("fn outer() {{\n{body}    ");
    let cursor = before.len();
    let small = format!("{before}\n}}\n");
    let large = format!("{small}{}", "// padding\n".repeat(MAX_PARSE_BYTES / 11 + 1));
    assert!(large.len() > MAX_PARSE_BYTES);
    let cut = |text: &str| {
        let mut req = request("src/a.rs", text, cursor);
        req.prefix_tokens = 60;
        gather(&req, &Index::default(), None, &tokens).window
    };
    // The function's header stands in front of a window cut inside it, when the text is parsed.
    assert!(cut(&small).prefix.starts_with("fn outer() {\n    // ...\n"), "{:?}", cut(&small).prefix);
    let plain = cut(&large);
    assert_eq!(plain.header_len, 0, "{:?}", plain.prefix);
    assert!(large[..cursor].ends_with(&plain.prefix));
}

#[test]
fn a_long_lines_window_keeps_its_start_while_typing() {
    let mut text = "x = [".to_owned() + &"1, 2, 3, ".repeat(20_000);
    let first = gather(&request("a.py", &text, text.len()), &Index::default(), None, &tokens).window;
    assert!(tokens(&first.prefix) <= 768);
    assert!(first.start > 0 && !text[..first.start].ends_with('\n'), "cut inside the line");
    for typed in ["4", ",", " ", "5"] {
        text.push_str(typed);
        let mut req = request("a.py", &text, text.len());
        req.anchor = Some(Anchor { start: first.start, headers: None });
        let w = gather(&req, &Index::default(), None, &tokens).window;
        assert_eq!(w.start, first.start, "after typing {typed:?}");
        assert_eq!(w.prefix, text[first.start..]);
    }
}

#[test]
fn gathering_stops_looking_for_context_when_its_time_is_up() {
    let index = workspace();
    let text = "use crate::util::compute;\n\nfn main() {\n    let total = compute(";
    let req = request("src/main.rs", text, text.len());
    let all = gather(&req, &index, None, &tokens);
    assert!(!all.files.is_empty(), "context to find when there is time");

    // Out of time from the start: the windows alone, and nothing but them is tokenized.
    let counter = Counter::default();
    let none = gather_until(&req, &index, None, &|s| counter.count(s), &|| true);
    assert!(none.files.is_empty());
    assert_eq!(none.window.prefix, text);
    assert!(counter.total.get() <= 4 * text.len(), "{} bytes tokenized", counter.total.get());

    // Out of time at any step: whatever was chosen, the context holds together.
    for steps in 0..40 {
        let asked = Cell::new(0);
        let expired = || {
            asked.set(asked.get() + 1);
            asked.get() > steps
        };
        let ctx = gather_until(&req, &index, None, &tokens, &expired);
        check_windows(&ctx, text, text.len(), &format!("after {steps} steps"));
        assert!(ctx.files.len() <= all.files.len());
    }
}
