//! What became of a suggestion: the command `tandem.suggestionOutcome` (arguments
//! `[{"id", "outcome": "accepted"}]`) that every suggestion carries, which an LSP 3.18 client
//! runs when the user accepts it, and the notification `tandem/suggestionOutcome` (`{"id",
//! "outcome": "shown" | "accepted" | "dismissed"}`) from tandem's editor clients. Recorded with the
//! suggestion's request (`tandem/metrics`), so that how often what is shown gets taken can be
//! measured and the confidence suggestions need tuned from real use.

use crate::session::Server;
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::Outcome;
use tower_lsp_server::ls_types::Command;

pub const COMMAND: &str = "tandem.suggestionOutcome";

#[derive(Debug, Deserialize)]
struct Report {
    id: u64,
    outcome: Outcome,
}

/// The command a suggestion carries: run on acceptance.
pub(crate) fn accepted(id: u64) -> Command {
    Command {
        title: "tandem: suggestion accepted".into(),
        command: COMMAND.into(),
        arguments: Some(vec![json!({"id": id, "outcome": "accepted"})]),
    }
}

/// Records a report (a notification's params or a command's argument). Answers why not when it
/// is not one; an id that is not a recent suggestion is no error (it may have been forgotten).
pub(crate) fn record(server: &Server, report: &Value) -> Result<(), String> {
    let r = Report::deserialize(report).map_err(|e| format!("bad suggestion outcome: {e}"))?;
    server.engine().outcome(r.id, r.outcome);
    Ok(())
}

/// `tandem/suggestionOutcome` (notification): a bad report is dropped, with a line in the log.
pub(crate) fn handle(server: &Server, params: Value) {
    if let Err(e) = record(server, &params) {
        crate::log::line(format!("tandem: {e}"));
    }
}
