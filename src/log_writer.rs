//! The binary's log output (not part of the library): lines are appended to one shared buffer and a writer thread
//! writes each batch to stdout with one system call.
//!
//! Why not `tracing_appender::non_blocking`: it sends every line over a channel and wakes its thread for each one
//! when the thread keeps up, so at one line per call the wake-ups cost more CPU than the write they save (measured
//! in bench/README.md). Here a caller only wakes the thread when the buffer was empty, the thread waits a moment
//! for the batch to grow, and a line still reaches stdout within a few milliseconds.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the writer thread lets a batch grow after the first line wakes it: short enough for a test that reads
/// the log while the server runs, long enough for a batch under load.
const BATCH_WINDOW: Duration = Duration::from_millis(2);

/// Past this many buffered bytes a caller writes the batch out itself: the buffer stays bounded when stdout is
/// slower than the calls (a full pipe), and no line is dropped.
const MAX_BUFFERED: usize = 1 << 20;

#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// Signalled when the buffer stops being empty, and at shutdown.
    wake: Condvar,
    /// Held while a batch is written, taken before `pending` is released so batches reach stdout in order.
    out: Mutex<()>,
}

#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    closed: bool,
}

/// What `tracing_subscriber::fmt().with_writer(...)` is given; each line arrives as one `write`.
pub struct LogWriter(Arc<Shared>);

/// Writes out what is still buffered and stops the writer thread when dropped.
pub struct LogGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// The writer for the subscriber and the guard that `main` keeps until it returns.
pub fn stdout_writer() -> (LogWriter, LogGuard) {
    let shared = Arc::new(Shared::default());
    let thread = std::thread::Builder::new()
        .name("milvus-mock-log".into())
        .spawn({
            let shared = shared.clone();
            move || write_batches(&shared)
        })
        .expect("cannot start the logging thread");
    (LogWriter(shared.clone()), LogGuard { shared, thread: Some(thread) })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while a line was appended leaves at worst a partial line; the log goes on.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Takes the batch and writes it, holding `out` so that no later batch overtakes it.
fn write_out(shared: &Shared, mut pending: MutexGuard<'_, Pending>) {
    let batch = std::mem::take(&mut pending.bytes);
    let _out = lock(&shared.out);
    drop(pending);
    let mut stdout = std::io::stdout().lock();
    // Nowhere to report a failed log write (stdout closed): the server goes on, as it would without a log.
    let _ = stdout.write_all(&batch).and_then(|()| stdout.flush());
}

fn write_batches(shared: &Shared) {
    loop {
        let mut pending = lock(&shared.pending);
        while pending.bytes.is_empty() && !pending.closed {
            pending = shared.wake.wait(pending).unwrap_or_else(|e| e.into_inner());
        }
        if pending.bytes.is_empty() {
            return; // closed, and everything is written
        }
        if !pending.closed {
            drop(pending);
            std::thread::sleep(BATCH_WINDOW);
            pending = lock(&shared.pending);
        }
        write_out(shared, pending);
    }
}

impl Write for &LogWriter {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut pending = lock(&self.0.pending);
        let was_empty = pending.bytes.is_empty();
        pending.bytes.extend_from_slice(line);
        if pending.bytes.len() > MAX_BUFFERED {
            write_out(&self.0, pending);
        } else if was_empty {
            drop(pending);
            self.0.wake.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogWriter {
    type Writer = &'a LogWriter;

    fn make_writer(&'a self) -> Self::Writer {
        self
    }
}

impl Drop for LogGuard {
    fn drop(&mut self) {
        lock(&self.shared.pending).closed = true;
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
