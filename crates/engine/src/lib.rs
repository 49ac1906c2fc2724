//! tandem-engine: the API boundary between the faces (LSP, TUI, CLI) and the models.
//!
//! Owns scheduling (debounce, latest-wins, cancellation), caches, prompt assembly, routing between
//! the local and the remote model (with fallback, privacy rules and secret redaction), explanations,
//! and post-processing. It speaks in editor terms — text and byte offsets — and must not know LSP,
//! the terminal, or how a model computes.

pub mod cache;
pub mod chat;
pub mod complete;
pub mod explain;
pub mod files;
pub mod inline;
pub mod metrics;
pub mod postprocess;
pub mod redact;
pub mod routed;
pub mod router;
pub mod workspace;

pub use chat::{Attachment, ChatRequest, Speaker, Turn};
pub use complete::{Completion, CompletionRequest, complete};
pub use explain::{ExplainError, ExplainRequest, ExplainTimings, Explanation, Progress};
pub use inline::{Engine, EngineError, InlineAnswer, InlineRequest};
pub use metrics::{Snapshot, Source};
pub use redact::{PathRules, Redacted, redact};
pub use routed::RoutedBackend;
pub use router::{
    Clock, Decision, LocalLoader, RouteError, RouteMetrics, RouteRecord, RouteRequest, Router, SystemClock,
    Task,
};
pub use tandem_context as context;
pub use tandem_core::text;
pub use tandem_core::{Cancel, CompletionSettings, PrivacySettings, RouterSettings, Side};
pub use tandem_model::Backend;
pub use workspace::Workspace;
