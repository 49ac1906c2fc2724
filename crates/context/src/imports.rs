//! Import statements resolved to workspace files: Rust `use`/`mod`, Python imports (relative
//! too), JS/TS relative imports (index files too), Go in-module imports and the package's own
//! files, C/C++ local includes, Java imports and the package's own files.
//!
//! Paths are workspace-relative with `/` separators.

use crate::language::Language;

/// The workspace's files, as far as resolution needs them.
pub trait Files {
    fn exists(&self, path: &str) -> bool;
    /// Every file path (for suffix matches and directory listings).
    fn paths(&self) -> Box<dyn Iterator<Item = &str> + '_>;
    /// The Go module path declared by the `go.mod` at `dir/go.mod`, if any.
    fn go_module(&self, dir: &str) -> Option<String>;
    /// The import statements of an indexed file (to follow re-exports of index files).
    fn imports_of(&self, _path: &str) -> Vec<String> {
        Vec::new()
    }
}

/// A file an import reaches, with the names it takes from it (empty: the whole file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub path: String,
    pub names: Vec<String>,
}

/// The files `imports` (statements of the file at `from`) reach, plus the files whose definitions
/// the language makes visible without an import (same Go or Java package, a C file's header).
pub fn resolve(language: Language, from: &str, imports: &[String], files: &dyn Files) -> Vec<Imported> {
    let mut out: Vec<Imported> = Vec::new();
    let spec = language.spec();
    for statement in imports {
        let found = (spec.resolve)(from, statement, files);
        for f in found {
            if f.path == from {
                continue;
            }
            match out.iter_mut().find(|o| o.path == f.path) {
                Some(o) if o.names.is_empty() || f.names.is_empty() => o.names.clear(),
                Some(o) => o.names.extend(f.names),
                None => out.push(f),
            }
        }
    }
    for path in (spec.neighbours)(from, files) {
        if !out.iter().any(|o| o.path == path) {
            out.push(Imported { path, names: Vec::new() });
        }
    }
    out
}

fn whole(path: String) -> Imported {
    Imported { path, names: Vec::new() }
}

/// The directory part of `path` ("" at the root).
pub fn dir(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `dir` joined with a relative path, `.` and `..` resolved; `None` when it leaves the root.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

fn first_existing(files: &dyn Files, candidates: impl IntoIterator<Item = String>) -> Option<String> {
    candidates.into_iter().find(|c| files.exists(c))
}

/// The shortest path that ends with `/suffix` (or is `suffix`).
fn by_suffix(files: &dyn Files, suffix: &str) -> Option<String> {
    let slashed = format!("/{suffix}");
    files
        .paths()
        .filter(|p| *p == suffix || p.ends_with(&slashed))
        .min_by_key(|p| (p.len(), p.to_string()))
        .map(str::to_owned)
}

fn files_in_dir<'a>(files: &'a dyn Files, d: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    files.paths().filter(move |p| dir(p) == d)
}

/// A language whose files see only what they import.
pub(crate) fn no_neighbours(_from: &str, _files: &dyn Files) -> Vec<String> {
    Vec::new()
}

/// Go: the package's other files (tests aside).
pub(crate) fn go_neighbours(from: &str, files: &dyn Files) -> Vec<String> {
    files_in_dir(files, dir(from))
        .filter(|p| p.ends_with(".go") && !p.ends_with("_test.go") && *p != from)
        .map(str::to_owned)
        .collect()
}

/// Java: the package's other files.
pub(crate) fn java_neighbours(from: &str, files: &dyn Files) -> Vec<String> {
    files_in_dir(files, dir(from)).filter(|p| p.ends_with(".java") && *p != from).map(str::to_owned).collect()
}

/// C and C++: the file's own header.
pub(crate) fn header_neighbours(from: &str, files: &dyn Files) -> Vec<String> {
    let stem = from.rsplit_once('.').map_or(from, |(s, _)| s);
    ["h", "hpp", "hh", "hxx"].iter().map(|e| format!("{stem}.{e}")).filter(|p| files.exists(p)).collect()
}

// ---- Rust ----

/// The directory holding a Rust file's child modules.
fn rust_module_dir(from: &str) -> String {
    let file = from.rsplit('/').next().unwrap_or(from);
    match file {
        "lib.rs" | "main.rs" | "mod.rs" => dir(from).to_owned(),
        _ => from.strip_suffix(".rs").unwrap_or(from).to_owned(),
    }
}

