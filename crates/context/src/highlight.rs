//! Syntax highlighting of code with the languages' tree-sitter grammars and their highlight
//! queries, reduced to a few coarse kinds (a face draws them; this module knows no colours).
//!
//! The queries are the ones bundled with the grammar crates. TypeScript's and C++'s hold only
//! additions to JavaScript's and C's, so those are compiled together (base first). The bundled
//! queries disagree on which of several patterns matching one node should win (Go lists the
//! specific patterns first, the others last), so here a capture that means something (a
//! [`Highlight`]) always beats one that does not (`@variable`, `@property`, …) on the same
//! bytes, and among the meaningful ones the later pattern wins. Where captures nest, the inner
//! one wins for its bytes: an escape inside a string, plain code inside a template substitution.

use crate::Language;
use crate::outline::MAX_PARSE_BYTES;
use std::cmp::Reverse;
use std::ops::Range;
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tree_sitter::{ParseOptions, ParseState, Parser, Query, QueryCursor, StreamingIterator, Tree};

/// What a highlighted piece of code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Highlight {
    Keyword,
    String,
    Comment,
    Function,
    Type,
    Number,
    Constant,
    Attribute,
    Operator,
}

/// Parsing longer than this gives up (no highlights): highlighting is for showing code, now.
const PARSE_BUDGET: Duration = Duration::from_millis(50);

/// Highlighted byte ranges of `code`, sorted and not overlapping; plain text is left out.
/// Unknown languages and unparsable code give no highlights (never fails).
pub fn highlight(language: Language, code: &str) -> Vec<(Range<usize>, Highlight)> {
    if code.is_empty() || code.len() > MAX_PARSE_BYTES {
        return Vec::new();
    }
    let Some(config) = config(language) else {
        return Vec::new();
    };
    let Some(tree) = parse(language, code) else {
        return Vec::new();
    };

    struct Capture {
        range: Range<usize>,
        kind: Option<Highlight>,
        pattern: usize,
    }
    let mut captures = Vec::new();
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&config.query, tree.root_node(), code.as_bytes());
    while let Some(m) = matches.next() {
        for c in m.captures {
            let range = c.node.byte_range();
            if range.is_empty() || range.end > code.len() {
                continue;
            }
            let kind = config.kinds[c.index as usize].map(|k| refine(k, c.node.kind()));
            captures.push(Capture { range, kind, pattern: m.pattern_index });
        }
    }

    // Paint outer captures first so inner ones overwrite them; on the same bytes the winner
    // (meaningful over plain, then the later pattern) paints last.
    captures.sort_by_key(|c| (Reverse(c.range.len()), c.kind.is_some(), c.pattern));
    let mut paint: Vec<Option<Highlight>> = vec![None; code.len()];
    for c in &captures {
        paint[c.range.clone()].fill(c.kind);
    }

    // Runs of equal kinds, whole characters only (a character takes the kind of its first byte).
    let mut out: Vec<(Range<usize>, Highlight)> = Vec::new();
    for (i, ch) in code.char_indices() {
        let Some(kind) = paint[i] else { continue };
        let end = i + ch.len_utf8();
        match out.last_mut() {
            Some((last, k)) if last.end == i && *k == kind => last.end = end,
            _ => out.push((i..end, kind)),
        }
    }
    out
}

/// The kind a capture name stands for, by its first dotted component; `None` for captures
/// that are drawn plain (variables, properties, punctuation, …).
fn kind_of(capture: &str) -> Option<Highlight> {
    if capture == "constant.numeric" {
        return Some(Highlight::Number);
    }
    let head = capture.split('.').next().unwrap_or_default();
    Some(match head {
        "keyword" | "conditional" | "repeat" | "include" | "exception" | "storageclass" => Highlight::Keyword,
        "string" | "character" | "escape" => Highlight::String,
        "comment" => Highlight::Comment,
        "function" | "method" | "constructor" => Highlight::Function,
        "type" | "module" | "namespace" => Highlight::Type,
        "number" | "float" => Highlight::Number,
        "constant" | "boolean" => Highlight::Constant,
        "attribute" | "label" | "macro" | "decorator" | "annotation" => Highlight::Attribute,
        "operator" => Highlight::Operator,
        _ => return None,
    })
}

/// Rust's query captures number literals as `@constant.builtin`: numbers are numbers.
fn refine(kind: Highlight, node_kind: &str) -> Highlight {
    let numeric = matches!(node_kind, "integer_literal" | "float_literal" | "number_literal");
    if kind == Highlight::Constant && numeric { Highlight::Number } else { kind }
}

/// A compiled highlight query and the kind of each of its captures.
#[derive(Debug)]
struct Config {
    query: Query,
    kinds: Vec<Option<Highlight>>,
}

