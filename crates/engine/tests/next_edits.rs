//! Next edits through the engine's façade: the places an edit implies (a rename in scope, a
//! signature's call sites in another file, sibling lines), proposals following later edits and
//! standing after one is applied, a proposal offered as the inline completion on its line,
//! privacy (excluded files and links are never proposed), and arguments the model writes (the
//! fake backend standing in for it, with the probabilities it reports).

use std::path::Path;
use std::sync::Arc;
use tandem_core::CompletionSettings;
use tandem_engine::{Change, Engine, InlineAnswer, NextEdit, Outcome, Place};
use tandem_model::FakeBackend;

fn settings() -> CompletionSettings {
    CompletionSettings { debounce_ms: 0, ..CompletionSettings::default() }
}

/// An engine on a workspace holding `files`, with `open` opened as its text on disk.
fn engine_on(dir: &Path, files: &[(&str, &str)], open: &str) -> Engine {
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let e = Engine::new(settings());
    e.set_root(Some(dir));
    e.scan();
    let text = std::fs::read_to_string(dir.join(open)).unwrap();
    let language = if open.ends_with(".py") { "python" } else { "rust" };
    e.open(&uri(dir, open), Some(&dir.join(open)), text, 1, language.into());
    e
}

fn uri(dir: &Path, rel: &str) -> String {
    format!("file://{}", dir.join(rel).display())
}

/// Replaces the first `old` in the document with `new`.
fn edit(e: &Engine, uri: &str, version: i32, old: &str, new: &str) {
    let text = e.document(uri).unwrap().text;
    let at = text.find(old).unwrap_or_else(|| panic!("{old:?} not in {text:?}"));
    let start = tandem_engine::position(&text, at, tandem_engine::Encoding::Utf16);
    let end = tandem_engine::position(&text, at + old.len(), tandem_engine::Encoding::Utf16);
    e.change(uri, version, &[Change { range: Some((start, end)), text: new.into() }]).unwrap();
}

/// Applies a proposal to its open document, as an editor would.
fn apply(e: &Engine, p: &NextEdit, version: i32) {
    let uri = p.uri.as_deref().expect("an open document");
    e.change(uri, version, &[Change { range: Some(p.range), text: p.text.clone() }]).unwrap();
}

/// What each proposal replaces and with what: `(file, line, text there, replacement)`.
fn described(e: &Engine, edits: &[NextEdit]) -> Vec<(String, u32, String, String)> {
    edits
        .iter()
        .map(|p| {
            let (text, name) = match (&p.uri, &p.path) {
                (Some(u), _) => {
                    (e.document(u).unwrap().text.to_string(), u.rsplit('/').next().unwrap().to_owned())
                }
                (None, Some(path)) => (
                    std::fs::read_to_string(path).unwrap(),
                    path.file_name().unwrap().to_string_lossy().into(),
                ),
                _ => panic!("a proposal without a document"),
            };
            let enc = tandem_engine::Encoding::Utf16;
            let from = tandem_engine::offset(&text, p.range.0.0, p.range.0.1, enc).unwrap();
            let to = tandem_engine::offset(&text, p.range.1.0, p.range.1.1, enc).unwrap();
            (name, p.range.0.0, text[from..to].to_owned(), p.text.clone())
        })
        .collect()
}

const GEO: &str = "def area(width, height):\n    return width * height\n\n\ndef perimeter(width, height):\n    return 2 * (width + height)\n";

