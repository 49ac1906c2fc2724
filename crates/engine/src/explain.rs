//! Explaining code: the prompt for each side, and the answer.
//!
//! The route, the stream and the fallback are the router's one pipeline ([`Router::answer`]):
//! text bound for the remote model is redacted first; when the remote side fails and fallback is
//! allowed, the local model answers and the result is marked degraded with the reason; the
//! caller is told before the local answer starts, so text already shown can be set apart.
//!
//! [`Router::answer`]: crate::router::Router::answer

use crate::answer::{
    AnswerRequest, Answered, ExplainError, Progress, RemoteText, TokenCounter, estimate_tokens,
};
use crate::redact::redact;
use crate::router::{RouteRequest, Router, Task};
use serde::Serialize;
use tandem_core::{Cancel, GenerationParams, Message, Prompt, Role, Sampling, Side, StopReason};

/// Code to explain, in editor terms.
#[derive(Clone, Debug, Default)]
pub struct ExplainRequest {
    /// The code (the selected lines, or the whole file).
    pub code: String,
    /// The file's path (relative to the workspace when known): shown to the model and checked
    /// against the privacy rules.
    pub path: Option<String>,
    /// The language's name (`rust`, `python`), for the code fence.
    pub language: Option<String>,
    /// 1-based first and last line of `code` in its file, when it is a part of one.
    pub lines: Option<(usize, usize)>,
    /// What the user wants to know, if more than "explain this".
    pub question: Option<String>,
    /// A map of the workspace's definitions the code may use (see [`Workspace::map`]).
    ///
    /// [`Workspace::map`]: crate::Workspace::map
    pub workspace_map: Option<String>,
    pub force: Option<Side>,
    /// Most tokens of the answer (default: 512 locally, the remote's `max_tokens` remotely).
    pub max_tokens: Option<usize>,
}

/// Timings of one explanation, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExplainTimings {
    /// Deciding the route (a health check included, when one ran).
    pub route_ms: f64,
    pub first_token_ms: Option<f64>,
    pub total_ms: f64,
}

/// What an explanation or a chat turn returns: the answer and how it came.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reply {
    pub markdown: String,
    /// The model that answered.
    pub model: String,
    pub route: Side,
    pub reason: String,
    /// Why the answer came from the local model instead of the remote one, if it did.
    pub degraded: Option<String>,
    pub stop: StopReason,
    pub timings: ExplainTimings,
    pub tokens_sent: usize,
    pub tokens_received: usize,
    /// Secrets replaced before sending.
    pub redactions: usize,
}

const SYSTEM: &str = "You are tandem, a coding assistant. Explain code to a programmer in Markdown: \
what it does, how it does it, and anything surprising or risky. Be concise; do not restate the code line by line.";

/// Local answers stay short: the small model is slow and wanders in long answers.
pub(crate) const LOCAL_MAX_TOKENS: usize = 512;

fn prompt(req: &ExplainRequest, code: &str, note: Option<&str>) -> Prompt {
    let lang = req.language.as_deref().unwrap_or("");
    let mut user = String::from("Explain this");
    if !lang.is_empty() {
        user.push_str(&format!(" {lang}"));
    }
    user.push_str(" code");
    if let Some(p) = &req.path {
        user.push_str(&format!(" from `{p}`"));
    }
    if let Some((a, b)) = req.lines {
        user.push_str(&format!(" (lines {a}-{b})"));
    }
    user.push_str(&format!(":\n\n```{lang}\n{}\n```\n", code.trim_end_matches('\n')));
    if let Some(map) = req.workspace_map.as_deref().filter(|m| !m.trim().is_empty()) {
        user.push_str(&format!(
            "\nFor reference, definitions elsewhere in the workspace it may use:\n\n```\n{}\n```\n",
            map.trim_end()
        ));
    }
    if let Some(n) = note {
        user.push_str(&format!("\n({n})\n"));
    }
    if let Some(q) = req.question.as_deref().filter(|q| !q.trim().is_empty()) {
        user.push_str(&format!("\nQuestion: {q}\n"));
    }
    Prompt::Chat { messages: vec![Message::new(Role::System, SYSTEM), Message::new(Role::User, user)] }
}

