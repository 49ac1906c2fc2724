//! Explanations through the router, with a real remote backend talking to a loopback HTTP server
//! and the fake backend as the local model: the remote answer, fallbacks on each kind of
//! failure (marked degraded, with the reason), skipping a remote side that is down until its
//! health check passes, privacy (exclusions, local-only, redaction on the wire), forced sides,
//! and the metrics of every decision.

#[path = "../../model/tests/support/loopback.rs"]
mod loopback;

use loopback::{Framing, Loopback, Step, chat_answer, chat_delta, sse_head, status};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tandem_core::{PrivacySettings, RemoteSettings, RouterSettings, Secret, Side};
use tandem_engine::{Clock, ExplainError, ExplainRequest, Progress, Reply, RouteError, Router};
use tandem_model::{Backend, FakeBackend, RemoteBackend};

/// A clock that moves only when told to.
struct FakeClock(Mutex<SystemTime>);

impl FakeClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for FakeClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

fn remote(url: &str) -> Arc<dyn Backend> {
    let s = RemoteSettings {
        url: url.into(),
        model: "big-coder".into(),
        connect_timeout_ms: 1000,
        first_token_timeout_ms: 1000,
        idle_timeout_ms: 600,
        total_timeout_ms: 5000,
        retries: 0,
        ..RemoteSettings::default()
    };
    Arc::new(RemoteBackend::new(s, Some(Secret::new("sk-wire-key-0123456789abcdef"))).unwrap())
}

fn local() -> FakeBackend {
    FakeBackend::new(|_| "A local explanation.".into())
}

fn router(url: &str, local: &FakeBackend) -> Router {
    Router::new(RouterSettings::default(), PrivacySettings::default(), Some(remote(url)))
        .with_local(Arc::new(local.clone()))
}

fn code() -> ExplainRequest {
    ExplainRequest {
        code: "def area(r):\n    return 3.14159 * r * r\n".repeat(20),
        path: Some("geo/area.py".into()),
        language: Some("python".into()),
        ..ExplainRequest::default()
    }
}

/// Runs an explanation on another thread, at most 20 s; returns it with what was streamed.
fn explain(router: &Arc<Router>, req: ExplainRequest) -> (Result<Reply, ExplainError>, Vec<String>) {
    let (tx, rx) = mpsc::channel();
    let router = router.clone();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let result = router.explain(&req, &Default::default(), &mut |p| {
            seen.push(match p {
                Progress::Route { side, model } => format!("<route {side:?} {model}>"),
                Progress::Text(t) => t.to_owned(),
                Progress::Fallback { reason, shown } => format!("<fallback shown={shown}: {reason}>"),
            })
        });
        let _ = tx.send((result, seen));
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("explain hung")
}

#[test]
fn the_remote_model_answers_and_the_decision_is_recorded() {
    let server = Loopback::start(|_, _| chat_answer(&["It computes ", "a circle's area."]));
    let local = local();
    let router = Arc::new(router(&server.url(), &local));
    let (result, seen) = explain(&router, code());
    let e = result.unwrap();
    assert_eq!(e.markdown, "It computes a circle's area.");
    assert_eq!(seen, ["<route Remote big-coder>", "It computes ", "a circle's area."]);
    assert_eq!((e.route, e.model.as_str(), e.degraded.as_deref()), (Side::Remote, "big-coder", None));
    assert!(e.reason.contains("tokens of code"), "{}", e.reason);
    assert_eq!((e.tokens_sent, e.tokens_received), (10, 2), "usage from the server");
    assert_eq!(local.calls(), 0);
    let body = server.requests()[0].json();
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("`geo/area.py`") && user.contains("```python\ndef area(r):"), "{user}");
    let m = router.metrics();
    assert_eq!((m.requests, m.remote, m.local, m.fallbacks), (1, 1, 0, 0));
    assert_eq!(m.recent[0].model, "big-coder");
    assert!(m.recent[0].first_token_ms.is_some() && m.recent[0].latency_ms > 0.0);
}

