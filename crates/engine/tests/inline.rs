//! The engine's hot path through its façade, with the fake backend: reuse, cache, latest-wins
//! cancellation, debounce, stale requests, per-language switches, post-processing, metrics, and
//! each document's life (open, edit, close) in one place.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tandem_core::{CompletionSettings, ContextLayout, Prompt};
use tandem_engine::{Change, DocumentError, Engine, EngineError, InlineAnswer, Place, Source, fim_prompt};
use tandem_model::FakeBackend;

const ROOT: &str = "/nonexistent/w";

fn engine_with(fake: &FakeBackend, settings: CompletionSettings) -> Engine {
    let e = Engine::new(settings).with_backend(Arc::new(fake.clone()));
    e.set_root(Some(Path::new(ROOT)));
    e
}

fn engine(fake: &FakeBackend) -> Engine {
    engine_with(fake, CompletionSettings::default())
}

fn path(name: &str) -> PathBuf {
    Path::new(ROOT).join(name)
}

/// Opens `name` (a Python file of the workspace) with `text`; its URI is its name.
fn open(e: &Engine, name: &str, text: &str) {
    e.open(name, Some(&path(name)), text.into(), 1, "python".into());
}

/// Inserts `new` at `(line, character)`.
fn insert(e: &Engine, name: &str, version: i32, at: (u32, u32), new: &str) {
    let change = Change { range: Some((at, at)), text: new.into() };
    e.change(name, version, &[change]).unwrap();
}

async fn complete(e: &Engine, name: &str, cursor: usize) -> InlineAnswer {
    e.complete(name, Place::Offset(cursor), false).await.unwrap().answer
}

