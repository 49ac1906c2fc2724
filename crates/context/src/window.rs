//! Syntax-aware prefix and suffix windows: whole lines within a token budget, the prefix starting
//! where a statement starts (not inside an expression, string or comment), and — when the window
//! cuts into the functions, classes or impls around the cursor — their headers kept in front of
//! it, so the model knows where it is.

use crate::language::{self, Language};
use crate::lines::{
    is_window_start, prefix_start, reach_back, reach_forward, stable_prefix_start, suffix_end, tail_start,
};
use crate::outline::{Kind, Outline};
use tree_sitter::Tree;

/// Lines the prefix start may move forward to reach a statement boundary.
const BOUNDARY_SEARCH_LINES: usize = 12;

/// The text kept around the cursor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Headers of the enclosing definitions cut by the window (with a closing ellipsis line),
    /// then the window's text before the cursor.
    pub prefix: String,
    /// The window's text after the cursor.
    pub suffix: String,
    /// Where the window's own text starts in the document (a line start, or a place inside a line
    /// too long for the window): the anchor to pass back next time so that consecutive prompts
    /// share their start.
    pub start: usize,
    /// Bytes of `prefix` that are headers rather than window text.
    pub header_len: usize,
}

/// A parsed document: what [`window`] needs to cut at syntax boundaries.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub language: Language,
    pub tree: &'a Tree,
    pub outline: &'a Outline,
}

/// Token budgets of the windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// The most the prefix (headers included) may take.
    pub prefix: usize,
    /// What a new prefix start takes, leaving the rest to grow into as the user types.
    pub fresh: usize,
    pub suffix: usize,
}

impl Budget {
    /// A prefix budget of which a new start takes three quarters.
    pub fn new(prefix: usize, suffix: usize) -> Self {
        Self { prefix, fresh: prefix - prefix / 4, suffix }
    }
}

/// The windows around byte offset `cursor` of `text` (a char boundary), within `budget`.
/// An earlier window of the same document, to keep while the text from it fits: where it
/// started, and the header lines shown in front of it when the text above that start has not
/// changed since (a half-typed function parses differently from one keystroke to the next; the
/// headers must not follow it, or the prompt's start — and the KV cache — changes on every key).
#[derive(Clone, Copy, Debug)]
pub struct Anchor<'a> {
    pub start: usize,
    pub headers: Option<&'a str>,
}

/// `anchor` is an earlier window's start, kept while the text from it fits. Without `parsed`,
/// plain lines. Only the text within reach of the budgets ([`reach_back`], [`reach_forward`]) is
/// looked at: a window costs the same in a document of any size, and in a line of any length.
pub fn window(
    text: &str,
    cursor: usize,
    parsed: Option<&Parsed<'_>>,
    budget: Budget,
    anchor: Option<Anchor<'_>>,
    count: &dyn Fn(&str) -> usize,
) -> Window {
    let kept_headers = anchor.and_then(|a| a.headers);
    let (prefix_budget, suffix_budget) = (budget.prefix, budget.suffix);
    // Offsets into `before` are relative to `lo`.
    let lo = reach_back(text, cursor, prefix_budget);
    let before = &text[lo..cursor];
    let after = &text[cursor..reach_forward(text, cursor, suffix_budget)];
    let suffix = &after[..suffix_end(after, suffix_budget, count)];
    let anchored = anchor
        .and_then(|a| a.start.checked_sub(lo))
        .filter(|&a| is_window_start(before, a, prefix_budget, count));
    let Some(p) = parsed else {
        let start = stable_prefix_start(before, anchored, prefix_budget, budget.fresh, count);
        return assemble(String::new(), before, lo, start, suffix);
    };
    // What the prompt's prefix costs: headers and window together, as the model reads them.
    let cost = |headers: &str, start: usize| count(&format!("{headers}{}", &before[start..]));
    // Keep the anchor while the headers it needs and the text from it still fit.
    if let Some(a) = anchored {
        let headers = kept_headers.map_or_else(|| headers(p, text, cursor, lo + a), str::to_owned);
        if cost(&headers, a) <= prefix_budget {
            return assemble(headers, before, lo, a, suffix);
        }
    }
    // A fresh start leaves room to grow into.
    let fresh = lo + prefix_start(before, budget.fresh, count);
    let mut start = boundary_at_or_after(p, text, fresh, cursor) - lo;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    loop {
        let headers = headers(p, text, cursor, lo + start);
        let used = cost(&headers, start);
        if used <= prefix_budget {
            return assemble(headers, before, lo, start, suffix);
        }
        if start >= line_start {
            // Only the cursor's own line is left: drop the headers to stay within budget, and
            // cut inside the line when even it is over.
            if count(&before[start..]) > prefix_budget {
                start += tail_start(&before[start..], prefix_budget, count);
            }
            return assemble(String::new(), before, lo, start, suffix);
        }
        // Headers took room: start a line later.
        start += before[start..].find('\n').map_or(before.len() - start, |i| i + 1);
    }
}

