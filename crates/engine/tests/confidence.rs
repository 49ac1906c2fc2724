//! Which suggestions are shown, and what became of them, through the engine's façade with the
//! fake backend reporting token probabilities: the confidence gate of each aggressiveness, the
//! larger model answering again where the completion model is unsure, and outcomes (reported,
//! or typed out).

use std::path::Path;
use std::sync::Arc;
use tandem_core::{Aggressiveness, CompletionSettings};
use tandem_engine::{Change, Engine, InlineAnswer, Outcome, Place, Suggestion};
use tandem_model::FakeBackend;

const ROOT: &str = "/nonexistent/w";

fn engine(fake: &FakeBackend, aggressiveness: Aggressiveness) -> Engine {
    let settings = CompletionSettings { aggressiveness, debounce_ms: 0, ..CompletionSettings::default() };
    let e = Engine::new(settings).with_backend(Arc::new(fake.clone()));
    e.set_root(Some(Path::new(ROOT)));
    e.open("a.py", Some(&Path::new(ROOT).join("a.py")), "x = \n".into(), 1, "python".into());
    e
}

async fn complete(e: &Engine) -> Suggestion {
    e.complete("a.py", Place::Offset(4), true).await.unwrap()
}

fn shown(s: &Suggestion) -> Option<(&str, Option<f32>)> {
    match &s.answer {
        InlineAnswer::Text { text, confidence, .. } => Some((text.as_str(), *confidence)),
        _ => None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_suggestion_is_shown_only_when_its_confidence_clears_the_aggressiveness() {
    let unsure = FakeBackend::new(|_| "compute()".into()).with_token_probability(0.05);
    let e = engine(&unsure, Aggressiveness::Medium);
    let s = complete(&e).await;
    assert_eq!(s.answer, InlineAnswer::Empty, "hidden at the default");
    let m = e.metrics().metrics;
    let r = m.recent.back().unwrap();
    assert!(r.hidden && (r.confidence.unwrap() - 0.05).abs() < 1e-4, "{r:?}");
    assert_eq!((m.hidden, m.shown), (1, 0));
    // The same answer at the most eager level.
    let e = engine(&unsure, Aggressiveness::High);
    let s = complete(&e).await;
    assert_eq!(shown(&s).map(|(t, _)| t), Some("compute()"));
    assert!(s.id > 0);

    let sure = FakeBackend::new(|_| "compute()".into()).with_token_probability(0.95);
    for level in [Aggressiveness::Low, Aggressiveness::Medium, Aggressiveness::High] {
        let s = complete(&engine(&sure, level)).await;
        let (text, confidence) = shown(&s).expect("shown at every level");
        assert_eq!(text, "compute()");
        assert!((confidence.unwrap() - 0.95).abs() < 1e-4);
    }
    assert!(Aggressiveness::Low.threshold() > Aggressiveness::Medium.threshold());
    assert!(Aggressiveness::Medium.threshold() > Aggressiveness::High.threshold());
}

#[tokio::test(start_paused = true)]
async fn the_larger_model_answers_again_where_the_completion_model_is_unsure() {
    let small = FakeBackend::new(|_| "guess()".into()).with_token_probability(0.05);
    let large = FakeBackend::new(|_| "answer()".into()).with_token_probability(0.9);
    let e = engine(&small, Aggressiveness::Medium);
    e.attach_larger(Arc::new(large.clone()));
    let s = complete(&e).await;
    assert_eq!(shown(&s).map(|(t, _)| t), Some("answer()"));
    let r = e.metrics().metrics.recent.back().cloned().unwrap();
    assert!(r.routed_up && !r.hidden, "{r:?}");
    assert_eq!((small.calls(), large.calls()), (1, 1));

    // A sure answer is not asked again.
    let sure = FakeBackend::new(|_| "sure()".into()).with_token_probability(0.95);
    let e = engine(&sure, Aggressiveness::Medium);
    e.attach_larger(Arc::new(large.clone()));
    assert_eq!(shown(&complete(&e).await).map(|(t, _)| t), Some("sure()"));
    assert_eq!(large.calls(), 1);

    // Nor when the settings say no.
    let e = engine(&small, Aggressiveness::High);
    e.set_settings(CompletionSettings { route_up: false, ..e.settings() });
    e.attach_larger(Arc::new(large.clone()));
    assert_eq!(shown(&complete(&e).await).map(|(t, _)| t), Some("guess()"));
    assert_eq!(large.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn outcomes_are_recorded_once_per_suggestion() {
    let fake = FakeBackend::new(|_| "compute()".into());
    let e = engine(&fake, Aggressiveness::Medium);
    let s = complete(&e).await;
    assert!(e.outcome(s.id, Outcome::Dismissed));
    assert!(e.outcome(s.id, Outcome::Dismissed));
    let m = e.metrics().metrics;
    assert_eq!((m.shown, m.accepted, m.dismissed), (1, 0, 1));
    // Taken after all: a dismissal turns into an acceptance, which is final.
    assert!(e.outcome(s.id, Outcome::Accepted));
    assert!(e.outcome(s.id, Outcome::Dismissed));
    let m = e.metrics().metrics;
    assert_eq!((m.accepted, m.dismissed), (1, 0));
    assert_eq!(m.recent.back().unwrap().outcome, Some(Outcome::Accepted));
    assert!(!e.outcome(s.id + 100, Outcome::Accepted), "unknown");
    assert!(!e.outcome(0, Outcome::Accepted), "no suggestion");
}

#[tokio::test(start_paused = true)]
async fn typing_a_suggestion_out_counts_as_accepting_it() {
    let fake = FakeBackend::new(|_| "compute()".into());
    let e = engine(&fake, Aggressiveness::Medium);
    let first = complete(&e).await;
    // Typing through: the rest keeps the suggestion's id.
    e.change("a.py", 2, &[Change { range: Some(((0, 4), (0, 4))), text: "comp".into() }]).unwrap();
    let rest = e.complete("a.py", Place::Offset(8), false).await.unwrap();
    assert_eq!((shown(&rest).map(|(t, _)| t), rest.id), (Some("ute()"), first.id));
    assert_eq!(e.metrics().metrics.accepted, 0, "not yet");
    e.change("a.py", 3, &[Change { range: Some(((0, 8), (0, 8))), text: "ute()".into() }]).unwrap();
    // The next request there finds it typed out.
    let next = e.complete("a.py", Place::Offset(13), false).await.unwrap();
    assert_ne!(next.id, first.id);
    let m = e.metrics().metrics;
    assert_eq!((m.accepted, m.dismissed), (1, 0));
    let first_record = m.recent.iter().find(|r| r.id == first.id && r.outcome.is_some()).unwrap();
    assert_eq!(first_record.outcome, Some(Outcome::Accepted));
}

#[tokio::test]
async fn the_larger_model_is_loaded_the_first_time_a_request_needs_it() {
    let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let large = FakeBackend::new(|_| "answer()".into()).with_token_probability(0.9);
    let loader = |loads: &Arc<std::sync::atomic::AtomicUsize>| -> tandem_engine::LargerLoader {
        let (loads, large) = (loads.clone(), large.clone());
        Box::new(move || {
            loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Some(Arc::new(large) as Arc<dyn tandem_engine::Backend>)
        })
    };
    // A sure answer needs no larger model: nothing is loaded.
    let sure = FakeBackend::new(|_| "sure()".into()).with_token_probability(0.95);
    let e = engine(&sure, Aggressiveness::Medium);
    e.larger_when_needed(loader(&loads));
    assert_eq!(shown(&complete(&e).await).map(|(t, _)| t), Some("sure()"));
    assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(e.larger().is_none());
    // An unsure one loads it, waits for it, and takes its answer; it is loaded once.
    let unsure = FakeBackend::new(|_| "guess()".into()).with_token_probability(0.05);
    let e = engine(&unsure, Aggressiveness::Medium);
    e.larger_when_needed(loader(&loads));
    assert_eq!(shown(&complete(&e).await).map(|(t, _)| t), Some("answer()"));
    e.set_settings(CompletionSettings { debounce_ms: 0, ..e.settings() });
    e.change("a.py", 2, &[Change { range: Some(((0, 4), (0, 4))), text: "y".into() }]).unwrap();
    let _ = e.complete("a.py", Place::Offset(5), true).await.unwrap();
    assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(large.calls(), 2);
    // A loader that finds no larger model leaves the answer as it was.
    let e = engine(&unsure, Aggressiveness::High);
    e.larger_when_needed(Box::new(|| None));
    assert_eq!(shown(&complete(&e).await).map(|(t, _)| t), Some("guess()"));
}
