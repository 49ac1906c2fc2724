//! tandem-tui: the terminal chat face of tandem (`tandem chat`).
//!
//! The only crate that knows the terminal (ratatui + crossterm). It drives the engine's router
//! and workspace and must not know LSP or model internals.
//!
//! - [`app`]: the state and `App::update` — every key, stream event and command, no terminal.
//! - [`ui`]: drawing the state (conversation, input, status line, footer).
//! - [`markdown`]: answers as styled, wrapped lines, code blocks highlighted.
//! - [`session`]: conversations saved under the data directory, atomically.
//! - [`attach`]: `@path:10-40` references and path completion.
//! - [`run`]: the terminal, the event loop, the generation worker, signals.

pub mod app;
pub mod attach;
pub mod markdown;
pub mod run;
pub mod session;
pub mod theme;
pub mod ui;

pub use theme::Theme;

pub use app::{App, Host, Models, Options};
pub use run::{Services, run};
