//! The transport under hostile input: messages tower-lsp-server cannot decode, broken framing,
//! and a client that reads neither stdout nor stderr. Each is tested in process (over in-memory
//! pipes) and against the built binary over real stdio pipes; property tests feed arbitrary byte
//! streams and messages and check the session goes on. Deadlines here only turn a hang into a
//! failure; nothing is timed.

use proptest::prelude::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;
use tandem_core::CompletionSettings;
use tandem_lsp::framing::frame;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

#[path = "support/client.rs"]
mod client;
#[path = "support/frames.rs"]
mod frames;
use client::Client;

/// Generous: a failure deadline for a server that stopped, not a measure of speed.
const DEADLINE: Duration = Duration::from_secs(120);

/// A server without a model (the loader fails): enough for `tandem/metrics`.
fn options() -> tandem_lsp::Options {
    tandem_lsp::Options {
        settings: CompletionSettings::default(),
        loader: Box::new(|| Err(tandem_engine::LoadError::Failed("no model in the transport tests".into()))),
        metrics_file: None,
        log_requests: false,
        router: None,
    }
}

async fn session() -> Client {
    let o = options();
    let mut c = Client::start(o.loader, o.settings, None).await;
    c.initialize(json!({}), Value::Null).await;
    c
}

/// The session still works: `tandem/metrics` gets its answer.
async fn answers_metrics(c: &mut Client) {
    let r = c.request("tandem/metrics", Value::Null).await;
    assert!(r["result"]["state"].is_string(), "{r}");
}

fn is_error(m: &Value, code: i64, id: &Value) -> bool {
    m.get("method").is_none() && m["error"]["code"] == code && &m["id"] == id
}

