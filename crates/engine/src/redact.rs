//! What may leave the machine: files matching exclusion globs are never sent to a remote model,
//! and text that is sent has its secrets (API keys, tokens, private keys, passwords in
//! assignments, comments and prose, passwords in connection strings, tokens split across
//! concatenated string literals) replaced by `[REDACTED]` first.

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use regex::{Captures, Regex};
use std::sync::OnceLock;

/// Files never sent to a remote model, whatever the user adds.
pub const DEFAULT_EXCLUDES: &[&str] = &[".env*", "*.pem", "*.key", "id_*", "*secret*", ".git/"];

/// A privacy rule that cannot be used. It is skipped, so it excludes nothing: callers should show
/// it (see [`PathRules::rejected`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("privacy rule `{rule}` is skipped: {reason}")]
pub struct RuleError {
    /// The rule as the user wrote it.
    pub rule: String,
    pub reason: String,
}

/// Exclusion rules for paths, with `.gitignore` semantics (the `ignore` crate's matcher, which
/// runs in time linear in the path, whatever the rule): a rule without `/` matches any component
/// of the path (a file or a directory name), a rule ending in `/` matches a directory, a rule with
/// `/` inside (or at the start) is anchored to the workspace root, `**` crosses directories. A
/// path is excluded when it or any directory above it matches, so `secrets/` or `.git/` keep
/// everything under them home. Matching ignores case: a rule errs on the side of keeping a file
/// home.
///
/// Paths are workspace-relative (`src/a.rs`) or absolute (`/home/u/.ssh/id_ed25519`, a file named
/// outside the workspace). For an absolute path, or one climbing out with `..`, the workspace root
/// is unknown here: anchored rules are then tried from every directory in the path (erring on the
/// side of keeping the file home), component rules as always.
#[derive(Clone, Debug)]
pub struct PathRules {
    /// For workspace-relative paths.
    rooted: Gitignore,
    /// For absolute paths: the same rules, anchored ones prefixed with `**/`.
    floating: Gitignore,
    /// The rules in use, in order.
    rules: Vec<PathRule>,
    rejected: Vec<RuleError>,
}

/// A rule as written, and the lines given to the two matchers for it.
#[derive(Clone, Debug)]
struct PathRule {
    written: String,
    rooted: String,
    floating: String,
}

impl PathRules {
    /// The default rules plus `extra`. A rule that cannot be used is skipped, and listed by
    /// [`PathRules::rejected`]; the others still apply.
    pub fn new(extra: &[String]) -> Self {
        let written = DEFAULT_EXCLUDES
            .iter()
            .map(|r| r.to_string())
            .chain(extra.iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()));
        let mut rules = Vec::new();
        let mut rejected = Vec::new();
        for rule in written {
            // Each rule is compiled alone first, so that one bad rule does not take the others down.
            let checked = matcher_lines(&rule).and_then(|(rooted, floating)| {
                matcher([rooted.as_str(), floating.as_str()]).map_err(|e| e.to_string())?;
                Ok(PathRule { written: rule.clone(), rooted, floating })
            });
            match checked {
                Ok(r) => rules.push(r),
                Err(reason) => rejected.push(RuleError { rule, reason }),
            }
        }
        let (rooted, floating) = match matchers(&rules) {
            Ok(m) => m,
            Err(e) => {
                // Rules that compile one by one can still exceed the glob engine's size limit
                // together: keep the built-in ones, which always fit.
                let (defaults, extra): (Vec<_>, Vec<_>) =
                    rules.into_iter().partition(|r| DEFAULT_EXCLUDES.contains(&r.written.as_str()));
                rules = defaults;
                let reason = format!("the rules together are too large ({e})");
                rejected
                    .extend(extra.into_iter().map(|r| RuleError { rule: r.written, reason: reason.clone() }));
                matchers(&rules).expect("the built-in privacy rules compile")
            }
        };
        Self { rooted, floating, rules, rejected }
    }

    /// The user's rules that were skipped, and why.
    pub fn rejected(&self) -> &[RuleError] {
        &self.rejected
    }

    /// The rule that excludes `path`, as the user wrote it, if any.
    pub fn excluded(&self, path: &str) -> Option<&str> {
        let path = path.replace('\\', "/");
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty() && *p != "." && *p != "..").collect();
        if parts.is_empty() {
            return None;
        }
        // The matcher wants a relative path (it panics on a rooted one); the leading `/` is
        // accounted for by matching with the floating rules.
        let unrooted = path.starts_with('/') || path.split('/').any(|p| p == "..");
        let (matcher, line): (_, fn(&PathRule) -> &str) = if unrooted {
            (&self.floating, |r| r.floating.as_str())
        } else {
            (&self.rooted, |r| r.rooted.as_str())
        };
        match matcher.matched_path_or_any_parents(parts.join("/"), false) {
            Match::Ignore(glob) => Some(
                self.rules
                    .iter()
                    .find(|r| line(r) == glob.original())
                    .map_or(glob.original(), |r| r.written.as_str()),
            ),
            // No rule re-includes (`!` rules are rejected).
            Match::None | Match::Whitelist(_) => None,
        }
    }
}

