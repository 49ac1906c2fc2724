//! The edits an edit implies ("next edits"), found from the syntax tree alone: what changed
//! ([`analyse`]: an identifier renamed, a function's parameters changed, a line changed that has
//! siblings of the same shape or copies elsewhere) and where else the same change is due
//! ([`places`], run on the edited file and, for names other files see, on theirs).
//!
//! Everything here is deterministic: a place gets its replacement text computed, except a call
//! that must pass a parameter the function just gained, whose argument only a model can write
//! (its replacement is `None`, and [`Implied::insert_at`] says where the argument goes).

use crate::Language;
use crate::language::is_keyword;
use crate::outline::Outline;
use std::ops::Range;
use tree_sitter::{Node, Tree};

/// What kind of change a place is due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An identifier renamed: its other uses in scope.
    Rename,
    /// A function's parameters changed: its call sites.
    Signature,
    /// A line edited among lines of the same shape: the same change on them.
    Sibling,
    /// A line edited that has exact copies elsewhere: the same change on them.
    Repeat,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Rename => "rename",
            Kind::Signature => "signature",
            Kind::Sibling => "sibling",
            Kind::Repeat => "repeat",
        }
    }
}

/// An edit that was made: the text before and after, their trees, and the bytes that changed
/// (`old[start..old_end]` became `new[start..new_end]`); `known` says whether a name is defined
/// elsewhere in the workspace (so that other files can see it).
#[derive(Clone, Copy)]
pub struct Edit<'a> {
    pub language: Language,
    pub old: &'a str,
    pub old_tree: &'a Tree,
    pub new: &'a str,
    pub new_tree: &'a Tree,
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
    pub known: &'a dyn Fn(&str) -> bool,
}

impl std::fmt::Debug for Edit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Edit")
            .field("language", &self.language)
            .field("start", &self.start)
            .field("old_end", &self.old_end)
            .field("new_end", &self.new_end)
            .finish_non_exhaustive()
    }
}

/// How a function's callers must change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgChange {
    /// The parameter at `index` (counting a receiver `self`) is gone.
    Remove { index: usize, name: String },
    /// The parameters were reordered: new parameter `j` was `order[j]`.
    Reorder { order: Vec<usize> },
    /// A parameter was renamed: keyword arguments naming it follow.
    Keyword { old: String, new: String },
    /// A parameter without a default was added at `index`: callers must pass something.
    Add { index: usize, name: String },
}

/// One change, described independently of where it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Rename {
        old: String,
        new: String,
    },
    Calls {
        function: String,
        change: ArgChange,
        receiver: bool,
    },
    /// A line `old` (without its indentation) that became `new`, applied to lines of its shape.
    Sibling {
        old: String,
        new: String,
    },
    /// A line `old` (without its indentation) that became `new`, applied to its exact copies.
    Repeat {
        old: String,
        new: String,
    },
    /// Whole lines deleted (each without its indentation): their copies go too.
    Delete {
        lines: Vec<String>,
    },
    /// A piece of text (whole words) replaced in a comment or a string: its other occurrences in
    /// the file's comments and strings (a typo, a phrase).
    Text {
        old: String,
        new: String,
    },
}

/// A change and where it applies in the edited file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scoped {
    pub change: Change,
    /// The bytes of the edited (new) text it applies in.
    pub scope: Range<usize>,
    /// Other files may be due it too (a name they can see).
    pub visible: bool,
}

/// A place an edit implies, in the text it was found in.
#[derive(Clone, Debug, PartialEq)]
pub struct Implied {
    pub range: Range<usize>,
    /// The replacement; `None` when a model must write it.
    pub text: Option<String>,
    /// For a replacement a model writes: the byte (inside `range`) where an argument goes, and
    /// whether it needs a comma before and after it.
    pub insert_at: Option<Insertion>,
    pub kind: Kind,
    pub reason: String,
    /// How sure the finder is (deterministic ones: by how much can go wrong).
    pub confidence: f32,
}

/// Where a model-written argument goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Insertion {
    pub at: usize,
    pub comma_before: bool,
    pub comma_after: bool,
}

/// The changed bytes between two texts: `(start, old_end, new_end)` after their common prefix
/// and suffix (at char boundaries), or `None` when they are equal.
pub fn changed_span(old: &str, new: &str) -> Option<(usize, usize, usize)> {
    if old == new {
        return None;
    }
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut start = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !old.is_char_boundary(start) || !new.is_char_boundary(start) {
        start -= 1;
    }
    let max = a.len().min(b.len()) - start;
    let mut suffix = a.iter().rev().zip(b.iter().rev()).take(max).take_while(|(x, y)| x == y).count();
    while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    Some((start, a.len() - suffix, b.len() - suffix))
}

/// What the edit changed, each with where it applies in the edited file. Most specific first:
/// a parameter list changed, then an identifier renamed, then a line with siblings or copies.
pub fn analyse(edit: &Edit) -> Vec<Scoped> {
    let mut found = Vec::new();
    let whole = 0..edit.new.len();
    if let Some(calls) = signature(edit) {
        found.push(Scoped { change: calls, scope: whole.clone(), visible: true });
    }
    if let Some(rename) = rename(edit) {
        found.push(rename);
    }
    if found.is_empty()
        && let Some(lines) = deleted_lines(edit)
    {
        found.push(Scoped { change: Change::Delete { lines }, scope: whole.clone(), visible: true });
    }
    if found.is_empty()
        && let Some((old, new)) = one_line(edit)
    {
        found.push(Scoped {
            change: Change::Sibling { old: old.clone(), new: new.clone() },
            scope: block_around(edit.new, edit.start),
            visible: false,
        });
        if old.trim().len() >= MIN_REPEAT {
            found.push(Scoped { change: Change::Repeat { old, new }, scope: whole.clone(), visible: true });
        }
    }
    if !found.iter().any(|f| matches!(f.change, Change::Rename { .. } | Change::Calls { .. }))
        && in_prose(edit.old_tree, edit.start, edit.old_end)
        && let Some((old, new)) = changed_words(edit)
    {
        found.push(Scoped { change: Change::Text { old, new }, scope: whole, visible: false });
    }
    found
}

/// The shortest line (without indentation) whose copies are worth changing alike: shorter ones
/// (`}`, `return`, `else:`) repeat by accident.
const MIN_REPEAT: usize = 8;