/// Bodies that must not reach tower-lsp-server as they are: ones it cannot decode (any of them
/// used to end the session) and ones that are not JSON-RPC 2.0, with the error code and id each
/// is answered with. A request's id is echoed; a response's never is (it is one of the server's
/// ids, and the client would take the error for the answer to its own request of that number).
fn undecodable() -> Vec<(Vec<u8>, i64, Value)> {
    let request = |id: &str| format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tandem/metrics"}}"#);
    let mut cases: Vec<(String, i64, Value)> = Vec::new();
    for id in ["1.5", "1e3", "1.0", "-0", "18446744073709551615", "true", "[1]", r#"{"a":1}"#] {
        cases.push((request(id), -32600, Value::Null));
    }
    let deep = |n: usize| {
        format!(
            r#"{{"jsonrpc":"2.0","id":1009,"method":"tandem/metrics","params":{}{}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    cases.extend([
        (r#"{"jsonrpc":"2.0","id":1,"id":2,"method":"tandem/metrics"}"#.into(), -32600, Value::Null),
        (r#"{"jsonrpc":"2.0","id":1001,"method":"tandem/metrics","method":"x"}"#.into(), -32600, json!(1001)),
        (
            r#"{"jsonrpc":"2.0","jsonrpc":"2.0","id":1002,"method":"tandem/metrics"}"#.into(),
            -32600,
            json!(1002),
        ),
        (r#"{"jsonrpc":"2","id":1003,"method":"tandem/metrics"}"#.into(), -32600, json!(1003)),
        (r#"{"jsonrpc":2.0,"id":1004,"method":"tandem/metrics"}"#.into(), -32600, json!(1004)),
        (r#"{"id":"no version","method":"tandem/metrics"}"#.into(), -32600, json!("no version")),
        (r#"{"jsonrpc":"2.0","id":1005,"method":null}"#.into(), -32600, json!(1005)),
        (
            r#"{"jsonrpc":"2.0","id":1006,"method":"tandem/metrics","params":"text"}"#.into(),
            -32600,
            json!(1006),
        ),
        (r#"{"jsonrpc":"2.0","id":1007,"method":"tandem/metrics","result":1}"#.into(), -32600, json!(1007)),
        (r#"{"jsonrpc":"2.0","id":1008,"params":{}}"#.into(), -32600, json!(1008)),
        (
            r#"{"jsonrpc":"2.0","id":7,"result":1,"error":{"code":1,"message":"m"}}"#.into(),
            -32600,
            Value::Null,
        ),
        (r#"{"jsonrpc":"2.0","id":7,"error":{"code":1.5,"message":"m"}}"#.into(), -32600, Value::Null),
        (r#"{"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"m","more":1}}"#.into(), -32600, Value::Null),
        (r#"{"jsonrpc":"2.0","result":1}"#.into(), -32600, Value::Null),
        (r#"[{"jsonrpc":"2.0","id":1,"method":"tandem/metrics"}]"#.into(), -32600, Value::Null),
        (r#""just a string""#.into(), -32600, Value::Null),
        (r#"{"jsonrpc":"2.0","method":"\ud800"}"#.into(), -32700, Value::Null),
        (deep(200), -32700, Value::Null),
        // Deep but within the limit: it reaches the server, which turns down the params.
        (deep(120), -32602, json!(1009)),
        (String::new(), -32700, Value::Null),
    ]);
    let mut cases: Vec<(Vec<u8>, i64, Value)> =
        cases.into_iter().map(|(b, c, i)| (b.into_bytes(), c, i)).collect();
    cases.push((b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}".to_vec(), -32700, Value::Null));
    cases
}

/// Broken framing, each followed by junk the way a client that lost count would send it.
fn broken_frames() -> Vec<Vec<u8>> {
    vec![
        b"Content-Length: -5\r\n\r\nhello".to_vec(),
        b"X-Junk: 1\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tandem/metrics\"}".to_vec(),
        b"stray bytes without a newline".to_vec(),
        vec![b'x'; 1 << 20],
        "X-Header: 1\r\n".repeat(1000).into_bytes(),
        b"Content-Length: 99999999999999999999\r\n\r\n{}".to_vec(),
        b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n123456".to_vec(),
        b"Content-Length: 3\r\nnot a header\r\n\r\n{}}".to_vec(),
    ]
}

// In process.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undecodable_messages_get_an_error_and_the_session_goes_on() {
    let mut c = session().await;
    for (body, code, id) in undecodable() {
        // Shown if the test fails.
        println!("sending {}", String::from_utf8_lossy(&body).chars().take(120).collect::<String>());
        c.send_raw(&body).await;
        answers_metrics(&mut c).await;
        // A reply the server itself makes may come after the answer.
        c.note(|m| is_error(m, code, &id)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framing_finds_the_next_message_after_a_broken_header() {
    let mut c = session().await;
    for junk in broken_frames() {
        c.out.write_all(&junk).await.unwrap();
        let mut ids = Vec::new();
        for _ in 0..20 {
            ids.push(c.send_request("tandem/metrics", Value::Null).await);
        }
        for id in ids {
            let r = c.response(id).await;
            assert!(r["result"]["state"].is_string(), "{r}");
        }
        let what = String::from_utf8_lossy(&junk[..junk.len().min(40)]).into_owned();
        assert!(c.notes.iter().any(|m| is_error(m, -32700, &Value::Null)), "no parse error for {what:?}");
        c.notes.clear();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_does_not_read_never_stops_the_server_reading() {
    const N: usize = 20_000;
    let (client_end, server_end) = tokio::io::duplex(1 << 16);
    let (sr, sw) = tokio::io::split(server_end);
    tokio::spawn(tandem_lsp::serve(sr, sw, options()));
    let (cr, mut cw) = tokio::io::split(client_end);
    // Nobody reads the server's output while it is answered N times: the writes must all go
    // through all the same.
    let flood: Vec<u8> = (0..N).flat_map(|_| frame(b"{oops")).collect();
    let written = tokio::time::timeout(DEADLINE, cw.write_all(&flood)).await;
    assert!(written.is_ok(), "the server stopped reading its input");
    // Now read: the replies waiting are bounded (the rest were dropped), and the session goes on.
    let (tx, mut inbox) = mpsc::unbounded_channel();
    tokio::spawn(frames::read_messages(cr, tx));
    let mut errors = 0;
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tandem/metrics"}),
    ];
    for request in requests {
        cw.write_all(&frame(request.to_string().as_bytes())).await.unwrap();
        loop {
            let m = tokio::time::timeout(DEADLINE, inbox.recv()).await.ok().flatten().expect("no answer");
            if m["id"] == request["id"] {
                assert!(m.get("result").is_some(), "{m}");
                break;
            }
            errors += usize::from(is_error(&m, -32700, &Value::Null));
        }
    }
    assert!(errors > 0 && errors < N / 4, "{errors} of {N} error replies were kept for the client");
}

// Over real stdio pipes, against the built binary.

/// `target/release/tandem`, beside this test's own directory (`target/release/deps`).
fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let bin = dir.join(format!("tandem{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: build it first (cargo build --release --bin tandem)",
        bin.display()
    );
    bin
}

/// `tandem lsp` in a home of its own (no config, no model: the load fails at once).
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    stderr: Option<ChildStderr>,
    inbox: Option<std_mpsc::Receiver<Value>>,
    _home: tempfile::TempDir,
}

impl Process {
    fn start(read_stderr: bool) -> Self {
        let home = tempfile::tempdir().unwrap();
        let mut child = Command::new(binary())
            .arg("lsp")
            .env_clear()
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .env("XDG_DATA_HOME", home.path())
            .env("XDG_STATE_HOME", home.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut p = Self {
            stdin: child.stdin.take(),
            stdout: child.stdout.take(),
            stderr: child.stderr.take(),
            child,
            inbox: None,
            _home: home,
        };
        if read_stderr {
            p.drain_stderr();
        }
        p
    }

    fn drain_stderr(&mut self) {
        let mut err = self.stderr.take().unwrap();
        std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    }

    fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).and_then(|()| stdin.flush()).expect("the server closed its input");
    }

    fn request(&mut self, id: i64, method: &str, params: Value) {
        self.write(&frame(
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string().as_bytes(),
        ));
    }

    /// Starts reading the server's output, one message at a time into `inbox`.
    fn read_stdout(&mut self) {
        let mut out = BufReader::new(self.stdout.take().unwrap());
        let (tx, rx) = std_mpsc::channel();
        std::thread::spawn(move || {
            while let Some(m) = read_message(&mut out) {
                if tx.send(m).is_err() {
                    return;
                }
            }
        });
        self.inbox = Some(rx);
    }

    /// The answer to request `id`, and the messages before it.
    fn answer(&mut self, id: i64) -> (Value, Vec<Value>) {
        let mut before = Vec::new();
        loop {
            let m = match self.inbox.as_ref().unwrap().recv_timeout(DEADLINE) {
                Ok(m) => m,
                Err(std_mpsc::RecvTimeoutError::Timeout) => panic!("no answer to {id}"),
                Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output: {:?}", self.child.try_wait())
                }
            };
            if m["id"] == id && m.get("method").is_none() {
                return (m, before);
            }
            before.push(m);
        }
    }

    /// Initializes the session; the messages before the answer.
    fn initialize(&mut self) -> Vec<Value> {
        self.request(0, "initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
        let (r, before) = self.answer(0);
        assert!(r["result"]["capabilities"].is_object(), "{r}");
        self.write(&frame(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#));
        before
    }

    /// `tandem/metrics` as request `id` gets its answer; the messages before it.
    fn answers_metrics(&mut self, id: i64) -> Vec<Value> {
        self.request(id, "tandem/metrics", Value::Null);
        let (r, before) = self.answer(id);
        assert!(r["result"]["state"].is_string(), "{r}");
        before
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One framed message from the server, or `None` at the end of its output.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = n.trim().parse().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

#[test]
fn stdio_undecodable_messages_get_an_error_and_the_session_goes_on() {
    let mut p = Process::start(true);
    p.read_stdout();
    p.initialize();
    for (i, (body, code, id)) in undecodable().into_iter().enumerate() {
        p.write(&frame(&body));
        let mut seen = p.answers_metrics(i as i64 + 1);
        // A reply the server itself makes may come after the answer.
        while !seen.iter().any(|m| is_error(m, code, &id)) {
            let m = p.inbox.as_ref().unwrap().recv_timeout(DEADLINE);
            let why = String::from_utf8_lossy(&body).chars().take(120).collect::<String>();
            seen.push(m.unwrap_or_else(|_| panic!("no error {code} with id {id} for {why}")));
        }
    }
}

#[test]
fn stdio_framing_finds_the_next_message_after_a_broken_header() {
    let mut p = Process::start(true);
    p.read_stdout();
    p.initialize();
    let mut id = 0;
    for junk in broken_frames() {
        p.write(&junk);
        let first = id + 1;
        for _ in 0..20 {
            id += 1;
            p.request(id, "tandem/metrics", Value::Null);
        }
        let mut seen = Vec::new();
        for id in first..=id {
            let (r, before) = p.answer(id);
            assert!(r["result"]["state"].is_string(), "{r}");
            seen.extend(before);
        }
        let what = String::from_utf8_lossy(&junk[..junk.len().min(40)]).into_owned();
        assert!(seen.iter().any(|m| is_error(m, -32700, &Value::Null)), "no parse error for {what:?}");
    }
}

#[test]
fn stdio_a_client_that_reads_neither_stdout_nor_stderr_never_stops_the_server_reading() {
    const N: usize = 20_000;
    // stdout and stderr are pipes nobody reads while the server answers and logs N bad frames.
    let mut p = Process::start(false);
    let flood: Vec<u8> = (0..N).flat_map(|_| frame(b"{oops")).collect();
    let mut stdin = p.stdin.take().unwrap();
    let (done, written) = std_mpsc::channel();
    std::thread::spawn(move || {
        let ok = stdin.write_all(&flood).and_then(|()| stdin.flush()).is_ok();
        let _ = done.send((ok, stdin));
    });
    let (ok, stdin) = written.recv_timeout(DEADLINE).expect("the server stopped reading its input");
    assert!(ok, "the server closed its input");
    p.stdin = Some(stdin);
    // Now read both: the replies kept are bounded, and the session goes on.
    p.drain_stderr();
    p.read_stdout();
    let mut before = p.initialize();
    before.extend(p.answers_metrics(1));
    let errors = before.iter().filter(|m| is_error(m, -32700, &Value::Null)).count();
    assert!(errors > 0 && errors < N / 4, "{errors} of {N} error replies were kept for the client");
}

// Property tests: whatever comes first, a valid request after it is answered.

/// Any JSON value, as text.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((".{0,6}", inner), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// JSON text for a message's field: any value, numbers spelled in ways a `Value` never writes,
/// nesting around serde_json's limit, and for `key` the values that make a real message.
fn field_text(key: &str) -> BoxedStrategy<String> {
    let any_text = prop_oneof![
        4 => json_value().prop_map(|v| v.to_string()),
        1 => prop_oneof![Just("1.5"), Just("1e3"), Just("-0"), Just("1.0"), Just("18446744073709551615")]
            .prop_map(str::to_owned),
        1 => "-?[0-9]{1,22}",
        1 => (100usize..140).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
    ]
    .boxed();
    let likely: BoxedStrategy<String> = match key {
        "jsonrpc" => Just(r#""2.0""#.to_owned()).boxed(),
        "method" => prop_oneof![
            Just("tandem/metrics"),
            Just("textDocument/inlineCompletion"),
            Just("textDocument/didOpen"),
            Just("$/cancelRequest"),
            Just("initialize"),
        ]
        .prop_map(|m| format!("\"{m}\""))
        .boxed(),
        "id" => prop_oneof![any::<i64>().prop_map(|n| n.to_string()), Just("null".to_owned())].boxed(),
        "error" => (any_text.clone(), json_value())
            .prop_map(|(code, message)| format!(r#"{{"code":{code},"message":{message}}}"#))
            .boxed(),
        _ => any_text.clone().boxed(),
    };
    // Never the two methods that end a session on purpose.
    prop_oneof![likely, any_text]
        .prop_filter("ends the session", |t| !matches!(t.as_str(), r#""exit""# | r#""shutdown""#))
        .boxed()
}

/// A message body: `jsonrpc` first (usually right), then fields in any order, any of them twice.
fn message() -> impl Strategy<Value = Vec<u8>> {
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("method".to_owned()),
        Just("params".to_owned()),
        Just("result".to_owned()),
        Just("error".to_owned()),
        Just("jsonrpc".to_owned()),
        "[a-z]{1,6}",
    ];
    let member = key.prop_flat_map(|k| (field_text(&k), Just(k)));
    (field_text("jsonrpc"), prop::collection::vec(member, 0..6)).prop_map(|(version, members)| {
        let members = members.into_iter().map(|(text, key)| format!("{}:{text}", json!(key)));
        let all: Vec<String> = std::iter::once(format!(r#""jsonrpc":{version}"#)).chain(members).collect();
        format!("{{{}}}", all.join(",")).into_bytes()
    })
}

/// Bytes a broken client might send: junk, pieces of headers, line ends, whole frames.
fn stream_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        Just(b"Content-Length: ".to_vec()),
        (0usize..300).prop_map(|n| format!("Content-Length: {n}\r\n").into_bytes()),
        Just(b"Content-Length: 99999999999999999999\r\n".to_vec()),
        Just(b"Content-Length: -1\r\n".to_vec()),
        Just(b"Content-Type: application/vscode-jsonrpc; charset=latin1\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        Just(b":".to_vec()),
        json_value().prop_map(|v| frame(v.to_string().as_bytes())),
        message().prop_map(|m| frame(&m)),
        message(),
    ]
}

/// After a stream that may end inside a header or a body: ends any body it started (pieces
/// declare fewer than 300 bytes) and any header line, so the next frame is read as one.
fn settle() -> Vec<u8> {
    [&b"\r\n"[..], &[b'x'; 512], b"\r\n"].concat()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn after_any_byte_stream_the_session_goes_on(pieces in prop::collection::vec(stream_piece(), 0..12)) {
        runtime().block_on(async {
            let mut c = session().await;
            c.out.write_all(&pieces.concat()).await.unwrap();
            c.out.write_all(&settle()).await.unwrap();
            answers_metrics(&mut c).await;
        });
    }

    #[test]
    fn after_any_messages_the_session_goes_on(messages in prop::collection::vec(message(), 1..8)) {
        runtime().block_on(async {
            let mut c = session().await;
            for m in &messages {
                c.send_raw(m).await;
            }
            answers_metrics(&mut c).await;
        });
    }
}
