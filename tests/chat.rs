//! `tandem chat` in a real terminal: tmux runs it against the real local model; keys are sent
//! and the pane is read back. Checks that a question and its streamed answer appear, that the
//! conversation is saved, and that the terminal is back to normal after quitting with Ctrl-C
//! and after SIGTERM. Needs tmux (`scripts/test` installs it when missing).

#[path = "../crates/model/tests/support/model.rs"]
mod model;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own, killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(dir: &Path, command: &str) -> Self {
        let available = Command::new("tmux").arg("-V").output().is_ok_and(|o| o.status.success());
        assert!(available, "tmux is needed for the terminal test (scripts/test installs it)");
        let socket =
            format!("tandem-test-{}-{}", std::process::id(), dir.file_name().unwrap().to_string_lossy());
        let t = Self { socket };
        let status = t
            .cmd()
            .args(["new-session", "-d", "-x", "100", "-y", "30", "-s", "chat", "-c"])
            .arg(dir)
            .arg(command)
            .status()
            .unwrap();
        assert!(status.success(), "tmux new-session failed");
        t
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }

    fn keys(&self, keys: &[&str]) {
        assert!(self.cmd().args(["send-keys", "-t", "chat"]).args(keys).status().unwrap().success());
    }

    fn text(&self, text: &str) {
        assert!(self.cmd().args(["send-keys", "-t", "chat", "-l", text]).status().unwrap().success());
    }

    fn pane(&self) -> String {
        let out = self.cmd().args(["capture-pane", "-p", "-t", "chat"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the pane satisfies `ok`, failing with the pane's text after `limit`.
    fn wait_for(&self, what: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let pane = self.pane();
            if ok(&pane) {
                return pane;
            }
            assert!(start.elapsed() < limit, "timed out waiting for {what}; the pane:\n{pane}");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// A project with one file, and the shell command that runs the chat in it isolated from the
/// user's config and sessions, then reports how it ended and the terminal's modes.
fn setup(dir: &Path, chat_args: &str) -> String {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n").unwrap();
    let bin = env!("CARGO_BIN_EXE_tandem");
    let model = model::model_path();
    format!(
        "env -u TANDEM_REMOTE_URL -u TANDEM_REMOTE_MODEL XDG_CONFIG_HOME={d}/config XDG_STATE_HOME={d}/state \
         XDG_DATA_HOME={d}/data TANDEM_MODEL={m} TERM=xterm-256color \
         sh -c 'echo $$ > {d}/pid; exec {bin} chat {chat_args}'; \
         echo CHAT-EXITED $?; stty -a | tr -s ' ;\\n' '\\n\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 600",
        d = dir.display(),
        m = model.display(),
    )
}

/// The saved sessions: the store's `.json` files (a save in progress is a hidden temporary file
/// until its rename).
fn sessions(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("data/tandem/sessions"))
        .map(|d| {
            d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_question_gets_a_streamed_answer_and_the_terminal_is_restored() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(dir.path(), &setup(dir.path(), "src/lib.rs"));
    tmux.wait_for("the chat to start", Duration::from_secs(30), |p| {
        p.contains("┌ message") && p.contains("1 file")
    });

    tmux.text("What does add return? One sentence.");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the question", Duration::from_secs(10), |p| {
        p.contains("› you") && p.contains("What does add return? One sentence.")
    });
    // The answer is done when its header shows its tokens and time.
    let pane = tmux.wait_for("the answer", Duration::from_secs(240), |p| {
        p.lines().any(|l| l.starts_with("◆ tandem") && l.contains(" tok · "))
    });
    let lines: Vec<&str> = pane.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("◆ tandem")).unwrap();
    assert!(lines[header].contains("qwen2.5-coder-0.5b") && lines[header].contains("local"), "{pane}");
    let answer: String = lines[header + 1..]
        .iter()
        .take_while(|l| !l.starts_with('┌'))
        .map(|l| l.trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(answer.split_whitespace().count() >= 3, "an answer of some words:\n{pane}");
    assert!(!answer.contains("thinking…") && !answer.contains('✗'), "{pane}");
    assert!(pane.contains("│ last "), "the status line shows the last answer's tokens and time:\n{pane}");

    // Saved: the question and the whole answer.
    let saved = sessions(dir.path());
    assert_eq!(saved.len(), 1, "one session file");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&saved[0]).unwrap()).unwrap();
    assert_eq!(json["entries"][0]["text"], "What does add return? One sentence.");
    assert_eq!(json["entries"][1]["state"], "done");
    assert_eq!(json["attachments"][0]["path"], "src/lib.rs");

    // Ctrl-C twice on an empty input quits; the shell's screen and modes are back.
    tmux.keys(&["C-c"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux.keys(&["C-c"]);
    let pane = tmux.wait_for("the chat to exit", Duration::from_secs(10), |p| p.contains("CHAT-EXITED"));
    assert!(pane.contains("CHAT-EXITED 0"), "{pane}");
    assert!(!pane.contains("┌ message"), "the alternate screen is gone:\n{pane}");
    assert!(pane.contains("icanon echo"), "cooked mode with echo is back:\n{pane}");
}

/// Starts the chat, attaches the file and asks for a long answer; returns when it streams.
fn ask_for_a_long_answer(dir: &Path) -> Tmux {
    let tmux = Tmux::start(dir, &setup(dir, ""));
    tmux.wait_for("the chat to start", Duration::from_secs(30), |p| p.contains("┌ message"));
    tmux.text("@src/lib.rs");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the attachment", Duration::from_secs(10), |p| p.contains("attached src/lib.rs"));
    tmux.text("Write a long tutorial about add, with many examples.");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the answer to stream", Duration::from_secs(120), |p| p.contains('▌'));
    tmux
}

/// The saved session's first question and the state of its answer.
fn saved_answer(dir: &Path) -> (String, String, String) {
    let saved = sessions(dir);
    assert_eq!(saved.len(), 1, "one session file");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&saved[0]).unwrap()).unwrap();
    let e = &json["entries"];
    let last =
        e.as_array().unwrap().iter().rev().find(|x| x["kind"] == "assistant").cloned().unwrap_or_default();
    let question = e.as_array().unwrap().iter().find(|x| x["kind"] == "user").map(|x| x["text"].to_string());
    (question.unwrap_or_default(), last["state"].to_string(), last["text"].as_str().unwrap_or("").to_owned())
}

#[test]
fn sigterm_mid_answer_saves_it_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = ask_for_a_long_answer(dir.path());
    let pid = std::fs::read_to_string(dir.path().join("pid")).unwrap();
    let kill = format!("kill -TERM {}", pid.trim());
    assert!(Command::new("sh").args(["-c", &kill]).status().unwrap().success());
    let pane = tmux.wait_for("the chat to exit", Duration::from_secs(10), |p| p.contains("CHAT-EXITED"));
    assert!(pane.contains("CHAT-EXITED 0"), "{pane}");
    assert!(!pane.contains("┌ message"), "{pane}");
    assert!(pane.contains("icanon echo"), "{pane}");
    let (question, state, text) = saved_answer(dir.path());
    assert_eq!(question, "\"Write a long tutorial about add, with many examples.\"");
    assert_eq!(state, "\"interrupted\"");
    assert!(!text.is_empty(), "the part of the answer that came is kept");
}

#[test]
fn closing_the_terminal_mid_answer_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tmux = ask_for_a_long_answer(dir.path());
    // Closing the window hangs up on the chat (SIGHUP).
    assert!(tmux.cmd().args(["kill-window", "-t", "chat"]).status().unwrap().success());
    let start = Instant::now();
    loop {
        let (question, state, text) = saved_answer(dir.path());
        if state == "\"interrupted\"" {
            assert_eq!(question, "\"Write a long tutorial about add, with many examples.\"");
            assert!(!text.is_empty());
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the answer was not saved as interrupted: {state}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
