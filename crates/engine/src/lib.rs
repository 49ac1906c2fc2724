//! tandem-engine: the API boundary between the faces (LSP, TUI, CLI) and the models.
//!
//! Owns scheduling (debounce, latest-wins, cancellation), caches, prompt assembly, routing and
//! post-processing. It speaks in editor terms — text and byte offsets — and must not know LSP,
//! the terminal, or how a model computes.

pub mod cache;
pub mod complete;
pub mod inline;
pub mod metrics;
pub mod postprocess;
pub mod workspace;

pub use complete::{Completion, CompletionRequest, complete};
pub use inline::{Engine, EngineError, InlineAnswer, InlineRequest};
pub use metrics::{Snapshot, Source};
pub use tandem_context as context;
pub use tandem_core::{Cancel, CompletionSettings};
pub use tandem_model::Backend;
pub use workspace::Workspace;
