//! What the engine did: counts, and timings of recent requests per stage.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The rest of the suggestion the user is typing through.
    Reuse,
    Cache,
    Model,
    /// A next edit proposed on the cursor's line.
    NextEdit,
}

/// What became of a suggestion once it was shown, as the editor reports it (or typing says).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// On screen (the server counts every suggestion it answers with as shown).
    Shown,
    /// Taken, by an accept key or by typing it out.
    Accepted,
    /// Dismissed, or left behind by typing something else or moving away.
    Dismissed,
}

/// One request's timings (milliseconds) and token counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RequestRecord {
    /// The suggestion's id (0: no suggestion was made).
    pub id: u64,
    pub source: Option<Source>,
    /// The model's confidence in the suggestion (the geometric mean of its tokens'
    /// probabilities), when the model reports them.
    pub confidence: Option<f32>,
    /// The suggestion fell short of the confidence its aggressiveness needs: not shown.
    pub hidden: bool,
    /// What became of the suggestion, as far as is known.
    pub outcome: Option<Outcome>,
    /// The model whose answer it is.
    pub model: Option<String>,
    /// The completion model's answer had little confidence (or was empty), so the larger model
    /// answered again, taking this long.
    pub routed_up: bool,
    pub routed_ms: f64,
    pub cancelled: bool,
    pub empty: bool,
    pub debounce_ms: f64,
    pub context_ms: f64,
    /// Tokens and files of workspace context in the prompt.
    pub context_tokens: usize,
    pub context_files: usize,
    pub queue_ms: f64,
    pub prompt_ms: f64,
    pub prompt_tokens: usize,
    pub evaluated_tokens: usize,
    pub reused_tokens: usize,
    /// Of `reused_tokens`, those restored from a stored slot of the prompt cache.
    pub restored_tokens: usize,
    pub generate_ms: f64,
    pub generated_tokens: usize,
    /// Tokens drafted from repetitions and evaluated ahead, and how many of them were the answer.
    pub drafted_tokens: usize,
    pub accepted_tokens: usize,
    pub postprocess_ms: f64,
    pub total_ms: f64,
}

impl RequestRecord {
    /// Takes the counts and timings of the completion model's generation.
    pub fn take(&mut self, s: &tandem_core::GenerationStats) {
        self.queue_ms = s.queue_ms;
        self.prompt_ms = s.prompt_ms;
        self.prompt_tokens = s.prompt_tokens;
        self.evaluated_tokens = s.evaluated_tokens;
        self.reused_tokens = s.reused_tokens;
        self.restored_tokens = s.restored_tokens;
        self.generate_ms = s.generate_ms;
        self.generated_tokens = s.generated_tokens;
        self.drafted_tokens = s.drafted_tokens;
        self.accepted_tokens = s.accepted_tokens;
    }
}

/// Counts since start, and the most recent requests.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Metrics {
    pub requests: u64,
    pub reuse_hits: u64,
    pub cache_hits: u64,
    pub model_calls: u64,
    pub cancelled: u64,
    pub empty: u64,
    pub errors: u64,
    /// Model calls and warm-ups whose prompt started from a stored slot of the prompt cache.
    pub slot_hits: u64,
    /// Prompts evaluated ahead of a request, where the cursor came to rest or an edit landed.
    pub warmups: u64,
    /// Answers the larger model gave again.
    pub routed_up: u64,
    /// Suggestions answered with, hidden for want of confidence, and taken or dismissed.
    pub shown: u64,
    pub hidden: u64,
    pub accepted: u64,
    pub dismissed: u64,
    /// Next edits proposed, and accepted (applied or reported) or dismissed.
    pub next_proposed: u64,
    pub next_accepted: u64,
    pub next_dismissed: u64,
    pub recent: VecDeque<RequestRecord>,
}

/// A summary for `tandem/metrics` and `tandem stats`.
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    #[serde(flatten)]
    pub metrics: Metrics,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub mean_evaluated_tokens: Option<f64>,
}

const RECENT: usize = 200;

impl Metrics {
    pub fn record(&mut self, r: RequestRecord) {
        self.requests += 1;
        match r.source {
            Some(Source::Reuse) => self.reuse_hits += 1,
            Some(Source::Cache) => self.cache_hits += 1,
            Some(Source::Model) => {
                self.model_calls += 1;
                self.slot_hits += u64::from(r.restored_tokens > 0);
            }
            Some(Source::NextEdit) | None => {}
        }
        self.cancelled += r.cancelled as u64;
        self.empty += r.empty as u64;
        self.hidden += r.hidden as u64;
        self.routed_up += r.routed_up as u64;
        self.shown += u64::from(r.outcome == Some(Outcome::Shown));
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(r);
    }

    /// Records what became of suggestion `id`: an acceptance is final, a dismissal may turn
    /// into one (the user typed it out after all). Answers whether `id` is a recent suggestion.
    pub fn outcome(&mut self, id: u64, outcome: Outcome) -> bool {
        let Some(r) =
            self.recent.iter_mut().rev().find(|r| r.id == id && id != 0 && r.source != Some(Source::Reuse))
        else {
            return false;
        };
        match (r.outcome, outcome) {
            (Some(Outcome::Accepted), _) | (_, Outcome::Shown) => {}
            (Some(Outcome::Dismissed), Outcome::Dismissed) => {}
            (before, after) => {
                if before == Some(Outcome::Dismissed) {
                    self.dismissed -= 1;
                }
                match after {
                    Outcome::Accepted => self.accepted += 1,
                    _ => self.dismissed += 1,
                }
                r.outcome = Some(after);
            }
        }
        true
    }

    pub fn snapshot(&self) -> Snapshot {
        let mut done: Vec<f64> = self.recent.iter().filter(|r| !r.cancelled).map(|r| r.total_ms).collect();
        done.sort_by(f64::total_cmp);
        let pct = |p: f64| (!done.is_empty()).then(|| done[((done.len() - 1) as f64 * p).round() as usize]);
        let model: Vec<_> = self.recent.iter().filter(|r| r.source == Some(Source::Model)).collect();
        let mean_eval = (!model.is_empty())
            .then(|| model.iter().map(|r| r.evaluated_tokens as f64).sum::<f64>() / model.len() as f64);
        Snapshot {
            metrics: self.clone(),
            latency_p50_ms: pct(0.5),
            latency_p95_ms: pct(0.95),
            mean_evaluated_tokens: mean_eval,
        }
    }
}
