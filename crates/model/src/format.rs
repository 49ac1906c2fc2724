//! Prompt layout: turns a [`Prompt`] into token ids with a model family's [`PromptFormat`].

use crate::tokenizer::{TextTokenizer, TokenizerError};
use tandem_core::manifest::{PromptFormat, Segment, Template, TemplateError};
use tandem_core::{Prompt, Role};

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("the prompt format names special token {0:?}, which the model's vocabulary lacks")]
    UnknownSpecial(String),
    #[error("the prompt format has no {0} template")]
    Missing(&'static str),
    #[error("prompt template: {0}")]
    Template(#[from] TemplateError),
    #[error("prompt template: unknown placeholder `{{{0}}}`")]
    UnknownPlaceholder(String),
    #[error(transparent)]
    Tokenizer(#[from] TokenizerError),
}

/// A prompt format resolved against one tokenizer.
#[derive(Debug)]
pub struct Formatter {
    format: PromptFormat,
    /// Special-token strings with their ids, longest first so that the longest match wins.
    specials: Vec<(String, u32)>,
    stop_ids: Vec<u32>,
}

impl Formatter {
    pub fn new(format: PromptFormat, tok: &TextTokenizer) -> Result<Self, FormatError> {
        let lookup = |s: &String| {
            tok.token_id(s).map(|id| (s.clone(), id)).ok_or_else(|| FormatError::UnknownSpecial(s.clone()))
        };
        let mut specials = format.special_tokens.iter().map(lookup).collect::<Result<Vec<_>, _>>()?;
        specials.sort_by_key(|(s, _)| std::cmp::Reverse(s.len()));
        let stop_ids =
            format.stop_tokens.iter().map(|s| lookup(s).map(|(_, id)| id)).collect::<Result<_, _>>()?;
        Ok(Self { format, specials, stop_ids })
    }

    /// Token ids that end a generation.
    pub fn stop_ids(&self) -> &[u32] {
        &self.stop_ids
    }

    pub fn render(&self, tok: &TextTokenizer, prompt: &Prompt) -> Result<Vec<u32>, FormatError> {
        Ok(self.render_healed(tok, prompt, false)?.0)
    }

    /// Renders `prompt`; with `heal`, a fill-in-the-middle prompt whose prefix ends inside a word
    /// or right after other text (not after whitespace) leaves out the prefix's last token, and
    /// its bytes come back: the answer has to begin with them (token healing). A cursor in the
    /// middle of a token's text then completes as well as one at a token boundary, since the
    /// model chooses that token itself, from all the tokens that begin with those bytes.
    /// (Healing after indentation too was measured, and changed as many answers for the worse
    /// as for the better.)
    pub fn render_healed(
        &self,
        tok: &TextTokenizer,
        prompt: &Prompt,
        heal: bool,
    ) -> Result<(Vec<u32>, Vec<u8>), FormatError> {
        let mut out = Vec::new();
        let mut healed = Vec::new();
        match prompt {
            Prompt::Text { text } => out.extend(tok.encode(text)?),
            Prompt::Fim(fim) => {
                let f = self.format.fim.as_ref().ok_or(FormatError::Missing("fill-in-the-middle"))?;
                let repo_level = fim.repo.is_some() || !fim.files.is_empty();
                if repo_level {
                    let (Some(header), Some(file), Some(current)) =
                        (&f.repo_header, &f.repo_file, &f.repo_current)
                    else {
                        return Err(FormatError::Missing("repository-level"));
                    };
                    let repo = fim.repo.as_deref().unwrap_or("repo");
                    self.fill(tok, header, &[("repo", repo)], &mut out)?;
                    for cf in &fim.files {
                        self.fill(tok, file, &[("path", &cf.path), ("content", &cf.content)], &mut out)?;
                    }
                    let path = fim.path.as_deref().unwrap_or("file");
                    self.fill(tok, current, &[("path", path)], &mut out)?;
                }
                let vars = [("prefix", fim.prefix.as_str()), ("suffix", fim.suffix.as_str())];
                let heal = heal && fim.prefix.ends_with(|c: char| !c.is_whitespace());
                let mut back_up = |var: &str, tokens: &mut Vec<u32>| {
                    if heal
                        && var == "prefix"
                        && let Some(last) = tokens.pop()
                    {
                        healed = tok.token_bytes(last).to_vec();
                    }
                };
                self.fill_with(tok, &f.template, &vars, &mut out, &mut back_up)?;
            }
            Prompt::Chat { messages } => {
                let c = self.format.chat.as_ref().ok_or(FormatError::Missing("chat"))?;
                if let Some(system) = &c.default_system
                    && messages.first().is_none_or(|m| m.role != Role::System)
                {
                    self.fill(tok, &c.message, &[("role", "system"), ("content", system)], &mut out)?;
                }
                for m in messages {
                    let vars = [("role", m.role.as_str()), ("content", m.content.as_str())];
                    self.fill(tok, &c.message, &vars, &mut out)?;
                }
                self.fill(tok, &c.generation, &[], &mut out)?;
            }
        }
        Ok((out, healed))
    }

    fn fill(
        &self,
        tok: &TextTokenizer,
        template: &str,
        vars: &[(&str, &str)],
        out: &mut Vec<u32>,
    ) -> Result<(), FormatError> {
        self.fill_with(tok, template, vars, out, &mut |_, _| {})
    }

    /// Fills `template`, handing each variable's tokens to `edit` before they are added.
    fn fill_with(
        &self,
        tok: &TextTokenizer,
        template: &str,
        vars: &[(&str, &str)],
        out: &mut Vec<u32>,
        edit: &mut dyn FnMut(&str, &mut Vec<u32>),
    ) -> Result<(), FormatError> {
        let t = Template::parse(template)?;
        for seg in t.0 {
            match seg {
                Segment::Literal(text) => self.literal(tok, text, out)?,
                Segment::Var(name) => {
                    let value = vars
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map(|(_, v)| *v)
                        .ok_or_else(|| FormatError::UnknownPlaceholder(name.to_owned()))?;
                    let mut tokens = tok.encode(value)?;
                    edit(name, &mut tokens);
                    out.extend(tokens);
                }
            }
        }
        Ok(())
    }

    /// Template text: special-token strings become their ids, the rest is encoded.
    fn literal(&self, tok: &TextTokenizer, mut text: &str, out: &mut Vec<u32>) -> Result<(), FormatError> {
        while !text.is_empty() {
            let next = self
                .specials
                .iter()
                .filter_map(|(s, id)| text.find(s.as_str()).map(|at| (at, s.len(), *id)))
                .min_by_key(|&(at, len, _)| (at, std::cmp::Reverse(len)));
            match next {
                Some((at, len, id)) => {
                    out.extend(tok.encode(&text[..at])?);
                    out.push(id);
                    text = &text[at + len..];
                }
                None => {
                    out.extend(tok.encode(text)?);
                    break;
                }
            }
        }
        Ok(())
    }
}
