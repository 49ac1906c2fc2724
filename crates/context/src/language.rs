//! The languages tandem parses, and everything tandem knows about each: one [`LanguageSpec`]
//! table per language (a `static` below) holding how a document is recognised (LSP language id,
//! else file extension), its grammar and queries (data files under `queries/`), its comment
//! marker and block style, its family, its import forms, how its modules are named, its
//! keywords, and the functions that resolve its imports. The rest of the crate looks languages
//! up here instead of matching on them.

use crate::imports::{self, Files, Imported};
use std::sync::OnceLock;
use tree_sitter::Query;
use tree_sitter_javascript::{HIGHLIGHT_QUERY as JS, JSX_HIGHLIGHT_QUERY as JSX};
use tree_sitter_typescript::HIGHLIGHTS_QUERY as TS;

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

/// Languages whose code reads alike (similar code is looked for across a family).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Rust,
    Python,
    /// JavaScript, TypeScript and TSX.
    Script,
    Go,
    /// C and C++.
    C,
    Java,
}

/// Everything tandem knows about one language. Data where it can be; where a language needs
/// real logic (resolving its imports, the files it sees without importing them), a function.
#[derive(Debug)]
pub struct LanguageSpec {
    pub language: Language,
    /// The name tandem shows (and the snapshot files use).
    pub name: &'static str,
    /// LSP language ids.
    pub ids: &'static [&'static str],
    /// File extensions (without the dot).
    pub extensions: &'static [&'static str],
    /// The tree-sitter grammar.
    pub grammar: fn() -> tree_sitter::Language,
    /// The definitions-and-imports query (`queries/*.scm`).
    pub query: &'static str,
    /// The highlight query sources to try, best first; each is joined into one query. The
    /// fallbacks keep some highlighting should a base query stop compiling against the grammar.
    pub highlights: &'static [&'static [&'static str]],
    /// The line comment marker.
    pub comment: &'static str,
    /// Whether function bodies are brace blocks (`{ … }`) rather than indented blocks.
    pub braces: bool,
    pub family: Family,
    /// Grammar node kinds that hold a sequence of statements or items (besides any `*block` or
    /// `*body`): a line starting inside one starts a statement.
    pub block_kinds: &'static [&'static str],
    /// How an import (or module, package, include) line starts.
    pub import_prefixes: &'static [&'static str],
    /// File stems that name their directory's module (`__init__`, `index`, `mod`).
    pub package_stems: &'static [&'static str],
    /// Whether every file names its directory's module (Go: packages are directories).
    pub directory_packages: bool,
    /// Keywords (those common enough in code to be noise when looking for definitions).
    pub keywords: &'static [&'static str],
    /// How a line that starts something new at its level begins (a definition, a test module,
    /// a script's entry point): typed inside a body, such a line has left it.
    pub definition_starts: &'static [&'static str],
    /// The files one import statement of the file at `from` reaches.
    pub resolve: fn(from: &str, statement: &str, files: &dyn Files) -> Vec<Imported>,
    /// The files whose definitions the file at `from` sees without an import (same Go or Java
    /// package, a C file's header).
    pub neighbours: fn(from: &str, files: &dyn Files) -> Vec<String>,
}

pub static RUST: LanguageSpec = LanguageSpec {
    language: Language::Rust,
    name: "rust",
    ids: &["rust"],
    extensions: &["rs"],
    grammar: || tree_sitter_rust::LANGUAGE.into(),
    query: include_str!("../queries/rust.scm"),
    highlights: &[&[tree_sitter_rust::HIGHLIGHTS_QUERY]],
    comment: "//",
    braces: true,
    family: Family::Rust,
    import_prefixes: &["use ", "pub use ", "mod "],
    package_stems: &["mod"],
    directory_packages: false,
    block_kinds: &["source_file", "declaration_list", "field_declaration_list", "enum_variant_list"],
    definition_starts: &[
        "fn ",
        "pub fn ",
        "pub(crate) fn ",
        "async fn ",
        "impl ",
        "struct ",
        "enum ",
        "trait ",
        "mod ",
        "#[test]",
        "#[cfg(test)]",
    ],
    keywords: &[
        "self", "Self", "super", "return", "if", "else", "for", "while", "let", "const", "fn", "struct",
        "impl", "pub", "use", "true", "false",
    ],
    resolve: imports::rust,
    neighbours: imports::no_neighbours,
};

