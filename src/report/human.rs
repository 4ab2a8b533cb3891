//! The human report: per finding the verdict and rule, the transaction file's lines with the
//! facts that mattered underlined, the rule's lines, and help with the reasoning, citation,
//! review policy and what would make the transaction compliant. Rendered by miette.

use std::fmt::Write as _;

use crate::diag::{Diagnostic, Severity};
use crate::finding::{Finding, TransactionReport, Verdict};
use crate::ir::RuleSet;

#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            unicode: true,
            width: 100,
        }
    }
}

fn handler(style: Style) -> miette::GraphicalReportHandler {
    let theme = match (style.unicode, style.color) {
        (true, true) => miette::GraphicalTheme::unicode(),
        (true, false) => miette::GraphicalTheme::unicode_nocolor(),
        (false, _) => miette::GraphicalTheme::none(),
    };
    miette::GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_context_lines(1)
        .with_links(false)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_show_related_as_nested(true)
}

/// Renders a diagnostic (an error in a rule or transaction file).
pub fn diagnostic(d: &Diagnostic, style: Style) -> String {
    let mut out = String::new();
    if handler(style).render_report(&mut out, d).is_err() {
        out = format!("{d}\n");
    }
    out
}

fn severity(v: Verdict) -> Severity {
    match v {
        Verdict::Prohibited | Verdict::LicenseRequired => Severity::Error,
        Verdict::Indeterminate | Verdict::Warning => Severity::Warning,
        Verdict::Allowed => Severity::Advice,
    }
}

/// Renders one transaction's verdict and findings.
pub fn transaction(tx: &TransactionReport, rules: &RuleSet, style: Style) -> String {
    let mut out = String::new();
    let location = tx
        .source
        .as_ref()
        .map(|s| s.location(tx.span))
        .unwrap_or_else(|| tx.file.clone());
    let as_of = tx
        .as_of
        .map(|d| format!(" (as of {d})"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{} {} — {} on {}{as_of}",
        verdict_mark(tx.verdict),
        tx.id,
        tx.verdict,
        tx.date
    );
    let _ = writeln!(out, "  at {location}");
    if let Some(stopped) = &tx.stopped {
        let (what, help) = crate::words::stopped(&tx.id, stopped);
        let _ = writeln!(
            out,
            "\n  {} indeterminate: {what}",
            verdict_mark(Verdict::Indeterminate)
        );
        let _ = writeln!(out, "  help: {help}");
        out.push_str(&assumptions(tx));
        out.push('\n');
        return out;
    }
    if tx.findings.is_empty() {
        let _ = writeln!(
            out,
            "  no rule in the rule set applies to this transaction on {}",
            tx.date
        );
        out.push_str(&assumptions(tx));
        out.push('\n');
        return out;
    }
    for f in &tx.findings {
        out.push_str(&finding(tx, f, rules, style));
    }
    out.push_str(&assumptions(tx));
    out
}

/// What the verdict relies on that the file does not establish, one line each.
fn assumptions(tx: &TransactionReport) -> String {
    let mut out = String::new();
    if tx.assumptions.is_empty() {
        return out;
    }
    let _ = writeln!(out, "  relies on:");
    for a in &tx.assumptions {
        let rules = if a.rules.is_empty() {
            String::new()
        } else {
            format!(" [{}]", a.rules.join(", "))
        };
        let _ = writeln!(out, "    - {}{rules}", a.text);
    }
    out
}

fn verdict_mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Prohibited => "✖",
        Verdict::LicenseRequired => "✖",
        Verdict::Indeterminate => "?",
        Verdict::Warning => "⚠",
        Verdict::Allowed => "✔",
    }
}

/// Underlined facts per finding, at most (the rest are counted in its help).
const MAX_LABELS: usize = 32;

