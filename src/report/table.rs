//! `--format table`: one line per transaction — its id, date, verdict, the rules that decided
//! it and the first thing that would make it compliant (for an indeterminate transaction, the
//! first missing fact) — aligned in columns, then one line per order and the counts. Every
//! line fits the width (100 columns by default): a cell too long for its column is cut with
//! an ellipsis, never wrapped.

use std::fmt::Write as _;

use crate::finding::{TransactionReport, Verdict};
use crate::ir::RuleSet;
use crate::report::orders::Orders;

/// The narrowest width the table lays out for; below it lines are cut at this width.
const MIN_WIDTH: usize = 60;
/// The widest an id or order column grows before its cells are cut.
const MAX_ID: usize = 18;
const GAP: &str = "  ";

/// The table of a run. Rows are grouped under their file and order (a heading line each time
/// either changes), so neither takes a column.
pub fn render(rules: &RuleSet, reports: &[TransactionReport], width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let rows: Vec<Row> = reports.iter().map(Row::of).collect();
    let id_w = column("ID", rows.iter().map(|r| r.id.as_str()));
    let verdict_w = Verdict::ALL
        .iter()
        .map(|v| v.word().len())
        .max()
        .unwrap_or(16);
    // mark, id, date, verdict: fixed; rules and remedy share the rest.
    let fixed = 2 + id_w + GAP.len() + 10 + GAP.len() + verdict_w + GAP.len();
    let rest = width.saturating_sub(fixed + GAP.len()).max(20);
    let rules_needed = rows
        .iter()
        .map(|r| r.rules.iter().map(|x| x.chars().count()).max().unwrap_or(1) + 3)
        .max()
        .unwrap_or(0)
        .max("RULES".len());
    let rules_w = rules_needed.min(rest * 11 / 20);
    let remedy_w = rest - rules_w;

    let mut out = String::new();
    line(
        &mut out,
        " ",
        &[
            ("ID", id_w),
            ("DATE", 10),
            ("VERDICT", verdict_w),
            ("RULES", rules_w),
            ("FIRST REMEDY", remedy_w),
        ],
    );
    let mut group: Option<(&str, Option<&str>)> = None;
    for (r, row) in reports.iter().zip(&rows) {
        let this = (r.file.as_str(), r.order.as_deref());
        if group != Some(this) {
            let heading = match this.1 {
                Some(o) => format!("{} — order {o}", this.0),
                None => this.0.to_string(),
            };
            let _ = writeln!(out, "{}", cut(&heading, width));
            group = Some(this);
        }
        let date = r.date.to_string();
        let rules_cell = fit_list(&row.rules, rules_w);
        line(
            &mut out,
            mark(r.verdict),
            &[
                (row.id.as_str(), id_w),
                (date.as_str(), 10),
                (r.verdict.word(), verdict_w),
                (rules_cell.as_str(), rules_w),
                (row.remedy.as_str(), remedy_w),
            ],
        );
    }
    let orders = Orders::of(reports);
    if !orders.is_empty() {
        out.push('\n');
        let order_w = column("ORDER", orders.list().iter().map(|o| o.id.as_str()));
        let counts_w = width.saturating_sub(2 + order_w + verdict_w + 5 + 3 * GAP.len());
        line(
            &mut out,
            " ",
            &[
                ("ORDER", order_w),
                ("VERDICT", verdict_w),
                ("LINES", 5),
                ("PER VERDICT", counts_w),
            ],
        );
        for o in orders.list() {
            let counts: Vec<String> = o
                .counts
                .nonzero()
                .map(|(v, n)| format!("{n} {v}"))
                .collect();
            let lines = format!("{:>5}", o.lines);
            let counts = counts.join(", ");
            line(
                &mut out,
                mark(o.verdict),
                &[
                    (o.id.as_str(), order_w),
                    (o.verdict.word(), verdict_w),
                    (lines.as_str(), 5),
                    (counts.as_str(), counts_w),
                ],
            );
        }
    }
    out.push('\n');
    let counts: Vec<String> = super::tally(reports)
        .iter()
        .map(|(v, n)| format!("{n} {v}"))
        .collect();
    let total = format!(
        "{} transaction{} checked: {}",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        counts.join(", ")
    );
    let _ = writeln!(out, "{}", cut(&total, width));
    let rule_set = format!("rules {} ({} rules)", rules.digest(), rules.rule_count());
    let _ = writeln!(out, "{}", cut(&rule_set, width));
    out
}

