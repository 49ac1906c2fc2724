//! Open documents: their text, version and language, edits applied in order, and conversion
//! between LSP positions (UTF-16 or UTF-8 code units) and byte offsets.

use std::collections::HashMap;
use std::sync::Arc;
use tandem_engine::context::lines::{line_count, line_end, line_of, line_start};

/// How the client counts characters in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// A position the document does not have.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPosition {
    pub line: u32,
    pub lines: usize,
}

impl std::fmt::Display for BadPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {} is past the end of the document ({} lines)", self.line, self.lines)
    }
}

#[derive(Clone, Debug)]
pub struct Document {
    /// Shared with requests as a snapshot; an edit makes a new one.
    pub text: Arc<str>,
    pub version: i32,
    pub language: String,
}

/// Byte offset of `(line, character)`. A character past the end of its line means the end of
/// the line (as the LSP specification says); a line past the end of the text is an error, except
/// the line just after a final line break... which is the end of the text. `\n`, `\r\n` and a
/// lone `\r` each end a line, as they do for the editor.
pub fn offset(text: &str, line: u32, character: u32, enc: Encoding) -> Result<usize, BadPosition> {
    let start =
        line_start(text, line as usize).ok_or_else(|| BadPosition { line, lines: line_count(text) })?;
    let line_text = &text[start..line_end(text, start)];
    let mut units = 0u32;
    for (i, c) in line_text.char_indices() {
        if units >= character {
            return Ok(start + i);
        }
        units += match enc {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        };
    }
    Ok(start + line_text.len())
}

/// `(line, character)` of a byte offset (a char boundary), with lines as [`offset`] counts them.
pub fn position(text: &str, offset: usize, enc: Encoding) -> (u32, u32) {
    let offset = offset.min(text.len());
    let (line, line_start) = line_of(text, offset);
    let col = match enc {
        Encoding::Utf8 => offset - line_start,
        Encoding::Utf16 => text[line_start..offset].chars().map(char::len_utf16).sum(),
    };
    (line as u32, col as u32)
}

/// One edit: a range to replace (full replacement when `None`).
#[derive(Clone, Debug)]
pub struct Change {
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

/// The documents a client has open. One writer: the server applies each notification's edits
/// in full before it handles the next message.
#[derive(Debug, Default)]
pub struct Documents {
    docs: HashMap<String, Document>,
}

impl Documents {
    pub fn open(&mut self, uri: String, text: Arc<str>, version: i32, language: String) {
        self.docs.insert(uri, Document { text, version, language });
    }

    pub fn close(&mut self, uri: &str) {
        self.docs.remove(uri);
    }

    pub fn get(&self, uri: &str) -> Option<&Document> {
        self.docs.get(uri)
    }

