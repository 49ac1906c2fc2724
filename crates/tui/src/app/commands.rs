//! The slash commands: one table (name, aliases, arguments, help) that dispatching and `/help`
//! both read, and what each command does.

use super::{App, Command};
use crate::session::{Level, Session};
use tandem_core::Side;

/// A slash command as listed by `/help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlashCommand {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// The arguments, as shown (empty for none).
    pub args: &'static str,
    pub help: &'static str,
}

/// Every slash command, in `/help` order.
pub const COMMANDS: &[SlashCommand] = &[
    SlashCommand { name: "explain", aliases: &[], args: "[question]", help: "explain the attached code" },
    SlashCommand {
        name: "context",
        aliases: &[],
        args: "[drop N|PATH | clear]",
        help: "what is attached; drop one attachment, or all",
    },
    SlashCommand {
        name: "model",
        aliases: &[],
        args: "[NAME]",
        help: "show or switch: auto, local, remote, a local model",
    },
    SlashCommand {
        name: "clear",
        aliases: &[],
        args: "",
        help: "a new conversation (the old one stays saved)",
    },
    SlashCommand {
        name: "save",
        aliases: &[],
        args: "[FILE]",
        help: "save now; with FILE, also write it there as Markdown",
    },
    SlashCommand {
        name: "resume",
        aliases: &[],
        args: "[N|ID]",
        help: "list saved conversations, or continue one",
    },
    SlashCommand { name: "help", aliases: &["h", "?"], args: "", help: "this help" },
    SlashCommand {
        name: "quit",
        aliases: &["exit", "q"],
        args: "",
        help: "leave (the conversation is saved)",
    },
];

const ATTACHING: &str = "\
Attaching
  @path or @path:10-40 in a message attaches a file or lines (Tab completes);
  a message of only @paths just attaches them";

const KEYS: &str = "\
Keys
  Enter send · Alt-Enter or Ctrl-J new line · Up/Down, Ctrl-P/N history
  Esc or Ctrl-C stop an answer · Ctrl-C clears the input; twice quits
  Ctrl-D on an empty input quits · PgUp/PgDn scroll
  Esc moves to the conversation: vim j/k, Ctrl-D/U, Ctrl-F/B, g/G;
  emacs Ctrl-N/P, Ctrl-V, Alt-V, Alt-< Alt->; i, Enter or Esc return";

/// The text of `/help`, written from [`COMMANDS`].
pub fn help() -> String {
    let usage = |c: &SlashCommand| {
        if c.args.is_empty() { format!("/{}", c.name) } else { format!("/{} {}", c.name, c.args) }
    };
    let width = COMMANDS.iter().map(|c| usage(c).chars().count()).max().unwrap_or(0);
    let mut s = String::from("Commands");
    for c in COMMANDS {
        s.push_str(&format!("\n  {:width$}  {}", usage(c), c.help));
    }
    format!("{s}\n{ATTACHING}\n{KEYS}")
}

/// The command `word` names (by name or alias).
pub fn find(word: &str) -> Option<&'static SlashCommand> {
    COMMANDS.iter().find(|c| c.name == word || c.aliases.contains(&word))
}

const BUSY: &str = "an answer is still coming: wait, or press Esc to stop it";
const STOP_FIRST: &str = "stop the answer first (Esc)";

impl App {
    pub(super) fn command(&mut self, line: &str) -> Vec<Command> {
        let (word, arg) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let arg = arg.trim();
        let Some(c) = find(word) else {
            self.notice(Level::Error, format!("unknown command /{word} (/help lists them)"));
            return Vec::new();
        };
        match c.name {
            "explain" => return self.explain_command(arg),
            "context" => self.context_command(arg),
            "model" => return self.model_command(arg),
            "clear" => return self.clear_command(),
            "save" => return self.save_command(arg),
            "resume" => {
                if self.generating.is_some() {
                    self.flash = Some(STOP_FIRST.into());
                } else {
                    return vec![Command::ListSessions { pick: arg.to_owned() }];
                }
            }
            "help" => self.notice(Level::Info, help()),
            "quit" => return self.quit(),
            other => unreachable!("/{other} is in the table but not dispatched"),
        }
        Vec::new()
    }