#[test]
fn each_remote_failure_falls_back_to_the_local_model_marked_degraded() {
    let cases: Vec<(&str, Vec<Step>, &str, bool)> = vec![
        ("500", status(500, &[], "boom"), "HTTP 500", false),
        ("429", status(429, &[("Retry-After", "120")], "slow down"), "rate limited", false),
        ("stall", vec![sse_head(Framing::Chunked), chat_delta("Half "), Step::Stall], "stalled", true),
        (
            "disconnect",
            vec![sse_head(Framing::Chunked), chat_delta("Half "), Step::Abort],
            "closed mid-answer",
            true,
        ),
        (
            "malformed",
            vec![sse_head(Framing::Chunked), Step::Data("data: {nope\n\n".into())],
            "malformed",
            false,
        ),
        ("no first token", vec![sse_head(Framing::Chunked), Step::Stall], "no first token", false),
    ];
    for (name, steps, needle, shown) in cases {
        let server = Loopback::start(move |_, _| steps.clone());
        let local = local();
        let router = Arc::new(router(&server.url(), &local));
        let (result, seen) = explain(&router, code());
        let e = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((e.route, e.model.as_str()), (Side::Local, "fake"), "{name}");
        assert_eq!(e.markdown, "A local explanation.", "{name}");
        let degraded = e.degraded.unwrap_or_else(|| panic!("{name}: not marked degraded"));
        assert!(degraded.contains(needle), "{name}: {degraded}");
        let notice =
            seen.iter().find(|s| s.starts_with("<fallback")).unwrap_or_else(|| panic!("{name}: {seen:?}"));
        assert!(notice.contains(&format!("shown={shown}")), "{name}: {notice}");
        // The faces learn each side as it starts: the remote one, then the local one that stood in.
        let routes: Vec<&String> = seen.iter().filter(|s| s.starts_with("<route")).collect();
        assert_eq!(routes, ["<route Remote big-coder>", "<route Local fake>"], "{name}");
        let at = |s: &str| seen.iter().position(|x| x == s).unwrap();
        assert!(at("<route Local fake>") > at(notice), "{name}: {seen:?}");
        assert_eq!(router.metrics().fallbacks, 1, "{name}");
    }
}

#[test]
fn a_remote_side_that_is_down_is_skipped_until_its_health_check_passes() {
    let server = Loopback::start(|i, r| match (i, r.path.as_str()) {
        (0, _) => status(503, &[], "overloaded"),
        (_, "/v1/models") => status(200, &[], "ok"),
        _ => chat_answer(&["Back again."]),
    });
    let local = local();
    let settings = RouterSettings { cooldown_s: 30, ..RouterSettings::default() };
    let clock = Arc::new(FakeClock(Mutex::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))));
    let router = Arc::new(
        Router::new(settings, PrivacySettings::default(), Some(remote(&server.url())))
            .with_local(Arc::new(local.clone()))
            .with_clock(clock.clone()),
    );
    let (first, _) = explain(&router, code());
    assert!(first.unwrap().degraded.is_some());
    // Within the cooldown: local at once, nothing sent.
    let (second, seen) = explain(&router, code());
    let second = second.unwrap();
    assert_eq!(second.route, Side::Local);
    assert_eq!(second.degraded, None, "skipping is a routing decision, not a failure");
    assert!(second.reason.starts_with("remote unavailable"), "{}", second.reason);
    assert!(!seen.iter().any(|s| s.starts_with("<fallback")));
    assert_eq!(server.requests().len(), 1);
    assert!(router.metrics().remote_down);
    clock.advance(Duration::from_secs(31));
    let (third, _) = explain(&router, code());
    let third = third.unwrap();
    assert_eq!((third.route, third.markdown.as_str()), (Side::Remote, "Back again."));
    let paths: Vec<String> = server.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/v1/chat/completions", "/v1/models", "/v1/chat/completions"]);
    assert!(!router.metrics().remote_down);
}

#[test]
fn a_planted_secret_never_reaches_the_server() {
    let server = Loopback::start(|_, _| chat_answer(&["Configuration."]));
    let local = local();
    let router = Arc::new(router(&server.url(), &local));
    let secrets = [
        "sk-proj-PLANTEDplanted0123456789",
        "AKIAPLANTED000000000",
        "PlantedPassw0rd!",
        "MIIEplantedKEYmaterial",
        "dbPLANTEDpw",
    ];
    let code = format!(
        "OPENAI_KEY = \"{}\"\naws_id = \"{}\"\nadmin_password = \"{}\"\nKEY = '''\n-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n'''\nDB = \"mysql://app:{}@db:3306/x\"\n\ndef connect():\n    return open_db(DB)\n",
        secrets[0], secrets[1], secrets[2], secrets[3], secrets[4]
    );
    let question = Some("Is this secure?".to_owned());
    let req =
        ExplainRequest { code, question, path: Some("app/settings.py".into()), ..ExplainRequest::default() };
    let (result, _) = explain(&router, req);
    let e = result.unwrap();
    assert_eq!(e.route, Side::Remote, "{}", e.reason);
    assert_eq!(e.redactions, 5);
    let wire = String::from_utf8_lossy(&server.received_bytes()).into_owned();
    assert!(wire.contains("def connect():") && wire.contains("[REDACTED]"), "{wire}");
    for s in secrets {
        assert!(!wire.contains(s), "{s} reached the server");
    }
}

