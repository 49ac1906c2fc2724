//! A document's syntax tree kept across edits: each edit is applied to the old tree
//! (tree-sitter's edit API), and the next parse reuses every part of it the edit did not touch,
//! so a keystroke costs a parse of what changed rather than of the whole document. And what the
//! tree says about a cursor's place: the body it is in, and the indentation that body's lines
//! have ([`body_indent`]).

use crate::language::Language;
use crate::outline::{MAX_PARSE_BYTES, parse};
use tree_sitter::{InputEdit, Parser, Point, Tree};

/// The last tree of a document and whether it still matches the text.
#[derive(Clone, Debug)]
pub struct Syntax {
    language: Language,
    tree: Option<Tree>,
    /// The tree matches the text: no edit since it was parsed.
    fresh: bool,
}

/// Where `offset` (a byte offset of `text`) is as tree-sitter counts: rows end at `\n`, columns
/// are bytes.
fn point(text: &str, offset: usize) -> Point {
    let before = &text.as_bytes()[..offset];
    let row = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    Point { row, column: offset - line_start }
}

/// Where the end of `inserted` lands when it is inserted at `start`.
fn end_point(start: Point, inserted: &str) -> Point {
    match inserted.rfind('\n') {
        None => Point { row: start.row, column: start.column + inserted.len() },
        Some(i) => Point { row: start.row + inserted.matches('\n').count(), column: inserted.len() - i - 1 },
    }
}

impl Syntax {
    /// A document in `language` not parsed yet.
    pub fn new(language: Language) -> Self {
        Self { language, tree: None, fresh: false }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Records that `text[start..old_end]` (the text before the edit) is being replaced by
    /// `inserted`. Call it before the text changes.
    pub fn edit(&mut self, text: &str, start: usize, old_end: usize, inserted: &str) {
        self.fresh = false;
        let Some(tree) = &mut self.tree else { return };
        let start_position = point(text, start);
        let old_end_position = point(text, old_end);
        tree.edit(&InputEdit {
            start_byte: start,
            old_end_byte: old_end,
            new_end_byte: start + inserted.len(),
            start_position,
            old_end_position,
            new_end_position: end_point(start_position, inserted),
        });
    }

    /// The whole text was replaced: nothing of the old tree is worth keeping.
    pub fn replace(&mut self) {
        self.tree = None;
        self.fresh = false;
    }

    /// The tree, when it matches the text.
    pub fn tree(&self) -> Option<&Tree> {
        self.tree.as_ref().filter(|_| self.fresh)
    }

    /// What a parse needs when the tree is stale: the language and the edited old tree.
    pub fn stale(&self) -> Option<(Language, Option<Tree>)> {
        (!self.fresh).then(|| (self.language, self.tree.clone()))
    }

    /// Takes the tree parsed for the current text ([`reparse`] of what [`Syntax::stale`] gave).
    pub fn parsed(&mut self, tree: Option<Tree>) {
        self.tree = tree;
        self.fresh = self.tree.is_some();
    }
}

/// Parses `text`, reusing `old` (edited to match `text`) where the edits left it alone. `None`
/// when the text is too large to parse (see [`parse`]) or the parser gives up.
pub fn reparse(language: Language, text: &str, old: Option<&Tree>) -> Option<Tree> {
    let Some(old) = old else { return parse(language, text) };
    if text.len() > MAX_PARSE_BYTES {
        return None;
    }
    let mut parser = Parser::new();
    parser.set_language(&language.grammar()).ok()?;
    parser.parse(text, Some(old))
}

/// The syntax errors in a tree: its error nodes and the nodes the parser had to supply
/// (missing ones). Only the parts of the tree that hold an error are walked.
pub fn error_count(tree: &Tree) -> usize {
    let mut count = 0;
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        if node.has_error() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor).filter(|c| c.has_error() || c.is_missing()));
        }
    }
    count
}

/// The tree of `text` with `inserted` put in at byte offset `at`, parsed from `tree` (the tree
/// of `text`), so that only what the insertion touches is parsed again. `None` when the result
/// is too large to parse.
pub fn with_insertion(
    language: Language,
    text: &str,
    tree: &Tree,
    at: usize,
    inserted: &str,
) -> Option<Tree> {
    if text.len() + inserted.len() > MAX_PARSE_BYTES || !text.is_char_boundary(at) {
        return None;
    }
    let mut edited = tree.clone();
    let start = point(text, at);
    edited.edit(&InputEdit {
        start_byte: at,
        old_end_byte: at,
        new_end_byte: at + inserted.len(),
        start_position: start,
        old_end_position: start,
        new_end_position: end_point(start, inserted),
    });
    let changed = [&text[..at], inserted, &text[at..]].concat();
    reparse(language, &changed, Some(&edited))
}

