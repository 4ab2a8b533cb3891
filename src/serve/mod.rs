//! `chipgate serve`: the checks of `chipgate check`, `explain` and `classify` as an HTTP
//! service (docs/service.md), for order desks and ERP systems that ask before they ship
//! rather than run a command.
//!
//! Why it is built this way:
//! - tokio + hyper (through axum's router) + tower middleware: the maintained, widely
//!   deployed stack, with the pieces this service needs built in — a header read timeout
//!   (hyper), graceful shutdown of connections (hyper-util), a last-resort panic catcher
//!   (tower-http) — so nothing below the handlers is ours to get wrong. A stalled client
//!   costs a task and a socket, never a thread.
//! - The compiled [`crate::RuleSet`] is built once and shared (`Arc`); a reload builds the
//!   new one off to the side and swaps it in atomically (`arc-swap`). Each request takes the
//!   set once, so a reload never changes an answer half-way.
//! - Answers are the command's own bytes ([`judge`] calls what `chipgate check` calls); the
//!   decision log ([`log`]) writes exactly `--format jsonl` records and is on disk before
//!   the answer leaves.
//! - Small bodies are judged on the worker thread that read them (no hand-off); large ones
//!   on the blocking pool, one per core at a time, judged in parallel as the command does.
//!
//! Behind the `serve` feature (on by default), so that embedders of the library who turn
//! default features off compile no tokio or hyper.

pub mod errors;
pub mod http;
pub mod judge;
pub mod log;
pub mod metrics;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::diag::{Code, Diagnostic, Error};
use crate::limits::Limits;

pub use log::Durability;

/// How the service runs: `chipgate serve`'s flags.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen; loopback by default. Port 0 picks a free port (the address bound is
    /// printed on stderr).
    pub listen: SocketAddr,
    /// Rule files or folders; empty: the built-in pack.
    pub rules: Vec<PathBuf>,
    /// Screening lists (CSL files, or `pack`); empty: parties are not screened.
    pub screening: Vec<String>,
    /// Facts files (`--facts`): parties, items and facilities the bodies may refer to.
    pub facts: Vec<PathBuf>,
    /// The CLI's limits, applied to every request (and to rule loads).
    pub limits: Limits,
    /// The bearer token every endpoint but `/health` requires, if any.
    pub token: Option<String>,
    /// Where to append decision records, if anywhere.
    pub decision_log: Option<PathBuf>,
    pub log_durability: Durability,
    /// Longest wait for a request's head, counted from when hyper starts waiting for it (so
    /// an idle keep-alive connection is closed after it too).
    pub header_timeout: Duration,
    /// Longest wait for a request's whole body.
    pub body_timeout: Duration,
    /// Most connections open at once; the next waits to be accepted.
    pub max_connections: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Worker threads (default: one per core).
    pub workers: Option<usize>,
}

impl Config {
    pub fn new(listen: SocketAddr) -> Config {
        Config {
            listen,
            rules: Vec::new(),
            screening: Vec::new(),
            facts: Vec::new(),
            limits: Limits::default(),
            token: None,
            decision_log: None,
            log_durability: Durability::Fsync,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(30),
            workers: None,
        }
    }
}

/// The bearer token: from `--token-file` (its first line, trimmed), else from the
/// `CHIPGATE_TOKEN` environment variable, else none. An empty token is refused, since it
/// would guard nothing.
pub fn token(file: Option<&Path>) -> Result<Option<String>, Error> {
    let token = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::one(
                    Diagnostic::error(
                        Code::ServeToken,
                        format!("cannot read the token file `{}`: {e}", path.display()),
                    )
                    .help("--token-file names a file holding the bearer token on its first line"),
                )
            })?;
            Some(text.lines().next().unwrap_or("").trim().to_string())
        }
        None => std::env::var("CHIPGATE_TOKEN")
            .ok()
            .map(|t| t.trim().to_string()),
    };
    match token {
        Some(t) if t.is_empty() => Err(Error::one(
            Diagnostic::error(Code::ServeToken, "the bearer token is empty")
                .help("put the token in --token-file or CHIPGATE_TOKEN, or give neither to run without one"),
        )),
        other => Ok(other),
    }
}

fn startup_error(code: Code, message: String, help: &str) -> Error {
    Error::one(Diagnostic::error(code, message).help(help))
}

/// Runs the service until SIGTERM or SIGINT; then stops accepting, lets the requests in
/// flight finish (up to the grace period) and closes the decision log. An error is a
/// service that could not start: the address could not be bound, the log not opened, or the
/// rule set did not compile.
pub fn run(config: Config) -> Result<(), Error> {
    let workers = config
        .workers
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(2)
        .max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("chipgate-serve")
        .enable_all()
        .build()
        .map_err(runtime_refused)?;
    runtime.block_on(serve(config, workers))
}

/// The system refused the runtime's threads.
fn runtime_refused(e: std::io::Error) -> Error {
    startup_error(
        Code::ServeRuntime,
        format!("cannot start the runtime: {e}"),
        "the system refused threads: lower --workers, or raise the limit that refused them",
    )
}

