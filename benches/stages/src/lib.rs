//! Shared helpers of the stage benchmarks, the end-to-end runner and the report writer.

use std::path::{Path, PathBuf};

/// The repository's root (this crate lives in `benches/stages`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where generated transaction files live (`CHIPGATE_BENCH_DATA`, default
/// `benches/stages/target/data`).
pub fn data_dir() -> PathBuf {
    std::env::var_os("CHIPGATE_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/data"))
}

/// The sizes the end-to-end runs use: `(transactions, parties)`. 100,000 transactions run
/// over 10,000 parties, as the target says; the others keep one party per ten
/// transactions.
pub const SIZES: [(usize, usize); 4] = [
    (1_000, 100),
    (10_000, 1_000),
    (100_000, 10_000),
    (1_000_000, 100_000),
];

/// The generated file for a size (`tx-<transactions>.yaml` in [`data_dir`]).
pub fn data_file(transactions: usize) -> PathBuf {
    data_dir().join(format!("tx-{transactions}.yaml"))
}

/// Sizes selected by `CHIPGATE_BENCH_SIZES` (comma-separated transaction counts), default all.
pub fn selected_sizes() -> Vec<(usize, usize)> {
    match std::env::var("CHIPGATE_BENCH_SIZES") {
        Ok(list) => {
            let wanted: Vec<usize> = list
                .split(',')
                .filter_map(|s| s.trim().replace('_', "").parse().ok())
                .collect();
            SIZES
                .iter()
                .copied()
                .filter(|(t, _)| wanted.contains(t))
                .collect()
        }
        Err(_) => SIZES.to_vec(),
    }
}
