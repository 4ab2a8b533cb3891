//! Orders: transactions that name the same `order` are the lines of one order, judged line by
//! line and summed here. An order's verdict is the most severe of its lines' verdicts; its
//! counts say how many lines got each verdict. Orders are identified by their id across every
//! file of a run (an order exported in two files is one order), and listed in the order of
//! their first line.

use std::collections::HashMap;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::finding::{TransactionReport, Verdict};

/// One order, summed over its lines.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderSummary {
    pub id: String,
    /// The most severe verdict of its lines.
    pub verdict: Verdict,
    /// How many lines (transactions) the order has.
    pub lines: usize,
    /// Lines per verdict, every verdict named (most severe first), zero included.
    pub counts: Counts,
    /// The lines, in the order they were judged.
    pub transactions: Vec<OrderLine>,
}

/// Lines per verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts(pub [usize; 5]);

impl Counts {
    pub fn add(&mut self, v: Verdict) {
        if let Some(n) = Verdict::ALL
            .iter()
            .position(|x| *x == v)
            .and_then(|i| self.0.get_mut(i))
        {
            *n += 1;
        }
    }

    pub fn get(&self, v: Verdict) -> usize {
        Verdict::ALL
            .iter()
            .position(|x| *x == v)
            .and_then(|i| self.0.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// The verdicts with at least one line, most severe first.
    pub fn nonzero(&self) -> impl Iterator<Item = (Verdict, usize)> + '_ {
        Verdict::ALL
            .iter()
            .map(|v| (*v, self.get(*v)))
            .filter(|(_, n)| *n > 0)
    }

    pub fn total(&self) -> usize {
        self.0.iter().sum()
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(Verdict::ALL.len()))?;
        for v in Verdict::ALL {
            m.serialize_entry(v.word(), &self.get(v))?;
        }
        m.end()
    }
}

/// A line of an order: which transaction, in which file, with which verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderLine {
    pub id: String,
    pub file: String,
    pub verdict: Verdict,
}

/// Orders summed as their lines come (in any number of files, streamed or not).
#[derive(Clone, Debug, Default)]
pub struct Orders {
    orders: Vec<OrderSummary>,
    index: HashMap<String, usize>,
}

impl Orders {
    /// The orders of some reports.
    pub fn of(reports: &[TransactionReport]) -> Orders {
        let mut o = Orders::default();
        for r in reports {
            o.add(r);
        }
        o
    }

    /// Counts a transaction as a line of its order (nothing when it names none).
    pub fn add(&mut self, r: &TransactionReport) {
        if let Some(order) = &r.order {
            self.line(order, &r.id, &r.file, r.verdict);
        }
    }

    /// Counts one line of order `order`.
    pub fn line(&mut self, order: &str, id: &str, file: &str, verdict: Verdict) {
        let i = match self.index.get(order) {
            Some(i) => *i,
            None => {
                self.orders.push(OrderSummary {
                    id: order.to_string(),
                    verdict,
                    lines: 0,
                    counts: Counts::default(),
                    transactions: Vec::new(),
                });
                let i = self.orders.len() - 1;
                self.index.insert(order.to_string(), i);
                i
            }
        };
        if let Some(o) = self.orders.get_mut(i) {
            o.verdict = o.verdict.max(verdict);
            o.lines += 1;
            o.counts.add(verdict);
            o.transactions.push(OrderLine {
                id: id.to_string(),
                file: file.to_string(),
                verdict,
            });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.orders.is_empty()
    }

    pub fn list(&self) -> &[OrderSummary] {
        &self.orders
    }

    /// The order named `id`.
    pub fn get(&self, id: &str) -> Option<&OrderSummary> {
        self.index.get(id).and_then(|i| self.orders.get(*i))
    }

    pub fn into_list(self) -> Vec<OrderSummary> {
        self.orders
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_takes_its_most_severe_line_and_counts_every_verdict() {
        let mut o = Orders::default();
        o.line("PO-1", "L1", "a.yaml", Verdict::Warning);
        o.line("PO-2", "X1", "a.yaml", Verdict::Allowed);
        o.line("PO-1", "L2", "a.yaml", Verdict::LicenseRequired);
        o.line("PO-1", "L3", "b.yaml", Verdict::Allowed);
        let list = o.list();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, "PO-1", "listed by first line");
        assert_eq!(list[0].verdict, Verdict::LicenseRequired);
        assert_eq!(list[0].lines, 3);
        assert_eq!(list[0].counts.get(Verdict::Warning), 1);
        assert_eq!(list[0].counts.get(Verdict::LicenseRequired), 1);
        assert_eq!(list[0].counts.get(Verdict::Allowed), 1);
        assert_eq!(list[0].counts.get(Verdict::Prohibited), 0);
        assert_eq!(list[0].counts.total(), 3);
        assert_eq!(list[0].transactions[2].file, "b.yaml");
        assert_eq!(list[1].verdict, Verdict::Allowed);
        let json = serde_json::to_value(&list[0]).unwrap();
        assert_eq!(
            json["counts"],
            serde_json::json!({"prohibited": 0, "license_required": 1, "indeterminate": 0, "warning": 1, "allowed": 1})
        );
    }
}
