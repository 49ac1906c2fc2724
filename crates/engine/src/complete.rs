//! One inline completion: windows around the cursor, a fill-in-the-middle prompt, the model,
//! and the answer trimmed to what belongs at the cursor.

use crate::postprocess::Span;
use tandem_context::Language;
use tandem_context::gather::{Request, gather};
use tandem_context::index::Index;
use tandem_core::{FimPrompt, GenerationParams, GenerationStats, Prompt, StopReason};
use tandem_model::{Backend, BackendError, GenerateRequest};

/// A completion request in editor terms.
#[derive(Clone, Debug)]
pub struct CompletionRequest<'a> {
    /// The whole document.
    pub text: &'a str,
    /// Byte offset of the cursor (a char boundary).
    pub cursor: usize,
    /// The document's path relative to its workspace, if known.
    pub path: Option<&'a str>,
    /// Prompt tokens for the prefix and suffix windows.
    pub budget: usize,
    pub max_tokens: usize,
}

/// The answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// Text to insert at the cursor; empty when there is nothing good to say.
    pub text: String,
    /// Whether the text may span lines (the cursor's line had nothing after it).
    pub multiline: bool,
    pub stop: StopReason,
    pub stats: GenerationStats,
}

/// Completes at the cursor with `backend`, blocking until the answer is ready.
pub fn complete(backend: &dyn Backend, req: &CompletionRequest<'_>) -> Result<Completion, BackendError> {
    let count = |s: &str| backend.count_tokens(s).unwrap_or(s.len() / 3 + 1);
    let path = req.path.unwrap_or("");
    let suffix_tokens = req.budget / 4;
    let gather_req = Request {
        path,
        language: Language::from_path(path),
        text: req.text,
        cursor: req.cursor,
        prefix_tokens: req.budget - suffix_tokens,
        suffix_tokens,
        context_tokens: 0,
        layout: tandem_core::ContextLayout::Comments,
        anchor: None,
        grow: false,
        recent: &[],
        open: &[],
    };
    let w = gather(&gather_req, &Index::default(), None, &count).window;
    let (before, after) = crate::inline::near(req.text, req.cursor);
    let span = crate::postprocess::span_at(before, after);
    let stop = crate::postprocess::stop_strings(span);
    let prompt = Prompt::Fim(FimPrompt {
        prefix: w.prefix.clone(),
        suffix: w.suffix.clone(),
        path: req.path.map(str::to_owned),
        ..FimPrompt::default()
    });
    let params = GenerationParams { max_tokens: req.max_tokens, stop, ..GenerationParams::default() };
    let done = backend.generate(GenerateRequest::new(prompt, params)).wait()?;
    let text = crate::postprocess::clean(&done.text, &w.prefix, &w.suffix, span);
    Ok(Completion { text, multiline: span == Span::Block, stop: done.stop, stats: done.stats })
}
