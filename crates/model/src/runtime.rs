//! The local runtime: a loaded model, its KV cache, and the generation loop.
//!
//! The cache remembers which tokens it holds; a new prompt reuses the longest common token
//! prefix and only the rest is evaluated. Recent prompts the cache moved away from are kept in
//! stored slots ([`Slots`]), so that a prompt sharing more with one of them than with the working
//! cache starts from that slot. Stop conditions (stop tokens, stop strings, token and time
//! budgets, cancellation) are checked between tokens.

use crate::format::{FormatError, Formatter};
use crate::qwen2::{Kernels, KvCache, Qwen2, Qwen2Config, WeightsError, to_vec};
use crate::sampler::Sampler;
use crate::slots::{Slots, common_prefix};
use crate::stop::StopScan;
use crate::tokenizer::{TextTokenizer, TokenizerError, Utf8Stream};
use candle_core::quantized::gguf_file;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tandem_core::{Cancel, GenerationParams, GenerationStats, PromptFormat, StopReason, TokenLogprob};

/// Prompt tokens evaluated per forward pass: bounds the attention scores' memory.
const PREFILL_CHUNK: usize = 256;
/// A stored slot is used only when it shares this many more tokens with the prompt than the
/// working cache does: restoring costs a copy.
const SLOT_GAIN: usize = 16;
/// The working cache is stored before it discards at least this many tokens: less is a
/// keystroke's suffix and answer, not a place worth coming back to.
const STORE_MIN: usize = 128;

/// How to load a local model.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Positions the KV cache holds: the longest prompt plus answer.
    pub context: usize,
    pub kernels: Kernels,
    /// Bytes of keys and values kept for recent prompts besides the working cache; 0 keeps
    /// none.
    pub prompt_cache_bytes: usize,
}

/// The default [`LoadOptions::prompt_cache_bytes`]: several prompts' worth (about 4,000
/// positions of the 0.5B model, 1,700 of the 1.5B).
pub const DEFAULT_PROMPT_CACHE_BYTES: usize = 96 << 20;

