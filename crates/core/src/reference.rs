//! References to code in a file: `path`, `path:LINE` or `path:START-END` (1-based, inclusive),
//! as the command line and the chat write them; and the lines of a text as positions count them.

/// 1-based first and last line, inclusive.
pub type Lines = (usize, usize);

/// Why a reference or its lines cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("lines must be numbers from 1, got `{range}` in `{target}`")]
    BadLines { range: String, target: String },
    #[error("the range {start}-{end} ends before it starts")]
    Backwards { start: usize, end: usize },
    #[error("lines {start}-{end} are outside the file ({lines} lines)")]
    OutOfRange { start: usize, end: usize, lines: usize },
}

/// For callers that still report errors as text (`?` in a function returning `Result<_, String>`).
impl From<ReferenceError> for String {
    fn from(e: ReferenceError) -> Self {
        e.to_string()
    }
}

/// `path`, `path:LINE` or `path:START-END` (1-based, inclusive) as the path and the lines.
pub fn parse_ref(target: &str) -> Result<(&str, Option<Lines>), ReferenceError> {
    let Some((file, range)) = target.rsplit_once(':') else { return Ok((target, None)) };
    let is_range = !range.is_empty() && range.chars().all(|c| c.is_ascii_digit() || c == '-');
    if !is_range || file.is_empty() {
        return Ok((target, None));
    }
    let num = |s: &str| match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ReferenceError::BadLines { range: range.to_owned(), target: target.to_owned() }),
    };
    let (start, end) = match range.split_once('-') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => (num(range)?, num(range)?),
    };
    if end < start {
        return Err(ReferenceError::Backwards { start, end });
    }
    Ok((file, Some((start, end))))
}

/// Lines `start..=end` (1-based) of `text`, or why they are not there.
pub fn select(text: &str, (start, end): Lines) -> Result<String, ReferenceError> {
    // A final line break ends the last line; it does not start another.
    let ends_with_break = text.ends_with(['\n', '\r']);
    let lines = line_count(text) - usize::from(text.is_empty() || ends_with_break);
    if end > lines {
        return Err(ReferenceError::OutOfRange { start, end, lines });
    }
    let from = line_start(text, start - 1).unwrap_or(text.len());
    let to = line_start(text, end).unwrap_or(text.len());
    Ok(text[from..to].to_owned())
}

/// The line breaks of a text as editors and the LSP count them: `\n`, `\r\n` and a lone `\r` each
/// end a line. Each item is where a line's text ends and where the next line starts. Linear in the
/// text scanned, without allocating: files with any of the three endings (or a mix) have the same
/// lines here as in the editor.
#[derive(Clone, Debug)]
pub struct LineBreaks<'a> {
    text: &'a str,
    pos: usize,
    /// The first `\n` at or after `pos` (the text's length when there is none), once looked for:
    /// remembered so that lines ended by lone `\r`s do not search for the same `\n` again each time.
    lf: Option<usize>,
}

/// The line breaks of `text` from byte offset `from` (a char boundary) on.
pub fn line_breaks(text: &str, from: usize) -> LineBreaks<'_> {
    LineBreaks { text, pos: from.min(text.len()), lf: None }
}

impl Iterator for LineBreaks<'_> {
    /// (end of the line's text, start of the next line)
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let (text, pos) = (self.text, self.pos);
        let lf = match self.lf {
            Some(lf) if lf >= pos => lf,
            _ => text[pos..].find('\n').map_or(text.len(), |i| pos + i),
        };
        self.lf = Some(lf);
        // A `\r` before that `\n` ends the line first: alone, or as the start of `\r\n`.
        let item = match text[pos..lf].find('\r') {
            Some(i) if pos + i + 1 == lf && lf < text.len() => (pos + i, lf + 1),
            Some(i) => (pos + i, pos + i + 1),
            None if lf < text.len() => (lf, lf + 1),
            None => return None,
        };
        self.pos = item.1;
        Some(item)
    }
}

