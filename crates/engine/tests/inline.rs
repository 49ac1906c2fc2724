//! The engine's hot path with the fake backend: reuse, cache, latest-wins cancellation,
//! debounce, per-language switches, post-processing and metrics.

use std::sync::Arc;
use std::time::Duration;
use tandem_core::{CompletionSettings, ContextLayout, Prompt};
use tandem_engine::{Engine, InlineAnswer, InlineRequest, Source};
use tandem_model::FakeBackend;

fn request(doc: &str, text: &str, cursor: usize) -> InlineRequest {
    InlineRequest {
        document: doc.into(),
        text: Arc::from(text),
        cursor,
        language: "python".into(),
        path: Some("a.py".into()),
        explicit: false,
    }
}

fn engine(fake: &FakeBackend) -> Engine {
    Engine::new(Arc::new(fake.clone()), CompletionSettings::default())
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
    let doc = "x = f\n";
    assert_eq!(text(e.inline(request("a", doc, 5)).await.unwrap()), "oo(bar)");
    assert_eq!(fake.calls(), 1);
    let typed = "x = foo(\n";
    match e.inline(request("a", typed, 8)).await.unwrap() {
        InlineAnswer::Text { text, source } => assert_eq!((text.as_str(), source), ("bar)", Source::Reuse)),
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
    assert_eq!(text(e.inline(request("a", "x = \n", 4)).await.unwrap()), "1");
    match e.inline(request("b", "x = \n", 4)).await.unwrap() {
        InlineAnswer::Text { source, .. } => assert_eq!(source, Source::Cache),
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_newer_request_cancels_the_older_one_for_the_same_document() {
    let fake = FakeBackend::new(|_| "a long answer that takes a while".into())
        .with_piece_delay(Duration::from_millis(20));
    let e = Arc::new(engine(&fake));
    let first = tokio::spawn({
        let e = e.clone();
        async move { e.inline(request("a", "x = \n", 4)).await }
    });
    // Let the first one get past its debounce and start generating.
    while fake.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let second = e.inline(request("a", "xy = \n", 5)).await.unwrap();
    assert_eq!(first.await.unwrap().unwrap(), InlineAnswer::Cancelled);
    assert_eq!(text(second), "a long answer that takes a while");
    assert_eq!(e.metrics().metrics.cancelled, 1);
}

#[tokio::test(start_paused = true)]
async fn a_request_superseded_during_the_debounce_never_reaches_the_model() {
    let fake = FakeBackend::new(|_| "y".into());
    let e = Arc::new(engine(&fake));
    let first = tokio::spawn({
        let e = e.clone();
        async move { e.inline(request("a", "x = \n", 4)).await }
    });
    tokio::task::yield_now().await;
    let second = e.inline(request("a", "x = 1\n", 5)).await.unwrap();
    assert_eq!(first.await.unwrap().unwrap(), InlineAnswer::Cancelled);
    assert!(matches!(second, InlineAnswer::Text { .. }));
    assert_eq!(fake.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn disabled_languages_get_nothing() {
    let fake = FakeBackend::new(|_| "y".into());
    let mut settings = CompletionSettings::default();
    settings.languages.insert("python".into(), false);
    let e = Engine::new(Arc::new(fake.clone()), settings);
    assert_eq!(e.inline(request("a", "x = \n", 4)).await.unwrap(), InlineAnswer::Empty);
    assert_eq!(fake.calls(), 0);
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
    let e = Engine::new(Arc::new(fake.clone()), settings);
    let doc = "line one here\nline two here\nline three\nx = \nafter one\nafter two\nafter three\n";
    let cursor = doc.find("x = ").unwrap() + 4;
    e.inline(request("a", doc, cursor)).await.unwrap();
    let Prompt::Fim(fim) = &fake.prompts()[0] else { panic!("not FIM") };
    assert_eq!(fim.prefix, "line three\nx = ");
    assert_eq!(fim.suffix, "\nafter one\n");
    assert_eq!(fim.path.as_deref(), Some("a.py"));
}

#[tokio::test(start_paused = true)]
async fn a_cursor_outside_the_text_is_an_error() {
    let e = engine(&FakeBackend::new(|_| "z".into()));
    assert!(e.inline(request("a", "é", 1)).await.is_err());
    assert!(e.inline(request("a", "x", 5)).await.is_err());
}

#[tokio::test(start_paused = true)]
async fn workspace_context_goes_in_front_as_comments_or_in_the_repository_layout() {
    let workspace = Arc::new(tandem_engine::Workspace::default());
    workspace.opened("util.py", "def helper(x):\n    return x * 2\n");
    let doc = "from util import helper\n\ny = helper(";
    let mut req = request("b", doc, doc.len());
    req.path = Some("b.py".into());
    let fake = FakeBackend::new(|_| "1)".into());
    let settings = CompletionSettings { context: true, ..CompletionSettings::default() };
    let e = Engine::with_workspace(Arc::new(fake.clone()), settings.clone(), workspace.clone());
    e.inline(req.clone()).await.unwrap();
    let Prompt::Fim(fim) = &fake.prompts()[0] else { panic!("not FIM") };
    assert_eq!(fim.prefix, format!("# util.py\n# def helper(x):\n#     return x * 2\n\n{doc}"));
    assert!(fim.files.is_empty() && fim.repo.is_none());

    let fake = FakeBackend::new(|_| "1)".into());
    let settings = CompletionSettings { context_layout: ContextLayout::Repository, ..settings };
    let e = Engine::with_workspace(Arc::new(fake.clone()), settings, workspace);
    e.inline(req).await.unwrap();
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
    let workspace = Arc::new(tandem_engine::Workspace::default());
    workspace.opened("util.py", "def helper(x):\n    return x * 2\n");
    let doc = "from util import helper\n\ny = helper(";
    let mut req = request("b", doc, doc.len());
    req.path = Some("b.py".into());
    let count = |s: &str| s.len().div_ceil(4);
    for context in [true, false] {
        let settings = CompletionSettings { context, ..CompletionSettings::default() };
        let plan = tandem_engine::plan(&workspace, &settings, "b.py", doc, doc.len(), &count);
        assert_eq!(plan.files.len(), usize::from(context), "context {context}");
        let fake = FakeBackend::new(|_| "1)".into());
        let e = Engine::with_workspace(Arc::new(fake.clone()), settings, workspace.clone());
        e.inline(req.clone()).await.unwrap();
        let Prompt::Fim(fim) = &fake.prompts()[0] else { panic!("not FIM") };
        let shown = tandem_engine::context::gather::commented(
            tandem_engine::context::Language::from_path("b.py"),
            &plan.files,
        ) + &plan.window.prefix;
        assert_eq!(fim.prefix, shown, "context {context}");
        assert_eq!(fim.suffix, plan.window.suffix, "context {context}");
    }
}
