//! From raw model output to what is shown at the cursor: one line or one block, no repeat of the
//! text after the cursor, no chat-style artifacts, no trailing whitespace — or nothing.

use tandem_context::syntax::{error_count, indent_width, with_insertion};
use tandem_context::{Language, Tree};
use tandem_core::TokenLogprob;

/// How much a completion may span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Span {
    /// The rest of the current line.
    Line,
    /// A block of lines at the cursor's indentation or deeper.
    Block,
}

/// Decides the span from the text around the cursor: a block when the rest of the line is empty
/// (or only closing brackets) and the cursor is on a blank line or right after a line that opens
/// a block; the rest of the line otherwise.
pub fn span_at(before: &str, after: &str) -> Span {
    let rest = after.split('\n').next().unwrap_or("");
    if !rest.trim().chars().all(|c| matches!(c, ')' | ']' | '}' | ';' | ',')) {
        return Span::Line;
    }
    let line = before.rsplit('\n').next().unwrap_or("");
    if line.trim().is_empty() {
        return Span::Block;
    }
    let trimmed = line.trim_end();
    if trimmed.ends_with(':') || trimmed.ends_with('{') || trimmed.ends_with("=>") || trimmed.ends_with('(') {
        return Span::Block;
    }
    Span::Line
}

/// Where generation stops for a span: the end of the line, or a blank line (and a fence).
pub fn stop_strings(span: Span) -> Vec<String> {
    match span {
        Span::Line => vec!["\n".to_owned()],
        Span::Block => vec!["\n\n".to_owned(), "```".to_owned()],
    }
}

/// Code lines after the cursor's that a block is checked against for repeats.
const FOLLOWING_LINES: usize = 8;

/// Whether a code line (trimmed) is specific enough that meeting it again below the cursor means
/// a repeat: some length, and more than one word (`continue`, `break;`, `else:` and `}` recur
/// everywhere).
fn says_something(line: &str) -> bool {
    let bare = line.trim_end_matches([';', ':', ',', '{']);
    bare.len() >= 8 && bare.contains(|c: char| !c.is_alphanumeric() && c != '_')
}

/// Whether two lines differ in at most a fifth of their characters (edit distance), as a line
/// rewritten with small changes does.
fn nearly(a: &str, b: &str) -> bool {
    const LONGEST: usize = 200;
    let (a, b): (Vec<char>, Vec<char>) =
        (a.chars().take(LONGEST).collect(), b.chars().take(LONGEST).collect());
    let longer = a.len().max(b.len());
    if longer == 0 || a.len().abs_diff(b.len()) * 5 > longer {
        return a.len() == b.len();
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()] * 5 <= longer
}

/// Lines that start the chat-style tails an instruct model adds after the middle.
const ARTIFACTS: &[&str] = &[
    "```",
    "# Test",
    "# Example",
    "# test",
    "# example",
    "// Test",
    "// Example",
    "// test",
    "// example",
    "if __name__ ==",
    "Reply:",
    "This code",
    "This function",
    "<|",
];