/// The places in `text` (with its `tree`) where `change` is due, within `scope`, leaving out
/// `skip` (the edit itself). Sorted by position.
pub fn places(
    text: &str,
    tree: &Tree,
    change: &Change,
    scope: Range<usize>,
    skip: Range<usize>,
) -> Vec<Implied> {
    // Not the edit itself, nor an insertion at either of its ends.
    let outside = |r: &Range<usize>| {
        if r.is_empty() {
            r.start < skip.start || r.start > skip.end
        } else {
            r.end <= skip.start || r.start >= skip.end
        }
    };
    let inside = |r: &Range<usize>| r.start >= scope.start && r.end <= scope.end;
    let mut out: Vec<Implied> = match change {
        Change::Rename { old, new } => identifiers(tree.root_node(), text, old)
            .into_iter()
            .map(|r| Implied {
                range: r,
                text: Some(new.clone()),
                insert_at: None,
                kind: Kind::Rename,
                reason: format!("`{old}` was renamed to `{new}`"),
                confidence: 0.95,
            })
            .collect(),
        Change::Calls { function, change, receiver } => calls(tree.root_node(), text, function)
            .into_iter()
            .filter_map(|call| call_edit(text, &call, function, change, *receiver))
            .collect(),
        Change::Sibling { old, new } => lines_in(text, &scope)
            .filter_map(|line| {
                let b = line_content(text, &line);
                let changed = transfer(old, new, &text[b.clone()])?;
                let (range, changed) = narrowed(text, b, &changed);
                Some(Implied {
                    range,
                    text: Some(changed),
                    insert_at: None,
                    kind: Kind::Sibling,
                    reason: format!("the same change as `{}` → `{}`", clip(old), clip(new)),
                    confidence: 0.8,
                })
            })
            .collect(),
        Change::Repeat { old, new } => lines_in(text, &scope)
            .filter_map(|line| {
                let b = line_content(text, &line);
                if text[b.clone()].trim_end() != old.trim_end() {
                    return None;
                }
                let (range, changed) =
                    narrowed(text, b.start..b.start + text[b].trim_end().len(), new.trim_end());
                Some(Implied {
                    range,
                    text: Some(changed),
                    insert_at: None,
                    kind: Kind::Repeat,
                    reason: format!("a copy of the line that became `{}`", clip(new)),
                    confidence: 0.85,
                })
            })
            .collect(),
        Change::Text { old, new } => whole_words(text, old, &scope)
            .into_iter()
            .filter(|r| in_prose(tree, r.start, r.end))
            .take(MAX_TEXT_PLACES)
            .map(|r| {
                let (range, changed) = narrowed(text, r, new);
                Implied {
                    range,
                    text: Some(changed),
                    insert_at: None,
                    kind: Kind::Repeat,
                    reason: format!("`{}` became `{}` at the edit", clip(old), clip(new)),
                    confidence: 0.7,
                }
            })
            .collect(),
        Change::Delete { lines } => {
            let all: Vec<Range<usize>> = lines_in(text, &scope).collect();
            let same = |k: usize| {
                (0..lines.len()).all(|j| all.get(k + j).is_some_and(|l| text[l.clone()].trim() == lines[j]))
            };
            (0..all.len())
                .filter(|&k| same(k))
                .map(|k| {
                    let end = all[k + lines.len() - 1].end;
                    Implied {
                        range: all[k].start..(end + 1).min(text.len()),
                        text: Some(String::new()),
                        insert_at: None,
                        kind: Kind::Repeat,
                        reason: format!("a copy of the deleted `{}`", clip(&lines[0])),
                        confidence: 0.85,
                    }
                })
                .collect()
        }
    };
    out.retain(|p| inside(&p.range) && outside(&p.range));
    out.sort_by_key(|p| p.range.start);
    out.dedup_by(|a, b| a.range.start < b.range.end);
    out
}

