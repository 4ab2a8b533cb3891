//! GitHub Actions workflow commands (`--format github`): one annotation per finding,
//! `::error file=…,line=…,col=…,title=…::message`, so findings show on the pull request's
//! changed YAML lines. Blocking outcomes are `error`, red flags `warning`, findings lifted by
//! an authorization on file `notice`. The message carries the reasoning and what would make
//! the transaction compliant (GitHub shows multi-line annotation messages).

use std::fmt::Write as _;

use crate::finding::{TransactionReport, Verdict};
use crate::report::human::finding_help;

/// The annotation level of an outcome.
pub fn level(outcome: Verdict) -> &'static str {
    match outcome {
        Verdict::Prohibited | Verdict::LicenseRequired | Verdict::Indeterminate => "error",
        Verdict::Warning => "warning",
        Verdict::Allowed => "notice",
    }
}

pub fn render(reports: &[TransactionReport]) -> String {
    let orders = super::orders::Orders::of(reports);
    let mut out = String::new();
    for tx in reports {
        let (line, col) = super::position(tx);
        // A line of an order says how the whole order stands.
        let order = tx
            .order
            .as_ref()
            .and_then(|o| orders.get(o))
            .map(|o| {
                let counts: Vec<(Verdict, usize)> = o.counts.nonzero().collect();
                format!(
                    " (a line of order {}: {}, {})",
                    o.id,
                    o.verdict,
                    crate::words::order_counts(o.lines, &counts)
                )
            })
            .unwrap_or_default();
        for f in &tx.findings {
            let message = format!(
                "{}{order} {}: {}\n{}",
                tx.id,
                f.outcome,
                f.message,
                finding_help(f)
            );
            let _ = writeln!(
                out,
                "{}",
                annotation(
                    level(f.outcome),
                    &tx.file,
                    line,
                    col,
                    &format!("{} ({})", f.rule, f.outcome),
                    &message
                )
            );
        }
    }
    out
}

/// One workflow command line, with its properties and message escaped as the Actions
/// toolkit does (`%`, CR and LF everywhere; `:` and `,` in properties too).
pub fn annotation(
    level: &str,
    file: &str,
    line: usize,
    col: usize,
    title: &str,
    message: &str,
) -> String {
    format!(
        "::{level} file={},line={line},col={col},title={}::{}",
        escape_property(file),
        escape_property(title),
        escape_data(message.trim_end())
    )
}

pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_actions_toolkit_does() {
        assert_eq!(
            annotation("error", "a,b:c.yaml", 3, 5, "r (x)", "50% off\nnext"),
            "::error file=a%2Cb%3Ac.yaml,line=3,col=5,title=r (x)::50%25 off%0Anext"
        );
    }
}