pub static PYTHON: LanguageSpec = LanguageSpec {
    language: Language::Python,
    name: "python",
    ids: &["python"],
    extensions: &["py", "pyi"],
    grammar: || tree_sitter_python::LANGUAGE.into(),
    query: include_str!("../queries/python.scm"),
    highlights: &[&[tree_sitter_python::HIGHLIGHTS_QUERY]],
    comment: "#",
    braces: false,
    family: Family::Python,
    import_prefixes: &["import ", "from "],
    package_stems: &["__init__"],
    directory_packages: false,
    block_kinds: &["module"],
    definition_starts: &["def ", "async def ", "class ", "@", "if __name__"],
    keywords: &[
        "self", "return", "if", "else", "for", "while", "def", "class", "import", "from", "True", "False",
        "None",
    ],
    resolve: imports::python,
    neighbours: imports::no_neighbours,
};

const SCRIPT_KEYWORDS: &[&str] = &[
    "this", "super", "return", "if", "else", "for", "while", "let", "const", "var", "function", "class",
    "import", "from", "new", "null", "true", "false",
];

pub static JAVASCRIPT: LanguageSpec = LanguageSpec {
    language: Language::JavaScript,
    name: "javascript",
    ids: &["javascript", "javascriptreact", "jsx"],
    extensions: &["js", "mjs", "cjs", "jsx"],
    grammar: || tree_sitter_javascript::LANGUAGE.into(),
    query: include_str!("../queries/javascript.scm"),
    highlights: &[&[JS, JSX], &[JS]],
    comment: "//",
    braces: true,
    family: Family::Script,
    import_prefixes: &["import "],
    package_stems: &["index"],
    directory_packages: false,
    block_kinds: &["program"],
    definition_starts: &["function ", "async function ", "class ", "export ", "describe(", "test("],
    keywords: SCRIPT_KEYWORDS,
    resolve: imports::script,
    neighbours: imports::no_neighbours,
};

pub static TYPESCRIPT: LanguageSpec = LanguageSpec {
    language: Language::TypeScript,
    name: "typescript",
    ids: &["typescript"],
    extensions: &["ts", "mts", "cts"],
    grammar: || tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
    query: include_str!("../queries/typescript.scm"),
    highlights: &[&[JS, TS], &[TS]],
    ..JAVASCRIPT
};

/// TSX is TypeScript with JSX: the same definitions and imports.
pub static TSX: LanguageSpec = LanguageSpec {
    language: Language::Tsx,
    name: "tsx",
    ids: &["typescriptreact", "tsx"],
    extensions: &["tsx"],
    grammar: || tree_sitter_typescript::LANGUAGE_TSX.into(),
    highlights: &[&[JS, JSX, TS], &[JS, TS], &[TS]],
    ..TYPESCRIPT
};

pub static GO: LanguageSpec = LanguageSpec {
    language: Language::Go,
    name: "go",
    ids: &["go"],
    extensions: &["go"],
    grammar: || tree_sitter_go::LANGUAGE.into(),
    query: include_str!("../queries/go.scm"),
    highlights: &[&[tree_sitter_go::HIGHLIGHTS_QUERY]],
    comment: "//",
    braces: true,
    family: Family::Go,
    import_prefixes: &["import ", "package "],
    package_stems: &[],
    directory_packages: true,
    block_kinds: &["source_file"],
    definition_starts: &["func ", "type "],
    keywords: &[
        "return", "if", "else", "for", "const", "var", "func", "struct", "import", "nil", "true", "false",
    ],
    resolve: imports::go,
    neighbours: imports::go_neighbours,
};