/// Trims a raw completion for the cursor between `before` and `after`.
pub fn clean(raw: &str, before: &str, after: &str, span: Span) -> String {
    let cursor_line = before.rsplit('\n').next().unwrap_or("");
    let base_indent = indent_width(cursor_line);
    let rest_of_line = after.split('\n').next().unwrap_or("");
    // The code lines that follow the cursor's, nearest first: a suggestion that reaches one of
    // them is about to write what is already there.
    let following: Vec<&str> = after
        .split('\n')
        .skip(1)
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .take(FOLLOWING_LINES)
        .collect();
    let repeats = |line: &str| {
        // The next line itself, indentation and all, whatever it is, or nearly it when it says
        // something; further ones, at any indentation, only when they say something (`}`,
        // `else:` or `continue` recur everywhere).
        following.first() == Some(&line.trim_end())
            || (says_something(line.trim())
                && (following.iter().any(|f| f.trim() == line.trim())
                    || following.first().is_some_and(|f| nearly(f.trim(), line.trim()))))
    };
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in raw.split('\n').enumerate() {
        let trimmed = line.trim_start();
        if ARTIFACTS.iter().any(|a| trimmed.starts_with(a)) {
            break;
        }
        if i > 0 {
            if span == Span::Line {
                break;
            }
            if line.trim().is_empty() {
                break; // a blank line ends a block
            }
            // A line that dedents below the cursor's indentation leaves the block.
            if indent_width(line) < base_indent && !trimmed.starts_with(['}', ')', ']']) {
                break;
            }
            // The model is about to write what already follows the cursor, or is going round
            // in circles.
            if repeats(line)
                || kept.last().is_some_and(|k| k.trim() == trimmed.trim_end() && says_something(trimmed))
            {
                break;
            }
        }
        kept.push(line);
    }
    let mut out = kept.iter().map(|l| l.trim_end()).collect::<Vec<_>>().join("\n");
    // Drop what repeats the rest of the line (closing brackets the editor already has).
    let rest = rest_of_line.trim();
    if !rest.is_empty() {
        if let Some(at) = unmatched_closer(&out, rest) {
            // `, 2))  # Output: 3` before `))`: the answer went on past the brackets that close it.
            out.truncate(at);
        }
        if let Some(stripped) = out.trim_end().strip_suffix(rest) {
            out = stripped.to_owned();
        } else if let Some(overlap) = longest_overlap(out.trim_end(), rest) {
            out.truncate(out.trim_end().len() - overlap);
        }
    }
    let out = out.trim_end().to_owned();
    if out.trim().is_empty() { String::new() } else { out }
}

/// Where the first line of `text` closes a bracket it did not open, with a run of closers that
/// the rest of the line starts with: the text the editor already has begins there.
fn unmatched_closer(text: &str, rest: &str) -> Option<usize> {
    let line = text.split('\n').next().unwrap_or("");
    let mut depth = 0i32;
    for (i, c) in brackets(line) {
        if matches!(c, '(' | '[' | '{') {
            depth += 1;
            continue;
        }
        depth -= 1;
        if depth < 0 {
            let run = &line
                [i..line[i..].find(|c| !matches!(c, ')' | ']' | '}' | ';')).map_or(line.len(), |n| i + n)];
            return rest.starts_with(run).then_some(i);
        }
    }
    None
}

/// The characters of `text` outside its string literals (`"…"`, `'…'`, `` `…` ``, each ending at
/// its quote or at the end of the line; a backslash escapes), quotes left out, with their byte
/// offsets.
pub(crate) fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    text.char_indices().filter(move |&(_, c)| {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q || c == '\n' => quote = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None => return true,
        }
        false
    })
}

/// The brackets of `text` outside its string literals, with their byte offsets.
fn brackets(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    code_chars(text).filter(|&(_, c)| matches!(c, '(' | '[' | '{' | ')' | ']' | '}'))
}

/// Length of the longest suffix of `text` made only of closing brackets that is a prefix of
/// `rest` (`foo(x))` before `))` repeats two).
fn longest_overlap(text: &str, rest: &str) -> Option<usize> {
    let closers = text.len() - text.trim_end_matches([')', ']', '}', ';']).len();
    (1..=closers.min(rest.len())).rev().find(|&n| rest.starts_with(&text[text.len() - n..]))
}

/// The document a suggestion goes into, parsed: for checking that it stays valid.
#[derive(Clone, Copy, Debug)]
pub struct Parsed<'a> {
    pub language: Language,
    pub text: &'a str,
    pub tree: &'a Tree,
    /// Where the suggestion goes (a byte offset of `text`).
    pub cursor: usize,
}

/// The closing brackets a start of a block leaves owed, innermost first (`None` when it closes
/// one it did not open). Brackets inside string literals do not count.
fn owed_closers(text: &str) -> Option<String> {
    let mut open: Vec<char> = Vec::new();
    for (_, c) in brackets(text) {
        match c {
            '(' => open.push(')'),
            '[' => open.push(']'),
            '{' => open.push('}'),
            _ if open.pop() != Some(c) => return None,
            _ => {}
        }
    }
    Some(open.iter().rev().collect())
}

