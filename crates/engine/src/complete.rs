//! One inline completion: windows around the cursor, a fill-in-the-middle prompt, the model,
//! and the answer trimmed to what belongs at the cursor.

use tandem_core::{FimPrompt, GenerationParams, GenerationStats, Prompt, StopReason};
use tandem_model::{Backend, BackendError, GenerateRequest};

/// A completion request in editor terms.
#[derive(Clone, Debug)]
pub struct CompletionRequest<'a> {
    /// The whole document.
    pub text: &'a str,
    /// Byte offset of the cursor (a char boundary).
    pub cursor: usize,
    /// The document's path relative to its workspace, if known.
    pub path: Option<&'a str>,
    /// Prompt tokens for the prefix and suffix windows.
    pub budget: usize,
    pub max_tokens: usize,
}

/// The answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// Text to insert at the cursor; empty when there is nothing good to say.
    pub text: String,
    /// Whether the text may span lines (the cursor's line had nothing after it).
    pub multiline: bool,
    pub stop: StopReason,
    pub stats: GenerationStats,
}

/// Completes at the cursor with `backend`, blocking until the answer is ready.
pub fn complete(backend: &dyn Backend, req: &CompletionRequest<'_>) -> Result<Completion, BackendError> {
    let count = |s: &str| backend.count_tokens(s).unwrap_or(s.len() / 3 + 1);
    let w = crate::window::fim_windows(req.text, req.cursor, req.budget, 0.75, &count);
    let rest_of_line = w.suffix.split('\n').next().unwrap_or("");
    let multiline = rest_of_line.trim().is_empty();
    let mut stop = vec!["```".to_string()];
    // In the middle of a line only that line is completed; at its end, a block (up to a blank line).
    stop.push(if multiline { "\n\n".into() } else { "\n".into() });
    let prompt = Prompt::Fim(FimPrompt {
        prefix: w.prefix.to_owned(),
        suffix: w.suffix.to_owned(),
        path: req.path.map(str::to_owned),
        ..FimPrompt::default()
    });
    let params = GenerationParams { max_tokens: req.max_tokens, stop, ..GenerationParams::default() };
    let done = backend.generate(GenerateRequest::new(prompt, params)).wait()?;
    let text = trim(&done.text, rest_of_line);
    Ok(Completion { text, multiline, stop: done.stop, stats: done.stats })
}

/// Trailing whitespace goes, and so does an answer that only repeats the rest of the line.
fn trim(text: &str, rest_of_line: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let mut out = lines.join("\n");
    if !rest_of_line.trim().is_empty() && out.trim_end().ends_with(rest_of_line.trim_end()) {
        let keep = out.trim_end().len() - rest_of_line.trim_end().len();
        out.truncate(keep);
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::trim;

    #[test]
    fn trims_whitespace_and_repeats_of_the_suffix() {
        assert_eq!(trim("a + b  \n", ""), "a + b");
        assert_eq!(trim("x, y)", ")"), "x, y");
        assert_eq!(trim("foo(1)\n  bar()  ", ""), "foo(1)\n  bar()");
    }
}
