//! `tandem chat [FILE[:START-END]]...`: the terminal chat. This module gathers what the chat
//! needs from the environment — the workspace, the router, the sessions directory, the theme —
//! and hands it to `tandem-tui`.

use crate::config::{self, Config};
use crate::models::{self, Choice};
use crate::remote;
use anyhow::{Result, bail};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};
use tandem_core::Manifest;
use tandem_engine::Focus;
use tandem_engine::{Attachment, Router, Workspace};
use tandem_model::TextTokenizer;
use tandem_tui::attach;
use tandem_tui::session::Store;
use tandem_tui::{App, Host, Io, Models, Msg, Options, Services, Theme};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to attach: FILE, FILE:LINE or FILE:START-END (1-based, inclusive).
    files: Vec<String>,
    /// Continue the last conversation, or the one with this id.
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "")]
    resume: Option<String>,
    /// Answer with the local model only.
    #[arg(long, conflicts_with = "remote")]
    local: bool,
    /// Answer with the remote model only.
    #[arg(long)]
    remote: bool,
    /// Colours for a `dark` or `light` terminal (default: from COLORFGBG, else dark).
    #[arg(long, env = "TANDEM_THEME")]
    theme: Option<String>,
}

/// The sessions directory: `$XDG_DATA_HOME/tandem/sessions`, else `~/.local/share/tandem/sessions`.
pub fn sessions_dir() -> Option<PathBuf> {
    Some(config::xdg_dir("XDG_DATA_HOME", ".local/share")?.join("sessions"))
}

/// The theme asked for, else the one the terminal's `COLORFGBG` suggests (a background colour
/// of 7 or 9-15 is light), else dark.
fn theme(asked: Option<&str>) -> Result<Theme> {
    if let Some(name) = asked.filter(|n| !n.trim().is_empty() && n.trim() != "auto") {
        return Theme::named(name)
            .ok_or_else(|| anyhow::anyhow!("unknown theme `{name}` (dark, light or auto)"));
    }
    let bg = std::env::var("COLORFGBG").ok().and_then(|v| v.rsplit(';').next()?.parse::<u8>().ok());
    Ok(match bg {
        Some(7 | 9..=15) => Theme::light(),
        _ => Theme::dark(),
    })
}

struct ChatHost {
    tokenizer: Arc<OnceLock<TextTokenizer>>,
    workspace: Arc<Workspace>,
    router: Arc<Router>,
}

impl Host for ChatHost {
    fn count_tokens(&self, text: &str) -> usize {
        match self.tokenizer.get().and_then(|t| t.encode(text).ok()) {
            Some(ids) => ids.len(),
            None => text.len().div_ceil(4),
        }
    }

    fn workspace_map(&self, attachments: &[Attachment]) -> Option<String> {
        let focus: Vec<Focus<'_>> =
            attachments.iter().map(|a| Focus { path: &a.path, text: &a.text }).collect();
        self.workspace.map(&focus, &|s| self.count_tokens(s), self.router.rules())
    }
}

pub fn run(manifest: &Manifest, choice: &Choice, config: &Config, args: Args) -> Result<ExitCode> {
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        bail!(
            "`tandem chat` needs a terminal; in pipelines use `tandem explain` (see `tandem explain --help`)"
        );
    }
    let theme = theme(args.theme.as_deref())?;
    let cwd = std::env::current_dir()?;
    let root = crate::target::find_root(&cwd.join("."));
    let store =
        Store::new(sessions_dir().ok_or_else(|| anyhow::anyhow!("no home directory for the sessions"))?);

    let local_choice = remote::local_choice(manifest, choice);
    // The local model's file, when it is installed (its name is shown; its tokenizer counts).
    let resolved = models::resolve(manifest, &Choice { model: local_choice.model.clone(), pull: false }).ok();
    let local_name = match &resolved {
        Some(r) => r.name.clone(),
        None => local_choice.model.clone().unwrap_or_else(|| manifest.default.clone()),
    };
    let installed: Vec<String> = manifest
        .models
        .iter()
        .filter(|e| crate::store::is_present(e).unwrap_or(false))
        .map(|e| e.name.clone())
        .collect();
    let router = Arc::new(
        remote::router(config)?
            .with_local_loader(remote::local_loader(manifest.clone(), local_choice.clone())),
    );
    let force = remote::forced_side(args.local, args.remote);
    let models = Models {
        local: local_name.clone(),
        local_choices: installed,
        remote: router.remote().map(|r| r.info().model),
        local_only: config.privacy.local_only,
    };

    // The workspace index and the tokenizer come in the background; until then the map is empty
    // and tokens are estimated.
    let workspace = Arc::new(Workspace::default());
    workspace.set_root(Some(root.clone()));
    router.set_root(Some(&root));
    let tokenizer = Arc::new(OnceLock::new());
    {
        let (workspace, tokenizer) = (workspace.clone(), tokenizer.clone());
        std::thread::spawn(move || {
            if let Some(t) = resolved.and_then(|r| TextTokenizer::load(&r.path).ok()) {
                let _ = tokenizer.set(t);
            }
            workspace.scan();
        });
    }
    let workspace_name = workspace.name();
    let host = ChatHost { tokenizer, workspace, router: router.clone() };
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from);
    let options = Options {
        root: root.clone(),
        home,
        store: store.clone(),
        models,
        theme,
        force,
        workspace: workspace_name,
    };
    let io = Io::new(&options);
    let mut app = App::new(options, Box::new(host));

    if let Some(id) = &args.resume {
        let session = if id.is_empty() {
            store.last().ok_or_else(|| {
                anyhow::anyhow!("no saved conversation to resume in {}", store.dir().display())
            })?
        } else {
            store.load(id)?
        };
        // Its attachments are read again now (the app itself does no I/O).
        tandem_tui::settle(&mut app, &io, Msg::Resume(Box::new(session)));
    }
    // Paths on the command line are relative to the current directory; one that cannot be read
    // ends the command before the chat starts.
    let mut results = Vec::new();
    for f in &args.files {
        let (path, lines) = tandem_core::reference::parse_ref(f).map_err(anyhow::Error::msg)?;
        let mut reference = attach::display(&root, &std::path::absolute(path)?);
        if let Some((a, b)) = lines {
            reference.push_str(&format!(":{a}-{b}"));
        }
        let attachment = attach::load(&io.root, io.home.as_deref(), &reference)?;
        results.push((reference, Ok(attachment)));
    }
    if !results.is_empty() {
        app.update(Msg::Attached { purpose: tandem_tui::app::Purpose::Quiet, results });
    }

    let switch_router = router.clone();
    let manifest = manifest.clone();
    let services = Services {
        router: router.clone(),
        switch_local: Box::new(move |name| {
            let choice = Choice { model: Some(name.to_owned()), pull: false };
            models::resolve(&manifest, &choice).map_err(|e| format!("{e:#}"))?;
            switch_router.set_local_loader(remote::local_loader(manifest.clone(), choice));
            Ok(())
        }),
        // When the router says the first question goes to the local model (the runner asks it).
        preload: true,
        io,
    };
    tandem_tui::run(app, services)?;
    remote::save_health(config, &router);
    Ok(ExitCode::SUCCESS)
}
