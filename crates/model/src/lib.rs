//! tandem-model: the models behind tandem, behind one [`Backend`] trait.
//!
//! Owns candle and the model files: GGUF loading, the tokenizer, prompt formats (from the
//! manifest), the qwen2 forward pass with a reusable KV cache, sampling, and the worker thread
//! that owns a loaded model; and the remote backend (OpenAI-compatible HTTP, streamed), which
//! owns HTTP. It knows nothing of editors, LSP, tree-sitter or terminals: it
//! takes a prompt and generation parameters and yields text.

pub mod backend;
pub mod fake;
pub mod format;
pub mod gemm;
pub mod linear;
pub mod local;
pub mod qwen2;
pub mod remote;
pub mod requant;
pub mod runtime;
pub mod sampler;
mod slots;
mod sse;
mod stop;
pub mod tokenizer;

pub use backend::{Backend, BackendError, BackendInfo, BackendKind, Event, GenerateRequest, Generation};
pub use fake::FakeBackend;
pub use local::LocalBackend;
pub use qwen2::Kernels;
pub use remote::{Outlook, RemoteBackend, RemoteError};
pub use runtime::{DEFAULT_PROMPT_CACHE_BYTES, Finished, LoadError, LoadOptions, Prefill, RunError, Runtime};
pub use tokenizer::TextTokenizer;

/// Threads the CPU kernels use (`RAYON_NUM_THREADS`, else one per core).
pub fn compute_threads() -> usize {
    candle_core::utils::get_num_threads()
}
