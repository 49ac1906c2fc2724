//! A file's outline: its definitions (what they are called, where they are, what their body is)
//! and its import statements, read with the language's query.

use crate::language::Language;
use std::ops::Range;
use tree_sitter::{Parser, StreamingIterator, Tree};

/// Documents larger than this are not parsed: they get plain line windows and no imports or
/// outline (the index takes no larger file either). One limit for every parse, kept trees and
/// fresh ones alike.
pub const MAX_PARSE_BYTES: usize = 512 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Function,
    Method,
    Class,
    Struct,
    Enum,
    Trait,
    Interface,
    Impl,
    Module,
    Type,
    Constant,
    Variable,
    Macro,
    Field,
    Variant,
}

impl Kind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "function" => Self::Function,
            "method" => Self::Method,
            "class" => Self::Class,
            "struct" => Self::Struct,
            "enum" => Self::Enum,
            "trait" => Self::Trait,
            "interface" => Self::Interface,
            "impl" => Self::Impl,
            "module" => Self::Module,
            "type" => Self::Type,
            "constant" => Self::Constant,
            "variable" => Self::Variable,
            "macro" => Self::Macro,
            "field" => Self::Field,
            "variant" => Self::Variant,
            _ => return None,
        })
    }

    /// Kinds that hold other definitions.
    pub fn is_container(self) -> bool {
        matches!(
            self,
            Self::Class
                | Self::Struct
                | Self::Enum
                | Self::Trait
                | Self::Interface
                | Self::Impl
                | Self::Module
                | Self::Type
        )
    }

    /// Kinds that only make sense inside their container.
    pub fn is_member(self) -> bool {
        matches!(self, Self::Field | Self::Variant)
    }
}

/// One definition in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    pub name: String,
    pub kind: Kind,
    /// The whole definition, in bytes of the file.
    pub range: Range<usize>,
    /// The body a short view leaves out (a function's block, a class's members).
    pub body: Option<Range<usize>>,
    /// The innermost container definition (index in the outline) that holds this one.
    pub parent: Option<usize>,
}

/// What a file defines and imports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    /// In file order (by start, outer before inner).
    pub definitions: Vec<Definition>,
    /// The text of each import statement (`use …;`, `from . import x`, `#include "a.h"`, …).
    pub imports: Vec<String>,
}

/// Parses `text`; `None` when it is too large or the parser gives up.
pub fn parse(language: Language, text: &str) -> Option<Tree> {
    if text.len() > MAX_PARSE_BYTES {
        return None;
    }
    let mut parser = Parser::new();
    parser.set_language(&language.grammar()).ok()?;
    parser.parse(text, None)
}

impl Outline {
    /// The outline of `text` (empty when it cannot be parsed).
    pub fn of(language: Language, text: &str) -> Self {
        match parse(language, text) {
            Some(tree) => Self::from_tree(language, text, &tree),
            None => Self::default(),
        }
    }