pub static C: LanguageSpec = LanguageSpec {
    language: Language::C,
    name: "c",
    ids: &["c"],
    extensions: &["c", "h"],
    grammar: || tree_sitter_c::LANGUAGE.into(),
    query: include_str!("../queries/c.scm"),
    highlights: &[&[tree_sitter_c::HIGHLIGHT_QUERY]],
    comment: "//",
    braces: true,
    family: Family::C,
    import_prefixes: &["#include"],
    package_stems: &[],
    directory_packages: false,
    block_kinds: &["translation_unit", "compound_statement", "field_declaration_list"],
    definition_starts: &["int main(", "static ", "struct ", "typedef "],
    keywords: &["return", "if", "else", "for", "while", "const", "struct", "true", "false"],
    resolve: imports::include,
    neighbours: imports::header_neighbours,
};

pub static CPP: LanguageSpec = LanguageSpec {
    language: Language::Cpp,
    name: "cpp",
    ids: &["cpp", "c++", "cuda-cpp"],
    extensions: &["cc", "cpp", "cxx", "c++", "hh", "hpp", "hxx", "h++", "ipp"],
    grammar: || tree_sitter_cpp::LANGUAGE.into(),
    query: include_str!("../queries/cpp.scm"),
    highlights: &[
        &[tree_sitter_c::HIGHLIGHT_QUERY, tree_sitter_cpp::HIGHLIGHT_QUERY],
        &[tree_sitter_cpp::HIGHLIGHT_QUERY],
    ],
    block_kinds: &["translation_unit", "compound_statement", "field_declaration_list", "declaration_list"],
    definition_starts: &["int main(", "static ", "struct ", "class ", "namespace ", "template"],
    keywords: &[
        "this", "return", "if", "else", "for", "while", "const", "struct", "class", "new", "true", "false",
    ],
    ..C
};

pub static JAVA: LanguageSpec = LanguageSpec {
    language: Language::Java,
    name: "java",
    ids: &["java"],
    extensions: &["java"],
    grammar: || tree_sitter_java::LANGUAGE.into(),
    query: include_str!("../queries/java.scm"),
    highlights: &[&[tree_sitter_java::HIGHLIGHTS_QUERY]],
    comment: "//",
    braces: true,
    family: Family::Java,
    import_prefixes: &["import ", "package "],
    package_stems: &[],
    directory_packages: false,
    block_kinds: &["program"],
    definition_starts: &["public class ", "class ", "public static void main", "@Test"],
    keywords: &[
        "this", "super", "return", "if", "else", "for", "while", "var", "class", "import", "new", "null",
        "true", "false",
    ],
    resolve: imports::java,
    neighbours: imports::java_neighbours,
};

/// The tables, in the order of [`Language`]'s variants.
static SPECS: [&LanguageSpec; 9] = [&RUST, &PYTHON, &JAVASCRIPT, &TYPESCRIPT, &TSX, &GO, &C, &CPP, &JAVA];

impl Language {
    pub fn all() -> &'static [Language] {
        &ALL
    }

    /// Everything tandem knows about the language.
    pub fn spec(self) -> &'static LanguageSpec {
        SPECS[self as usize]
    }

    /// From an LSP language id (`rust`, `typescriptreact`, …).
    pub fn from_id(id: &str) -> Option<Self> {
        SPECS.iter().find(|s| s.ids.contains(&id)).map(|s| s.language)
    }

    /// From a path's extension.
    pub fn from_path(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.')?.1;
        SPECS.iter().find(|s| s.extensions.contains(&ext)).map(|s| s.language)
    }

    /// The language of a document: its language id when known, else its path.
    pub fn detect(language_id: &str, path: &str) -> Option<Self> {
        Self::from_id(language_id).or_else(|| Self::from_path(path))
    }

    pub fn name(self) -> &'static str {
        self.spec().name
    }

    pub fn grammar(self) -> tree_sitter::Language {
        (self.spec().grammar)()
    }

    /// The language's definitions-and-imports query, compiled once.
    pub fn query(self) -> &'static Query {
        static QUERIES: OnceLock<Vec<Query>> = OnceLock::new();
        let all = QUERIES.get_or_init(|| {
            SPECS
                .iter()
                .map(|s| {
                    // The queries are part of the program; a broken one is a bug caught by tests.
                    Query::new(&(s.grammar)(), s.query)
                        .unwrap_or_else(|e| panic!("query for {}: {e}", s.name))
                })
                .collect()
        });
        &all[self as usize]
    }

    /// Whether function bodies are brace blocks (`{ … }`) rather than indented blocks.
    pub fn braces(self) -> bool {
        self.spec().braces
    }

    /// Whether code in `other` reads like code in `self` (JavaScript and TypeScript, C and C++).
    pub fn same_family(self, other: Language) -> bool {
        self.spec().family == other.spec().family
    }

    /// The line comment marker.
    pub fn comment(self) -> &'static str {
        self.spec().comment
    }
}

