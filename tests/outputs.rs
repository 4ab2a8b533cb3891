//! Each output format of `chipgate check` checked by its consumer: SARIF against the OASIS
//! SARIF 2.1.0 JSON schema (tests/schemas/, vendored from the serde-sarif crate), JUnit read
//! back with a JUnit parser, GitHub annotations against the workflow-command syntax, JSON
//! Lines as replayable decision records. And the counterfactual hints (remedies) in all of
//! them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;
use common::{run, scratch};

const EXAMPLES: &[&str] = &[
    "examples/a100-order-lines.yaml",
    "examples/h800-stockpile.yaml",
    "examples/malaysia-lease.yaml",
    "examples/nac-notification.yaml",
    "examples/sg-subsidiary.yaml",
    "examples/transshipment.yaml",
];

fn check(format: &str, files: &[&str]) -> (i32, String) {
    let mut args = vec!["check", "--format", format];
    args.extend_from_slice(files);
    let (code, stdout, stderr) = run(&args);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    (code, stdout)
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/schemas/sarif-schema-2.1.0.json").unwrap(),
    )
    .unwrap();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let url = "https://example.invalid/sarif-schema-2.1.0.json";
    compiler.add_resource(url, schema).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler.compile(url, &mut schemas).unwrap();

    let (_, out) = check("sarif", EXAMPLES);
    let log: Value = serde_json::from_str(&out).unwrap();
    if let Err(e) = schemas.validate(&log, index) {
        panic!("SARIF output does not validate:\n{e:#}");
    }
    // What code-scanning consumers rely on, beyond the schema.
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "chipgate");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("examples/"));
        assert!(loc["region"]["startLine"].as_u64().unwrap() > 1);
        assert!(r["partialFingerprints"]["chipgateFinding/v1"]
            .as_str()
            .unwrap()
            .starts_with("sha256:"));
        // The SARIF rule: a kind other than `fail` has level `none`.
        if r["kind"] != "fail" {
            assert_eq!(r["level"], "none");
        }
    }
    // An invalid document is rejected, so the check above means something.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(schemas.validate(&broken, index).is_err());
}

/// Fingerprints depend on the file, the transaction and the rule, not on line numbers.
#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let dir = scratch("sarif-fingerprints");
    let file = dir.join("deal.yaml");
    let original = std::fs::read_to_string("examples/sg-subsidiary.yaml").unwrap();
    let path = file.to_str().unwrap();
    let results = |text: &str| -> Vec<(String, u64)> {
        std::fs::write(&file, text).unwrap();
        let (_, out) = check("sarif", &[path]);
        let log: Value = serde_json::from_str(&out).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["chipgateFinding/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect()
    };
    let before = results(&original);
    let after = results(&format!(
        "# reviewed\n# by compliance\n# 2025-02-01\n{original}"
    ));
    assert!(!before.is_empty());
    assert_eq!(before.len(), after.len());
    for ((fb, lb), (fa, la)) in before.iter().zip(&after) {
        assert_eq!(fb, fa, "same finding, same fingerprint");
        assert_eq!(lb + 3, *la, "the location follows the moved lines");
    }
}

#[test]
fn junit_reads_back_with_a_junit_parser() {
    let (_, out) = check("junit", EXAMPLES);
    let suites = junit_parser::from_reader(std::io::Cursor::new(out.as_bytes())).unwrap();
    let (_, json) = check("json", EXAMPLES);
    let report: Value = serde_json::from_str(&json).unwrap();
    let txs = report["transactions"].as_array().unwrap();
    assert_eq!(suites.suites.len(), EXAMPLES.len(), "one suite per file");
    assert_eq!(
        suites.tests as usize,
        txs.len(),
        "one test case per transaction"
    );
    let blocking = txs
        .iter()
        .filter(|t| {
            matches!(
                t["verdict"].as_str().unwrap(),
                "license_required" | "prohibited" | "indeterminate"
            )
        })
        .count();
    assert_eq!(suites.failures as usize, blocking);
    for suite in &suites.suites {
        assert!(EXAMPLES.contains(&suite.name.as_str()));
        assert_eq!(
            suite.properties.hashmap.get("chipgate.ruleset"),
            report["ruleset"]["digest"]
                .as_str()
                .map(str::to_string)
                .as_ref()
        );
        for case in &suite.cases {
            assert!(case.line.unwrap() > 1);
            if case.status.is_failure() {
                let failure = case.status.failure_as_ref();
                assert!(failure.text.contains("why:"), "{}", failure.text);
                assert!(failure.text.contains("to comply:"), "{}", failure.text);
            }
        }
    }
}

