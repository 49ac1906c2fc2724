//! The one word-wrapper of the chat: Markdown answers, user messages and notices all wrap
//! here, measured in display columns (wide characters count two).

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use std::mem;
use unicode_width::UnicodeWidthChar;

/// A run of text in one style.
pub(crate) type Piece = (String, Style);

/// Display columns of a character. Variation selectors count one: after some characters they
/// make a two-column emoji of a one-column one, and a line must never be wider than counted.
pub(crate) fn char_width(c: char) -> usize {
    if ('\u{FE00}'..='\u{FE0F}').contains(&c) { 1 } else { c.width().unwrap_or(0) }
}

pub(crate) fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

pub(crate) fn push_char(pieces: &mut Vec<Piece>, c: char, style: Style) {
    match pieces.last_mut() {
        Some((text, s)) if *s == style => text.push(c),
        _ => pieces.push((c.to_string(), style)),
    }
}

pub(crate) fn trim_end(mut pieces: Vec<Piece>) -> Vec<Piece> {
    while let Some((text, _)) = pieces.last_mut() {
        text.truncate(text.trim_end().len());
        if !text.is_empty() {
            break;
        }
        pieces.pop();
    }
    pieces
}

/// `pieces` cut to at most `max` columns.
pub(crate) fn cut(pieces: Vec<Piece>, max: usize) -> Vec<Piece> {
    let mut used = 0;
    let mut out = Vec::new();
    for (text, style) in pieces {
        for c in text.chars() {
            used += char_width(c);
            if used > max {
                return out;
            }
            push_char(&mut out, c, style);
        }
    }
    out
}

pub(crate) fn line(pieces: Vec<Piece>) -> Line<'static> {
    Line::from(pieces.into_iter().map(|(t, s)| Span::styled(t, s)).collect::<Vec<_>>())
}

/// Lines of at most `width` columns, filled a character at a time (hard breaks).
pub(crate) struct Wrapper {
    width: usize,
    lines: Vec<Vec<Piece>>,
    line: Vec<Piece>,
    used: usize,
}

impl Wrapper {
    pub(crate) fn new(width: usize) -> Self {
        Self { width: width.max(1), lines: Vec::new(), line: Vec::new(), used: 0 }
    }

    pub(crate) fn push(&mut self, c: char, style: Style) {
        // A character wider than a whole line cannot be shown: an ellipsis stands for it.
        let (c, w) = match char_width(c) {
            w if w > self.width => ('…', 1),
            w => (c, w),
        };
        if self.used + w > self.width {
            self.break_line();
        }
        push_char(&mut self.line, c, style);
        self.used += w;
    }

    fn break_line(&mut self) {
        self.lines.push(mem::take(&mut self.line));
        self.used = 0;
    }

    /// Adds a word, on a new line if it does not fit on this one (after a space when `space`
    /// and the line is not empty); a word wider than a line is broken.
    fn word(&mut self, word: &[(char, Style)], space: Option<Style>) {
        let w: usize = word.iter().map(|&(c, _)| char_width(c)).sum();
        let space = space.filter(|_| self.used > 0);
        if self.used > 0 && self.used + usize::from(space.is_some()) + w > self.width {
            self.break_line();
        } else if let Some(style) = space {
            self.push(' ', style);
        }
        for &(c, style) in word {
            self.push(c, style);
        }
    }

    /// Adds inline text word by word; runs of spaces become one space, or a break.
    pub(crate) fn words(&mut self, pieces: &[Piece]) {
        let mut word = Vec::new();
        let mut space = None;
        let chars = pieces.iter().flat_map(|(t, s)| t.chars().map(move |c| (c, *s)));
        for (c, style) in chars.chain([(' ', Style::new())]) {
            if c == ' ' {
                if !word.is_empty() {
                    self.word(&word, space.take());
                    word.clear();
                }
                space = space.or(Some(style));
            } else {
                word.push((c, style));
            }
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Vec<Piece>> {
        if !self.line.is_empty() {
            self.break_line();
        }
        self.lines
    }
}

/// Word-wraps inline text to `width` columns; runs of spaces become one space, or a break.
pub(crate) fn wrap(pieces: &[Piece], width: usize) -> Vec<Vec<Piece>> {
    let mut wrapper = Wrapper::new(width);
    wrapper.words(pieces);
    wrapper.finish()
}

/// Wraps plain text to `width` columns (words kept whole when they fit, each paragraph's
/// indentation kept), each line styled.
pub fn wrap_plain(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let body = para.trim_start_matches(' ');
        let mut wrapper = Wrapper::new(width);
        for _ in 0..(para.len() - body.len()).min(width - 1) {
            wrapper.push(' ', style);
        }
        wrapper.words(&[(body.to_owned(), style)]);
        let lines = wrapper.finish();
        if lines.iter().all(|l| l.iter().all(|(t, _)| t.trim().is_empty())) {
            out.push(Line::styled("", style));
            continue;
        }
        out.extend(lines.into_iter().map(|l| line(trim_end(l))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn plain_text_wraps_at_words_and_breaks_long_ones() {
        let s = Style::default();
        assert_eq!(text(&wrap_plain("hello big world", 9, s)), ["hello big", "world"]);
        assert_eq!(text(&wrap_plain("abcdefghij", 4, s)), ["abcd", "efgh", "ij"]);
        assert_eq!(text(&wrap_plain("a\n\nb", 4, s)), ["a", "", "b"]);
        assert_eq!(text(&wrap_plain("日本語です", 4, s)), ["日本", "語で", "す"]);
        assert_eq!(text(&wrap_plain("fn x() {\n    y\n}", 20, s)), ["fn x() {", "    y", "}"]);
        for w in 1..12 {
            for l in wrap_plain("a few words, some of them rather longish ok\n   indented", w, s) {
                assert!(l.width() <= w, "{l:?} wider than {w}");
            }
        }
    }
}