impl Default for LoadOptions {
    fn default() -> Self {
        Self { context: 4096, kernels: Kernels::Fast, prompt_cache_bytes: DEFAULT_PROMPT_CACHE_BYTES }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot open model file {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a GGUF model file: {reason}")]
    NotGguf { path: PathBuf, reason: String },
    #[error("{path}: architecture `{arch}` is not supported (supported: qwen2)")]
    Architecture { path: PathBuf, arch: String },
    #[error("{path}: {source}")]
    Weights { path: PathBuf, source: WeightsError },
    #[error("{path}: {source}")]
    Tokenizer { path: PathBuf, source: TokenizerError },
    #[error("{path}: {source}")]
    Format { path: PathBuf, source: FormatError },
    #[error("{path}: {source}")]
    Cache { path: PathBuf, source: candle_core::Error },
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error("the prompt is empty")]
    EmptyPrompt,
    #[error("the prompt has {tokens} tokens; the model's context holds {limit}")]
    PromptTooLong { tokens: usize, limit: usize },
    #[error("model computation failed: {0}")]
    Compute(#[from] candle_core::Error),
}

/// The end of one generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Finished {
    pub text: String,
    pub stop: StopReason,
    pub stats: GenerationStats,
    /// Each generated token's end in `text` and its log-probability, when the backend knows
    /// them (a token cut by a stop string may end past the text).
    pub tokens: Vec<TokenLogprob>,
}

/// Result of bringing the cache to a prompt.
#[derive(Debug)]
pub struct Prefill {
    /// Logits after the prompt's last token; `None` when cancelled or out of time first.
    pub logits: Option<Vec<f32>>,
    pub reused: usize,
    /// Of `reused`, the tokens copied back from a stored slot (0 when the working cache had
    /// them).
    pub restored: usize,
    pub evaluated: usize,
}

/// A loaded model with its cache. Owned by one thread at a time (see `LocalBackend`).
#[derive(Debug)]
pub struct Runtime {
    model: Qwen2,
    cache: KvCache,
    /// The tokens whose keys and values `cache` holds, in order.
    cached: Vec<u32>,
    /// Recent prompts the working cache moved away from.
    slots: Slots,
    tokenizer: Arc<TextTokenizer>,
    formatter: Arc<Formatter>,
}

impl Runtime {
    /// Loads a GGUF file: maps it, reads the header, builds the weights and the tokenizer.
    pub fn load(path: &Path, format: PromptFormat, opts: &LoadOptions) -> Result<Self, LoadError> {
        let open_err = |source| LoadError::Open { path: path.to_owned(), source };
        let file = std::fs::File::open(path).map_err(open_err)?;
        // SAFETY: the map is read-only and dropped at the end of this function, after the weights
        // were copied out of it. A file truncated by someone else meanwhile could fault; model
        // files are written once and renamed into place, never modified.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(open_err)?;
        let not_gguf =
            |e: candle_core::Error| LoadError::NotGguf { path: path.to_owned(), reason: first_line(&e) };
        let ct = gguf_file::Content::read(&mut std::io::Cursor::new(&map[..])).map_err(not_gguf)?;
        let arch = ct
            .metadata
            .get("general.architecture")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_default();
        if arch != "qwen2" {
            return Err(LoadError::Architecture { path: path.to_owned(), arch });
        }
        let model = Qwen2::load(&ct, &map, opts.kernels)
            .map_err(|source| LoadError::Weights { path: path.to_owned(), source })?;
        let tokenizer = TextTokenizer::from_gguf(&ct)
            .map_err(|source| LoadError::Tokenizer { path: path.to_owned(), source })?;
        let formatter = Formatter::new(format, &tokenizer)
            .map_err(|source| LoadError::Format { path: path.to_owned(), source })?;
        let cache = KvCache::new(model.config(), opts.context)
            .map_err(|source| LoadError::Cache { path: path.to_owned(), source })?;
        Ok(Self {
            model,
            cache,
            cached: Vec::new(),
            slots: Slots::new(opts.prompt_cache_bytes),
            tokenizer: Arc::new(tokenizer),
            formatter: Arc::new(formatter),
        })
    }

    pub fn config(&self) -> &Qwen2Config {
        self.model.config()
    }

    pub fn tokenizer(&self) -> &Arc<TextTokenizer> {
        &self.tokenizer
    }

    pub fn formatter(&self) -> &Arc<Formatter> {
        &self.formatter
    }

    /// Positions the cache holds.
    pub fn context(&self) -> usize {
        self.cache.capacity()
    }

    /// Forgets the cached prefix and the stored slots; the next prompt is evaluated in full.
    pub fn clear_cache(&mut self) {
        self.cache.truncate(0);
        self.cached.clear();
        self.slots.clear();
    }

    /// Stored slots, and the bytes they hold.
    pub fn slots(&self) -> (usize, usize) {
        (self.slots.count(), self.slots.bytes())
    }

    /// Brings the working cache to the longest prefix of `tokens` it or a stored slot holds
    /// (storing what it discards when that is a long run), and returns that length and how
    /// much of it came from a slot.
    fn reuse(&mut self, tokens: &[u32]) -> Result<(usize, usize), RunError> {
        let common = common_prefix(&self.cached, tokens);
        let better = |slots: &Slots| slots.best(tokens).filter(|&(_, n)| n >= common + SLOT_GAIN);
        // Whether the working cache is cut at `keep` or replaced by a slot, it keeps only what it
        // shares with the new prompt.
        if self.cached.len() >= common + STORE_MIN {
            self.slots.store(&self.cache, &self.cached)?;
        }
        // The last prompt token is always evaluated: its logits are the next token's. (Storing
        // may have evicted or moved slots: ask again.)
        let last = tokens.len() - 1;
        match better(&self.slots) {
            Some((i, n)) if n.min(last) > common => {
                self.cached = self.slots.restore(i, n.min(last), &mut self.cache)?.to_vec();
                Ok((self.cached.len(), self.cached.len()))
            }
            _ => {
                let reused = common.min(last);
                self.cache.truncate(reused);
                self.cached.truncate(reused);
                Ok((reused, 0))
            }
        }
    }