/// Keeps what of `text` leaves the document as valid as it was: the longest start of it, in whole
/// lines, that adds no syntax error (unbalanced brackets, a broken string, a statement cut in
/// two) to those the document already has. Nothing, when even its first line adds one. A block,
/// or a line that ends opening one, may be the start of something longer: the brackets it
/// leaves open are taken as closed after it (the user goes on writing it); any other line must
/// be whole. Each try parses again only what the insertion touches.
pub fn valid(text: String, span: Span, doc: Parsed<'_>) -> String {
    let before = error_count(doc.tree);
    let lines: Vec<&str> = text.split('\n').collect();
    for n in (1..=lines.len()).rev() {
        let candidate = lines[..n].join("\n");
        // A block, or a line that opens one (`if x {`, `f(`), goes on after it.
        let goes_on = span == Span::Block || candidate.trim_end().ends_with(['{', '(', '[']);
        let closed = match owed_closers(&candidate) {
            Some(closers) if goes_on && !closers.is_empty() => format!("{candidate}\n{closers}"),
            _ => candidate.clone(),
        };
        match with_insertion(doc.language, doc.text, doc.tree, doc.cursor, &closed) {
            // Too large to check: as it is.
            None => return text,
            Some(tree) if error_count(&tree) <= before => return candidate,
            Some(_) => {}
        }
    }
    String::new()
}

/// The length of the start of `raw` that `shown` was made from by [`clean`] and [`place`], which
/// only cut the end and change whitespace: the bytes of raw output the user sees.
pub fn source_len(raw: &str, shown: &str) -> usize {
    let mut need = shown.chars().filter(|c| !c.is_whitespace()).count();
    if need == 0 {
        return 0;
    }
    for (i, c) in raw.char_indices() {
        if !c.is_whitespace() {
            need -= 1;
            if need == 0 {
                return i + c.len_utf8();
            }
        }
    }
    raw.len()
}

/// The model's confidence in the first `len` bytes of its output: the geometric mean of the
/// probabilities of the tokens that make them (`None` when it did not report them).
pub fn confidence(tokens: &[TokenLogprob], len: usize) -> Option<f32> {
    let used = tandem_core::tokens_within(tokens, len);
    (!used.is_empty()).then(|| (used.iter().map(|t| t.logprob).sum::<f32>() / used.len() as f32).exp())
}

/// Where the cursor is, as far as placing a suggestion goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Placement<'a> {
    /// The indentation of the body of statements the cursor is in (see
    /// `tandem_context::syntax::body_indent`); `None` at the top level.
    pub body_indent: Option<usize>,
    /// The language's line comment marker (`#`, `//`), when known.
    pub comment: Option<&'a str>,
    /// How a line that starts something new begins in the language (`def `, `fn `, …):
    /// `tandem_context::language::LanguageSpec::definition_starts`.
    pub definition_starts: &'a [&'a str],
}