/// A replacement cut down to what changes: `range` of `text` replaced by `new`, without the
/// characters both begin and end with.
fn narrowed(text: &str, range: Range<usize>, new: &str) -> (Range<usize>, String) {
    let old = &text[range.clone()];
    let prefix: usize =
        old.chars().zip(new.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let (o, n) = (&old[prefix..], &new[prefix..]);
    let suffix: usize =
        o.chars().rev().zip(n.chars().rev()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
    let suffix = suffix.min(o.len()).min(n.len());
    (range.start + prefix..range.end - suffix, n[..n.len() - suffix].to_owned())
}

fn clip(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Renames

fn is_identifier(node: &Node) -> bool {
    node.child_count() == 0 && node.kind().ends_with("identifier")
}

/// The identifier leaf of `tree` holding the bytes `start..end` (an insertion at either end of
/// it too).
fn identifier_around<'t>(tree: &'t Tree, start: usize, end: usize) -> Option<Node<'t>> {
    let root = tree.root_node();
    [(start, end), (start.saturating_sub(1), end), (start, end + 1)].into_iter().find_map(|(a, b)| {
        let n = root.descendant_for_byte_range(a, b)?;
        (is_identifier(&n) && n.start_byte() <= start && end <= n.end_byte()).then_some(n)
    })
}

/// Every identifier leaf named `name` under `node`, as byte ranges.
fn identifiers(node: Node, text: &str, name: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if is_identifier(&n) {
            if &text[n.byte_range()] == name && !in_module_path(n) {
                out.push(n.byte_range());
            }
            continue;
        }
        if n.end_byte() - n.start_byte() < name.len() {
            continue;
        }
        stack.extend(n.children(&mut cursor));
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Whether an identifier names a module in an import (`from area import …`, `import area`,
/// `use crate::area::…`): renaming a function or variable leaves its module's name alone.
fn in_module_path(node: Node) -> bool {
    let mut child = node;
    while let Some(parent) = child.parent() {
        let kind = parent.kind();
        let field_is = |f: &str| parent.child_by_field_name(f).is_some_and(|c| c.id() == child.id());
        if kind == "import_from_statement" && field_is("module_name")
            || kind == "import_statement"
            || kind == "scoped_identifier" && field_is("path") && has_ancestor(parent, "use_declaration")
            || kind == "scoped_use_list" && field_is("path")
        {
            return true;
        }
        if kind.ends_with("statement") || kind.ends_with("declaration") || kind.ends_with("definition") {
            return false;
        }
        child = parent;
    }
    false
}

fn has_ancestor(node: Node, kind: &str) -> bool {
    let mut n = node.parent();
    while let Some(p) = n {
        if p.kind() == kind {
            return true;
        }
        n = p.parent();
    }
    false
}

fn is_function(kind: &str) -> bool {
    (kind.contains("function")
        || kind.contains("method")
        || kind.contains("lambda")
        || kind.contains("closure"))
        && !kind.contains("call")
        && !kind.contains("invocation")
        && !kind.contains("type")
        && !kind.contains("declarator")
        && !kind.ends_with("signature")
}

fn is_parameters(kind: &str) -> bool {
    matches!(
        kind,
        "parameters" | "formal_parameters" | "parameter_list" | "function_parameters" | "lambda_parameters"
    )
}

fn enclosing_function(node: Node) -> Option<Node> {
    let mut n = node.parent();
    while let Some(p) = n {
        if is_function(p.kind()) {
            return Some(p);
        }
        n = p.parent();
    }
    None
}

/// An identifier that changed into another one: its other uses, in the function that binds it
/// or, for a name the file defines (or a member), in the whole file and the files that see it.
fn rename(edit: &Edit) -> Option<Scoped> {
    let old = identifier_around(edit.old_tree, edit.start, edit.old_end)?;
    let new = identifier_around(edit.new_tree, edit.start, edit.new_end)?;
    let delta = edit.new_end as isize - edit.old_end as isize;
    if new.start_byte() != old.start_byte() || new.end_byte() as isize != old.end_byte() as isize + delta {
        return None;
    }
    let (old_name, new_name) = (&edit.old[old.byte_range()], &edit.new[new.byte_range()]);
    if old_name == new_name || is_keyword(new_name) {
        return None;
    }
    let change = Change::Rename { old: old_name.to_owned(), new: new_name.to_owned() };
    let whole = 0..edit.new.len();
    let defined = Outline::from_tree(edit.language, edit.old, edit.old_tree)
        .definitions
        .iter()
        .any(|d| d.name == old_name)
        || (edit.known)(old_name);
    // A member or a qualified name (`x.name`, `Type::name`) is not bound by the function.
    let member = new.parent().is_some_and(|p| {
        let k = p.kind();
        ["attribute", "member", "field", "selector", "scoped", "qualified"].iter().any(|w| k.contains(w))
    });
    let function = enclosing_function(new).filter(|f| {
        // A function's own name belongs to the scope around it.
        f.child_by_field_name("name").is_none_or(|n| n.byte_range() != new.byte_range())
    });
    let scoped = match function {
        _ if defined => Scoped { change, scope: whole, visible: true },
        _ if member => Scoped { change, scope: whole, visible: false },
        Some(f) => Scoped { change, scope: f.byte_range(), visible: false },
        None => Scoped { change, scope: whole, visible: false },
    };
    Some(scoped)
}

// ---------------------------------------------------------------------------------------------
// Signatures and calls

#[derive(Clone, Debug, PartialEq, Eq)]
struct Param {
    name: String,
    default: bool,
}

/// The parameter list holding byte `at` of `tree`, and the function it belongs to.
fn parameters_at(tree: &Tree, at: usize, end: usize) -> Option<(Node<'_>, Node<'_>)> {
    let mut n = tree.root_node().descendant_for_byte_range(at, end);
    while let Some(node) = n {
        if is_parameters(node.kind()) {
            let mut f = node.parent();
            while let Some(p) = f {
                if is_function(p.kind()) || p.kind() == "function_definition" {
                    return Some((node, p));
                }
                if p.kind().contains("declarator") {
                    f = p.parent();
                    continue;
                }
                return None;
            }
            return None;
        }
        if is_function(node.kind()) {
            return None;
        }
        n = node.parent();
    }
    None
}

/// A function definition's name.
fn function_name<'a>(f: Node, text: &'a str) -> Option<&'a str> {
    if let Some(n) = f.child_by_field_name("name") {
        return Some(&text[n.byte_range()]);
    }
    // C and C++: the name is inside the declarator.
    let mut d = f.child_by_field_name("declarator")?;
    loop {
        if is_identifier(&d) {
            return Some(&text[d.byte_range()]);
        }
        d = d.child_by_field_name("declarator")?;
    }
}

fn first_identifier<'a>(node: Node, text: &'a str) -> Option<&'a str> {
    if is_identifier(&node) {
        return Some(&text[node.byte_range()]);
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.named_children(&mut cursor).collect();
    children.into_iter().find_map(|c| first_identifier(c, text))
}

fn params(list: Node, text: &str) -> Option<Vec<Param>> {
    let mut out = Vec::new();
    let mut cursor = list.walk();
    for c in list.named_children(&mut cursor) {
        let kind = c.kind();
        if kind.contains("comment") {
            continue;
        }
        // Variadic parameters make positions meaningless.
        if kind.contains("splat") || kind.contains("variadic") || kind.contains("rest") {
            return None;
        }
        let default = kind.contains("default")
            || kind == "assignment_pattern"
            || kind == "optional_parameter"
            || c.child_by_field_name("value").is_some();
        if kind == "self_parameter" {
            out.push(Param { name: "self".into(), default });
            continue;
        }
        let mut names: Vec<&str> = {
            let mut cc = c.walk();
            c.children_by_field_name("name", &mut cc)
                .filter(|n| is_identifier(n))
                .map(|n| &text[n.byte_range()])
                .collect()
        };
        if names.is_empty() {
            for field in ["pattern", "declarator", "left"] {
                if let Some(n) = c.child_by_field_name(field).and_then(|n| first_identifier(n, text)) {
                    names.push(n);
                    break;
                }
            }
        }
        if names.is_empty() {
            names.extend(first_identifier(c, text));
        }
        if names.is_empty() {
            return None;
        }
        out.extend(names.into_iter().map(|n| Param { name: n.to_owned(), default }));
    }
    Some(out)
}

/// How callers must change when `old` parameters became `new`.
fn arg_change(old: &[Param], new: &[Param]) -> Option<ArgChange> {
    let names = |ps: &[Param]| ps.iter().map(|p| p.name.clone()).collect::<Vec<_>>();
    let (o, n) = (names(old), names(new));
    if o == n {
        return None;
    }
    if o.len() == n.len() {
        let mut sorted_o = o.clone();
        let mut sorted_n = n.clone();
        sorted_o.sort();
        sorted_n.sort();
        if sorted_o == sorted_n {
            let order = n.iter().map(|x| o.iter().position(|y| y == x)).collect::<Option<Vec<_>>>()?;
            return Some(ArgChange::Reorder { order });
        }
        let diff: Vec<usize> = (0..o.len()).filter(|&i| o[i] != n[i]).collect();
        return match diff[..] {
            [i] => Some(ArgChange::Keyword { old: o[i].clone(), new: n[i].clone() }),
            _ => None,
        };
    }
    if o.len() == n.len() + 1 {
        let i = (0..o.len()).find(|&i| {
            let mut r = o.clone();
            r.remove(i);
            r == n
        })?;
        return Some(ArgChange::Remove { index: i, name: o[i].clone() });
    }
    if n.len() == o.len() + 1 {
        let j = (0..n.len()).find(|&j| {
            let mut r = n.clone();
            r.remove(j);
            r == o
        })?;
        return (!new[j].default).then(|| ArgChange::Add { index: j, name: n[j].clone() });
    }
    None
}

