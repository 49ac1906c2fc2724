//! `workspace/didChangeConfiguration`: new completion settings.

use crate::session::Server;
use crate::settings::completion_section;
use tower_lsp_server::ls_types::DidChangeConfigurationParams;

pub(crate) async fn handle(server: &Server, params: DidChangeConfigurationParams) {
    if let Some(section) = completion_section(&params.settings) {
        crate::settings::apply(server, section).await;
    }
}
