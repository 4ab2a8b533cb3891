//! The human report, in two lengths.
//!
//! - Brief (the default of `chipgate check`, [`Brief`]): per transaction its verdict, and per
//!   finding its rule, a one-line reason, the decisive facts with their lines, the citation
//!   and the first remedy; missing facts always; what the verdict relies on, each assumption
//!   told once and then referred to by number. A finding whose rule and outcome were told in
//!   full for an earlier transaction is told again in one line, with its own facts.
//! - Detailed (`--detail`, and `chipgate explain`, [`transaction`]): per finding the verdict
//!   and rule, the transaction file's lines with the facts that mattered underlined, the
//!   rule's lines, and help with the reasoning, citation, review policy and what would make
//!   the transaction compliant. Rendered by miette.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::diag::{Diagnostic, Severity};
use crate::finding::{Finding, TransactionReport, Verdict};
use crate::ir::RuleSet;
use crate::report::orders::{Counts, Orders};
use crate::words;

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
pub fn diagnostic<C: crate::diag::Heading>(d: &Diagnostic<C>, style: Style) -> String {
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
        let _ = writeln!(out, "  {}", words::no_rule_applies(tx.date));
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
        let mut rel = Diagnostic::error(String::new(), format!("facts from {}", src.name()))
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
            String::new(),
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

/// The detailed report of a whole run: every transaction, the orders, the closing line.
pub fn detailed_report(reports: &[TransactionReport], rules: &RuleSet, style: Style) -> String {
    let mut out = String::new();
    for r in reports {
        out.push_str(&transaction(r, rules, style));
    }
    out.push_str(&orders(&Orders::of(reports), style));
    out.push_str(&summary(reports, rules));
    out
}

/// The brief report of a whole run (what `chipgate check` prints by default).
pub fn brief_report(reports: &[TransactionReport], rules: &RuleSet, style: Style) -> String {
    let mut brief = Brief::new(style);
    let mut out = String::new();
    for r in reports {
        out.push_str(&brief.push(Brief::parts(r, style)));
    }
    out.push_str(&brief.tail(rules));
    out
}

/// The orders of a run, each summed over its lines, with the lines that block named.
pub fn orders(orders: &Orders, style: Style) -> String {
    let mut out = String::new();
    for o in orders.list() {
        let counts: Vec<(Verdict, usize)> = o.counts.nonzero().collect();
        out.push_str(&wrap(
            &format!(
                "{} order {} — {}: {}",
                mark(o.verdict, style),
                o.id,
                paint(o.verdict, o.verdict.word(), style),
                words::order_counts(o.lines, &counts)
            ),
            "",
            "    ",
            style.width,
        ));
        let mut blocking = Vec::new();
        for (v, _) in counts.iter().filter(|(v, _)| v.blocks()) {
            let ids: Vec<&str> = o
                .transactions
                .iter()
                .filter(|l| l.verdict == *v)
                .map(|l| l.id.as_str())
                .collect();
            blocking.push(format!("{v}: {}", list_some(&ids, MAX_LISTED)));
        }
        if !blocking.is_empty() {
            out.push_str(&wrap(&blocking.join("; "), "  ", "    ", style.width));
        }
    }
    out
}

/// Ids listed in a line before the rest are counted.
const MAX_LISTED: usize = 12;

fn list_some(ids: &[&str], max: usize) -> String {
    if ids.len() <= max {
        ids.join(", ")
    } else {
        let head = ids.get(..max).unwrap_or(ids).join(", ");
        format!("{head} and {} more", ids.len() - max)
    }
}

/// Text wrapped to `width`, each line indented, never breaking a word (a path or citation
/// stays whole), ending in a line break.
fn wrap(text: &str, first: &str, rest: &str, width: usize) -> String {
    let options = textwrap::Options::new(width.max(40))
        .initial_indent(first)
        .subsequent_indent(rest)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut out = textwrap::fill(text, options);
    out.push('\n');
    out
}

/// The verdict's mark, coloured when the terminal takes colour.
fn mark(v: Verdict, style: Style) -> String {
    paint(v, verdict_mark(v), style)
}

fn paint(v: Verdict, text: &str, style: Style) -> String {
    if !style.color {
        return text.to_string();
    }
    let code = match v {
        Verdict::Prohibited | Verdict::LicenseRequired => "31",
        Verdict::Indeterminate | Verdict::Warning => "33",
        Verdict::Allowed => "32",
    };
    format!("\x1b[1;{code}m{text}\x1b[0m")
}

/// Facts named on a brief line, at most (the rest are counted).
const BRIEF_FACTS: usize = 4;

/// A transaction's brief report in pieces, made on any thread ([`Brief::parts`]); a
/// [`Brief`] puts them in sequence.
#[derive(Clone, Debug)]
pub struct BriefParts {
    id: String,
    file: String,
    order: Option<String>,
    verdict: Verdict,
    /// "✖ T1 — license_required on 2025-06-10 (line 32)".
    head: String,
    /// What stands in for findings: a check stopped at the step limit.
    stopped: Option<String>,
    findings: Vec<BriefFinding>,
    /// Each assumption with the digest it is known by.
    assumptions: Vec<(Key, String)>,
    /// The digest of everything the transaction's report says, less its id and line: two
    /// transactions alike in this are told once.
    signature: Key,
}

/// A SHA-256 digest standing for a text the brief report must recognise when it comes again
/// (a whole transaction's report, an assumption), so that a run of 100,000 transactions keeps
/// 32 bytes per distinct text rather than the text.
type Key = [u8; 32];

fn key(text: &str) -> Key {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).into()
}

