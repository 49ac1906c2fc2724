//! Answers without a model call: the rest of a suggestion the user is typing through, and a small
//! LRU cache of recent answers by prompt.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

/// Bytes of the text before the cursor a [`Shown`] keeps: enough to tell that the user typed on
/// from where the suggestion was made, without a copy of the document per suggestion.
const KEPT_BEFORE: usize = 1024;

/// The suggestion last shown in a document, and where: how long the text before the cursor was
/// then and its end, and the rest of the cursor's line.
#[derive(Clone, Debug)]
pub struct Shown {
    before_len: usize,
    before_tail: String,
    after_line: String,
    pub text: String,
    /// The suggestion's id (see `RequestRecord::id`).
    pub id: u64,
}

impl Shown {
    /// `cursor` is the suggestion's byte offset, `before` text that ends there (as much as the
    /// caller has at hand), `after_line` the rest of the cursor's line (as far as the caller
    /// looks: it is kept).
    pub fn new(cursor: usize, before: &str, after_line: &str, text: String, id: u64) -> Self {
        let tail = tandem_core::text::ceil_char_boundary(before, before.len().saturating_sub(KEPT_BEFORE));
        Self {
            before_len: cursor,
            before_tail: before[tail..].to_owned(),
            after_line: after_line.to_owned(),
            text,
            id,
        }
    }

    /// What was typed since the suggestion was shown, when the text before it is unchanged.
    fn typed<'a>(&self, before: &'a str) -> Option<&'a str> {
        let typed = before.get(self.before_len..)?;
        before[..self.before_len].ends_with(self.before_tail.as_str()).then_some(typed)
    }

    /// Whether the user has typed (or accepted) the whole suggestion since it was shown.
    pub fn taken(&self, before: &str) -> bool {
        self.typed(before).is_some_and(|typed| typed.starts_with(self.text.trim_end()))
    }

    /// If the user has typed the start of the suggestion since it was shown (and nothing else
    /// changed on the line after the cursor), the part still to come.
    pub fn rest(&self, before: &str, after_line: &str) -> Option<&str> {
        let typed = self.typed(before)?;
        if after_line != self.after_line {
            return None;
        }
        let rest = self.text.strip_prefix(typed)?;
        (!rest.trim().is_empty()).then_some(rest)
    }
}

/// An answer the cache keeps: the text to show and the model's confidence in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cached {
    pub text: String,
    pub confidence: Option<f32>,
}

/// The key of an answer: its prompt's windows and what else decides it.
pub fn key(prefix: &str, suffix: &str, span: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    (prefix, suffix, span).hash(&mut h);
    h.finish()
}

/// Answers by prompt, least recently used dropped first.
#[derive(Debug)]
pub struct Lru<V> {
    capacity: usize,
    map: HashMap<u64, V>,
    order: VecDeque<u64>,
}

impl<V: Clone> Lru<V> {
    pub fn new(capacity: usize) -> Self {
        Self { capacity: capacity.max(1), map: HashMap::new(), order: VecDeque::new() }
    }

    pub fn get(&mut self, key: u64) -> Option<V> {
        let value = self.map.get(&key)?.clone();
        self.order.retain(|k| *k != key);
        self.order.push_back(key);
        Some(value)
    }

    pub fn put(&mut self, key: u64, value: V) {
        if self.map.insert(key, value).is_none() {
            self.order.push_back(key);
        }
        while self.map.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.map.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typing_through_a_suggestion_yields_its_rest() {
        let s = Shown::new(6, "x = fo", "", "o(bar)".into(), 1);
        assert_eq!(s.rest("x = fo", ""), Some("o(bar)"));
        assert_eq!(s.rest("x = foo(", ""), Some("bar)"));
        assert_eq!(s.rest("x = fox", ""), None);
        assert_eq!(s.rest("x = foo(bar)", ""), None, "nothing left");
        assert_eq!(s.rest("x = foo(", ")"), None, "the line changed after the cursor");
        assert_eq!(s.rest("y = foo(", ""), None);
        assert_eq!(s.rest("x = f", ""), None, "erased");
        assert!(!s.taken("x = foo(bar"));
        assert!(s.taken("x = foo(bar)"), "typed out");
        assert!(s.taken("x = foo(bar)\n"), "and on");
        assert!(!s.taken("y = foo(bar)"));
    }

    #[test]
    fn a_long_document_is_not_copied() {
        let before = format!("{}é = fo", "a".repeat(10_000_000));
        // Made from the text near the cursor only.
        let s = Shown::new(before.len(), &before[before.len() - 4096..], "", "o(bar)".into(), 1);
        assert!(s.before_tail.len() <= KEPT_BEFORE);
        assert_eq!(s.rest(&format!("{before}o("), ""), Some("bar)"));
        let mut changed = before.clone();
        changed.replace_range(before.len() - 10..before.len() - 9, "b");
        assert_eq!(s.rest(&format!("{changed}o("), ""), None, "changed near the cursor");
    }

    #[test]
    fn lru_drops_the_least_recently_used() {
        let mut c = Lru::new(2);
        c.put(1, "a".to_owned());
        c.put(2, "b".to_owned());
        assert_eq!(c.get(1).as_deref(), Some("a"));
        c.put(3, "c".to_owned());
        assert_eq!(c.get(2), None);
        assert_eq!(c.get(1).as_deref(), Some("a"));
        assert_eq!(c.get(3).as_deref(), Some("c"));
    }
}
