//! The larger local model completions route up to (see `inline.rs`): attached once loaded, or
//! loaded the first time a request needs it, so that a server's start and its first suggestions
//! do not share the cores with a load that many sessions never need. A request that needs it
//! while it loads waits for it, within the request's budget.

use crate::engine::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use tandem_model::Backend;
use tokio::sync::Notify;

/// Loads the larger model; `None` when there is none (not installed, the same as the
/// completion model, or its load failed).
pub type LargerLoader = Box<dyn FnOnce() -> Option<Arc<dyn Backend>> + Send>;

#[derive(Default)]
pub(crate) struct Larger {
    model: RwLock<Option<Arc<dyn Backend>>>,
    loader: Mutex<Option<LargerLoader>>,
    loading: AtomicBool,
    ready: Notify,
}

impl std::fmt::Debug for Larger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Larger").field("model", &self.get()).field("loading", &self.loading).finish()
    }
}

impl Larger {
    pub fn attach(&self, backend: Arc<dyn Backend>) {
        *self.model.write().unwrap_or_else(|e| e.into_inner()) = Some(backend);
        self.loaded();
    }

    fn loaded(&self) {
        self.loading.store(false, Ordering::SeqCst);
        self.ready.notify_waiters();
    }

    pub fn get(&self) -> Option<Arc<dyn Backend>> {
        self.model.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// `loader` loads the model the first time a request needs it.
    pub fn load_when_needed(&self, loader: LargerLoader) {
        *lock(&self.loader) = Some(loader);
    }

    /// The larger model: its load starts (on a thread of its own) the first time it is asked
    /// for, and while it loads this waits for it until `deadline`.
    pub async fn by(self: &Arc<Self>, deadline: Instant) -> Option<Arc<dyn Backend>> {
        let ready = self.ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        if let Some(model) = self.get() {
            return Some(model);
        }
        if let Some(loader) = lock(&self.loader).take() {
            self.loading.store(true, Ordering::SeqCst);
            let this = self.clone();
            let spawned =
                std::thread::Builder::new().name("tandem-load-larger".into()).spawn(move || match loader() {
                    Some(model) => this.attach(model),
                    None => this.loaded(),
                });
            if spawned.is_err() {
                self.loaded();
            }
        }
        if self.loading.load(Ordering::SeqCst) {
            let _ = tokio::time::timeout_at(deadline.into(), ready).await;
        }
        self.get()
    }
}