#[derive(Clone, Debug)]
struct BriefFinding {
    /// Rule, outcome and codified outcome: findings alike in these are told in full once.
    key: String,
    rule: String,
    /// "✖ us.ear.x — license_required".
    title: String,
    /// The one-line reason.
    reason: String,
    /// The decisive facts with their lines, and how many more there are.
    facts: Vec<String>,
    more_facts: usize,
    cited: String,
    /// The first remedy, with how many more there are.
    remedy: Option<String>,
    /// The missing facts, always told (never read as clearance).
    missing: Vec<String>,
}

/// Where a finding was told in full, and what it said.
#[derive(Clone)]
struct Told {
    id: String,
    facts: Vec<String>,
    remedy: Option<String>,
}

/// The brief report of a run, transaction by transaction, in order. Transactions are grouped
/// under their file and order; each file's part stands on its own. A finding is told in full the first time its rule and outcome
/// appear, and after that in one line naming only the facts that differ; a transaction whose
/// whole report repeats an earlier one's is told in one line; each assumption is told once,
/// numbered, and referred to by its number after that.
#[derive(Clone)]
pub struct Brief {
    style: Style,
    told: HashMap<String, Told>,
    same: HashMap<Key, String>,
    notes: HashMap<Key, usize>,
    group: Option<(String, Option<String>)>,
    orders: Orders,
    counts: Counts,
}

impl Brief {
    pub fn new(style: Style) -> Brief {
        Brief {
            style,
            told: HashMap::new(),
            same: HashMap::new(),
            notes: HashMap::new(),
            group: None,
            orders: Orders::default(),
            counts: Counts::default(),
        }
    }

    /// The pieces of one transaction's brief report (pure: safe on many threads).
    pub fn parts(tx: &TransactionReport, style: Style) -> BriefParts {
        let (line, _) = super::position(tx);
        let as_of = tx
            .as_of
            .map(|d| format!(" (as of {d})"))
            .unwrap_or_default();
        let head = format!(
            "{} {} — {} on {}{as_of} (line {line})",
            mark(tx.verdict, style),
            tx.id,
            paint(tx.verdict, tx.verdict.word(), style),
            tx.date,
        );
        let stopped = tx.stopped.as_ref().map(|s| {
            let (what, help) = words::stopped(&tx.id, s);
            wrap(&what, "  ", "    ", style.width)
                + &wrap(&format!("help: {help}"), "  ", "    ", style.width)
        });
        let findings: Vec<BriefFinding> = tx
            .findings
            .iter()
            .map(|f| {
                let (facts, more_facts) = decisive_facts(f);
                BriefFinding {
                    key: format!(
                        "{}\0{}\0{}",
                        f.rule,
                        f.outcome,
                        f.text_outcome.map(Verdict::word).unwrap_or("")
                    ),
                    rule: f.rule.clone(),
                    title: format!(
                        "{} {} — {}{}",
                        mark(f.outcome, style),
                        f.rule,
                        paint(f.outcome, f.outcome.word(), style),
                        if f.outcome == Verdict::Allowed {
                            words::lifted()
                        } else {
                            ""
                        }
                    ),
                    reason: f.message.clone(),
                    facts,
                    more_facts,
                    cited: f.citation.join("; "),
                    remedy: first_remedy(f),
                    missing: f.missing.clone(),
                }
            })
            .collect();
        let assumptions: Vec<(Key, String)> = tx
            .assumptions
            .iter()
            .map(|a| (key(&a.text), a.text.clone()))
            .collect();
        let mut signature = format!("{}\0{}\0{}\0{:?}\0", tx.file, tx.verdict, tx.date, stopped);
        for f in &findings {
            let _ = write!(
                signature,
                "{}\0{}\0{:?}\0{}\0{:?}\0{:?}\0",
                f.key, f.reason, f.facts, f.more_facts, f.remedy, f.missing
            );
        }
        for (_, a) in &assumptions {
            signature.push_str(a);
            signature.push('\0');
        }
        let signature = key(&signature);
        BriefParts {
            id: tx.id.clone(),
            file: tx.file.clone(),
            order: tx.order.clone(),
            verdict: tx.verdict,
            head,
            stopped,
            findings,
            assumptions,
            signature,
        }
    }

