//! tandem-context: syntax-aware context for prompts.
//!
//! Owns tree-sitter: languages, syntax-aware prefix/suffix windows, imports, definitions and the
//! workspace index. It is pure — text in, context out — does no I/O, no async, and never fails
//! on broken code. It must not know about models, LSP or the terminal.

pub mod gather;
pub mod imports;
pub mod index;
pub mod language;
pub mod lines;
pub mod outline;
pub mod view;
pub mod window;

pub use language::Language;
