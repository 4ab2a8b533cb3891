//! The yardstick: serde_yaml merely parsing a file into a generic `Value`. Reads the
//! file, parses it, prints the parse time on stderr and exits (the `Value` is not dropped, so
//! the yardstick is not charged for freeing it).

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: yaml-value FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    match serde_yaml::from_str::<serde_yaml::Value>(&text) {
        Ok(value) => {
            eprintln!("parsed in {:.3} s", start.elapsed().as_secs_f64());
            std::mem::forget(value);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