/// Keeps a cleaned suggestion in its place: inside the body the cursor is in, never a new
/// top-level definition there (a line at the body's indentation or deeper, re-indented when the
/// model left out the indentation of a line typed from its start), and in single-line mode no
/// comment where code is expected. `before` is the text before the cursor (its line is what
/// counts). Nothing, when nothing fits.
pub fn place(text: String, before: &str, span: Span, at: Placement<'_>) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let first = text.split('\n').next().unwrap_or("");
    if span == Span::Line && at.comment.is_some_and(|c| first.trim_start().starts_with(c)) {
        return String::new();
    }
    let cursor_line = before.rsplit('\n').next().unwrap_or("");
    let (Some(body), true) = (at.body_indent, cursor_line.trim().is_empty()) else { return text };
    // Typed from the line's leading whitespace: the first line's indentation is the cursor's
    // column plus what the model wrote.
    let first_indent = indent_width(cursor_line) + indent_width(first);
    let shift = body.saturating_sub(first_indent);
    if shift > 0 && at.definition_starts.iter().any(|d| first.trim_start().starts_with(d)) {
        return String::new();
    }
    // Indented past the body (and past the cursor) where nothing above opens a deeper block:
    // the model indented again what the line already has.
    let above = before.rsplit('\n').nth(1).unwrap_or("").trim_end();
    let opens = above.ends_with([':', '{', '(', '[', ',', '\\']) || above.ends_with("=>");
    let target = body.max(indent_width(cursor_line));
    let excess = if opens { 0 } else { first_indent.saturating_sub(target).min(indent_width(first)) };
    let pad = " ".repeat(shift);
    let mut out: Vec<String> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = if shift > 0 {
            format!("{pad}{line}")
        } else if excess > 0 {
            let strip = excess.min(line.len() - line.trim_start_matches(' ').len());
            line[strip..].to_owned()
        } else {
            line.to_owned()
        };
        // A later line below the body's indentation has left the body.
        if i > 0 && indent_width(&line) < body && !line.trim_start().starts_with(['}', ')', ']']) {
            break;
        }
        out.push(line);
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYTHON_STARTS: &[&str] = tandem_context::language::PYTHON.definition_starts;

    #[test]
    fn stops_where_the_text_after_the_cursor_begins() {
        assert_eq!(clean(", 2))  # Output: 3", "print(add(1", "))\n", Span::Line), ", 2");
        assert_eq!(clean("a(b), c)", "f(", ")\n", Span::Line), "a(b), c");
        assert_eq!(clean("\")\" + x)", "f(", ")\n", Span::Line), "\")\" + x");
    }

    #[test]
    fn span_follows_the_cursor_position() {
        assert_eq!(span_at("def f():\n    return ", "\n"), Span::Line);
        assert_eq!(span_at("def f():\n    ", "\n"), Span::Block);
        assert_eq!(span_at("if x {", "\n}"), Span::Block);
        assert_eq!(span_at("foo(", ")\n"), Span::Block);
        assert_eq!(span_at("let x = ", " + 1;\n"), Span::Line);
    }

    #[test]
    fn line_span_keeps_one_line() {
        assert_eq!(clean("a + b\n\nprint(add(1, 2))", "    return ", "\n", Span::Line), "a + b");
    }

    #[test]
    fn block_stops_at_dedent_blank_line_and_the_suffix() {
        let raw = "x = 1\n    y = 2\nz = 3";
        assert_eq!(clean(raw, "def f():\n    ", "\n", Span::Block), "x = 1\n    y = 2");
        let raw = "for i in r:\n        s += i\n    return s\n\n# Test the function\nprint(f())";
        assert_eq!(
            clean(raw, "def f(r):\n    s = 0\n    ", "\n", Span::Block),
            "for i in r:\n        s += i\n    return s"
        );
        let raw = "if a:\n        b()\n    c()";
        assert_eq!(clean(raw, "    ", "\n    c()\n", Span::Block), "if a:\n        b()");
    }

    #[test]
    fn a_suggestion_stays_in_the_body_the_cursor_is_in() {
        let python = Placement { body_indent: Some(4), comment: Some("#"), definition_starts: PYTHON_STARTS };
        // Typed at column 0 of a blank line inside a function's body.
        assert_eq!(
            place("def main():\n    print(1)".into(), "def f():\n    a = 1\n", Span::Block, python),
            ""
        );
        assert_eq!(place("if __name__ == '__main__':".into(), "", Span::Line, python), "");
        assert_eq!(place(String::new(), "", Span::Block, python), "", "nothing is not indented");
        assert_eq!(place("return a".into(), "x\n", Span::Line, python), "    return a", "re-indented");
        assert_eq!(
            place("for i in r:\n    s += i\nreturn s".into(), "", Span::Block, python),
            "    for i in r:\n        s += i\n    return s"
        );
        // Indented again after the indentation the line has: back to the body's.
        let body = "def f(xs):\n    if not xs:\n        return None\n    ";
        assert_eq!(place("    return sum(xs)".into(), body, Span::Line, python), "return sum(xs)");
        assert_eq!(
            place("    for x in xs:\n            print(x)".into(), body, Span::Block, python),
            "for x in xs:\n        print(x)"
        );
        // Unless the line above opens a block there.
        let open = "def f(xs):\n    if not xs:\n    ";
        assert_eq!(place("    return None".into(), open, Span::Line, python), "    return None");
        // Already at the body's indentation: kept, until a line leaves the body.
        assert_eq!(place("    return a\ndef g():".into(), "", Span::Block, python), "    return a");
        assert_eq!(place("return a".into(), "    ", Span::Line, python), "return a");
        // At the top level, or after code on the line, a definition is fine.
        let top = Placement { body_indent: None, comment: Some("#"), definition_starts: PYTHON_STARTS };
        assert_eq!(place("def main():".into(), "", Span::Line, top), "def main():");
        assert_eq!(place("class_name".into(), "x = ", Span::Line, python), "class_name");
        // Braces close the body they are in.
        let rust = Placement {
            body_indent: Some(4),
            comment: Some("//"),
            definition_starts: tandem_context::language::RUST.definition_starts,
        };
        assert_eq!(place("    a += 1;\n}".into(), "", Span::Block, rust), "    a += 1;\n}");
    }

    #[test]
    fn a_comment_is_no_line_of_code() {
        let python = Placement { body_indent: Some(4), comment: Some("#"), definition_starts: PYTHON_STARTS };
        let before = "def lower(s):\n    return ";
        assert_eq!(place("# Convert the string to lowercase".into(), before, Span::Line, python), "");
        assert_eq!(
            place("s.lower()  # lowercase".into(), before, Span::Line, python),
            "s.lower()  # lowercase"
        );
        // A block may well begin with its comment.
        assert_eq!(place("# sum\n    s = 0".into(), "    ", Span::Block, python), "# sum\n    s = 0");
    }

    #[test]
    fn a_block_ends_before_it_repeats_the_lines_after_the_cursor() {
        let before = "def fizz(n):\n    if n % 15 == 0:\n        return 'FizzBuzz'\n";
        let after = "\n    if n % 5 == 0:\n        return 'Buzz'\n    return str(n)\n";
        let raw = "    if n % 3 == 0:\n        return 'Fizz'\n    return str(n)";
        assert_eq!(clean(raw, before, after, Span::Block), "    if n % 3 == 0:\n        return 'Fizz'");
        // The next line at another indentation is another line.
        let after = "\n            continue\n";
        assert_eq!(
            clean("for a in xs:\n        continue", "    ", after, Span::Block),
            "for a in xs:\n        continue"
        );
        let after = "\n    if skip:\n        continue\n";
        assert_eq!(
            clean("for a in xs:\n        continue", "    ", after, Span::Block),
            "for a in xs:\n        continue"
        );
        // Short lines recur everywhere: only the very next line counts for them.
        let after = "\n    x = 1\n    else:\n        y()\n";
        assert_eq!(
            clean("if a:\n        b()\n    else:\n        c()", "    ", after, Span::Block),
            "if a:\n        b()\n    else:\n        c()"
        );
    }

    /// `valid` for `text` at `$0` in `doc` (Python unless said otherwise).
    fn check_valid(language: Language, doc: &str, text: &str) -> String {
        let cursor = doc.find("$0").unwrap();
        let doc = doc.replace("$0", "");
        let tree = tandem_context::outline::parse(language, &doc).unwrap();
        let span = if text.contains('\n') { Span::Block } else { Span::Line };
        valid(text.to_owned(), span, Parsed { language, text: &doc, tree: &tree, cursor })
    }

    #[test]
    fn a_suggestion_adds_no_syntax_error() {
        let py = Language::Python;
        let body = "def f(xs):\n    total = 0\n    $0\n    return total\n";
        assert_eq!(
            check_valid(py, body, "for x in xs:\n        total += x"),
            "for x in xs:\n        total += x"
        );
        // A block cut off mid-statement keeps its complete lines.
        assert_eq!(
            check_valid(py, body, "for x in xs:\n        total += x\n    if (total"),
            "for x in xs:\n        total += x"
        );
        // A line that breaks the code is no suggestion.
        assert_eq!(check_valid(py, "x = compute($0)\n", "a, b))"), "");
        assert_eq!(check_valid(py, "x = compute($0)\n", "a, b"), "a, b");
        assert_eq!(check_valid(py, "s = f($0)\n", "'unclosed"), "");
        // Completing broken code is fine: no error is added.
        assert_eq!(check_valid(py, "if x$0\n    y()\n", " > 0:"), " > 0:");
        let rust = Language::Rust;
        let f = "fn f(v: &[u8]) -> usize {\n    $0\n}\n";
        assert_eq!(check_valid(rust, f, "v.len()"), "v.len()");
        assert_eq!(check_valid(rust, f, "let n = v.len();\n    n\n}"), "let n = v.len();\n    n");
        // A block cut short is the start of a longer one: the brackets it opened are the user's
        // to close.
        let body = "fn f(x: Option<u8>) -> u8 {\n    $0\n}\n";
        let start = "match x {\n        Some(v) => v,\n        None => 0,";
        assert_eq!(check_valid(rust, body, start), start);
        // So is a line that opens a block; a line that leaves a call open is not whole.
        let go = "func f(xs []string) {\n\t$0\n}\n";
        assert_eq!(check_valid(Language::Go, go, "for _, x := range xs {"), "for _, x := range xs {");
        assert_eq!(check_valid(py, "x = compute($0)\n", "g(a, b"), "");
        assert_eq!(owed_closers("f(a, [b, {c"), Some("}])".into()));
        assert_eq!(owed_closers("s = \"(\" + f("), Some(")".into()));
        assert_eq!(owed_closers("a)"), None);
    }

    #[test]
    fn confidence_covers_the_tokens_shown() {
        let raw = "a + b\nprint(x)";
        let shown = place(
            clean(raw, "    return ", "\n", Span::Line),
            "    return ",
            Span::Line,
            Placement::default(),
        );
        assert_eq!(source_len(raw, &shown), 5);
        assert_eq!(source_len("x\n    y", "    x\n        y"), 7, "re-indented");
        assert_eq!(source_len("abc", ""), 0);
        let lp = |end, p: f32| TokenLogprob { end, logprob: p.ln() };
        // `a +`, ` b`, `\nprint`, …: the first two make what is shown.
        let tokens = [lp(3, 0.9), lp(5, 0.4), lp(11, 0.01), lp(14, 0.01)];
        let c = confidence(&tokens, 5).unwrap();
        assert!((c - 0.6).abs() < 1e-4, "{c}");
        assert_eq!(confidence(&tokens, 0), None);
        assert_eq!(confidence(&[], 5), None);
        // A token that starts within the text counts even when it reaches past it.
        assert!((confidence(&tokens, 4).unwrap() - 0.6).abs() < 1e-4);
    }

    #[test]
    fn a_block_ends_before_it_rewrites_the_next_line_or_goes_round_in_circles() {
        let before = "def plan(balance, rate, n):\n    balances = []\n    for _ in range(n):\n        ";
        let after = "\n        balances.append(round(balance, 2))\n    return balances\n";
        let raw = "balance = balance * (1 + rate)\n        balances.append(round(balance,2))";
        assert_eq!(clean(raw, before, after, Span::Block), "balance = balance * (1 + rate)");
        // A different line of the same kind is no rewrite.
        let raw = "balance = balance * (1 + rate)\n        totals.append(balance - 100)";
        assert_eq!(clean(raw, before, after, Span::Block), raw);
        let raw = "slug = slug.replace('-', '-')\n    slug = slug.replace('-', '-')\n    slug = slug.replace('-', '-')";
        assert_eq!(clean(raw, "    ", "\n", Span::Block), "slug = slug.replace('-', '-')");
        assert!(nearly("abcdefghij", "abcdefghiX") && !nearly("abcdefghij", "abcdeXXXij") && nearly("", ""));
    }

    #[test]
    fn chat_artifacts_and_suffix_repeats_go() {
        assert_eq!(clean("```python\nx = 1\n```", "", "\n", Span::Block), "");
        assert_eq!(clean("a, b)", "f(", ")", Span::Line), "a, b");
        assert_eq!(clean("a, b);", "f(", ");", Span::Line), "a, b");
        assert_eq!(clean("   \n", "x = ", "\n", Span::Line), "");
        assert_eq!(clean("value  ", "x = ", "\n", Span::Line), "value");
    }
}