/// One line of cells, each padded to its column (the last one not), cut to fit.
fn line(out: &mut String, mark: &str, cells: &[(&str, usize)]) {
    let mut text = format!("{mark} ");
    for (i, (cell, w)) in cells.iter().enumerate() {
        let cell = cut(cell, *w);
        text.push_str(&cell);
        if i + 1 < cells.len() {
            text.push_str(&" ".repeat(w.saturating_sub(cell.chars().count())));
            text.push_str(GAP);
        }
    }
    out.push_str(text.trim_end());
    out.push('\n');
}

/// As many whole names as fit in `width`, then how many more: "a, b +2". A single name too
/// long for the column is cut with an ellipsis.
fn fit_list(names: &[String], width: usize) -> String {
    let Some(first) = names.first() else {
        return "—".into();
    };
    let mut text = first.clone();
    let mut shown = 1;
    for n in names.iter().skip(1) {
        let left = names.len() - shown - 1;
        let tail = if left > 0 {
            format!(" +{left}")
        } else {
            String::new()
        };
        let candidate = format!("{text}, {n}");
        if candidate.chars().count() + tail.chars().count() > width {
            break;
        }
        text = candidate;
        shown += 1;
    }
    let left = names.len() - shown;
    if left == 0 {
        return cut(&text, width);
    }
    let tail = format!(" +{left}");
    let room = width.saturating_sub(tail.chars().count());
    format!("{}{tail}", cut(&text, room))
}

/// A column as wide as its widest cell (or heading), up to [`MAX_ID`].
fn column<'a>(heading: &str, cells: impl Iterator<Item = &'a str>) -> usize {
    cells
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0)
        .max(heading.len())
        .min(MAX_ID)
}

/// A transaction's cells.
struct Row {
    id: String,
    /// The rules that decided the verdict (or, for one that authorizations lifted, the rules
    /// that found something), most severe first.
    rules: Vec<String>,
    remedy: String,
}

impl Row {
    fn of(r: &TransactionReport) -> Row {
        let mut rules: Vec<String> = r.determining_rules().map(str::to_string).collect();
        if rules.is_empty() {
            rules = r.findings.iter().map(|f| f.rule.clone()).collect();
        }
        Row {
            id: r.id.clone(),
            rules,
            remedy: first_remedy(r),
        }
    }
}

/// What the table says would make the transaction compliant: for an indeterminate one its
/// first missing fact, else the first remedy of its most severe finding that has one.
fn first_remedy(r: &TransactionReport) -> String {
    if r.stopped.is_some() {
        return "checking stopped at the step limit: raise --max-steps-per-transaction".into();
    }
    if r.verdict == Verdict::Indeterminate {
        if let Some(m) = r
            .findings
            .iter()
            .filter(|f| f.outcome == Verdict::Indeterminate)
            .find_map(|f| f.missing.first())
        {
            return format!("missing: {m}");
        }
    }
    r.findings
        .iter()
        .filter(|f| f.outcome != Verdict::Allowed)
        .find_map(|f| {
            f.remedies
                .first()
                .map(|x| x.text.clone())
                .or_else(|| f.help.clone())
        })
        .unwrap_or_else(|| "—".into())
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Prohibited | Verdict::LicenseRequired => "✖",
        Verdict::Indeterminate => "?",
        Verdict::Warning => "⚠",
        Verdict::Allowed => "✔",
    }
}

/// `text` in at most `width` characters, cut with an ellipsis.
pub fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = text.chars().take(width.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_cut_with_an_ellipsis() {
        assert_eq!(cut("abcdef", 6), "abcdef");
        assert_eq!(cut("abcdefg", 6), "abcde…");
        assert_eq!(cut("abc", 1), "…");
        assert_eq!(cut("abc", 0), "");
    }

    #[test]
    fn lists_keep_whole_names_and_count_the_rest() {
        let names: Vec<String> = ["us.ear.hq-rule", "us.ear.ai-diffusion.worldwide", "x.y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            fit_list(&names, 80),
            "us.ear.hq-rule, us.ear.ai-diffusion.worldwide, x.y"
        );
        assert_eq!(fit_list(&names, 30), "us.ear.hq-rule +2");
        assert_eq!(fit_list(&names[1..2], 20), "us.ear.ai-diffusion…");
        assert_eq!(fit_list(&[], 20), "—");
        for w in 1..60 {
            assert!(fit_list(&names, w).chars().count() <= w.max(3), "{w}");
        }
    }
}
