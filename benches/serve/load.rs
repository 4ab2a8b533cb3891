//! A load client for `chipgate serve` (docs/service.md, "Measured"): keeps N connections
//! busy on loopback with one request body, bounded by a request count and a duration, and
//! reports requests/s and the latency percentiles (hdrhistogram) as one JSON line.
//!
//! ```sh
//! cargo run --release --features serve --example serve-load -- \
//!     --addr 127.0.0.1:8181 --file examples/sg-subsidiary.yaml --connections 64 --seconds 10
//! ```
//!
//! It speaks HTTP/1.1 itself (pre-built request bytes, keep-alive, `Content-Length`
//! responses) on a single thread, so that on a 2-core machine it leaves as much CPU as it can
//! to the server it measures. Without `--rate` each connection sends its next request as soon
//! as the last answer arrives (closed loop: the peak rate). With `--rate R` the connections
//! send R requests/s between them on a fixed schedule, and latency is measured from the time
//! each request was due, not from when it went out, so a stall is counted in full (no
//! coordinated omission). `--rss-pid PID` samples that process's VmRSS once a second.
//! Only loopback addresses are accepted.

// A measuring tool, not library code: its own buffers' indices and histogram set-up.
#![allow(clippy::indexing_slicing, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const USAGE: &str = "\
usage: serve-load --addr HOST:PORT --file FILE [--path /v1/check] [--connections N]
                  [--seconds S] [--requests N] [--rate R] [--warmup S] [--token T]
                  [--content-type TYPE] [--rss-pid PID] [--rss-out FILE]";

struct Args {
    addr: SocketAddr,
    file: String,
    path: String,
    connections: usize,
    seconds: f64,
    requests: u64,
    rate: Option<f64>,
    warmup: f64,
    token: Option<String>,
    content_type: String,
    rss_pid: Option<u32>,
    rss_out: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        addr: "127.0.0.1:8181".parse().map_err(|_| USAGE.to_string())?,
        file: String::new(),
        path: "/v1/check".into(),
        connections: 1,
        seconds: 10.0,
        requests: u64::MAX,
        rate: None,
        warmup: 1.0,
        token: None,
        content_type: "application/yaml".into(),
        rss_pid: None,
        rss_out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
        };
        let bad = |v: &str| format!("bad value `{v}` for {flag}\n{USAGE}");
        match flag.as_str() {
            "--addr" => {
                let v = value()?;
                args.addr = v.parse().map_err(|_| bad(&v))?;
            }
            "--file" => args.file = value()?,
            "--path" => args.path = value()?,
            "--connections" => {
                let v = value()?;
                args.connections = v.parse().map_err(|_| bad(&v))?;
            }
            "--seconds" => {
                let v = value()?;
                args.seconds = v.parse().map_err(|_| bad(&v))?;
            }
            "--requests" => {
                let v = value()?;
                args.requests = v.parse().map_err(|_| bad(&v))?;
            }
            "--rate" => {
                let v = value()?;
                args.rate = Some(v.parse().map_err(|_| bad(&v))?);
            }
            "--warmup" => {
                let v = value()?;
                args.warmup = v.parse().map_err(|_| bad(&v))?;
            }
            "--token" => args.token = Some(value()?),
            "--content-type" => args.content_type = value()?,
            "--rss-pid" => {
                let v = value()?;
                args.rss_pid = Some(v.parse().map_err(|_| bad(&v))?);
            }
            "--rss-out" => args.rss_out = Some(value()?),
            _ => return Err(USAGE.to_string()),
        }
    }
    if args.file.is_empty() {
        return Err(format!("--file is required\n{USAGE}"));
    }
    if !args.addr.ip().is_loopback() {
        return Err("only loopback addresses are load-tested".into());
    }
    if args.connections == 0 || !(0.0..=3600.0).contains(&args.seconds) || args.seconds == 0.0 {
        return Err(format!("1+ connections and 0 < seconds <= 3600\n{USAGE}"));
    }
    Ok(args)
}

