//! Open documents, each with everything the engine keeps for it in one entry: the text and its
//! version, the language, its path, the syntax tree (edited with the text, reparsed
//! incrementally when a request needs it), and the completer's state. Edits apply in order;
//! positions convert between editor positions (UTF-16 or UTF-8 code units) and byte offsets.

use crate::kept::DocState;
use crate::track::{EditTrack, Shift};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tandem_context::implied::changed_span;
use tandem_context::lines::{line_count, line_end, line_of, line_start};
use tandem_context::syntax::Syntax;
use tandem_context::{Language, Tree};

/// How the client counts characters in a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// A position the document does not have.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line} is past the end of the document ({lines} lines)")]
pub struct BadPosition {
    pub line: u32,
    pub lines: usize,
}

/// Why an edit or a request was refused (the document is left as it was).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("document is not open: {0}")]
    NotOpen(String),
    #[error("stale change to {document}: version {version} after {current}")]
    Stale { document: String, version: i32, current: i32 },
    #[error("change to {document} outside the document: {error}")]
    Outside { document: String, error: BadPosition },
    #[error("change to {0} has its range backwards")]
    Backwards(String),
    #[error("{0}")]
    BadPosition(#[from] BadPosition),
    #[error("cursor offset {0} is not inside the document")]
    BadOffset(usize),
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

/// The length of `s` in the editor's code units.
pub(crate) fn units(s: &str, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => s.len() as u32,
        Encoding::Utf16 => s.chars().map(char::len_utf16).sum::<usize>() as u32,
    }
}

/// `(line, character)` of a byte offset (a char boundary), with lines as [`offset`] counts them.
pub fn position(text: &str, offset: usize, enc: Encoding) -> (u32, u32) {
    let offset = offset.min(text.len());
    let (line, line_start) = line_of(text, offset);
    let col = units(&text[line_start..offset], enc);
    (line as u32, col)
}

/// One edit: a range to replace (full replacement when `None`), as `((line, character), (line,
/// character))` in the editor's encoding.
#[derive(Clone, Debug)]
pub struct Change {
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

/// Where a request is: a byte offset, or an editor position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Offset(usize),
    Position { line: u32, character: u32 },
}

/// One open document.
#[derive(Debug)]
pub(crate) struct Document {
    /// Edited in place while no request reads it; a request takes a snapshot (a reference, not a
    /// copy) once its debounce is over, and only an edit landing while one is held copies it.
    pub text: Arc<String>,
    pub version: i32,
    /// The editor's language id.
    pub language: String,
    /// The path shown to the model and checked by the privacy rules: relative to the workspace
    /// inside it, else the whole path.
    pub path: Option<String>,
    /// The path relative to the workspace, for a document inside it (indexed as it changes).
    pub rel: Option<String>,
    /// The syntax tree, kept across edits; `None` for a language without a grammar.
    pub syntax: Option<Syntax>,
    /// When the buffer last went into the workspace index.
    pub indexed_at: Option<Instant>,
    /// What the completer keeps for this document.
    pub completion: DocState,
    /// Its edits since the last one analysed for next edits.
    pub track: EditTrack,
}

impl Document {
    pub fn new(
        text: String,
        version: i32,
        language: String,
        path: Option<String>,
        rel: Option<String>,
    ) -> Self {
        let syntax = Language::detect(&language, path.as_deref().unwrap_or("")).map(Syntax::new);
        let text = Arc::new(text);
        Self {
            track: EditTrack::default(),
            text,
            version,
            language,
            path,
            rel,
            syntax,
            indexed_at: None,
            completion: DocState::default(),
        }
    }

    /// The byte offset of a place, or why it is not in the text.
    pub fn offset(&self, place: Place, enc: Encoding) -> Result<usize, DocumentError> {
        match place {
            Place::Offset(o) if o <= self.text.len() && self.text.is_char_boundary(o) => Ok(o),
            Place::Offset(o) => Err(DocumentError::BadOffset(o)),
            Place::Position { line, character } => Ok(offset(&self.text, line, character, enc)?),
        }
    }

    /// Applies edits in order. A version not newer than the document's or a range outside the
    /// text refuses them as a whole, leaving the document as it was. The syntax tree is edited
    /// along, so the next parse is incremental.
    pub fn change(
        &mut self,
        uri: &str,
        version: i32,
        changes: &[Change],
        enc: Encoding,
    ) -> Result<(), DocumentError> {
        if version <= self.version {
            return Err(DocumentError::Stale { document: uri.to_owned(), version, current: self.version });
        }
        // One edit (a keystroke) is checked first and then made in place; several are made on a
        // copy that replaces the text only when all of them fit.
        if let [c] = changes {
            let edit = self.resolve(uri, &self.text, c, enc)?;
            let text = Arc::make_mut(&mut self.text);
            let (shift, removed) = Self::apply(&mut self.syntax, text, edit, &c.text);
            self.track.record(shift, &removed);
        } else {
            let mut text = (*self.text).clone();
            let mut syntax = self.syntax.clone();
            let mut shifts = Vec::with_capacity(changes.len());
            for c in changes {
                let edit = self.resolve(uri, &text, c, enc)?;
                shifts.push(Self::apply(&mut syntax, &mut text, edit, &c.text));
            }
            self.text = Arc::new(text);
            self.syntax = syntax;
            for (shift, removed) in shifts {
                self.track.record(shift, &removed);
            }
        }
        self.version = version;
        Ok(())
    }

