//! The remote backend: any OpenAI-compatible endpoint, streamed.
//!
//! Chat prompts go to `/chat/completions`, fill-in-the-middle and plain-text prompts to
//! `/completions` (for a completion model served by vLLM or llama.cpp). Each generation runs on
//! its own thread: a reader thread does the blocking HTTP and parses the event stream, and the
//! generation's thread enforces the deadlines (connect, first token, idle between tokens, total),
//! watches the cancel flag, and retries with backoff — only before the first token, so text the
//! caller has seen is never repeated. The API key is sent in one header and appears nowhere else:
//! server messages that echo it are scrubbed.

use crate::backend::{Backend, BackendError, BackendInfo, BackendKind, Event, GenerateRequest, Generation};
use crate::runtime::Finished;
use crate::sse;
use crate::stop::StopScan;
use serde_json::{Value, json};
use std::io::BufRead;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tandem_core::{GenerationStats, Prompt, RemoteSettings, Secret, StopReason};
use tokio::sync::mpsc::UnboundedSender;

/// Why a remote request failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    #[error("bad remote configuration: {0}")]
    Config(String),
    #[error("cannot reach the remote model: {0}")]
    Unreachable(String),
    #[error("no first token from the remote model within {0} ms")]
    FirstTokenTimeout(u64),
    #[error("the remote stream stalled (nothing for {0} ms)")]
    Stalled(u64),
    #[error("the remote request took longer than {0} ms")]
    TotalTimeout(u64),
    #[error("the remote model is rate limited (HTTP 429{})", retry_after_note(*.retry_after_s))]
    RateLimited { retry_after_s: Option<u64> },
    #[error("the remote model answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the remote model's answer is malformed: {0}")]
    Malformed(String),
    #[error("the remote model reported an error: {0}")]
    Stream(String),
    #[error("the connection to the remote model closed mid-answer")]
    Disconnected,
}

fn retry_after_note(s: Option<u64>) -> String {
    s.map(|s| format!(", retry after {s} s")).unwrap_or_default()
}

/// What a remote failure says about the endpoint: the one classification behind both retrying a
/// request (before its first token) and marking the remote side down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outlook {
    /// The request itself is at fault (the configuration, a refused key, a bad request, an answer
    /// we cannot read): neither retried nor held against the endpoint.
    Refused,
    /// A momentary hiccup (HTTP 408): worth another attempt, not a sign of an outage.
    Momentary,
    /// The endpoint is unreachable, overloaded or failing (no connection, no first token, a
    /// stalled or cut stream, a rate limit, a server error): retried, and the side is marked down.
    Outage,
    /// The endpoint failed in a way another attempt within the same request would not mend (the
    /// total deadline is spent, it reported an error mid-stream): not retried, the side is
    /// marked down.
    Failing,
}

impl RemoteError {
    /// The classification of this failure (see [`Outlook`]).
    pub fn outlook(&self) -> Outlook {
        match self {
            RemoteError::Config(_) | RemoteError::Malformed(_) => Outlook::Refused,
            RemoteError::Status { status, .. } if *status >= 500 => Outlook::Outage,
            RemoteError::Status { status: 408, .. } => Outlook::Momentary,
            RemoteError::Status { .. } => Outlook::Refused,
            RemoteError::Unreachable(_)
            | RemoteError::FirstTokenTimeout(_)
            | RemoteError::Stalled(_)
            | RemoteError::RateLimited { .. }
            | RemoteError::Disconnected => Outlook::Outage,
            RemoteError::TotalTimeout(_) | RemoteError::Stream(_) => Outlook::Failing,
        }
    }

    /// Worth another attempt (before the first token): the network, the server's load, a
    /// server error. Not a refused key or a bad request.
    pub fn retryable(&self) -> bool {
        matches!(self.outlook(), Outlook::Momentary | Outlook::Outage)
    }

    /// Likely to repeat for a while: the remote side should be skipped until it recovers.
    pub fn is_lasting(&self) -> bool {
        matches!(self.outlook(), Outlook::Outage | Outlook::Failing)
    }

