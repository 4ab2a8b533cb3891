//! The decision log (`--decision-log FILE`): every transaction the service judges (each one
//! of a `POST /v1/check`, and the one a `POST /v1/explain` explains) is appended as the
//! decision record `chipgate check --format jsonl` writes ([`crate::report::jsonl`]), and
//! the answer is sent only once the record is on disk. A
//! server killed at any moment has therefore logged every decision a client received.
//!
//! One thread owns the file. Requests hand it their records whole (every record of one
//! request, each a complete line) and wait; it takes everything that is waiting, writes it
//! with one `write`, makes it durable with one `fdatasync` and then answers all of them. So
//! lines never interleave (there is one writer), and under load the cost of the sync is
//! shared by the requests of a batch (group commit) instead of paid by each.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;

use tokio::sync::oneshot;

use crate::diag::{Code, Diagnostic, Error};

/// How far a record is pushed before the answer goes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `write` then `fdatasync`: on disk, surviving a crash of the machine (the default).
    Fsync,
    /// `write` only: in the kernel's page cache, surviving a crash of the process (kill -9)
    /// but not of the machine.
    Write,
}

/// Records of one request, and where to say that they are written.
struct Batch {
    bytes: Vec<u8>,
    done: oneshot::Sender<Result<(), String>>,
}

/// The handle requests use to log. Dropping every clone ends the writer thread.
#[derive(Clone)]
pub struct DecisionLog {
    tx: mpsc::Sender<Batch>,
}

/// The writer thread, to join at shutdown once every [`DecisionLog`] is dropped.
pub struct Writer {
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    /// Waits for the writer to write what it was given and close the file.
    pub fn finish(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Opens (creating, appending) the log and starts its writer thread. A log whose last line
/// was cut short by a crash during a write (never a record that was answered) gets a line
/// break first, so that the next record starts a line of its own.
pub fn open(path: &Path, durability: Durability) -> Result<(DecisionLog, Writer), Error> {
    let unopenable = |e: std::io::Error| {
        Error::one(
            Diagnostic::error(
                Code::ServeDecisionLog,
                format!("cannot open the decision log `{}`: {e}", path.display()),
            )
            .help("give --decision-log a file in a folder the service can write to"),
        )
    };
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .read(true)
        .open(path)
        .map_err(unopenable)?;
    if ends_mid_line(&mut file).map_err(unopenable)? {
        file.write_all(b"\n").map_err(unopenable)?;
    }
    let (tx, rx) = mpsc::channel::<Batch>();
    let name = path.to_path_buf();
    let thread = std::thread::Builder::new()
        .name("decision-log".into())
        .spawn(move || write_batches(file, &name, durability, rx))
        .map_err(unopenable)?;
    Ok((
        DecisionLog { tx },
        Writer {
            thread: Some(thread),
        },
    ))
}

fn ends_mid_line(file: &mut File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last != *b"\n")
}

/// Most bytes gathered into one write (and one sync); a batch larger than this goes alone.
const GATHER_BYTES: usize = 4 << 20;

fn write_batches(mut file: File, name: &Path, durability: Durability, rx: mpsc::Receiver<Batch>) {
    let mut buffer: Vec<u8> = Vec::with_capacity(1 << 16);
    let mut waiting: Vec<oneshot::Sender<Result<(), String>>> = Vec::new();
    // `recv` fails once every sender is gone: the service has shut down.
    while let Ok(first) = rx.recv() {
        buffer.clear();
        buffer.extend_from_slice(&first.bytes);
        waiting.push(first.done);
        while buffer.len() < GATHER_BYTES {
            match rx.try_recv() {
                Ok(next) => {
                    buffer.extend_from_slice(&next.bytes);
                    waiting.push(next.done);
                }
                Err(_) => break,
            }
        }
        let result = file.write_all(&buffer).and_then(|()| match durability {
            Durability::Fsync => file.sync_data(),
            Durability::Write => Ok(()),
        });
        let outcome = result.map_err(|e| format!("cannot write `{}`: {e}", name.display()));
        if let Err(e) = &outcome {
            eprintln!("chipgate serve: decision log: {e}");
        }
        for done in waiting.drain(..) {
            let _ = done.send(outcome.clone());
        }
    }
    let _ = file.sync_all();
}

impl DecisionLog {
    /// Appends the records (complete lines) and waits until they are written as the log's
    /// durability says. An error means the records may not be in the log: the caller must
    /// not answer with the decision.
    pub async fn append(&self, bytes: Vec<u8>) -> Result<(), String> {
        if bytes.is_empty() {
            return Ok(());
        }
        let (done, written) = oneshot::channel();
        self.tx
            .send(Batch { bytes, done })
            .map_err(|_| "the decision log is closed".to_string())?;
        written
            .await
            .map_err(|_| "the decision log writer stopped".to_string())?
    }
}