    /// The byte range a change replaces (`None`: the whole text).
    fn resolve(
        &self,
        uri: &str,
        text: &str,
        c: &Change,
        enc: Encoding,
    ) -> Result<Option<(usize, usize)>, DocumentError> {
        let Some(((l0, c0), (l1, c1))) = c.range else { return Ok(None) };
        let outside = |error| DocumentError::Outside { document: uri.to_owned(), error };
        let from = offset(text, l0, c0, enc).map_err(outside)?;
        let to = offset(text, l1, c1, enc).map_err(outside)?;
        if from > to {
            return Err(DocumentError::Backwards(uri.to_owned()));
        }
        Ok(Some((from, to)))
    }

    /// Makes one edit; answers how it moved the text's bytes and what it removed. A whole
    /// replacement counts as the bytes that differ (clients that send the whole text on every
    /// keystroke edit one place too).
    fn apply(
        syntax: &mut Option<Syntax>,
        text: &mut String,
        range: Option<(usize, usize)>,
        new: &str,
    ) -> (Shift, String) {
        match range {
            None => {
                if let Some(s) = syntax {
                    s.replace();
                }
                let (from, to, new_end) = changed_span(text, new).unwrap_or((0, 0, 0));
                let removed = text[from..to].to_owned();
                new.clone_into(text);
                (Shift { from, to, len: new_end - from }, removed)
            }
            Some((from, to)) => {
                if let Some(s) = syntax {
                    s.edit(text, from, to, new);
                }
                let removed = text[from..to].to_owned();
                text.replace_range(from..to, new);
                (Shift { from, to, len: new.len() }, removed)
            }
        }
    }

    /// The tree for the current text, if it is parsed already; else what a parse needs.
    pub fn tree(&self) -> Result<Option<Tree>, (Language, Option<Tree>)> {
        let Some(s) = &self.syntax else { return Ok(None) };
        match s.stale() {
            None => Ok(s.tree().cloned()),
            Some(stale) => Err(stale),
        }
    }

    /// Takes the tree parsed for `version`, unless the document changed since.
    pub fn parsed(&mut self, version: i32, tree: Option<Tree>) {
        if version == self.version
            && let Some(s) = &mut self.syntax
        {
            s.parsed(tree);
        }
    }
}

/// The documents a client has open. One writer: the editor's notifications, applied in full
/// before the next one.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    docs: HashMap<String, Document>,
}

impl Documents {
    /// Opens a document; returns the one it replaces (opened twice).
    pub fn open(&mut self, uri: String, doc: Document) -> Option<Document> {
        self.docs.insert(uri, doc)
    }

    pub fn close(&mut self, uri: &str) -> Option<Document> {
        self.docs.remove(uri)
    }

    pub fn get(&self, uri: &str) -> Option<&Document> {
        self.docs.get(uri)
    }

    pub fn get_mut(&mut self, uri: &str) -> Result<&mut Document, DocumentError> {
        self.docs.get_mut(uri).ok_or_else(|| DocumentError::NotOpen(uri.to_owned()))
    }

    /// Whether a document open in the editor is the workspace file `rel`: its buffer, not the
    /// disk, is what counts.
    pub fn is_open(&self, rel: &str) -> bool {
        self.docs.values().any(|d| d.rel.as_deref() == Some(rel))
    }

    /// The URI of the open document that is the workspace file `rel`.
    pub fn uri_of(&self, rel: &str) -> Option<&str> {
        self.docs.iter().find(|(_, d)| d.rel.as_deref() == Some(rel)).map(|(u, _)| u.as_str())
    }

    /// The workspace paths of the open documents.
    pub fn open_paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.docs.values().filter_map(|d| d.rel.clone()).collect();
        paths.sort();
        paths.dedup();
        paths
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

    fn doc(text: &str, language: &str) -> Document {
        Document::new(text.into(), 1, language.into(), None, None)
    }

