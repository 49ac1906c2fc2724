//! What a model is asked: fill in the middle of a file, continue a chat, or continue raw text.

use serde::{Deserialize, Serialize};

/// A request's input, independent of any model's prompt format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Prompt {
    /// Fill in the middle of a file, optionally with other files of the repository as context.
    Fim(FimPrompt),
    /// A conversation; the model writes the next assistant message.
    Chat { messages: Vec<Message> },
    /// Plain text to continue, with no template applied.
    Text { text: String },
}

/// Fill-in-the-middle input: the text before and after the cursor in one file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FimPrompt {
    pub prefix: String,
    pub suffix: String,
    /// The repository's name, for the repository-level layout.
    pub repo: Option<String>,
    /// The current file's path relative to the repository, for the repository-level layout.
    pub path: Option<String>,
    /// Other files (or parts of them) placed before the current file. When this is empty and
    /// `repo` is `None`, the plain file-level layout is used.
    pub files: Vec<ContextFile>,
}

/// A file, or a part of one, given to the model as context.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ContextFile {
    pub path: String,
    pub content: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Self { role, content: content.into() }
    }
}
