//! Builds one engine and times it: build once, then every request on its own, then all
//! requests in one batch.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::data::{Verdict, World};
use crate::engines::Engine;

/// Requests checked (untimed) before timing starts.
const WARMUP: usize = 1_000;

pub struct Measurement {
    pub engine: &'static str,
    pub build: Duration,
    /// Per-request latencies, each request timed with its own pair of `Instant::now()` calls.
    pub median_ns: u64,
    pub p99_ns: u64,
    /// Total time of an untimed-per-request loop over all requests, divided by their number.
    pub batch_mean_ns: f64,
    pub verdicts: Vec<Verdict>,
}

pub fn measure<E: Engine>(world: &World) -> Result<Measurement, String> {
    let start = Instant::now();
    let mut engine = E::build(black_box(world))?;
    let build = start.elapsed();

    for r in world.requests.iter().take(WARMUP) {
        black_box(engine.check(black_box(r))?);
    }

    let n = world.requests.len();
    let mut samples = Vec::with_capacity(n);
    let mut verdicts = Vec::with_capacity(n);
    for r in &world.requests {
        let t = Instant::now();
        let v = engine.check(black_box(r));
        let dt = t.elapsed();
        samples.push(dt.as_nanos() as u64);
        verdicts.push(v?);
    }

    let mut batch = Vec::with_capacity(n);
    let t = Instant::now();
    for r in &world.requests {
        batch.push(engine.check(black_box(r))?);
    }
    let total = t.elapsed();
    if batch != verdicts {
        return Err(format!("{}: verdicts differ between two passes", E::NAME));
    }

    samples.sort_unstable();
    Ok(Measurement {
        engine: E::NAME,
        build,
        median_ns: percentile(&samples, 50.0),
        p99_ns: percentile(&samples, 99.0),
        batch_mean_ns: total.as_nanos() as f64 / n.max(1) as f64,
        verdicts,
    })
}

/// Nearest-rank percentile of sorted samples (0 for none).
pub fn percentile(sorted: &[u64], pct: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Median cost of timing nothing: what a per-request figure includes from the clock alone.
pub fn timer_overhead_ns() -> u64 {
    let mut samples: Vec<u64> = (0..100_000)
        .map(|_| {
            let t = Instant::now();
            black_box(());
            t.elapsed().as_nanos() as u64
        })
        .collect();
    samples.sort_unstable();
    percentile(&samples, 50.0)
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank() {
        let xs: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&xs, 50.0), 50);
        assert_eq!(percentile(&xs, 99.0), 99);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }
}
