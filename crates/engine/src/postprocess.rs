//! From raw model output to what is shown at the cursor: one line or one block, no repeat of the
//! text after the cursor, no chat-style artifacts, no trailing whitespace — or nothing.

use tandem_context::syntax::indent_width;

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
        // The next line itself, indentation and all, whatever it is; further ones, at any
        // indentation, only when they say something (`}`, `else:` or `continue` recur everywhere).
        following.first() == Some(&line.trim_end())
            || (says_something(line.trim()) && following.iter().any(|f| f.trim() == line.trim()))
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
            // The model is about to write what already follows the cursor.
            if repeats(line) {
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
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => {
                depth -= 1;
                if depth < 0 {
                    let run = &line[i..line[i..]
                        .find(|c| !matches!(c, ')' | ']' | '}' | ';'))
                        .map_or(line.len(), |n| i + n)];
                    return rest.starts_with(run).then_some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Length of the longest suffix of `text` made only of closing brackets that is a prefix of
/// `rest` (`foo(x))` before `))` repeats two).
fn longest_overlap(text: &str, rest: &str) -> Option<usize> {
    let closers = text.len() - text.trim_end_matches([')', ']', '}', ';']).len();
    (1..=closers.min(rest.len())).rev().find(|&n| rest.starts_with(&text[text.len() - n..]))
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
    let pad = " ".repeat(shift);
    let mut out: Vec<String> = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let line = if shift > 0 { format!("{pad}{line}") } else { line.to_owned() };
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

    #[test]
    fn chat_artifacts_and_suffix_repeats_go() {
        assert_eq!(clean("```python\nx = 1\n```", "", "\n", Span::Block), "");
        assert_eq!(clean("a, b)", "f(", ")", Span::Line), "a, b");
        assert_eq!(clean("a, b);", "f(", ");", Span::Line), "a, b");
        assert_eq!(clean("   \n", "x = ", "\n", Span::Line), "");
        assert_eq!(clean("value  ", "x = ", "\n", Span::Line), "value");
    }
}
