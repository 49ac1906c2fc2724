//! Completion settings: what the user can tune, with the defaults documented in the README.
//! The same keys come from the config file (`[completion]`), LSP `initializationOptions` and
//! `workspace/didChangeConfiguration` (both as `{"completion": {...}}`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// When a completion may span several lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Multiline {
    /// Decided from the cursor's position: a block after an opening line or on an empty line,
    /// the rest of the line otherwise.
    #[default]
    Auto,
    /// Always the rest of the current line only.
    Never,
    /// Always allow a block.
    Always,
}

/// How other files' code appears in a completion prompt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContextLayout {
    /// Line comments at the top of the text before the cursor: each piece's path, then its code
    /// commented out. The default: the instruct checkpoints use it best (see the README).
    #[default]
    Comments,
    /// The model's repository-level layout: each file after a separator token and its path,
    /// before the current file (what base checkpoints are trained on).
    Repository,
}

/// How readily suggestions are shown: the confidence a suggestion must clear (the geometric mean
/// of the probabilities the model gave its tokens). Chosen from measurements on the development
/// set (see the README's "Which suggestions are shown").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggressiveness {
    /// Only suggestions the model is quite sure of: fewer, more often right.
    Low,
    /// The default.
    #[default]
    Medium,
    /// Every suggestion that survives post-processing.
    High,
}

impl Aggressiveness {
    /// The least confidence a suggestion needs to be shown.
    pub const fn threshold(self) -> f32 {
        match self {
            Aggressiveness::Low => 0.8,
            Aggressiveness::Medium => 0.7,
            Aggressiveness::High => 0.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompletionSettings {
    /// Completions on or off everywhere.
    pub enabled: bool,
    /// Per-language switch by LSP language id (`{"markdown": false}`); unlisted languages are on.
    pub languages: BTreeMap<String, bool>,
    /// Wait this long after a keystroke before asking the model (a newer keystroke cancels).
    pub debounce_ms: u64,
    /// Prompt tokens for the text before the cursor.
    pub prefix_tokens: usize,
    /// Prompt tokens for the text after the cursor (evaluated again on every keystroke).
    pub suffix_tokens: usize,
    /// Context from the rest of the workspace (definitions the code at the cursor uses, code
    /// like it, recently edited code) and syntax-aware windows in the prompt; off gives plain
    /// line windows of the current file only.
    pub context: bool,
    /// At most this many of `prefix_tokens` go to that context.
    pub context_tokens: usize,
    /// How that context is laid out in the prompt.
    pub context_layout: ContextLayout,
    /// Most tokens generated per suggestion.
    pub max_tokens: usize,
    /// Tokens drafted per step from repetitions of the prompt (prompt lookup) and checked by the
    /// model in one pass: the suggestion is the same, sooner when the code repeats itself. 0
    /// turns drafting off.
    pub draft_tokens: usize,
    /// Wall-clock budget of one model call, in milliseconds.
    pub time_budget_ms: u64,
    pub multiline: Multiline,
    /// Token healing: a suggestion for a cursor inside a word (or right after other text) is
    /// made from the prompt without its last token, and must begin with that token's text, so
    /// that the model picks the whole token itself (local models).
    pub token_healing: bool,
    /// A suggestion must leave the document's syntax as valid as it was: a block is cut back to
    /// the lines that do, a line that does not is not shown.
    pub syntax_check: bool,
    /// How readily suggestions are shown (the confidence they must clear).
    pub aggressiveness: Aggressiveness,
    /// When a larger local model is installed, it answers again where the completion model has
    /// little confidence.
    pub route_up: bool,
    /// After an edit settles, propose the edits it implies elsewhere (next edits).
    pub next_edits: bool,
    /// How long a document must be left alone before its last edit is analysed for next edits,
    /// in milliseconds.
    pub next_edit_delay_ms: u64,
    /// How long `textDocument/completion` may wait for the model, in milliseconds.
    pub popup_wait_ms: u64,
}

impl Default for CompletionSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            languages: BTreeMap::new(),
            debounce_ms: 75,
            prefix_tokens: 768,
            suffix_tokens: 48,
            context: true,
            context_tokens: 256,
            context_layout: ContextLayout::Comments,
            max_tokens: 48,
            draft_tokens: crate::generation::DRAFT_TOKENS,
            time_budget_ms: 10000,
            multiline: Multiline::Auto,
            token_healing: true,
            syntax_check: true,
            aggressiveness: Aggressiveness::Medium,
            route_up: true,
            next_edits: true,
            next_edit_delay_ms: 400,
            popup_wait_ms: 300,
        }
    }
}

impl CompletionSettings {
    pub fn language_enabled(&self, language: &str) -> bool {
        self.enabled && self.languages.get(language).copied().unwrap_or(true)
    }
}
