//! Markdown answers as styled lines wrapped to a width, code blocks highlighted.
//!
//! [`render`] walks pulldown-cmark's events once. Inline text gathers as styled pieces and is
//! word-wrapped when its block ends; the open containers (block quotes, list items) give every
//! line a prefix: `│ `, the item's marker on its first line, the indentation under the item's
//! text after that. Code blocks are hard-wrapped and highlighted with the engine's grammars.
//! Widths are display columns, counted so that no line comes out wider than asked, whatever the
//! input — including an answer cut mid-stream, inside a code block that has no closing fence yet.

use crate::Theme;
use crate::wrap::{Piece, Wrapper, cut, line, push_char, trim_end, width, wrap};
use pulldown_cmark::{Alignment, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use std::mem;
use tandem_engine::Language;
use tandem_engine::highlight;

/// `markdown` (possibly cut mid-stream) as lines of at most `width` columns.
pub fn render(markdown: &str, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut renderer = Renderer {
        theme,
        width: usize::from(width.max(1)),
        out: Vec::new(),
        inline: Vec::new(),
        styles: Vec::new(),
        links: Vec::new(),
        containers: Vec::new(),
        lists: Vec::new(),
        code: None,
        table: None,
        blank: false,
    };
    for event in Parser::new_ext(markdown, options) {
        renderer.event(event);
    }
    renderer.finish()
}

/// A block that prefixes each of its lines.
enum Container {
    Quote,
    /// A list item: its marker (`• `, `3. `, `[x] `) shows on its first line only.
    Item {
        marker: String,
        used: bool,
    },
}

struct List {
    /// The next item's number; `None` for bullets.
    next: Option<u64>,
    /// Items hold paragraphs (blank lines between them).
    loose: bool,
}

#[derive(Default)]
struct Table {
    aligns: Vec<Alignment>,
    rows: Vec<Vec<Vec<Piece>>>,
    /// How many of the rows are the header.
    head: usize,
    row: Vec<Vec<Piece>>,
}

struct Renderer<'t> {
    theme: &'t Theme,
    width: usize,
    out: Vec<Line<'static>>,
    /// The current block's inline text, not yet wrapped (the current cell's, in a table).
    inline: Vec<Piece>,
    /// Styles of the open spans and blocks, patched over `theme.text` in order.
    styles: Vec<Style>,
    /// Open links: where their text starts in `inline`, and their url.
    links: Vec<(usize, String)>,
    containers: Vec<Container>,
    lists: Vec<List>,
    /// Inside a code block: its language and the code so far.
    code: Option<(String, String)>,
    table: Option<Table>,
    /// A blank line is due before the next block.
    blank: bool,
}

