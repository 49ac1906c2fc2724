//! A compact map of the workspace for chat and explain prompts: files with the signatures of
//! their definitions, ranked by how much the files in question use them (imports, then
//! references by name), cut to a token budget.

use crate::imports;
use crate::index::Index;
use crate::language::Language;
use crate::outline::{Kind, Outline};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A file being asked about: its path and text (its editor buffer, which may differ from disk).
#[derive(Clone, Copy, Debug)]
pub struct Focus<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

fn listed(kind: Kind) -> bool {
    !matches!(kind, Kind::Field | Kind::Variant | Kind::Variable | Kind::Impl)
}

/// The first line of a definition, as its signature.
fn signature(text: &str, outline: &Outline, i: usize) -> String {
    let d = &outline.definitions[i];
    let line = text[d.range.clone()].lines().next().unwrap_or("").trim();
    let line = line.trim_end_matches('{').trim_end();
    let mut depth = 0;
    let mut p = d.parent;
    while let Some(q) = p {
        depth += 1;
        p = outline.definitions[q].parent;
    }
    format!("{}{}", "  ".repeat(depth + 1), line)
}

/// The map, within `budget` tokens (as `count` counts them), of the files `allow` lets through.
/// Empty when nothing fits.
pub fn repo_map(
    index: &Index,
    focus: &[Focus<'_>],
    budget: usize,
    count: &dyn Fn(&str) -> usize,
    allow: &dyn Fn(&str) -> bool,
) -> String {
    let mut score: HashMap<String, f32> = HashMap::new();
    let mut used: HashSet<&str> = HashSet::new();
    let mut refs: HashMap<&str, usize> = HashMap::new();
    let focus_paths: HashSet<&str> = focus.iter().map(|f| f.path).collect();
    // Each focus file is parsed once, for its imports here and its outline below.
    let outlines: Vec<Option<Outline>> =
        focus.iter().map(|f| Language::from_path(f.path).map(|lang| Outline::of(lang, f.text))).collect();
    for (f, outline) in focus.iter().zip(&outlines) {
        for id in f.text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| w.len() > 2) {
            *refs.entry(id).or_default() += 1;
        }
        if let (Some(lang), Some(outline)) = (Language::from_path(f.path), outline) {
            for imp in imports::resolve(lang, f.path, &outline.imports, index) {
                *score.entry(imp.path).or_default() += 3.0;
            }
        }
    }
    // References by name: a file defining what the focus uses, shared among the files that
    // define the same name.
    for (name, n) in &refs {
        let defining: Vec<&str> = index.defining(name).collect();
        if defining.is_empty() || defining.len() > 6 {
            continue;
        }
        for p in &defining {
            *score.entry(p.to_string()).or_default() += (*n).min(5) as f32 * 0.5 / defining.len() as f32;
            used.insert(name);
        }
    }
    let mut ranked: Vec<(String, f32)> =
        score.into_iter().filter(|(p, _)| !focus_paths.contains(p.as_str()) && allow(p)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut blocks: BTreeMap<usize, String> = BTreeMap::new();
    let mut total = 0;
    let mut add = |rank: usize, block: String, total: &mut usize| {
        let cost = count(&block);
        if *total + cost <= budget {
            *total += cost;
            blocks.insert(rank, block);
        }
    };
    // The focus files' own outlines first, then the ranked others.
    for (rank, (f, outline)) in focus.iter().zip(&outlines).enumerate() {
        let Some(outline) = outline else { continue };
        let lines: Vec<String> = (0..outline.definitions.len())
            .filter(|&i| listed(outline.definitions[i].kind))
            .map(|i| signature(f.text, outline, i))
            .collect();
        if !lines.is_empty() {
            add(rank, format!("{}:\n{}\n", f.path, lines.join("\n")), &mut total);
        }
    }
    for (rank, (path, _)) in ranked.iter().enumerate() {
        let Some(e) = index.get(path) else { continue };
        let o = &e.outline;
        // What the focus uses, with the containers that hold it; everything at the top when
        // nothing is named.
        let mut keep: HashSet<usize> = HashSet::new();
        for (i, d) in o.definitions.iter().enumerate() {
            if used.contains(d.name.as_str()) && listed(d.kind) {
                keep.insert(i);
                let mut p = d.parent;
                while let Some(q) = p {
                    keep.insert(q);
                    p = o.definitions[q].parent;
                }
            }
        }
        if keep.is_empty() {
            keep = (0..o.definitions.len()).filter(|&i| o.definitions[i].parent.is_none()).collect();
        }
        let mut idx: Vec<usize> = keep.into_iter().filter(|&i| listed(o.definitions[i].kind)).collect();
        idx.sort();
        if idx.is_empty() {
            continue;
        }
        let lines: Vec<String> = idx.iter().map(|&i| signature(&e.text, o, i)).collect();
        add(focus.len() + rank, format!("{path}:\n{}\n", lines.join("\n")), &mut total);
    }
    blocks.into_values().collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_what_the_focus_uses_and_stays_within_budget() {
        let mut index = Index::default();
        index
            .update(
                "app/models.py",
                "class User:\n    def display(self):\n        pass\n\nclass Unused:\n    pass\n",
            )
            .unwrap();
        index.update("app/other.py", "def far_away():\n    pass\n").unwrap();
        let view = "from .models import User\n\ndef show(u: User):\n    return u.display()\n";
        index.update("app/views.py", view).unwrap();
        let focus = [Focus { path: "app/views.py", text: view }];
        let count = |s: &str| s.len().div_ceil(4);
        let map = repo_map(&index, &focus, 1000, &count, &|_| true);
        // `far_away` is neither imported nor named: not in the map.
        assert_eq!(
            map,
            "app/views.py:\n  def show(u: User):\napp/models.py:\n  class User:\n    def display(self):\n"
        );
        let small = repo_map(&index, &focus, 10, &count, &|_| true);
        assert!(count(&small) <= 10, "{small}");
        let private = repo_map(&index, &focus, 1000, &count, &|p| p != "app/models.py");
        assert!(!private.contains("models"), "{private}");
    }
}
