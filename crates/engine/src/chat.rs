//! Chat about code: a conversation with attached files, through the router's one answering
//! pipeline (remote when allowed, the local model otherwise or as a visible fallback).
//!
//! The prompt is a system message — instructions, the attached code, the workspace map — and
//! then the conversation. For the remote model everything is redacted first; for the local model
//! the prompt is fitted into the router's local budget: the new message first, then the attached
//! code, then the most recent turns, then the map.

use crate::answer::{AnswerRequest, RemoteText, TokenCounter};
use crate::answer::{ExplainError, Progress, estimate_tokens};
use crate::explain::{Reply, answer_params, cut_to};
use crate::redact::redact;
use crate::router::{RouteRequest, Router, Task};
use serde::{Deserialize, Serialize};
use tandem_core::{Cancel, Message, Prompt, Role, Side};

/// Who said a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    User,
    Assistant,
}

/// One turn of the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turn {
    pub speaker: Speaker,
    pub text: String,
}

impl Turn {
    pub fn user(text: impl Into<String>) -> Self {
        Self { speaker: Speaker::User, text: text.into() }
    }

    pub fn assistant(text: impl Into<String>) -> Self {
        Self { speaker: Speaker::Assistant, text: text.into() }
    }
}

/// Code attached to the conversation: a file or some of its lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// The path as the user named it (relative to the workspace when it is inside it).
    pub path: String,
    /// 1-based first and last line, when only some lines are attached.
    pub lines: Option<(usize, usize)>,
    /// The language's name, for the code fence.
    pub language: Option<String>,
    pub text: String,
}

impl Attachment {
    /// `path` or `path:10-40`.
    pub fn label(&self) -> String {
        match self.lines {
            Some((a, b)) => format!("{}:{a}-{b}", self.path),
            None => self.path.clone(),
        }
    }
}

/// A conversation to continue: the last turn is the user's new message.
#[derive(Clone, Debug, Default)]
pub struct ChatRequest {
    pub turns: Vec<Turn>,
    pub attachments: Vec<Attachment>,
    /// A map of the workspace's definitions the attached code uses.
    pub workspace_map: Option<String>,
    pub force: Option<Side>,
    /// Most tokens of the answer (default: 512 locally, the remote's `max_tokens` remotely).
    pub max_tokens: Option<usize>,
}

const SYSTEM: &str = "You are tandem, a coding assistant in the user's terminal. Answer questions about \
their code in Markdown: be direct and concise, put code in fenced blocks with the language, and say so \
when the attached code does not show enough to answer.";

/// The parts of a chat prompt, each possibly cut.
struct Parts<'a> {
    attachments: Vec<(&'a Attachment, String, bool)>,
    map: Option<String>,
    /// The turns sent, oldest first.
    turns: Vec<Turn>,
    dropped_turns: usize,
}

fn system_message(parts: &Parts<'_>) -> String {
    let mut s = String::from(SYSTEM);
    if !parts.attachments.is_empty() {
        s.push_str("\n\nThe user attached this code:\n");
        for (a, text, cut) in &parts.attachments {
            let lang = a.language.as_deref().unwrap_or("");
            let label = a.label();
            let note = if *cut { " (cut to fit; the rest is not shown)" } else { "" };
            s.push_str(&format!("\n`{label}`{note}:\n```{lang}\n{}\n```\n", text.trim_end_matches('\n')));
        }
    }
    if let Some(map) = parts.map.as_deref().filter(|m| !m.trim().is_empty()) {
        s.push_str(&format!(
            "\nDefinitions elsewhere in the workspace that it uses:\n\n```\n{}\n```\n",
            map.trim_end()
        ));
    }
    if parts.dropped_turns > 0 {
        s.push_str(&format!("\n({} earlier messages are left out.)\n", parts.dropped_turns));
    }
    s
}

