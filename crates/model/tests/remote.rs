//! The remote backend against a loopback HTTP server speaking the real wire format: streaming
//! (chunked and close-delimited), completions for fill-in-the-middle, slow and missing first
//! tokens, a stalled stream, a mid-stream disconnect, 429 with `Retry-After`, server errors,
//! malformed events, error events, cancellation, and the API key kept out of every message.
//! Every wait is bounded: a broken backend fails a test instead of hanging it. The tests assert
//! what happened (which error, how many requests, what was streamed), never how long it took:
//! how long a retry waits is decided by a pure function with its own unit tests (`remote.rs`).

#[path = "support/loopback.rs"]
mod loopback;

use loopback::{Framing, Loopback, Step, chat_answer, chat_delta, sse_head, status, text_delta};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tandem_core::{FimPrompt, GenerationParams, Message, Prompt, RemoteSettings, Role, Secret, StopReason};
use tandem_model::{Backend, BackendError, Event, Finished, GenerateRequest, RemoteBackend, RemoteError};

const KEY: &str = "sk-test-abcdef0123456789";

fn settings(url: &str) -> RemoteSettings {
    RemoteSettings {
        url: url.into(),
        model: "big-coder".into(),
        connect_timeout_ms: 1000,
        first_token_timeout_ms: 1500,
        idle_timeout_ms: 800,
        total_timeout_ms: 8000,
        retries: 0,
        backoff_ms: 50,
        ..RemoteSettings::default()
    }
}

fn backend(s: RemoteSettings) -> RemoteBackend {
    RemoteBackend::new(s, Some(Secret::new(KEY))).unwrap()
}

fn chat() -> GenerateRequest {
    GenerateRequest::new(
        Prompt::Chat { messages: vec![Message::new(Role::User, "explain x = 1")] },
        GenerationParams { max_tokens: 200, ..GenerationParams::default() },
    )
}

/// Runs a generation on another thread and waits at most 20 s for its end.
fn run(b: &RemoteBackend, req: GenerateRequest) -> (Vec<String>, Result<Finished, BackendError>) {
    let generation = b.generate(req);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut pieces = Vec::new();
        let result = generation.wait_with(|t| pieces.push(t.to_owned()));
        let _ = tx.send((pieces, result));
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("the remote generation hung")
}

/// Runs `f` on another thread and waits at most 20 s for it: a hang fails the test.
fn guarded<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("hung")
}

fn remote_err(r: Result<Finished, BackendError>) -> RemoteError {
    match r {
        Err(BackendError::Remote(e)) => e,
        other => panic!("expected a remote error, got {other:?}"),
    }
}

