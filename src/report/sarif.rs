//! SARIF 2.1.0 (`--format sarif`), for code-scanning dashboards: one result per finding, its
//! `ruleId` the rule's id, located at the transaction's entry in the YAML file with the facts
//! it used as related locations, and a `partialFingerprints` entry that depends on the file,
//! the transaction and the rule only, so a finding keeps its identity when lines move.
//!
//! Outcomes map to SARIF as: `prohibited`, `license_required` and `indeterminate` → kind
//! `fail`, level `error` (all three block, and "indeterminate" is never clearance); `warning`
//! → `fail`/`warning`; a finding lifted by an authorization on file (`allowed`) →
//! `pass`/`none` (the SARIF rule: any kind but `fail` has level `none`).
//!
//! The types come from `serde-sarif`, generated from the OASIS schema; the test suite
//! validates the output against that schema (tests/schemas/sarif-schema-2.1.0.json).

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, LogicalLocation, Message, MultiformatMessageString,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::sha256;
use crate::finding::{Finding, TransactionReport, Verdict};
use crate::ir::RuleSet;

/// The `$schema` every SARIF consumer recognises.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`; bump the version if its inputs change.
pub const FINGERPRINT_KEY: &str = "chipgateFinding/v1";

pub fn render(rules: &RuleSet, reports: &[TransactionReport]) -> String {
    let log = log(rules, reports);
    serde_json::to_string_pretty(&log).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// The SARIF log of one run.
pub fn log(rules: &RuleSet, reports: &[TransactionReport]) -> Sarif {
    let summaries = rules.rule_summaries();
    let descriptors: Vec<ReportingDescriptor> = summaries
        .iter()
        .map(|r| {
            let mut props = BTreeMap::new();
            props.insert("citation".to_string(), json!(r.citation));
            props.insert("effective".to_string(), json!(r.effective));
            props.insert("outcome".to_string(), json!(r.outcome));
            if let Some(law) = &r.law {
                props.insert("law".to_string(), json!(law));
            }
            let mut full = r.title.clone();
            if !r.citation.is_empty() {
                full.push_str(&format!(" ({})", r.citation.join("; ")));
            }
            for note in &r.notes {
                full.push_str(&format!(". Note: {note}"));
            }
            ReportingDescriptor::builder()
                .id(r.id.clone())
                .short_description(
                    MultiformatMessageString::builder()
                        .text(r.title.clone())
                        .build(),
                )
                .full_description(MultiformatMessageString::builder().text(full).build())
                .default_configuration(
                    ReportingConfiguration::builder()
                        .level(json!(level(r.outcome).1))
                        .build(),
                )
                .properties(PropertyBag::builder().additional_properties(props).build())
                .build()
        })
        .collect();
    let mut results = Vec::new();
    for tx in reports {
        for f in &tx.findings {
            let index = summaries.iter().position(|r| r.id == f.rule);
            results.push(result(tx, f, index));
        }
    }
    let mut run_props = BTreeMap::new();
    run_props.insert("rulesetDigest".to_string(), json!(rules.digest()));
    run_props.insert("rules".to_string(), json!(rules.rule_count()));
    run_props.insert("transactions".to_string(), json!(reports.len()));
    let orders = super::orders::Orders::of(reports);
    if !orders.is_empty() {
        run_props.insert("orders".to_string(), json!(orders.list()));
    }
    let driver = ToolComponent::builder()
        .name("chipgate")
        .full_name(format!("chipgate {}", crate::VERSION))
        .version(crate::VERSION)
        .semantic_version(crate::VERSION)
        .rules(descriptors)
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .properties(
            PropertyBag::builder()
                .additional_properties(run_props)
                .build(),
        )
        .build();
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build()
}

fn level(outcome: Verdict) -> (ResultKind, &'static str) {
    match outcome {
        Verdict::Prohibited | Verdict::LicenseRequired | Verdict::Indeterminate => {
            (ResultKind::Fail, "error")
        }
        Verdict::Warning => (ResultKind::Fail, "warning"),
        Verdict::Allowed => (ResultKind::Pass, "none"),
    }
}

fn result(tx: &TransactionReport, f: &Finding, rule_index: Option<usize>) -> SarifResult {
    let (kind, lvl) = level(f.outcome);
    let result_level = match lvl {
        "error" => ResultLevel::Error,
        "warning" => ResultLevel::Warning,
        _ => ResultLevel::None,
    };
    let (line, column) = super::position(tx);
    // Sentences, so a viewer that shows only the first one still shows the finding.
    let mut sentences = vec![format!("{} {}: {}", tx.id, f.outcome, f.message)];
    if !f.missing.is_empty() {
        sentences.push(format!("Missing facts: {}", f.missing.join("; ")));
    }
    for r in &f.remedies {
        sentences.push(format!("To comply: {}", r.text));
    }
    if let Some(h) = &f.help {
        sentences.push(format!("To comply: {h}"));
    }
    let text = sentences
        .iter()
        .map(|s| s.trim_end_matches('.').to_string() + ".")
        .collect::<Vec<_>>()
        .join(" ");
    let logical = LogicalLocation::builder()
        .name(tx.id.clone())
        .fully_qualified_name(format!("{}#{}", tx.file, tx.id))
        .kind("object")
        .build();
    let mut primary = Location::builder().logical_locations(vec![logical]).build();
    primary.physical_location = physical(&tx.file, line, column);
    let related: Vec<Location> = f
        .facts
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let mut loc = Location::builder()
                .id(i64::try_from(i).unwrap_or(i64::MAX))
                .message(Message::builder().text(e.about.clone()).build())
                .build();
            loc.physical_location = physical(&tx.file, e.line, e.column);
            loc.physical_location.is_some().then_some(loc)
        })
        .collect();
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(
        FINGERPRINT_KEY.to_string(),
        sha256(format!("{}\0{}\0{}", tx.file, tx.id, f.rule).as_bytes()),
    );
    let mut props = BTreeMap::new();
    props.insert("transaction".to_string(), json!(tx.id));
    props.insert("date".to_string(), json!(tx.date));
    if let Some(d) = tx.as_of {
        props.insert("asOf".to_string(), json!(d));
    }
    props.insert("outcome".to_string(), json!(f.outcome));
    props.insert("verdict".to_string(), json!(tx.verdict));
    props.insert("citation".to_string(), json!(f.citation));
    props.insert("explanation".to_string(), json!(f.explanation));
    if let Some(p) = &f.policy {
        props.insert("policy".to_string(), json!(p));
    }
    if !f.missing.is_empty() {
        props.insert("missing".to_string(), json!(f.missing));
    }
    if !f.remedies.is_empty() {
        props.insert("remedies".to_string(), json!(f.remedies));
    }
    if !f.witness.is_empty() {
        props.insert("witness".to_string(), json!(f.witness));
    }
    if let Some(order) = &tx.order {
        props.insert("order".to_string(), json!(order));
    }
    let mut r = SarifResult::builder()
        .rule_id(f.rule.clone())
        .kind(kind)
        .level(result_level)
        .message(Message::builder().text(text).build())
        .locations(vec![primary])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    if let Some(i) = rule_index.and_then(|i| i64::try_from(i).ok()) {
        r.rule_index = Some(i);
    }
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    r
}

/// A location in a file, or none for standard input (which has no URI).
fn physical(file: &str, line: usize, column: usize) -> Option<PhysicalLocation> {
    if file == "<stdin>" || file.is_empty() {
        return None;
    }
    let region = Region::builder()
        .start_line(i64::try_from(line.max(1)).unwrap_or(1))
        .start_column(i64::try_from(column.max(1)).unwrap_or(1))
        .build();
    Some(
        PhysicalLocation::builder()
            .artifact_location(ArtifactLocation::builder().uri(uri_reference(file)).build())
            .region(region)
            .build(),
    )
}

/// A file path as a URI reference: unreserved characters and `/` kept, the rest
/// percent-encoded (a path with spaces or `#` stays a valid `uri-reference`).
pub fn uri_reference(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value a SARIF consumer sees for a result's `level`, for tests and docs.
pub fn level_word(outcome: Verdict) -> &'static str {
    level(outcome).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri_reference("examples/a b#1.yaml"),
            "examples/a%20b%231.yaml"
        );
        assert_eq!(uri_reference("dir\\x.yaml"), "dir/x.yaml");
        assert_eq!(uri_reference("/abs/é.yaml"), "/abs/%C3%A9.yaml");
    }
}