/// The `.gitignore` lines for a rule: as written for workspace-relative paths, and with anchored
/// rules free to start in any directory for absolute paths.
fn matcher_lines(rule: &str) -> Result<(String, String), String> {
    if rule.starts_with('!') {
        // In a .gitignore `!` re-includes; here the built-in rules must always apply.
        return Err("`!` (re-including files) is not supported: privacy rules only exclude".into());
    }
    // In a config list `#` starts a name (`#notes#`), not a comment as in a .gitignore file.
    let rooted = if rule.starts_with('#') { format!("\\{rule}") } else { rule.to_owned() };
    let body = rooted.strip_suffix('/').unwrap_or(&rooted);
    let anchored = body.contains('/');
    let relative = rooted.trim_start_matches('/');
    let floating =
        if anchored && !relative.starts_with("**/") { format!("**/{relative}") } else { rooted.clone() };
    Ok((rooted, floating))
}

fn matchers(rules: &[PathRule]) -> Result<(Gitignore, Gitignore), ignore::Error> {
    Ok((
        matcher(rules.iter().map(|r| r.rooted.as_str()))?,
        matcher(rules.iter().map(|r| r.floating.as_str()))?,
    ))
}

fn matcher<'a>(lines: impl IntoIterator<Item = &'a str>) -> Result<Gitignore, ignore::Error> {
    // The root is irrelevant: paths are given relative (see `PathRules::excluded`).
    let mut builder = GitignoreBuilder::new(".");
    // A `Result` for historical reasons: it cannot fail.
    let _ = builder.case_insensitive(true);
    for line in lines {
        builder.add_line(None, line)?;
    }
    builder.build()
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
    /// Whether a match is a secret rather than code or prose that looks like one.
    secret: fn(&Captures<'_>) -> bool,
    /// Also looked for in string literals joined across concatenations (see [`redact_joined`]):
    /// the rules that need no name in front of the secret.
    joined: bool,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        let secret_name = r"[A-Za-z0-9_.-]*(?:password|passwd|pwd|secret|token|api_?key|apikey|access_?key|private_?key|credentials?|auth)[A-Za-z0-9_]*";
        // Words that introduce a secret in a sentence or a comment ("the root pw is …").
        let stated_name = r"\b[A-Za-z0-9_.-]*?(?:password|passwd|passphrase|pwd|pw|secret|token|api[ _-]?key|credentials?)";
        // The value stated, then `(` if it is called (`token = next_token()`: code, not a secret).
        let stated_value = r#"["'`]?([^\s()\[\]{}<>"'`,;]{6,})(\(?)"#;
        type Check = fn(&Captures<'_>) -> bool;
        let rule = |kind: &'static str, re: &str, group: usize, secret: Check, joined: bool| Rule {
            kind,
            re: Regex::new(re).expect("redaction pattern"),
            group,
            secret,
            joined,
        };
        let always: Check = |_| true;
        vec![
            rule(
                "private_key",
                r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
                0,
                always,
                false,
            ),
            rule("connection_string", r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'`]+:([^\s@/'`]+)@", 1, always, true),
            rule(
                "api_key",
                concat!(
                    r"\b(?:sk-(?:proj-|ant-|or-v1-)?[A-Za-z0-9_-]{16,}|xai-[A-Za-z0-9]{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}",
                    r"|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|glpat-[A-Za-z0-9_-]{20,}",
                    r"|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35}|hf_[A-Za-z0-9]{30,}",
                    r"|[rs]k_live_[0-9A-Za-z]{20,}|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"
                ),
                0,
                always,
                true,
            ),
            rule("api_key", r"(?i)\bbearer\s+([A-Za-z0-9._~+/=-]{20,})", 1, always, true),
            // name = "value" (code and config files).
            rule(
                "password",
                &format!(r#"(?i)\b({secret_name})["']?\s*(?::=|=>|[:=])\s*["']([^"'\n]{{3,}})["']"#),
                2,
                assigned_secret,
                false,
            ),
            // NAME=value (env files, shell): values that look like secrets, not like code.
            rule(
                "password",
                &format!(r#"(?im)^\s*(?:export\s+)?({secret_name})\s*[:=]\s*([^\s"'#()\[\]{{}},;]{{6,}})\s*$"#),
                2,
                |c| !plain_word(&c[2]),
                false,
            ),
            // "the admin password is …", anywhere (comments, chat messages, docs).
            rule("password", &format!(r"(?i){stated_name}\s+(?:is|was)\s*:?\s+{stated_value}"), 1, stated_secret, false),
            // `# password: …` in a comment: outside comments `name: value` is code, left to the
            // rules above.
            rule(
                "password",
                &format!(
                    r"(?im)(?:^[ \t]*\*|(?:^|[ \t])(?:#|//|/\*|--|<!--))[^\n]*?{stated_name}\s*(?::=|[:=])\s*{stated_value}"
                ),
                1,
                stated_secret,
                false,
            ),
        ]
    })
}

