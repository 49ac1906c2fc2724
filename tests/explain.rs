//! `tandem explain` as a user runs it, against a loopback OpenAI-compatible server and the real
//! local model: the remote answer streamed to stdout, `--json`, the fallback to the local model
//! (marked degraded), the remote side skipped on the next run while it is down, privacy
//! (exclusions, local-only mode, redaction on the wire), forced sides, exit codes, bad input.

#[path = "../crates/model/tests/support/loopback.rs"]
mod loopback;
#[path = "../crates/model/tests/support/model.rs"]
mod model;

use loopback::{Loopback, chat_answer, status};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const KEY: &str = "sk-cli-test-key-0123456789abcdef";

/// A `tandem` command isolated from the user's config and state, with the real model store.
fn tandem(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tandem"));
    c.env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env_remove("TANDEM_MODEL")
        .env_remove("TANDEM_REMOTE_URL")
        .env_remove("TANDEM_REMOTE_MODEL")
        .env_remove("TANDEM_REMOTE_API_KEY")
        .env_remove("TANDEM_LOCAL_ONLY")
        .stdin(Stdio::null());
    c
}

fn with_remote<'a>(c: &'a mut Command, url: &str) -> &'a mut Command {
    c.env("TANDEM_REMOTE_URL", url).env("TANDEM_REMOTE_MODEL", "big-coder").env("TANDEM_REMOTE_API_KEY", KEY)
}

/// Runs with a time limit: a hang fails the test.
fn output(c: &mut Command) -> Output {
    let child = c.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    rx.recv_timeout(Duration::from_secs(120)).expect("tandem explain hung").unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code_file(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        "def area(r):\n    return 3.14159 * r * r\n\n\ndef perimeter(r):\n    return 2 * 3.14159 * r\n",
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn the_remote_answer_streams_to_stdout_and_json_tells_the_route() {
    let home = tempfile::tempdir().unwrap();
    let file = code_file(home.path(), "geo.py");
    let server = Loopback::start(|_, _| chat_answer(&["`area` returns ", "the area of a circle."]));
    let o = output(with_remote(&mut tandem(home.path()), &server.url()).args([
        "explain",
        &format!("{file}:1-2"),
        "-q",
        "why multiply r twice?",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "`area` returns the area of a circle.\n");
    let r = &server.requests()[0];
    assert_eq!(r.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    let user = r.json()["messages"][1]["content"].as_str().unwrap().to_owned();
    assert!(
        user.contains("(lines 1-2)")
            && user.contains("```python\ndef area(r):\n    return 3.14159 * r * r\n```"),
        "{user}"
    );
    assert!(!user.contains("perimeter"), "only the selected lines are sent");
    assert!(!stderr(&o).contains(KEY));

    let o = output(
        with_remote(&mut tandem(home.path()), &server.url()).args(["explain", &file, "--json", "--remote"]),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["markdown"], "`area` returns the area of a circle.");
    assert_eq!(
        (v["model"].as_str(), v["route"].as_str(), v["degraded"].as_bool()),
        (Some("big-coder"), Some("remote"), Some(false))
    );
    assert_eq!(v["reason"], "remote model requested");
    assert_eq!((v["tokens"]["sent"].as_u64(), v["tokens"]["received"].as_u64()), (Some(10), Some(2)));
    assert!(v["timings_ms"]["total"].as_f64().unwrap() >= v["timings_ms"]["first_token"].as_f64().unwrap());
    assert!(!stdout(&o).contains(KEY));
}

#[test]
fn a_failing_remote_falls_back_to_the_local_model_and_is_skipped_next_time() {
    let home = tempfile::tempdir().unwrap();
    let file = code_file(home.path(), "geo.py");
    let server = Loopback::start(|_, _| status(500, &[], "the GPU caught fire"));
    let run = || {
        output(with_remote(&mut tandem(home.path()), &server.url()).args([
            "explain",
            &file,
            "--json",
            "--max-tokens",
            "12",
            "-q",
            "is this design sound?",
            "--model",
            "qwen2.5-coder-0.5b",
        ]))
    };
    let o = run();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["route"], "local");
    assert_eq!(v["model"], "qwen2.5-coder-0.5b");
    assert_eq!(v["degraded"], true);
    let why = v["degraded_reason"].as_str().unwrap();
    assert!(why.contains("HTTP 500") && why.contains("the GPU caught fire"), "{why}");
    assert!(!v["markdown"].as_str().unwrap().trim().is_empty(), "the local model answered");
    assert!(stderr(&o).contains("answering with the local model"), "{}", stderr(&o));
    let asked = server.requests().len();
    assert_eq!(asked, 3, "the first try and two retries");

    // The next run knows the remote side is down: local at once, nothing sent.
    let o = run();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["route"].as_str(), v["degraded"].as_bool()), (Some("local"), Some(false)));
    assert!(v["reason"].as_str().unwrap().starts_with("remote unavailable"), "{v}");
    assert_eq!(server.requests().len(), asked);
}

#[test]
fn privacy_rules_and_forced_sides_have_their_exit_codes() {
    let home = tempfile::tempdir().unwrap();
    let server = Loopback::start(|_, _| chat_answer(&["never"]));
    let env_file = home.path().join("app/.env");
    std::fs::create_dir_all(env_file.parent().unwrap()).unwrap();
    std::fs::write(&env_file, "DATABASE_URL=postgres://u:pw@h/db\n").unwrap();
    let env_file = env_file.display().to_string();
    let o =
        output(with_remote(&mut tandem(home.path()), &server.url()).args(["explain", &env_file, "--remote"]));
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("matches the privacy exclusion rule `.env*`"), "{}", stderr(&o));

    let file = code_file(home.path(), "geo.py");
    let o = output(
        with_remote(&mut tandem(home.path()), &server.url())
            .env("TANDEM_LOCAL_ONLY", "1")
            .args(["explain", &file, "--remote"]),
    );
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("local-only mode"), "{}", stderr(&o));

    let o = output(tandem(home.path()).args(["explain", &file, "--remote"]));
    assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    assert!(stderr(&o).contains("no remote model is configured"), "{}", stderr(&o));
    assert!(server.requests().is_empty(), "nothing left the machine");

    let failing = Loopback::start(|_, _| status(503, &[], "maintenance"));
    let o =
        output(with_remote(&mut tandem(home.path()), &failing.url()).args(["explain", &file, "--remote"]));
    assert_eq!(o.status.code(), Some(4), "{}", stderr(&o));
    assert!(
        stderr(&o).starts_with("tandem: error: the remote model failed")
            && stderr(&o).contains("maintenance")
    );
}