#[test]
fn a_streamed_chat_answer_arrives_piece_by_piece_with_the_request_on_the_wire() {
    let server = Loopback::start(|_, _| {
        let mut steps = vec![sse_head(Framing::Chunked), Step::Data(": keep-alive\n\n".into())];
        steps.push(Step::Data(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"thinking\"}}]}\n\n".into(),
        ));
        steps.extend(chat_answer(&["It ", "binds ", "x."]).into_iter().skip(1));
        steps
    });
    let mut s = settings(&server.url());
    s.headers.insert("X-Title".into(), "tandem-test".into());
    let (pieces, result) = run(&backend(s), chat());
    let done = result.unwrap();
    assert_eq!(pieces, ["It ", "binds ", "x."]);
    assert_eq!(done.text, "It binds x.");
    assert_eq!(done.stop, StopReason::EndOfText);
    assert_eq!(done.stats.prompt_tokens, 10);
    assert_eq!(done.stats.generated_tokens, 3);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/v1/chat/completions"));
    assert_eq!(r.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(r.header("x-title"), Some("tandem-test"));
    let body = r.json();
    assert_eq!(body["model"], "big-coder");
    assert_eq!(body["stream"], true);
    assert_eq!(body["messages"][0]["role"], "user");
    assert_eq!(body["messages"][0]["content"], "explain x = 1");
}

#[test]
fn a_close_delimited_stream_without_done_ends_cleanly_after_its_finish_reason() {
    let server = Loopback::start(|_, _| {
        vec![
            sse_head(Framing::Close),
            chat_delta("one"),
            Step::Data(
                "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n".into(),
            ),
        ]
    });
    let (_, result) = run(&backend(settings(&server.url())), chat());
    let done = result.unwrap();
    assert_eq!(done.text, "one");
    assert_eq!(done.stop, StopReason::MaxTokens);
}

#[test]
fn a_close_delimited_stream_cut_before_its_end_is_a_disconnect() {
    let server =
        Loopback::start(|_, _| vec![sse_head(Framing::Close), chat_delta("cut "), chat_delta("off")]);
    let (pieces, result) = run(&backend(settings(&server.url())), chat());
    assert_eq!(pieces, ["cut ", "off"]);
    assert_eq!(remote_err(result), RemoteError::Disconnected);
}

#[test]
fn fill_in_the_middle_goes_to_completions_with_the_template() {
    let server = Loopback::start(|_, _| {
        let mut steps = vec![sse_head(Framing::Chunked), text_delta("a + b"), text_delta("\n\ndef")];
        steps.push(Step::Data("data: [DONE]\n\n".into()));
        steps
    });
    let prompt = Prompt::Fim(FimPrompt {
        prefix: "def add(a, b):\n    return ".into(),
        suffix: "\n".into(),
        ..FimPrompt::default()
    });
    let params =
        GenerationParams { max_tokens: 20, stop: vec!["\n\n".into()], ..GenerationParams::default() };
    let (_, result) = run(&backend(settings(&server.url())), GenerateRequest::new(prompt, params));
    let done = result.unwrap();
    assert_eq!(done.text, "a + b", "cut at the stop string");
    assert_eq!(done.stop, StopReason::StopString);
    let r = &server.requests()[0];
    assert_eq!(r.path, "/v1/completions");
    assert_eq!(r.json()["prompt"], "<|fim_prefix|>def add(a, b):\n    return <|fim_suffix|>\n<|fim_middle|>");
    assert_eq!(r.json()["stop"][0], "\n\n");
}

/// A stop string split across streamed pieces never reaches the screen, and text held back as
/// its possible start is shown once it turns out not to be one.
#[test]
fn a_stop_string_split_across_pieces_is_never_shown() {
    let server = Loopback::start(|_, _| {
        let mut steps = vec![sse_head(Framing::Chunked)];
        for piece in ["a + b", "\n", "\ndef", " other():"] {
            steps.push(text_delta(piece));
        }
        steps.push(Step::Data("data: [DONE]\n\n".into()));
        steps
    });
    let fim = || Prompt::Fim(FimPrompt { prefix: "x = ".into(), ..FimPrompt::default() });
    let params =
        GenerationParams { max_tokens: 20, stop: vec!["\n\n".into()], ..GenerationParams::default() };
    let (pieces, result) = run(&backend(settings(&server.url())), GenerateRequest::new(fim(), params));
    let done = result.unwrap();
    assert_eq!((done.text.as_str(), done.stop), ("a + b", StopReason::StopString));
    assert_eq!(pieces.concat(), "a + b", "no part of the stop string was shown: {pieces:?}");

    let params =
        GenerationParams { max_tokens: 20, stop: vec!["\n\n\n".into()], ..GenerationParams::default() };
    let (pieces, result) = run(&backend(settings(&server.url())), GenerateRequest::new(fim(), params));
    let done = result.unwrap();
    assert_eq!(done.text, "a + b\n\ndef other():");
    assert_eq!(pieces.concat(), done.text, "held-back text is shown when it is no stop");
}

#[test]
fn a_slow_first_token_within_the_limit_is_waited_for() {
    let server = Loopback::start(|_, _| {
        let mut steps = vec![sse_head(Framing::Chunked), Step::Sleep(Duration::from_millis(600))];
        steps.extend(chat_answer(&["late ", "but fine"]).into_iter().skip(1));
        steps
    });
    let (_, result) = run(&backend(settings(&server.url())), chat());
    assert_eq!(result.unwrap().text, "late but fine");
}

#[test]
fn no_first_token_in_time_is_a_timeout_and_is_retried() {
    let server = Loopback::start(|_, _| vec![sse_head(Framing::Chunked), Step::Stall]);
    let mut s = settings(&server.url());
    s.first_token_timeout_ms = 300;
    s.retries = 1;
    let (_, result) = run(&backend(s), chat());
    assert_eq!(remote_err(result), RemoteError::FirstTokenTimeout(300));
    assert_eq!(server.requests().len(), 2, "one retry before the first token");
}

#[test]
fn a_stream_that_stalls_after_some_text_ends_in_an_error_without_retry() {
    let server =
        Loopback::start(|_, _| vec![sse_head(Framing::Chunked), chat_delta("partial "), Step::Stall]);
    let mut s = settings(&server.url());
    s.retries = 3;
    let (pieces, result) = run(&backend(s), chat());
    assert_eq!(pieces, ["partial "]);
    assert_eq!(remote_err(result), RemoteError::Stalled(800));
    assert_eq!(server.requests().len(), 1, "text was shown: no retry");
}

#[test]
fn a_mid_stream_disconnect_is_reported() {
    let server =
        Loopback::start(|_, _| vec![sse_head(Framing::Chunked), chat_delta("half an "), Step::Abort]);
    let (pieces, result) = run(&backend(settings(&server.url())), chat());
    assert_eq!(pieces, ["half an "]);
    assert_eq!(remote_err(result), RemoteError::Disconnected);
}

#[test]
fn rate_limits_honour_retry_after_then_succeed() {
    let server = Loopback::start(|i, _| {
        if i == 0 { status(429, &[("Retry-After", "1")], "slow down") } else { chat_answer(&["ok"]) }
    });
    let mut s = settings(&server.url());
    s.retries = 2;
    let (_, result) = run(&backend(s), chat());
    assert_eq!(result.unwrap().text, "ok");
    assert_eq!(server.requests().len(), 2, "retried once after the 429");
}

#[test]
fn a_retry_after_beyond_the_budget_gives_up_at_once() {
    let server = Loopback::start(|_, _| status(429, &[("Retry-After", "3600")], "quota"));
    let mut s = settings(&server.url());
    s.retries = 5;
    // Waiting the hour would trip `run`'s guard; giving up is the one request and the 429.
    let (_, result) = run(&backend(s), chat());
    assert_eq!(remote_err(result), RemoteError::RateLimited { retry_after_s: Some(3600) });
    assert_eq!(server.requests().len(), 1, "no retry");
}

#[test]
fn server_errors_are_retried_with_backoff_then_reported_with_their_message() {
    let server = Loopback::start(|_, _| status(500, &[], "upstream exploded"));
    let mut s = settings(&server.url());
    s.retries = 2;
    let (_, result) = run(&backend(s), chat());
    assert_eq!(remote_err(result), RemoteError::Status { status: 500, message: "upstream exploded".into() });
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_refused_key_is_not_retried_and_never_echoed() {
    let server = Loopback::start(|_, _| status(401, &[], &format!("Incorrect API key provided: {KEY}")));
    let mut s = settings(&server.url());
    s.retries = 3;
    let (_, result) = run(&backend(s), chat());
    let err = remote_err(result);
    assert!(matches!(err, RemoteError::Status { status: 401, .. }), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(KEY) && shown.contains("[redacted]"), "{shown}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn malformed_json_in_the_stream_is_a_clear_error() {
    let server = Loopback::start(|_, _| {
        vec![sse_head(Framing::Chunked), Step::Data("data: {\"choices\": [oops\n\n".into())]
    });
    let (_, result) = run(&backend(settings(&server.url())), chat());
    let err = remote_err(result);
    assert!(matches!(err, RemoteError::Malformed(_)), "{err:?}");
    assert!(err.to_string().contains("malformed"), "{err}");
}

#[test]
fn an_error_event_inside_the_stream_is_reported() {
    let server = Loopback::start(|_, _| {
        vec![
            sse_head(Framing::Chunked),
            chat_delta("Some"),
            Step::Data("event: error\ndata: {\"error\":{\"message\":\"model overloaded\"}}\n\n".into()),
        ]
    });
    let (pieces, result) = run(&backend(settings(&server.url())), chat());
    assert_eq!(pieces, ["Some"]);
    assert_eq!(remote_err(result), RemoteError::Stream("model overloaded".into()));
}

#[test]
fn an_unreachable_endpoint_is_reported_as_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (_, result) = run(&backend(settings(&format!("http://127.0.0.1:{port}/v1"))), chat());
    let err = remote_err(result);
    assert!(matches!(err, RemoteError::Unreachable(_)), "{err:?}");
    assert!(err.is_lasting(), "an unreachable endpoint marks the remote side down");
    let b = backend(settings(&format!("http://127.0.0.1:{port}/v1")));
    assert!(matches!(guarded(move || b.check()), Err(RemoteError::Unreachable(_))));
}

#[test]
fn cancelling_stops_a_stream_at_once() {
    let server = Loopback::start(|_, _| vec![sse_head(Framing::Chunked), chat_delta("first"), Step::Stall]);
    let mut s = settings(&server.url());
    // Far beyond the guard below: only the cancellation can end this stream in time.
    s.idle_timeout_ms = 120_000;
    s.total_timeout_ms = 240_000;
    let b = backend(s);
    let mut generation = b.generate(chat());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let first = generation.blocking_next();
        generation.cancel();
        let end = generation.wait();
        let _ = tx.send((first, end));
    });
    let (first, end) = rx.recv_timeout(Duration::from_secs(20)).expect("cancelling did not end the stream");
    assert!(matches!(first, Some(Event::Text(t)) if t == "first"));
    let end = end.unwrap();
    assert_eq!(end.stop, StopReason::Cancelled);
    assert_eq!(end.text, "first");
}

