//! One module per LSP method (and per tandem method), named after it; each exposes `handle`.

pub(crate) mod code_action;
pub(crate) mod completion;
pub(crate) mod did_change;
pub(crate) mod did_change_configuration;
pub(crate) mod did_change_watched_files;
pub(crate) mod did_close;
pub(crate) mod did_open;
pub(crate) mod did_save;
pub(crate) mod execute_command;
pub(crate) mod initialize;
pub(crate) mod initialized;
pub(crate) mod inline_completion;
pub(crate) mod metrics;
pub(crate) mod routing;
pub(crate) mod shutdown;