#[test]
fn excluded_files_and_local_only_mode_send_nothing() {
    let server = Loopback::start(|_, _| chat_answer(&["should not be asked"]));
    let local = local();
    let router = Arc::new(router(&server.url(), &local));
    let req = ExplainRequest { path: Some("deploy/.env.production".into()), ..code() };
    let (result, _) = explain(&router, req.clone());
    let e = result.unwrap();
    assert_eq!(e.route, Side::Local);
    assert!(e.reason.contains("privacy rule `.env*`"), "{}", e.reason);
    let forced = ExplainRequest { force: Some(Side::Remote), ..req };
    let (result, _) = explain(&router, forced);
    assert!(matches!(result, Err(ExplainError::Refused(RouteError::Excluded { .. }))));

    let privacy = PrivacySettings { local_only: true, ..PrivacySettings::default() };
    let local_only = Arc::new(
        Router::new(RouterSettings::default(), privacy, Some(remote(&server.url())))
            .with_local(Arc::new(local.clone())),
    );
    let (result, _) = explain(&local_only, code());
    assert_eq!(result.unwrap().reason, "local-only mode");
    assert!(server.requests().is_empty(), "nothing left the machine");
}

#[test]
fn forced_remote_or_fallback_off_reports_the_remote_failure() {
    let server = Loopback::start(|_, _| status(500, &[], "boom"));
    let local = local();
    let router = Arc::new(router(&server.url(), &local));
    let (result, _) = explain(&router, ExplainRequest { force: Some(Side::Remote), ..code() });
    let err = result.unwrap_err();
    assert!(matches!(err, ExplainError::RemoteFailed(_)), "{err:?}");
    assert!(err.to_string().contains("HTTP 500"), "{err}");

    let settings = RouterSettings { fallback: false, ..RouterSettings::default() };
    let no_fallback = Arc::new(
        Router::new(settings, PrivacySettings::default(), Some(remote(&server.url())))
            .with_local(Arc::new(local.clone())),
    );
    let (result, _) = explain(&no_fallback, code());
    assert!(matches!(result, Err(ExplainError::RemoteFailed(_))));
    assert_eq!(local.calls(), 0);
    assert_eq!(no_fallback.metrics().errors, 1);
}

#[test]
fn without_any_local_model_a_remote_failure_is_no_model() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let router = Arc::new(Router::new(
        RouterSettings::default(),
        PrivacySettings::default(),
        Some(remote(&format!("http://127.0.0.1:{port}/v1"))),
    ));
    let (result, seen) = explain(&router, code());
    assert!(matches!(result, Err(ExplainError::NoModel(_))), "{result:?}");
    assert_eq!(seen[0], "<route Remote big-coder>", "{seen:?}");
    assert!(seen[1].contains("cannot reach"), "{seen:?}");
}

#[test]
fn the_workspace_map_goes_along_redacted() {
    let server = Loopback::start(|_, _| chat_answer(&["Uses the shape module."]));
    let local = local();
    let router = Arc::new(router(&server.url(), &local));
    let map = "geo/shapes.py:\n  class Circle:\n    def area(self):\n  TOKEN = \"ghp_PLANTEDplantedPLANTED0123456789abcd\"\n";
    let req = ExplainRequest { workspace_map: Some(map.into()), ..code() };
    let (result, _) = explain(&router, req);
    let e = result.unwrap();
    assert_eq!(e.route, Side::Remote, "{}", e.reason);
    let wire = String::from_utf8_lossy(&server.received_bytes()).into_owned();
    assert!(wire.contains("geo/shapes.py:") && wire.contains("class Circle:"), "{wire}");
    assert!(!wire.contains("ghp_PLANTED"), "a secret in the map reached the server");
    assert!(e.redactions >= 1);
}