    /// How long the server asked to be left alone (`Retry-After` on a 429), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            RemoteError::RateLimited { retry_after_s: Some(s) } => Some(Duration::from_secs(*s)),
            _ => None,
        }
    }
}

/// A model behind an OpenAI-compatible HTTP endpoint.
#[derive(Clone)]
pub struct RemoteBackend {
    settings: RemoteSettings,
    base: String,
    api_key: Option<Secret>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for RemoteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteBackend")
            .field("url", &self.base)
            .field("model", &self.settings.model)
            .field("api_key", &self.api_key)
            .finish()
    }
}

impl RemoteBackend {
    /// A backend for `settings`, sending `api_key` (if any) as a bearer token.
    pub fn new(settings: RemoteSettings, api_key: Option<Secret>) -> Result<Self, RemoteError> {
        let base = settings.url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(RemoteError::Config(format!(
                "url must start with http:// or https://, got `{base}`"
            )));
        }
        if settings.model.trim().is_empty() {
            return Err(RemoteError::Config("no model name".into()));
        }
        for (name, value) in &settings.headers {
            let ok_name =
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
            if !ok_name || value.bytes().any(|b| b == b'\r' || b == b'\n') {
                return Err(RemoteError::Config(format!("header `{name}` is not a valid HTTP header")));
            }
        }
        let ms = Duration::from_millis;
        let read_backstop = settings.idle_timeout_ms.max(settings.first_token_timeout_ms) + 1000;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(ms(settings.connect_timeout_ms)))
            .timeout_recv_response(Some(ms(settings.first_token_timeout_ms)))
            .timeout_per_read(Some(ms(read_backstop)))
            .timeout_global(Some(ms(settings.total_timeout_ms + 1000)))
            .user_agent(concat!("tandem/", env!("CARGO_PKG_VERSION")))
            .build();
        Ok(Self { settings, base, api_key, agent: config.new_agent() })
    }

    /// Whether the endpoint answers at all (`GET /models`): any answer below 500 counts, so a
    /// server without that route still passes. Bounded by twice the connect timeout, so a server
    /// that accepts and then hangs fails the check quickly.
    pub fn check(&self) -> Result<(), RemoteError> {
        let limit = Duration::from_millis(self.settings.connect_timeout_ms.max(500) * 2);
        let mut req =
            self.agent.get(format!("{}/models", self.base)).config().timeout_global(Some(limit)).build();
        req = self.with_headers(req);
        match req.call() {
            Ok(r) if r.status().as_u16() < 500 => Ok(()),
            Ok(r) => Err(RemoteError::Status { status: r.status().as_u16(), message: "health check".into() }),
            Err(e) => Err(self.transport_error(e)),
        }
    }

    fn with_headers<B>(&self, mut req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        for (k, v) in &self.settings.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if let Some(key) = &self.api_key {
            req = req.header("Authorization", format!("Bearer {}", key.expose()));
        }
        req
    }

    /// Removes the key from a message a server (or a library) wrote.
    fn scrub(&self, message: &str) -> String {
        let mut m: String = message.chars().take(300).collect();
        if let Some(key) = self.api_key.as_ref().map(Secret::expose).filter(|k| k.len() >= 4) {
            m = m.replace(key, "[redacted]");
        }
        m
    }

    fn transport_error(&self, e: ureq::Error) -> RemoteError {
        match e {
            ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
                RemoteError::Unreachable(format!(
                    "no connection within {} ms",
                    self.settings.connect_timeout_ms
                ))
            }
            ureq::Error::Timeout(ureq::Timeout::RecvResponse) => {
                RemoteError::FirstTokenTimeout(self.settings.first_token_timeout_ms)
            }
            ureq::Error::Timeout(ureq::Timeout::Global | ureq::Timeout::PerCall) => {
                RemoteError::TotalTimeout(self.settings.total_timeout_ms)
            }
            ureq::Error::Timeout(_) => RemoteError::Stalled(self.settings.idle_timeout_ms),
            ureq::Error::BadUri(u) => RemoteError::Config(format!("bad url: {}", self.scrub(&u))),
            other => RemoteError::Unreachable(self.scrub(&other.to_string())),
        }
    }

    /// The endpoint and JSON body for a prompt.
    fn body(&self, request: &GenerateRequest) -> (String, Value) {
        let p = &request.params;
        let max_tokens = p.max_tokens.min(self.settings.max_tokens.max(1));
        let stop: Vec<&String> = p.stop.iter().take(4).collect();
        let mut body = match &request.prompt {
            Prompt::Chat { messages } => {
                let messages: Vec<Value> =
                    messages.iter().map(|m| json!({"role": m.role.as_str(), "content": m.content})).collect();
                json!({"messages": messages, "temperature": self.settings.temperature})
            }
            Prompt::Fim(fim) => {
                let template = &self.settings.fim.template;
                if template.is_empty() {
                    json!({"prompt": fim.prefix, "suffix": fim.suffix, "temperature": p.sampling.temperature})
                } else {
                    let prompt = fill(template, &fim.prefix, &fim.suffix);
                    json!({"prompt": prompt, "temperature": p.sampling.temperature})
                }
            }
            Prompt::Text { text } => json!({"prompt": text, "temperature": p.sampling.temperature}),
        };
        let endpoint =
            if matches!(request.prompt, Prompt::Chat { .. }) { "chat/completions" } else { "completions" };
        if let Some(o) = body.as_object_mut() {
            o.insert("model".into(), json!(self.settings.model));
            o.insert("stream".into(), json!(true));
            o.insert("stream_options".into(), json!({"include_usage": true}));
            o.insert("max_tokens".into(), json!(max_tokens));
            if !stop.is_empty() {
                o.insert("stop".into(), json!(stop));
            }
        }
        (format!("{}/{endpoint}", self.base), body)
    }
}