    /// Brings the cache to exactly `tokens`, reusing the longest prefix it already holds, and
    /// returns the logits after the last token. Checks `cancel` and `deadline` between chunks;
    /// what was evaluated stays cached either way.
    pub fn prefill(
        &mut self,
        tokens: &[u32],
        cancel: &Cancel,
        deadline: Option<Instant>,
    ) -> Result<Prefill, RunError> {
        self.prefill_in(tokens, PREFILL_CHUNK, cancel, deadline)
    }

    /// As [`prefill`](Self::prefill), `chunk` tokens per forward pass.
    pub fn prefill_in(
        &mut self,
        tokens: &[u32],
        chunk: usize,
        cancel: &Cancel,
        deadline: Option<Instant>,
    ) -> Result<Prefill, RunError> {
        if tokens.is_empty() {
            return Err(RunError::EmptyPrompt);
        }
        if tokens.len() > self.cache.capacity() {
            return Err(RunError::PromptTooLong { tokens: tokens.len(), limit: self.cache.capacity() });
        }
        let (reused, restored) = self.reuse(tokens)?;
        let stop = || cancel.is_cancelled() || deadline.is_some_and(|d| Instant::now() >= d);
        let mut logits = None;
        for chunk in tokens[reused..].chunks(chunk.clamp(1, PREFILL_CHUNK)) {
            // Asked between layers too: a request that supersedes this one waits for at most a
            // layer of a chunk, not a whole chunk.
            match self.forward_until(chunk, &stop)? {
                Some(out) => logits = Some(out),
                None => {
                    let evaluated = self.cached.len() - reused;
                    return Ok(Prefill { logits: None, reused, restored, evaluated });
                }
            }
        }
        Ok(Prefill { logits, reused, restored, evaluated: tokens.len() - reused })
    }

    /// Evaluates `tokens` after what the cache holds; logits after the last one.
    pub fn forward(&mut self, tokens: &[u32]) -> Result<Vec<f32>, RunError> {
        self.forward_until(tokens, &|| false)?
            .ok_or_else(|| RunError::Compute(candle_core::Error::Msg("a forward pass stopped".into())))
    }

    /// As [`forward`](Self::forward), asking `interrupt` between layers; `None` when it stopped
    /// the pass (the cache then holds what it held before).
    fn forward_until(
        &mut self,
        tokens: &[u32],
        interrupt: &dyn Fn() -> bool,
    ) -> Result<Option<Vec<f32>>, RunError> {
        self.pass(tokens, false, interrupt)?.map(|l| Ok(to_vec(&l)?)).transpose()
    }

    /// Evaluates `tokens` after what the cache holds; the logits after each of them.
    fn forward_rows(&mut self, tokens: &[u32]) -> Result<Vec<Vec<f32>>, RunError> {
        let logits = self.pass(tokens, true, &|| false)?;
        let logits = logits
            .ok_or_else(|| RunError::Compute(candle_core::Error::Msg("a forward pass stopped".into())))?;
        Ok(logits.to_vec2::<f32>()?)
    }

    /// One forward pass over `tokens` (checked against the vocabulary), keeping `cached` in
    /// step with the cache: the tokens are added when the pass completes, and whatever a stopped
    /// or failed pass wrote is forgotten.
    fn pass(
        &mut self,
        tokens: &[u32],
        all_logits: bool,
        interrupt: &dyn Fn() -> bool,
    ) -> Result<Option<candle_core::Tensor>, RunError> {
        let vocab = self.model.config().vocab;
        if let Some(&bad) = tokens.iter().find(|&&t| t as usize >= vocab) {
            return Err(RunError::Compute(candle_core::Error::Msg(format!(
                "token id {bad} is outside the vocabulary"
            ))));
        }
        let result = self.model.forward_until(tokens, &mut self.cache, all_logits, interrupt);
        if let Ok(Some(_)) = result {
            self.cached.extend_from_slice(tokens);
        } else {
            self.cache.truncate(self.cached.len());
        }
        Ok(result?)
    }

