//! The languages tandem parses: grammars, their queries (data files under `queries/`), and how a
//! document is recognised (LSP language id, else file extension).

use std::sync::OnceLock;
use tree_sitter::Query;

/// A language with a grammar. Anything else gets plain line windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    C,
    Cpp,
    Java,
}

const ALL: [Language; 9] = [
    Language::Rust,
    Language::Python,
    Language::JavaScript,
    Language::TypeScript,
    Language::Tsx,
    Language::Go,
    Language::C,
    Language::Cpp,
    Language::Java,
];

impl Language {
    pub fn all() -> &'static [Language] {
        &ALL
    }

    /// From an LSP language id (`rust`, `typescriptreact`, …).
    pub fn from_id(id: &str) -> Option<Self> {
        Some(match id {
            "rust" => Self::Rust,
            "python" => Self::Python,
            "javascript" | "javascriptreact" | "jsx" => Self::JavaScript,
            "typescript" => Self::TypeScript,
            "typescriptreact" | "tsx" => Self::Tsx,
            "go" => Self::Go,
            "c" => Self::C,
            "cpp" | "c++" | "cuda-cpp" => Self::Cpp,
            "java" => Self::Java,
            _ => return None,
        })
    }

    /// From a path's extension.
    pub fn from_path(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.')?.1;
        Some(match ext {
            "rs" => Self::Rust,
            "py" | "pyi" => Self::Python,
            "js" | "mjs" | "cjs" | "jsx" => Self::JavaScript,
            "ts" | "mts" | "cts" => Self::TypeScript,
            "tsx" => Self::Tsx,
            "go" => Self::Go,
            "c" | "h" => Self::C,
            "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" => Self::Cpp,
            "java" => Self::Java,
            _ => return None,
        })
    }

    /// The language of a document: its language id when known, else its path.
    pub fn detect(language_id: &str, path: &str) -> Option<Self> {
        Self::from_id(language_id).or_else(|| Self::from_path(path))
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Rust => "rust",
            Self::Python => "python",
            Self::JavaScript => "javascript",
            Self::TypeScript => "typescript",
            Self::Tsx => "tsx",
            Self::Go => "go",
            Self::C => "c",
            Self::Cpp => "cpp",
            Self::Java => "java",
        }
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Self::Rust => tree_sitter_rust::LANGUAGE.into(),
            Self::Python => tree_sitter_python::LANGUAGE.into(),
            Self::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Self::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Self::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Self::Go => tree_sitter_go::LANGUAGE.into(),
            Self::C => tree_sitter_c::LANGUAGE.into(),
            Self::Cpp => tree_sitter_cpp::LANGUAGE.into(),
            Self::Java => tree_sitter_java::LANGUAGE.into(),
        }
    }

    fn query_source(self) -> &'static str {
        match self {
            Self::Rust => include_str!("../queries/rust.scm"),
            Self::Python => include_str!("../queries/python.scm"),
            Self::JavaScript => include_str!("../queries/javascript.scm"),
            Self::TypeScript => include_str!("../queries/typescript.scm"),
            // TSX is TypeScript with JSX: the same definitions and imports.
            Self::Tsx => include_str!("../queries/typescript.scm"),
            Self::Go => include_str!("../queries/go.scm"),
            Self::C => include_str!("../queries/c.scm"),
            Self::Cpp => include_str!("../queries/cpp.scm"),
            Self::Java => include_str!("../queries/java.scm"),
        }
    }

    /// The language's definitions-and-imports query, compiled once.
    pub fn query(self) -> &'static Query {
        static QUERIES: OnceLock<Vec<Query>> = OnceLock::new();
        let all = QUERIES.get_or_init(|| {
            ALL.iter()
                .map(|l| {
                    // The queries are part of the program; a broken one is a bug caught by tests.
                    Query::new(&l.grammar(), l.query_source())
                        .unwrap_or_else(|e| panic!("query for {}: {e}", l.name()))
                })
                .collect()
        });
        &all[self as usize]
    }

    /// Whether function bodies are brace blocks (`{ … }`) rather than indented blocks.
    pub fn braces(self) -> bool {
        self != Self::Python
    }

    /// Whether code in `other` reads like code in `self` (JavaScript and TypeScript, C and C++).
    pub fn same_family(self, other: Language) -> bool {
        let family = |l: Language| match l {
            Self::JavaScript | Self::TypeScript | Self::Tsx => 1,
            Self::C | Self::Cpp => 2,
            _ => 3 + l as usize,
        };
        family(self) == family(other)
    }

    /// The line comment marker.
    pub fn comment(self) -> &'static str {
        if self == Self::Python { "#" } else { "//" }
    }
}

/// The name a Markdown code fence uses for a file's language, from its extension (more
/// languages than those with a grammar).
pub fn fence_language(path: &str) -> Option<&'static str> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "rs" => "rust",
        "py" | "pyi" => "python",
        "ts" | "mts" | "cts" => "typescript",
        "tsx" => "tsx",
        "js" | "jsx" | "mjs" | "cjs" => "javascript",
        "go" => "go",
        "c" | "h" => "c",
        "cc" | "cpp" | "hpp" | "cxx" | "hh" => "cpp",
        "java" => "java",
        "kt" | "kts" => "kotlin",
        "rb" => "ruby",
        "sh" | "bash" | "zsh" => "bash",
        "lua" => "lua",
        "toml" => "toml",
        "yaml" | "yml" => "yaml",
        "json" => "json",
        "sql" => "sql",
        "md" => "markdown",
        "html" | "htm" => "html",
        "css" => "css",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_against_its_grammar() {
        for l in Language::all() {
            let q = l.query();
            assert!(q.capture_names().contains(&"name"), "{}", l.name());
            assert!(q.capture_names().contains(&"import"), "{}", l.name());
        }
    }

    #[test]
    fn recognises_ids_and_extensions() {
        assert_eq!(Language::detect("typescriptreact", "a.js"), Some(Language::Tsx));
        assert_eq!(Language::detect("plaintext", "src/a.hpp"), Some(Language::Cpp));
        assert_eq!(Language::detect("", "Makefile"), None);
    }
}
