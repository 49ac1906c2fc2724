//! tandem-lsp: the language server face of tandem.
//!
//! The only crate that knows LSP and JSON-RPC: documents, positions, handlers and custom
//! methods. It drives the engine and must not know how models or context work inside.
//!
//! Not built yet: the server arrives with the "language server" issue.
