//! The manifest and the default model file, for tests that run the real model (shared with
//! other crates' tests through `#[path]`).

#![allow(dead_code)]

use std::path::PathBuf;
use tandem_core::Manifest;

pub fn manifest() -> Manifest {
    Manifest::parse(include_str!("../../../../models/manifest.toml")).expect("manifest")
}

/// The default model's file, from the project's setup (`tandem model pull`, run by
/// `scripts/test`), or `TANDEM_TEST_MODEL`.
pub fn model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("TANDEM_TEST_MODEL") {
        return PathBuf::from(p);
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".local/share"));
    let path = base.join("tandem/models").join(&manifest().default_model().file);
    assert!(
        path.is_file(),
        "the default model is missing at {}: run `cargo run --release -- model pull` (scripts/test does)",
        path.display()
    );
    path
}