/// The window from `start` (relative to `lo`, where `before` starts in the document).
fn assemble(headers: String, before: &str, lo: usize, start: usize, suffix: &str) -> Window {
    let header_len = headers.len();
    let mut prefix = headers;
    prefix.push_str(&before[start..]);
    Window { prefix, suffix: suffix.to_owned(), start: lo + start, header_len }
}

/// The first line start at or after `start` (and before the cursor's line) that begins a
/// statement; `start` itself when none is near.
fn boundary_at_or_after(p: &Parsed<'_>, text: &str, start: usize, cursor: usize) -> usize {
    if start == 0 {
        return 0;
    }
    let cursor_line = text[..cursor].rfind('\n').map_or(0, |i| i + 1);
    let mut line = start;
    for _ in 0..BOUNDARY_SEARCH_LINES {
        if line >= cursor_line {
            break;
        }
        if is_boundary(p, text, line) {
            return line;
        }
        line += text[line..].find('\n').map_or(text.len() - line, |i| i + 1);
    }
    start
}

/// Whether the line starting at `line` begins a statement: the smallest node spanning the line
/// break before it is a block of statements (a body, a file), not an expression, a string or a
/// comment.
fn is_boundary(p: &Parsed<'_>, text: &str, line: usize) -> bool {
    let before = text[..line].trim_end();
    let Some(last) = before.char_indices().last().map(|(i, _)| i) else { return true };
    let rest = &text[line..];
    let first = line + (rest.len() - rest.trim_start().len());
    // A closing bracket ends something that started above: not a place to start.
    if first >= text.len() || text[first..].starts_with(['}', ')', ']']) {
        return false;
    }
    let Some(node) = p.tree.root_node().descendant_for_byte_range(last, first) else { return false };
    let kind = node.kind();
    node.parent().is_none()
        || kind.ends_with("block")
        || kind.ends_with("body")
        || language::is_block_kind(kind)
}

/// The headers (signature lines) of the definitions around `cursor` that start before `start`,
/// outermost first, each up to where its body begins, then an ellipsis line.
fn headers(p: &Parsed<'_>, text: &str, cursor: usize, start: usize) -> String {
    let mut out = String::new();
    for d in &p.outline.definitions {
        let Some(body) = &d.body else { continue };
        let scope = matches!(
            d.kind,
            Kind::Function
                | Kind::Method
                | Kind::Class
                | Kind::Impl
                | Kind::Trait
                | Kind::Interface
                | Kind::Module
        );
        if !scope
            || d.range.start >= start
            || body.start >= cursor
            || !within(text, d.range.start, body.end, cursor)
        {
            continue;
        }
        let first = text[..d.range.start].rfind('\n').map_or(0, |i| i + 1);
        let body_line = text[..body.start].rfind('\n').map_or(0, |i| i + 1);
        let end = if text[body.start..].starts_with('{') {
            text[body.start..].find('\n').map_or(text.len(), |i| body.start + i + 1)
        } else {
            body_line
        };
        // A header that reaches into the window is visible already.
        if end > start || end <= first {
            continue;
        }
        out.push_str(&text[first..end]);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    if !out.is_empty() {
        let rest = &text[start..];
        let indent = &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()];
        out.push_str(&format!("{indent}{} ...\n", p.language.comment()));
    }
    out
}

