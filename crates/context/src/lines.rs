//! Plain line windows around a cursor within a token budget: the fallback for languages without a
//! grammar, and the building block of the syntax-aware windows.

/// Lines as positions count them (`\n`, `\r\n` and a lone `\r` each end one), from core, for the
/// crates that reach core through this one (the language server's positions).
pub use tandem_core::reference::{line_breaks, line_count, line_end, line_of, line_start};

/// Bytes of text per token of budget that a window looks at. The text is cut to this around the
/// cursor before any of it is tokenized, so a window's work is bounded by its budget, not by the
/// document: a token is at least one byte, code averages three to four, and sixteen leaves room
/// for long runs of spaces.
pub const BYTES_PER_TOKEN: usize = 16;

/// Where the text that a prefix window of `budget` tokens may use starts: the first line start
/// within `budget * BYTES_PER_TOKEN` bytes before `cursor`, or a char boundary inside the cursor's
/// line when that line alone is longer.
pub fn reach_back(text: &str, cursor: usize, budget: usize) -> usize {
    let min = cursor.saturating_sub(budget.saturating_mul(BYTES_PER_TOKEN));
    if min == 0 {
        return 0;
    }
    match text.as_bytes()[min - 1..cursor].iter().position(|&b| b == b'\n') {
        Some(i) => min + i,
        None => ceil_char_boundary(text, min),
    }
}

/// Where the text that a suffix window of `budget` tokens may use ends: after the last line break
/// within `budget * BYTES_PER_TOKEN` bytes after `cursor`, or at a char boundary inside the
/// cursor's line when the rest of that line alone is longer.
pub fn reach_forward(text: &str, cursor: usize, budget: usize) -> usize {
    let max = cursor.saturating_add(budget.saturating_mul(BYTES_PER_TOKEN));
    if max >= text.len() {
        return text.len();
    }
    match text.as_bytes()[cursor..max].iter().rposition(|&b| b == b'\n') {
        Some(i) => cursor + i + 1,
        None => floor_char_boundary(text, max),
    }
}

pub(crate) use tandem_core::text::{ceil_char_boundary, floor_char_boundary};

/// Whether `at` (an offset into `before`, the text a window may use up to the cursor) is a start
/// an earlier window may keep: a line start; or, when the cursor's line alone is over `budget`
/// (so a window starts inside it anyway), a char boundary in that line — a long line keeps its
/// window's start across keystrokes too.
pub fn is_window_start(before: &str, at: usize, budget: usize, count: &dyn Fn(&str) -> usize) -> bool {
    if at > before.len() || !before.is_char_boundary(at) {
        return false;
    }
    if at == 0 || before.as_bytes()[at - 1] == b'\n' {
        return true;
    }
    let line = before.rfind('\n').map_or(0, |i| i + 1);
    at > line && count(&before[line..]) > budget
}

/// Where the prefix window starts: `anchor` (a start from an earlier request that
/// [`is_window_start`] accepts) while the text from there to the cursor fits `budget`, so that
/// consecutive prompts share their start and the model's KV cache; otherwise a new start within
/// `fresh` (less than `budget`, leaving room to grow). `before` is the text the window may use
/// ([`reach_back`] to the cursor).
pub fn stable_prefix_start(
    before: &str,
    anchor: Option<usize>,
    budget: usize,
    fresh: usize,
    count: &dyn Fn(&str) -> usize,
) -> usize {
    match anchor {
        Some(a) if before.get(a..).is_some_and(|kept| count(kept) <= budget) => a,
        _ => prefix_start(before, fresh, count),
    }
}

