//! The router: which model serves a request, and what happens when the remote side fails.
//!
//! A decision looks at, in order: a side forced by the user, local-only mode, whether a remote
//! model is configured, the privacy rules for the request's files, the remote side's health, the
//! task's preference, and — under `auto` — the request's size and difficulty. A remote failure
//! that looks lasting (unreachable, timing out, rate-limited, a server error) marks the remote
//! side down: requests skip it without paying a timeout until the cooldown has passed and a
//! health check succeeds. Which failures are lasting is the model crate's one classification
//! ([`tandem_model::RemoteError::outlook`]). The cooldown is read from a [`Clock`] (the
//! system's, or a fake in tests). Every decision is recorded in [`RouteMetrics`].
//!
//! What a request is then answered by, and how a remote failure falls back, is the one answering
//! pipeline in `answer.rs` (`Router::answer`).

use serde::Serialize;
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tandem_core::{Preference, PrivacySettings, RouterSettings, Side};
use tandem_model::{Backend, BackendError};

use crate::files::{self, Root};
use crate::redact::PathRules;

/// What a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    Inline,
    Explain,
    Chat,
}

/// What the router needs to know about a request.
#[derive(Clone, Debug)]
pub struct RouteRequest<'a> {
    pub task: Task,
    /// Tokens of code (or an estimate).
    pub code_tokens: usize,
    /// Tokens of the user's question, if any.
    pub question_tokens: usize,
    pub question: Option<&'a str>,
    /// Paths of the files whose text the request carries.
    pub paths: Vec<&'a str>,
    /// A side the user insisted on.
    pub force: Option<Side>,
}

/// Where a request goes, and why (shown to the user and kept in metrics).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub side: Side,
    pub reason: String,
}

/// Requests the router must refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("`{path}` matches the privacy exclusion rule `{rule}`: it is never sent to a remote model")]
    Excluded { path: String, rule: String },
    #[error("local-only mode is on: nothing is sent to a remote model")]
    LocalOnly,
    #[error(
        "no remote model is configured (set [remote] url and model, or TANDEM_REMOTE_URL and TANDEM_REMOTE_MODEL)"
    )]
    NoRemote,
}

/// How hard a question looks, from its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Difficulty {
    Simple,
    Hard,
}

const HARD_WORDS: &[&str] = &[
    "why",
    "design",
    "architecture",
    "bug",
    "race",
    "deadlock",
    "secur",
    "vulnerab",
    "performance",
    "optimi",
    "refactor",
    "complex",
    "concurren",
    "thread",
    "prove",
    "compare",
    "trade-off",
    "tradeoff",
    "memory leak",
    "undefined behavior",
    "edge case",
];

/// Classifies a question: reasoning about causes, design, correctness or speed is hard; "what
/// does this do" is simple.
pub fn difficulty(question: Option<&str>) -> Difficulty {
    let Some(q) = question.map(str::to_lowercase) else { return Difficulty::Simple };
    if HARD_WORDS.iter().any(|w| q.contains(w)) { Difficulty::Hard } else { Difficulty::Simple }
}

/// The remote side as the router sees it now.
#[derive(Clone, Debug, PartialEq, Eq)]
enum RemoteState {
    Missing,
    LocalOnly,
    Down(String),
    Up,
}

/// The first of the request's files that the privacy rules exclude, under the name it was given
/// or, for a link, under its target's name: `(what to call it, the rule)`. `root` resolves the
/// paths (the workspace's; the current directory when `None`).
fn excluded(rules: &PathRules, root: Option<&Root>, paths: &[&str]) -> Option<(String, String)> {
    paths.iter().find_map(|p| {
        if let Some(rule) = rules.excluded(p) {
            return Some((p.to_string(), rule.to_owned()));
        }
        let target = files::link_target(root, p)?;
        rules.excluded(&target).map(|rule| (format!("{p} (a link to {target})"), rule.to_owned()))
    })
}

