//! What may leave the machine: files matching exclusion globs are never sent to a remote model,
//! and text that is sent has its secrets (API keys, tokens, private keys, passwords in
//! assignments, passwords in connection strings) replaced by `[REDACTED]` first.

use regex::{Captures, Regex};
use std::sync::OnceLock;

/// Files never sent to a remote model, whatever the user adds.
pub const DEFAULT_EXCLUDES: &[&str] = &[".env*", "*.pem", "*.key", "id_*", "*secret*", ".git/"];

/// Exclusion rules for paths, gitignore-like: a rule without `/` matches any component of the
/// path (a file or a directory name), a rule ending in `/` matches a directory anywhere in the
/// path, a rule with `/` inside matches the whole relative path (`**` crosses directories).
/// Matching ignores case: a rule errs on the side of keeping a file home.
#[derive(Clone, Debug)]
pub struct PathRules {
    /// Each rule as written (for messages) and lowercased (for matching).
    rules: Vec<(String, String)>,
}

impl PathRules {
    /// The default rules plus `extra`.
    pub fn new(extra: &[String]) -> Self {
        let mut rules: Vec<String> = DEFAULT_EXCLUDES.iter().map(|s| s.to_string()).collect();
        rules.extend(extra.iter().filter(|r| !r.trim().is_empty()).map(|r| r.trim().to_owned()));
        Self { rules: rules.into_iter().map(|r| (r.to_lowercase(), r)).collect() }
    }

    /// The rule that excludes `path`, if any.
    pub fn excluded(&self, path: &str) -> Option<&str> {
        let path = path.replace('\\', "/").to_lowercase();
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        let (_, dirs) = parts.split_last()?;
        let joined = parts.join("/");
        let found = self.rules.iter().find(|(r, _)| {
            if let Some(dir) = r.strip_suffix('/') {
                if dir.contains('/') {
                    (0..dirs.len()).any(|i| glob(dir, &dirs[..=i].join("/")))
                } else {
                    dirs.iter().any(|d| glob(dir, d))
                }
            } else if r.contains('/') {
                let r = r.trim_start_matches('/');
                glob(r, &joined) || (0..parts.len()).any(|i| glob(r, &parts[i..].join("/")))
            } else {
                parts.iter().any(|p| glob(r, p))
            }
        });
        found.map(|(_, rule)| rule.as_str())
    }
}

/// Glob match: `*` any run of characters but `/`, `**` any run including `/`, `?` one character.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') if p.get(1) == Some(&'*') => {
                let rest = p[2..].strip_prefix(&['/']).unwrap_or(&p[2..]);
                (0..=t.len()).any(|i| go(rest, &t[i..]) || go(&p[2..], &t[i..]))
            }
            Some('*') => {
                (0..=t.len()).take_while(|&i| i == 0 || t[i - 1] != '/').any(|i| go(&p[1..], &t[i..]))
            }
            Some('?') => !t.is_empty() && t[0] != '/' && go(&p[1..], &t[1..]),
            Some(c) => t.first() == Some(c) && go(&p[1..], &t[1..]),
        }
    }
    go(&p, &t)
}

/// Text with its secrets replaced, and what was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// Secrets replaced.
    pub count: usize,
    /// Their kinds (`private_key`, `api_key`, `password`, `connection_string`), in order found.
    pub kinds: Vec<&'static str>,
}

pub const MARK: &str = "[REDACTED]";

