//! tandem-tui: the terminal chat face of tandem.
//!
//! The only crate that knows the terminal (ratatui + crossterm). It drives the engine and must
//! not know LSP or model internals.
//!
//! Not built yet: the chat arrives with the "`tandem chat`" issue.