fn prompt(parts: &Parts<'_>) -> Prompt {
    let mut messages = vec![Message::new(Role::System, system_message(parts))];
    for t in &parts.turns {
        let role = match t.speaker {
            Speaker::User => Role::User,
            Speaker::Assistant => Role::Assistant,
        };
        messages.push(Message::new(role, t.text.clone()));
    }
    Prompt::Chat { messages }
}

/// Everything, as it is (the remote side, after redaction).
fn whole(req: &ChatRequest) -> Parts<'_> {
    Parts {
        attachments: req.attachments.iter().map(|a| (a, a.text.clone(), false)).collect(),
        map: req.workspace_map.clone(),
        turns: req.turns.clone(),
        dropped_turns: 0,
    }
}

/// The prompt fitted into `budget` tokens: the new message (cut to half the budget when long),
/// the attached code (up to two thirds of what is left, in order), the most recent earlier
/// turns, then the map.
fn fitted<'a>(req: &'a ChatRequest, count: &dyn Fn(&str) -> usize, budget: usize) -> Parts<'a> {
    let empty = Parts { attachments: Vec::new(), map: None, turns: Vec::new(), dropped_turns: 0 };
    let mut left = budget.saturating_sub(count(&system_message(&empty)) + 16);
    let Some((last, earlier)) = req.turns.split_last() else { return empty };
    // The new message always goes, cut only when it is long.
    let (text, _) = cut_to(&last.text, (left / 2).max(64), count);
    let text = if text.is_empty() { last.text.chars().take(256).collect() } else { text };
    left = left.saturating_sub(count(&text) + 8);
    let last = Turn { speaker: last.speaker, text };
    let mut attachments = Vec::new();
    let mut code_left = left * 2 / 3;
    for a in &req.attachments {
        let overhead = count(&a.label()) + 12;
        if code_left <= overhead {
            break;
        }
        let (text, cut) = cut_to(&a.text, code_left - overhead, count);
        if text.trim().is_empty() {
            break;
        }
        let cost = count(&text) + overhead;
        code_left = code_left.saturating_sub(cost);
        left = left.saturating_sub(cost);
        attachments.push((a, text, cut));
    }
    let mut kept = Vec::new();
    for t in earlier.iter().rev() {
        let cost = count(&t.text) + 8;
        if cost > left {
            break;
        }
        left -= cost;
        kept.push(t.clone());
    }
    let dropped_turns = earlier.len() - kept.len();
    kept.reverse();
    kept.push(last);
    let map = req.workspace_map.as_deref().and_then(|m| {
        let (m, _) = cut_to(m, left.saturating_sub(24), count);
        (!m.trim().is_empty()).then_some(m)
    });
    Parts { attachments, map, turns: kept, dropped_turns }
}

/// The whole conversation with secrets replaced, and how many were.
fn redacted(req: &ChatRequest) -> (ChatRequest, usize) {
    let mut n = 0;
    let mut r = |s: &str| {
        let red = redact(s);
        n += red.count;
        red.text
    };
    let out = ChatRequest {
        turns: req.turns.iter().map(|t| Turn { speaker: t.speaker, text: r(&t.text) }).collect(),
        attachments: req.attachments.iter().map(|a| Attachment { text: r(&a.text), ..a.clone() }).collect(),
        workspace_map: req.workspace_map.as_deref().map(&mut r),
        force: req.force,
        max_tokens: req.max_tokens,
    };
    (out, n)
}