/// The code cut to about `tokens` tokens at a line boundary, and whether it was cut.
pub(crate) fn cut_to(code: &str, tokens: usize, count: &dyn Fn(&str) -> usize) -> (String, bool) {
    if count(code) <= tokens {
        return (code.to_owned(), false);
    }
    // A running sum: counting the growing text again for each line would be quadratic.
    let (mut out, mut used) = (String::new(), 0);
    for line in code.split_inclusive('\n') {
        let n = count(line);
        if used + n > tokens {
            break;
        }
        used += n;
        out.push_str(line);
    }
    (out, true)
}

impl Router {
    /// Explains `req`, blocking until the answer is complete; text is handed to `on` as it
    /// comes. Every outcome, errors included, is recorded in the router's metrics.
    pub fn explain(
        &self,
        req: &ExplainRequest,
        cancel: &Cancel,
        on: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Reply, ExplainError> {
        let question = req.question.as_deref();
        let route = RouteRequest {
            task: Task::Explain,
            code_tokens: estimate_tokens(&req.code),
            question_tokens: question.map_or(0, estimate_tokens),
            question,
            paths: req.path.iter().map(String::as_str).collect(),
            force: req.force,
        };
        let remote_prompt = |redacting: bool| {
            if !redacting {
                return (prompt(req, &req.code, None), 0);
            }
            let code = redact(&req.code);
            let question = req.question.as_deref().map(redact);
            let map = req.workspace_map.as_deref().map(redact);
            let redactions =
                code.count + question.as_ref().map_or(0, |q| q.count) + map.as_ref().map_or(0, |m| m.count);
            let mut sent = req.clone();
            sent.question = question.map(|q| q.text);
            sent.workspace_map = map.map(|m| m.text);
            (prompt(&sent, &code.text, None), redactions)
        };
        let local_prompt = |count: &TokenCounter<'_>, limit: usize| {
            let (code, cut) = cut_to(&req.code, limit, count);
            let note = cut.then_some("the code was cut to fit the local model; explain what is shown");
            prompt(req, &code, note)
        };
        let params = |side| answer_params(side, req.max_tokens);
        let answer = AnswerRequest {
            route,
            remote_prompt: &remote_prompt,
            local_prompt: &local_prompt,
            params: &params,
            local: None,
            remote_text: RemoteText::Stream,
        };
        self.answer(answer, cancel, on).map(Reply::from)
    }
}

/// Parameters of an explanation or a chat answer on `side`: greedy, at most `max_tokens` tokens
/// (by default [`LOCAL_MAX_TOKENS`] locally, the remote's own limit remotely).
pub(crate) fn answer_params(side: Side, max_tokens: Option<usize>) -> GenerationParams {
    let default = match side {
        Side::Local => LOCAL_MAX_TOKENS,
        Side::Remote => usize::MAX,
    };
    GenerationParams {
        max_tokens: max_tokens.unwrap_or(default),
        sampling: Sampling::greedy(),
        ..GenerationParams::default()
    }
}

impl From<Answered> for Reply {
    fn from(a: Answered) -> Self {
        Reply {
            markdown: a.finished.text,
            model: a.model,
            route: a.side,
            reason: a.reason,
            degraded: a.degraded,
            stop: a.finished.stop,
            timings: ExplainTimings {
                route_ms: a.route_ms,
                first_token_ms: a.first_token_ms,
                total_ms: a.total_ms,
            },
            tokens_sent: a.tokens_sent,
            tokens_received: a.finished.stats.generated_tokens,
            redactions: a.redactions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_names_the_file_lines_and_question() {
        let req = ExplainRequest {
            path: Some("src/a.rs".into()),
            language: Some("rust".into()),
            lines: Some((3, 9)),
            question: Some("why a loop?".into()),
            ..ExplainRequest::default()
        };
        let Prompt::Chat { messages } = prompt(&req, "fn f() {}\n", None) else { panic!() };
        assert_eq!(messages[0].role, Role::System);
        assert_eq!(
            messages[1].content,
            "Explain this rust code from `src/a.rs` (lines 3-9):\n\n```rust\nfn f() {}\n```\n\nQuestion: why a loop?\n"
        );
    }

    #[test]
    fn long_code_is_cut_at_lines() {
        let count = |s: &str| s.len();
        assert_eq!(cut_to("aaaa\nbbbb\ncccc\n", 11, &count), ("aaaa\nbbbb\n".into(), true));
        assert_eq!(cut_to("aa\n", 11, &count), ("aa\n".into(), false));
    }
}