    fn explain_command(&mut self, arg: &str) -> Vec<Command> {
        if self.attachments.is_empty() {
            self.notice(Level::Error, "nothing is attached: attach code first with @path or @path:10-40");
            return Vec::new();
        }
        if self.generating.is_some() {
            self.flash = Some(BUSY.into());
            return Vec::new();
        }
        let what = self.attachments.iter().map(|a| format!("`{}`", a.label())).collect::<Vec<_>>();
        let mut q = format!(
            "Explain the attached code ({}): what it does, how, and anything surprising or risky.",
            what.join(", ")
        );
        if !arg.is_empty() {
            q.push_str(&format!(" {arg}"));
        }
        self.ask(q)
    }

    fn clear_command(&mut self) -> Vec<Command> {
        if self.generating.is_some() {
            self.flash = Some(STOP_FIRST.into());
            return Vec::new();
        }
        let saved = self.save().into_iter().collect();
        self.session = Session::new();
        self.sync_refs();
        self.scroll = None;
        self.notice(Level::Info, "new conversation (the previous one is saved: /resume)");
        saved
    }

    fn context_command(&mut self, arg: &str) {
        let (verb, what) = arg.split_once(char::is_whitespace).unwrap_or((arg, ""));
        match verb {
            "" => {
                if self.attachments.is_empty() {
                    self.notice(Level::Info, "nothing is attached (attach with @path or @path:10-40)");
                    return;
                }
                let mut s = String::from("attached:");
                for (i, a) in self.attachments.iter().enumerate() {
                    s.push_str(&format!(
                        "\n  {}. {} ({} tokens)",
                        i + 1,
                        a.label(),
                        self.host.count_tokens(&a.text)
                    ));
                }
                if let Some(m) = &self.map {
                    s.push_str(&format!("\n  workspace map ({} tokens)", self.host.count_tokens(m)));
                }
                s.push_str(&format!(
                    "\n{} tokens in all; /context drop N|PATH, /context clear",
                    self.context_tokens
                ));
                self.notice(Level::Info, s);
            }
            "clear" => {
                self.attachments.clear();
                self.after_detach("detached everything".into());
            }
            "drop" | "detach" | "rm" => {
                let what = what.trim();
                let index = what.parse::<usize>().ok().filter(|&n| n >= 1 && n <= self.attachments.len());
                let found = index.map(|n| n - 1).or_else(|| {
                    self.attachments
                        .iter()
                        .position(|a| a.label() == what || a.path == what.trim_start_matches('@'))
                });
                match found {
                    Some(i) => {
                        let a = self.attachments.remove(i);
                        self.after_detach(format!("detached {}", a.label()));
                    }
                    None => self
                        .notice(Level::Error, format!("`{what}` is not attached (/context lists what is)")),
                }
            }
            _ => self.notice(
                Level::Error,
                format!("/context {verb}: use /context, /context drop N|PATH, /context clear"),
            ),
        }
    }

    fn after_detach(&mut self, what: String) {
        self.sync_refs();
        self.refresh_context();
        self.notice(Level::Info, format!("{what} ({} tokens of context left)", self.context_tokens));
    }