/// `template` with `{prefix}` and `{suffix}` filled in one pass (the code itself may contain
/// either placeholder).
fn fill(template: &str, prefix: &str, suffix: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(t) = tail.strip_prefix("{prefix}") {
            out.push_str(prefix);
            rest = t;
        } else if let Some(t) = tail.strip_prefix("{suffix}") {
            out.push_str(suffix);
            rest = t;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

impl Backend for RemoteBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo { kind: BackendKind::Remote, model: self.settings.model.clone() }
    }

    fn generate(&self, request: GenerateRequest) -> Generation {
        let (events, generation) = Generation::new(request.cancel.clone());
        let this = self.clone();
        let spawned = std::thread::Builder::new().name("tandem-remote".into()).spawn({
            let events = events.clone();
            move || {
                let result = this.run(&request, &events).map_err(BackendError::Remote);
                let _ = events.send(Event::Done(result));
            }
        });
        if let Err(e) = spawned {
            let err = RemoteError::Unreachable(format!("cannot start a thread: {e}"));
            let _ = events.send(Event::Done(Err(BackendError::Remote(err))));
        }
        generation
    }

    fn count_tokens(&self, _text: &str) -> Option<usize> {
        None
    }

    fn health_check(&self) -> Result<(), BackendError> {
        self.check().map_err(BackendError::Remote)
    }
}

/// What the reader thread reports.
enum Piece {
    Text(String),
    /// Proof of life that is not answer text (reasoning deltas).
    Alive,
    Finish(Option<String>),
    Usage {
        prompt: usize,
        completion: usize,
    },
    Failed(RemoteError),
    /// `[DONE]`.
    End,
    /// The connection closed without `[DONE]`.
    Closed,
}

/// How one attempt ended.
struct Failure {
    error: RemoteError,
    /// Text was already handed on: no retry.
    streamed: bool,
}