#[tokio::test(start_paused = true)]
async fn a_renamed_parameter_is_renamed_in_its_function_only_and_proposals_follow_later_edits() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_on(dir.path(), &[("geo.py", GEO)], "geo.py");
    let u = uri(dir.path(), "geo.py");
    assert!(e.next_edits(&u).await.unwrap().is_empty(), "nothing edited yet");
    edit(&e, &u, 2, "width", "w");
    let edits = e.next_edits(&u).await.unwrap();
    assert_eq!(described(&e, &edits), vec![("geo.py".into(), 1, "width".into(), "w".into())]);
    assert_eq!((edits[0].kind, edits[0].range), ("rename", ((1, 11), (1, 16))));

    // Typing above the place (an edit that implies nothing) moves it along.
    e.change(&u, 3, &[Change { range: Some(((0, 0), (0, 0))), text: "# geometry\n".into() }]).unwrap();
    let moved = e.next_edits(&u).await.unwrap();
    assert_eq!(described(&e, &moved), vec![("geo.py".into(), 2, "width".into(), "w".into())]);

    // Applying it accepts it, and nothing new is proposed for that.
    apply(&e, &moved[0], 4);
    assert!(e.next_edits(&u).await.unwrap().is_empty());
    assert!(e.document(&u).unwrap().text.contains("def area(w, height):\n    return w * height\n"));
    assert!(
        e.document(&u)
            .unwrap()
            .text
            .contains("def perimeter(width, height):\n    return 2 * (width + height)")
    );

    // Undoing the rename withdraws what it implied.
    edit(&e, &u, 5, "def perimeter(width,", "def perimeter(size,");
    assert_eq!(e.next_edits(&u).await.unwrap().len(), 1);
    edit(&e, &u, 6, "def perimeter(size,", "def perimeter(width,");
    assert!(e.next_edits(&u).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_removed_parameter_reaches_the_call_sites_in_other_files_but_not_excluded_ones() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        ("geo.py", GEO),
        ("app/main.py", "from geo import area\n\nprint(area(2, 3))\nx = area(4, height=5)\n"),
        // Excluded by the built-in privacy rules (`*secret*`): never read for proposals.
        ("app/secret_sizes.py", "from geo import area\n\nprint(area(7, 8))\n"),
        ("other.py", "def unrelated(area):\n    return area\n"),
    ];
    let e = engine_on(dir.path(), &files, "geo.py");
    // A link to the excluded file is not followed either.
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("app/secret_sizes.py"), dir.path().join("app/sizes.py"))
        .unwrap();
    e.scan();
    let u = uri(dir.path(), "geo.py");
    edit(&e, &u, 2, "def area(width, height)", "def area(width)");
    let edits = e.next_edits(&u).await.unwrap();
    let got = described(&e, &edits);
    assert_eq!(
        got,
        vec![
            ("main.py".into(), 2, ", 3".into(), String::new()),
            ("main.py".into(), 3, ", height=5".into(), String::new()),
        ],
        "{edits:#?}"
    );
    assert!(edits.iter().all(|p| p.kind == "signature" && p.uri.is_none() && p.path.is_some()));
}

#[tokio::test(start_paused = true)]
async fn a_renamed_function_is_renamed_where_other_files_call_it_open_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let lib = "pub fn total(xs: &[u32]) -> u32 {\n    xs.iter().sum()\n}\n";
    let main = "mod lib;\nfn main() {\n    let t = lib::total(&[1, 2]);\n    println!(\"{}\", lib::total(&[]));\n}\n";
    let e = engine_on(dir.path(), &[("src/lib.rs", lib), ("src/main.rs", main)], "src/lib.rs");
    let mu = uri(dir.path(), "src/main.rs");
    e.open(&mu, Some(&dir.path().join("src/main.rs")), main.into(), 1, "rust".into());
    let u = uri(dir.path(), "src/lib.rs");
    edit(&e, &u, 2, "total", "sum");
    let edits = e.next_edits(&u).await.unwrap();
    let got = described(&e, &edits);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|(f, _, at, to)| f == "main.rs" && at == "total" && to == "sum"));
    assert!(edits.iter().all(|p| p.uri.as_deref() == Some(mu.as_str())));
    // Applying one in the other document leaves the other standing.
    apply(&e, &edits[0], 2);
    let rest = e.next_edits(&mu).await.unwrap();
    assert_eq!(described(&e, &rest), vec![("main.rs".into(), 3, "total".into(), "sum".into())]);
}

