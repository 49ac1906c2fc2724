//! The remote model's settings (`[remote]` in the config file): an OpenAI-compatible endpoint,
//! its model, where the API key comes from, extra headers, timeouts and retries.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How fill-in-the-middle prompts are sent to a remote completion model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemoteFim {
    /// The prompt text sent to `/v1/completions`, with `{prefix}` and `{suffix}` filled in.
    /// The default is Qwen2.5-Coder's layout; an empty template sends the prefix as `prompt`
    /// and the suffix in the `suffix` field instead.
    pub template: String,
}

impl Default for RemoteFim {
    fn default() -> Self {
        Self { template: "<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>".into() }
    }
}

/// `[remote]`: an OpenAI-compatible endpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemoteSettings {
    /// Base URL up to and including `/v1` (e.g. `http://127.0.0.1:8000/v1`). Empty: no remote.
    pub url: String,
    /// The model id sent in each request.
    pub model: String,
    /// The environment variable that holds the API key (never the key itself). Empty: no key.
    pub api_key_env: String,
    /// Extra HTTP headers sent with every request (e.g. OpenRouter's `HTTP-Referer`).
    pub headers: BTreeMap<String, String>,
    /// Milliseconds to open the connection (TCP and TLS).
    pub connect_timeout_ms: u64,
    /// Milliseconds from sending the request to the first token.
    pub first_token_timeout_ms: u64,
    /// Milliseconds the stream may stay silent between tokens.
    pub idle_timeout_ms: u64,
    /// Milliseconds for the whole request, retries included.
    pub total_timeout_ms: u64,
    /// Attempts after the first when a request fails before its first token.
    pub retries: u32,
    /// Wait before the first retry, doubled for each next one (a 429's `Retry-After` wins).
    pub backoff_ms: u64,
    /// Most tokens of an answer.
    pub max_tokens: usize,
    /// Sampling temperature sent with chat requests.
    pub temperature: f32,
    /// The model behind `url` is a completion model: fill-in-the-middle prompts go to
    /// `/v1/completions`.
    pub fim: RemoteFim,
}

impl Default for RemoteSettings {
    fn default() -> Self {
        Self {
            url: String::new(),
            model: String::new(),
            api_key_env: "TANDEM_REMOTE_API_KEY".into(),
            headers: BTreeMap::new(),
            connect_timeout_ms: 3000,
            first_token_timeout_ms: 20000,
            idle_timeout_ms: 15000,
            total_timeout_ms: 120000,
            retries: 2,
            backoff_ms: 500,
            max_tokens: 1024,
            temperature: 0.2,
            fim: RemoteFim::default(),
        }
    }
}

impl RemoteSettings {
    /// Whether a remote model is configured at all.
    pub fn is_configured(&self) -> bool {
        !self.url.trim().is_empty() && !self.model.trim().is_empty()
    }
}