/// A parameter list edited: how the function's callers must change.
fn signature(edit: &Edit) -> Option<Change> {
    let (new_list, f) = parameters_at(edit.new_tree, edit.start, edit.new_end)?;
    let (old_list, old_f) = parameters_at(edit.old_tree, edit.start, edit.old_end)?;
    let name = function_name(f, edit.new)?;
    if function_name(old_f, edit.old)? != name {
        return None;
    }
    let (old, new) = (params(old_list, edit.old)?, params(new_list, edit.new)?);
    let change = arg_change(&old, &new)?;
    let receiver = old.first().is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"));
    Some(Change::Calls { function: name.to_owned(), change, receiver })
}

/// A call: its node, whether it goes through a receiver (`x.f(…)`), and its arguments node.
struct Call<'t> {
    node: Node<'t>,
    through_receiver: bool,
    arguments: Node<'t>,
}

/// The calls of `function` under `node`.
fn calls<'t>(node: Node<'t>, text: &str, function: &str) -> Vec<Call<'t>> {
    let mut out = Vec::new();
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        let kind = n.kind();
        if matches!(kind, "call" | "call_expression" | "method_invocation")
            && let Some(arguments) = n.child_by_field_name("arguments")
        {
            let callee = n.child_by_field_name("function").or_else(|| n.child_by_field_name("name"));
            if let Some(callee) = callee {
                let name_text = &text[callee.byte_range()];
                let last =
                    name_text.rsplit(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
                if last == function {
                    let through_receiver = !is_identifier(&callee)
                        && !callee.kind().contains("scoped")
                        && (kind == "method_invocation" && n.child_by_field_name("object").is_some()
                            || callee.kind().contains("attribute")
                            || callee.kind().contains("member")
                            || callee.kind().contains("field")
                            || callee.kind().contains("selector"));
                    out.push(Call { node: n, through_receiver, arguments });
                }
            }
        }
        stack.extend(n.children(&mut cursor));
    }
    out.sort_by_key(|c| c.node.start_byte());
    out
}

fn arguments<'t>(args: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = args.walk();
    args.named_children(&mut cursor).filter(|c| !c.kind().contains("comment")).collect()
}

fn keyword_name<'a>(arg: Node, text: &'a str) -> Option<&'a str> {
    (arg.kind() == "keyword_argument")
        .then(|| arg.child_by_field_name("name"))
        .flatten()
        .map(|n| &text[n.byte_range()])
}

