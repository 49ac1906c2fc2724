//! A document's edits since the last one analysed for next edits: each edit as a byte shift,
//! numbered, with the bytes it removed. From them, a place found in the text after edit `n` is
//! found again in the text now ([`EditTrack::map`]), and the text after edit `n` is rebuilt from
//! the text now ([`EditTrack::text_at`]) — so no copy of the document is kept, and a keystroke
//! still edits the text in place.

use std::collections::VecDeque;
use std::ops::Range;
use tandem_context::Tree;
use tokio::time::Instant;

/// Edits remembered per document; older ones are forgotten (a place found before them is then
/// checked by its text alone, and the text before them cannot be rebuilt).
const MAX_SHIFTS: usize = 1024;
/// Bytes of removed text remembered per document.
const MAX_REMOVED_BYTES: usize = 1 << 20;

/// How one edit moved a document's bytes: `from..to` became `len` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shift {
    pub from: usize,
    pub to: usize,
    pub len: usize,
}

#[derive(Debug)]
struct Logged {
    seq: u64,
    shift: Shift,
    removed: Box<str>,
}

/// A document's edits, and which of them the last analysis reached.
#[derive(Debug, Default)]
pub(crate) struct EditTrack {
    /// The edit the last analysis reached (0: the text as opened), and the tree of the text then.
    pub base_seq: u64,
    pub base_tree: Option<Tree>,
    /// When the document last changed.
    pub changed_at: Option<Instant>,
    /// How many edits were ever made.
    pub seq: u64,
    log: VecDeque<Logged>,
    log_bytes: usize,
    /// The last analysed edit, for an edit that goes on with it.
    pub previous: Option<Previous>,
}

/// An analysed edit: the edit number before it (and the tree then), the number after it, and
/// the bytes it left.
#[derive(Debug)]
pub(crate) struct Previous {
    pub base_seq: u64,
    pub tree: Option<Tree>,
    pub seq: u64,
    pub span: Range<usize>,
}

impl EditTrack {
    /// Records an edit that replaced `removed` (the bytes `shift.from..shift.to` before it).
    pub fn record(&mut self, shift: Shift, removed: &str) {
        self.seq += 1;
        self.log_bytes += removed.len();
        self.log.push_back(Logged { seq: self.seq, shift, removed: removed.into() });
        while self.log.len() > MAX_SHIFTS || self.log_bytes > MAX_REMOVED_BYTES && self.log.len() > 1 {
            let gone = self.log.pop_front().expect("not empty");
            self.log_bytes -= gone.removed.len();
        }
        self.changed_at = Some(Instant::now());
    }

    /// Whether every edit after `since` is still remembered.
    fn knows_since(&self, since: u64) -> bool {
        since >= self.seq || self.log.front().is_some_and(|first| first.seq <= since + 1)
    }

    /// Where `range` of the text after edit `since` is now, and whether an edit since touched
    /// it, or the text right next to it (an edit inside it grows or shrinks it; one across its
    /// ends makes it the edit's). `None` when edits since then were forgotten.
    pub fn map(&self, since: u64, range: &Range<usize>) -> Option<(Range<usize>, bool)> {
        if !self.knows_since(since) {
            return None;
        }
        let (mut r, mut touched) = (range.clone(), false);
        for s in self.log.iter().filter(|l| l.seq > since).map(|l| l.shift) {
            let delta = s.len as isize - (s.to - s.from) as isize;
            let moved = |p: usize| (p as isize + delta).max(0) as usize;
            if s.to < r.start {
                r = moved(r.start)..moved(r.end);
            } else if s.from > r.end {
            } else {
                touched = true;
                r = r.start.min(s.from)..moved(r.end.max(s.to));
            }
        }
        Some((r, touched))
    }

    /// The text as it was after edit `seq`, rebuilt from the text `now` by undoing the later
    /// edits; `None` when some were forgotten (or `now` is not the text after all of them).
    pub fn text_at(&self, seq: u64, now: &str) -> Option<String> {
        if !self.knows_since(seq) {
            return None;
        }
        let mut text = now.to_owned();
        for l in self.log.iter().rev().take_while(|l| l.seq > seq) {
            let end = l.shift.from + l.shift.len;
            if end > text.len() || !text.is_char_boundary(l.shift.from) || !text.is_char_boundary(end) {
                return None;
            }
            text.replace_range(l.shift.from..end, &l.removed);
        }
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_move_what_lies_after_them_and_grow_what_they_touch() {
        let mut t = EditTrack::default();
        t.record(Shift { from: 0, to: 0, len: 3 }, ""); // typed before
        assert_eq!(t.map(0, &(10..15)), Some((13..18, false)));
        t.record(Shift { from: 13, to: 18, len: 2 }, "abcde"); // replaced exactly
        assert_eq!(t.map(0, &(10..15)), Some((13..15, true)));
        t.record(Shift { from: 40, to: 41, len: 0 }, "x"); // after it
        assert_eq!(t.map(0, &(10..15)), Some((13..15, true)));
        assert_eq!(t.map(2, &(50..52)), Some((49..51, false)));
        t.record(Shift { from: 51, to: 51, len: 1 }, ""); // typed right after it
        assert_eq!(t.map(3, &(49..51)), Some((49..52, true)));
    }

    #[test]
    fn forgotten_shifts_make_a_place_unknown() {
        let mut t = EditTrack::default();
        for _ in 0..MAX_SHIFTS + 5 {
            t.record(Shift { from: 0, to: 0, len: 1 }, "");
        }
        assert_eq!(t.map(0, &(0..1)), None);
        assert!(t.map(t.seq, &(0..1)).is_some());
    }

    #[test]
    fn the_text_after_an_edit_is_rebuilt_from_the_text_now() {
        let mut t = EditTrack::default();
        // "let width = 1;" -> "let w = 1;" -> "let w = 10;" -> "// x\nlet w = 10;"
        t.record(Shift { from: 5, to: 9, len: 0 }, "idth");
        t.record(Shift { from: 9, to: 9, len: 1 }, "");
        t.record(Shift { from: 0, to: 0, len: 5 }, "");
        let now = "// x\nlet w = 10;";
        assert_eq!(t.text_at(0, now).as_deref(), Some("let width = 1;"));
        assert_eq!(t.text_at(1, now).as_deref(), Some("let w = 1;"));
        assert_eq!(t.text_at(3, now).as_deref(), Some(now));
        assert_eq!(t.text_at(0, "short"), None, "not the text after these edits");
    }
}