/// What one connection saw.
struct Tally {
    latency: Histogram<u64>,
    ok: u64,
    errors: u64,
    statuses: Vec<(u16, u64)>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads one response: (status, whole response length). Responses carry Content-Length.
async fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<u16> {
    buffer.clear();
    let mut chunk = [0u8; 64 * 1024];
    let header_end = loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            break end + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_ascii_lowercase();
    let status: u16 = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let total = header_end + length;
    while buffer.len() < total {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Ok(status)
}

async fn connection(
    addr: SocketAddr,
    request: std::sync::Arc<Vec<u8>>,
    interval: Option<Duration>,
    offset: Duration,
    measure_from: Instant,
    until: Instant,
    budget: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> Tally {
    let mut tally = Tally {
        latency: Histogram::new_with_bounds(1, 60_000_000, 3)
            .unwrap_or_else(|_| Histogram::new(3).unwrap()),
        ok: 0,
        errors: 0,
        statuses: Vec::new(),
    };
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        tally.errors += 1;
        return tally;
    };
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::with_capacity(64 * 1024);
    let start = Instant::now() + offset;
    let mut due = start;
    loop {
        if interval.is_some() {
            tokio::time::sleep_until(due.into()).await;
        }
        let sent = Instant::now();
        if sent >= until {
            break;
        }
        let counted = sent >= measure_from;
        if counted && budget.fetch_sub(1, std::sync::atomic::Ordering::Relaxed) == 0 {
            budget.store(0, std::sync::atomic::Ordering::Relaxed);
            break;
        }
        let from = if interval.is_some() { due } else { sent };
        let result = match stream.write_all(&request).await {
            Ok(()) => read_response(&mut stream, &mut buffer).await,
            Err(e) => Err(e),
        };
        let micros = u64::try_from(from.elapsed().as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        match result {
            Ok(status) => {
                if counted {
                    let _ = tally.latency.record(micros);
                    if status == 200 {
                        tally.ok += 1;
                    } else {
                        tally.errors += 1;
                    }
                    match tally.statuses.iter_mut().find(|(s, _)| *s == status) {
                        Some((_, n)) => *n += 1,
                        None => tally.statuses.push((status, 1)),
                    }
                }
            }
            Err(_) => {
                tally.errors += 1;
                match TcpStream::connect(addr).await {
                    Ok(s) => {
                        stream = s;
                        let _ = stream.set_nodelay(true);
                    }
                    Err(_) => break,
                }
            }
        }
        if let Some(every) = interval {
            due += every;
        }
    }
    tally
}

/// CPU time (user + system) a process has used, in seconds, from `/proc/PID/stat` (clock
/// ticks of 1/100 s, Linux's USER_HZ).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let body = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {}: {e}", args.file);
            std::process::exit(2);
        }
    };
    let mut request = format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
        args.path,
        args.addr,
        args.content_type,
        body.len()
    );
    if let Some(t) = &args.token {
        request.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    request.push_str("\r\n");
    let mut request = request.into_bytes();
    request.extend_from_slice(&body);
    let request = std::sync::Arc::new(request);

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let warmup = Duration::from_secs_f64(args.warmup.max(0.0));
    let run = Duration::from_secs_f64(args.seconds);
    let interval = args
        .rate
        .map(|r| Duration::from_secs_f64(args.connections as f64 / r.max(0.001)));
    let started = Instant::now();
    let measure_from = started + warmup;
    let until = measure_from + run;
    let budget = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(args.requests));
    let rss_pid = args.rss_pid;
    let cpu_pid = rss_pid.map(|p| p.to_string());
    let (tallies, rss, cpu) = runtime.block_on(async {
        let cpu_pid = cpu_pid.clone();
        let cpu = tokio::spawn(async move {
            tokio::time::sleep_until(measure_from.into()).await;
            let server0 = cpu_pid.as_deref().and_then(cpu_seconds);
            let client0 = cpu_seconds("self");
            tokio::time::sleep_until(until.into()).await;
            let server = cpu_pid
                .as_deref()
                .and_then(cpu_seconds)
                .zip(server0)
                .map(|(b, a)| b - a);
            let client = cpu_seconds("self").zip(client0).map(|(b, a)| b - a);
            (server, client)
        });
        let sampler = tokio::spawn(async move {
            let mut samples: Vec<(f64, u64)> = Vec::new();
            let Some(pid) = rss_pid else { return samples };
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            while Instant::now() < until {
                tick.tick().await;
                if let Some(kib) = vm_rss_kib(pid) {
                    samples.push((started.elapsed().as_secs_f64(), kib));
                }
            }
            samples
        });
        let mut tasks = Vec::new();
        for i in 0..args.connections {
            // Spread the connections' schedules over one interval.
            let offset = interval
                .map(|every| every.mul_f64(i as f64 / args.connections as f64))
                .unwrap_or_default();
            tasks.push(tokio::spawn(connection(
                args.addr,
                std::sync::Arc::clone(&request),
                interval,
                offset,
                measure_from,
                until,
                std::sync::Arc::clone(&budget),
            )));
        }
        let mut tallies = Vec::new();
        for t in tasks {
            if let Ok(tally) = t.await {
                tallies.push(tally);
            }
        }
        let rss = sampler.await.unwrap_or_default();
        (tallies, rss, cpu.await.unwrap_or((None, None)))
    });
    let elapsed = started
        .elapsed()
        .saturating_sub(warmup)
        .as_secs_f64()
        .min(args.seconds);
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
        .unwrap_or_else(|_| Histogram::new(3).unwrap());
    let (mut ok, mut errors) = (0u64, 0u64);
    let mut statuses: Vec<(u16, u64)> = Vec::new();
    for t in &tallies {
        let _ = all.add(&t.latency);
        ok += t.ok;
        errors += t.errors;
        for (s, n) in &t.statuses {
            match statuses.iter_mut().find(|(x, _)| x == s) {
                Some((_, m)) => *m += n,
                None => statuses.push((*s, *n)),
            }
        }
    }
    if let Some(path) = &args.rss_out {
        let text: String = rss.iter().map(|(t, k)| format!("{t:.1}\t{k}\n")).collect();
        let _ = std::fs::write(path, text);
    }
    let rss_first = rss
        .iter()
        .find(|(t, _)| *t >= args.warmup + 10.0)
        .or(rss.first())
        .map(|(_, k)| *k);
    let rss_last = rss.last().map(|(_, k)| *k);
    let rss_max = rss.iter().map(|(_, k)| *k).max();
    let statuses: Vec<String> = statuses
        .iter()
        .map(|(s, n)| format!("\"{s}\": {n}"))
        .collect();
    // Server CPU per answered request: what the service costs, whatever else the machine runs.
    let per_request = |cpu: Option<f64>| {
        cpu.filter(|_| ok + errors > 0)
            .map_or("null".to_string(), |c| {
                format!("{:.1}", c * 1e6 / (ok + errors) as f64)
            })
    };
    let (server_cpu, client_cpu) = cpu;
    println!(
        "{{\"path\": \"{}\", \"file\": \"{}\", \"connections\": {}, \"rate\": {}, \"seconds\": {:.2}, \"ok\": {}, \"errors\": {}, \"statuses\": {{{}}}, \"rps\": {:.0}, \"p50_us\": {}, \"p90_us\": {}, \"p99_us\": {}, \"max_us\": {}, \"rss_kib_after_10s\": {}, \"rss_kib_last\": {}, \"rss_kib_max\": {}, \"server_cpu_us_per_request\": {}, \"client_cpu_us_per_request\": {}}}",
        args.path,
        args.file,
        args.connections,
        args.rate.map_or("null".to_string(), |r| format!("{r}")),
        elapsed,
        ok,
        errors,
        statuses.join(", "),
        (ok + errors) as f64 / elapsed.max(1e-9),
        all.value_at_quantile(0.50),
        all.value_at_quantile(0.90),
        all.value_at_quantile(0.99),
        all.max(),
        rss_first.map_or("null".into(), |k| k.to_string()),
        rss_last.map_or("null".into(), |k| k.to_string()),
        rss_max.map_or("null".into(), |k| k.to_string()),
        per_request(server_cpu),
        per_request(client_cpu),
    );
    if errors > 0 {
        std::process::exit(1);
    }
}