/// The edit one call needs.
fn call_edit(text: &str, call: &Call, function: &str, change: &ArgChange, receiver: bool) -> Option<Implied> {
    let args = arguments(call.arguments);
    let shift = usize::from(receiver && call.through_receiver);
    let positional: Vec<Node> = args.iter().copied().filter(|a| keyword_name(*a, text).is_none()).collect();
    let implied = |range: Range<usize>, new: String, reason: String| Implied {
        range,
        text: Some(new),
        insert_at: None,
        kind: Kind::Signature,
        reason,
        confidence: 0.9,
    };
    match change {
        ArgChange::Keyword { old, new } => {
            let arg = args.iter().find(|a| keyword_name(**a, text) == Some(old.as_str()))?;
            let name = arg.child_by_field_name("name")?;
            Some(implied(
                name.byte_range(),
                new.clone(),
                format!("`{function}`'s parameter `{old}` is now `{new}`"),
            ))
        }
        ArgChange::Remove { index, name } => {
            let reason = format!("`{function}` no longer takes `{name}`");
            let at = match args.iter().position(|a| keyword_name(*a, text) == Some(name.as_str())) {
                Some(k) => k,
                None => {
                    let i = index.checked_sub(shift)?;
                    let arg = *positional.get(i)?;
                    // Only a call that still passes every old parameter positionally before it.
                    args.iter().position(|a| a.id() == arg.id())?
                }
            };
            let range = match (at.checked_sub(1).map(|p| args[p]), args.get(at + 1)) {
                (_, Some(next)) => args[at].start_byte()..next.start_byte(),
                (Some(prev), None) => prev.end_byte()..args[at].end_byte(),
                (None, None) => args[at].byte_range(),
            };
            Some(implied(range, String::new(), reason))
        }
        ArgChange::Reorder { order } => {
            let expected = order.len().checked_sub(shift)?;
            if positional.len() != expected || args.len() != positional.len() || expected < 2 {
                return None;
            }
            if shift == 1 && order[0] != 0 {
                return None;
            }
            let texts: Vec<&str> =
                order[shift..].iter().map(|&o| &text[positional[o - shift].byte_range()]).collect();
            let range = positional[0].start_byte()..positional[expected - 1].end_byte();
            let new = texts.join(", ");
            (new != text[range.clone()])
                .then(|| implied(range, new, format!("`{function}`'s parameters were reordered")))
        }
        ArgChange::Add { index, name } => {
            let i = index.checked_sub(shift)?;
            // A call that passes the old number of arguments, on one line.
            let range = call.node.byte_range();
            if text[range.clone()].contains('\n') || range.len() > 240 {
                return None;
            }
            let insertion = if let Some(arg) = positional.get(i) {
                Insertion { at: arg.start_byte(), comma_before: false, comma_after: true }
            } else if i == positional.len() && positional.len() == args.len() {
                match positional.last() {
                    Some(last) => Insertion { at: last.end_byte(), comma_before: true, comma_after: false },
                    None => Insertion {
                        at: call.arguments.start_byte() + 1,
                        comma_before: false,
                        comma_after: false,
                    },
                }
            } else {
                return None;
            };
            Some(Implied {
                range,
                text: None,
                insert_at: Some(insertion),
                kind: Kind::Signature,
                reason: format!("`{function}` now takes `{name}`"),
                confidence: 0.0,
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lines: siblings and copies

/// What a file must contain for `change` to be due in it: a name (as a whole word) or a line's
/// text; `None` for changes that stay in the edited file.
pub fn needle(change: &Change) -> Option<(&str, bool)> {
    match change {
        Change::Rename { old, .. } => Some((old, true)),
        Change::Calls { function, .. } => Some((function, true)),
        Change::Repeat { old, .. } => Some((old, false)),
        Change::Delete { lines } => Some((&lines[0], false)),
        Change::Sibling { .. } | Change::Text { .. } => None,
    }
}

/// Lines parsed below a place in another file.
const AROUND: usize = 25;
/// Windows parsed per file.
const MAX_WINDOWS: usize = 24;

/// The places `change` is due in another file, found by parsing only the code around each
/// occurrence of its needle: from the last of `boundaries` before it (where a top-level
/// definition starts or ends, from the file's outline, so a window never starts inside a string
/// or a comment) to a few lines below. A rename in a large workspace costs the code around its
/// uses, not whole files. Without boundaries, the whole file is parsed.
pub fn places_near(language: Language, text: &str, change: &Change, boundaries: &[usize]) -> Vec<Implied> {
    let Some((needle, word)) = needle(change) else { return Vec::new() };
    if boundaries.is_empty() {
        let Some(tree) = crate::outline::parse(language, text) else { return Vec::new() };
        return places(text, &tree, change, 0..text.len(), 0..0);
    }
    let hits = if word {
        whole_words(text, needle, &(0..text.len()))
    } else {
        text.match_indices(needle).map(|(i, _)| i..i + needle.len()).collect()
    };
    let mut windows: Vec<Range<usize>> = Vec::new();
    for hit in hits {
        let start = boundaries
            .iter()
            .copied()
            .filter(|&b| b <= hit.start && text.is_char_boundary(b))
            .max()
            .unwrap_or(0);
        let mut end = hit.end;
        for _ in 0..=AROUND {
            end = text[end..].find('\n').map_or(text.len(), |n| end + n + 1);
        }
        let full = windows.len() == MAX_WINDOWS;
        match windows.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ if full => break,
            _ => windows.push(start..end),
        }
    }
    let mut out = Vec::new();
    for w in windows {
        let part = &text[w.clone()];
        let Some(tree) = crate::outline::parse(language, part) else { continue };
        for mut p in places(part, &tree, change, 0..part.len(), 0..0) {
            p.range = p.range.start + w.start..p.range.end + w.start;
            if let Some(i) = &mut p.insert_at {
                i.at += w.start;
            }
            out.push(p);
        }
    }
    out
}

/// The most places one replaced piece of text is proposed at.
const MAX_TEXT_PLACES: usize = 50;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The text the edit replaced and what replaced it, widened to whole words where the edit cut
/// into one (`remoevd` → `removed`, not `oe` → `o`), when it stays on one line and the old text
/// says something (five characters or more, a letter or digit among them).
fn changed_words(edit: &Edit) -> Option<(String, String)> {
    let (old_span, new_span) = (&edit.old[edit.start..edit.old_end], &edit.new[edit.start..edit.new_end]);
    let starts_word =
        old_span.chars().next().is_some_and(is_word) || new_span.chars().next().is_some_and(is_word);
    let ends_word = old_span.chars().next_back().is_some_and(is_word)
        || new_span.chars().next_back().is_some_and(is_word);
    let before = &edit.old[..edit.start];
    let left = if starts_word { before.len() - before.trim_end_matches(is_word).len() } else { 0 };
    let after = &edit.old[edit.old_end..];
    let right = if ends_word { after.len() - after.trim_start_matches(is_word).len() } else { 0 };
    let old = &edit.old[edit.start - left..edit.old_end + right];
    let new = &edit.new[edit.start - left..edit.new_end + right];
    let says = old.trim().chars().count() >= 5 && old.chars().any(char::is_alphanumeric);
    (says && old != new && !old.contains('\n') && !new.contains('\n'))
        .then(|| (old.to_owned(), new.to_owned()))
}

/// Whether `start..end` lies in a comment or a string: prose whose copies elsewhere mean the
/// same (names in code are for the rename to follow; equal numbers are mostly a coincidence).
fn in_prose(tree: &Tree, start: usize, end: usize) -> bool {
    let mut n = tree.root_node().descendant_for_byte_range(start, end);
    for _ in 0..4 {
        let Some(node) = n else { return false };
        let kind = node.kind();
        if ["comment", "string"].iter().any(|w| kind.contains(w)) {
            return true;
        }
        n = node.parent();
    }
    false
}

/// Where `piece` occurs in `text` within `scope`, not as part of a longer word.
fn whole_words(text: &str, piece: &str, scope: &Range<usize>) -> Vec<Range<usize>> {
    word_hits(text, piece, scope.clone()).collect()
}

/// Whether `word` occurs in `text` as a whole word (a file worth looking into for a change).
pub fn contains_word(text: &str, word: &str) -> bool {
    word_hits(text, word, 0..text.len()).next().is_some()
}

fn word_hits<'a>(
    text: &'a str,
    piece: &'a str,
    scope: Range<usize>,
) -> impl Iterator<Item = Range<usize>> + 'a {
    text[scope.clone()]
        .match_indices(piece)
        .map(move |(i, _)| scope.start + i..scope.start + i + piece.len())
        .filter(move |r| {
            let cut_before = piece.starts_with(is_word) && text[..r.start].ends_with(is_word);
            let cut_after = piece.ends_with(is_word) && text[r.end..].starts_with(is_word);
            !cut_before && !cut_after
        })
}

/// When the edit deleted whole lines at the margin (and put nothing in their place): those
/// lines, if they say enough to be worth deleting elsewhere.
fn deleted_lines(edit: &Edit) -> Option<Vec<String>> {
    if edit.new_end != edit.start {
        return None;
    }
    let old = edit.old.as_bytes();
    let at_line_start = |i: usize| i == 0 || old[i - 1] == b'\n';
    // The same deletion can be seen at other places where the text repeats itself around it
    // (`␣␣␣␣x\n␣␣␣␣` or `x\n␣␣␣␣␣␣␣␣`): slid back, it is whole lines `line\n…` if it can be.
    let (mut from, mut to) = (edit.start, edit.old_end);
    while !(at_line_start(from) && old[to - 1] == b'\n')
        && from > 0
        && old[from - 1] == old[to - 1]
        && to - from < 4096
    {
        from -= 1;
        to -= 1;
    }
    let gone = &edit.old[from..to];
    let body = if gone.ends_with('\n') && at_line_start(from) {
        &gone[..gone.len() - 1]
    } else {
        return None;
    };
    // Only lines at the margin (an import, a top-level declaration): a statement deleted in one
    // body says little about the same statement in others.
    if body.split('\n').any(|l| l.starts_with(char::is_whitespace)) {
        return None;
    }
    let lines: Vec<String> = body.split('\n').map(|l| l.trim().to_owned()).collect();
    let said: usize = lines.iter().map(String::len).sum();
    (said >= MIN_REPEAT && lines.len() <= 3 && lines.iter().all(|l| !l.is_empty())).then_some(lines)
}

/// When the edit stayed within one line: that line before and after, without indentation.
fn one_line(edit: &Edit) -> Option<(String, String)> {
    if edit.old[edit.start..edit.old_end].contains('\n') || edit.new[edit.start..edit.new_end].contains('\n')
    {
        return None;
    }
    let line = |text: &str, end: usize| {
        let s = text[..edit.start].rfind('\n').map_or(0, |i| i + 1);
        let e = text[end..].find('\n').map_or(text.len(), |i| end + i);
        text[s..e].trim_start().trim_end_matches('\r').to_owned()
    };
    let (old, new) = (line(edit.old, edit.old_end), line(edit.new, edit.new_end));
    (old != new && !old.trim().is_empty()).then_some((old, new))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines around `at` in the same block: the run of lines at least as indented as `at`'s,
/// up to a blank line, at most 60 lines either way.
fn block_around(text: &str, at: usize) -> Range<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let level = indent(&text[start..end]);
    let fits = |l: &str| !l.trim().is_empty() && indent(l) >= level;
    let mut from = start;
    for _ in 0..60 {
        if from == 0 {
            break;
        }
        let prev = text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
        if !fits(&text[prev..from - 1]) {
            break;
        }
        from = prev;
    }
    let mut to = end;
    for _ in 0..60 {
        if to >= text.len() {
            break;
        }
        let next = text[to + 1..].find('\n').map_or(text.len(), |i| to + 1 + i);
        if !fits(&text[to + 1..next]) {
            break;
        }
        to = next;
    }
    from..to
}

/// The lines of `text` that lie within `scope`, as byte ranges without their line break.
fn lines_in<'a>(text: &'a str, scope: &Range<usize>) -> impl Iterator<Item = Range<usize>> + 'a {
    let start = text[..scope.start].rfind('\n').map_or(0, |i| i + 1);
    let end = scope.end.min(text.len());
    let mut at = start;
    std::iter::from_fn(move || {
        if at > end || at >= text.len() {
            return None;
        }
        let e = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = at..e;
        at = e + 1;
        Some(line)
    })
    .filter(move |l| l.end <= end)
}