/// Where 0-based line `line` of `text` starts, if the text has that line (the line after a final
/// line break is there, and empty).
pub fn line_start(text: &str, line: usize) -> Option<usize> {
    match line {
        0 => Some(0),
        n => line_breaks(text, 0).nth(n - 1).map(|(_, next)| next),
    }
}

/// Where the text of the line starting at `start` ends (before its line break).
pub fn line_end(text: &str, start: usize) -> usize {
    line_breaks(text, start).next().map_or(text.len(), |(end, _)| end)
}

/// The number of lines of `text`: its line breaks and one.
pub fn line_count(text: &str) -> usize {
    line_breaks(text, 0).count() + 1
}

/// The 0-based line of byte offset `offset` (clamped to the text) and where that line starts.
pub fn line_of(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let mut at = (0, 0);
    for (_, next) in line_breaks(text, 0) {
        if next > offset {
            break;
        }
        at = (at.0 + 1, next);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        assert_eq!(parse_ref("a.rs").unwrap(), ("a.rs", None));
        assert_eq!(parse_ref("a.rs:3-9").unwrap(), ("a.rs", Some((3, 9))));
        assert_eq!(parse_ref("a.rs:4").unwrap(), ("a.rs", Some((4, 4))));
        assert_eq!(parse_ref("c:/x/a.rs").unwrap(), ("c:/x/a.rs", None));
        assert_eq!(parse_ref("-").unwrap(), ("-", None));
        assert_eq!(parse_ref("-:2-3").unwrap(), ("-", Some((2, 3))));
        let bad =
            |range: &str| ReferenceError::BadLines { range: range.into(), target: format!("a.rs:{range}") };
        assert_eq!(parse_ref("a.rs:0-3"), Err(bad("0-3")));
        assert_eq!(parse_ref("a.rs:5-3"), Err(ReferenceError::Backwards { start: 5, end: 3 }));
        assert_eq!(parse_ref("a.rs:1-"), Err(bad("1-")));
        assert_eq!(
            parse_ref("a.rs:0-3").unwrap_err().to_string(),
            "lines must be numbers from 1, got `0-3` in `a.rs:0-3`"
        );
    }

    #[test]
    fn selections_are_whole_lines() {
        assert_eq!(select("a\nb\nc", (2, 3)).unwrap(), "b\nc");
        assert_eq!(select("a\nb\n", (2, 3)), Err(ReferenceError::OutOfRange { start: 2, end: 3, lines: 2 }));
        assert_eq!(select("a\nb\n", (1, 2)).unwrap(), "a\nb\n");
    }

    #[test]
    fn every_line_ending_ends_a_line() {
        let text = "a = 1\rb = 2\r\nc = 3\nd\r";
        let breaks: Vec<(usize, usize)> = line_breaks(text, 0).collect();
        assert_eq!(breaks, [(5, 6), (11, 13), (18, 19), (20, 21)]);
        assert_eq!(line_count(text), 5);
        assert_eq!(line_start(text, 1), Some(6));
        assert_eq!(line_start(text, 2), Some(13));
        assert_eq!(line_start(text, 4), Some(text.len()), "the empty line after the last break");
        assert_eq!(line_start(text, 5), None);
        assert_eq!(line_end(text, 6), 11);
        assert_eq!(line_of(text, 7), (1, 6));
        assert_eq!(line_of(text, 12), (1, 6), "between the CR and the LF of one break");
        assert_eq!(line_of(text, text.len()), (4, text.len()));
        assert_eq!(select(text, (2, 3)).unwrap(), "b = 2\r\nc = 3\n");
        assert_eq!(select("x\ry\rz", (3, 3)).unwrap(), "z");
        assert!(select("x\ry\r", (3, 3)).is_err());
        // Lines ended only by CRs find no LF: each line is still found without rescanning.
        let many = "x\r".repeat(10_000);
        assert_eq!(line_count(&many), 10_001);
        assert_eq!(line_of(&many, many.len() - 1), (9_999, many.len() - 2));
    }
}