impl Renderer<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => match &mut self.code {
                Some((_, code)) => code.push_str(&text),
                None => self.text(&text),
            },
            Event::Code(code) => self.push(&code, self.style().patch(self.theme.inline_code)),
            Event::InlineMath(text) | Event::DisplayMath(text) | Event::InlineHtml(text) => self.text(&text),
            Event::Html(html) => {
                for (i, line) in html.split('\n').enumerate() {
                    if i > 0 {
                        self.flush();
                    }
                    self.text(line);
                }
            }
            Event::FootnoteReference(name) => self.text(&format!("[^{name}]")),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.start_block();
                let rule = "─".repeat(self.room(""));
                self.emit(vec![(rule, self.theme.dim)], "");
                self.blank = true;
            }
            Event::TaskListMarker(done) => {
                let check = if done { "[x] " } else { "[ ] " };
                match self.containers.last_mut() {
                    Some(Container::Item { marker, used: false }) if marker == "• " => {
                        *marker = check.to_owned()
                    }
                    Some(Container::Item { marker, used: false }) => marker.push_str(check),
                    _ => self.text(check),
                }
            }
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.start_block();
                if let (Some(Container::Item { .. }), Some(list)) =
                    (self.containers.last(), self.lists.last_mut())
                {
                    list.loose = true;
                }
            }
            Tag::Heading { .. } => {
                self.start_block();
                self.styles.push(self.theme.heading);
            }
            Tag::BlockQuote(_) => {
                self.start_block();
                self.containers.push(Container::Quote);
                self.styles.push(self.theme.quote);
            }
            Tag::CodeBlock(kind) => {
                self.start_block();
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let end = info.find(|c: char| c.is_whitespace() || ",{".contains(c));
                        info[..end.unwrap_or(info.len())].to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::List(start) => {
                self.start_block();
                self.lists.push(List { next: start, loose: false });
            }
            Tag::Item => {
                self.flush();
                // Items of a tight list follow each other without blank lines.
                if !self.lists.last().is_some_and(|l| l.loose) {
                    self.blank = false;
                }
                let marker = match self.lists.last_mut().and_then(|l| l.next.as_mut()) {
                    Some(n) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    None => "• ".to_owned(),
                };
                self.containers.push(Container::Item { marker, used: false });
            }
            Tag::Table(aligns) => {
                self.start_block();
                self.table = Some(Table { aligns, ..Table::default() });
            }
            Tag::TableHead => self.styles.push(self.theme.strong),
            Tag::Emphasis => self.styles.push(self.theme.emphasis),
            Tag::Strong => self.styles.push(self.theme.strong),
            Tag::Strikethrough => self.styles.push(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Superscript | Tag::Subscript => self.styles.push(Style::new()),
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.styles.push(self.theme.link);
                self.links.push((self.inline.len(), dest_url.into_string()));
            }
            Tag::HtmlBlock
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => self.start_block(),
            Tag::TableRow | Tag::TableCell => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.flush();
                self.styles.pop();
                self.blank = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.containers.pop();
                self.styles.pop();
                self.blank = true;
            }
            TagEnd::CodeBlock => {
                if let Some((lang, code)) = self.code.take() {
                    self.code_block(&lang, &code);
                }
                self.blank = true;
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                self.blank = true;
            }
            TagEnd::Item => {
                self.flush();
                if let Some(Container::Item { used: false, .. }) = self.containers.last() {
                    self.emit(Vec::new(), ""); // an empty item still shows its marker
                }
                self.containers.pop();
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.table(table);
                }
                self.blank = true;
            }
            TagEnd::TableHead => {
                self.styles.pop();
                if let Some(t) = &mut self.table {
                    t.rows.push(mem::take(&mut t.row));
                    t.head = t.rows.len();
                }
            }
            TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    t.rows.push(mem::take(&mut t.row));
                }
            }
            TagEnd::TableCell => {
                if let Some(t) = &mut self.table {
                    t.row.push(mem::take(&mut self.inline));
                }
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript => {
                self.styles.pop();
            }
            TagEnd::Link | TagEnd::Image => {
                self.styles.pop();
                if let Some((at, url)) = self.links.pop() {
                    let pieces = self.inline.get(at..).unwrap_or_default();
                    let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
                    if !url.is_empty() && text != url {
                        self.push(&format!(" ({url})"), self.theme.dim);
                    }
                }
            }
            TagEnd::Paragraph
            | TagEnd::HtmlBlock
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {
                self.flush();
                self.blank = true;
            }
        }
    }

    fn finish(mut self) -> Vec<Line<'static>> {
        self.flush();
        if let Some((lang, code)) = self.code.take() {
            self.code_block(&lang, &code);
        }
        if let Some(table) = self.table.take() {
            self.table(table);
        }
        while self.out.last().is_some_and(|l| l.width() == 0) {
            self.out.pop();
        }
        self.out
    }

    /// The style of inline text here: the open styles over the theme's text.
    fn style(&self) -> Style {
        self.styles.iter().fold(self.theme.text, |s, &patch| s.patch(patch))
    }

    fn text(&mut self, text: &str) {
        self.push(text, self.style());
    }

    /// Adds inline text: line breaks and tabs are spaces here, other control characters go.
    fn push(&mut self, text: &str, style: Style) {
        for c in text.chars() {
            match c {
                '\t' | '\n' | '\r' => push_char(&mut self.inline, ' ', style),
                c if c.is_control() => {}
                c => push_char(&mut self.inline, c, style),
            }
        }
    }

    /// Before a block: the inline text so far becomes lines, and a due blank line is drawn.
    fn start_block(&mut self) {
        self.flush();
        if mem::take(&mut self.blank) && !self.out.is_empty() {
            let prefix = trim_end(self.prefix("", true));
            self.out.push(line(prefix));
        }
    }

    /// Wraps the inline text so far into lines.
    fn flush(&mut self) {
        if self.table.is_some() || self.inline.is_empty() {
            return;
        }
        let pieces = mem::take(&mut self.inline);
        for link in &mut self.links {
            link.0 = 0;
        }
        for content in wrap(&pieces, self.room("")) {
            self.emit(content, "");
        }
    }

    /// The prefix of the next line, `extra` after the containers' parts; cut so that at least
    /// one column is left. Unused item markers show unless the line is `blank`.
    fn prefix(&self, extra: &str, blank: bool) -> Vec<Piece> {
        let mut prefix = Vec::new();
        for container in &self.containers {
            prefix.push(match container {
                Container::Quote => ("│ ".to_owned(), self.theme.quote),
                Container::Item { marker, used: false } if !blank => (marker.clone(), self.theme.dim),
                Container::Item { marker, .. } => (" ".repeat(width(marker)), self.theme.text),
            });
        }
        if !extra.is_empty() {
            prefix.push((extra.to_owned(), self.theme.text));
        }
        cut(prefix, self.width - 1)
    }

    /// The columns left for content after the prefix.
    fn room(&self, extra: &str) -> usize {
        let used: usize = self.prefix(extra, false).iter().map(|(t, _)| width(t)).sum();
        self.width - used
    }

    /// Adds a line: the prefix (which uses up the items' markers), then `content` cut to fit.
    /// A line without content has no trailing spaces.
    fn emit(&mut self, content: Vec<Piece>, extra: &str) {
        let mut pieces = self.prefix(extra, false);
        if content.is_empty() {
            pieces = trim_end(pieces);
        }
        for container in &mut self.containers {
            if let Container::Item { used, .. } = container {
                *used = true;
            }
        }
        let room = self.room(extra);
        pieces.extend(cut(content, room));
        self.out.push(line(pieces));
    }

    fn code_block(&mut self, lang: &str, code: &str) {
        if !lang.is_empty() {
            self.emit(vec![(lang.to_owned(), self.theme.dim)], "");
        }
        if code.is_empty() {
            return;
        }
        let spans = language(lang).map(|l| highlight(l, code)).unwrap_or_default();
        let (mut next, mut offset) = (0, 0);
        let room = self.room("  ");
        for source in code.strip_suffix('\n').unwrap_or(code).split('\n') {
            let mut wrapper = Wrapper::new(room);
            for (i, c) in source.char_indices() {
                let at = offset + i;
                while spans.get(next).is_some_and(|(r, _)| r.end <= at) {
                    next += 1;
                }
                let style = match spans.get(next) {
                    Some((r, kind)) if r.start <= at => self.theme.syntax(*kind),
                    _ => self.theme.code,
                };
                match c {
                    '\t' => (0..4).for_each(|_| wrapper.push(' ', style)),
                    c if c.is_control() => {}
                    c => wrapper.push(c, style),
                }
            }
            let lines = wrapper.finish();
            if lines.is_empty() {
                self.emit(Vec::new(), "  ");
            }
            for content in lines {
                self.emit(content, "  ");
            }
            offset += source.len() + 1;
        }
    }

    /// Columns padded to their widest cell, ` │ ` between them, a rule under the header.
    fn table(&mut self, table: Table) {
        let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &table.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.iter().map(|(t, _)| width(t)).sum());
            }
        }
        let dim = self.theme.dim;
        for (r, row) in table.rows.iter().enumerate() {
            let mut pieces = Vec::new();
            for (i, &w) in widths.iter().enumerate() {
                if i > 0 {
                    pieces.push((" │ ".to_owned(), dim));
                }
                let cell = row.get(i).map(Vec::as_slice).unwrap_or_default();
                let pad = w - cell.iter().map(|(t, _)| width(t)).sum::<usize>();
                let (left, right) = match table.aligns.get(i) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                pieces.push((" ".repeat(left), self.theme.text));
                pieces.extend(cell.iter().cloned());
                if i + 1 < columns {
                    pieces.push((" ".repeat(right), self.theme.text));
                }
            }
            pieces.retain(|(t, _)| !t.is_empty());
            self.emit(pieces, "");
            if r + 1 == table.head {
                let rules: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
                self.emit(vec![(rules.join("─┼─"), dim)], "");
            }
        }
    }
}