/// A line's content: after its indentation, before a `\r`.
fn line_content(text: &str, line: &Range<usize>) -> Range<usize> {
    let l = &text[line.clone()];
    let start = line.start + indent(l);
    let end = line.start + l.trim_end_matches('\r').len();
    start..end.max(start)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Word,
    Number,
    Str,
    Punct,
}

#[derive(Clone, Debug)]
struct Tok {
    range: Range<usize>,
    class: Class,
}

/// A line's tokens: words, numbers, string literals (to the closing quote or the line's end),
/// and single punctuation characters.
fn lex(line: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let (class, end) = if c == '"' || c == '\'' || c == '`' {
            let mut end = line.len();
            let mut escaped = false;
            for (j, d) in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if d == '\\' {
                    escaped = true;
                } else if d == c {
                    end = j + d.len_utf8();
                    break;
                }
            }
            (Class::Str, end)
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || (c.is_ascii_digit() && d == '.') {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            (if c.is_ascii_digit() { Class::Number } else { Class::Word }, end)
        } else {
            (Class::Punct, i + c.len_utf8())
        };
        out.push(Tok { range: i..end, class });
    }
    out
}

/// Whether two lines have the same shape: the same punctuation and keywords in the same places,
/// any names and literals.
fn same_shape(a: &str, ta: &[Tok], b: &str, tb: &[Tok]) -> bool {
    ta.len() == tb.len()
        && ta.iter().zip(tb).all(|(x, y)| {
            let (xs, ys) = (&a[x.range.clone()], &b[y.range.clone()]);
            x.class == y.class
                && (x.class != Class::Punct || xs == ys)
                && (is_keyword(xs) == is_keyword(ys))
                && (!is_keyword(xs) || xs == ys)
        })
}