/// The tree of `old`, the text `new` was before `new[start..new_end]` replaced
/// `old[start..old_end]`, parsed from `new`'s tree with that edit undone: only what the edit
/// touched is parsed again. `None` when `old` is too large to parse.
pub fn before_edit(
    language: Language,
    new: &str,
    tree: &Tree,
    old: &str,
    (start, old_end, new_end): (usize, usize, usize),
) -> Option<Tree> {
    let mut edited = tree.clone();
    let start_position = point(new, start);
    edited.edit(&InputEdit {
        start_byte: start,
        old_end_byte: new_end,
        new_end_byte: old_end,
        start_position,
        old_end_position: point(new, new_end),
        new_end_position: end_point(start_position, &old[start..old_end]),
    });
    reparse(language, old, Some(&edited))
}

/// Width of a line's indentation, a tab counting four.
pub fn indent_width(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').map(|c| if c == '\t' { 4 } else { 1 }).sum()
}

/// Whether a grammar node kind holds a sequence of statements or members: a function's or a
/// loop's block, a class's or an impl's body.
fn is_body(kind: &str) -> bool {
    kind.ends_with("block")
        || kind.ends_with("body")
        || matches!(kind, "declaration_list" | "field_declaration_list" | "compound_statement")
}

/// The indentation of the first statement of `body` that starts its own line.
fn statement_indent(body: tree_sitter::Node<'_>, text: &str) -> Option<usize> {
    let mut walk = body.walk();
    body.named_children(&mut walk).find_map(|child| {
        let start = child.start_byte();
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let lead = &text[line_start..start];
        lead.trim().is_empty().then(|| indent_width(lead))
    })
}

/// The indentation the statements of the body around `cursor` have, when the cursor is inside a
/// body of statements or members (a function's, a method's, a class's, a loop's): the column a
/// line typed there belongs at, at least. `None` at the top level, inside a string or a comment,
/// and where it cannot tell (an empty body on one line).
pub fn body_indent(tree: &Tree, text: &str, cursor: usize) -> Option<usize> {
    let mut node = tree.root_node().descendant_for_byte_range(cursor, cursor)?;
    loop {
        let kind = node.kind();
        if kind.contains("string") || kind.contains("comment") {
            return None;
        }
        if is_body(kind) && node.start_byte() < cursor && node.parent().is_some() {
            if let Some(indent) = statement_indent(node, text) {
                return Some(indent);
            }
            break;
        }
        match node.parent() {
            Some(p) => node = p,
            None => break,
        }
    }
    // A body with no statement yet (`def f():` and then the cursor): one step deeper than the
    // line that opens it, or where the cursor's line is indented already if that is deeper.
    let line_start = text[..cursor].rfind('\n').map_or(0, |i| i + 1);
    let above = text[..line_start].trim_end();
    let opener = above.rsplit('\n').next().unwrap_or("");
    let typed = &text[line_start..cursor];
    let typed = indent_width(&typed[..typed.len() - typed.trim_start().len()]);
    let step = indent_step(&text[..line_start]);
    (above.ends_with(':') || above.ends_with('{')).then(|| (indent_width(opener) + step).max(typed))
}