/// The language of a fence's info string: an LSP id, a file extension, or a common alias.
fn language(lang: &str) -> Option<Language> {
    let lang = lang.to_ascii_lowercase();
    let id = match lang.as_str() {
        "golang" => "go",
        "python3" | "py3" => "python",
        other => other,
    };
    Language::from_id(id).or_else(|| Language::from_path(&format!("code.{id}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_engine::Highlight;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    fn show(markdown: &str, width: u16) -> Vec<String> {
        text(&render(markdown, width, &Theme::dark()))
    }

    /// The style of the first span whose text is `content`.
    fn style_of(lines: &[Line<'_>], content: &str) -> Option<Style> {
        lines.iter().flat_map(|l| &l.spans).find(|s| s.content == content).map(|s| s.style)
    }

    #[test]
    fn markdown_paragraphs_wrap_on_words() {
        let md = "Hello world, this is a test.\n\nSecond   para.";
        assert_eq!(show(md, 12), ["Hello world,", "this is a", "test.", "", "Second para."]);
        assert_eq!(show(md, 80), ["Hello world, this is a test.", "", "Second para."]);
    }

    #[test]
    fn markdown_long_words_are_broken_and_keep_their_style() {
        let lines = render("see **abcdefghij** ok", 4, &Theme::dark());
        assert_eq!(text(&lines), ["see", "abcd", "efgh", "ij", "ok"]);
        assert_eq!(style_of(&lines, "efgh"), Some(Theme::dark().strong));
    }

    #[test]
    fn markdown_wide_characters_count_two_columns() {
        assert_eq!(show("日本語のテキスト", 5), ["日本", "語の", "テキ", "スト"]);
        // Too wide for any line: an ellipsis stands for each.
        assert_eq!(show("日本", 1), ["…", "…"]);
    }

    #[test]
    fn markdown_headings_and_inline_styles() {
        let theme = Theme::dark();
        let md = "## The *Title*\nText with `code`, **bold**, *it* and ~~gone~~.";
        let lines = render(md, 80, &theme);
        assert_eq!(text(&lines), ["The Title", "", "Text with code, bold, it and gone."]);
        assert_eq!(style_of(&lines, "The "), Some(theme.heading));
        assert_eq!(style_of(&lines, "Title"), Some(theme.heading.patch(theme.emphasis)));
        assert_eq!(style_of(&lines, "code"), Some(theme.inline_code));
        assert_eq!(style_of(&lines, "bold"), Some(theme.strong));
        assert_eq!(style_of(&lines, "it"), Some(theme.emphasis));
        assert!(style_of(&lines, "gone").unwrap().add_modifier.contains(Modifier::CROSSED_OUT));
    }

    #[test]
    fn markdown_links_show_their_url_when_it_differs() {
        let theme = Theme::dark();
        let lines = render("[site](https://x.io) and <https://y.io>", 80, &theme);
        assert_eq!(text(&lines), ["site (https://x.io) and https://y.io"]);
        assert_eq!(style_of(&lines, "site"), Some(theme.link));
        assert_eq!(style_of(&lines, " (https://x.io)"), Some(theme.dim));
    }

    #[test]
    fn markdown_lists_nest_and_continue_under_their_text() {
        let md = "- a\n- b\n  - c\n- d\n\n3. three\n4. four\n\nafter";
        assert_eq!(show(md, 80), ["• a", "• b", "  • c", "• d", "", "3. three", "4. four", "", "after"]);
        assert_eq!(show("- a long item text", 10), ["• a long", "  item", "  text"]);
        assert_eq!(show("1. one two\n", 6), ["1. one", "   two"]);
    }

    #[test]
    fn markdown_loose_lists_keep_blank_lines_and_tasks_show_boxes() {
        assert_eq!(show("- a\n\n- b\n\n  more", 80), ["• a", "", "• b", "", "  more"]);
        assert_eq!(show("- [x] done\n- [ ] to do it", 9), ["[x] done", "[ ] to do", "    it"]);
        assert_eq!(show("-\n- b", 80), ["•", "• b"]);
    }

    #[test]
    fn markdown_quotes_and_rules() {
        let theme = Theme::dark();
        let lines = render("> quoted\n> text\n>\n> more\n\n---\n\nb", 6, &theme);
        assert_eq!(text(&lines), ["│ quot", "│ ed", "│ text", "│", "│ more", "", "──────", "", "b"]);
        assert_eq!(style_of(&lines, "│ "), Some(theme.quote));
    }

    #[test]
    fn markdown_tables_align_columns_and_are_cut() {
        let md = "| a | bb |\n|---|---:|\n| ccc | d |";
        assert_eq!(show(md, 80), ["a   │ bb", "────┼───", "ccc │  d"]);
        assert_eq!(show(md, 5), ["a   │", "────┼", "ccc │"]);
        let lines = render(md, 80, &Theme::dark());
        assert_eq!(style_of(&lines, "a"), Some(Theme::dark().strong));
    }

    #[test]
    fn markdown_code_blocks_are_highlighted() {
        let theme = Theme::dark();
        let lines = render("Look:\n\n```rust\nfn main() {}\n```\nafter", 80, &theme);
        assert_eq!(text(&lines), ["Look:", "", "rust", "  fn main() {}", "", "after"]);
        assert_eq!(style_of(&lines, "rust"), Some(theme.dim));
        assert_eq!(style_of(&lines, "fn"), Some(theme.syntax(Highlight::Keyword)));
        assert_eq!(style_of(&lines, "main"), Some(theme.syntax(Highlight::Function)));
        assert_eq!(style_of(&lines, "() {}"), Some(theme.code));
        // Aliases name languages too; unknown ones are plain code.
        let lines = render("```py\nreturn\n```", 80, &theme);
        assert_eq!(style_of(&lines, "return"), Some(theme.syntax(Highlight::Keyword)));
        let lines = render("```sh\nreturn\n```", 80, &theme);
        assert_eq!(style_of(&lines, "return"), Some(theme.code));
    }

    #[test]
    fn markdown_code_blocks_cut_mid_stream_still_render_as_code() {
        let theme = Theme::dark();
        let lines = render("Text\n\n```python\ndef f():\n\treturn 1", 80, &theme);
        assert_eq!(text(&lines), ["Text", "", "python", "  def f():", "      return 1"]);
        assert_eq!(style_of(&lines, "def"), Some(theme.syntax(Highlight::Keyword)));
        assert_eq!(show("```rust\n", 80), ["rust"]);
    }

    #[test]
    fn markdown_code_lines_are_hard_wrapped() {
        assert_eq!(show("```\nab cdefghij\n\nx\n```", 6), ["  ab c", "  defg", "  hij", "", "  x"]);
        assert_eq!(show("para\n\n    x = 1\n", 80), ["para", "", "  x = 1"]);
        assert_eq!(show("- item\n\n  ```\n  code\n  ```", 80), ["• item", "", "    code"]);
    }

    #[test]
    fn markdown_breaks_html_and_the_end() {
        assert_eq!(show("a\nb  \nc\\\nd", 80), ["a b", "c", "d"]);
        assert_eq!(show("a <b>x</b> y", 80), ["a <b>x</b> y"]);
        assert_eq!(show("<div>\nhi\n</div>\n\nz", 80), ["<div>", "hi", "</div>", "", "z"]);
        assert_eq!(show("a\n\n\n", 80), ["a"]);
        assert!(show("", 80).is_empty());
        assert!(show("```\n```", 80).is_empty());
    }

    #[test]
    fn markdown_every_prefix_fits_every_width() {
        let sample = "# Heading *with* `code`\n\nSome **bold** text, a [link](https://example.com/a/very/long/path) \
            and 日本語 wide text with ❤\u{FE0F} emoji.\nSoft break.  \nHard break.\n\n\
            - item one\n- item *two* is long enough to wrap\n  - nested `x`\n- [x] done task\n\n\
            1. first\n2. second\n\n> quote line\n> > nested quote\n\n---\n\n\
            | col | right |\n|:---|---:|\n| a | 1 |\n| wide 表 | 22 |\n\n\
            ```rust\nfn main() {\n\tlet s = \"ünï\"; // comment\n}\n```\n\n    indented code\n\n\
            Inline <span>html</span> and \u{1b}[31m escape.\n\n```py\ndef f(x):\n    return x";
        let theme = Theme::light();
        for width in [1u16, 7, 80] {
            for (i, _) in sample.char_indices().chain([(sample.len(), ' ')]) {
                let lines = render(&sample[..i], width, &theme);
                for line in &lines {
                    assert!(line.width() <= usize::from(width), "{width}: {line:?} for {:?}", &sample[..i]);
                }
                assert!(lines.last().is_none_or(|l| l.width() > 0), "trailing blank for {:?}", &sample[..i]);
            }
        }
        // The whole sample at 80 shows each construct.
        let all = show(sample, 80).join("\n");
        for part in [
            "Heading with code",
            "• item one",
            "  • nested x",
            "[x] done task",
            "2. second",
            "│ quote line",
            "│ │ nested quote",
            "a       │     1",
            "  fn main() {",
            "      let s",
            "  indented code",
            "<span>html</span>",
            "  def f(x):",
        ] {
            assert!(all.contains(part), "{part:?} in\n{all}");
        }
    }
}