/// Whether `cursor` is inside a body ending at `end`: before its end, or after it on blank space
/// indented deeper than the definition (an indented block ends at its last statement).
fn within(text: &str, def_start: usize, end: usize, cursor: usize) -> bool {
    if cursor <= end {
        return true;
    }
    let column = |at: usize| at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[end..cursor].trim().is_empty() && column(cursor) > column(def_start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::parse;

    fn cut(lang: Language, marked: &str, prefix_budget: usize) -> Window {
        let cursor = marked.find("$0").unwrap();
        let text = marked.replace("$0", "");
        let tree = parse(lang, &text).unwrap();
        let outline = Outline::from_tree(lang, &text, &tree);
        let p = Parsed { language: lang, tree: &tree, outline: &outline };
        window(&text, cursor, Some(&p), Budget::new(prefix_budget, 8), None, &|s: &str| s.len())
    }

    #[test]
    fn keeps_the_enclosing_signatures() {
        let text = "impl Parser {\n    fn parse(&mut self, input: &str) -> Result<Value> {\n        let a = 1;\n        let b = 2;\n        let c = 3;\n        $0\n    }\n}\n";
        let w = cut(Language::Rust, text, 115);
        assert_eq!(
            w.prefix,
            "impl Parser {\n    fn parse(&mut self, input: &str) -> Result<Value> {\n        // ...\n        let c = 3;\n        "
        );
        assert_eq!(w.header_len, 85);
    }

    #[test]
    fn an_anchored_window_keeps_the_headers_it_is_given() {
        let marked = "impl Parser {\n    fn parse(&mut self, input: &str) -> Result<Value> {\n        let a = 1;\n        let b = 2;\n        let c = 3;\n        $0\n    }\n}\n";
        let first = cut(Language::Rust, marked, 115);
        let text = marked.replace("$0", "");
        let cursor = marked.find("$0").unwrap();
        let tree = parse(Language::Rust, &text).unwrap();
        let outline = Outline::from_tree(Language::Rust, &text, &tree);
        let p = Parsed { language: Language::Rust, tree: &tree, outline: &outline };
        let count = |s: &str| s.len();
        let at = |headers| Some(Anchor { start: first.start, headers });
        // Without kept headers they are worked out again (the same here); kept ones are used as
        // they are, even where the parse would now say otherwise.
        let again = window(&text, cursor, Some(&p), Budget::new(115, 8), at(None), &count);
        assert_eq!(again, first);
        let kept =
            window(&text, cursor, Some(&p), Budget::new(115, 8), at(Some("fn kept() {\n// ...\n")), &count);
        assert_eq!(kept.start, first.start);
        assert_eq!(kept.prefix, format!("fn kept() {{\n// ...\n{}", &first.prefix[first.header_len..]));
        // Kept headers that no longer fit give way to a fresh window.
        let long = "x".repeat(200);
        let fresh = window(&text, cursor, Some(&p), Budget::new(115, 8), at(Some(&long)), &count);
        assert!(!fresh.prefix.contains(&long));
    }

    #[test]
    fn does_not_start_inside_an_expression() {
        let text = "def f():\n    x = call(\n        a,\n        b,\n    )\n    y = 2\n    $0\n";
        // With a budget that would start at "        b,", the window moves on to "    y = 2".
        let w = cut(Language::Python, text, 48);
        assert_eq!(w.prefix, "def f():\n    # ...\n    y = 2\n    ");
    }
}