    /// Perplexity of the model on `tokens` (each predicted from those before it), evaluated in
    /// prefill-sized chunks from an empty cache. The cache is left cleared.
    pub fn perplexity(&mut self, tokens: &[u32]) -> Result<f64, RunError> {
        if tokens.len() < 2 {
            return Err(RunError::EmptyPrompt);
        }
        if tokens.len() > self.cache.capacity() {
            return Err(RunError::PromptTooLong { tokens: tokens.len(), limit: self.cache.capacity() });
        }
        self.clear_cache();
        let mut nll = 0f64;
        let mut pos = 0;
        for chunk in tokens.chunks(PREFILL_CHUNK) {
            let logits = self.model.forward_logits(chunk, &mut self.cache, true)?;
            let rows: Vec<Vec<f32>> = logits.to_vec2()?;
            for (i, row) in rows.iter().enumerate() {
                let Some(&next) = tokens.get(pos + i + 1) else { break };
                let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let sum: f64 = row.iter().map(|&l| ((l - max) as f64).exp()).sum();
                nll -= (row[next as usize] - max) as f64 - sum.ln();
            }
            pos += chunk.len();
        }
        self.clear_cache();
        Ok((nll / (tokens.len() - 1) as f64).exp())
    }

    /// Generates from a token prompt, calling `on_text` with each piece of text as soon as it
    /// is certain (whole characters, never part of a stop string).
    pub fn generate(
        &mut self,
        prompt: &[u32],
        params: &GenerationParams,
        cancel: &Cancel,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Finished, RunError> {
        self.generate_after(prompt, &[], params, cancel, on_text)
    }

    /// [`Runtime::generate`], for an answer that must begin with the bytes `healed` (the text of
    /// the prompt's last token, left out: see `Formatter::render_healed`). Until the answer
    /// holds them, only tokens that agree with them may be chosen, and their probabilities are
    /// taken among those tokens; they are not part of the text.
    pub fn generate_after(
        &mut self,
        prompt: &[u32],
        healed: &[u8],
        params: &GenerationParams,
        cancel: &Cancel,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Finished, RunError> {
        let started = Instant::now();
        let deadline = params.time_budget.map(|b| started + b);
        let chunk = params.prefill_chunk.unwrap_or(PREFILL_CHUNK);
        let pre = self.prefill_in(prompt, chunk, cancel, deadline)?;
        let mut stats = GenerationStats {
            prompt_tokens: prompt.len(),
            reused_tokens: pre.reused,
            restored_tokens: pre.restored,
            evaluated_tokens: pre.evaluated,
            prompt_ms: ms(started.elapsed()),
            ..GenerationStats::default()
        };
        let Some(mut logits) = pre.logits else {
            let stop = if cancel.is_cancelled() { StopReason::Cancelled } else { StopReason::TimeBudget };
            return Ok(Finished { text: String::new(), stop, stats, tokens: Vec::new() });
        };
        let gen_start = Instant::now();
        let mut sampler = Sampler::new(params.sampling.clone());
        let mut history = prompt.to_vec();
        let mut utf8 = Utf8Stream::default();
        let mut text = StopScan::new(&params.stop);
        // Drafted tokens already evaluated after the last one, each with the logits after it.
        let mut drafted: VecDeque<(u32, Vec<f32>)> = VecDeque::new();
        let mut tokens: Vec<TokenLogprob> = Vec::new();
        let mut end = 0;
        // What of `healed` the answer has yet to write.
        let mut owed = healed;
        let stop = loop {
            if stats.generated_tokens >= params.max_tokens {
                break StopReason::MaxTokens;
            }
            if !owed.is_empty() {
                self.tokenizer.keep_agreeing(&mut logits, owed);
            }
            let id = sampler.sample(&mut logits, &history);
            let logprob = log_probability(&logits, id);
            // The model's own choice decides; a draft only saves evaluating it when it agrees.
            let next = match drafted.pop_front() {
                Some((draft, after)) if draft == id => {
                    stats.accepted_tokens += 1;
                    Some(after)
                }
                Some(_) => {
                    // This draft and those after it are not the answer: forget their keys.
                    let keep = self.cached.len() - drafted.len() - 1;
                    drafted.clear();
                    self.cache.truncate(keep);
                    self.cached.truncate(keep);
                    None
                }
                None => None,
            };
            if self.formatter.stop_ids().contains(&id) {
                break StopReason::EndOfText;
            }
            stats.generated_tokens += 1;
            history.push(id);
            let mut bytes = self.tokenizer.token_bytes(id);
            let paid = owed.len().min(bytes.len());
            (owed, bytes) = (&owed[paid..], &bytes[paid..]);
            end += bytes.len();
            tokens.push(TokenLogprob { end, logprob });
            let piece = utf8.push(bytes);
            if text.push(&piece, on_text) {
                break StopReason::StopString;
            }
            if stats.generated_tokens >= params.max_tokens {
                break StopReason::MaxTokens;
            }
            if cancel.is_cancelled() {
                break StopReason::Cancelled;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break StopReason::TimeBudget;
            }
            if self.cache.len() >= self.cache.capacity() {
                break StopReason::ContextFull;
            }
            if let Some(after) = next {
                logits = after;
                continue;
            }
            // Draft what follows from the prompt and the answer so far, when they repeat the
            // last tokens somewhere, and evaluate it with this token in one pass.
            let room = (self.cache.capacity() - self.cache.len() - 1)
                .min(params.max_tokens - stats.generated_tokens - 1)
                .min(params.draft_tokens);
            let draft = lookup_draft(&history, room);
            if draft.is_empty() {
                logits = self.forward(&[id])?;
                continue;
            }
            stats.drafted_tokens += draft.len();
            let mut rows = self.forward_rows(&[&[id], &draft[..]].concat())?.into_iter();
            logits = rows.next().unwrap_or_default();
            drafted.extend(draft.into_iter().zip(rows));
        };
        if stop != StopReason::StopString {
            let rest = utf8.finish();
            if !text.push(&rest, on_text) {
                text.flush(on_text);
            }
        }
        stats.generate_ms = ms(gen_start.elapsed());
        let stop = if stop == StopReason::StopString || text.stopped { StopReason::StopString } else { stop };
        Ok(Finished { text: text.into_text(), stop, stats, tokens })
    }
}

/// Logits this far below the largest are left out of the softmax's sum: each adds less than
/// e^-20 of the largest's share, all of a 152k vocabulary less than 0.04% (a log-probability off
/// by less than 0.0004), and skipping them spares an `exp` for almost every token.
const NEGLIGIBLE_LOGIT: f32 = 20.0;

/// The natural log of the probability `logits` give token `id`.
fn log_probability(logits: &[f32], id: u32) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let floor = max - NEGLIGIBLE_LOGIT;
    let sum: f32 = logits.iter().filter(|&&l| l > floor).map(|l| (l - max).exp()).sum();
    logits.get(id as usize).map_or(f32::NEG_INFINITY, |l| l - max - sum.ln())
}

/// The longest run of tokens the last ones are repeating, drafted from the prompt and the answer
/// so far (prompt lookup): after the latest earlier place where the last `n` tokens (3, else 2)
/// occur, up to `max` of the tokens that followed them there.
pub fn lookup_draft(history: &[u32], max: usize) -> Vec<u32> {
    if max == 0 {
        return Vec::new();
    }
    for n in [3, 2] {
        let Some(tail) = history.len().checked_sub(n).map(|at| &history[at..]) else { continue };
        // Latest first: the nearest repetition is the likeliest to go on.
        let found = (0..history.len() - n).rev().find(|&i| &history[i..i + n] == tail);
        if let Some(i) = found {
            let from = i + n;
            return history[from..(from + max).min(history.len())].to_vec();
        }
    }
    Vec::new()
}

/// The message of an error without what follows it (candle appends backtraces when asked to).
fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_owned()
}

pub(crate) fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