async fn serve(config: Config, workers: usize) -> Result<(), Error> {
    let listener = TcpListener::bind(config.listen).await.map_err(|e| {
        startup_error(
            Code::ServeBind,
            format!("cannot listen on {}: {e}", config.listen),
            "choose another address with --listen (port 0 picks a free one)",
        )
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| startup_error(Code::ServeBind, format!("no local address: {e}"), "retry"))?;
    let (log, writer) = match &config.decision_log {
        Some(path) => {
            let (l, w) = log::open(path, config.log_durability)?;
            (Some(l), Some(w))
        }
        None => (None, None),
    };
    let service = Arc::new(http::Service {
        rules: ArcSwapOption::empty(),
        rule_paths: config.rules.clone(),
        screening: config.screening.clone(),
        facts: config.facts.clone(),
        limits: config.limits.clone(),
        token: config.token.clone(),
        log,
        metrics: metrics::Metrics::new(),
        body_timeout: config.body_timeout,
        reloading: tokio::sync::Mutex::new(()),
        heavy: Semaphore::new(workers),
    });
    eprintln!("chipgate serve: listening on http://{bound}");

    // The rules load while the service already answers (`/health`: 503 until they are in).
    let paths = config.rules.clone();
    let lists = config.screening.clone();
    let facts = config.facts.clone();
    let limits = config.limits.clone();
    let mut loading =
        tokio::task::spawn_blocking(move || http::load_rules(&paths, &lists, &facts, &limits));
    let mut loaded = false;

    let app = http::router(Arc::clone(&service));
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .keep_alive(true);

    let reloads = tokio::spawn(reload_on_hangup(Arc::clone(&service)));
    let stop = shutdown_signal();
    tokio::pin!(stop);
    let outcome: Result<(), Error> = loop {
        let permit = tokio::select! {
            p = Arc::clone(&connections).acquire_owned() => p,
            () = &mut stop => break Ok(()),
        };
        let Ok(permit) = permit else { break Ok(()) };
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _peer)) = accepted else {
                    // Out of file descriptors and the like: wait a moment, keep serving.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let connection = builder.serve_connection(
                    TokioIo::new(stream),
                    TowerToHyperService::new(app.clone()),
                );
                let watched = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = watched.await;
                    drop(permit);
                });
            }
            joined = &mut loading, if !loaded => {
                loaded = true;
                match joined {
                    Ok(Ok(l)) => {
                        eprintln!(
                            "chipgate serve: rules loaded: {} ({} rules) in {:.1} ms",
                            l.rules.digest(),
                            l.rules.rule_count(),
                            l.load_seconds * 1000.0
                        );
                        service.metrics.rules_in_use(l.rules.digest(), l.rules.rule_count(), l.load_seconds);
                        service.rules.store(Some(Arc::new(l)));
                    }
                    Ok(Err(e)) => break Err(e),
                    Err(_) => break Err(startup_error(
                        Code::ServeInternal,
                        "compiling the rule set panicked; this is a bug in chipgate".into(),
                        "please report it with the rule files",
                    )),
                }
            }
            () = &mut stop => break Ok(()),
        }
    };
    drop(listener);
    reloads.abort();
    if outcome.is_ok() {
        eprintln!("chipgate serve: shutting down: finishing the requests in flight");
    }
    if tokio::time::timeout(config.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "chipgate serve: requests still running after {} s were cut off",
            config.shutdown_grace.as_secs()
        );
    }
    drop(app);
    drop(service);
    if let Some(w) = writer {
        // Every record of an answered request is already written; this closes the file
        // once the last handle is gone (bounded: a request cut off may still hold one).
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            w.finish();
            let _ = done.send(());
        });
        let _ = finished.recv_timeout(Duration::from_secs(5));
    }
    outcome
}

/// SIGHUP reloads the rules, as `POST /v1/reload` does; the outcome goes to stderr.
async fn reload_on_hangup(service: Arc<http::Service>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut hangups) = signal(SignalKind::hangup()) else {
            return;
        };
        while hangups.recv().await.is_some() {
            match http::reload_rules(&service).await {
                Ok(l) => eprintln!(
                    "chipgate serve: SIGHUP: rules reloaded: {} ({} rules)",
                    l.rules.digest(),
                    l.rules.rule_count()
                ),
                Err(e) => eprintln!("chipgate serve: SIGHUP: the rules did not load, the previous set stays in use:\n{e}"),
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = service;
        std::future::pending::<()>().await;
    }
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No test can make the system refuse threads; this is what the service says when it
    /// does (the command prints it and exits 2).
    #[test]
    fn refused_threads_are_a_start_up_error() {
        let e = runtime_refused(std::io::Error::other("Resource temporarily unavailable"));
        let [d] = e.diagnostics.as_slice() else {
            panic!("one diagnostic, not {}", e.diagnostics.len());
        };
        assert_eq!(d.code, Code::ServeRuntime);
        assert_eq!(
            d.message,
            "cannot start the runtime: Resource temporarily unavailable"
        );
        assert!(d.help.is_some());
    }
}
