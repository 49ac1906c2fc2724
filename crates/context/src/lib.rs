//! tandem-context: syntax-aware context for prompts.
//!
//! Owns tree-sitter: languages (one table each in `language.rs`) and their queries
//! (`queries/*.scm`), documents' syntax trees kept across edits (`syntax`), outlines of definitions, import resolution, syntax-aware prefix/suffix
//! windows, the workspace index, the gathering of completion context within a token budget (its
//! scoring weights: `gather::Weights`), and the ranked workspace map for chat and explain.
//! It is pure — text in, context out — does no I/O, no async, and never fails on broken code.
//! It must not know about models, LSP or the terminal.

pub mod gather;
pub mod highlight;
pub mod implied;
pub mod imports;
pub mod index;
pub mod language;
pub mod lines;
pub mod map;
pub mod outline;
pub mod similar;
pub mod syntax;
pub mod view;
pub mod window;

pub use language::Language;
pub use tree_sitter::Tree;