/// The crate's source root: the nearest `src` directory above the file, else the file's directory.
fn rust_crate_root(from: &str) -> String {
    let mut d = dir(from);
    loop {
        if d == "src" || d.ends_with("/src") {
            return d.to_owned();
        }
        match d.rfind('/') {
            Some(i) => d = &d[..i],
            None => return dir(from).to_owned(),
        }
    }
}

fn rust_module_file(files: &dyn Files, module: &str) -> Option<String> {
    if module.is_empty() || module.ends_with("/src") || module == "src" {
        let base = if module.is_empty() { String::new() } else { format!("{module}/") };
        return first_existing(files, [format!("{base}lib.rs"), format!("{base}main.rs")]);
    }
    first_existing(files, [format!("{module}.rs"), format!("{module}/mod.rs")])
}

/// `use a::{b, c::{d, e as f}, g::*};` → `a::b`, `a::c::d`, `a::c::e`, `a::g::*`.
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    fn go(prefix: &[String], s: &str, out: &mut Vec<Vec<String>>) {
        let s = s.trim();
        if s.is_empty() {
            return;
        }
        if let Some(open) = s.find('{') {
            let head: Vec<String> =
                s[..open].split("::").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
            let inner = s[open + 1..].trim_end().strip_suffix('}').unwrap_or(&s[open + 1..]);
            let mut base = prefix.to_vec();
            base.extend(head);
            let (mut depth, mut start) = (0, 0);
            for (i, c) in inner.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        go(&base, &inner[start..i], out);
                        start = i + 1;
                    }
                    _ => {}
                }
            }
            go(&base, &inner[start..], out);
        } else {
            let s = s.split(" as ").next().unwrap_or(s);
            let mut path = prefix.to_vec();
            path.extend(s.split("::").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned));
            out.push(path);
        }
    }
    let mut out = Vec::new();
    go(&[], tree, &mut out);
    out
}

pub(crate) fn rust(from: &str, statement: &str, files: &dyn Files) -> Vec<Imported> {
    let s = statement.trim().trim_end_matches(';');
    let s = s.strip_prefix("pub(crate) ").or_else(|| s.strip_prefix("pub ")).unwrap_or(s).trim();
    let module_dir = rust_module_dir(from);
    if let Some(name) = s.strip_prefix("mod ") {
        let m = format!("{module_dir}/{}", name.trim());
        return rust_module_file(files, m.trim_start_matches('/')).map(whole).into_iter().collect();
    }
    let Some(tree) = s.strip_prefix("use ") else { return Vec::new() };
    let mut out = Vec::new();
    for path in expand_use(tree) {
        let mut segs = path.as_slice();
        let mut base = match segs.first().map(String::as_str) {
            Some("crate") => {
                segs = &segs[1..];
                rust_crate_root(from)
            }
            Some("self") => {
                segs = &segs[1..];
                module_dir.clone()
            }
            Some("super") => {
                let mut d = module_dir.clone();
                while segs.first().is_some_and(|s| s == "super") {
                    d = dir(&d).to_owned();
                    segs = &segs[1..];
                }
                d
            }
            // A sibling module declared with `mod`, or an outside crate (not resolved).
            Some(first) if rust_module_file(files, &format!("{module_dir}/{first}")).is_some() => {
                module_dir.clone()
            }
            _ => continue,
        };
        if segs.is_empty() {
            continue;
        }
        // The longest module path that is a file; what follows it is the item taken from it.
        for i in (0..=segs.len()).rev() {
            let mut module = base.clone();
            for s in &segs[..i] {
                module = if module.is_empty() { s.clone() } else { format!("{module}/{s}") };
            }
            if let Some(file) = rust_module_file(files, &module) {
                let names = match segs.get(i) {
                    Some(n) if n != "*" => vec![n.clone()],
                    _ => Vec::new(),
                };
                out.push(Imported { path: file, names });
                break;
            }
        }
        base.clear();
    }
    out
}

// ---- Python ----

