//! The JSON report of CONTRACT.md: stable keys `transactions[].id`, `.verdict`,
//! `.findings[].rule`, `.outcome` and `.citation`; the rest may grow.

use super::Report;
use crate::finding::TransactionReport;

pub fn render(report: &Report<'_>) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The JSON report written a transaction at a time (`head`, then `transaction` for each,
/// then `tail`): the same bytes as [`render`], without holding every report.
#[derive(Clone, Default)]
pub struct Stream {
    written: usize,
}

impl Stream {
    /// Everything before the first transaction.
    pub fn head(rules: &crate::ir::RuleSet) -> String {
        let empty = render(&Report::new(rules, &[]));
        match empty.strip_suffix("[]\n}") {
            Some(head) => format!("{head}["),
            None => empty,
        }
    }

    /// What goes before the next transaction's [`item`] text.
    pub fn separator(&mut self) -> &'static str {
        self.written += 1;
        if self.written == 1 {
            "\n    "
        } else {
            ",\n    "
        }
    }

    /// One transaction, with the separator and indentation it takes in the whole report.
    pub fn transaction(&mut self, report: &TransactionReport) -> String {
        format!("{}{}", self.separator(), item(report))
    }

    /// Everything after the last transaction.
    pub fn tail(&self) -> &'static str {
        if self.written == 0 {
            "]\n}"
        } else {
            "\n  ]\n}"
        }
    }
}

/// One transaction's JSON, indented as an element of the report's `transactions` list. JSON
/// strings hold no raw line breaks, so indenting after each one is exact. Pure: safe to run
/// on many threads, with [`Stream::transaction`] adding only the separator.
pub fn item(report: &TransactionReport) -> String {
    let mut out = Vec::with_capacity(1024);
    match serde_json::to_writer_pretty(&mut out, report) {
        Ok(()) => String::from_utf8(out)
            .unwrap_or_default()
            .replace('\n', "\n    "),
        Err(e) => format!("{{\"error\": \"{e}\"}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, RuleSet, TransactionFile};

    #[test]
    fn the_stream_writes_the_same_bytes_as_the_whole_report() {
        let rules = RuleSet::builtin().unwrap();
        let yaml = "parties:\n  - { id: us, name: US Co, country: US }\n  - { id: cn, name: CN Co, country: CN }\nitems:\n  - { id: h100, name: H100, tpp: 15832, die_area_mm2: 814 }\ntransactions:\n  - { id: T1, kind: export, date: 2025-02-10, item: h100, from: us, to: cn }\n  - { id: T2, kind: export, date: 2025-02-10, item: h100, from: us, to: us }\n";
        let file = TransactionFile::from_str("t.yaml", yaml, &Limits::default()).unwrap();
        for n in [0, 1, 2] {
            let reports: Vec<_> = rules.check(&file, None).into_iter().take(n).collect();
            let whole = render(&Report::new(&rules, &reports));
            let mut stream = Stream::default();
            let mut text = Stream::head(&rules);
            for r in &reports {
                text.push_str(&stream.transaction(r));
            }
            text.push_str(stream.tail());
            assert_eq!(text, whole, "{n} transactions");
        }
    }
}
