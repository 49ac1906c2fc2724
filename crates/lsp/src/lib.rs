//! tandem-lsp: the language server face of tandem.
//!
//! The only crate that knows LSP and JSON-RPC (tower-lsp-server): documents and positions,
//! handlers, progress, configuration, and the custom methods. It drives the engine and must not
//! know how models or context work inside.
//!
//! Custom methods: `tandem/metrics` (request, no params) returns the engine's counters and the
//! timings of recent requests.

pub mod document;
pub mod server;

pub use server::{Loader, Options, Server, merge_settings};

use tower_lsp_server::LspService;

/// Enough concurrent handlers that a `$/cancelRequest` or a new keystroke is never stuck behind
/// requests waiting on the model.
const CONCURRENCY: usize = 64;

/// Serves one client over a byte stream pair (stdio in production, a duplex pipe in tests)
/// until it exits.
pub async fn serve<I, O>(input: I, output: O, options: Options)
where
    I: tokio::io::AsyncRead + Unpin,
    O: tokio::io::AsyncWrite,
{
    let (service, socket) = LspService::build(|client| Server::new(client, options))
        .custom_method("textDocument/inlineCompletion", Server::inline_completion)
        .custom_method("tandem/metrics", Server::metrics)
        .finish();
    tower_lsp_server::Server::new(input, output, socket).concurrency_level(CONCURRENCY).serve(service).await;
}
