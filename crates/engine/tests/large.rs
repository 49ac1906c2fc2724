//! Huge documents through the completion path (`Engine::complete`, which the language server
//! and the command line share): a 50 MB document on many lines or on one line gets an answer whose
//! prompt is within the budget, having tokenized about what a small document needs; and the time
//! budget covers gathering the context, not only the model.
//!
//! The work is counted (bytes handed to the tokenizer), never timed. With the real model, the
//! ignored `fifty_megabytes_with_the_real_model` is the by-hand measurement:
//! `/usr/bin/time -v target/release/deps/large-* --ignored --nocapture` (peak RSS, latency).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tandem_core::{CompletionSettings, Prompt};
use tandem_engine::{Change, Engine, InlineAnswer, Place, position};
use tandem_model::{Backend, BackendInfo, FakeBackend, GenerateRequest, Generation};

#[path = "../../model/tests/support/model.rs"]
mod model;

/// The fake model, with a stand-in tokenizer that records how much text it was given.
#[derive(Clone, Debug)]
struct Counting {
    fake: FakeBackend,
    longest: Arc<AtomicUsize>,
    total: Arc<AtomicUsize>,
}

impl Counting {
    fn new(answer: &'static str) -> Self {
        Self {
            fake: FakeBackend::new(move |_| answer.into()),
            longest: Arc::default(),
            total: Arc::default(),
        }
    }

    /// The most bytes counted at once and in all since the last call.
    fn take(&self) -> (usize, usize) {
        (self.longest.swap(0, Ordering::SeqCst), self.total.swap(0, Ordering::SeqCst))
    }
}

fn tokens(s: &str) -> usize {
    s.len().div_ceil(3)
}

impl Backend for Counting {
    fn info(&self) -> BackendInfo {
        self.fake.info()
    }

    fn generate(&self, request: GenerateRequest) -> Generation {
        self.fake.generate(request)
    }

    fn count_tokens(&self, text: &str) -> Option<usize> {
        self.longest.fetch_max(text.len(), Ordering::SeqCst);
        self.total.fetch_add(text.len(), Ordering::SeqCst);
        Some(tokens(text))
    }
}

const MB: usize = 1024 * 1024;

/// 50 MB of Rust on one line, or the same on many lines.
fn document(one_line: bool) -> String {
    document_of(50, one_line)
}

fn document_of(megabytes: usize, one_line: bool) -> String {
    let statement = "let total = compute(alpha, beta) + offset; ";
    let text = statement.repeat(megabytes * MB / statement.len());
    if one_line { text } else { text.replace("; ", ";\n") }
}

fn documents() -> impl Iterator<Item = (&'static str, String)> {
    [("one line", true), ("many lines", false)].into_iter().map(|(what, one)| (what, document(one)))
}

const BIG: &str = "src/big.rs";

/// An engine on the workspace `/w` holding `src/util.rs`, the fake model behind it.
fn engine(backend: &Counting, settings: CompletionSettings) -> Engine {
    let e = Engine::new(settings).with_backend(Arc::new(backend.clone()));
    e.set_root(Some(Path::new("/nonexistent/w")));
    let util = "pub fn compute(alpha: u32, beta: u32) -> u32 {\n    alpha * beta\n}\n";
    e.open("src/util.rs", Some(Path::new("/nonexistent/w/src/util.rs")), util.into(), 1, "rust".into());
    e.wait_for_index();
    e
}

fn open(e: &Engine, text: String) {
    e.open(BIG, Some(Path::new("/nonexistent/w/src/big.rs")), text, 1, "rust".into());
}

async fn complete(e: &Engine, cursor: usize) -> InlineAnswer {
    e.complete(BIG, Place::Offset(cursor), true).await.unwrap().answer
}

/// The tokens of a FIM prompt's parts, and of the context files in it.
fn prompt_tokens(p: &Prompt) -> usize {
    let Prompt::Fim(f) = p else { panic!("not FIM") };
    tokens(&f.prefix) + tokens(&f.suffix) + f.files.iter().map(|c| tokens(&c.content)).sum::<usize>()
}

