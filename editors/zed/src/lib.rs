//! Zed extension: registers `tandem lsp` as a language server for common languages. Zed has no
//! LSP inline completions, so tandem's suggestions arrive through `textDocument/completion`
//! in the completion menu, next to the other servers' items.

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result, Worktree};

struct Tandem;

const NOT_FOUND: &str = "tandem: the `tandem` binary was not found on PATH. Build it (`cargo build \
--release` in the tandem repository) and put target/release/tandem on PATH, or set \
\"lsp\": { \"tandem\": { \"binary\": { \"path\": \"/path/to/tandem\" } } } in Zed's settings.";

impl zed::Extension for Tandem {
    fn new() -> Self {
        Tandem
    }

    /// `tandem lsp`, from `lsp.tandem.binary` in the settings, else `tandem` on PATH.
    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.binary);
        let command = binary
            .as_ref()
            .and_then(|b| b.path.clone())
            .or_else(|| worktree.which("tandem"))
            .ok_or_else(|| NOT_FOUND.to_string())?;
        let args = binary.as_ref().and_then(|b| b.arguments.clone()).unwrap_or_else(|| vec!["lsp".into()]);
        let mut env = worktree.shell_env();
        env.extend(binary.and_then(|b| b.env).unwrap_or_default());
        Ok(zed::Command { command, args, env })
    }

    /// `lsp.tandem.initialization_options` from the settings, e.g. `{ "completion": { ... } }`.
    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree).ok().and_then(|s| s.initialization_options))
    }
}

zed::register_extension!(Tandem);