/// The indentation step the text uses: the smallest step in from one code line to the next
/// among its last hundred lines (4 when none steps in).
fn indent_step(text: &str) -> usize {
    let lines: Vec<&str> = text.rsplit('\n').take(100).filter(|l| !l.trim().is_empty()).collect();
    // In reverse order: a line steps in from the one after it in this list.
    lines
        .windows(2)
        .filter_map(|w| indent_width(w[0]).checked_sub(indent_width(w[1])))
        .filter(|&d| d > 0)
        .min()
        .unwrap_or(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_before_an_edit_is_the_tree_of_the_text_before_it() {
        let old = "def f(a):\n    return a\n\ndef g():\n    pass\n";
        let new = "def f(a, b):\n    return a\n\ndef g():\n    pass\n";
        let tree = parse(Language::Python, new).unwrap();
        let back = before_edit(Language::Python, new, &tree, old, (7, 7, 10)).unwrap();
        let fresh = parse(Language::Python, old).unwrap();
        assert_eq!(back.root_node().to_sexp(), fresh.root_node().to_sexp());
        assert_eq!(back.root_node().end_byte(), old.len());
    }

    /// Applies `edits` (start, old end, inserted) to `text` and to its syntax, and checks that
    /// the incremental parse gives the tree a fresh parse gives.
    fn check(language: Language, text: &str, edits: &[(usize, usize, &str)]) {
        let mut text = text.to_owned();
        let mut syntax = Syntax::new(language);
        let (l, old) = syntax.stale().unwrap();
        syntax.parsed(reparse(l, &text, old.as_ref()));
        for &(start, end, inserted) in edits {
            syntax.edit(&text, start, end, inserted);
            assert!(syntax.tree().is_none(), "an edited tree is stale");
            text.replace_range(start..end, inserted);
            let (l, old) = syntax.stale().unwrap();
            syntax.parsed(reparse(l, &text, old.as_ref()));
            let fresh = parse(language, &text).unwrap();
            let kept = syntax.tree().unwrap();
            assert_eq!(kept.root_node().to_sexp(), fresh.root_node().to_sexp(), "after {inserted:?}");
            assert_eq!(kept.root_node().end_position(), fresh.root_node().end_position());
        }
    }

    #[test]
    fn incremental_parses_match_fresh_ones() {
        let py = "class A:\n    def f(self, x):\n        return x\n\ndef g():\n    pass\n";
        let at = py.find("return x").unwrap() + "return x".len();
        check(
            Language::Python,
            py,
            &[
                (at, at, " + 1"),
                (at, at, "\n        y = 2"),
                (0, 0, "import os\n"),
                (at, at + 4, ""),
                (py.len() - 5, py.len(), "return 3\n"),
            ],
        );
        let rs = "fn main() {\n    let a = 1;\n}\n";
        let at = rs.find("1;").unwrap();
        check(Language::Rust, rs, &[(at, at + 1, "vec![1, 2]"), (at, at, "{"), (at, at + 1, "")]);
    }

    fn body_indent_at(language: Language, marked: &str) -> Option<usize> {
        let cursor = marked.find("$0").unwrap();
        let text = marked.replace("$0", "");
        body_indent(&parse(language, &text).unwrap(), &text, cursor)
    }

    #[test]
    fn the_body_around_the_cursor_says_where_its_lines_belong() {
        let py = "def f(x):\n    a = 1\n$0\n    return a\n\ndef g():\n    pass\n";
        assert_eq!(body_indent_at(Language::Python, py), Some(4), "a blank line inside a body");
        let py = "class A:\n    def m(self):\n        a = 1\n$0\n        return a\n";
        assert_eq!(body_indent_at(Language::Python, py), Some(8), "a method's body");
        let py = "import os\n$0\ndef g():\n    pass\n";
        assert_eq!(body_indent_at(Language::Python, py), None, "the top level");
        let py = "def f():\n    s = \"a $0 b\"\n";
        assert_eq!(body_indent_at(Language::Python, py), None, "inside a string");
        let rs = "fn main() {\n    let a = 1;\n$0\n    a\n}\n";
        assert_eq!(body_indent_at(Language::Rust, rs), Some(4));
        let rs = "impl A {\n    fn a() {}\n$0\n    fn b() {}\n}\n";
        assert_eq!(body_indent_at(Language::Rust, rs), Some(4), "an impl's members");
        let py = "def f(x):\n$0\ndef g():\n    pass\n";
        assert_eq!(body_indent_at(Language::Python, py), Some(4), "a body not written yet");
        let py = "class A:\n    def f(self):\n$0";
        assert_eq!(body_indent_at(Language::Python, py), Some(8));
        let ts = "function a() {\n  return 1;\n}\n\nfunction b() {\n$0\n}\n";
        assert_eq!(body_indent_at(Language::TypeScript, ts), Some(2), "the file's own step");
        let ts = "class A {\n  m() {\n    if (a) {\n      b()\n    }\n    if (c) {\n$0\n    }\n  }\n}\n";
        assert_eq!(body_indent_at(Language::TypeScript, ts), Some(6), "a step, not the least indentation");
        let ts = "function b() {\n      $0\n}\n";
        assert_eq!(body_indent_at(Language::TypeScript, ts), Some(6), "the cursor's line, deeper");
        let js = "function f() {\n  const a = 1;\n$0\n  return a;\n}\n";
        assert_eq!(body_indent_at(Language::JavaScript, js), Some(2));
    }

    #[test]
    fn points_count_rows_at_line_feeds_and_columns_in_bytes() {
        assert_eq!(point("ab\ncdé\nf", 7), Point { row: 1, column: 4 });
        assert_eq!(point("ab\r\ncd", 5), Point { row: 1, column: 1 });
        assert_eq!(end_point(Point { row: 2, column: 3 }, "xy"), Point { row: 2, column: 5 });
        assert_eq!(end_point(Point { row: 2, column: 3 }, "x\nyz\nw"), Point { row: 4, column: 1 });
    }
}