impl Router {
    /// Answers the conversation's last message, blocking until the answer is complete; text is
    /// handed to `on` as it comes. Recorded in the router's metrics like explanations.
    pub fn chat(
        &self,
        req: &ChatRequest,
        cancel: &Cancel,
        on: &mut dyn FnMut(Progress<'_>),
    ) -> Result<Reply, ExplainError> {
        let question = req.turns.last().filter(|t| t.speaker == Speaker::User).map(|t| t.text.as_str());
        let code: usize = req.attachments.iter().map(|a| estimate_tokens(&a.text)).sum();
        let route = RouteRequest {
            task: Task::Chat,
            code_tokens: code,
            question_tokens: question.map_or(0, estimate_tokens),
            question,
            paths: req.attachments.iter().map(|a| a.path.as_str()).collect(),
            force: req.force,
        };
        let remote_prompt = |redacting: bool| {
            if !redacting {
                return (prompt(&whole(req)), 0);
            }
            let (sent, n) = redacted(req);
            (prompt(&whole(&sent)), n)
        };
        let local_prompt = |count: &TokenCounter<'_>, budget: usize| prompt(&fitted(req, count, budget));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> usize {
        s.chars().count()
    }

    fn attachment(path: &str, text: &str) -> Attachment {
        Attachment { path: path.into(), lines: None, language: Some("rust".into()), text: text.into() }
    }

    #[test]
    fn the_prompt_carries_code_map_and_turns_in_order() {
        let req = ChatRequest {
            turns: vec![Turn::user("what is f?"), Turn::assistant("a function"), Turn::user("and g?")],
            attachments: vec![Attachment { lines: Some((3, 4)), ..attachment("src/a.rs", "fn f() {}\n") }],
            workspace_map: Some("src/b.rs\n  fn g()".into()),
            ..ChatRequest::default()
        };
        let Prompt::Chat { messages } = prompt(&whole(&req)) else { panic!() };
        let roles: Vec<Role> = messages.iter().map(|m| m.role).collect();
        assert_eq!(roles, [Role::System, Role::User, Role::Assistant, Role::User]);
        let system = &messages[0].content;
        assert!(system.contains("`src/a.rs:3-4`:\n```rust\nfn f() {}\n```"), "{system}");
        assert!(system.contains("src/b.rs\n  fn g()"), "{system}");
        assert_eq!(messages[3].content, "and g?");
    }

    #[test]
    fn the_local_prompt_fits_the_budget_keeping_the_newest_first() {
        let long = "let x = 1;\n".repeat(200);
        let req = ChatRequest {
            turns: vec![
                Turn::user("old question ".repeat(40)),
                Turn::assistant("old answer ".repeat(40)),
                Turn::user("recent?"),
                Turn::assistant("recent answer"),
                Turn::user("now?"),
            ],
            attachments: vec![attachment("a.rs", &long)],
            workspace_map: Some("map ".repeat(500)),
            ..ChatRequest::default()
        };
        let budget = 1500;
        let parts = fitted(&req, &chars, budget);
        let p = prompt(&parts);
        let Prompt::Chat { messages } = &p else { panic!() };
        let total: usize = messages.iter().map(|m| chars(&m.content) + 8).sum();
        assert!(total <= budget + 16, "{total} > {budget}");
        assert_eq!(messages.last().unwrap().content, "now?");
        assert!(parts.attachments[0].2, "the long file is cut");
        assert!(messages.iter().any(|m| m.content == "recent answer"));
        assert!(!messages.iter().any(|m| m.content.starts_with("old question")));
        assert_eq!(parts.dropped_turns, 2);
        assert!(messages[0].content.contains("2 earlier messages are left out"));
        assert!(messages[0].content.contains("cut to fit"));
    }

    #[test]
    fn a_tiny_budget_still_sends_the_question() {
        let req = ChatRequest { turns: vec![Turn::user("why?")], ..ChatRequest::default() };
        let Prompt::Chat { messages } = prompt(&fitted(&req, &chars, 10)) else { panic!() };
        assert_eq!(messages.last().unwrap().content, "why?");
    }

    #[test]
    fn redaction_covers_turns_code_and_map() {
        let secret = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let req = ChatRequest {
            turns: vec![Turn::user(format!("token {secret}"))],
            attachments: vec![attachment("a.rs", &format!("const T: &str = \"{secret}\";\n"))],
            workspace_map: Some(format!("TOKEN = \"{secret}\"")),
            ..ChatRequest::default()
        };
        let (sent, n) = redacted(&req);
        let Prompt::Chat { messages } = prompt(&whole(&sent)) else { panic!() };
        assert_eq!(n, 3);
        assert!(messages.iter().all(|m| !m.content.contains(secret)));
    }
}