/// Decides a request's side. Pure: the remote side's state and the privacy verdict on the
/// request's files (see [`excluded`]) are inputs.
fn decide(
    settings: &RouterSettings,
    excluded: Option<(String, String)>,
    remote: &RemoteState,
    req: &RouteRequest<'_>,
) -> Result<Decision, RouteError> {
    let local = |reason: String| Ok(Decision { side: Side::Local, reason });
    let remote_ok = |reason: String| Ok(Decision { side: Side::Remote, reason });
    match req.force {
        Some(Side::Local) => return local("local model requested".into()),
        Some(Side::Remote) => {
            return match (remote, excluded) {
                (RemoteState::LocalOnly, _) => Err(RouteError::LocalOnly),
                (RemoteState::Missing, _) => Err(RouteError::NoRemote),
                (_, Some((path, rule))) => Err(RouteError::Excluded { path, rule }),
                // Forced: tried even when it was down lately.
                _ => remote_ok("remote model requested".into()),
            };
        }
        None => {}
    }
    match remote {
        RemoteState::LocalOnly => return local("local-only mode".into()),
        RemoteState::Missing => return local("no remote model configured".into()),
        _ => {}
    }
    if let Some((path, rule)) = excluded {
        return local(format!("{path} matches privacy rule `{rule}`"));
    }
    let preference = match req.task {
        Task::Inline => settings.inline,
        Task::Explain => settings.explain,
        Task::Chat => settings.chat,
    };
    let task = match req.task {
        Task::Inline => "inline completion",
        Task::Explain => "explain",
        Task::Chat => "chat",
    };
    let tokens = req.code_tokens + req.question_tokens;
    let wanted = match preference {
        Preference::Local => return local(format!("{task} is served locally")),
        Preference::Remote => {
            Decision { side: Side::Remote, reason: format!("{task} goes to the remote model") }
        }
        Preference::Auto => {
            if tokens > settings.local_max_tokens {
                Decision {
                    side: Side::Remote,
                    reason: format!("large request ({tokens} tokens > {})", settings.local_max_tokens),
                }
            } else if req.paths.len() > 1 {
                Decision { side: Side::Remote, reason: format!("spans {} files", req.paths.len()) }
            } else if difficulty(req.question) == Difficulty::Hard {
                Decision { side: Side::Remote, reason: "the question needs reasoning".into() }
            } else if tokens <= settings.small_tokens {
                return local(format!("small and simple request ({tokens} tokens)"));
            } else {
                Decision { side: Side::Remote, reason: format!("{tokens} tokens of code and question") }
            }
        }
    };
    match remote {
        RemoteState::Down(why) => {
            local(format!("remote unavailable ({why}); skipped until a health check passes"))
        }
        _ => Ok(wanted),
    }
}

/// The remote side's health: down after a lasting failure, until the cooldown has passed and a
/// health check succeeds.
#[derive(Clone, Debug, Default)]
struct Health {
    down: Option<Down>,
}

#[derive(Clone, Debug)]
struct Down {
    until: SystemTime,
    reason: String,
}

/// Where the router reads the time: when a remote side marked down may be tried again.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// One routed request, as metrics keep it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RouteRecord {
    pub task: Option<Task>,
    pub route: Option<Side>,
    pub reason: String,
    pub model: String,
    /// Why the answer came from the fallback model, if it did.
    pub degraded: Option<String>,
    pub error: Option<String>,
    pub latency_ms: f64,
    pub first_token_ms: Option<f64>,
    pub tokens_sent: usize,
    pub tokens_received: usize,
    pub redactions: usize,
}

/// Counts since start and the latest decisions.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RouteMetrics {
    pub requests: u64,
    pub local: u64,
    pub remote: u64,
    pub fallbacks: u64,
    pub errors: u64,
    pub remote_down: bool,
    pub recent: VecDeque<RouteRecord>,
}

const RECENT: usize = 100;

/// Why there is no local model.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// None was given, offered or is being loaded.
    #[error("no local model is loaded")]
    Missing,
    /// The loader could not load it (not installed, unreadable, too large…): its message.
    #[error("{0}")]
    Failed(String),
    /// The loader itself died (it panicked, or its task was cancelled).
    #[error("the model loader failed: {0}")]
    Crashed(String),
}

/// Loads the local model on first use.
pub type LocalLoader = Box<dyn FnOnce() -> Result<Arc<dyn Backend>, LoadError> + Send>;

enum LocalSlot {
    Missing,
    Pending(LocalLoader),
    /// A loader is running (outside the lock).
    Loading,
    Ready(Arc<dyn Backend>),
    Failed(LoadError),
}