impl RemoteBackend {
    fn run(
        &self,
        request: &GenerateRequest,
        events: &UnboundedSender<Event>,
    ) -> Result<Finished, RemoteError> {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            let failure = match self.attempt(request, events, started) {
                Ok(f) => return Ok(f),
                Err(f) => f,
            };
            attempt += 1;
            let Some(wait) = self.retry_wait(&failure, attempt, started.elapsed()) else {
                return Err(failure.error);
            };
            if sleep_unless_cancelled(wait, request) {
                return Ok(Finished {
                    text: String::new(),
                    stop: StopReason::Cancelled,
                    stats: stats_since(started),
                    tokens: Vec::new(),
                });
            }
        }
    }

    /// Whether to try again after `attempt` failed attempts ending in `failure`, `elapsed` into
    /// the request, and after how long: never once text was shown, for a failure that is not
    /// [retryable](RemoteError::retryable), past the configured retries, or when the wait (the
    /// server's `Retry-After`, else exponential backoff) would run past the total deadline.
    fn retry_wait(&self, failure: &Failure, attempt: u32, elapsed: Duration) -> Option<Duration> {
        let s = &self.settings;
        if failure.streamed || !failure.error.retryable() || attempt > s.retries {
            return None;
        }
        let backoff = Duration::from_millis(s.backoff_ms.saturating_mul(1 << (attempt - 1).min(10)));
        let wait = failure.error.retry_after().unwrap_or(backoff);
        (elapsed + wait < Duration::from_millis(s.total_timeout_ms)).then_some(wait)
    }

    fn attempt(
        &self,
        request: &GenerateRequest,
        events: &UnboundedSender<Event>,
        started: Instant,
    ) -> Result<Finished, Failure> {
        let (url, body) = self.body(request);
        let (tx, rx) = mpsc::channel::<Piece>();
        let reader = self.clone();
        let sent = Instant::now();
        std::thread::Builder::new()
            .name("tandem-remote-read".into())
            .spawn(move || reader.read(&url, &body, &tx))
            .map_err(|e| Failure {
                error: RemoteError::Unreachable(format!("cannot start a thread: {e}")),
                streamed: false,
            })?;

        let s = &self.settings;
        let total = Duration::from_millis(s.total_timeout_ms);
        let budget = request.params.time_budget;
        // Servers apply `stop` too, but not all of them, and only the first four: the text is
        // scanned here as the local runtime scans it, so no part of a stop string is ever shown.
        let mut text = StopScan::new(&request.params.stop);
        let mut show = |t: &str| {
            let _ = events.send(Event::Text(t.to_owned()));
        };
        let mut stats = GenerationStats::default();
        let mut pieces = 0usize;
        let mut finish: Option<String> = None;
        let mut first_token: Option<Instant> = None;
        let mut last = Instant::now();
        let fail = |error, text: &StopScan<'_>| Err(Failure { error, streamed: text.emitted_any() });
        let stop = loop {
            if request.cancel.is_cancelled() {
                break StopReason::Cancelled;
            }
            if budget.is_some_and(|b| started.elapsed() >= b) {
                break StopReason::TimeBudget;
            }
            if started.elapsed() >= total {
                return fail(RemoteError::TotalTimeout(s.total_timeout_ms), &text);
            }
            let silent = last.elapsed();
            if first_token.is_none() && sent.elapsed() >= Duration::from_millis(s.first_token_timeout_ms) {
                return fail(RemoteError::FirstTokenTimeout(s.first_token_timeout_ms), &text);
            }
            if first_token.is_some() && silent >= Duration::from_millis(s.idle_timeout_ms) {
                return fail(RemoteError::Stalled(s.idle_timeout_ms), &text);
            }
            match rx.recv_timeout(Duration::from_millis(25)) {
                Ok(Piece::Text(t)) => {
                    last = Instant::now();
                    first_token.get_or_insert(last);
                    pieces += 1;
                    if text.push(&t, &mut show) {
                        break StopReason::StopString;
                    }
                    if pieces >= request.params.max_tokens {
                        break StopReason::MaxTokens;
                    }
                }
                Ok(Piece::Alive) => {
                    last = Instant::now();
                    first_token.get_or_insert(last);
                }
                Ok(Piece::Finish(reason)) => finish = reason,
                Ok(Piece::Usage { prompt, completion }) => {
                    stats.prompt_tokens = prompt;
                    stats.evaluated_tokens = prompt;
                    stats.generated_tokens = completion;
                }
                Ok(Piece::Failed(error)) => return fail(error, &text),
                Ok(piece @ (Piece::End | Piece::Closed)) => {
                    if finish.is_none() && matches!(piece, Piece::Closed) {
                        // Neither `[DONE]` nor a finish reason: the answer was cut off.
                        return fail(RemoteError::Disconnected, &text);
                    }
                    break match finish.as_deref() {
                        Some("length") => StopReason::MaxTokens,
                        _ => StopReason::EndOfText,
                    };
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => return fail(RemoteError::Disconnected, &text),
            }
        };
        if stop != StopReason::StopString {
            // What was held back as a possible start of a stop string is answer after all.
            text.flush(&mut show);
        }
        let text = text.into_text();
        if stats.generated_tokens == 0 {
            stats.generated_tokens = pieces;
        }
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let first = first_token.unwrap_or_else(Instant::now);
        stats.prompt_ms = ms(first.saturating_duration_since(sent));
        stats.generate_ms = ms(first.elapsed());
        stats.queue_ms = ms(sent.saturating_duration_since(started));
        Ok(Finished { text, stop, stats, tokens: Vec::new() })
    }

    /// The reader thread: sends the request and turns the response into pieces. Stops as soon
    /// as the receiving side is gone.
    fn read(&self, url: &str, body: &Value, tx: &mpsc::Sender<Piece>) {
        let req = self
            .with_headers(self.agent.post(url))
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream");
        let response = match req.send(body.to_string().as_bytes()) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Piece::Failed(self.transport_error(e)));
                return;
            }
        };
        let status = response.status().as_u16();
        let header =
            |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
        let event_stream = header("content-type").is_some_and(|c| c.contains("text/event-stream"));
        let mut body = response.into_body();
        if status == 429 {
            let _ = tx.send(Piece::Failed(RemoteError::RateLimited { retry_after_s: retry_after }));
            return;
        }
        if !(200..300).contains(&status) {
            let text = body.with_config().limit(64 * 1024).read_to_string().unwrap_or_default();
            let message = error_message(&text).unwrap_or_else(|| text.trim().to_owned());
            let _ = tx.send(Piece::Failed(RemoteError::Status { status, message: self.scrub(&message) }));
            return;
        }
        if !event_stream {
            // A server that ignored `stream: true` and answered with one JSON object.
            let piece = match body.with_config().limit(16 << 20).read_to_string() {
                Ok(text) => self.whole_answer(&text, tx),
                Err(e) => Piece::Failed(self.read_error(e)),
            };
            let _ = tx.send(piece);
            return;
        }
        let mut parser = sse::Parser::new();
        let mut reader = std::io::BufReader::new(body.into_reader());
        let mut line = Vec::new();
        loop {
            line.clear();
            let event = match reader.read_until(b'\n', &mut line) {
                Ok(0) => parser.flush(),
                Ok(_) => {
                    let l = String::from_utf8_lossy(&line);
                    parser.line(l.strip_suffix('\n').unwrap_or(&l))
                }
                Err(e) => {
                    let _ = tx.send(Piece::Failed(self.io_error(&e)));
                    return;
                }
            };
            let eof = line.is_empty();
            if let Some(event) = event {
                if event.is_done() {
                    let _ = tx.send(Piece::End);
                    return;
                }
                for piece in self.event_pieces(&event) {
                    let stop = matches!(piece, Piece::Failed(_));
                    if tx.send(piece).is_err() || stop {
                        return;
                    }
                }
            }
            if eof {
                // Closed without `[DONE]`: fine after a finish reason, a disconnect otherwise
                // (the receiver decides, knowing what it saw).
                let _ = tx.send(Piece::Closed);
                return;
            }
        }
    }

    fn io_error(&self, e: &std::io::Error) -> RemoteError {
        if e.kind() == std::io::ErrorKind::TimedOut || e.kind() == std::io::ErrorKind::WouldBlock {
            RemoteError::Stalled(self.settings.idle_timeout_ms)
        } else if let Some(inner) = e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
            match inner {
                ureq::Error::Timeout(_) => RemoteError::Stalled(self.settings.idle_timeout_ms),
                _ => RemoteError::Disconnected,
            }
        } else {
            RemoteError::Disconnected
        }
    }

    fn read_error(&self, e: ureq::Error) -> RemoteError {
        match e {
            ureq::Error::Io(io) => self.io_error(&io),
            ureq::Error::Timeout(_) => RemoteError::Stalled(self.settings.idle_timeout_ms),
            _ => RemoteError::Disconnected,
        }
    }

    /// The pieces of one streamed event.
    fn event_pieces(&self, event: &sse::SseEvent) -> Vec<Piece> {
        let v: Value = match serde_json::from_str(&event.data) {
            Ok(v) => v,
            Err(e) => {
                let data: String = event.data.chars().take(80).collect();
                return vec![Piece::Failed(RemoteError::Malformed(format!(
                    "{e} in event `{}`",
                    self.scrub(&data)
                )))];
            }
        };
        if event.event.as_deref() == Some("error") || v.get("error").is_some_and(|e| !e.is_null()) {
            let message = error_message(&event.data).unwrap_or_else(|| "no message".into());
            return vec![Piece::Failed(RemoteError::Stream(self.scrub(&message)))];
        }
        let mut out = Vec::new();
        if let Some(choice) = v.get("choices").and_then(|c| c.get(0)) {
            let delta = choice.get("delta");
            let content = delta
                .and_then(|d| d.get("content"))
                .or_else(|| choice.get("text"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty());
            match content {
                Some(t) => out.push(Piece::Text(t.to_owned())),
                None => {
                    let reasoning =
                        delta.and_then(|d| d.get("reasoning_content").or_else(|| d.get("reasoning")));
                    if reasoning.and_then(Value::as_str).is_some_and(|s| !s.is_empty()) {
                        out.push(Piece::Alive);
                    }
                }
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                out.push(Piece::Finish(Some(reason.to_owned())));
            }
        } else if v.get("choices").is_none() && v.get("usage").is_none() {
            return vec![Piece::Failed(RemoteError::Malformed("an event without `choices`".into()))];
        }
        if let Some(u) = v.get("usage").filter(|u| !u.is_null()) {
            let n = |k: &str| u.get(k).and_then(Value::as_u64).unwrap_or(0) as usize;
            out.push(Piece::Usage { prompt: n("prompt_tokens"), completion: n("completion_tokens") });
        }
        out
    }

    /// A whole non-streamed answer, sent as pieces; returns the last one.
    fn whole_answer(&self, text: &str, tx: &mpsc::Sender<Piece>) -> Piece {
        let event = sse::SseEvent { event: None, data: text.to_owned() };
        for piece in self.event_pieces(&event) {
            if let Piece::Failed(_) = piece {
                return piece;
            }
            let _ = tx.send(piece);
        }
        let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        if let Some(t) = v.pointer("/choices/0/message/content").and_then(Value::as_str) {
            let _ = tx.send(Piece::Text(t.to_owned()));
            let _ = tx.send(Piece::Finish(Some("stop".into())));
        }
        Piece::End
    }
}

