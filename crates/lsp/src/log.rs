//! Logging to stderr that never blocks the server.
//!
//! A client may never read the server's stderr; once the pipe is full, a plain `eprintln!` blocks
//! the task (and its worker thread) that calls it, and the server stops reading its input. So
//! lines go through a bounded queue to a thread of their own that writes them. When the queue is
//! full, a line is dropped and counted, and the count is written before the next line that gets
//! through: the log stays bounded in memory and says what it lost.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, OnceLock};

/// Lines waiting for stderr: more than a working session writes in a burst.
const QUEUE: usize = 1024;

/// Writes `text` as one line on stderr, soon, unless too many lines are waiting; never waits.
pub fn line(text: String) {
    static STDERR: OnceLock<Log> = OnceLock::new();
    STDERR.get_or_init(|| Log::start(std::io::stderr(), QUEUE)).line(text);
}

/// A bounded queue of lines and the thread that writes them out.
struct Log {
    queue: SyncSender<String>,
    /// Lines dropped since the writer last reported them.
    dropped: Arc<AtomicU64>,
}

impl Log {
    /// Starts the writer thread. Should it fail to start, its end of the queue is gone with it,
    /// and every line counts as dropped rather than blocking or panicking.
    fn start(mut out: impl Write + Send + 'static, capacity: usize) -> Self {
        let (queue, lines) = sync_channel::<String>(capacity);
        let dropped = Arc::new(AtomicU64::new(0));
        let lost = dropped.clone();
        let _ = std::thread::Builder::new().name("tandem-log".into()).spawn(move || {
            for text in lines {
                let n = lost.swap(0, Ordering::Relaxed);
                if n > 0 {
                    let _ = writeln!(out, "tandem: {n} log lines dropped (stderr was not keeping up)");
                }
                let _ = writeln!(out, "{text}");
            }
        });
        Self { queue, dropped }
    }

    fn line(&self, text: String) {
        if self.queue.try_send(text).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::{Receiver, Sender, channel};
    use std::time::Duration;

    /// Output nobody reads: every write waits until the test lets it go.
    struct Stuck(Receiver<()>);

    impl Write for Stuck {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _ = self.0.recv();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_stuck_output_costs_dropped_lines_not_a_blocked_caller() {
        let (release, wait) = channel();
        let log = Log::start(Stuck(wait), 4);
        for i in 0..100 {
            log.line(format!("line {i}"));
        }
        // At most the queue and the line being written got through.
        assert!(log.dropped.load(Ordering::Relaxed) >= 100 - 4 - 1);
        drop(release);
    }

    /// Output passed on to the test.
    struct Kept(Sender<String>);

    impl Write for Kept {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _ = self.0.send(String::from_utf8_lossy(buf).into_owned());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn dropped_lines_are_counted_before_the_next_line() {
        let (tx, written) = channel();
        let log = Log::start(Kept(tx), 4);
        log.dropped.store(3, Ordering::Relaxed);
        log.line("next".into());
        let mut text = String::new();
        while !text.ends_with("next\n") {
            // A deadline for a writer that never writes, not a measure of speed.
            text += &written.recv_timeout(Duration::from_secs(60)).expect("the line was never written");
        }
        assert_eq!(text, "tandem: 3 log lines dropped (stderr was not keeping up)\nnext\n");
    }
}
