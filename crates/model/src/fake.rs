//! A stand-in backend for tests of the layers above: answers from a function of the prompt,
//! streamed a few characters at a time with a delay between pieces, honouring stop strings,
//! the token budget (one token per piece) and cancellation like a real backend. Each piece is
//! a token with the log-probability the test sets (certain, by default).

use crate::backend::{Backend, BackendInfo, BackendKind, Event, GenerateRequest, Generation};
use crate::runtime::Finished;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tandem_core::{GenerationStats, Prompt, StopReason, TokenLogprob};

type Reply = dyn Fn(&Prompt) -> String + Send + Sync;

/// A scripted backend. Clones share their call log.
#[derive(Clone)]
pub struct FakeBackend {
    reply: Arc<Reply>,
    piece_delay: Duration,
    logprob: f32,
    calls: Arc<AtomicUsize>,
    cancelled: Arc<AtomicUsize>,
    prompts: Arc<Mutex<Vec<Prompt>>>,
}

impl std::fmt::Debug for FakeBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeBackend").field("calls", &self.calls()).finish()
    }
}

impl FakeBackend {
    pub fn new(reply: impl Fn(&Prompt) -> String + Send + Sync + 'static) -> Self {
        Self {
            reply: Arc::new(reply),
            piece_delay: Duration::ZERO,
            logprob: 0.0,
            calls: Arc::default(),
            cancelled: Arc::default(),
            prompts: Arc::default(),
        }
    }

    /// Waits this long before each piece (two characters) of the answer.
    pub fn with_piece_delay(mut self, delay: Duration) -> Self {
        self.piece_delay = delay;
        self
    }

    /// Reports each token as having had probability `p`.
    pub fn with_token_probability(mut self, p: f32) -> Self {
        self.logprob = p.ln();
        self
    }

    /// Generations started so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Generations that stopped because they were cancelled.
    pub fn cancelled(&self) -> usize {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// The prompts received, in order.
    pub fn prompts(&self) -> Vec<Prompt> {
        self.prompts.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Backend for FakeBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo { kind: BackendKind::Local, model: "fake".into() }
    }

    fn generate(&self, request: GenerateRequest) -> Generation {
        let (events, generation) = Generation::new(request.cancel.clone());
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.prompts.lock().unwrap_or_else(|e| e.into_inner()).push(request.prompt.clone());
        let mut answer = (self.reply)(&request.prompt);
        let mut stop = StopReason::EndOfText;
        if let Some(at) = request.params.stop.iter().filter_map(|s| answer.find(s.as_str())).min() {
            answer.truncate(at);
            stop = StopReason::StopString;
        }
        let delay = self.piece_delay;
        let logprob = self.logprob;
        let cancelled = self.cancelled.clone();
        std::thread::spawn(move || {
            let chars: Vec<char> = answer.chars().collect();
            let mut text = String::new();
            let mut stats = GenerationStats::default();
            let mut tokens = Vec::new();
            for piece in chars.chunks(2) {
                if stats.generated_tokens == request.params.max_tokens {
                    stop = StopReason::MaxTokens;
                    break;
                }
                std::thread::sleep(delay);
                if request.cancel.is_cancelled() {
                    stop = StopReason::Cancelled;
                    cancelled.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                let piece: String = piece.iter().collect();
                text.push_str(&piece);
                tokens.push(TokenLogprob { end: text.len(), logprob });
                stats.generated_tokens += 1;
                let _ = events.send(Event::Text(piece));
            }
            let _ = events.send(Event::Done(Ok(Finished { text, stop, stats, tokens })));
        });
        generation
    }

    fn count_tokens(&self, text: &str) -> Option<usize> {
        Some(text.chars().count().div_ceil(4))
    }
}
