//! tandem-engine: the API boundary between the faces (LSP, TUI, CLI) and the models.
//!
//! Owns scheduling (debounce, latest-wins, cancellation), caches, prompt assembly, routing and
//! post-processing. It speaks in editor terms — text and byte offsets — and must not know LSP,
//! the terminal, or how a model computes.

pub mod complete;
pub mod window;

pub use complete::{Completion, CompletionRequest, complete};
pub use window::{Windows, fim_windows};