/// The earliest line start from which `before` fits `budget` tokens; when the cursor's own line
/// alone does not fit, the start inside it from which its end does.
pub fn prefix_start(before: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> usize {
    let mut start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut used = count(&before[start..]);
    if used > budget {
        return start + tail_start(&before[start..], budget, count);
    }
    while start > 0 {
        let prev = before[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        let cost = count(&before[prev..start]);
        if used + cost > budget {
            break;
        }
        used += cost;
        start = prev;
    }
    start
}

/// Where the suffix window ends: whole lines after the cursor's line while they fit `budget`,
/// after the rest of the cursor's line — or, when that alone does not fit, as much of its start
/// as does.
pub fn suffix_end(after: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> usize {
    let mut end = after.find('\n').map_or(after.len(), |i| i + 1);
    let mut used = count(&after[..end]);
    if used > budget {
        return head_end(&after[..end], budget, count);
    }
    while end < after.len() {
        let next = after[end..].find('\n').map_or(after.len(), |i| end + i + 1);
        let cost = count(&after[end..next]);
        if used + cost > budget {
            break;
        }
        used += cost;
        end = next;
    }
    end
}

/// Where the longest end of `s` that fits `budget` starts (a char boundary), `s` itself being over
/// it: a binary search, so a long line costs a few counts of at most its (already bounded) length.
pub fn tail_start(s: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> usize {
    // The end from `over` is over the budget, the end from `fits` is not.
    let (mut over, mut fits) = (0, s.len());
    while let Some(mid) = boundary_between(s, over, fits) {
        if count(&s[mid..]) <= budget {
            fits = mid;
        } else {
            over = mid;
        }
    }
    fits
}

/// Where the longest start of `s` that fits `budget` ends (a char boundary), `s` itself being
/// over it.
pub fn head_end(s: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> usize {
    let (mut fits, mut over) = (0, s.len());
    while let Some(mid) = boundary_between(s, fits, over) {
        if count(&s[..mid]) <= budget {
            fits = mid;
        } else {
            over = mid;
        }
    }
    fits
}

/// A char boundary of `s` strictly between `a` and `b` (both boundaries), near the middle.
fn boundary_between(s: &str, a: usize, b: usize) -> Option<usize> {
    let mid = a + (b - a) / 2;
    let below = floor_char_boundary(s, mid);
    if below > a {
        return Some(below);
    }
    let above = ceil_char_boundary(s, mid.max(a + 1));
    (above < b).then_some(above)
}

#[cfg(test)]
mod stable_tests {
    use super::*;

    #[test]
    fn the_prefix_start_stays_put_while_it_fits() {
        let count = |s: &str| s.len();
        let before = "aaaa\nbbbb\ncccc\ndd";
        let fresh = stable_prefix_start(before, None, 16, 12, &count);
        assert_eq!(&before[fresh..], "bbbb\ncccc\ndd", "a quarter of the budget is left to grow");
        let typed = "aaaa\nbbbb\ncccc\ndddd";
        assert_eq!(stable_prefix_start(typed, Some(fresh), 16, 12, &count), fresh);
        let long = "aaaa\nbbbb\ncccc\ndddddddddddd";
        assert_ne!(stable_prefix_start(long, Some(fresh), 16, 12, &count), fresh);
        assert_eq!(suffix_end("xx\nyyyy\nzzzz\n", 8, &count), 8);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text kept before and after the cursor.
    #[derive(Clone, Debug, PartialEq, Eq)]
    struct Windows<'a> {
        prefix: &'a str,
        suffix: &'a str,
    }

    /// Both windows at once, as the plain fallback once built them: keeps whole lines of `text` around byte offset `cursor`: the cursor's own line is always kept
    /// (its part before the cursor in the prefix, the rest in the suffix); the suffix takes whole
    /// lines within its share of `budget` (`1 - prefix_share`), and the prefix whole lines within
    /// what the suffix left. `count` gives the tokens of a piece of text.
    ///
    /// `cursor` must be a char boundary of `text`.
    fn fim_windows<'a>(
        text: &'a str,
        cursor: usize,
        budget: usize,
        prefix_share: f32,
        count: &dyn Fn(&str) -> usize,
    ) -> Windows<'a> {
        let (before, after) = text.split_at(cursor);
        let prefix_budget = ((budget as f32) * prefix_share.clamp(0.0, 1.0)) as usize;
        let end = suffix_end(after, budget - prefix_budget, count);
        let start = prefix_start(before, budget.saturating_sub(count(&after[..end])), count);
        Windows { prefix: &before[start..], suffix: &after[..end] }
    }

    fn chars(s: &str) -> usize {
        s.len()
    }

    #[test]
    fn everything_fits() {
        let text = "a\nbc\nd";
        let w = fim_windows(text, 3, 100, 0.75, &chars);
        assert_eq!((w.prefix, w.suffix), ("a\nb", "c\nd"));
    }

    #[test]
    fn cuts_at_line_boundaries_and_keeps_the_cursor_line() {
        let text = "1111\n2222\n3333\n44|44\n5555\n6666\n";
        let cursor = text.find('|').unwrap();
        // Budget 16, a quarter (4) for the suffix: only the cursor's line ("|44\n") fits there;
        // the prefix gets the other 12.
        let w = fim_windows(text, cursor, 16, 0.75, &chars);
        assert_eq!(w.prefix, "2222\n3333\n44");
        assert_eq!(w.suffix, "|44\n");
    }

    #[test]
    fn unused_suffix_budget_goes_to_the_prefix() {
        let text = "1111\n2222\n3333\n44";
        let w = fim_windows(text, text.len(), 12, 0.5, &chars);
        assert_eq!((w.prefix, w.suffix), ("2222\n3333\n44", ""));
    }

    #[test]
    fn a_line_longer_than_the_budget_is_cut_nearest_the_cursor() {
        let text = "x\nlong line here\ny";
        let w = fim_windows(text, 6, 6, 0.5, &chars);
        assert_eq!((w.prefix, w.suffix), ("ong", " li"));
        // Inside a line, cuts fall between characters (counted here in bytes).
        let text = "ééééé|ààààà";
        let cursor = text.find('|').unwrap();
        let w = fim_windows(text, cursor, 4, 0.5, &chars);
        assert_eq!((w.prefix, w.suffix), ("é", "|"));
    }

    #[test]
    fn the_text_looked_at_is_bounded_by_the_budget() {
        let longest = std::cell::Cell::new(0);
        let count = |s: &str| {
            longest.set(longest.get().max(s.len()));
            s.len() / 4
        };
        let line = "word ".repeat(1_000_000);
        let (before, after) = line.split_at(line.len() / 2);
        let lo = reach_back(&line, before.len(), 100);
        let hi = reach_forward(&line, before.len(), 20);
        assert_eq!((before.len() - lo, hi - before.len()), (1600, 320), "inside the one line");
        let start = prefix_start(&before[lo..], 100, &count);
        let end = suffix_end(&after[..hi - before.len()], 20, &count);
        assert!(count(&before[lo + start..]) <= 100 && count(&after[..end]) <= 20);
        assert!(count(&before[lo + start..]) >= 95, "the budget is used");
        assert!(longest.get() <= 1600, "counted {} bytes at once", longest.get());
        // Many lines: the reach ends at line boundaries.
        let lines = "x = 1\n".repeat(100_000);
        let lo = reach_back(&lines, lines.len() / 2, 10);
        let hi = reach_forward(&lines, lines.len() / 2, 10);
        assert_eq!(&lines[lo - 1..lo], "\n");
        assert_eq!(&lines[hi - 1..hi], "\n");
        assert!(lines.len() / 2 - lo <= 160 && hi - lines.len() / 2 <= 160);
    }
}