#[tokio::test(start_paused = true)]
async fn fifty_megabyte_documents_get_an_answer_within_the_prompt_budget() {
    for (what, doc) in documents() {
        for context in [true, false] {
            let backend = Counting::new("7;");
            let settings = CompletionSettings { context, ..CompletionSettings::default() };
            let budget = settings.prefix_tokens + settings.suffix_tokens;
            let e = engine(&backend, settings);
            let cursor = doc.len() / 2 + "let total = ".len();
            let at = position(&doc, cursor, e.encoding());
            open(&e, doc.clone());
            backend.take();
            // A keystroke, then the next one.
            for (version, typed) in [(1, ""), (2, "x")] {
                if !typed.is_empty() {
                    e.change(BIG, version, &[Change { range: Some((at, at)), text: typed.into() }]).unwrap();
                }
                let answer = complete(&e, cursor + typed.len()).await;
                assert!(matches!(answer, InlineAnswer::Text { .. }), "{what}: {answer:?}");
                let (longest, total) = backend.take();
                assert!(longest <= 16 * 1024, "{what}: {longest} bytes tokenized at once");
                assert!(total <= 2 * MB, "{what}: {total} bytes tokenized for one request");
            }
            for p in backend.fake.prompts() {
                assert!(prompt_tokens(&p) <= budget, "{what}: a prompt of {} tokens", prompt_tokens(&p));
                let Prompt::Fim(f) = &p else { unreachable!() };
                assert!(f.suffix.len() > 10 && f.prefix.len() > 1000, "{what}: the budget is used");
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_time_budget_covers_gathering_the_context() {
    let backend = Counting::new("7;");
    // No time at all: the context stage finds it spent, and the model is not asked.
    let settings = CompletionSettings { time_budget_ms: 0, ..CompletionSettings::default() };
    let e = engine(&backend, settings);
    let text = "use crate::util::compute;\n\nfn main() {\n    let total = compute(";
    open(&e, text.into());
    assert_eq!(complete(&e, text.len()).await, InlineAnswer::Empty);
    assert_eq!(backend.fake.calls(), 0);
    assert_eq!(e.metrics().metrics.empty, 1);
    // Context cut short by the clock is not kept for the next keystroke.
    e.set_settings(CompletionSettings::default());
    assert!(matches!(complete(&e, text.len()).await, InlineAnswer::Text { .. }));
    let Prompt::Fim(fim) = &backend.fake.prompts()[0] else { panic!("not FIM") };
    assert!(fim.prefix.contains("pub fn compute("), "{}", fim.prefix);
}

/// By hand, with the real model: one completion in the middle of a 50 MB line (`TANDEM_LARGE=one`,
/// the default), of 50 MB of lines (`many`) or of a small file (`small`, for the model's own
/// footprint), through the language server's path with the default settings and a 4 s time
/// budget. Only the document asked for is built, so the peak RSS is the process's with it.
/// `TANDEM_LARGE_MB` sets another size.
#[test]
#[ignore = "a measurement with the real model: run by hand under /usr/bin/time -v"]
fn fifty_megabytes_with_the_real_model() {
    let m = model::manifest();
    let format = m.format(&m.default_model().format).unwrap().clone();
    let opts = tandem_model::LoadOptions::default();
    let runtime = tandem_model::Runtime::load(&model::model_path(), format, &opts).unwrap();
    let backend: Arc<dyn Backend> = Arc::new(tandem_model::LocalBackend::spawn("bench", runtime).unwrap());
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let which = std::env::var("TANDEM_LARGE").unwrap_or_default();
    let megabytes = std::env::var("TANDEM_LARGE_MB").ok().and_then(|m| m.parse().ok()).unwrap_or(50);
    let text: String = match which.as_str() {
        "small" => "fn main() {\n    let total = compute(alpha, beta) + offset;\n    let x = \n}\n".into(),
        "many" => document_of(megabytes, false),
        _ => document_of(megabytes, true),
    };
    let settings = CompletionSettings { time_budget_ms: 4000, ..CompletionSettings::default() };
    let e = Engine::new(settings).with_backend(backend);
    let started = std::time::Instant::now();
    let cursor = if which == "small" { text.find("x = ").unwrap() + 4 } else { text.len() / 2 };
    open(&e, text);
    let answer = rt.block_on(e.complete(BIG, Place::Offset(cursor), true)).map(|s| s.answer);
    let r = e.metrics().metrics.recent.back().cloned().unwrap_or_default();
    println!(
        "{which}: {answer:?} in {:.0} ms (context {:.0} ms, prompt {} tokens, {} evaluated, {:.0} ms)",
        started.elapsed().as_secs_f64() * 1000.0,
        r.context_ms,
        r.prompt_tokens,
        r.evaluated_tokens,
        r.prompt_ms
    );
    assert!(r.prompt_tokens <= 768 + 48 + 8, "{} prompt tokens", r.prompt_tokens);
}
