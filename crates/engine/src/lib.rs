//! tandem-engine: the API boundary between the faces (LSP, TUI, CLI) and the models.
//!
//! Its façade, [`Engine`], owns each open document's whole life (text, version, language,
//! path, syntax tree, the completer's state), the workspace and its index, the router, the
//! completion model, settings, cache and metrics. Behind it: scheduling (debounce, latest-wins,
//! cancellation), prompt assembly, routing between the local and the remote model (with fallback,
//! privacy rules and secret redaction), explanations, chat and post-processing. It speaks in
//! editor terms — text, byte offsets and line/character positions — and must not know LSP, the
//! terminal, or how a model computes.
//!
//! Its modules are private: the faces use the names re-exported here (including what they need
//! of the context crate), and `files`, the one reader of anything from outside.

mod answer;
mod cache;
mod chat;
mod document;
mod engine;
mod explain;
pub mod files;
mod inline;
mod kept;
mod larger;
mod metrics;
mod next_edits;
mod postprocess;
mod redact;
mod routed;
mod router;
mod track;
mod workspace;

pub use answer::{ExplainError, Progress};
pub use chat::{Attachment, ChatRequest, Speaker, Turn};
pub use document::{BadPosition, Change, DocumentError, Encoding, Place, offset, position};
pub use engine::{Engine, OpenDocument};
pub use explain::{ExplainRequest, ExplainTimings, Reply};
pub use inline::{EngineError, InlineAnswer, Suggestion, fim_prompt};
pub use larger::LargerLoader;
pub use metrics::{Outcome, Snapshot, Source};
pub use next_edits::NextEdit;
pub use redact::{PathRules, Redacted, redact};
pub use routed::RoutedBackend;
pub use router::{
    Clock, Decision, LoadError, LocalLoader, RouteError, RouteMetrics, RouteRecord, RouteRequest, Router,
    SystemClock, Task,
};
// What the faces need of the context crate, by name.
pub use tandem_context::Language;
pub use tandem_context::gather::{Context, Weights, file_cost};
pub use tandem_context::highlight::{Highlight, highlight};
pub use tandem_context::language::fence_language;
pub use tandem_context::map::Focus;
pub use tandem_context::outline::Kind as DefinitionKind;
pub use tandem_core::text;
pub use tandem_core::{Cancel, CompletionSettings, PrivacySettings, RouterSettings, Side};
pub use tandem_model::Backend;
pub use workspace::{ScanReport, Workspace};