/// The router: policy, the two sides, health and metrics. Shared (`Arc`) by every request.
pub struct Router {
    settings: RouterSettings,
    privacy: PrivacySettings,
    rules: PathRules,
    /// The workspace the requests' paths are relative to (else the current directory).
    root: Mutex<Option<Root>>,
    remote: Option<Arc<dyn Backend>>,
    local: Mutex<LocalSlot>,
    /// Serializes loading, so the slot's lock is never held while a model loads.
    loading: Mutex<()>,
    health: Mutex<Health>,
    metrics: Mutex<RouteMetrics>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("settings", &self.settings)
            .field("privacy", &self.privacy)
            .field("remote", &self.remote)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Router {
    pub fn new(settings: RouterSettings, privacy: PrivacySettings, remote: Option<Arc<dyn Backend>>) -> Self {
        let rules = PathRules::new(&privacy.exclude);
        Self {
            settings,
            privacy,
            rules,
            root: Mutex::new(None),
            remote,
            local: Mutex::new(LocalSlot::Missing),
            loading: Mutex::new(()),
            health: Mutex::default(),
            metrics: Mutex::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Reads the time from `clock` instead of the system's (tests use a fake to pass a cooldown).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The local model, loaded when first needed.
    pub fn with_local_loader(self, loader: LocalLoader) -> Self {
        *lock(&self.local) = LocalSlot::Pending(loader);
        self
    }

    /// The local model, already loaded.
    pub fn with_local(self, backend: Arc<dyn Backend>) -> Self {
        *lock(&self.local) = LocalSlot::Ready(backend);
        self
    }

    /// Replaces the local model with another, loaded when next needed (a model being loaded
    /// finishes first).
    pub fn set_local_loader(&self, loader: LocalLoader) {
        let _one_loader = lock(&self.loading);
        *lock(&self.local) = LocalSlot::Pending(loader);
    }

    /// Offers a loaded model as the local side, taken only when none was given.
    pub fn offer_local(&self, backend: Arc<dyn Backend>) {
        let mut slot = lock(&self.local);
        if matches!(*slot, LocalSlot::Missing) {
            *slot = LocalSlot::Ready(backend);
        }
    }

    pub fn settings(&self) -> &RouterSettings {
        &self.settings
    }

    pub fn privacy(&self) -> &PrivacySettings {
        &self.privacy
    }

    pub fn rules(&self) -> &PathRules {
        &self.rules
    }

    pub fn remote(&self) -> Option<&Arc<dyn Backend>> {
        self.remote.as_ref()
    }

    /// The local model (loading it on first use), or why there is none.
    pub fn local(&self) -> Result<Arc<dyn Backend>, LoadError> {
        let _one_loader = lock(&self.loading);
        let loader = {
            let mut slot = lock(&self.local);
            match std::mem::replace(&mut *slot, LocalSlot::Loading) {
                LocalSlot::Pending(loader) => loader,
                other => {
                    let result = match &other {
                        LocalSlot::Ready(b) => Ok(b.clone()),
                        LocalSlot::Failed(e) => Err(e.clone()),
                        _ => Err(LoadError::Missing),
                    };
                    *slot = match other {
                        LocalSlot::Loading => LocalSlot::Missing,
                        other => other,
                    };
                    return result;
                }
            }
        };
        let result = loader();
        *lock(&self.local) = match &result {
            Ok(b) => LocalSlot::Ready(b.clone()),
            Err(e) => LocalSlot::Failed(e.clone()),
        };
        result
    }

    /// Whether the privacy rules exclude the workspace file `rel`, under its name or, for a
    /// link, its target's (resolving links touches the disk).
    pub fn excludes(&self, rel: &str) -> bool {
        excluded(&self.rules, lock(&self.root).as_ref(), &[rel]).is_some()
    }

    /// Decides where `req` goes. When the remote side is down and its cooldown is over, this
    /// runs the health check first (one short request, once per cooldown).
    pub fn decide(&self, req: &RouteRequest<'_>) -> Result<Decision, RouteError> {
        let state = self.remote_state();
        // Resolving links touches the disk: only when the verdict can matter (a remote side that
        // could be chosen), not on every local-only completion.
        let matters =
            matches!(state, RemoteState::Up | RemoteState::Down(_)) && req.force != Some(Side::Local);
        let excluded =
            matters.then(|| excluded(&self.rules, lock(&self.root).as_ref(), &req.paths)).flatten();
        decide(&self.settings, excluded, &state, req)
    }

    /// The workspace directory that requests' relative paths name files in, so that the privacy
    /// rules also see what a link there points to.
    pub fn set_root(&self, root: Option<&Path>) {
        *lock(&self.root) = root.map(Root::new);
    }

    fn remote_state(&self) -> RemoteState {
        if self.privacy.local_only {
            return RemoteState::LocalOnly;
        }
        let Some(remote) = &self.remote else { return RemoteState::Missing };
        let down = lock(&self.health).down.clone();
        let Some(down) = down else { return RemoteState::Up };
        if self.clock.now() < down.until {
            return RemoteState::Down(down.reason);
        }
        match remote.health_check() {
            Ok(()) => {
                lock(&self.health).down = None;
                RemoteState::Up
            }
            Err(e) => {
                let reason = format!("health check failed: {e}");
                self.mark_down(&reason, None);
                RemoteState::Down(reason)
            }
        }
    }

    /// Marks the remote side down for the cooldown (or the server's `Retry-After`, if longer).
    pub fn mark_down(&self, reason: &str, retry_after: Option<Duration>) {
        let cooldown = Duration::from_secs(self.settings.cooldown_s).max(retry_after.unwrap_or_default());
        lock(&self.health).down =
            Some(Down { until: self.clock.now() + cooldown, reason: reason.to_owned() });
        lock(&self.metrics).remote_down = true;
    }

    /// Records a remote failure; lasting ones ([`tandem_model::RemoteError::is_lasting`]) mark
    /// the remote side down, for at least the server's `Retry-After`.
    pub fn remote_failed(&self, e: &BackendError) {
        if let BackendError::Remote(r) = e
            && r.is_lasting()
        {
            self.mark_down(&e.to_string(), r.retry_after());
        }
    }

    pub fn remote_succeeded(&self) {
        lock(&self.health).down = None;
        lock(&self.metrics).remote_down = false;
    }

    /// Whether the remote side is marked down, until when and why (to keep across processes).
    pub fn remote_down(&self) -> Option<(SystemTime, String)> {
        lock(&self.health).down.as_ref().map(|d| (d.until, d.reason.clone()))
    }

    /// Restores a remote-down mark saved by an earlier process.
    pub fn restore_remote_down(&self, until: SystemTime, reason: String) {
        lock(&self.health).down = Some(Down { until, reason });
    }

    pub fn record(&self, r: RouteRecord) {
        let mut m = lock(&self.metrics);
        m.requests += 1;
        match r.route {
            Some(Side::Local) => m.local += 1,
            Some(Side::Remote) => m.remote += 1,
            None => {}
        }
        m.fallbacks += r.degraded.is_some() as u64;
        m.errors += r.error.is_some() as u64;
        if m.recent.len() == RECENT {
            m.recent.pop_front();
        }
        m.recent.push_back(r);
    }

    pub fn metrics(&self) -> RouteMetrics {
        lock(&self.metrics).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(task: Task, code: usize, question: Option<&'a str>, paths: Vec<&'a str>) -> RouteRequest<'a> {
        RouteRequest {
            task,
            code_tokens: code,
            question_tokens: question.map_or(0, |q| q.len() / 4),
            question,
            paths,
            force: None,
        }
    }

    #[test]
    fn a_table_of_requests_and_where_they_go() {
        let s = RouterSettings::default();
        let rules = PathRules::new(&["*.sql".into()]);
        let up = RemoteState::Up;
        let down = RemoteState::Down("timeout".into());
        use Side::{Local as L, Remote as R};
        let forced = |side, r: RouteRequest<'static>| RouteRequest { force: Some(side), ..r };
        let cases: Vec<(RouteRequest<'static>, &RemoteState, Side, &str)> = vec![
            (req(Task::Inline, 500, None, vec!["a.rs"]), &up, L, "inline completion is served locally"),
            (req(Task::Explain, 40, None, vec!["a.rs"]), &up, L, "small and simple request (40 tokens)"),
            (
                req(Task::Explain, 40, Some("why is this slow?"), vec!["a.rs"]),
                &up,
                R,
                "the question needs reasoning",
            ),
            (req(Task::Explain, 400, None, vec!["a.rs"]), &up, R, "400 tokens of code and question"),
            (req(Task::Explain, 40, None, vec!["a.rs", "b.rs"]), &up, R, "spans 2 files"),
            (req(Task::Explain, 9000, None, vec!["a.rs"]), &up, R, "large request (9000 tokens > 3000)"),
            (req(Task::Chat, 10, None, vec![]), &up, R, "chat goes to the remote model"),
            (
                req(Task::Explain, 400, None, vec!["conf/.env.local"]),
                &up,
                L,
                "conf/.env.local matches privacy rule `.env*`",
            ),
            (
                req(Task::Explain, 400, None, vec!["db/schema.sql"]),
                &up,
                L,
                "db/schema.sql matches privacy rule `*.sql`",
            ),
            (
                req(Task::Explain, 400, None, vec!["a.rs"]),
                &down,
                L,
                "remote unavailable (timeout); skipped until a health check passes",
            ),
            (
                req(Task::Explain, 400, None, vec!["a.rs"]),
                &RemoteState::Missing,
                L,
                "no remote model configured",
            ),
            (req(Task::Explain, 400, None, vec!["a.rs"]), &RemoteState::LocalOnly, L, "local-only mode"),
            (forced(L, req(Task::Explain, 9000, None, vec!["a.rs"])), &up, L, "local model requested"),
            (forced(R, req(Task::Explain, 10, None, vec!["a.rs"])), &down, R, "remote model requested"),
        ];
        for (i, (r, state, side, reason)) in cases.iter().enumerate() {
            let d = decide(&s, excluded(&rules, None, &r.paths), state, r)
                .unwrap_or_else(|e| panic!("case {i}: {e}"));
            assert_eq!((d.side, d.reason.as_str()), (*side, *reason), "case {i}: {r:?}");
        }
    }

    #[test]
    fn forcing_the_remote_side_respects_privacy() {
        let s = RouterSettings::default();
        let rules = PathRules::new(&[]);
        let r =
            RouteRequest { force: Some(Side::Remote), ..req(Task::Explain, 10, None, vec!["keys/prod.pem"]) };
        assert_eq!(
            decide(&s, excluded(&rules, None, &r.paths), &RemoteState::Up, &r),
            Err(RouteError::Excluded { path: "keys/prod.pem".into(), rule: "*.pem".into() })
        );
        assert_eq!(
            decide(&s, excluded(&rules, None, &r.paths), &RemoteState::LocalOnly, &r),
            Err(RouteError::LocalOnly)
        );
        assert_eq!(
            decide(&s, excluded(&rules, None, &r.paths), &RemoteState::Missing, &r),
            Err(RouteError::NoRemote)
        );
    }

    #[cfg(unix)]
    #[test]
    fn privacy_rules_hold_for_what_a_link_points_to() {
        let home = tempfile::tempdir().unwrap();
        std::fs::write(home.path().join("id_ed25519"), "KEY").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ws = dir.path();
        std::fs::write(ws.join(".env.production"), "TOKEN=x").unwrap();
        std::fs::create_dir(ws.join("keys")).unwrap();
        std::fs::write(ws.join("keys/prod.pem"), "PEM").unwrap();
        std::fs::write(ws.join("plain.py"), "x = 1").unwrap();
        let link = |target: &Path, name: &str| std::os::unix::fs::symlink(target, ws.join(name)).unwrap();
        link(Path::new(".env.production"), "notes.py");
        link(&home.path().join("id_ed25519"), "keyfile.txt");
        link(Path::new("keys"), "docs");

        let remote: Arc<dyn Backend> = Arc::new(tandem_model::FakeBackend::new(|_| "remote".into()));
        let router = Router::new(RouterSettings::default(), PrivacySettings::default(), Some(remote));
        router.set_root(Some(ws));
        let refused = |path| {
            let r = RouteRequest { force: Some(Side::Remote), ..req(Task::Explain, 10, None, vec![path]) };
            match router.decide(&r) {
                Err(RouteError::Excluded { path, rule }) => Some((path, rule)),
                Ok(_) => None,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(
            refused("notes.py"),
            Some(("notes.py (a link to .env.production)".into(), ".env*".into()))
        );
        assert_eq!(refused("keyfile.txt").map(|(_, rule)| rule).as_deref(), Some("id_*"));
        assert_eq!(refused("docs/prod.pem").map(|(_, rule)| rule).as_deref(), Some("*.pem"));
        assert_eq!(refused("plain.py"), None);
    }

    #[test]
    fn preferences_from_config() {
        let s = RouterSettings {
            explain: Preference::Local,
            inline: Preference::Remote,
            ..RouterSettings::default()
        };
        let d = decide(&s, None, &RemoteState::Up, &req(Task::Explain, 9000, None, vec!["a.rs"])).unwrap();
        assert_eq!(d.side, Side::Local);
        let d = decide(&s, None, &RemoteState::Up, &req(Task::Inline, 10, None, vec!["a.rs"])).unwrap();
        assert_eq!(d.side, Side::Remote);
    }

    #[test]
    fn the_local_model_loads_once_and_offers_never_wait_for_a_load() {
        use std::sync::mpsc;
        use tandem_model::FakeBackend;
        // Generous guards: a hang fails the test instead of blocking it.
        let guard = Duration::from_secs(20);
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = loads.clone();
        let (entered, in_loader) = mpsc::channel::<()>();
        let (release, released) = mpsc::channel::<()>();
        let router = Arc::new(
            Router::new(RouterSettings::default(), PrivacySettings::default(), None).with_local_loader(
                Box::new(move || {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let _ = entered.send(());
                    let _ = released.recv_timeout(Duration::from_secs(60));
                    Ok(Arc::new(FakeBackend::new(|_| "larger".into())) as Arc<dyn Backend>)
                }),
            ),
        );
        let r = router.clone();
        let loading = std::thread::spawn(move || r.local().map(|b| b.info().model));
        in_loader.recv_timeout(guard).expect("the loader started");
        // The load cannot finish until it is released, which happens only after the offer
        // returns: an offer that waited for the load would never return.
        let (offered, offer_done) = mpsc::channel::<()>();
        let r = router.clone();
        std::thread::spawn(move || {
            r.offer_local(Arc::new(FakeBackend::new(|_| "completion model".into())));
            let _ = offered.send(());
        });
        offer_done.recv_timeout(guard).expect("the offer waited for the load");
        release.send(()).unwrap();
        assert_eq!(loading.join().unwrap().unwrap(), "fake");
        assert!(router.local().is_ok());
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        let plain = Router::new(RouterSettings::default(), PrivacySettings::default(), None);
        assert!(plain.local().is_err());
        plain.offer_local(Arc::new(FakeBackend::new(|_| String::new())));
        assert!(plain.local().is_ok(), "an offer fills an empty slot");
    }

    /// A clock that moves only when told to.
    struct FakeClock(Mutex<SystemTime>);

    impl Clock for FakeClock {
        fn now(&self) -> SystemTime {
            *lock(&self.0)
        }
    }

    #[test]
    fn lasting_failures_mark_the_remote_side_down_for_the_cooldown_or_retry_after() {
        use tandem_model::{FakeBackend, RemoteError};
        let clock = Arc::new(FakeClock(Mutex::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))));
        let start = clock.now();
        let remote: Arc<dyn Backend> = Arc::new(FakeBackend::new(|_| "remote".into()));
        let settings = RouterSettings { cooldown_s: 30, ..RouterSettings::default() };
        let router =
            Router::new(settings, PrivacySettings::default(), Some(remote)).with_clock(clock.clone());
        let remote_err = |e| BackendError::Remote(e);

        router.remote_failed(&remote_err(RemoteError::Status { status: 401, message: "no".into() }));
        router.remote_failed(&remote_err(RemoteError::Status { status: 408, message: "again".into() }));
        router.remote_failed(&remote_err(RemoteError::Malformed("x".into())));
        assert_eq!(router.remote_down(), None, "the request's fault, not the endpoint's");

        router.remote_failed(&remote_err(RemoteError::Status { status: 503, message: "busy".into() }));
        let (until, reason) = router.remote_down().expect("a server error is lasting");
        assert_eq!(until, start + Duration::from_secs(30));
        assert!(reason.contains("503"), "{reason}");
        assert_eq!(router.remote_state(), RemoteState::Down(reason));

        router.remote_failed(&remote_err(RemoteError::RateLimited { retry_after_s: Some(120) }));
        assert_eq!(
            router.remote_down().unwrap().0,
            start + Duration::from_secs(120),
            "Retry-After is longer"
        );

        // Past the mark: the health check runs (the fake always passes) and the side is up.
        *lock(&clock.0) = start + Duration::from_secs(121);
        assert_eq!(router.remote_state(), RemoteState::Up);
        assert_eq!(router.remote_down(), None);
    }

    #[test]
    fn questions_are_classified_by_their_words() {
        assert_eq!(difficulty(None), Difficulty::Simple);
        assert_eq!(difficulty(Some("What does this return?")), Difficulty::Simple);
        assert_eq!(difficulty(Some("Is there a race here?")), Difficulty::Hard);
        assert_eq!(difficulty(Some("Why does it copy?")), Difficulty::Hard);
    }
}
