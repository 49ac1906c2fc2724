//! tandem-tui: the terminal chat face of tandem (`tandem chat`).
//!
//! The only crate that knows the terminal (ratatui + crossterm). It drives the engine's router
//! and workspace and must not know LSP or model internals.
//!
//! - [`app`]: the state and the pure `App::update` — every key, stream event and result, no
//!   terminal and no I/O: it returns [`app::Command`]s. Its modules: [`app::input`] (keys,
//!   history, completion), [`app::commands`] (the slash-command table and `/help`),
//!   [`app::streaming`] (answer events).
//! - [`ui`]: drawing `&App` (conversation, input, status line, footer) with a [`ui::View`] of
//!   what is kept between frames.
//! - [`markdown`]: answers as styled, wrapped lines, code blocks highlighted.
//! - [`wrap`]: the one word-wrapper.
//! - [`session`]: conversations saved under the data directory, atomically.
//! - [`attach`]: `@path:10-40` references and path completion.
//! - [`run`]: the terminal, the event loop, carrying out commands ([`run::Io`] for files and
//!   sessions, the generation worker), asking the router where the next question goes (the
//!   route shown between answers: the app never guesses it), signals.

pub mod app;
pub mod attach;
pub mod markdown;
pub mod run;
pub mod session;
pub mod theme;
pub mod ui;
pub mod wrap;

pub use theme::Theme;

pub use app::{App, Command, Host, Models, Msg, Options};
pub use run::{Io, Services, run, settle};
