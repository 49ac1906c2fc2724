//! Code like the code at the cursor, elsewhere in the workspace.
//!
//! Each indexed file is cut into overlapping windows of lines, each kept as the set of its
//! identifiers (hashed); the windows most alike (Jaccard) to the lines just above the cursor are
//! candidates for the prompt. Repetitive code — per-type variants of one function, handlers,
//! similar call sites — is where a small model gains most from seeing its neighbours: they show
//! the names and calls the completion needs even when nothing near the cursor names them.

use tandem_core::text::ceil_char_boundary;

/// Lines per window.
pub const CHUNK_LINES: usize = 12;
/// Lines between the starts of two windows.
const STRIDE: usize = 6;
/// Lines above the cursor (its own line included) that make the query.
const QUERY_LINES: usize = 12;
/// Bytes above the cursor those lines are looked for in.
const QUERY_BYTES: usize = 4 * 1024;

/// A window of a file: its byte range and its identifiers, hashed, sorted and deduplicated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub start: usize,
    pub end: usize,
    ids: Box<[u32]>,
}

/// A window that matches a query, and how well.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub score: f32,
}

/// Identifiers that say nothing about which code this is.
fn is_noise(word: &str) -> bool {
    word.len() < 2 || word.starts_with(|c: char| c.is_ascii_digit())
}

fn hash(word: &str) -> u32 {
    // FNV-1a: stable across runs, so chunks and queries agree.
    word.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193))
}

fn ids(text: &str) -> Box<[u32]> {
    let mut ids: Vec<u32> =
        text.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !is_noise(w)).map(hash).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_boxed_slice()
}

/// The windows of `text`.
pub fn chunks(text: &str) -> Vec<Chunk> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect();
    let mut out = Vec::new();
    let mut first = 0;
    while first < starts.len() {
        let last = (first + CHUNK_LINES).min(starts.len());
        let (start, end) = (starts[first], starts.get(last).copied().unwrap_or(text.len()));
        let ids = ids(&text[start..end]);
        if !ids.is_empty() {
            out.push(Chunk { start, end, ids });
        }
        if last == starts.len() {
            break;
        }
        first += STRIDE;
    }
    out
}

/// The query for a cursor: the identifiers of the lines just above it, its own line's start
/// included — of their last [`QUERY_BYTES`], so that a query at the end of a long line costs no
/// more than one in ordinary code.
pub fn query(before_cursor: &str) -> Box<[u32]> {
    let near =
        &before_cursor[ceil_char_boundary(before_cursor, before_cursor.len().saturating_sub(QUERY_BYTES))..];
    let start = near.rmatch_indices('\n').nth(QUERY_LINES - 1).map_or(0, |(i, _)| i + 1);
    ids(&near[start..])
}

fn jaccard(a: &[u32], b: &[u32]) -> f32 {
    let (mut i, mut j, mut both) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                both += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let either = a.len() + b.len() - both;
    if either == 0 { 0.0 } else { both as f32 / either as f32 }
}

/// The windows of `chunks` that score at least `min` against `query`, best first, none
/// overlapping a better one.
pub fn best(query: &[u32], chunks: &[Chunk], min: f32) -> Vec<Match> {
    let mut scored: Vec<Match> = chunks
        .iter()
        .map(|c| Match { start: c.start, end: c.end, score: jaccard(query, &c.ids) })
        .filter(|m| m.score >= min)
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.start.cmp(&b.start)));
    let mut out: Vec<Match> = Vec::new();
    for m in scored {
        if out.iter().all(|o| m.end <= o.start || m.start >= o.end) {
            out.push(m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_window_that_shares_the_most_names() {
        let other = "func (f *FlagSet) GetInt(name string) (int, error) {\n\tval, err := f.getFlagType(name, \"int\", intConv)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\treturn val.(int), nil\n}\n";
        let mut text = String::new();
        for i in 0..30 {
            text.push_str(&format!("unrelated_{i} := compute(alpha, beta)\n"));
        }
        text.push_str(other);
        let chunks = chunks(&text);
        assert!(chunks.iter().all(|c| text.is_char_boundary(c.start) && c.end <= text.len()));
        let q = query(
            "// GetUint returns the uint value of a flag\nfunc (f *FlagSet) GetUint(name string) (uint, error) {\n\t",
        );
        let found = best(&q, &chunks, 0.1);
        assert!(!found.is_empty());
        assert!(text[found[0].start..found[0].end].contains("getFlagType"), "{found:?}");
        for pair in found.windows(2) {
            assert!(pair[0].score >= pair[1].score);
            assert!(pair[1].end <= pair[0].start || pair[1].start >= pair[0].end);
        }
    }

    #[test]
    fn a_query_reads_only_the_text_near_the_cursor() {
        let q = query(&format!("far_name{}near_name(x", " ".repeat(QUERY_BYTES)));
        assert_eq!(&*q, [hash("near_name")].as_slice());
    }

    #[test]
    fn empty_and_blank_text_have_no_chunks() {
        assert!(chunks("").is_empty());
        assert!(chunks("\n\n  \n").is_empty());
        assert!(best(&query(""), &chunks("fn a() {}\n"), 0.0).iter().all(|m| m.score == 0.0));
    }
}
