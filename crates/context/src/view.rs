//! Short views of definitions for a prompt: a signature instead of a long body, a container with
//! its members' bodies left out, a member shown inside its container's header.

use crate::language::Language;
use crate::outline::{Definition, Kind, Outline};

/// Lines a function may have and still be shown whole.
const SHORT_FUNCTION_LINES: usize = 6;
/// Lines a container view keeps before it is cut.
const CONTAINER_LINES: usize = 24;

/// The view of definition `index` of `outline` (over `text`): what the prompt shows of it.
/// Members (fields, variants) are shown through their container; methods inside their
/// container's first line.
pub fn view(language: Language, text: &str, outline: &Outline, index: usize) -> String {
    let defs = &outline.definitions;
    let d = &defs[index];
    if d.kind.is_member()
        && let Some(p) = d.parent
    {
        return view(language, text, outline, p);
    }
    if d.kind.is_container() {
        return container(language, text, outline, index);
    }
    let own = elided(language, text, outline, index, SHORT_FUNCTION_LINES);
    match d.parent {
        Some(p) if defs[p].kind.is_container() => {
            let parent = &defs[p];
            let header = first_line(text, parent.range.start);
            let indent = indentation(text, d.range.start);
            let close = closing_line(language, text, parent);
            let mut out = format!("{header}\n");
            if first_member_start(outline, p) != Some(d.range.start) {
                out.push_str(&format!("{indent}{}\n", ellipsis(language)));
            }
            out.push_str(&format!("{indent}{own}"));
            if let Some(c) = close {
                out.push('\n');
                out.push_str(&c);
            }
            out
        }
        _ => own,
    }
}

/// A container with the bodies of what it holds left out (beyond a few lines), cut after
/// [`CONTAINER_LINES`] lines.
fn container(language: Language, text: &str, outline: &Outline, index: usize) -> String {
    let d = &outline.definitions[index];
    let whole = &text[d.range.clone()];
    let out = if whole.lines().count() <= CONTAINER_LINES {
        whole.to_owned()
    } else {
        let mut out = String::new();
        let mut pos = d.range.start;
        for (i, inner) in outline.definitions.iter().enumerate() {
            if i == index || inner.range.start < pos || inner.range.end > d.range.end {
                continue;
            }
            if let Some(body) = &inner.body
                && !inner.kind.is_container()
                && text[body.clone()].contains('\n')
            {
                out.push_str(&text[pos..body.start]);
                out.push_str(body_ellipsis(language));
                pos = body.end;
            }
        }
        out.push_str(&text[pos..d.range.end]);
        out
    };
    cut_lines(language, &out, CONTAINER_LINES, closing_line(language, text, d))
}

/// Definition `index` with its body left out when it has more than `max_lines` lines.
fn elided(language: Language, text: &str, outline: &Outline, index: usize, max_lines: usize) -> String {
    let d = &outline.definitions[index];
    let whole = &text[d.range.clone()];
    match &d.body {
        Some(body) if whole.lines().count() > max_lines && body.start >= d.range.start => {
            format!("{}{}", &text[d.range.start..body.start], body_ellipsis(language))
        }
        _ => cut_lines(language, whole, CONTAINER_LINES, None),
    }
}

fn body_ellipsis(language: Language) -> &'static str {
    if language.braces() { "{ ... }" } else { "..." }
}

fn ellipsis(language: Language) -> String {
    format!("{} ...", language.comment())
}

/// The first `max` lines of `s`, then an ellipsis line and `close` when lines were left out.
fn cut_lines(language: Language, s: &str, max: usize, close: Option<String>) -> String {
    let lines: Vec<&str> = s.lines().collect();
    if lines.len() <= max {
        return s.to_owned();
    }
    let indent = lines.get(1).map_or("    ", |l| &l[..l.len() - l.trim_start().len()]);
    let mut out = lines[..max].join("\n");
    out.push_str(&format!("\n{indent}{}", ellipsis(language)));
    if let Some(c) = close {
        out.push('\n');
        out.push_str(&c);
    }
    out
}

fn first_line(text: &str, start: usize) -> &str {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    text[line_start..end].trim_end()
}

fn indentation(text: &str, at: usize) -> &str {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..at];
    &line[..line.len() - line.trim_start().len()]
}

/// A container's closing line (`}`, `};`) when it ends on a line of its own.
fn closing_line(language: Language, text: &str, d: &Definition) -> Option<String> {
    if !language.braces() {
        return None;
    }
    let line_start = text[..d.range.end].rfind('\n').map_or(0, |i| i + 1);
    let last = &text[line_start..d.range.end];
    let end = text[d.range.end..].find('\n').map_or(text.len(), |i| d.range.end + i);
    let line = text[line_start..end].trim_end();
    (last.trim_start().starts_with('}') && line.len() <= 80).then(|| line.to_owned())
}

fn first_member_start(outline: &Outline, container: usize) -> Option<usize> {
    outline.definitions.iter().find(|d| d.parent == Some(container)).map(|d| d.range.start)
}

/// Whether a definition is worth showing on its own (not a local detail).
pub fn is_listed(d: &Definition) -> bool {
    !matches!(d.kind, Kind::Impl | Kind::Module)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(lang: Language, text: &str, name: &str) -> String {
        let o = Outline::of(lang, text);
        let i = o.named(name).next().expect(name);
        view(lang, text, &o, i)
    }

    #[test]
    fn a_long_function_shows_its_signature() {
        let text = "fn long(a: u8) -> u8 {\n    let b = a;\n    let c = b;\n    let d = c;\n    let e = d;\n    let f = e;\n    f\n}\n";
        assert_eq!(show(Language::Rust, text, "long"), "fn long(a: u8) -> u8 { ... }");
        let short = "fn short() -> u8 {\n    1\n}\n";
        assert_eq!(show(Language::Rust, short, "short"), "fn short() -> u8 {\n    1\n}");
    }

    #[test]
    fn a_variant_shows_its_enum_and_a_method_its_impl() {
        let text = "enum E {\n    A,\n    B,\n}\nimpl E {\n    fn a() {}\n    pub fn b(&self) -> u8 {\n        2\n    }\n}\n";
        assert_eq!(show(Language::Rust, text, "B"), "enum E {\n    A,\n    B,\n}");
        assert_eq!(
            show(Language::Rust, text, "b"),
            "impl E {\n    // ...\n    pub fn b(&self) -> u8 {\n        2\n    }\n}"
        );
    }

    #[test]
    fn python_method_in_its_class() {
        let text = "class C:\n    def m(self, x):\n        a = 1\n        b = 2\n        c = 3\n        d = 4\n        e = 5\n        return x\n";
        assert_eq!(show(Language::Python, text, "m"), "class C:\n    def m(self, x):\n        ...");
    }

    #[test]
    fn a_long_class_hides_method_bodies() {
        let mut text = String::from("class Big {\n");
        for i in 0..30 {
            text.push_str(&format!("  m{i}(x) {{\n    return x + {i};\n  }}\n"));
        }
        text.push_str("}\n");
        let v = show(Language::JavaScript, &text, "Big");
        assert!(v.starts_with("class Big {\n  m0(x) { ... }\n  m1(x) { ... }\n"), "{v}");
        assert!(v.ends_with("  // ...\n}"), "{v}");
        assert_eq!(v.lines().count(), CONTAINER_LINES + 2);
    }
}