    /// The next transaction's text.
    pub fn push(&mut self, p: BriefParts) -> String {
        let width = self.style.width;
        self.counts.add(p.verdict);
        if let Some(order) = &p.order {
            self.orders.line(order, &p.id, &p.file, p.verdict);
        }
        let mut out = String::new();
        let group = (p.file.clone(), p.order.clone());
        // Each file's part stands on its own: what it refers back to is in it.
        if self.group.as_ref().map(|(f, _)| f) != Some(&p.file) {
            self.told.clear();
            self.same.clear();
            self.notes.clear();
        }
        if self.group.as_ref() != Some(&group) {
            let _ = match &p.order {
                Some(o) => writeln!(out, "{} — order {o}", p.file),
                None => writeln!(out, "{}", p.file),
            };
            self.group = Some(group);
        }
        let (refs, new) = self.assumptions(p.assumptions);
        let relies = if refs.is_empty() {
            String::new()
        } else {
            format!(", relies on {refs}")
        };
        // A transaction that misses facts tells them itself, never only "as for" another.
        let missing_facts = p.findings.iter().any(|f| !f.missing.is_empty());
        if let Some(first) = self.same.get(&p.signature).filter(|_| !missing_facts) {
            let rules: Vec<&str> = p.findings.iter().map(|f| f.rule.as_str()).collect();
            let what = if rules.is_empty() {
                words::as_for(first)
            } else {
                format!("{} ({})", words::as_for(first), rules.join(", "))
            };
            out.push_str(&wrap(
                &format!("{}: {what}{relies}", p.head),
                "",
                "    ",
                width,
            ));
            return out;
        }
        self.same.insert(p.signature, p.id.clone());
        if p.findings.is_empty() && p.stopped.is_none() {
            out.push_str(&wrap(
                &format!("{}: {}{relies}", p.head, words::no_rule_applies_briefly()),
                "",
                "    ",
                width,
            ));
        } else {
            out.push_str(&wrap(&format!("{}{relies}", p.head), "", "    ", width));
        }
        if let Some(stopped) = &p.stopped {
            out.push_str(stopped);
        }
        let mut missing = HashSet::new();
        for f in p.findings {
            self.finding(&mut out, f, &p.id, &mut missing);
        }
        for (n, t) in new {
            let label = format!("[{n}] ");
            let indent = " ".repeat(2 + label.chars().count());
            out.push_str(&wrap(&format!("{label}{t}"), "  ", &indent, width));
        }
        out
    }

