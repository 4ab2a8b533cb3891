//! `--format html`: a review record, one self-contained page to read on screen, print, sign
//! and file. No network resources and no script: the styles are inline, the pictures are SVG
//! drawn by [`super::svg`]. One section per transaction: its verdict, its findings with their
//! citations, reasoning and remedies, the facts used with their file and line, what the
//! verdict relies on, the ownership and route picture, and fields for the reviewer's
//! decision and sign-off. The head names the engine version, the rule set's digest and each
//! input file's digest, so a filed record can be matched to what produced it. Every text
//! that comes from a file is escaped.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::facts::TransactionFile;
use crate::finding::{Finding, TransactionReport};
use crate::ir::RuleSet;
use crate::report::orders::Orders;
use crate::report::svg::{esc, picture};
use crate::report::InputDigests;
use crate::words;

const STYLE: &str = r#"
:root { --ink: #1f2933; --muted: #52606d; --line: #cbd2d9; --red: #b71c1c; --amber: #8a5a00; --green: #1b5e20; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 0 0 .4rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.date, td.nowrap { white-space: nowrap; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .92em; }
.meta { color: var(--muted); }
.verdict { display: inline-block; padding: .05rem .5rem; border-radius: .3rem; font-weight: 700; border: 1.5px solid; }
.v-prohibited, .v-license_required { color: var(--red); }
.v-indeterminate, .v-warning { color: var(--amber); }
.v-allowed { color: var(--green); }
section.tx { border-top: 3px solid var(--ink); margin-top: 2rem; padding-top: 1rem; }
.finding { border-left: 4px solid var(--line); padding: .2rem 0 .2rem .8rem; margin: .8rem 0; }
.finding.o-prohibited, .finding.o-license_required { border-color: var(--red); }
.finding.o-indeterminate, .finding.o-warning { border-color: #e0a800; }
.finding.o-allowed { border-color: var(--green); }
.finding ol { margin: .2rem 0; padding-left: 1.4rem; }
.missing { color: var(--amber); font-weight: 600; }
.picture { max-width: 100%; height: auto; display: block; margin: .4rem 0; }
.caption { color: var(--muted); font-size: .9em; margin: .2rem 0; }
fieldset.review { border: 1.5px solid var(--ink); border-radius: .4rem; margin-top: 1.2rem; padding: .6rem 1rem 1rem; }
fieldset.review legend { font-weight: 700; padding: 0 .3rem; }
.review label { display: block; margin: .35rem 0; }
.review .choices label { display: inline-block; margin-right: 1.2rem; }
.review input[type=text], .review textarea { width: 100%; font: inherit; border: 0; border-bottom: 1px solid var(--ink); background: transparent; padding: .2rem 0; }
.review textarea { border: 1px solid var(--ink); min-height: 5rem; }
.sign { display: grid; grid-template-columns: 2fr 1fr; gap: 1rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  section.tx { break-before: page; border-top: 0; }
  .finding, fieldset.review, .picture { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The review record of a run: `files` are the transaction files the reports came from (for
/// the pictures; a report whose file is not among them is recorded without one).
pub fn render(rules: &RuleSet, files: &[TransactionFile], reports: &[TransactionReport]) -> String {
    let mut out = String::with_capacity(4096 + reports.len() * 4096);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<title>chipgate review record</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");

    // Provenance: engine, rules, inputs.
    out.push_str("<header>\n<h1>Export-control review record</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"meta\">Judged by chipgate {} against rule set <code>{}</code> ({} rules). Each transaction below is to be reviewed and signed off on its own.</p>",
        esc(crate::VERSION),
        esc(rules.digest()),
        rules.rule_count()
    );
    let mut digests = InputDigests::default();
    let mut inputs: Vec<(String, String, usize)> = Vec::new();
    for r in reports {
        match inputs.iter_mut().find(|(f, _, _)| *f == r.file) {
            Some((_, _, n)) => *n += 1,
            None => inputs.push((r.file.clone(), digests.of(r), 1)),
        }
    }
    out.push_str("<table class=\"inputs\">\n<tr><th>input file</th><th>sha256 of its bytes</th><th>transactions</th></tr>\n");
    for (file, digest, n) in &inputs {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{n}</td></tr>",
            esc(file),
            esc(digest)
        );
    }
    out.push_str("</table>\n");

    // The run at a glance.
    let tally = super::tally(reports);
    let counts: Vec<String> = tally
        .iter()
        .map(|(v, n)| format!("<span class=\"v-{v}\">{n} {v}</span>"))
        .collect();
    let _ = writeln!(
        out,
        "<p><strong>{} transaction{} checked:</strong> {}</p>",
        reports.len(),
        if reports.len() == 1 { "" } else { "s" },
        counts.join(", ")
    );
    let orders = Orders::of(reports);
    if !orders.is_empty() {
        out.push_str("<h3>Orders</h3>\n<table class=\"orders\">\n<tr><th>order</th><th>verdict</th><th>lines</th><th>per verdict</th></tr>\n");
        for o in orders.list() {
            let per: Vec<String> = o
                .counts
                .nonzero()
                .map(|(v, n)| format!("{n} {v}"))
                .collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"v-{}\"><strong>{}</strong></td><td>{}</td><td>{}</td></tr>",
                esc(&o.id),
                o.verdict,
                o.verdict,
                o.lines,
                esc(&per.join(", "))
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("<h3>Transactions</h3>\n<table class=\"index\">\n<tr><th>transaction</th><th>file</th><th>date</th><th>verdict</th><th>rules</th></tr>\n");
    for (i, r) in reports.iter().enumerate() {
        let rules_fired: Vec<&str> = r.determining_rules().collect();
        let order = r
            .order
            .as_ref()
            .map(|o| format!(" <span class=\"meta\">(order {})</span>", esc(o)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td class=\"nowrap\"><a href=\"#tx-{}\">{}</a>{order}</td><td><code>{}</code></td><td class=\"date\">{}</td><td class=\"v-{}\">{}</td><td><code>{}</code></td></tr>",
            i + 1,
            esc(&r.id),
            esc(&r.file),
            r.date,
            r.verdict,
            r.verdict,
            esc(&rules_fired.join(", "))
        );
    }
    out.push_str("</table>\n</header>\n");

    // Sections.
    let by_source: Vec<(&TransactionFile, HashMap<&str, usize>)> = files
        .iter()
        .map(|f| {
            let ids = f
                .transactions
                .iter()
                .enumerate()
                .map(|(i, t)| (t.id.as_str(), i))
                .collect();
            (f, ids)
        })
        .collect();
    for (i, r) in reports.iter().enumerate() {
        let facts = r.source.as_ref().and_then(|s| {
            by_source
                .iter()
                .find(|(f, _)| Arc::ptr_eq(&f.source, s))
                .and_then(|(f, ids)| ids.get(r.id.as_str()).map(|t| (*f, *t)))
        });
        section(&mut out, i + 1, r, facts);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn section(
    out: &mut String,
    n: usize,
    r: &TransactionReport,
    facts: Option<(&TransactionFile, usize)>,
) {
    let (line, _) = super::position(r);
    let _ = writeln!(out, "<section class=\"tx\" id=\"tx-{n}\">");
    let _ = writeln!(
        out,
        "<h2>{} <span class=\"verdict v-{}\">{}</span></h2>",
        esc(&r.id),
        r.verdict,
        r.verdict
    );
    let mut meta = format!("<code>{}:{line}</code> · on {}", esc(&r.file), r.date);
    if let Some(d) = r.as_of {
        let _ = write!(meta, " (judged as of {d})");
    }
    if let Some(o) = &r.order {
        let _ = write!(meta, " · order <strong>{}</strong>", esc(o));
    }
    let _ = writeln!(out, "<p class=\"meta\">{meta}</p>");
    if let Some((f, t)) = facts {
        if let Some(tx) = f.transactions.get(t) {
            let _ = writeln!(out, "<p>{}</p>", esc(&crate::explain::summary(f, tx)));
        }
    }
    if let Some(stopped) = &r.stopped {
        let (what, help) = words::stopped(&r.id, stopped);
        let _ = writeln!(
            out,
            "<p class=\"missing\">{}</p><p>{}</p>",
            esc(&what),
            esc(&help)
        );
    }
    if r.findings.is_empty() && r.stopped.is_none() {
        let _ = writeln!(out, "<p>{}</p>", esc(&words::no_rule_applies(r.date)));
    }
    if !r.findings.is_empty() {
        out.push_str("<h3>Findings</h3>\n");
        for f in &r.findings {
            finding(out, f);
        }
    }

    // The facts used, each once, with where it is.
    let mut used: Vec<(&str, &str, usize)> = Vec::new();
    for f in &r.findings {
        for e in &f.facts {
            if !used.iter().any(|(fact, _, _)| *fact == e.fact) {
                used.push((&e.fact, &e.about, e.line));
            }
        }
    }
    if !used.is_empty() {
        out.push_str("<h3>Facts used</h3>\n<table class=\"facts\">\n<tr><th>fact</th><th>what it says</th><th>where</th></tr>\n");
        for (fact, about, line) in used {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}:{line}</code></td></tr>",
                esc(fact),
                esc(about),
                esc(&r.file)
            );
        }
        out.push_str("</table>\n");
    }
    if !r.assumptions.is_empty() {
        out.push_str("<h3>What the verdict relies on</h3>\n<ul class=\"assumptions\">\n");
        for a in &r.assumptions {
            let rules = if a.rules.is_empty() {
                String::new()
            } else {
                format!(
                    " <span class=\"meta\">[{}]</span>",
                    esc(&a.rules.join(", "))
                )
            };
            let _ = writeln!(out, "<li>{}{rules}</li>", esc(&a.text));
        }
        out.push_str("</ul>\n");
    }
    if let Some((f, t)) = facts {
        if let Some(tx) = f.transactions.get(t) {
            out.push_str("<h3>Ownership and route</h3>\n");
            let g = crate::explain::graph(f, tx, r);
            out.push_str(&picture(&g));
            out.push('\n');
        }
    }
    review(out, n, &r.id);
    out.push_str("</section>\n");
}

fn finding(out: &mut String, f: &Finding) {
    let _ = writeln!(out, "<div class=\"finding o-{}\">", f.outcome);
    let _ = writeln!(
        out,
        "<p><strong class=\"v-{}\">{}</strong> · <code>{}</code> — {}</p>",
        f.outcome,
        f.outcome,
        esc(&f.rule),
        esc(&f.title)
    );
    if f.message != f.title {
        let _ = writeln!(out, "<p>{}</p>", esc(&f.message));
    }
    if !f.missing.is_empty() {
        out.push_str("<p class=\"missing\">Missing facts (never read as clearance):</p><ul>");
        for m in &f.missing {
            let _ = write!(out, "<li>{}</li>", esc(m));
        }
        out.push_str("</ul>\n");
    }
    if !f.explanation.is_empty() {
        out.push_str("<p>Why:</p><ol>");
        for s in &f.explanation {
            let _ = write!(out, "<li>{}</li>", esc(s));
        }
        out.push_str("</ol>\n");
    }
    let mut rows: Vec<(&str, String)> = Vec::new();
    if !f.citation.is_empty() {
        rows.push(("cited", f.citation.join("; ")));
    }
    if let Some(law) = &f.law {
        rows.push(("law", law.clone()));
    }
    if !f.effective.is_empty() {
        rows.push(("in force", f.effective.join(", ")));
    }
    if let Some(text) = f.text_outcome {
        rows.push(("codified text", format!("{text}; enforced: {}", f.outcome)));
    }
    if let Some(p) = &f.policy {
        rows.push(("review policy", p.clone()));
    }
    for note in &f.notes {
        rows.push(("note", note.clone()));
    }
    if !rows.is_empty() {
        out.push_str("<table class=\"about\">");
        for (k, v) in rows {
            let _ = write!(out, "<tr><th>{k}</th><td>{}</td></tr>", esc(&v));
        }
        out.push_str("</table>\n");
    }
    if !f.remedies.is_empty() || f.help.is_some() {
        out.push_str("<p>To comply:</p><ul>");
        for r in &f.remedies {
            let _ = write!(out, "<li>{}</li>", esc(&r.text));
        }
        if let Some(h) = &f.help {
            let _ = write!(out, "<li>{}</li>", esc(h));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</div>\n");
}

/// The reviewer's decision and sign-off: filled in on screen or by hand on paper.
fn review(out: &mut String, n: usize, id: &str) {
    let _ = writeln!(
        out,
        "<fieldset class=\"review\"><legend>Reviewer's decision on {}</legend>",
        esc(id)
    );
    out.push_str("<div class=\"choices\">");
    for (value, label) in [
        ("approve", "approve"),
        ("approve-with-conditions", "approve with conditions"),
        ("hold", "hold for more facts"),
        ("escalate", "escalate"),
        ("reject", "reject"),
    ] {
        let _ = write!(
            out,
            "<label><input type=\"radio\" name=\"decision-{n}\" value=\"{value}\"> {label}</label>"
        );
    }
    out.push_str("</div>\n");
    let _ = writeln!(
        out,
        "<label>Notes<textarea name=\"notes-{n}\" rows=\"4\"></textarea></label>"
    );
    let _ = writeln!(
        out,
        "<div class=\"sign\"><label>Reviewer (name and signature)<input type=\"text\" name=\"reviewer-{n}\"></label><label>Date<input type=\"text\" name=\"date-{n}\" placeholder=\"YYYY-MM-DD\"></label></div>"
    );
    out.push_str("</fieldset>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, RuleSet, TransactionFile};

    #[test]
    fn hostile_text_is_escaped_everywhere() {
        let rules = RuleSet::builtin().unwrap();
        let yaml = "parties:\n  - { id: us, name: \"US <b>Co</b>\", country: US }\n  - { id: cn, name: \"<script>alert('x')</script>\", country: CN }\nitems:\n  - { id: h100, name: \"H100 <img src=x onerror=alert(1)>\", tpp: 15832, die_area_mm2: 814 }\ntransactions:\n  - { id: \"T1<script>\", order: \"PO<1>\", kind: export, date: 2025-02-10, item: h100, from: us, to: cn }\n";
        let file = TransactionFile::from_str("a&b.yaml", yaml, &Limits::default()).unwrap();
        let reports = rules.check(&file, None);
        let html = render(&rules, std::slice::from_ref(&file), &reports);
        assert!(
            !html.contains("<script"),
            "a script element was let through"
        );
        assert!(!html.contains("<img"), "an img element was let through");
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("T1&lt;script&gt;"));
        assert!(html.contains("PO&lt;1&gt;"));
        assert!(html.contains("a&amp;b.yaml"));
        assert!(html.contains("<svg"), "the picture is drawn");
        // No network resources: nothing is fetched from anywhere.
        for tag in [
            "<link", "<iframe", "<object", "<embed", "url(http", "@import",
        ] {
            assert!(!html.contains(tag), "{tag}");
        }
        assert_eq!(
            html.matches("http").count(),
            html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
            "the only address is the SVG namespace"
        );
    }
}
