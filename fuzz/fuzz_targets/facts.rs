//! The transaction-file loader: any bytes. Must never panic, hang or exhaust memory; errors
//! are located diagnostics that render.
#![no_main]

use chipgate::report::human;
use chipgate::{Limits, TransactionFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match TransactionFile::from_bytes("fuzz.yaml", data.to_vec(), &Limits::default()) {
        Ok(file) => {
            // Positions are found lazily: ask for every transaction's span.
            for i in 0..file.transactions.len() {
                let _ = file.transaction_span(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        Err(e) => {
            for d in &e.diagnostics {
                let _ = human::diagnostic(d, human::Style::default());
            }
        }
    }
});