fn python_module(files: &dyn Files, base: Option<&str>, dotted: &str) -> Option<String> {
    let rel = dotted.replace('.', "/");
    let candidates =
        |stem: &str| [format!("{stem}.py"), format!("{stem}/__init__.py"), format!("{stem}.pyi")];
    match base {
        Some(b) => {
            let stem = if rel.is_empty() { b.to_owned() } else { join(b, &rel)? };
            if rel.is_empty() {
                return first_existing(files, [join(&stem, "__init__.py")?]);
            }
            first_existing(files, candidates(&stem))
        }
        None => candidates(&rel).iter().find_map(|c| by_suffix(files, c)),
    }
}

pub(crate) fn python(from: &str, statement: &str, files: &dyn Files) -> Vec<Imported> {
    let flat: String = statement
        .replace("\\\n", " ")
        .replace(['(', ')', '\n'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = Vec::new();
    if let Some(rest) = flat.strip_prefix("from ") {
        let Some((module, names)) = rest.split_once(" import ") else { return out };
        let dots = module.len() - module.trim_start_matches('.').len();
        let dotted = &module[dots..];
        let base = if dots > 0 {
            let mut d = dir(from).to_owned();
            for _ in 1..dots {
                d = dir(&d).to_owned();
            }
            Some(d)
        } else {
            None
        };
        let names: Vec<String> = names
            .split(',')
            .map(|n| n.split(" as ").next().unwrap_or(n).trim().to_owned())
            .filter(|n| !n.is_empty())
            .collect();
        let module_file = python_module(files, base.as_deref(), dotted);
        for n in &names {
            // `from pkg import module` takes a whole file.
            let sub = if dotted.is_empty() { n.clone() } else { format!("{dotted}.{n}") };
            if let Some(f) = python_module(files, base.as_deref(), &sub) {
                out.push(whole(f));
            }
        }
        if let Some(f) = module_file {
            let names = if names.iter().any(|n| n == "*") { Vec::new() } else { names };
            out.push(Imported { path: f, names });
        }
    } else if let Some(rest) = flat.strip_prefix("import ") {
        for m in rest.split(',') {
            let m = m.split(" as ").next().unwrap_or(m).trim();
            if let Some(f) = python_module(files, None, m) {
                out.push(whole(f));
            }
        }
    }
    out
}

// ---- JavaScript / TypeScript ----

const SCRIPT_EXTENSIONS: [&str; 8] = ["ts", "tsx", "d.ts", "js", "jsx", "mjs", "cjs", "mts"];

fn quoted(s: &str) -> Option<&str> {
    let start = s.find(['"', '\''])?;
    let q = s.as_bytes()[start] as char;
    let end = s[start + 1..].find(q)? + start + 1;
    Some(&s[start + 1..end])
}

/// A relative module specifier resolved to a file: exact, with an extension, or an index file.
pub fn script_module(files: &dyn Files, from: &str, spec: &str) -> Option<String> {
    if !spec.starts_with('.') {
        return None;
    }
    let target = join(dir(from), spec)?;
    let stem = target.strip_suffix(".js").or_else(|| target.strip_suffix(".mjs")).unwrap_or(&target);
    let mut candidates = vec![target.clone()];
    candidates.extend(SCRIPT_EXTENSIONS.iter().map(|e| format!("{stem}.{e}")));
    candidates.extend(SCRIPT_EXTENSIONS.iter().map(|e| format!("{target}/index.{e}")));
    first_existing(files, candidates)
}

pub(crate) fn script(from: &str, statement: &str, files: &dyn Files) -> Vec<Imported> {
    let Some(from_at) = statement.rfind(" from ").or_else(|| statement.find("import ")) else {
        return Vec::new();
    };
    let Some(spec) = quoted(&statement[from_at..]) else { return Vec::new() };
    let Some(path) = script_module(files, from, spec) else { return Vec::new() };
    let mut names = Vec::new();
    let head = &statement[..from_at];
    if let (Some(open), Some(close)) = (head.find('{'), head.rfind('}')) {
        for n in head[open + 1..close].split(',') {
            let n = n.trim().trim_start_matches("type ").split(" as ").next().unwrap_or("").trim();
            if !n.is_empty() {
                names.push(n.to_owned());
            }
        }
    }
    if head.contains('*') {
        names.clear();
    }
    // An index file that re-exports (`export * from "./http"`): its sources count too.
    let mut out = Vec::new();
    if path.rsplit('/').next().is_some_and(|f| f.starts_with("index.")) {
        for s in files.imports_of(&path).iter().filter(|s| s.trim_start().starts_with("export")) {
            if let Some(Some(p)) =
                quoted(&s[s.rfind(" from ").unwrap_or(0)..]).map(|spec| script_module(files, &path, spec))
            {
                out.push(Imported { path: p, names: names.clone() });
            }
        }
    }
    out.insert(0, Imported { path, names });
    out
}

// ---- Go ----

pub(crate) fn go(from: &str, statement: &str, files: &dyn Files) -> Vec<Imported> {
    let Some(spec) = statement.split('"').nth(1) else { return Vec::new() };
    // The module whose go.mod is nearest above the file.
    let mut d = dir(from).to_owned();
    let (root, module) = loop {
        if let Some(m) = files.go_module(&d) {
            break (d, m);
        }
        if d.is_empty() {
            return Vec::new();
        }
        d = dir(&d).to_owned();
    };
    let Some(rest) = spec.strip_prefix(module.as_str()) else { return Vec::new() };
    let target = join(&root, rest.trim_start_matches('/')).unwrap_or_default();
    files_in_dir(files, &target)
        .filter(|p| p.ends_with(".go") && !p.ends_with("_test.go"))
        .map(|p| whole(p.to_owned()))
        .collect()
}

// ---- C / C++ ----

pub(crate) fn include(from: &str, statement: &str, files: &dyn Files) -> Vec<Imported> {
    let s = statement.trim().trim_start_matches('#').trim_start().trim_start_matches("include").trim();
    let spec = match s.chars().next() {
        Some('"') => s[1..].split('"').next(),
        Some('<') => s[1..].split('>').next(),
        _ => None,
    };
    let Some(spec) = spec else { return Vec::new() };
    join(dir(from), spec)
        .filter(|p| files.exists(p))
        .or_else(|| by_suffix(files, spec))
        .map(whole)
        .into_iter()
        .collect()
}

// ---- Java ----

pub(crate) fn java(_from: &str, statement: &str, files: &dyn Files) -> Vec<Imported> {
    let s = statement.trim().trim_end_matches(';').trim();
    let Some(rest) = s.strip_prefix("import ") else { return Vec::new() };
    let (is_static, rest) = match rest.trim().strip_prefix("static ") {
        Some(r) => (true, r.trim()),
        None => (false, rest.trim()),
    };
    let parts: Vec<&str> = rest.split('.').collect();
    if parts.last() == Some(&"*") && !is_static {
        let d = parts[..parts.len() - 1].join("/");
        let slashed = format!("/{d}");
        return files
            .paths()
            .filter(|p| p.ends_with(".java") && (dir(p) == d || dir(p).ends_with(&slashed)))
            .map(|p| whole(p.to_owned()))
            .collect();
    }
    let (class, names) = if is_static && parts.len() > 1 {
        let member = parts[parts.len() - 1];
        (&parts[..parts.len() - 1], if member == "*" { Vec::new() } else { vec![member.to_owned()] })
    } else {
        (&parts[..], vec![parts.last().copied().unwrap_or_default().to_owned()])
    };
    by_suffix(files, &format!("{}.java", class.join("/")))
        .map(|path| Imported { path, names })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::Outline;

    struct Set(Vec<&'static str>, Option<(&'static str, &'static str)>);

    impl Files for Set {
        fn exists(&self, path: &str) -> bool {
            self.0.contains(&path)
        }
        fn paths(&self) -> Box<dyn Iterator<Item = &str> + '_> {
            Box::new(self.0.iter().copied())
        }
        fn go_module(&self, dir: &str) -> Option<String> {
            self.1.filter(|(d, _)| *d == dir).map(|(_, m)| m.to_owned())
        }
    }

    fn found(lang: Language, from: &str, text: &str, files: &Set) -> Vec<(String, Vec<String>)> {
        let imports = Outline::of(lang, text).imports;
        resolve(lang, from, &imports, files).into_iter().map(|i| (i.path, i.names)).collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rust_use_and_mod() {
        let files = Set(
            vec!["src/lib.rs", "src/error.rs", "src/parse.rs", "src/a/mod.rs", "src/a/b.rs", "src/impls.rs"],
            None,
        );
        let text = "mod impls;\nuse crate::error::{ErrorKind, Position};\nuse crate::a::{b::Thing, Other as O};\nuse super::x;\nuse std::fmt;\nuse self::impls::*;\n";
        assert_eq!(
            found(Language::Rust, "src/lib.rs", text, &files),
            [
                ("src/impls.rs".into(), vec![]),
                ("src/error.rs".into(), s(&["ErrorKind", "Position"])),
                ("src/a/b.rs".into(), s(&["Thing"])),
                ("src/a/mod.rs".into(), s(&["Other"])),
            ]
        );
        assert_eq!(
            found(Language::Rust, "src/a/b.rs", "use super::Other;\n", &files),
            [("src/a/mod.rs".into(), s(&["Other"]))]
        );
    }

    #[test]
    fn python_relative_and_absolute() {
        let files = Set(
            vec!["click/core.py", "click/types.py", "click/__init__.py", "click/_compat.py", "tests/x.py"],
            None,
        );
        let text = "from . import types\nfrom .core import (Command,\n    Group as G)\nfrom ._compat import *\nimport click.core\nimport os\n";
        assert_eq!(
            found(Language::Python, "click/decorators.py", text, &files),
            [
                ("click/types.py".into(), vec![]),
                ("click/__init__.py".into(), s(&["types"])),
                ("click/core.py".into(), vec![]),
                ("click/_compat.py".into(), vec![]),
            ]
        );
        assert_eq!(
            found(Language::Python, "tests/x.py", "from ..click.core import Command\n", &files),
            [("click/core.py".into(), s(&["Command"]))]
        );
    }

    #[test]
    fn typescript_relative_and_index_files() {
        let files = Set(vec!["src/a.ts", "src/util/index.ts", "src/b.tsx", "src/c.js"], None);
        let text = "import { A, type B as BB } from './a';\nimport * as u from \"./util\";\nimport C from './b';\nimport x from 'react';\nexport { D } from './c.js';\n";
        assert_eq!(
            found(Language::TypeScript, "src/main.ts", text, &files),
            [
                ("src/a.ts".into(), s(&["A", "B"])),
                ("src/util/index.ts".into(), vec![]),
                ("src/b.tsx".into(), vec![]),
                ("src/c.js".into(), s(&["D"])),
            ]
        );
    }

    #[test]
    fn go_module_imports_and_same_package() {
        let files = Set(
            vec![
                "go.mod",
                "mux.go",
                "tree.go",
                "mux_test.go",
                "middleware/logger.go",
                "middleware/x_test.go",
            ],
            Some(("", "github.com/go-chi/chi/v5")),
        );
        let text = "package chi\nimport (\n\t\"fmt\"\n\tmw \"github.com/go-chi/chi/v5/middleware\"\n)\n";
        assert_eq!(
            found(Language::Go, "context.go", text, &files),
            [("middleware/logger.go".into(), vec![]), ("mux.go".into(), vec![]), ("tree.go".into(), vec![])]
        );
    }

    #[test]
    fn c_includes_and_java_imports() {
        let files = Set(vec!["src/util.h", "include/lib/api.h", "src/main.h"], None);
        let text = "#include \"util.h\"\n#include <lib/api.h>\n#include <stdio.h>\n";
        assert_eq!(
            found(Language::C, "src/main.c", text, &files),
            [
                ("src/util.h".into(), vec![]),
                ("include/lib/api.h".into(), vec![]),
                ("src/main.h".into(), vec![])
            ]
        );
        let files = Set(
            vec![
                "src/main/java/com/x/Y.java",
                "src/main/java/com/x/Z.java",
                "src/main/java/com/u/U.java",
                "src/main/java/com/u/V.java",
            ],
            None,
        );
        let text = "package com.x;\nimport com.u.U;\nimport static com.u.V.helper;\nimport java.util.List;\n";
        assert_eq!(
            found(Language::Java, "src/main/java/com/x/Y.java", text, &files),
            [
                ("src/main/java/com/u/U.java".into(), s(&["U"])),
                ("src/main/java/com/u/V.java".into(), s(&["helper"])),
                ("src/main/java/com/x/Z.java".into(), vec![]),
            ]
        );
    }
}