#[tokio::test(start_paused = true)]
async fn sibling_lines_get_the_same_change_and_the_cursor_s_line_offers_it_inline() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = "SETTINGS = {\n    \"host\": env(\"HOST\"),\n    \"port\": env(\"PORT\"),\n    \"user\": env(\"USER\"),\n}\n";
    let e = engine_on(dir.path(), &[("cfg.py", cfg)], "cfg.py");
    e.attach(Arc::new(FakeBackend::new(|_| "unused".into())));
    let u = uri(dir.path(), "cfg.py");
    edit(&e, &u, 2, "env(\"HOST\")", "env(\"HOST\", default=None)");
    let edits = e.next_edits(&u).await.unwrap();
    assert_eq!(
        described(&e, &edits),
        vec![
            ("cfg.py".into(), 2, String::new(), ", default=None".into()),
            ("cfg.py".into(), 3, String::new(), ", default=None".into()),
        ]
    );
    // At the sibling's line, the inline completion is that edit, over its range.
    let s = e.complete(&u, Place::Position { line: 3, character: 0 }, true).await.unwrap();
    assert_eq!(s.replace, Some(edits[1].range));
    assert!(matches!(&s.answer, InlineAnswer::Text { text, .. } if text == &edits[1].text));
    // Dismissed, it is gone.
    assert!(e.outcome(s.id, Outcome::Dismissed));
    let rest = e.next_edits(&u).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].range.0.0, 2);
    // Reported accepted and then applied by the editor: no new edit, nothing left.
    assert!(e.outcome(rest[0].id, Outcome::Accepted));
    apply(&e, &rest[0], 3);
    assert!(e.next_edits(&u).await.unwrap().is_empty());
    let m = e.metrics().metrics;
    assert_eq!((m.next_proposed, m.next_accepted, m.next_dismissed), (2, 1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_name_typed_in_two_goes_is_one_rename() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_on(dir.path(), &[("geo.py", GEO)], "geo.py");
    let u = uri(dir.path(), "geo.py");
    // `width` deleted; a pause (asked: nothing to propose); then the new name typed.
    edit(&e, &u, 2, "def area(width,", "def area(,");
    let none = e.next_edits(&u).await.unwrap();
    assert!(none.is_empty(), "{:?}", described(&e, &none));
    edit(&e, &u, 3, "def area(,", "def area(si,");
    let first = e.next_edits(&u).await.unwrap();
    assert_eq!(described(&e, &first), vec![("geo.py".into(), 1, "width".into(), "si".into())]);
    // Typed on after another pause: the proposals follow the whole name.
    edit(&e, &u, 4, "def area(si,", "def area(size,");
    let second = e.next_edits(&u).await.unwrap();
    assert_eq!(described(&e, &second), vec![("geo.py".into(), 1, "width".into(), "size".into())]);
}

#[tokio::test(start_paused = true)]
async fn an_added_parameter_gets_its_argument_from_the_model_when_the_model_is_sure() {
    let dir = tempfile::tempdir().unwrap();
    let files = [("geo.py", GEO), ("main.py", "from geo import area\n\nprint(area(2, 3))\n")];
    for (p, expect) in [(0.9, Some("area(2, 3, 1)")), (0.2, None)] {
        let e = engine_on(dir.path(), &files, "geo.py");
        let fake = FakeBackend::new(|_| "1)".into()).with_token_probability(p);
        e.attach(Arc::new(fake.clone()));
        let u = uri(dir.path(), "geo.py");
        edit(&e, &u, 2, "def area(width, height)", "def area(width, height, depth)");
        let edits = e.next_edits(&u).await.unwrap();
        let got: Vec<&str> = edits.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(got, expect.into_iter().collect::<Vec<_>>(), "probability {p}");
        assert_eq!(fake.calls(), 1);
        // The model saw the edit and the call up to where the argument goes.
        let prompt = format!("{:?}", fake.prompts().last().unwrap());
        assert!(
            prompt.contains("def area(width, height, depth):") && prompt.contains("print(area(2, 3, "),
            "{prompt}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn nothing_is_proposed_when_next_edits_are_off_or_the_edit_implies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_on(dir.path(), &[("geo.py", GEO)], "geo.py");
    let u = uri(dir.path(), "geo.py");
    edit(&e, &u, 2, "return width * height", "return width * height * 1");
    assert!(e.next_edits(&u).await.unwrap().is_empty());
    assert!(e.next_edits("file:///not/open.py").await.is_err());
    // A document too large to parse gets none, whatever is edited in it.
    let huge = format!("def area(width):\n    return width\n{}", "x = 1\n".repeat(120_000));
    let hu = uri(dir.path(), "huge.py");
    e.open(&hu, Some(&dir.path().join("huge.py")), huge, 1, "python".into());
    edit(&e, &hu, 2, "def area(width)", "def area(w)");
    assert!(e.next_edits(&hu).await.unwrap().is_empty());
    e.set_settings(CompletionSettings { next_edits: false, ..settings() });
    edit(&e, &u, 3, "def area(width, height)", "def area(w, height)");
    assert!(e.next_edits(&u).await.unwrap().is_empty());
}
