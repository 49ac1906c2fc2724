//! The local backend: one worker thread owns the runtime (weights and KV cache) and serves a
//! queue of requests in arrival order. A request cancelled while it waits is answered
//! "cancelled" without any model work.

use crate::backend::{Backend, BackendError, BackendInfo, BackendKind, Event, GenerateRequest, Generation};
use crate::format::Formatter;
use crate::runtime::{Finished, Runtime, ms};
use crate::tokenizer::TextTokenizer;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Instant;
use tandem_core::{GenerationStats, StopReason};
use tokio::sync::mpsc::UnboundedSender;

struct Job {
    request: GenerateRequest,
    events: UnboundedSender<Event>,
    queued: Instant,
}

/// A model running in this process, behind a worker thread.
#[derive(Debug)]
pub struct LocalBackend {
    name: String,
    jobs: Option<mpsc::Sender<Job>>,
    tokenizer: Arc<TextTokenizer>,
    worker: Option<JoinHandle<()>>,
}

impl LocalBackend {
    /// Starts the worker thread, which takes ownership of `runtime`.
    pub fn spawn(name: impl Into<String>, runtime: Runtime) -> std::io::Result<Self> {
        let tokenizer = runtime.tokenizer().clone();
        let (tx, rx) = mpsc::channel::<Job>();
        let worker =
            std::thread::Builder::new().name("tandem-model".into()).spawn(move || serve(runtime, rx))?;
        Ok(Self { name: name.into(), jobs: Some(tx), tokenizer, worker: Some(worker) })
    }
}

impl Drop for LocalBackend {
    fn drop(&mut self) {
        // Closing the queue ends the worker after its current job.
        self.jobs.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

impl Backend for LocalBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo { kind: BackendKind::Local, model: self.name.clone() }
    }

    fn generate(&self, request: GenerateRequest) -> Generation {
        let (events, generation) = Generation::new(request.cancel.clone());
        let job = Job { request, events, queued: Instant::now() };
        let refused = match &self.jobs {
            Some(jobs) => jobs.send(job).err().map(|e| e.0),
            None => Some(job),
        };
        if let Some(job) = refused {
            let _ = job.events.send(Event::Done(Err(BackendError::WorkerGone)));
        }
        generation
    }

    fn count_tokens(&self, text: &str) -> Option<usize> {
        self.tokenizer.encode(text).ok().map(|t| t.len())
    }
}

fn serve(mut runtime: Runtime, jobs: mpsc::Receiver<Job>) {
    let formatter: Arc<Formatter> = runtime.formatter().clone();
    while let Ok(job) = jobs.recv() {
        let queue_ms = ms(job.queued.elapsed());
        let req = &job.request;
        if req.cancel.is_cancelled() {
            let stats = GenerationStats { queue_ms, ..GenerationStats::default() };
            let done =
                Finished { text: String::new(), stop: StopReason::Cancelled, stats, tokens: Vec::new() };
            let _ = job.events.send(Event::Done(Ok(done)));
            continue;
        }
        let tokenize_start = Instant::now();
        let result = formatter
            .render_healed(runtime.tokenizer(), &req.prompt, req.params.heal)
            .map_err(Into::into)
            .and_then(|(tokens, healed)| {
                let tokenize_ms = ms(tokenize_start.elapsed());
                let mut send = |t: &str| {
                    let _ = job.events.send(Event::Text(t.to_owned()));
                };
                runtime.generate_after(&tokens, &healed, &req.params, &req.cancel, &mut send).map(|mut f| {
                    f.stats.queue_ms = queue_ms;
                    f.stats.tokenize_ms = tokenize_ms;
                    f
                })
            })
            .map_err(BackendError::Run);
        let _ = job.events.send(Event::Done(result));
    }
}