/// The language's highlight query, compiled once; `None` when none of its sources compiles.
fn config(language: Language) -> Option<&'static Config> {
    static CONFIGS: [OnceLock<Option<Config>>; 9] = [const { OnceLock::new() }; 9];
    CONFIGS[language as usize]
        .get_or_init(|| {
            let grammar = language.grammar();
            language.spec().highlights.iter().find_map(|parts| {
                let query = Query::new(&grammar, &parts.join("\n")).ok()?;
                let kinds = query.capture_names().iter().map(|n| kind_of(n)).collect();
                Some(Config { query, kinds })
            })
        })
        .as_ref()
}

/// Parses `code`, giving up after [`PARSE_BUDGET`].
fn parse(language: Language, code: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&language.grammar()).ok()?;
    let start = Instant::now();
    let mut too_long = |_: &ParseState| start.elapsed() > PARSE_BUDGET;
    let bytes = code.as_bytes();
    let options = ParseOptions::new().progress_callback(&mut too_long);
    parser.parse_with_options(&mut |i, _| bytes.get(i..).unwrap_or_default(), None, Some(options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Highlight::{Attribute, Comment, Constant, Function, Keyword, Number, Operator, Type};

    /// The highlighted pieces of `code` as (text, kind).
    fn pieces(language: Language, code: &str) -> Vec<(String, Highlight)> {
        highlight(language, code).into_iter().map(|(r, k)| (code[r].to_owned(), k)).collect()
    }

    /// The kind of the first highlighted piece whose text is exactly `text`.
    fn kind(language: Language, code: &str, text: &str) -> Option<Highlight> {
        pieces(language, code).into_iter().find(|(t, _)| t == text).map(|(_, k)| k)
    }

    fn has(language: Language, code: &str, text: &str, expected: Highlight) {
        let got = pieces(language, code);
        assert!(
            got.iter().any(|(t, k)| t == text && *k == expected),
            "{}: no {expected:?} {text:?} in {got:?}",
            language.name()
        );
    }

    fn well_formed(code: &str, spans: &[(Range<usize>, Highlight)]) {
        for (r, _) in spans {
            assert!(r.start < r.end && r.end <= code.len(), "{r:?} in {code:?}");
            assert!(code.is_char_boundary(r.start) && code.is_char_boundary(r.end), "{r:?}");
        }
        for pair in spans.windows(2) {
            assert!(pair[0].0.end <= pair[1].0.start, "{spans:?}");
            let touching = pair[0].0.end == pair[1].0.start;
            assert!(!(touching && pair[0].1 == pair[1].1), "not merged: {spans:?}");
        }
    }

    #[test]
    fn highlight_every_language_has_a_query() {
        for &l in Language::all() {
            assert!(config(l).is_some(), "{}", l.name());
        }
        // The combined queries are the ones in use: they know the base language's captures.
        for l in [Language::TypeScript, Language::Tsx, Language::Cpp] {
            let names = config(l).unwrap().query.capture_names();
            assert!(names.contains(&"string") && names.contains(&"comment"), "{}", l.name());
        }
        for l in [Language::JavaScript, Language::Tsx] {
            assert!(config(l).unwrap().query.capture_names().contains(&"tag"), "{}: JSX", l.name());
        }
    }

    #[test]
    fn highlight_rust() {
        let code = "fn main() { let x = \"hi\"; // c\n 42 }";
        let got = pieces(Language::Rust, code);
        let expected = [
            ("fn", Keyword),
            ("main", Function),
            ("let", Keyword),
            ("\"hi\"", Highlight::String),
            ("// c", Comment),
            ("42", Number),
        ];
        for (text, k) in expected {
            assert!(got.contains(&(text.to_owned(), k)), "{text:?} {k:?} in {got:?}");
        }
        // Plain identifiers and punctuation stay plain.
        assert_eq!(kind(Language::Rust, code, "x"), None);
        assert!(!got.iter().any(|(t, _)| t.contains('{')), "{got:?}");
    }

    #[test]
    fn highlight_rust_details() {
        let code = "#[derive(Debug)]\nstruct P { a: u8 }\nconst N: bool = true;\nfn f(p: &P) { println!(\"a\\n{}\", p.a); }";
        // Brackets inside the attribute are punctuation, drawn plain.
        has(Language::Rust, code, "#", Attribute);
        has(Language::Rust, code, "derive", Attribute);
        has(Language::Rust, code, "u8", Type);
        has(Language::Rust, code, "true", Constant);
        has(Language::Rust, code, "println!", Function);
        // The escape inside the string is a string too: one merged piece.
        has(Language::Rust, code, "\"a\\n{}\"", Highlight::String);
        has(Language::Rust, code, "&", Operator);
    }

    #[test]
    fn highlight_python() {
        let code = "def f(): return None  # done\ns = 'x'";
        has(Language::Python, code, "def", Keyword);
        has(Language::Python, code, "return", Keyword);
        has(Language::Python, code, "f", Function);
        has(Language::Python, code, "None", Constant);
        has(Language::Python, code, "# done", Comment);
        has(Language::Python, code, "'x'", Highlight::String);
        assert_eq!(kind(Language::Python, code, "s"), None);
    }

    #[test]
    fn highlight_python_fstring_expression_is_not_string() {
        let code = "f\"a{b}c\"";
        let got = pieces(Language::Python, code);
        assert_eq!(got.first().map(|(t, k)| (t.as_str(), *k)), Some(("f\"a", Highlight::String)), "{got:?}");
        assert!(!got.iter().any(|(t, _)| t.contains('b')), "{got:?}");
    }

    #[test]
    fn highlight_typescript_uses_javascript_and_typescript_captures() {
        let code = "interface A { n: number }\nconst x: string = \"s\"; // c";
        for l in [Language::TypeScript, Language::Tsx] {
            has(l, code, "interface", Keyword); // TypeScript's additions
            has(l, code, "string", Type);
            has(l, code, "number", Type);
            has(l, code, "const", Keyword); // JavaScript's base
            has(l, code, "\"s\"", Highlight::String);
            has(l, code, "// c", Comment);
        }
    }

    #[test]
    fn highlight_javascript() {
        let code = "function g(a) { return `t${a}` + 1; } // end";
        has(Language::JavaScript, code, "function", Keyword);
        has(Language::JavaScript, code, "g", Function);
        has(Language::JavaScript, code, "`t", Highlight::String);
        has(Language::JavaScript, code, "1", Number);
        has(Language::JavaScript, code, "// end", Comment);
        // The substitution's expression is code, not string.
        assert_eq!(kind(Language::JavaScript, code, "a"), None);
    }

    #[test]
    fn highlight_go() {
        let code = "package main\nfunc main() { s := \"go\" } // c";
        has(Language::Go, code, "package", Keyword);
        has(Language::Go, code, "func", Keyword);
        // Go's query lists the specific pattern before `(identifier) @variable`.
        has(Language::Go, code, "main", Function);
        has(Language::Go, code, "\"go\"", Highlight::String);
        has(Language::Go, code, "// c", Comment);
    }

    #[test]
    fn highlight_c_and_cpp() {
        let code = "#include <stdio.h>\nint main(void) { return puts(\"c\"); } /* b */";
        for l in [Language::C, Language::Cpp] {
            has(l, code, "#include", Keyword);
            has(l, code, "<stdio.h>", Highlight::String);
            has(l, code, "return", Keyword);
            has(l, code, "int", Type);
            has(l, code, "\"c\"", Highlight::String);
            has(l, code, "/* b */", Comment);
        }
        let cpp = "namespace n { class K {}; } // c";
        has(Language::Cpp, cpp, "namespace", Keyword); // C++'s additions
        has(Language::Cpp, cpp, "class", Keyword);
        has(Language::Cpp, cpp, "// c", Comment); // C's base
    }

    #[test]
    fn highlight_java() {
        let code = "class A { @Override String m() { return \"j\"; } } // c";
        has(Language::Java, code, "class", Keyword);
        has(Language::Java, code, "return", Keyword);
        has(Language::Java, code, "Override", Attribute);
        has(Language::Java, code, "m", Function);
        has(Language::Java, code, "\"j\"", Highlight::String);
        has(Language::Java, code, "// c", Comment);
    }

    #[test]
    fn highlight_broken_code_still_highlights_what_parses() {
        let code = "fn ok() -> u32 { 1 }\nfn broken( { let = ;\nlet s = \"after\";";
        has(Language::Rust, code, "ok", Function);
        has(Language::Rust, code, "u32", Type);
        has(Language::Rust, code, "\"after\"", Highlight::String);
        well_formed(code, &highlight(Language::Rust, code));
        let py = "def f(:\n    return 'x'";
        has(Language::Python, py, "'x'", Highlight::String);
    }

    #[test]
    fn highlight_empty_and_oversized_give_nothing() {
        assert!(highlight(Language::Rust, "").is_empty());
        let big = "// x\n".repeat(MAX_PARSE_BYTES / 5 + 1);
        assert!(big.len() > MAX_PARSE_BYTES);
        assert!(highlight(Language::Rust, &big).is_empty());
    }

    #[test]
    fn highlight_ranges_are_sorted_disjoint_and_on_char_boundaries() {
        let samples = [
            (Language::Rust, "fn é() { let s = \"naïve 日本\"; /* ∑ */ 'ß' }"),
            (Language::Python, "def ü():\n    return f\"{x}→\" # ö\n"),
            (Language::TypeScript, "const π: number = 3.14; // ≈\nlet s = `日${π}本`;"),
            (Language::Go, "func ф() string { return \"ж\" } // ü"),
            (Language::Cpp, "auto s = u8\"€\"; // ©\nint x = 'a';"),
            (Language::Java, "class Ä { String s = \"ö\"; } /* 漢 */"),
        ];
        for (l, code) in samples {
            let all = highlight(l, code);
            assert!(!all.is_empty(), "{}", l.name());
            for (i, _) in code.char_indices().chain([(code.len(), ' ')]) {
                well_formed(&code[..i], &highlight(l, &code[..i]));
            }
        }
    }
}
