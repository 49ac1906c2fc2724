//! Colours for dark and light terminals. Only the terminal's named colours are used, so the
//! user's own palette still applies; the two themes differ in which of them stay readable on the
//! background.

use ratatui::style::{Color, Modifier, Style};
use tandem_engine::Highlight;

/// The styles the chat draws with.
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: &'static str,
    pub text: Style,
    pub dim: Style,
    pub user: Style,
    pub assistant: Style,
    pub notice: Style,
    pub warning: Style,
    pub error: Style,
    pub heading: Style,
    pub emphasis: Style,
    pub strong: Style,
    pub link: Style,
    pub inline_code: Style,
    pub code: Style,
    pub quote: Style,
    pub status: Style,
    pub border: Style,
    pub focused_border: Style,
    pub selected: Style,
    keyword: Style,
    string: Style,
    comment: Style,
    function: Style,
    type_: Style,
    number: Style,
    constant: Style,
    attribute: Style,
    operator: Style,
}

impl Theme {
    /// For dark backgrounds.
    pub fn dark() -> Self {
        let fg = |c| Style::new().fg(c);
        Self {
            name: "dark",
            text: Style::new(),
            dim: fg(Color::DarkGray),
            user: fg(Color::LightCyan).add_modifier(Modifier::BOLD),
            assistant: fg(Color::LightGreen).add_modifier(Modifier::BOLD),
            notice: fg(Color::Gray),
            warning: fg(Color::Yellow),
            error: fg(Color::LightRed),
            heading: fg(Color::LightMagenta).add_modifier(Modifier::BOLD),
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: Style::new().add_modifier(Modifier::BOLD),
            link: fg(Color::LightBlue).add_modifier(Modifier::UNDERLINED),
            inline_code: fg(Color::LightYellow),
            code: fg(Color::Gray),
            quote: fg(Color::Gray).add_modifier(Modifier::ITALIC),
            status: Style::new().fg(Color::Black).bg(Color::Gray),
            border: fg(Color::DarkGray),
            focused_border: fg(Color::Cyan),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            keyword: fg(Color::LightMagenta),
            string: fg(Color::LightGreen),
            comment: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            function: fg(Color::LightBlue),
            type_: fg(Color::LightYellow),
            number: fg(Color::LightCyan),
            constant: fg(Color::LightCyan),
            attribute: fg(Color::Yellow),
            operator: fg(Color::Gray),
        }
    }

    /// For light backgrounds: no yellow or light colours, which vanish on white.
    pub fn light() -> Self {
        let fg = |c| Style::new().fg(c);
        Self {
            name: "light",
            text: Style::new(),
            dim: fg(Color::DarkGray),
            user: fg(Color::Blue).add_modifier(Modifier::BOLD),
            assistant: fg(Color::Green).add_modifier(Modifier::BOLD),
            notice: fg(Color::DarkGray),
            warning: fg(Color::Magenta),
            error: fg(Color::Red),
            heading: fg(Color::Magenta).add_modifier(Modifier::BOLD),
            emphasis: Style::new().add_modifier(Modifier::ITALIC),
            strong: Style::new().add_modifier(Modifier::BOLD),
            link: fg(Color::Blue).add_modifier(Modifier::UNDERLINED),
            inline_code: fg(Color::Red),
            code: fg(Color::Black),
            quote: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            status: Style::new().fg(Color::White).bg(Color::DarkGray),
            border: fg(Color::Gray),
            focused_border: fg(Color::Blue),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            keyword: fg(Color::Magenta),
            string: fg(Color::Green),
            comment: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            function: fg(Color::Blue),
            type_: fg(Color::Cyan),
            number: fg(Color::Red),
            constant: fg(Color::Red),
            attribute: fg(Color::Magenta),
            operator: fg(Color::Black),
        }
    }

    /// `dark`, `light`, or `None` for a name that is neither.
    pub fn named(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "dark" => Some(Self::dark()),
            "light" => Some(Self::light()),
            _ => None,
        }
    }

    /// The style of a piece of code.
    pub fn syntax(&self, h: Highlight) -> Style {
        match h {
            Highlight::Keyword => self.keyword,
            Highlight::String => self.string,
            Highlight::Comment => self.comment,
            Highlight::Function => self.function,
            Highlight::Type => self.type_,
            Highlight::Number => self.number,
            Highlight::Constant => self.constant,
            Highlight::Attribute => self.attribute,
            Highlight::Operator => self.operator,
        }
    }
}

impl Default for Theme {
    fn default() -> Self {
        Self::dark()
    }
}