/// The change that made line `a` into `a2`, made to line `b` of the same shape: the tokens `a`
/// lost go from the same places of `b` (when `b` has the same ones there), what `a` gained is
/// put in the same place, with the names `a` and `b` differ in exchanged. `None` when `b` is not
/// of `a`'s shape, already equals `a` or the change does not carry over.
fn transfer(a: &str, a2: &str, b: &str) -> Option<String> {
    let (ta, ta2, tb) = (lex(a), lex(a2), lex(b));
    if ta.len() < 3 || !same_shape(a, &ta, b, &tb) || a.trim() == b.trim() {
        return None;
    }
    let text = |s: &str, t: &Tok| s[t.range.clone()].to_owned();
    let prefix = ta.iter().zip(&ta2).take_while(|(x, y)| text(a, x) == text(a2, y)).count();
    let max = ta.len().min(ta2.len()) - prefix;
    let suffix = ta
        .iter()
        .rev()
        .zip(ta2.iter().rev())
        .take(max)
        .take_while(|(x, y)| text(a, x) == text(a2, y))
        .count();
    let (n, m) = (ta.len(), ta2.len());
    // `b` must have what `a` lost, where `a` had it.
    if (prefix..n - suffix).any(|k| text(a, &ta[k]) != text(b, &tb[k])) {
        return None;
    }
    let gap = |s: &str, t: &[Tok], end_of_prefix: usize, start_of_suffix: usize| {
        let from = if end_of_prefix > 0 {
            t[end_of_prefix - 1].range.end
        } else {
            t.first().map_or(0, |x| x.range.start)
        };
        let to = if start_of_suffix < t.len() { t[start_of_suffix].range.start } else { s.trim_end().len() };
        from..to.max(from)
    };
    let a2_gap = gap(a2, &ta2, prefix, m - suffix);
    let b_gap = gap(b, &tb, prefix, n - suffix);
    // What `a` gained, with the names in which `a` and `b` differ exchanged for `b`'s. A new
    // string literal is about `a` itself (a value added to its list), not its shape.
    let inserted = &a2[a2_gap.clone()];
    let gained_string = lex(inserted).iter().any(|t| {
        t.class == Class::Str && !ta.iter().any(|x| a[x.range.clone()] == inserted[t.range.clone()])
    });
    if gained_string {
        return None;
    }
    let mut out = String::new();
    let mut last = 0;
    for t in lex(inserted) {
        let word = &inserted[t.range.clone()];
        if t.class == Class::Punct {
            continue;
        }
        if let Some(k) = (0..n).find(|&k| text(a, &ta[k]) == word && text(a, &ta[k]) != text(b, &tb[k])) {
            out.push_str(&inserted[last..t.range.start]);
            out.push_str(&b[tb[k].range.clone()]);
            last = t.range.end;
        }
    }
    out.push_str(&inserted[last..]);
    let changed = format!("{}{}{}", &b[..b_gap.start], out, &b[b_gap.end..]);
    (changed != b).then_some(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outline::parse;

    /// The proposals for changing `old` into `new` (both whole files), as (the text at the
    /// place, its replacement).
    fn implied(language: Language, old: &str, new: &str) -> Vec<(String, Option<String>, Kind)> {
        let (ot, nt) = (parse(language, old).unwrap(), parse(language, new).unwrap());
        let (start, old_end, new_end) = changed_span(old, new).unwrap();
        let edit = Edit {
            language,
            old,
            old_tree: &ot,
            new,
            new_tree: &nt,
            start,
            old_end,
            new_end,
            known: &|_| false,
        };
        let mut out = Vec::new();
        for s in analyse(&edit) {
            for p in places(new, &nt, &s.change, s.scope.clone(), start..new_end) {
                out.push((new[p.range.clone()].to_owned(), p.text.clone(), p.kind));
            }
        }
        out
    }

    #[test]
    fn the_changed_span_is_what_lies_between_the_common_prefix_and_suffix() {
        assert_eq!(changed_span("abc", "abc"), None);
        assert_eq!(changed_span("let width = 1;", "let w = 1;"), Some((5, 9, 5)));
        assert_eq!(changed_span("aa", "aaa"), Some((2, 2, 3)));
        assert_eq!(changed_span("é", "è"), Some((0, 2, 2)));
    }

    #[test]
    fn a_parameter_renamed_at_its_definition_renames_its_uses_in_the_function_only() {
        let old =
            "def area(width, height):\n    return width * height\n\ndef other(width):\n    return width\n";
        let new = "def area(w, height):\n    return width * height\n\ndef other(width):\n    return width\n";
        let got = implied(Language::Python, old, new);
        assert_eq!(got, vec![("width".into(), Some("w".into()), Kind::Rename)]);
    }

    #[test]
    fn a_function_renamed_renames_its_calls_in_the_file() {
        let old =
            "fn total(x: u32) -> u32 { x }\nfn main() {\n    let a = total(1);\n    let b = total(2);\n}\n";
        let new = old.replacen("fn total", "fn sum", 1);
        let got = implied(Language::Rust, old, &new);
        assert_eq!(got.len(), 2);
        assert!(
            got.iter().all(|(at, to, k)| at == "total" && to.as_deref() == Some("sum") && *k == Kind::Rename)
        );
    }

    #[test]
    fn a_removed_parameter_removes_the_argument_at_every_call() {
        let old = "def scale(x, factor, offset):\n    return x * factor\n\na = scale(1, 2, 3)\nb = scale(4, 5, offset=6)\n";
        let new = old.replacen("x, factor, offset", "x, factor", 1);
        let got = implied(Language::Python, old, &new);
        assert_eq!(
            got,
            vec![
                (", 3".into(), Some(String::new()), Kind::Signature),
                (", offset=6".into(), Some(String::new()), Kind::Signature),
            ]
        );
    }

    #[test]
    fn reordered_parameters_reorder_the_arguments_past_the_receiver() {
        let old = "class P:\n    def move(self, dx, dy):\n        pass\n\np.move(1, 2)\n";
        let new = old.replacen("self, dx, dy", "self, dy, dx", 1);
        let got = implied(Language::Python, old, &new);
        assert_eq!(got, vec![("1, 2".into(), Some("2, 1".into()), Kind::Signature)]);
    }

    #[test]
    fn an_added_parameter_leaves_the_argument_to_the_model() {
        let old = "function area(w, h) { return w * h; }\nconst a = area(1, 2);\n";
        let new = old.replacen("(w, h)", "(w, h, d)", 1);
        let got = implied(Language::JavaScript, old, &new);
        assert_eq!(got, vec![("area(1, 2)".into(), None, Kind::Signature)]);
        // With a default, callers need nothing.
        let new = old.replacen("(w, h)", "(w, h, d = 1)", 1);
        assert!(implied(Language::JavaScript, old, &new).is_empty());
    }

    #[test]
    fn a_sibling_line_gets_the_same_change_with_its_own_names() {
        let old = "cfg = {\n    \"a\": get(\"a\"),\n    \"b\": get(\"b\"),\n    \"c\": get(\"c\"),\n}\n";
        let new = old.replacen("get(\"a\")", "get(\"a\", strict=True)", 1);
        let got = implied(Language::Python, old, &new);
        assert_eq!(
            got,
            vec![
                (String::new(), Some(", strict=True".into()), Kind::Sibling),
                (String::new(), Some(", strict=True".into()), Kind::Sibling),
            ]
        );
    }

    #[test]
    fn a_sibling_whose_changed_value_differs_is_left_alone() {
        let old = "x.a = 1\nx.b = 2\nx.c = 1\n";
        let new = "x.a = 5\nx.b = 2\nx.c = 1\n";
        let got = implied(Language::Python, old, new);
        assert_eq!(got, vec![("1".into(), Some("5".into()), Kind::Sibling)]);
    }

    #[test]
    fn copies_of_the_edited_line_get_the_same_change() {
        let old = "fn a() {\n    log(\"starting\", 1);\n}\nfn b() {\n    log(\"starting\", 1);\n}\n";
        let new = old.replacen("log(\"starting\", 1)", "log(\"starting\", 2)", 1);
        let got = implied(Language::Rust, old, &new);
        assert_eq!(got, vec![("1".into(), Some("2".into()), Kind::Repeat)]);
    }

    #[test]
    fn a_new_string_in_one_line_of_a_list_stays_there() {
        let old = "TYPES = [\n    (\"md\", [\"*.md\"]),\n    (\"js\", [\"*.js\"]),\n]\n";
        let new = old.replacen("[\"*.md\"]", "[\"*.md\", \"*.mdwn\"]", 1);
        assert!(implied(Language::Python, old, &new).is_empty());
    }

    #[test]
    fn copies_of_deleted_lines_are_deleted_too() {
        let old = "use std::sync::RwLock;\nfn a() {}\nuse std::sync::RwLock;\nfn b() {}\n";
        let new = old.replacen("use std::sync::RwLock;\n", "", 1);
        let got = implied(Language::Rust, old, &new);
        assert_eq!(got, vec![("use std::sync::RwLock;\n".into(), Some(String::new()), Kind::Repeat)]);
        // A statement deleted in one body is not deleted in the others.
        let old = "fn a() {\n    let _g = lock.read();\n    one();\n}\nfn b() {\n    let _g = lock.read();\n    two();\n}\n";
        let new = old.replacen("    let _g = lock.read();\n", "", 1);
        assert!(implied(Language::Rust, old, &new).is_empty());
    }

    #[test]
    fn renaming_a_function_leaves_the_module_it_is_imported_from_alone() {
        let old = "from area import area\n\ndef area2():\n    return area(1)\n";
        let new = old.replacen("return area(1)", "return surface(1)", 1);
        let (ot, nt) = (parse(Language::Python, old).unwrap(), parse(Language::Python, &new).unwrap());
        let (start, old_end, new_end) = changed_span(old, &new).unwrap();
        let edit = Edit {
            language: Language::Python,
            old,
            old_tree: &ot,
            new: &new,
            new_tree: &nt,
            start,
            old_end,
            new_end,
            known: &|n| n == "area",
        };
        let found = analyse(&edit);
        assert_eq!(found.len(), 1);
        assert!(found[0].visible, "a name the workspace defines");
        let got: Vec<&str> = places(&new, &nt, &found[0].change, found[0].scope.clone(), start..new_end)
            .iter()
            .map(|p| &new[p.range.clone()])
            .collect();
        assert_eq!(got, vec!["area"]);
        assert!(new[..new.find('\n').unwrap()].contains("import area"));
    }

    #[test]
    fn a_word_fixed_in_one_place_is_fixed_where_it_recurs() {
        let old = "warn(\"x is deprecated and will be remoevd\")\nwarn(\"y is deprecated and will be remoevd soon\")\n";
        let new = old.replacen("remoevd", "removed", 1);
        let got = implied(Language::Python, old, &new);
        assert_eq!(got, vec![("ev".into(), Some("ve".into()), Kind::Repeat)]);
        // Not inside longer words.
        let old = "# at most 50000 items\n# up to 50000 of them, port 500000\nLIMIT = 50000\n";
        let new = old.replacen("50000", "32", 1);
        assert_eq!(
            implied(Language::Python, old, &new),
            vec![("50000".into(), Some("32".into()), Kind::Repeat)]
        );
        // A number in code is not prose.
        let old = "LIMIT = 50000\nprint(50000)\n";
        assert!(implied(Language::Python, old, &old.replacen("50000", "32", 1)).is_empty());
    }

    #[test]
    fn signatures_and_renames_in_go_typescript_java_and_c() {
        // Go: a parameter removed, a call through a package qualifier.
        let old = "package geo\n\nfunc Area(w int, h int) int { return w * h }\n\nfunc use() int { return geo.Area(2, 3) + Area(4, 5) }\n";
        let new = old.replacen("Area(w int, h int)", "Area(w int)", 1);
        let got = implied(Language::Go, old, &new);
        assert_eq!(
            got,
            vec![
                (", 3".into(), Some(String::new()), Kind::Signature),
                (", 5".into(), Some(String::new()), Kind::Signature)
            ]
        );
        // TypeScript: typed parameters reordered.
        let old = "function move(dx: number, dy: number): void {}\nmove(1, 2);\n";
        let new = old.replacen("dx: number, dy: number", "dy: number, dx: number", 1);
        assert_eq!(
            implied(Language::TypeScript, old, &new),
            vec![("1, 2".into(), Some("2, 1".into()), Kind::Signature)]
        );
        // Java: a local renamed within its method only.
        let old = "class A {\n  int f(int n) {\n    int total = n;\n    return total + 1;\n  }\n  int g() { int total = 2; return total; }\n}\n";
        let new = old.replacen("int total = n;", "int sum = n;", 1);
        assert_eq!(
            implied(Language::Java, old, &new),
            vec![("total".into(), Some("sum".into()), Kind::Rename)]
        );
        // C: a function renamed at its declarator, its calls follow.
        let old = "int area(int w, int h) { return w * h; }\nint main(void) { return area(2, 3); }\n";
        let new = old.replacen("int area(", "int surface(", 1);
        assert_eq!(
            implied(Language::C, old, &new),
            vec![("area".into(), Some("surface".into()), Kind::Rename)]
        );
    }

    #[test]
    fn places_in_another_file_are_found_from_the_code_around_each_use() {
        let mut other =
            String::from("def helper():\n    \"\"\"area is mentioned here\"\"\"\n    return 1\n\n");
        for k in 0..200 {
            other.push_str(&format!("def f{k}(x):\n    y = x + {k}\n    return y\n\n"));
        }
        other.push_str("def late():\n    return area(3, 4)  # area of it\n");
        let change = Change::Rename { old: "area".into(), new: "surface".into() };
        let tree = parse(Language::Python, &other).unwrap();
        let whole = places(&other, &tree, &change, 0..other.len(), 0..0);
        let outline = Outline::from_tree(Language::Python, &other, &tree);
        let bounds: Vec<usize> = outline
            .definitions
            .iter()
            .filter(|d| d.parent.is_none())
            .flat_map(|d| [d.range.start, d.range.end])
            .collect();
        let near = places_near(Language::Python, &other, &change, &bounds);
        assert_eq!(near, whole);
        assert_eq!(places_near(Language::Python, &other, &change, &[]), whole);
        assert_eq!(near.len(), 1, "the call, not the docstring or the comment");
    }

    #[test]
    fn whole_words_only() {
        assert!(contains_word("a = area(1)", "area"));
        assert!(!contains_word("a = areas(1)", "area"));
        assert!(!contains_word("subarea", "area"));
    }

    #[test]
    fn an_edit_that_changes_nothing_elsewhere_implies_nothing() {
        let old = "def f():\n    return 1\n";
        let new = "def f():\n    return 2\n";
        assert!(implied(Language::Python, old, new).is_empty());
    }
}