    pub fn from_tree(language: Language, text: &str, tree: &Tree) -> Self {
        let query = language.query();
        let names = query.capture_names();
        let mut cursor = tree_sitter::QueryCursor::new();
        let mut matches = cursor.matches(query, tree.root_node(), text.as_bytes());
        let mut found: Vec<(Definition, usize)> = Vec::new();
        let mut imports = Vec::new();
        while let Some(m) = matches.next() {
            let (mut def, mut name, mut body) = (None, None, None);
            for c in m.captures {
                let capture = names[c.index as usize];
                let range = c.node.byte_range();
                match capture {
                    "name" => name = text.get(range),
                    "body" => body = Some(range),
                    "import" => imports.push((range.start, text.get(range).unwrap_or_default().to_owned())),
                    other => {
                        if let Some(kind) = other.strip_prefix("definition.").and_then(Kind::parse) {
                            def = Some((kind, range));
                        }
                    }
                }
            }
            if let (Some((kind, range)), Some(name)) = (def, name) {
                let name = name.to_owned();
                found.push((Definition { name, kind, range, body, parent: None }, m.pattern_index));
            }
        }
        // One definition per node and name: the earliest pattern wins (a function bound to a
        // constant is a function, not a constant).
        found.sort_by_key(|(d, p)| (d.range.start, std::cmp::Reverse(d.range.end), *p));
        found.dedup_by(|b, a| a.0.range == b.0.range && a.0.name == b.0.name);
        let mut definitions: Vec<Definition> = found.into_iter().map(|(d, _)| d).collect();
        let mut open: Vec<usize> = Vec::new();
        for i in 0..definitions.len() {
            let r = definitions[i].range.clone();
            while open.last().is_some_and(|&o| definitions[o].range.end < r.end || definitions[o].range == r)
            {
                open.pop();
            }
            definitions[i].parent = open.last().copied();
            if definitions[i].kind.is_container() {
                open.push(i);
            }
        }
        imports.sort();
        imports.dedup();
        Self { definitions, imports: imports.into_iter().map(|(_, t)| t).collect() }
    }

    /// Definitions called `name`.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.definitions.iter().enumerate().filter(move |(_, d)| d.name == name).map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(lang: Language, text: &str) -> Vec<String> {
        let o = Outline::of(lang, text);
        o.definitions
            .iter()
            .map(|d| match d.parent {
                Some(p) => format!("{}.{}:{:?}", o.definitions[p].name, d.name, d.kind),
                None => format!("{}:{:?}", d.name, d.kind),
            })
            .collect()
    }

    #[test]
    fn rust_items_and_members() {
        let text = "use crate::a::B;\nmod x;\npub struct P { pub x: i32 }\nenum E { A, B(u8) }\nimpl P {\n    fn new() -> Self { P { x: 0 } }\n}\nfn f() {}\n";
        assert_eq!(
            names(Language::Rust, text),
            [
                "P:Struct",
                "P.x:Field",
                "E:Enum",
                "E.A:Variant",
                "E.B:Variant",
                "P:Impl",
                "P.new:Function",
                "f:Function"
            ]
        );
        assert_eq!(Outline::of(Language::Rust, text).imports, ["use crate::a::B;", "mod x;"]);
    }

    #[test]
    fn python_classes_and_functions() {
        let text = "from .a import b\nX = 1\nclass C(Base):\n    y = 2\n    def m(self):\n        return 1\ndef f():\n    pass\n";
        assert_eq!(
            names(Language::Python, text),
            ["X:Constant", "C:Class", "C.y:Field", "C.m:Function", "f:Function"]
        );
    }

    #[test]
    fn typescript_go_java_c() {
        let ts = "export interface I { a: number; m(): void }\nexport const f = (x: number) => x;\nclass K { p = 1; go() {} }\n";
        assert_eq!(
            names(Language::TypeScript, ts),
            ["I:Interface", "I.a:Field", "I.m:Method", "f:Function", "K:Class", "K.p:Field", "K.go:Method"]
        );
        let go = "package p\ntype T struct { A int }\nfunc (t *T) M() int { return t.A }\nfunc F() {}\n";
        assert_eq!(names(Language::Go, go), ["T:Type", "T.A:Field", "M:Method", "F:Function"]);
        let java = "package a.b;\nimport x.Y;\nclass C { int f; void m() {} }\n";
        assert_eq!(names(Language::Java, java), ["C:Class", "C.f:Field", "C.m:Method"]);
        let c = "#include \"a.h\"\nstruct S { int x; };\nint add(int a, int b) { return a + b; }\n";
        assert_eq!(names(Language::C, c), ["S:Struct", "S.x:Field", "add:Function"]);
    }

    #[test]
    fn broken_code_still_gives_what_it_can() {
        let text = "fn ok() {}\nfn broken( {\nstruct S {";
        assert!(names(Language::Rust, text).contains(&"ok:Function".to_owned()));
    }
}
