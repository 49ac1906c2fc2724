//! tandem-engine: the API boundary between the faces (LSP, TUI, CLI) and the models.
//!
//! Owns scheduling (debounce, latest-wins, cancellation), caches, prompt assembly, routing between
//! the local and the remote model (with fallback, privacy rules and secret redaction), explanations,
//! and post-processing. It speaks in editor terms — text and byte offsets — and must not know LSP,
//! the terminal, or how a model computes.
//!
//! Its modules are private: the faces use the names re-exported here, and `files`, the one
//! reader of anything from outside.

mod cache;
mod chat;
mod complete;
mod explain;
pub mod files;
mod inline;
mod metrics;
mod postprocess;
mod redact;
mod routed;
mod router;
mod workspace;

pub use chat::{Attachment, ChatRequest, Speaker, Turn};
pub use complete::{Completion, CompletionRequest, complete};
pub use explain::{ExplainError, ExplainRequest, ExplainTimings, Explanation, Progress};
pub use inline::{Engine, EngineError, InlineAnswer, InlineRequest, fim_prompt, plan};
pub use metrics::{Snapshot, Source};
pub use redact::{PathRules, Redacted, redact};
pub use routed::RoutedBackend;
pub use router::{
    Clock, Decision, LoadError, LocalLoader, RouteError, RouteMetrics, RouteRecord, RouteRequest, Router,
    SystemClock, Task,
};
pub use tandem_context as context;
// What the faces need of the context crate, by name.
pub use tandem_context::Language;
pub use tandem_context::gather::{Weights, file_cost};
pub use tandem_context::highlight::{Highlight, highlight};
pub use tandem_context::language::fence_language;
pub use tandem_context::map::Focus;
pub use tandem_core::text;
pub use tandem_core::{Cancel, CompletionSettings, PrivacySettings, RouterSettings, Side};
pub use tandem_model::Backend;
pub use workspace::Workspace;
