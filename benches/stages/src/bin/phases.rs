//! Times each stage of `chipgate check --format json` on one file, in process, through the
//! public API: `cargo run --release --bin phases -- FILE`. For finding where time goes.

use std::time::Instant;

/// Current and peak resident memory, from /proc/self/status.
fn rss() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    format!("[rss {}, peak {}]", field("VmRSS:"), field("VmHWM:"))
}

fn main() -> Result<(), String> {
    let path = std::env::args().nth(1).ok_or("usage: phases FILE")?;
    let limits = chipgate::Limits::default();
    eprintln!(
        "sizes: Transaction {} Party {} Item {} Authorization {}",
        std::mem::size_of::<chipgate::facts::Transaction>(),
        std::mem::size_of::<chipgate::facts::Party>(),
        std::mem::size_of::<chipgate::facts::Item>(),
        std::mem::size_of::<chipgate::facts::Authorization>()
    );
    let t = Instant::now();
    let rules = chipgate::RuleSet::builtin().map_err(|e| format!("{e:?}"))?;
    let compile = t.elapsed();
    let t = Instant::now();
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    let read = t.elapsed();
    eprintln!("read {}", rss());
    let t = Instant::now();
    let file = chipgate::TransactionFile::from_bytes(&path, bytes, &limits)
        .map_err(|e| format!("{e:?}"))?;
    let load = t.elapsed();
    eprintln!("loaded {}", rss());
    let t = Instant::now();
    let checker = rules.checker(&file);
    let world = t.elapsed();
    eprintln!("world {}", rss());
    let t = Instant::now();
    let mut fired = 0usize;
    for i in 0..file.transactions.len() {
        if let Some((_, f)) = checker.verdict(i, None) {
            fired += f.len();
        }
    }
    let verdicts = t.elapsed();
    drop(checker);
    let t = Instant::now();
    let mut out = 0usize;
    rules.check_streaming(
        &file,
        None,
        |r| chipgate::report::json::item(&r),
        |text| out += text.len(),
    );
    let stream = t.elapsed();
    eprintln!("checked {}", rss());
    eprintln!(
        "compile {compile:.2?} read {read:.2?} load {load:.2?} world {world:.2?} \
         verdicts {verdicts:.2?} ({fired} findings) check+json {stream:.2?} ({out} bytes)"
    );
    Ok(())
}