fn text(a: InlineAnswer) -> String {
    match a {
        InlineAnswer::Text { text, .. } => text,
        other => panic!("expected text, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn typing_through_a_suggestion_needs_no_model_call() {
    let fake = FakeBackend::new(|_| "oo(bar)\n\n# Test\nprint(1)".into());
    let e = engine(&fake);
    open(&e, "a.py", "x = f\n");
    assert_eq!(text(complete(&e, "a.py", 5).await), "oo(bar)");
    assert_eq!(fake.calls(), 1);
    insert(&e, "a.py", 2, (0, 5), "oo(");
    match complete(&e, "a.py", 8).await {
        InlineAnswer::Text { text, source, .. } => {
            assert_eq!((text.as_str(), source), ("bar)", Source::Reuse))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.calls(), 1);
    let m = e.metrics();
    assert_eq!((m.metrics.requests, m.metrics.reuse_hits, m.metrics.model_calls), (2, 1, 1));
}

#[tokio::test(start_paused = true)]
async fn the_same_prompt_is_answered_from_the_cache() {
    let fake = FakeBackend::new(|_| "1".into());
    let e = engine(&fake);
    open(&e, "a.py", "x = \n");
    // Another document under the same name shows the model the same prompt.
    e.open("other", Some(&path("a.py")), "x = \n".into(), 1, "python".into());
    assert_eq!(text(complete(&e, "a.py", 4).await), "1");
    match complete(&e, "other", 4).await {
        InlineAnswer::Text { source, .. } => assert_eq!(source, Source::Cache),
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_newer_request_cancels_the_older_one_for_the_same_document() {
    // (Answers are valid code where they go: a suggestion must not break the syntax.)
    let fake = FakeBackend::new(|_| "compute_a_long_answer(slowly)".into())
        .with_piece_delay(Duration::from_millis(20));
    let e = Arc::new(engine(&fake));
    open(&e, "a.py", "x = \n");
    let first = tokio::spawn({
        let e = e.clone();
        async move { complete(&e, "a.py", 4).await }
    });
    // Let the first one get past its debounce and start generating.
    while fake.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    insert(&e, "a.py", 2, (0, 1), "y");
    let second = complete(&e, "a.py", 5).await;
    assert_eq!(first.await.unwrap(), InlineAnswer::Cancelled);
    assert_eq!(text(second), "compute_a_long_answer(slowly)");
    assert_eq!(e.metrics().metrics.cancelled, 1);
}

#[tokio::test(start_paused = true)]
async fn a_request_superseded_during_the_debounce_never_reaches_the_model() {
    let fake = FakeBackend::new(|_| " + y".into());
    let e = Arc::new(engine(&fake));
    open(&e, "a.py", "x = \n");
    let first = tokio::spawn({
        let e = e.clone();
        async move { complete(&e, "a.py", 4).await }
    });
    tokio::task::yield_now().await;
    insert(&e, "a.py", 2, (0, 4), "1");
    let second = complete(&e, "a.py", 5).await;
    assert_eq!(first.await.unwrap(), InlineAnswer::Cancelled);
    assert!(matches!(second, InlineAnswer::Text { .. }));
    assert_eq!(fake.calls(), 1);
}

/// A request is for the text it was made on: an edit during its debounce makes it stale, even
/// when no newer request follows (the editor asks again for the new text).
#[tokio::test(start_paused = true)]
async fn an_edit_during_the_debounce_makes_the_request_stale() {
    let fake = FakeBackend::new(|_| "y".into());
    let e = Arc::new(engine(&fake));
    open(&e, "a.py", "x = \n");
    let first = tokio::spawn({
        let e = e.clone();
        async move { complete(&e, "a.py", 4).await }
    });
    tokio::task::yield_now().await;
    insert(&e, "a.py", 2, (0, 4), "1");
    assert_eq!(first.await.unwrap(), InlineAnswer::Cancelled);
    assert_eq!(fake.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn closing_a_document_cancels_its_request_and_forgets_it() {
    // (Answers are valid code where they go: a suggestion must not break the syntax.)
    let fake = FakeBackend::new(|_| "compute_a_long_answer(slowly)".into())
        .with_piece_delay(Duration::from_millis(20));
    let e = Arc::new(engine(&fake));
    open(&e, "a.py", "x = \n");
    let first = tokio::spawn({
        let e = e.clone();
        async move { complete(&e, "a.py", 4).await }
    });
    while fake.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    e.close("a.py");
    assert_eq!(first.await.unwrap(), InlineAnswer::Cancelled);
    let gone = e.complete("a.py", Place::Offset(0), true).await;
    assert!(matches!(gone, Err(EngineError::Document(DocumentError::NotOpen(_)))), "{gone:?}");
    assert!(e.document("a.py").is_none());

    // Opened again, it starts afresh: typing into the suggestion shown before the close is no
    // reuse of it.
    let fake = FakeBackend::new(|_| "answer".into());
    let e = engine(&fake);
    open(&e, "a.py", "x = \n");
    assert_eq!(text(complete(&e, "a.py", 4).await), "answer");
    e.close("a.py");
    open(&e, "a.py", "x = a\n");
    assert!(matches!(complete(&e, "a.py", 5).await, InlineAnswer::Text { source: Source::Model, .. }));
    assert_eq!(fake.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn edits_that_do_not_fit_change_nothing() {
    let e = engine(&FakeBackend::new(|_| "z".into()));
    open(&e, "a.py", "x = 1\n");
    let stale = e.change("a.py", 1, &[Change { range: None, text: "y".into() }]);
    assert!(matches!(stale, Err(DocumentError::Stale { .. })), "{stale:?}");
    let outside = e.change("a.py", 2, &[Change { range: Some(((9, 0), (9, 0))), text: "y".into() }]);
    assert!(matches!(outside, Err(DocumentError::Outside { .. })), "{outside:?}");
    assert_eq!(e.document("a.py").unwrap().text.as_str(), "x = 1\n");
    let missing = e.change("b.py", 2, &[]);
    assert!(matches!(missing, Err(DocumentError::NotOpen(_))), "{missing:?}");
}

#[tokio::test(start_paused = true)]
async fn disabled_languages_get_nothing() {
    let fake = FakeBackend::new(|_| "y".into());
    let mut settings = CompletionSettings::default();
    settings.languages.insert("python".into(), false);
    let e = engine_with(&fake, settings);
    open(&e, "a.py", "x = \n");
    assert_eq!(complete(&e, "a.py", 4).await, InlineAnswer::Empty);
    assert_eq!(fake.calls(), 0);
}

#[tokio::test(start_paused = true)]
async fn without_a_model_there_is_nothing_yet() {
    let e = Engine::new(CompletionSettings::default());
    open(&e, "a.py", "x = \n");
    let s = e.complete("a.py", Place::Position { line: 0, character: 4 }, true).await.unwrap();
    assert_eq!((s.answer, s.position), (InlineAnswer::Empty, (0, 4)));
}

#[tokio::test(start_paused = true)]
async fn the_prompt_is_a_fim_prompt_within_budget() {
    let fake = FakeBackend::new(|_| "z".into());
    let settings = CompletionSettings {
        prefix_tokens: 8,
        suffix_tokens: 4,
        context: false,
        ..CompletionSettings::default()
    };
    let e = engine_with(&fake, settings);
    let doc = "line one here\nline two here\nline three\nx = \nafter one\nafter two\nafter three\n";
    open(&e, "a.py", doc);
    let cursor = doc.find("x = ").unwrap() + 4;
    let s = e.complete("a.py", Place::Position { line: 3, character: 4 }, false).await.unwrap();
    assert_eq!((s.position, s.word.as_str()), ((3, 4), ""));
    assert_eq!(e.document("a.py").unwrap().offset(3, 4, e.encoding()).unwrap(), cursor);
    let Prompt::Fim(fim) = &fake.prompts()[0] else { panic!("not FIM") };
    assert_eq!(fim.prefix, "line three\nx = ");
    assert_eq!(fim.suffix, "\nafter one\n");
    assert_eq!(fim.path.as_deref(), Some("a.py"));
}

#[tokio::test(start_paused = true)]
async fn the_word_before_the_cursor_comes_with_the_suggestion() {
    let e = engine(&FakeBackend::new(|_| "ult".into()));
    open(&e, "a.py", "résult = 1\nprint(rés");
    let s = e.complete("a.py", Place::Position { line: 1, character: 9 }, true).await.unwrap();
    assert_eq!((s.word.as_str(), s.word_start, s.position), ("rés", (1, 6), (1, 9)));
}

#[tokio::test(start_paused = true)]
async fn a_cursor_outside_the_text_is_an_error() {
    let e = engine(&FakeBackend::new(|_| "z".into()));
    open(&e, "a.py", "é");
    for place in [Place::Offset(1), Place::Offset(5), Place::Position { line: 3, character: 0 }] {
        let r = e.complete("a.py", place, true).await;
        assert!(matches!(r, Err(EngineError::Document(_))), "{place:?}: {r:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn workspace_context_goes_in_front_as_comments_or_in_the_repository_layout() {
    let doc = "from util import helper\n\ny = helper(";
    let settings = CompletionSettings { context: true, ..CompletionSettings::default() };
    let fake = FakeBackend::new(|_| "1)".into());
    let e = engine_with(&fake, settings.clone());
    open(&e, "util.py", "def helper(x):\n    return x * 2\n");
    open(&e, "b.py", doc);
    e.wait_for_index();
    complete(&e, "b.py", doc.len()).await;
    let Prompt::Fim(fim) = &fake.prompts()[0] else { panic!("not FIM") };
    assert_eq!(fim.prefix, format!("# util.py\n# def helper(x):\n#     return x * 2\n\n{doc}"));
    assert!(fim.files.is_empty() && fim.repo.is_none());

    let fake = FakeBackend::new(|_| "1)".into());
    let settings = CompletionSettings { context_layout: ContextLayout::Repository, ..settings };
    let e = engine_with(&fake, settings);
    open(&e, "util.py", "def helper(x):\n    return x * 2\n");
    open(&e, "b.py", doc);
    e.wait_for_index();
    complete(&e, "b.py", doc.len()).await;
    let Prompt::Fim(fim) = &fake.prompts()[0] else { panic!("not FIM") };
    assert_eq!(fim.prefix, doc);
    assert_eq!(fim.files.len(), 1);
    assert_eq!(
        (fim.files[0].path.as_str(), fim.files[0].content.as_str()),
        ("util.py", "def helper(x):\n    return x * 2")
    );
    assert!(fim.repo.is_some());
}

/// `tandem context` shows the engine's own assembly: what the first completion there would send.
#[tokio::test(start_paused = true)]
async fn the_plan_is_the_prompt_the_engine_sends() {
    let doc = "from util import helper\n\ny = helper(";
    let count = |s: &str| s.len().div_ceil(4);
    for context in [true, false] {
        let settings = CompletionSettings { context, ..CompletionSettings::default() };
        let fake = FakeBackend::new(|_| "1)".into());
        let e = engine_with(&fake, settings);
        open(&e, "util.py", "def helper(x):\n    return x * 2\n");
        open(&e, "b.py", doc);
        e.wait_for_index();
        let plan = e.plan("b.py", Place::Offset(doc.len()), &count).unwrap();
        assert_eq!(plan.files.len(), usize::from(context), "context {context}");
        complete(&e, "b.py", doc.len()).await;
        let Prompt::Fim(fim) = &fake.prompts()[0] else { panic!("not FIM") };
        let language = tandem_engine::Language::from_path("b.py");
        let planned = fim_prompt(plan, ContextLayout::Comments, language, Some("b.py".into()), None);
        assert_eq!((&fim.prefix, &fim.suffix), (&planned.prefix, &planned.suffix), "context {context}");
    }
}

/// An open document's buffer is what the index holds for it, whatever the disk says; closed,
/// the disk counts again.
#[test]
fn open_buffers_win_over_the_disk_until_closed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lib.py"), "def alpha(): pass\n").unwrap();
    let e = Engine::new(CompletionSettings::default());
    e.set_root(Some(dir.path()));
    e.open("lib.py", Some(&dir.path().join("lib.py")), "def beta(): pass\n".into(), 1, "python".into());
    assert_eq!(e.scan().indexed, 0, "the open file is left to its buffer");
    e.reload(vec!["lib.py".into()]);
    e.wait_for_index();
    let defines = |name: &str| e.workspace().index().defining(name).count();
    assert_eq!((defines("alpha"), defines("beta")), (0, 1), "a disk event does not override the buffer");
    e.close("lib.py");
    e.wait_for_index();
    assert_eq!((defines("alpha"), defines("beta")), (1, 0));
}

/// Typed at the start of a blank line inside a function's body, a suggestion that starts a new
/// top-level function is not shown; one that left out the body's indentation gets it; in
/// single-line mode a comment where code is expected is not shown.
#[tokio::test(start_paused = true)]
async fn suggestions_stay_in_the_body_the_cursor_is_in() {
    let doc = "def total(xs):\n    s = 0\n\n    return s\n";
    let cursor = doc.find("\n\n").unwrap() + 1;
    for (answer, shown) in [
        ("def main():\n    print(total([1, 2]))", None),
        ("for x in xs:\n    s += x", Some("    for x in xs:\n        s += x")),
        ("    for x in xs:\n        s += x\ndef main():", Some("    for x in xs:\n        s += x")),
    ] {
        let fake = FakeBackend::new(move |_| answer.into());
        let e = engine(&fake);
        open(&e, "a.py", doc);
        let got = match complete(&e, "a.py", cursor).await {
            InlineAnswer::Text { text, .. } => Some(text),
            _ => None,
        };
        assert_eq!(got.as_deref(), shown, "{answer:?}");
    }
    let fake = FakeBackend::new(|_| "# Convert the string to lowercase".into());
    let e = engine(&fake);
    open(&e, "a.py", "def lower(s):\n    return \n");
    assert_eq!(complete(&e, "a.py", "def lower(s):\n    return ".len()).await, InlineAnswer::Empty);
}