struct Rule {
    kind: &'static str,
    re: Regex,
    /// Which capture group is the secret (0: the whole match).
    group: usize,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let secret_name = r"[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key|credentials?|auth)[A-Za-z0-9_]*";
        let rule = |kind, re: &str, group| Rule { kind, re: Regex::new(re).expect("redaction pattern"), group };
        vec![
            rule(
                "private_key",
                r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
                0,
            ),
            rule("connection_string", r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'`]+:([^\s@/'`]+)@", 1),
            rule(
                "api_key",
                concat!(
                    r"\b(?:sk-(?:proj-|ant-|or-v1-)?[A-Za-z0-9_-]{16,}|xai-[A-Za-z0-9]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}",
                    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}",
                    r"|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30,}",
                    r"|[rs]k_live_[0-9A-Za-z]{20,}|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
                ),
                0,
            ),
            rule("api_key", r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{20,})", 1),
            // name = "value" (code and config files).
            rule("password", &format!(r#"(?i)\b{secret_name}["']?\s*(?::=|=>|[:=])\s*["']([^"'\n]{{3,}})["']"#), 1),
            // NAME=value (env files, shell): values that look like secrets, not like code.
            rule(
                "password",
                &format!(r#"(?im)^\s*(?:export\s+)?{secret_name}\s*[:=]\s*([^\s"'#()\[\]{{}},;]{{6,}})\s*$"#),
                1,
            ),
        ]
    })
}

/// Replaces the secrets in `text`.
pub fn redact(text: &str) -> Redacted {
    let mut out = text.to_owned();
    let mut kinds = Vec::new();
    for rule in rules() {
        if !rule.re.is_match(&out) {
            continue;
        }
        out = rule
            .re
            .replace_all(&out, |c: &Captures<'_>| {
                let whole = c.get(0).map_or("", |m| m.as_str());
                let Some(secret) = c.get(rule.group) else { return whole.to_owned() };
                let value = secret.as_str();
                let plain_word = rule.group != 0
                    && rule.kind == "password"
                    && value.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_');
                if value.contains(MARK) || plain_word {
                    // Already redacted, or an identifier rather than a secret (`token = tokens`).
                    return whole.to_owned();
                }
                kinds.push(rule.kind);
                let start = secret.start() - c.get(0).map_or(0, |m| m.start());
                format!("{}{MARK}{}", &whole[..start], &whole[start + value.len()..])
            })
            .into_owned();
    }
    Redacted { text: out, count: kinds.len(), kinds }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_keep_secret_files_home() {
        let rules = PathRules::new(&["vendor/**/*.lock".into(), "private/".into()]);
        let cases = [
            (".env", Some(".env*")),
            ("app/.env.production", Some(".env*")),
            ("certs/server.PEM", Some("*.pem")),
            ("deploy/tls.key", Some("*.key")),
            ("/home/u/.ssh/id_ed25519", Some("id_*")),
            ("config/client_secret.json", Some("*secret*")),
            ("secrets/db.yml", Some("*secret*")),
            (".git/config", Some(".git/")),
            ("a/b/.git/HEAD", Some(".git/")),
            ("vendor/x/y/Cargo.lock", Some("vendor/**/*.lock")),
            ("src/private/notes.md", Some("private/")),
            ("src/main.rs", None),
            ("src/keyboard.rs", None),
            ("environment.py", None),
            ("src/private.rs", None),
            (".gitignore", None),
        ];
        for (path, want) in cases {
            assert_eq!(rules.excluded(path), want, "{path}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob("*.pem", "a.pem"));
        assert!(!glob("*.pem", "d/a.pem"));
        assert!(glob("**/*.pem", "d/e/a.pem"));
        assert!(glob("**/*.pem", "a.pem"));
        assert!(glob("id_?sa", "id_rsa"));
    }

    #[test]
    fn secrets_are_replaced_and_code_is_kept() {
        let text = r#"
import os
OPENAI = "sk-proj-abcdefghijklmnopqrstuvwx1234"
aws = "AKIAIOSFODNN7EXAMPLE"
db_password = "hunter2hunter2"
DATABASE_URL = "postgres://admin:s3cr3tPass@db.internal:5432/app"
headers = {"Authorization": "Bearer abcdefghijklmnopqrstuvwxyz012345"}
token = tokens[0]
password = input("password: ")
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAx
-----END RSA PRIVATE KEY-----
def add(a, b):
    return a + b
"#;
        let r = redact(text);
        for secret in [
            "sk-proj-abcdefghijklmnopqrstuvwx1234",
            "AKIAIOSFODNN7EXAMPLE",
            "hunter2hunter2",
            "s3cr3tPass",
            "abcdefghijklmnopqrstuvwxyz012345",
            "MIIEowIBAAKCAQEAx",
        ] {
            assert!(!r.text.contains(secret), "{secret} left in:\n{}", r.text);
        }
        for kept in [
            "postgres://admin:[REDACTED]@db.internal",
            "token = tokens[0]",
            "password = input(\"password: \")",
            "def add(a, b):\n    return a + b",
            "db_password = \"[REDACTED]\"",
        ] {
            assert!(r.text.contains(kept), "{kept} missing in:\n{}", r.text);
        }
        assert_eq!(r.count, 6, "{:?}", r.kinds);
        assert!(r.kinds.contains(&"private_key") && r.kinds.contains(&"connection_string"));
    }

    #[test]
    fn env_files_and_a_cut_private_key() {
        let r = redact("export GITHUB_TOKEN=ghx9Zq81LmPw\nAPI_KEY=abc123def456\nDEBUG=1\n");
        assert_eq!(r.text, "export GITHUB_TOKEN=[REDACTED]\nAPI_KEY=[REDACTED]\nDEBUG=1\n");
        let r = redact("x\n-----BEGIN PRIVATE KEY-----\nAAAA\nBBBB");
        assert_eq!(r.text, "x\n[REDACTED]");
        assert_eq!(redact("nothing here").count, 0);
    }
}