fn finding(tx: &TransactionReport, f: &Finding, rules: &RuleSet, style: Style) -> String {
    let mut message = format!("{}: {}", f.outcome, f.title);
    if f.message != f.title {
        message.push_str(&format!("\n{}", f.message));
    }
    let mut d = Diagnostic::error(f.rule.clone(), message).with_severity(severity(f.outcome));
    let mut unlabelled = 0usize;
    if let Some(source) = &tx.source {
        // miette draws far-apart labels as separate snippets, so one diagnostic carries all.
        let first_line = source.line_span(source.line_col(tx.span.start).0);
        d = d
            .in_file(source)
            .label(first_line, format!("transaction {}", tx.id));
        for e in f.facts.iter().filter(|e| e.source.is_none()) {
            let same_line = source.line_col(e.span.start).0 == source.line_col(first_line.start).0;
            if e.span.is_empty() || same_line || d.labels.iter().any(|l| l.span == e.span) {
                continue;
            }
            // A long ownership path names a fact per link; past a screenful of underlines
            // the drawing says nothing more (and miette's layout grows faster than linearly).
            if d.labels.len() > MAX_LABELS {
                unlabelled += 1;
                continue;
            }
            d = d.label(e.span, e.about.clone());
        }
    }
    // Facts from facts files (`--facts`), underlined in their own file.
    let mut elsewhere: Vec<(
        &std::sync::Arc<crate::source::SourceFile>,
        Vec<&crate::finding::Evidence>,
    )> = Vec::new();
    for e in &f.facts {
        if let Some(src) = &e.source {
            match elsewhere
                .iter_mut()
                .find(|(s, _)| std::sync::Arc::ptr_eq(s, src))
            {
                Some((_, list)) => list.push(e),
                None => elsewhere.push((src, vec![e])),
            }
        }
    }
    for (src, facts) in elsewhere {
        let mut rel = Diagnostic::error("", format!("facts from {}", src.name()))
            .with_severity(Severity::Advice)
            .in_file(src);
        for e in facts.into_iter().take(MAX_LABELS) {
            if !e.span.is_empty() && !rel.labels.iter().any(|l| l.span == e.span) {
                rel = rel.label(e.span, e.about.clone());
            }
        }
        d = d.related(rel);
    }
    // The rule's lines: its declaration and the tests that decided it.
    for (file, spans) in rule_spans(f) {
        let Some(src) = rules.sources().get(usize::from(file)) else {
            continue;
        };
        let mut rel = Diagnostic::error(
            "",
            format!("rule {}: the conditions that decided it", f.rule),
        )
        .with_severity(Severity::Advice)
        .in_file(src);
        if file == f.rule_at.file {
            rel = rel.label(
                src.line_span(src.line_col(f.rule_at.span.start).0),
                format!("rule {}", f.rule),
            );
        }
        for span in spans {
            if !rel.labels.iter().any(|l| l.span == span) {
                rel = rel.label(span, "");
            }
        }
        d = d.related(rel);
    }
    let mut help = finding_help(f);
    if unlabelled > 0 {
        let _ = write!(
            help,
            "\nnote: {unlabelled} more facts used are not underlined above; `--format json` \
             lists every one with its line"
        );
    }
    d.help = Some(help);
    diagnostic(&d, style)
}

/// The rule-file spans a finding's steps came from, by file.
fn rule_spans(f: &Finding) -> Vec<(u16, Vec<crate::source::Span>)> {
    let mut out: Vec<(u16, Vec<crate::source::Span>)> = Vec::new();
    for at in f.rule_spans.iter().take(8) {
        match out.iter_mut().find(|(file, _)| *file == at.file) {
            Some((_, spans)) => spans.push(at.span),
            None => out.push((at.file, vec![at.span])),
        }
    }
    if out.is_empty() {
        out.push((f.rule_at.file, Vec::new()));
    }
    out
}

/// A finding's reasoning, citation, policy and what would make the transaction compliant, as
/// plain text (the `help:` of the human report; also the body of JUnit failures and GitHub
/// annotations).
pub fn finding_help(f: &Finding) -> String {
    let mut h = String::from("why:");
    for (i, step) in f.explanation.iter().enumerate() {
        let _ = write!(h, "\n  {}. {step}", i + 1);
    }
    if !f.missing.is_empty() {
        h.push_str("\nmissing facts (never read as clearance):");
        for m in &f.missing {
            let _ = write!(h, "\n  - {m}");
        }
    }
    if let Some(law) = &f.law {
        let _ = write!(h, "\nlaw: {law}");
    }
    if !f.citation.is_empty() {
        let _ = write!(h, "\ncited: {}", f.citation.join("; "));
    }
    if !f.effective.is_empty() {
        let _ = write!(h, "\nin force: {}", f.effective.join(", "));
    }
    if let Some(text) = f.text_outcome {
        let _ = write!(h, "\ncodified text: {text}; enforced: {}", f.outcome);
    }
    if let Some(p) = &f.policy {
        let _ = write!(h, "\nreview policy: {p}");
    }
    for note in &f.notes {
        let _ = write!(h, "\nnote: {note}");
    }
    if !f.remedies.is_empty() || f.help.is_some() {
        h.push_str("\nto comply:");
        for r in &f.remedies {
            let _ = write!(h, "\n  - {}", r.text);
        }
        if let Some(extra) = &f.help {
            let _ = write!(h, "\n  - {extra}");
        }
    }
    h
}

/// The closing line: counts per verdict and the rule set.
pub fn summary(reports: &[TransactionReport], rules: &RuleSet) -> String {
    summary_of(&super::tally(reports), reports.len(), rules)
}

/// The closing line from counts per verdict (for reports streamed rather than kept).
pub fn summary_of(tally: &[(Verdict, usize)], total: usize, rules: &RuleSet) -> String {
    let counts: Vec<String> = tally
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(v, n)| format!("{n} {v}"))
        .collect();
    let digest = rules.digest();
    let short = digest.get(..19).unwrap_or(digest);
    let short = if short.len() < digest.len() {
        format!("{short}…")
    } else {
        short.to_string()
    };
    format!(
        "{} transaction{} checked: {} (rules {short}, {} rule{})\n",
        total,
        if total == 1 { "" } else { "s" },
        counts.join(", "),
        rules.rule_count(),
        if rules.rule_count() == 1 { "" } else { "s" }
    )
}