/// An identifier-like value (`tokens`, `access_token`): lowercase letters and `_`.
fn plain_word(value: &str) -> bool {
    value.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')
}

/// `name = "value"`: a quoted value is a secret, unless it reads like a word the code uses rather
/// than a password. An all-lowercase word is a secret only when the name ends in a word that holds
/// one (`admin_password`, `api_key`, `githubToken`, not `token_type` or `auth_provider`) and the
/// value is not a name itself (`access_token`, `"password"`) or a common setting (`"none"`).
fn assigned_secret(c: &Captures<'_>) -> bool {
    let (name, value) = (&c[1], &c[2]);
    if !plain_word(value) {
        return true;
    }
    const HOLDERS: &[&str] = &[
        "password",
        "passwd",
        "pwd",
        "pw",
        "pass",
        "passphrase",
        "secret",
        "token",
        "key",
        "apikey",
        "credential",
        "credentials",
    ];
    const NAMES: &[&str] = &["password", "passwd", "secret", "token", "credential"];
    const SETTINGS: &[&str] = &[
        "none", "null", "nil", "true", "false", "empty", "required", "optional", "basic", "bearer", "digest",
        "oauth",
    ];
    HOLDERS.contains(&last_word(name).as_str())
        && !value.contains('_')
        && !NAMES.iter().any(|w| value.contains(w))
        && !SETTINGS.contains(&value)
}

/// The last word of an identifier, lowercased, without trailing digits: `adminPassword2` →
/// `password`, `API_KEY` → `key`, `db.secret` → `secret`.
fn last_word(name: &str) -> String {
    let chars: Vec<char> = name.trim_end_matches(|c: char| c.is_ascii_digit()).chars().collect();
    let start = (1..chars.len())
        .rev()
        .find(|&i| {
            !chars[i - 1].is_alphanumeric() || (chars[i - 1].is_lowercase() && chars[i].is_uppercase())
        })
        .unwrap_or(0);
    chars[start..].iter().collect::<String>().to_lowercase()
}