    /// One finding; `missing` holds the missing facts the transaction has told already (each
    /// is told once per transaction, however many findings lack it).
    fn finding(
        &mut self,
        out: &mut String,
        f: BriefFinding,
        id: &str,
        missing: &mut HashSet<String>,
    ) {
        let width = self.style.width;
        let line = |out: &mut String, label: &str, text: &str| {
            out.push_str(&wrap(&format!("{label}: {text}"), "    ", "      ", width));
        };
        if let Some(told) = self.told.get(&f.key) {
            let mut text = format!("  {} {}", f.title, words::as_for(&told.id));
            let differ: Vec<&str> = f
                .facts
                .iter()
                .filter(|x| !told.facts.contains(x))
                .map(String::as_str)
                .collect();
            if !differ.is_empty() {
                let _ = write!(text, ", with {}", differ.join("; "));
            }
            if f.more_facts > 0 {
                let _ = write!(text, "; {}", words::more_facts(f.more_facts));
            }
            out.push_str(&wrap(&text, "", "      ", width));
            for m in f.missing.iter().filter(|m| missing.insert(m.to_string())) {
                line(out, "missing", m);
            }
            if f.remedy != told.remedy {
                if let Some(r) = &f.remedy {
                    line(out, "to comply", r);
                }
            }
            return;
        }
        out.push_str(&wrap(
            &format!("  {}: {}", f.title, f.reason),
            "",
            "    ",
            width,
        ));
        if !f.facts.is_empty() {
            let mut facts = f.facts.join("; ");
            if f.more_facts > 0 {
                let _ = write!(facts, "; {}", words::more_facts(f.more_facts));
            }
            line(out, "facts", &facts);
        }
        for m in f.missing.iter().filter(|m| missing.insert(m.to_string())) {
            line(out, "missing", m);
        }
        if !f.cited.is_empty() {
            line(out, "cited", &f.cited);
        }
        if let Some(r) = &f.remedy {
            line(out, "to comply", r);
        }
        self.told.insert(
            f.key,
            Told {
                id: id.to_string(),
                facts: f.facts,
                remedy: f.remedy,
            },
        );
    }

    /// The numbers of a transaction's assumptions ("[1]-[3], [5]"), and those not told
    /// before, numbered, to be told in full.
    fn assumptions(&mut self, texts: Vec<(Key, String)>) -> (String, Vec<(usize, String)>) {
        let mut all = Vec::new();
        let mut new = Vec::new();
        for (k, t) in texts {
            match self.notes.get(&k) {
                Some(n) => all.push(*n),
                None => {
                    let n = self.notes.len() + 1;
                    self.notes.insert(k, n);
                    all.push(n);
                    new.push((n, t));
                }
            }
        }
        all.sort_unstable();
        all.dedup();
        (numbers(&all), new)
    }

    /// The orders, the closing line and where the full reasoning is.
    pub fn tail(&self, rules: &RuleSet) -> String {
        let mut out = orders(&self.orders, self.style);
        let tally: Vec<(Verdict, usize)> = self.counts.nonzero().collect();
        out.push_str(&summary_of(&tally, self.counts.total(), rules));
        if self.counts.total() > 0 {
            out.push_str(&wrap(words::detail_hint(), "", "  ", self.style.width));
        }
        out
    }
}

/// A finding's first remedy, and how many more ways to comply `--detail` tells.
fn first_remedy(f: &Finding) -> Option<String> {
    let first = f
        .remedies
        .first()
        .map(|r| r.text.clone())
        .or_else(|| f.help.clone())?;
    let more = f.remedies.len() + usize::from(f.help.is_some()) - 1;
    Some(if more > 0 {
        format!("{first}; {}", words::more_remedies(more))
    } else {
        first
    })
}

/// "[1]-[3], [5]".
fn numbers(ns: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(&start) = ns.get(i) {
        let mut end = start;
        while ns.get(i + 1) == Some(&(end + 1)) {
            end += 1;
            i += 1;
        }
        parts.push(if end == start {
            format!("[{start}]")
        } else {
            format!("[{start}]-[{end}]")
        });
        i += 1;
    }
    parts.join(", ")
}

/// The facts that decided a finding, with their lines: those it points at, less the entry
/// ids that stand for a key the file leaves out (told in the missing facts and assumptions);
/// at most [`BRIEF_FACTS`], and how many more.
fn decisive_facts(f: &Finding) -> (Vec<String>, usize) {
    let mut seen: Vec<&str> = Vec::new();
    let mut told = Vec::new();
    let mut more = 0;
    for e in &f.facts {
        if e.fact.ends_with(".id") || seen.contains(&e.about.as_str()) {
            continue;
        }
        seen.push(&e.about);
        if told.len() < BRIEF_FACTS {
            told.push(words::fact_at(&e.about, e.line));
        } else {
            more += 1;
        }
    }
    (told, more)
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