#[test]
fn github_annotations_follow_the_workflow_command_syntax() {
    let (_, out) = check("github", EXAMPLES);
    let (_, json) = check("json", EXAMPLES);
    let report: Value = serde_json::from_str(&json).unwrap();
    let findings: usize = report["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["findings"].as_array().unwrap().len())
        .sum();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), findings, "one annotation per finding");
    for line in lines {
        let rest = line.strip_prefix("::").unwrap();
        let (command, rest) = rest.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
        let (properties, message) = rest.split_once("::").unwrap();
        assert!(!message.is_empty());
        let mut keys = Vec::new();
        for p in properties.split(',') {
            let (k, v) = p.split_once('=').unwrap();
            assert!(
                !v.contains(':'),
                "`:` must be escaped in properties: {line}"
            );
            if k == "line" || k == "col" {
                assert!(v.parse::<u32>().unwrap() >= 1);
            }
            keys.push(k);
        }
        assert_eq!(keys, ["file", "line", "col", "title"]);
    }
}

#[test]
fn jsonl_records_can_be_replayed_and_proved() {
    let (_, first) = check("jsonl", EXAMPLES);
    let (_, second) = check("jsonl", EXAMPLES);
    assert_eq!(first, second, "the same input gives the same bytes");
    let (_, json) = check("json", EXAMPLES);
    let report: Value = serde_json::from_str(&json).unwrap();
    let txs = report["transactions"].as_array().unwrap();
    let records: Vec<Value> = first
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), txs.len(), "one record per transaction");
    let mut ids = Vec::new();
    for (rec, tx) in records.iter().zip(txs) {
        assert_eq!(rec["record"], "chipgate.decision/1");
        assert_eq!(rec["engine"]["name"], "chipgate");
        assert_eq!(rec["engine"]["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(rec["ruleset"], report["ruleset"]);
        let file = rec["input"]["file"].as_str().unwrap();
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(
            rec["input"]["digest"],
            format!("sha256:{:x}", Sha256::digest(&bytes)),
            "the input digest is the sha256 of the file's bytes"
        );
        // The record is the JSON report's transaction plus provenance.
        for key in ["id", "file", "date", "verdict", "findings"] {
            assert_eq!(rec[key], tx[key], "{key}");
        }
        ids.push(rec["decision_id"].as_str().unwrap().to_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), records.len(), "decision ids are distinct");
}

/// The counterfactual hint for N1 (a NAC notification, with its deadline) in every format.
#[test]
fn remedies_reach_every_output() {
    let hint = "on or before 2025-02-06";
    let file = "examples/nac-notification.yaml";
    for format in [
        "human --detail",
        "json",
        "sarif",
        "junit",
        "github",
        "jsonl",
        "html",
    ] {
        let mut args: Vec<&str> = format.split(' ').collect();
        args.push(file);
        let (code, out) = check(args[0], &args[1..]);
        assert_eq!(code, 1);
        assert!(
            out.contains(hint),
            "--format {format} lacks the NAC hint:\n{out}"
        );
        assert!(
            out.contains("a license on file would authorize it"),
            "--format {format} lacks the license hint"
        );
    }
    // The brief report tells the first remedy and counts the others.
    let (code, brief) = check("human", &[file]);
    assert_eq!(code, 1);
    assert!(
        brief.contains("a license on file would authorize it"),
        "{brief}"
    );
    assert!(
        brief.contains("1 more way to comply (`--detail`)"),
        "{brief}"
    );
    let (_, table) = check("table", &[file]);
    assert!(table.contains("a license on file"), "{table}");
    for format in ["human", "json"] {
        let (code, out, _) = run(&["explain", file, "-t", "N1", "--format", format]);
        assert_eq!(code, 1);
        assert!(out.contains(hint), "explain --format {format}");
    }
    // And in JSON, as data.
    let (_, json) = check("json", &[file]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let remedies = &report["transactions"][0]["findings"][0]["remedies"];
    assert!(remedies
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["authorization"] == "NAC" && r["text"].as_str().unwrap().contains(hint)));
}

/// The JSON report's stable keys (docs/cli.md) stay where they were.
#[test]
fn json_report_keeps_the_contract_keys() {
    let (_, json) = check("json", EXAMPLES);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert!(report["version"].is_string());
    assert!(report["ruleset"]["digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(report["ruleset"]["rules"].is_u64());
    for tx in report["transactions"].as_array().unwrap() {
        for key in ["id", "file", "date", "verdict"] {
            assert!(tx[key].is_string(), "{key}");
        }
        for f in tx["findings"].as_array().unwrap() {
            assert!(f["rule"].is_string());
            assert!(f["outcome"].is_string());
            assert!(f["citation"].is_array());
            assert!(f["message"].is_string());
            assert!(f["explanation"].is_array());
        }
    }
}