/// A value stated after "password is" or `password:` in prose or a comment: a secret when it has
/// a digit or a symbol (a plain word is part of the sentence: "the password is required"), and is
/// not a call, a reference (`$TOKEN`, `%TOKEN%`), a URL, a size (`32-byte`) or a technical term
/// (`sha256`, `base64-encoded`).
fn stated_secret(c: &Captures<'_>) -> bool {
    let value = &c[1];
    let called = !c[2].is_empty();
    let lower = value.to_ascii_lowercase();
    const TERMS: &[&str] = &[
        "sha", "md5", "base64", "base32", "hex", "utf", "aes", "rsa", "hmac", "hs256", "rs256", "es256",
        "bcrypt", "argon2", "scrypt", "pbkdf2", "uuid",
    ];
    let size = lower.split_once('-').is_some_and(|(n, unit)| {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && unit.bytes().all(|b| b.is_ascii_lowercase())
    });
    let digit = value.bytes().any(|b| b.is_ascii_digit());
    let symbol = value.chars().any(|ch| "!@#%^&*+=~?".contains(ch));
    (digit || symbol)
        && !called
        && !value.starts_with(['$', '%'])
        && !value.contains("://")
        && !size
        && !TERMS.iter().any(|t| lower.starts_with(t))
}

/// A string literal on one line, in double, single or back quotes.
const LITERAL: &str = r#""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\\n]|\\.)*`"#;

