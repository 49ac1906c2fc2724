//! How to generate (parameters) and what happened (stop reason, statistics).

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Parameters of one generation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerationParams {
    /// The most tokens to generate.
    pub max_tokens: usize,
    pub sampling: Sampling,
    /// Generation stops before the first occurrence of any of these strings.
    pub stop: Vec<String>,
    /// Wall-clock budget for the whole request (prompt evaluation and generation), checked
    /// between steps. What was generated before it ran out is returned.
    pub time_budget: Option<Duration>,
    /// Prompt tokens evaluated per forward pass, when not the runtime's default: smaller passes
    /// keep more of a prompt's work when it is interrupted (a warm-up a request stops), at some
    /// cost in speed.
    #[serde(default)]
    pub prefill_chunk: Option<usize>,
    /// Tokens drafted per step from repetitions of the prompt and the answer (prompt lookup),
    /// checked by the model in one pass with the token before them; 0 drafts nothing. The output
    /// is what the model makes without drafts: a draft is kept only where the model's own choice
    /// agrees with it.
    #[serde(default = "default_draft_tokens")]
    pub draft_tokens: usize,
    /// Token healing for a fill-in-the-middle prompt whose prefix ends inside a word: the
    /// prefix's last token is left out and the answer made to begin with its text (which is not
    /// part of the output). Local models only.
    #[serde(default)]
    pub heal: bool,
}

/// The default [`GenerationParams::draft_tokens`].
pub const DRAFT_TOKENS: usize = 6;

fn default_draft_tokens() -> usize {
    DRAFT_TOKENS
}

impl Default for GenerationParams {
    fn default() -> Self {
        Self {
            max_tokens: 128,
            sampling: Sampling::greedy(),
            stop: Vec::new(),
            time_budget: None,
            prefill_chunk: None,
            draft_tokens: DRAFT_TOKENS,
            heal: false,
        }
    }
}

/// Token selection. A temperature of 0 means greedy decoding, which ignores the other fields
/// except the repetition penalty.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    pub temperature: f32,
    /// Keep the smallest set of tokens whose probability adds up to `top_p` (1.0 disables).
    pub top_p: f32,
    /// Keep the `top_k` most likely tokens (0 disables).
    pub top_k: usize,
    /// Divide the logits of recently seen tokens by this (1.0 disables).
    pub repetition_penalty: f32,
    /// How many of the latest tokens the repetition penalty looks at.
    pub repeat_last_n: usize,
    pub seed: u64,
}

impl Sampling {
    pub fn greedy() -> Self {
        Self { temperature: 0.0, top_p: 1.0, top_k: 0, repetition_penalty: 1.0, repeat_last_n: 64, seed: 0 }
    }

    /// Defaults suited to chat answers.
    pub fn chat(seed: u64) -> Self {
        Self { temperature: 0.7, top_p: 0.8, top_k: 20, repetition_penalty: 1.05, repeat_last_n: 64, seed }
    }

    pub fn is_greedy(&self) -> bool {
        self.temperature <= 0.0
    }
}

impl Default for Sampling {
    fn default() -> Self {
        Self::greedy()
    }
}

/// Why a generation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The model produced an end-of-sequence or other stop token.
    EndOfText,
    /// A stop string was produced (it is not part of the text).
    StopString,
    /// `max_tokens` tokens were generated.
    MaxTokens,
    /// The wall-clock budget ran out.
    TimeBudget,
    /// The request was cancelled; the text is what was made before.
    Cancelled,
    /// The model's context window is full.
    ContextFull,
}

/// A generated token: where its text ends and how likely the model found it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenLogprob {
    /// The byte offset in the generated text where the token's text ends.
    pub end: usize,
    /// The natural log of the probability the model gave the token (after the repetition
    /// penalty, before temperature).
    pub logprob: f32,
}

/// The tokens that begin within the first `len` bytes of the text they made.
pub fn tokens_within(tokens: &[TokenLogprob], len: usize) -> &[TokenLogprob] {
    if len == 0 {
        return &[];
    }
    let n = tokens.iter().take_while(|t| t.end < len).count();
    &tokens[..(n + 1).min(tokens.len())]
}

/// Counts and timings of one generation.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GenerationStats {
    /// Tokens in the prompt.
    pub prompt_tokens: usize,
    /// Prompt tokens whose keys and values were reused from the previous request.
    pub reused_tokens: usize,
    /// Of `reused_tokens`, those copied back from a stored slot of the prompt cache (a prompt
    /// made earlier at this place), not kept from the previous request.
    #[serde(default)]
    pub restored_tokens: usize,
    /// Prompt tokens evaluated by this request (`prompt_tokens - reused_tokens`).
    pub evaluated_tokens: usize,
    pub generated_tokens: usize,
    /// Tokens drafted from repetitions (prompt lookup) and evaluated ahead.
    #[serde(default)]
    pub drafted_tokens: usize,
    /// Of the generated tokens, those a draft had already evaluated.
    #[serde(default)]
    pub accepted_tokens: usize,
    /// Time spent waiting in the queue before work started.
    pub queue_ms: f64,
    /// Time spent turning the prompt into tokens.
    pub tokenize_ms: f64,
    /// Time spent evaluating the prompt.
    pub prompt_ms: f64,
    /// Time spent generating, from the first sampled token to the end.
    pub generate_ms: f64,
}