    #[test]
    fn edits_apply_in_order_and_bad_ones_change_nothing() {
        let mut d = Documents::default();
        d.open("u".into(), doc("héllo\nworld\n", "text"));
        let edit = |l0, c0, l1, c1, t: &str| Change { range: Some(((l0, c0), (l1, c1))), text: t.into() };
        d.get_mut("u")
            .unwrap()
            .change("u", 2, &[edit(0, 1, 0, 2, "e"), edit(1, 0, 1, 5, "there")], Encoding::Utf16)
            .unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "hello\nthere\n");
        assert!(
            d.get_mut("u").unwrap().change("u", 2, &[edit(0, 0, 0, 0, "x")], Encoding::Utf16).is_err(),
            "stale version"
        );
        assert!(
            d.get_mut("u")
                .unwrap()
                .change("u", 3, &[edit(0, 0, 0, 0, "x"), edit(9, 0, 9, 0, "y")], Encoding::Utf16)
                .is_err()
        );
        assert_eq!(&*d.get("u").unwrap().text, "hello\nthere\n");
        assert_eq!(d.get("u").unwrap().version, 2);
        d.get_mut("u")
            .unwrap()
            .change("u", 4, &[Change { range: None, text: "new".into() }], Encoding::Utf16)
            .unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "new");
    }

    #[test]
    fn lone_cr_and_mixed_line_endings_end_lines() {
        let mut d = Documents::default();
        d.open("u".into(), doc("a = 1\rb = 2\rc = 3\r", "python"));
        let edit = |l0, c0, l1, c1, t: &str| Change { range: Some(((l0, c0), (l1, c1))), text: t.into() };
        d.get_mut("u").unwrap().change("u", 2, &[edit(2, 4, 2, 5, "30")], Encoding::Utf16).unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "a = 1\rb = 2\rc = 30\r");
        d.get_mut("u").unwrap().change("u", 3, &[edit(3, 0, 3, 0, "d = 4")], Encoding::Utf16).unwrap();
        assert_eq!(&*d.get("u").unwrap().text, "a = 1\rb = 2\rc = 30\rd = 4");
        assert!(
            d.get_mut("u").unwrap().change("u", 4, &[edit(4, 0, 4, 0, "x")], Encoding::Utf16).is_err(),
            "4 lines only"
        );

        d.open("m".into(), doc("crlf\r\nlone\rlf\nlast", "python"));
        // Joining two lines across a CRLF, then editing the line after a lone CR and an LF.
        d.get_mut("m")
            .unwrap()
            .change("m", 2, &[edit(0, 4, 1, 0, " "), edit(2, 0, 2, 4, "end")], Encoding::Utf8)
            .unwrap();
        assert_eq!(&*d.get("m").unwrap().text, "crlf lone\rlf\nend");
        assert_eq!(offset("a\r\nb", 0, 9, Encoding::Utf16).unwrap(), 1, "the CR of a CRLF is no character");
    }

    #[test]
    fn a_keystroke_edits_the_text_in_place_unless_a_request_holds_it() {
        let mut d = doc("x = 1\n", "python");
        let edit = |l0, c0, l1, c1, t: &str| Change { range: Some(((l0, c0), (l1, c1))), text: t.into() };
        let before = Arc::as_ptr(&d.text);
        d.change("u", 2, &[edit(0, 5, 0, 5, "0")], Encoding::Utf16).unwrap();
        assert_eq!((d.text.as_str(), Arc::as_ptr(&d.text)), ("x = 10\n", before), "no copy");
        let held = d.text.clone();
        d.change("u", 3, &[edit(0, 6, 0, 6, "0")], Encoding::Utf16).unwrap();
        assert_eq!((held.as_str(), d.text.as_str()), ("x = 10\n", "x = 100\n"), "the snapshot stays");
    }

    /// The tree edited along with the text parses incrementally into what a fresh parse of the
    /// text gives, through UTF-16 positions, multi-byte characters, several edits at once and
    /// a whole replacement.
    #[test]
    fn the_syntax_tree_follows_the_edits() {
        let mut d = doc("def f(é):\n    return é\n", "python");
        let sexp = |d: &mut Document| {
            if let Err((language, old)) = d.tree() {
                let tree = tandem_context::syntax::reparse(language, &d.text, old.as_ref());
                d.parsed(d.version, tree);
            }
            let fresh = tandem_context::outline::parse(Language::Python, &d.text).unwrap();
            let kept = d.tree().unwrap().unwrap().root_node().to_sexp();
            assert_eq!(kept, fresh.root_node().to_sexp(), "{:?}", d.text);
            kept
        };
        sexp(&mut d);
        let edit = |l0, c0, l1, c1, t: &str| Change { range: Some(((l0, c0), (l1, c1))), text: t.into() };
        d.change("u", 2, &[edit(1, 12, 1, 12, " + 😀x")], Encoding::Utf16).unwrap();
        assert!(d.tree().is_err(), "stale after an edit");
        sexp(&mut d);
        let two = [edit(0, 0, 0, 0, "import os\n"), edit(2, 4, 2, 10, "yield")];
        d.change("u", 3, &two, Encoding::Utf16).unwrap();
        assert!(sexp(&mut d).contains("yield"));
        d.change("u", 4, &[Change { range: None, text: "class A:\n    pass\n".into() }], Encoding::Utf16)
            .unwrap();
        assert!(sexp(&mut d).contains("class_definition"));
        // A tree parsed for an older version is not taken.
        let old = d.version;
        d.change("u", 5, &[edit(0, 0, 0, 0, "#")], Encoding::Utf16).unwrap();
        d.parsed(old, None);
        assert!(d.tree().is_err());
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