    fn model_command(&mut self, arg: &str) -> Vec<Command> {
        let remote = self.models.remote.clone();
        match arg {
            "" => {
                let mut s = match &self.next_route {
                    Some(Ok(d)) => format!(
                        "the next question goes to {} ({}): {}",
                        self.model_on(d.side),
                        d.side.as_str(),
                        d.reason
                    ),
                    Some(Err(e)) => format!("the router would refuse the next question: {e}"),
                    None => "the router has not said yet where the next question goes".to_owned(),
                };
                s.push_str("\nchoices: auto, local");
                if remote.is_some() {
                    s.push_str(", remote");
                }
                for m in &self.models.local_choices {
                    s.push_str(&format!(", {m}"));
                }
                if self.models.local_only {
                    s.push_str("\n(local-only mode: nothing is sent to a remote model)");
                }
                self.notice(Level::Info, s);
            }
            "auto" => {
                self.force = None;
                self.model_switched();
            }
            "local" => {
                self.force = Some(Side::Local);
                self.model_switched();
            }
            "remote" => match (&remote, self.models.local_only) {
                (_, true) => self.notice(Level::Error, "local-only mode is on: nothing is sent to a remote model"),
                (None, _) => self.notice(
                    Level::Error,
                    "no remote model is configured (set [remote] url and model in the config, or TANDEM_REMOTE_URL and TANDEM_REMOTE_MODEL)",
                ),
                (Some(_), _) => {
                    self.force = Some(Side::Remote);
                    self.model_switched();
                }
            },
            name if self.models.local_choices.iter().any(|m| m == name) => {
                if self.generating.is_some() {
                    self.flash = Some(STOP_FIRST.into());
                    return Vec::new();
                }
                self.models.local = name.to_owned();
                self.force = Some(Side::Local);
                self.notice(Level::Info, format!("switched to the local model {name} (it loads with the next question)"));
                return vec![Command::SwitchLocal(name.to_owned())];
            }
            other => self.notice(Level::Error, format!("unknown model `{other}` (/model lists the choices)")),
        }
        Vec::new()
    }

    /// Says what `/model auto|local|remote` chose; where the next question goes is the router's
    /// to say (the status line shows it once the runner has asked).
    fn model_switched(&mut self) {
        let s = match self.force {
            None => "the router decides which model answers each question".to_owned(),
            Some(side) => format!("answering with the {} model {}", side.as_str(), self.model_on(side)),
        };
        self.notice(Level::Info, s);
    }

    /// `/save`: save now (and say so); `/save FILE`: also write the conversation there.
    fn save_command(&mut self, arg: &str) -> Vec<Command> {
        if arg.is_empty() {
            return match self.save_as(true) {
                Some(c) => vec![c],
                None => {
                    self.notice(Level::Info, "nothing to save yet");
                    Vec::new()
                }
            };
        }
        let mut cmds: Vec<Command> = self.save().into_iter().collect();
        cmds.push(Command::WriteMarkdown { path: arg.to_owned(), markdown: self.session.to_markdown() });
        cmds
    }

    /// The saved sessions came (for `/resume`): list them, or continue the one picked.
    pub(super) fn sessions(&mut self, pick: &str, sessions: Vec<Session>) -> Vec<Command> {
        let sessions: Vec<Session> =
            sessions.into_iter().filter(|s| s.id != self.session.id).take(20).collect();
        if pick.is_empty() {
            if sessions.is_empty() {
                self.notice(Level::Info, "no saved conversations yet");
                return Vec::new();
            }
            let mut s = String::from("saved conversations (/resume N):");
            for (i, x) in sessions.iter().enumerate().take(10) {
                s.push_str(&format!(
                    "\n  {}. {}  ({} messages, {})",
                    i + 1,
                    x.title(),
                    x.entries.len(),
                    x.id
                ));
            }
            self.notice(Level::Info, s);
            return Vec::new();
        }
        let chosen = match pick.parse::<usize>() {
            Ok(n) if n >= 1 && n <= sessions.len() => Some(sessions[n - 1].clone()),
            _ => sessions.into_iter().find(|s| s.id == pick),
        };
        let Some(s) = chosen else {
            self.notice(Level::Error, format!("no saved conversation `{pick}` (/resume lists them)"));
            return Vec::new();
        };
        let mut cmds: Vec<Command> = self.save().into_iter().collect();
        let title = s.title();
        cmds.extend(self.resume(s));
        self.notice(Level::Info, format!("resumed “{title}”"));
        cmds
    }
}
