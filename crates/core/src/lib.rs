//! tandem-core: the plain types every tandem crate shares.
//!
//! Requests and prompts, references to lines of a file, remote and routing settings, the secret type, generation parameters and outcomes, cancellation flags, settings, and
//! the model manifest schema. Pure data: no I/O, no async, no knowledge of models, editors or terminals.

pub mod cancel;
pub mod generation;
pub mod manifest;
pub mod prompt;
pub mod reference;
pub mod remote;
pub mod routing;
pub mod secret;
pub mod settings;
pub mod text;

pub use cancel::Cancel;
pub use generation::{GenerationParams, GenerationStats, Sampling, StopReason, TokenLogprob, tokens_within};
pub use manifest::{ChatFormat, FimFormat, Manifest, ManifestError, ModelEntry, PromptFormat, Source};
pub use prompt::{ContextFile, FimPrompt, Message, Prompt, Role};
pub use remote::{RemoteFim, RemoteSettings};
pub use routing::{Preference, PrivacySettings, RouterSettings, Side};
pub use secret::Secret;
pub use settings::{Aggressiveness, CompletionSettings, ContextLayout, Multiline};
