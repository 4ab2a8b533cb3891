//! The JSON report (docs/cli.md, "--format json"): stable keys `transactions[].id`, `.verdict`,
//! `.findings[].rule`, `.outcome` and `.citation`; the rest may grow (`orders`, the orders
//! the transactions are lines of, follows `transactions`).

use super::orders::Orders;
use super::Report;
use crate::finding::TransactionReport;

pub fn render(report: &Report<'_>) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The JSON report written a transaction at a time (`head`, then `transaction` for each,
/// then `tail`): the same bytes as [`render`], without holding every report. The orders are
/// summed as the transactions pass ([`Stream::order_line`]; [`Stream::transaction`] does it
/// itself) and written at the end.
#[derive(Clone, Default)]
pub struct Stream {
    written: usize,
    orders: Orders,
}

const TRANSACTIONS: &str = "\"transactions\": [";

impl Stream {
    /// Everything before the first transaction.
    pub fn head(rules: &crate::ir::RuleSet) -> String {
        let empty = render(&Report::new(rules, &[]));
        match empty.find(TRANSACTIONS) {
            Some(at) => empty
                .get(..at + TRANSACTIONS.len())
                .unwrap_or_default()
                .to_string(),
            None => empty,
        }
    }

    /// Counts a transaction written as a line of its order (`order`, when it names one).
    pub fn order_line(
        &mut self,
        order: Option<&str>,
        id: &str,
        file: &str,
        verdict: crate::Verdict,
    ) {
        if let Some(order) = order {
            self.orders.line(order, id, file, verdict);
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
        self.orders.add(report);
        format!("{}{}", self.separator(), item(report))
    }

    /// Everything after the last transaction: the end of `transactions` and the orders.
    pub fn tail(&self) -> String {
        let close = if self.written == 0 { "]" } else { "\n  ]" };
        let orders = serde_json::to_string_pretty(self.orders.list())
            .unwrap_or_else(|_| "[]".into())
            .replace('\n', "\n  ");
        format!("{close},\n  \"orders\": {orders}\n}}")
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
        let yaml = "parties:\n  - { id: us, name: US Co, country: US }\n  - { id: cn, name: CN Co, country: CN }\nitems:\n  - { id: h100, name: H100, tpp: 15832, die_area_mm2: 814 }\ntransactions:\n  - { id: T1, order: PO-1, kind: export, date: 2025-02-10, item: h100, from: us, to: cn }\n  - { id: T2, order: PO-1, kind: export, date: 2025-02-10, item: h100, from: us, to: us }\n  - { id: T3, kind: export, date: 2025-02-10, item: h100, from: us, to: us }\n";
        let file = TransactionFile::from_str("t.yaml", yaml, &Limits::default()).unwrap();
        for n in [0, 1, 2, 3] {
            let reports: Vec<_> = rules.check(&file, None).into_iter().take(n).collect();
            let whole = render(&Report::new(&rules, &reports));
            let mut stream = Stream::default();
            let mut text = Stream::head(&rules);
            for r in &reports {
                text.push_str(&stream.transaction(r));
            }
            text.push_str(&stream.tail());
            assert_eq!(text, whole, "{n} transactions");
            let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
            let orders = parsed["orders"].as_array().unwrap();
            assert_eq!(orders.len(), usize::from(n > 0), "{n} transactions");
            if n >= 2 {
                assert_eq!(orders[0]["id"], "PO-1");
                assert_eq!(orders[0]["lines"], 2);
                assert_eq!(orders[0]["verdict"], "license_required");
                assert_eq!(orders[0]["counts"]["license_required"], 1);
            }
        }
    }
}