/// A link does not launder a file: the rules hold for what it points to, inside the workspace
/// or outside it, whatever the link is called, and from whatever directory the command runs.
#[cfg(unix)]
#[test]
fn links_to_excluded_files_are_refused_like_the_files() {
    let home = tempfile::tempdir().unwrap();
    let server = Loopback::start(|_, _| chat_answer(&["never"]));
    let ws = home.path().join("app");
    std::fs::create_dir_all(ws.join(".git")).unwrap();
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(ws.join(".env.production"), "API_TOKEN=sk-live-abcdefghijklmnopqrstuvwx\n").unwrap();
    let keys = home.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    std::fs::write(keys.join("id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n").unwrap();
    std::os::unix::fs::symlink(".env.production", ws.join("notes.py")).unwrap();
    std::os::unix::fs::symlink(keys.join("id_ed25519"), ws.join("keyfile.txt")).unwrap();
    let vault = home.path().join("secrets");
    std::fs::create_dir_all(&vault).unwrap();
    std::fs::write(vault.join("config.py"), "DB_PASSWORD = 'x'\n").unwrap();
    std::os::unix::fs::symlink(&vault, ws.join("src/docs")).unwrap();
    for (dir, file, rule) in [
        (&ws, "notes.py", ".env*"),
        (&ws, "keyfile.txt", "id_*"),
        (&ws.join("src"), "docs/config.py", "*secret*"),
        (&ws.join("src"), "../notes.py", ".env*"),
    ] {
        let o = output(
            with_remote(&mut tandem(home.path()), &server.url())
                .current_dir(dir)
                .args(["explain", file, "--remote"]),
        );
        assert_eq!(o.status.code(), Some(5), "{file}: {}", stderr(&o));
        assert!(stderr(&o).contains(&format!("privacy exclusion rule `{rule}`")), "{file}: {}", stderr(&o));
    }
    assert!(server.requests().is_empty(), "nothing left the machine");
}

#[test]
fn a_planted_secret_in_a_file_never_reaches_the_server() {
    let home = tempfile::tempdir().unwrap();
    let server = Loopback::start(|_, _| chat_answer(&["It configures the client."]));
    let file = home.path().join("client.py");
    let secret = "sk-proj-PLANTEDSECRET0123456789xyz";
    std::fs::write(&file, format!("import openai\n\nclient = openai.Client(api_key=\"{secret}\")\n"))
        .unwrap();
    let o = output(with_remote(&mut tandem(home.path()), &server.url()).args([
        "explain",
        &file.display().to_string(),
        "--remote",
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let wire = String::from_utf8_lossy(&server.received_bytes()).into_owned();
    assert!(wire.contains("openai.Client(api_key=") && wire.contains("[REDACTED]"), "{wire}");
    assert!(!wire.contains(secret));
}

#[test]
fn stdin_local_and_bad_input() {
    let home = tempfile::tempdir().unwrap();
    let mut child = tandem(home.path())
        .args(["explain", "-", "--path", "add.rs", "--local", "--json", "--max-tokens", "8"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["route"].as_str(), v["reason"].as_str()), (Some("local"), Some("local model requested")));
    assert!(v["tokens"]["received"].as_u64().unwrap() > 0);

    let file = code_file(home.path(), "geo.py");
    let binary = home.path().join("b.bin");
    std::fs::write(&binary, b"\x7fELF\0\0").unwrap();
    let empty = home.path().join("empty.py");
    std::fs::write(&empty, "\n\n").unwrap();
    let cases: Vec<(Vec<String>, i32, &str)> = vec![
        (vec![format!("{file}:7-9")], 1, "lines 7-9 are outside the file (6 lines)"),
        (vec![format!("{file}:5-3")], 1, "ends before it starts"),
        (vec![format!("{file}:0-3")], 1, "lines must be numbers from 1"),
        (vec![home.path().join("none.py").display().to_string()], 1, "cannot read"),
        (vec![binary.display().to_string()], 1, "looks like a binary file"),
        (vec![empty.display().to_string()], 1, "nothing to explain"),
        (vec![file.clone(), "--local".into(), "--remote".into()], 2, "cannot be used with"),
        (vec![], 2, "Usage"),
    ];
    for (args, code, needle) in cases {
        let o = output(tandem(home.path()).arg("explain").args(&args));
        assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn explanations_prefer_the_larger_local_model_when_it_is_installed() {
    let home = tempfile::tempdir().unwrap();
    let file = code_file(home.path(), "geo.py");
    let models = home.path().join("data/tandem/models");
    std::fs::create_dir_all(&models).unwrap();
    // Installed as far as the store can tell (the right size), but not a model: loading it fails
    // with its name, which shows it was the one chosen.
    let larger = std::fs::File::create(models.join("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")).unwrap();
    larger.set_len(model::manifest().model("qwen2.5-coder-1.5b").unwrap().size).unwrap();
    let o =
        output(tandem(home.path()).env("XDG_DATA_HOME", home.path().join("data")).args(["explain", &file]));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("qwen2.5-coder-1.5b"), "{}", stderr(&o));
    let o = output(tandem(home.path()).env("XDG_DATA_HOME", home.path().join("data")).args([
        "explain",
        &file,
        "--model",
        "qwen2.5-coder-0.5b",
    ]));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("model `qwen2.5-coder-0.5b` is not installed"), "{}", stderr(&o));
}

#[test]
fn no_model_at_all_and_bad_remote_config() {
    let home = tempfile::tempdir().unwrap();
    let file = code_file(home.path(), "geo.py");
    let o =
        output(tandem(home.path()).env("XDG_DATA_HOME", home.path().join("data")).args(["explain", &file]));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("no local model is available") && stderr(&o).contains("tandem model pull"),
        "{}",
        stderr(&o)
    );

    let config = home.path().join("config/tandem");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "[remote]\nurl = \"ftp://example.invalid\"\nmodel = \"m\"\n")
        .unwrap();
    let o = output(tandem(home.path()).args(["explain", &file]));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("url must start with http:// or https://"), "{}", stderr(&o));

    std::fs::write(config.join("config.toml"), "[remote]\nurl = \"http://127.0.0.1:9/v1\"\nmodle = \"m\"\n")
        .unwrap();
    let o = output(tandem(home.path()).args(["explain", &file]));
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown field `modle`"), "{}", stderr(&o));
}