/// Whether `line` (without its indentation) starts an import, module or package statement in
/// any language: a name on such a line is not used as a qualifier.
pub fn is_import_line(line: &str) -> bool {
    SPECS.iter().flat_map(|s| s.import_prefixes).any(|p| line.starts_with(p))
}

/// Whether the file stem `stem` of the file `file` names its directory's module in any
/// language (`pkg/__init__.py`, `util/index.ts`, `a/mod.rs`, every Go file).
pub fn names_its_directory(file: &str, stem: &str) -> bool {
    SPECS.iter().any(|s| s.package_stems.contains(&stem))
        || Language::from_path(file).is_some_and(|l| l.spec().directory_packages)
}

/// Whether a grammar node of this kind holds statements or items, in any grammar.
pub fn is_block_kind(kind: &str) -> bool {
    SPECS.iter().any(|s| s.block_kinds.contains(&kind))
}

/// Whether `word` is a keyword of any language.
pub fn is_keyword(word: &str) -> bool {
    static KEYWORDS: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    KEYWORDS.get_or_init(|| SPECS.iter().flat_map(|s| s.keywords.iter().copied()).collect()).contains(word)
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
    fn each_table_is_its_languages() {
        for (i, l) in Language::all().iter().enumerate() {
            assert_eq!(*l as usize, i);
            assert_eq!(l.spec().language, *l, "{}", l.name());
        }
        assert!(Language::JavaScript.same_family(Language::Tsx));
        assert!(Language::C.same_family(Language::Cpp));
        assert!(!Language::C.same_family(Language::Java));
        assert!(!Language::Rust.same_family(Language::Go));
    }

    #[test]
    fn the_grammar_neutral_checks_cover_every_language() {
        use std::collections::HashSet;
        let union = |f: fn(&LanguageSpec) -> &'static [&'static str]| -> HashSet<&str> {
            SPECS.iter().flat_map(|s| f(s).iter().copied()).collect()
        };
        let prefixes = ["use ", "pub use ", "import ", "from ", "#include", "package ", "mod "];
        assert_eq!(union(|s| s.import_prefixes), prefixes.into_iter().collect());
        let blocks = [
            "source_file",
            "program",
            "module",
            "translation_unit",
            "compound_statement",
            "declaration_list",
            "field_declaration_list",
            "enum_variant_list",
        ];
        assert_eq!(union(|s| s.block_kinds), blocks.into_iter().collect());
        assert!(is_import_line("pub use a::b;") && !is_import_line("export { a } from './a';"));
        for (file, stem) in
            [("__init__.py", "__init__"), ("index.ts", "index"), ("mod.rs", "mod"), ("x.go", "x")]
        {
            assert!(names_its_directory(file, stem), "{file}");
        }
        assert!(!names_its_directory("util.py", "util"));
    }

    #[test]
    fn recognises_ids_and_extensions() {
        assert_eq!(Language::detect("typescriptreact", "a.js"), Some(Language::Tsx));
        assert_eq!(Language::detect("plaintext", "src/a.hpp"), Some(Language::Cpp));
        assert_eq!(Language::detect("", "Makefile"), None);
    }
}
