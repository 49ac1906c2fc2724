//! The `Backend` trait: one interface for every model, local or remote.
//!
//! A backend takes a [`GenerateRequest`] and returns at once a [`Generation`]: a stream of text
//! pieces that ends with the finished result. Work stops between tokens when the request's
//! [`Cancel`] flag is set; a cancelled generation ends normally, with the text made so far and
//! [`StopReason::Cancelled`](tandem_core::StopReason::Cancelled).

use crate::runtime::{Finished, RunError};
use tandem_core::{Cancel, GenerationParams, Prompt};
use tokio::sync::mpsc;

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenerateRequest {
    pub prompt: Prompt,
    pub params: GenerationParams,
    pub cancel: Cancel,
}

impl GenerateRequest {
    pub fn new(prompt: Prompt, params: GenerationParams) -> Self {
        Self { prompt, params, cancel: Cancel::new() }
    }
}

/// Which side a backend runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    Local,
    Remote,
}

/// What a backend is, for display and metrics.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendInfo {
    pub kind: BackendKind,
    /// The model's name (a manifest name, a file name, or a remote model id).
    pub model: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("the model worker has stopped")]
    WorkerGone,
    #[error(transparent)]
    Remote(#[from] crate::remote::RemoteError),
}

/// One event of a generation's stream.
#[derive(Debug)]
pub enum Event {
    /// The next piece of text (whole characters).
    Text(String),
    /// The end: the whole text and how it ended, or an error.
    Done(Result<Finished, BackendError>),
}

/// A running generation: its events, and the flag that stops it.
#[derive(Debug)]
pub struct Generation {
    events: mpsc::UnboundedReceiver<Event>,
    cancel: Cancel,
}

impl Generation {
    /// A generation fed through `events`; the sender side is the backend's.
    pub fn new(cancel: Cancel) -> (mpsc::UnboundedSender<Event>, Self) {
        let (tx, events) = mpsc::unbounded_channel();
        (tx, Self { events, cancel })
    }

    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// The next event; `None` after `Done`.
    pub async fn next(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The next event, blocking the thread (not for async contexts).
    pub fn blocking_next(&mut self) -> Option<Event> {
        self.events.blocking_recv()
    }

    /// Waits for the end (blocking), handing each piece of text to `on_text`.
    pub fn wait_with(mut self, mut on_text: impl FnMut(&str)) -> Result<Finished, BackendError> {
        while let Some(event) = self.blocking_next() {
            match event {
                Event::Text(t) => on_text(&t),
                Event::Done(result) => return result,
            }
        }
        Err(BackendError::WorkerGone)
    }

    /// Waits for the end (blocking).
    pub fn wait(self) -> Result<Finished, BackendError> {
        self.wait_with(|_| {})
    }

    /// Waits for the end, handing each piece of text to `on_text`.
    pub async fn finish_with(mut self, mut on_text: impl FnMut(&str)) -> Result<Finished, BackendError> {
        while let Some(event) = self.next().await {
            match event {
                Event::Text(t) => on_text(&t),
                Event::Done(result) => return result,
            }
        }
        Err(BackendError::WorkerGone)
    }
}

/// A model that generates text.
pub trait Backend: Send + Sync + std::fmt::Debug {
    fn info(&self) -> BackendInfo;

    /// Starts a generation and returns at once.
    fn generate(&self, request: GenerateRequest) -> Generation;

    /// Tokens `text` takes in this backend's prompts, when it can tell.
    fn count_tokens(&self, text: &str) -> Option<usize>;

    /// Whether the backend can serve requests now (blocking; a remote backend asks its
    /// endpoint). Local backends are always healthy once loaded.
    fn health_check(&self) -> Result<(), BackendError> {
        Ok(())
    }
}
