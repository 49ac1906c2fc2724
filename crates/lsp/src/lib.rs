//! tandem-lsp: the language server face of tandem.
//!
//! The only crate that knows LSP and JSON-RPC (tower-lsp-server): documents and positions,
//! handlers, progress, configuration, and the custom methods. It drives the engine and must not
//! know how models or context work inside.
//!
//! Custom methods: `tandem/metrics` (request, no params) returns the engine's counters and the
//! timings of recent requests; `tandem/routing` (request, no params) the router's decisions;
//! `tandem/nextEdits` and `textDocument/copilotInlineEdit` the edits a document's last edit
//! implies elsewhere.
//! Commands: `tandem.explain` (see `methods/execute_command.rs`) and `tandem.suggestionOutcome`,
//! which each suggestion carries (see `methods/suggestion_outcome.rs`). Notifications: from the
//! server `tandem/status`; to it `tandem/cursorRest` and `tandem/suggestionOutcome`.
//!
//! Layout: [`session`] holds the state one client's handlers share and hands each LSP method to
//! its own file under `methods/` (named after the method); `load` is the background work (the
//! model's load, the workspace index), `settings` the client's completion settings, `status` the
//! `tandem/status` notification; [`framing`] and [`log`] keep the transport alive against any
//! input and any client.

pub mod framing;
mod load;
pub mod log;
mod methods;
pub mod session;
mod settings;
mod status;

pub use session::{Loader, Options, Server};
pub use settings::{SettingsError, merge_settings};

use tower_lsp_server::LspService;

/// Enough concurrent handlers that a `$/cancelRequest` or a new keystroke is never stuck behind
/// requests waiting on the model.
const CONCURRENCY: usize = 64;

/// Frames waiting to be written to the client: the server's answers and the guard's error
/// replies. Bounded, so a client that does not read cannot grow the server's memory; the guard
/// drops its replies rather than wait for room (see [`framing::guard_input`]).
const OUTPUT_QUEUE: usize = 256;

/// Serves one client over a byte stream pair (stdio in production, a duplex pipe in tests)
/// until it exits. Malformed input is answered and dropped by [`framing`] before it reaches the
/// JSON-RPC transport, so no input ends the session, and a client that does not read what the
/// server writes (on stdout or stderr, see [`log`]) does not stop it from reading.
pub async fn serve<I, O>(input: I, output: O, options: Options)
where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: tokio::io::AsyncWrite + Unpin,
{
    let (service, socket) = LspService::build(|client| Server::new(client, options))
        .custom_method("textDocument/inlineCompletion", Server::inline_completion)
        .custom_method("tandem/metrics", Server::metrics)
        .custom_method("tandem/cursorRest", Server::cursor_rest)
        .custom_method("tandem/suggestionOutcome", Server::suggestion_outcome)
        .custom_method("tandem/routing", Server::routing)
        .custom_method("tandem/nextEdits", Server::next_edits)
        .custom_method("textDocument/copilotInlineEdit", Server::copilot_inline_edit)
        .finish();
    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (frames_tx, frames_rx) = tokio::sync::mpsc::channel(OUTPUT_QUEUE);
    tokio::spawn(framing::guard_input(input, to_server, frames_tx.clone()));
    let transport = tower_lsp_server::Server::new(server_in, server_out, socket)
        .concurrency_level(CONCURRENCY)
        .serve(service);
    let pump = framing::pump_output(from_server, frames_tx, frames_rx, output);
    tokio::select! {
        () = transport => {}
        () = pump => {}
    }
}