/// Replaces the secrets in `text`.
pub fn redact(text: &str) -> Redacted {
    let mut kinds = Vec::new();
    // First, so that a token whose head alone matches (`"sk-proj-…" + "…"`) goes whole.
    let mut out = redact_joined(text, &mut kinds);
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
                if value.contains(MARK) || !(rule.secret)(c) {
                    // Already redacted, or code rather than a secret (`token = tokens`).
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

/// Tokens split across string literals that the code joins (`"ghp_" + "…"`, `"AKIA" "IOSF…"`,
/// `'…' .. '…'`, `"…" . "…"`, `"…" || "…"`, over lines too): each chain of literals is joined and
/// scanned as one string, and the parts of the literals that hold a secret are replaced.
fn redact_joined(text: &str, kinds: &mut Vec<&'static str>) -> String {
    static RES: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (chain, literal) = RES.get_or_init(|| {
        // Literals separated by a joining operator or by nothing but space (implicit
        // concatenation in Python and C), with an optional prefix (`b"…"`, `f"…"`).
        let chain =
            format!(r"(?:{LITERAL})(?:[\s\\]*(?:\+|\.\.|\.|\|\||~)?[\s\\]*(?i:[rbuf]{{0,2}})(?:{LITERAL}))+");
        (Regex::new(&chain).expect("chain pattern"), Regex::new(LITERAL).expect("literal pattern"))
    });
    // Byte ranges of `text` to replace.
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for m in chain.find_iter(text) {
        // Each literal's contents: where they are in `text` and where they start in `joined`.
        let mut pieces = Vec::new();
        let mut joined = String::new();
        for lit in literal.find_iter(m.as_str()) {
            let (start, end) = (m.start() + lit.start() + 1, m.start() + lit.end() - 1);
            pieces.push((start, end, joined.len()));
            joined.push_str(&text[start..end]);
        }
        // Secrets found in `joined`, as ranges of it, so that two rules never take the same one.
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for rule in rules().iter().filter(|r| r.joined) {
            for c in rule.re.captures_iter(&joined) {
                let Some(s) = c.get(rule.group) else { continue };
                if s.as_str().contains(MARK)
                    || !(rule.secret)(&c)
                    || taken.iter().any(|&(a, b)| s.start() < b && a < s.end())
                {
                    continue;
                }
                taken.push((s.start(), s.end()));
                kinds.push(rule.kind);
                for &(start, end, at) in &pieces {
                    let (lo, hi) = (s.start().max(at), s.end().min(at + end - start));
                    if lo < hi {
                        cuts.push((start + lo - at, start + hi - at));
                    }
                }
            }
        }
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end) in cuts {
        out.push_str(&text[done..start]);
        out.push_str(MARK);
        done = end;
    }
    out.push_str(&text[done..]);
    out
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
            ("./app/.ENV", Some(".env*")),
            ("certs/server.PEM", Some("*.pem")),
            ("deploy/tls.key", Some("*.key")),
            ("/home/u/.ssh/id_ed25519", Some("id_*")),
            ("config/client_secret.json", Some("*secret*")),
            ("secrets/db.yml", Some("*secret*")),
            (".git/config", Some(".git/")),
            ("a/b/.git/HEAD", Some(".git/")),
            ("a\\b\\.git\\HEAD", Some(".git/")),
            ("vendor/x/y/Cargo.lock", Some("vendor/**/*.lock")),
            ("vendor/Cargo.lock", Some("vendor/**/*.lock")),
            ("src/private/notes.md", Some("private/")),
            ("src/main.rs", None),
            ("src/keyboard.rs", None),
            ("environment.py", None),
            ("src/private.rs", None),
            (".gitignore", None),
            ("", None),
            ("/", None),
        ];
        for (path, want) in cases {
            assert_eq!(rules.excluded(path), want, "{path}");
        }
        assert!(rules.rejected().is_empty());
    }

    #[test]
    fn anchored_rules_start_at_the_workspace_root() {
        let rules = PathRules::new(&[
            "infra/terraform/**".into(),
            "/build".into(),
            "docs/*.md".into(),
            "**/fixtures/*.json".into(),
            "  *.SQL  ".into(),
        ]);
        let cases = [
            ("infra/terraform/main.tf", Some("infra/terraform/**")),
            ("infra/terraform/modules/db/vars.tf", Some("infra/terraform/**")),
            ("infra/terraform", None),
            ("old/infra/terraform/main.tf", None),
            ("build/out.js", Some("/build")),
            ("src/build/out.js", None),
            ("docs/a.md", Some("docs/*.md")),
            ("docs/sub/a.md", None),
            ("a/b/fixtures/x.json", Some("**/fixtures/*.json")),
            ("fixtures/x.json", Some("**/fixtures/*.json")),
            ("db/schema.sql", Some("*.SQL")),
            // Outside the workspace (or given absolute), the root is unknown: anchored rules may
            // start in any directory.
            ("/home/u/proj/infra/terraform/main.tf", Some("infra/terraform/**")),
            ("/srv/build/out.js", Some("/build")),
            ("../proj/docs/a.md", Some("docs/*.md")),
            ("/home/u/proj/src/lib.rs", None),
            ("/etc/ssl/private/server.key", Some("*.key")),
        ];
        for (path, want) in cases {
            assert_eq!(rules.excluded(path), want, "{path}");
        }
    }

    #[test]
    fn bad_rules_are_skipped_and_reported() {
        let rules = PathRules::new(&[
            "a{b".into(),
            "!.env.example".into(),
            "*.sql".into(),
            "#notes#".into(),
            "   ".into(),
        ]);
        let rejected: Vec<&str> = rules.rejected().iter().map(|e| e.rule.as_str()).collect();
        assert_eq!(rejected, ["a{b", "!.env.example"]);
        let message = rules.rejected()[1].to_string();
        assert!(message.starts_with("privacy rule `!.env.example` is skipped: `!`"), "{message}");
        // The other rules still apply, and nothing re-includes what the built-in rules exclude.
        assert_eq!(rules.excluded("db/x.sql"), Some("*.sql"));
        assert_eq!(rules.excluded(".env.example"), Some(".env*"));
        assert_eq!(rules.excluded("src/#notes#"), Some("#notes#"));
        assert_eq!(rules.excluded("a{b"), None);
    }

    #[test]
    fn pathological_globs_take_linear_time() {
        // The old backtracking matcher took seconds on these (and exponentially more on longer
        // paths); a linear one is instant. No duration is asserted: were it exponential, this
        // test would hang and the harness's timeout would catch it.
        let rules = PathRules::new(&["**/**/**/**/**/**/**/**/b".into(), "*a*a*a*a*a*a*a*a*a*a*b".into()]);
        let deep = vec!["a"; 200].join("/");
        let long = "a".repeat(2000);
        for path in
            [deep.clone(), format!("/{deep}"), long.clone(), format!("x/{long}/y"), format!("/{long}")]
        {
            assert_eq!(rules.excluded(&path), None, "{path}");
        }
        assert_eq!(rules.excluded(&format!("{deep}/b")), Some("**/**/**/**/**/**/**/**/b"));
        assert_eq!(rules.excluded(&format!("{long}b")), Some("*a*a*a*a*a*a*a*a*a*a*b"));
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

    /// Asserts that each `(text, want)` redacts to `want` with one password found.
    fn one_password(cases: &[(&str, &str)]) {
        for (text, want) in cases {
            let r = redact(text);
            assert_eq!((r.text.as_str(), r.kinds.as_slice()), (*want, &["password"][..]), "{text}");
        }
    }

    fn untouched(cases: &[&str]) {
        for text in cases {
            let r = redact(text);
            assert_eq!((r.text.as_str(), r.count), (*text, 0), "{text}");
        }
    }

    #[test]
    fn a_quoted_lowercase_password_is_a_secret() {
        one_password(&[
            (r#"admin_password = "correcthorsebatterystaple""#, r#"admin_password = "[REDACTED]""#),
            (r#"{"password": "hunter"}"#, r#"{"password": "[REDACTED]"}"#),
            (r#"const adminPassword = 'opensesame';"#, r#"const adminPassword = '[REDACTED]';"#),
            (r#"API_KEY: "letmein""#, r#"API_KEY: "[REDACTED]""#),
        ]);
    }

    #[test]
    fn passwords_stated_in_comments_and_prose() {
        one_password(&[
            ("# password: CommentPass99", "# password: [REDACTED]"),
            ("// the admin password is hunter2-Prod!", "// the admin password is [REDACTED]"),
            ("# root pw is S3cr3t!x", "# root pw is [REDACTED]"),
            ("x = 1  # db_password = Hunter22", "x = 1  # db_password = [REDACTED]"),
            ("/* secret: 'Xy9!pQ2z' */", "/* secret: '[REDACTED]' */"),
            ("  * token = abc123def", "  * token = [REDACTED]"),
            ("-- the password was Summer2024, change it", "-- the password was [REDACTED], change it"),
            ("my password is Tr0ub4dor&3", "my password is [REDACTED]"),
        ]);
    }

    #[test]
    fn code_and_comments_about_secrets_are_kept() {
        untouched(&[
            r#"password_field = form.get("password")"#,
            "token = next_token()",
            "if not password:",
            "if password is None:",
            "let token_count = 42;",
            "# check the password length",
            "# the password is required",
            "// the token is base64-encoded",
            "# the secret is a 32-byte value",
            "# tokens are SHA-256 hashed",
            "// token = next_token2()",
            "# password: see $DB_PASSWORD2",
            "# token: https://auth.example.com/v2/token",
            "#[arg(long, env = \"API_TOKEN\")] token: Option<String>,",
            r#"token_type = "bearer""#,
            r#"PASSWORD_FIELD = "password""#,
            r#"auth_provider = "github""#,
            r#"grant = {"password": "access_token"}"#,
            r#"password = "none""#,
            r#"greeting = "Hello, " + "world""#,
            r#"prefixes = ["AKIA", "ASIA"]"#,
            r#"kind = "ghp_" + name"#,
        ]);
    }

    #[test]
    fn tokens_split_across_string_literals() {
        let ghp = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
        let cases = [
            (
                format!(r#"token = "ghp_" + "{}""#, &ghp[4..]),
                r#"token = "[REDACTED]" + "[REDACTED]""#.to_owned(),
            ),
            (r#"aws = "AKIA" + "IOSFODNN7EXAMPLE""#.into(), r#"aws = "[REDACTED]" + "[REDACTED]""#.into()),
            (r#"key = "AKIAIOSFODN" "N7EXAMPLE""#.into(), r#"key = "[REDACTED]" "[REDACTED]""#.into()),
            (
                "const k = 'AKIA' +\n    'IOSFODNN7EXAMPLE';".into(),
                "const k = '[REDACTED]' +\n    '[REDACTED]';".into(),
            ),
            (
                r#"h = "Bearer " + "abcdefghijklmnopqrstuvwxyz012345""#.into(),
                r#"h = "Bearer " + "[REDACTED]""#.into(),
            ),
            (
                r#"k = "sk-proj-abcdefghijklmnop" . "qrstuvwx""#.into(),
                r#"k = "[REDACTED]" . "[REDACTED]""#.into(),
            ),
            (
                r#"url = "postgres://app:" + "pw123@db/x""#.into(),
                r#"url = "postgres://app:" + "[REDACTED]@db/x""#.into(),
            ),
        ];
        for (text, want) in cases {
            let r = redact(&text);
            assert_eq!(r.text, want, "{text}");
            assert_eq!(r.count, 1, "{text}: {:?}", r.kinds);
        }
    }
}
