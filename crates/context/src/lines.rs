//! Plain line windows around a cursor within a token budget: the fallback for languages without a
//! grammar, and the building block of the syntax-aware windows.

/// Where the prefix window starts: `anchor` (a line start from an earlier request) while the
/// text from there to the cursor fits `budget`, so that consecutive prompts share their start and
/// the model's KV cache; otherwise a new line start within `fresh` (less than `budget`, leaving
/// room to grow).
pub fn stable_prefix_start(
    before: &str,
    anchor: Option<usize>,
    budget: usize,
    fresh: usize,
    count: &dyn Fn(&str) -> usize,
) -> usize {
    if let Some(a) = anchor
        && a <= before.len()
        && (a == 0 || before.as_bytes().get(a - 1) == Some(&b'\n'))
        && count(&before[a..]) <= budget
    {
        return a;
    }
    prefix_start(before, fresh, count)
}

/// The earliest line start from which `before` fits `budget` tokens (the cursor's own line is
/// always kept).
pub fn prefix_start(before: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> usize {
    let mut start = before.rfind('\n').map_or(0, |i| i + 1);
    let mut used = count(&before[start..]);
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

/// Where the suffix window ends: whole lines after the cursor's line while they fit `budget`
/// (the rest of the cursor's line is always kept).
pub fn suffix_end(after: &str, budget: usize, count: &dyn Fn(&str) -> usize) -> usize {
    let mut end = after.find('\n').map_or(after.len(), |i| i + 1);
    let mut used = count(&after[..end]);
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
    fn a_line_longer_than_the_budget_is_still_the_cursor_line() {
        let text = "x\nlong line here\ny";
        let w = fim_windows(text, 6, 3, 0.5, &chars);
        assert_eq!((w.prefix, w.suffix), ("long", " line here\n"));
    }
}