#[test]
fn a_server_that_ignores_streaming_is_still_understood() {
    let server = Loopback::start(|_, _| {
        let body = serde_json::json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "whole answer"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 4, "completion_tokens": 2}}).to_string();
        vec![Step::Full {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body,
        }]
    });
    let (_, result) = run(&backend(settings(&server.url())), chat());
    let done = result.unwrap();
    assert_eq!(done.text, "whole answer");
    assert_eq!(done.stats.prompt_tokens, 4);
}

#[test]
fn the_health_check_asks_the_models_route() {
    let server = Loopback::start(|_, _| status(404, &[], "no such route"));
    backend(settings(&server.url())).check().unwrap();
    assert_eq!(server.requests()[0].path, "/v1/models");
    let down = Loopback::start(|_, _| status(503, &[], "down"));
    assert!(backend(settings(&down.url())).check().is_err());
    let hanging = Loopback::start(|_, _| vec![Step::Stall]);
    let mut s = settings(&hanging.url());
    s.connect_timeout_ms = 300;
    let b = backend(s);
    assert!(guarded(move || b.check()).is_err(), "a server that accepts and hangs fails the check");
}

/// Against a real OpenAI-compatible server, not in CI: `scripts/remote-live` starts
/// llama-cpp-python's server with the 1.5B model and runs this; or point `TANDEM_LIVE_URL` (and
/// `TANDEM_LIVE_MODEL`) at any server.
#[test]
#[ignore]
fn live_server_streams_chat_and_fim() {
    let url = std::env::var("TANDEM_LIVE_URL").unwrap_or_else(|_| "http://127.0.0.1:18181/v1".into());
    let model = std::env::var("TANDEM_LIVE_MODEL").unwrap_or_else(|_| "qwen2.5-coder-1.5b".into());
    let s = RemoteSettings {
        url,
        model,
        api_key_env: String::new(),
        first_token_timeout_ms: 60_000,
        total_timeout_ms: 300_000,
        ..RemoteSettings::default()
    };
    let b = RemoteBackend::new(s, std::env::var("TANDEM_LIVE_KEY").ok().map(Secret::new)).unwrap();
    b.check().expect("the server answers its health check");
    let started = Instant::now();
    let mut req = chat();
    req.params.max_tokens = 48;
    let mut pieces = 0;
    let done = b.generate(req).wait_with(|_| pieces += 1).expect("a chat answer");
    println!("chat: {pieces} pieces in {:?}: {:?} ({:?})", started.elapsed(), done.text, done.stats);
    assert!(pieces > 1, "streamed in pieces");
    assert!(!done.text.trim().is_empty());

    let prompt = Prompt::Fim(FimPrompt {
        prefix: "def add(a, b):\n    return ".into(),
        suffix: "\n".into(),
        ..FimPrompt::default()
    });
    let params = GenerationParams { max_tokens: 16, stop: vec!["\n".into()], ..GenerationParams::default() };
    let done = b.generate(GenerateRequest::new(prompt, params)).wait().expect("a completion");
    println!("fim: {:?}", done.text);
    assert!(done.text.contains('a') && done.text.contains('b'), "{:?}", done.text);
}