/// The `error.message` (or `message`, or a string `error`) of an OpenAI-style error body.
fn error_message(text: &str) -> Option<String> {
    let v: Value = serde_json::from_str(text).ok()?;
    let e = v.get("error").unwrap_or(&v);
    e.get("message").and_then(Value::as_str).or_else(|| e.as_str()).map(str::to_owned)
}

/// Sleeps `d` in small steps; true when cancelled meanwhile.
fn sleep_unless_cancelled(d: Duration, request: &GenerateRequest) -> bool {
    let end = Instant::now() + d;
    while Instant::now() < end {
        if request.cancel.is_cancelled() {
            return true;
        }
        std::thread::sleep((end - Instant::now()).min(Duration::from_millis(25)));
    }
    request.cancel.is_cancelled()
}

fn stats_since(started: Instant) -> GenerationStats {
    GenerationStats { queue_ms: started.elapsed().as_secs_f64() * 1000.0, ..GenerationStats::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_in_one_pass() {
        assert_eq!(fill("<p>{prefix}<s>{suffix}<m>", "a{suffix}", "b"), "<p>a{suffix}<s>b<m>");
        assert_eq!(fill("{x}{prefix}", "a", "b"), "{x}a");
    }

    #[test]
    fn bad_settings_are_refused_and_the_key_is_not_shown() {
        let s = RemoteSettings { url: "ftp://x".into(), model: "m".into(), ..RemoteSettings::default() };
        assert!(matches!(RemoteBackend::new(s, None), Err(RemoteError::Config(_))));
        let s = RemoteSettings {
            url: "http://127.0.0.1:9/v1/".into(),
            model: "m".into(),
            ..RemoteSettings::default()
        };
        let b = RemoteBackend::new(s, Some(Secret::new("sk-very-secret"))).unwrap();
        assert!(!format!("{b:?}").contains("sk-very-secret"));
        assert_eq!(b.scrub("bad key sk-very-secret given"), "bad key [redacted] given");
        assert_eq!(
            b.body(&GenerateRequest::new(Prompt::Text { text: "x".into() }, Default::default())).0,
            "http://127.0.0.1:9/v1/completions"
        );
    }

    #[test]
    fn one_classification_decides_retries_and_outages() {
        use Outlook::*;
        let status = |status| RemoteError::Status { status, message: String::new() };
        let cases = [
            (RemoteError::Config("x".into()), Refused, false, false),
            (RemoteError::Malformed("x".into()), Refused, false, false),
            (status(401), Refused, false, false),
            (status(404), Refused, false, false),
            (status(408), Momentary, true, false),
            (status(500), Outage, true, true),
            (status(503), Outage, true, true),
            (RemoteError::Unreachable("x".into()), Outage, true, true),
            (RemoteError::FirstTokenTimeout(1), Outage, true, true),
            (RemoteError::Stalled(1), Outage, true, true),
            (RemoteError::RateLimited { retry_after_s: None }, Outage, true, true),
            (RemoteError::Disconnected, Outage, true, true),
            (RemoteError::TotalTimeout(1), Failing, false, true),
            (RemoteError::Stream("x".into()), Failing, false, true),
        ];
        for (e, outlook, retryable, lasting) in cases {
            assert_eq!((e.outlook(), e.retryable(), e.is_lasting()), (outlook, retryable, lasting), "{e:?}");
        }
        assert_eq!(
            RemoteError::RateLimited { retry_after_s: Some(7) }.retry_after(),
            Some(Duration::from_secs(7))
        );
        assert_eq!(RemoteError::RateLimited { retry_after_s: None }.retry_after(), None);
        assert_eq!(RemoteError::Disconnected.retry_after(), None);
    }

    #[test]
    fn retries_wait_for_retry_after_or_back_off_within_the_budget() {
        let s = RemoteSettings {
            url: "http://127.0.0.1:9/v1".into(),
            model: "m".into(),
            retries: 3,
            backoff_ms: 50,
            total_timeout_ms: 8000,
            ..RemoteSettings::default()
        };
        let b = RemoteBackend::new(s, None).unwrap();
        let failure = |error| Failure { error, streamed: false };
        let ms = Duration::from_millis;
        let unreachable = failure(RemoteError::Unreachable("x".into()));
        assert_eq!(b.retry_wait(&unreachable, 1, ms(0)), Some(ms(50)));
        assert_eq!(b.retry_wait(&unreachable, 2, ms(0)), Some(ms(100)), "exponential backoff");
        assert_eq!(b.retry_wait(&unreachable, 3, ms(0)), Some(ms(200)));
        assert_eq!(b.retry_wait(&unreachable, 4, ms(0)), None, "past the configured retries");
        assert_eq!(b.retry_wait(&unreachable, 1, ms(7960)), None, "the wait would pass the total deadline");
        let limited = failure(RemoteError::RateLimited { retry_after_s: Some(1) });
        assert_eq!(b.retry_wait(&limited, 1, ms(0)), Some(ms(1000)), "Retry-After wins over backoff");
        let quota = failure(RemoteError::RateLimited { retry_after_s: Some(3600) });
        assert_eq!(b.retry_wait(&quota, 1, ms(0)), None, "a Retry-After beyond the budget gives up at once");
        let streamed = Failure { error: RemoteError::Stalled(1), streamed: true };
        assert_eq!(b.retry_wait(&streamed, 1, ms(0)), None, "text was shown");
        let refused = failure(RemoteError::Status { status: 401, message: String::new() });
        assert_eq!(b.retry_wait(&refused, 1, ms(0)), None);
    }
}