    /// Applies edits in order. A version not newer than the document's, an unknown document or a
    /// range outside the text is refused as a whole, leaving the document as it was.
    pub fn change(
        &mut self,
        uri: &str,
        version: i32,
        changes: &[Change],
        enc: Encoding,
    ) -> Result<(), String> {
        let doc =
            self.docs.get_mut(uri).ok_or_else(|| format!("change to a document that is not open: {uri}"))?;
        if version <= doc.version {
            return Err(format!("stale change to {uri}: version {version} after {}", doc.version));
        }
        let mut text = doc.text.to_string();
        for c in changes {
            match c.range {
                None => text = c.text.clone(),
                Some(((l0, c0), (l1, c1))) => {
                    let bad = |e: BadPosition| format!("change to {uri} outside the document: {e}");
                    let from = offset(&text, l0, c0, enc).map_err(bad)?;
                    let to = offset(&text, l1, c1, enc).map_err(bad)?;
                    if from > to {
                        return Err(format!("change to {uri} has its range backwards"));
                    }
                    text.replace_range(from..to, &c.text);
                }
            }
        }
        doc.text = text.into();
        doc.version = version;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_as_two() {
        let text = "a😀b\nñx";
        assert_eq!(offset(text, 0, 1, Encoding::Utf16).unwrap(), 1);
        assert_eq!(offset(text, 0, 3, Encoding::Utf16).unwrap(), 5);
        assert_eq!(offset(text, 0, 5, Encoding::Utf8).unwrap(), 5);
        assert_eq!(offset(text, 1, 1, Encoding::Utf16).unwrap(), 9);
        assert_eq!(offset(text, 1, 99, Encoding::Utf16).unwrap(), text.len(), "clamped to the line end");
        assert!(offset(text, 5, 0, Encoding::Utf16).is_err());
        assert_eq!(position(text, 5, Encoding::Utf16), (0, 3));
        assert_eq!(position(text, 9, Encoding::Utf8), (1, 2));
    }

    #[test]
    fn edits_apply_in_order_and_bad_ones_change_nothing() {
        let mut d = Documents::default();
        d.open("u".into(), "héllo\nworld\n".into(), 1, "text".into());
        let edit = |l0, c0, l1, c1, t: &str| Change { range: Some(((l0, c0), (l1, c1))), text: t.into() };
        d.change("u", 2, &[edit(0, 1, 0, 2, "e"), edit(1, 0, 1, 5, "there")], Encoding::Utf16).unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "hello\nthere\n");
        assert!(d.change("u", 2, &[edit(0, 0, 0, 0, "x")], Encoding::Utf16).is_err(), "stale version");
        assert!(d.change("u", 3, &[edit(0, 0, 0, 0, "x"), edit(9, 0, 9, 0, "y")], Encoding::Utf16).is_err());
        assert_eq!(&*d.get("u").unwrap().text, "hello\nthere\n");
        assert_eq!(d.get("u").unwrap().version, 2);
        d.change("u", 4, &[Change { range: None, text: "new".into() }], Encoding::Utf16).unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "new");
    }

    #[test]
    fn lone_cr_and_mixed_line_endings_end_lines() {
        let mut d = Documents::default();
        d.open("u".into(), "a = 1\rb = 2\rc = 3\r".into(), 1, "python".into());
        let edit = |l0, c0, l1, c1, t: &str| Change { range: Some(((l0, c0), (l1, c1))), text: t.into() };
        d.change("u", 2, &[edit(2, 4, 2, 5, "30")], Encoding::Utf16).unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "a = 1\rb = 2\rc = 30\r");
        d.change("u", 3, &[edit(3, 0, 3, 0, "d = 4")], Encoding::Utf16).unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "a = 1\rb = 2\rc = 30\rd = 4");
        assert!(d.change("u", 4, &[edit(4, 0, 4, 0, "x")], Encoding::Utf16).is_err(), "4 lines only");

        d.open("m".into(), "crlf\r\nlone\rlf\nlast".into(), 1, "python".into());
        // Joining two lines across a CRLF, then editing the line after a lone CR and an LF.
        d.change("m", 2, &[edit(0, 4, 1, 0, " "), edit(2, 0, 2, 4, "end")], Encoding::Utf8).unwrap();
        assert_eq!(&*d.get("m").unwrap().text, "crlf lone\rlf\nend");
        assert_eq!(offset("a\r\nb", 0, 9, Encoding::Utf16).unwrap(), 1, "the CR of a CRLF is no character");
    }

    #[test]
    fn positions_round_trip_through_offsets() {
        let text = "héllo\r\nwörld\rof 😀 lines\n\r\n\rend\r";
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // Between the CR and the LF of one line break is no position.
                if at > 0 && text[..at].ends_with('\r') && text[at..].starts_with('\n') {
                    continue;
                }
                let (line, character) = position(text, at, enc);
                assert_eq!(offset(text, line, character, enc).unwrap(), at, "{enc:?} offset {at}");
            }
        }
        assert_eq!(position(text, text.len(), Encoding::Utf8), (6, 0));
        assert_eq!(position(text, text.find("lines").unwrap(), Encoding::Utf16), (2, 6));
    }
}
