//! Which model serves a request (`[router]`) and what may leave the machine (`[privacy]`).

use serde::{Deserialize, Serialize};

/// A side a request can be served on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Local,
    Remote,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Local => "local",
            Side::Remote => "remote",
        }
    }
}

/// A task's default side: `auto` lets size and difficulty decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preference {
    Local,
    Remote,
    Auto,
}

/// `[router]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RouterSettings {
    /// Inline completions (latency first): `local` by default.
    pub inline: Preference,
    /// Explanations: `auto` (remote unless the request is small and simple).
    pub explain: Preference,
    /// Chat: `remote` by default.
    pub chat: Preference,
    /// Under `auto`, a request of at most this many tokens (code and question) with a simple
    /// question stays local.
    pub small_tokens: usize,
    /// Requests with more tokens than this never go to the local model first (the local model is
    /// slow on long prompts); they still fall back to it, cut to fit.
    pub local_max_tokens: usize,
    /// When the remote side fails: answer with the local model (marked degraded).
    pub fallback: bool,
    /// After a failure, skip the remote side for this many seconds, then until a health check
    /// passes.
    pub cooldown_s: u64,
}

impl Default for RouterSettings {
    fn default() -> Self {
        Self {
            inline: Preference::Local,
            explain: Preference::Auto,
            chat: Preference::Remote,
            small_tokens: 120,
            local_max_tokens: 3000,
            fallback: true,
            cooldown_s: 30,
        }
    }
}

/// `[privacy]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacySettings {
    /// Nothing leaves the machine (also `TANDEM_LOCAL_ONLY=1`).
    pub local_only: bool,
    /// Globs of files never sent to a remote model, added to the built-in ones (`.env*`, `*.pem`,
    /// `*.key`, `id_*`, `*secret*`, `.git/`).
    pub exclude: Vec<String>,
    /// Redact secrets (keys, tokens, private keys, passwords, connection strings) from text bound
    /// for a remote model.
    pub redact: bool,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self { local_only: false, exclude: Vec::new(), redact: true }
    }
}
