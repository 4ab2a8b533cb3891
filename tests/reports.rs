//! The reports people read, checked for what they promise beyond their snapshots: the brief
//! human report stays brief (a 30-line order on a screen or two) and never drops a missing
//! fact or an assumption; the table keeps to its width; orders are summed in every format.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;

mod common;
use common::run;

const ORDER: &str = "examples/order-30-lines.yaml";

fn check(args: &[&str]) -> String {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run(&all);
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    stdout
}

fn json_report(file: &str) -> Value {
    serde_json::from_str(&check(&["--format", "json", file])).unwrap()
}

/// "A 30-line order fits on a screen or two": 30 lines of nine products to three
/// destinations, six kinds of finding, twenty-three assumptions, in at most 180 lines of at
/// most 100 columns (the detailed report takes over 2,800).
#[test]
fn the_brief_report_of_a_30_line_order_is_short_and_fits_the_width() {
    let brief = check(&[ORDER]);
    let detail = check(&["--detail", ORDER]);
    let lines = brief.lines().count();
    assert!(lines <= 180, "{lines} lines:\n{brief}");
    assert!(
        detail.lines().count() > 10 * lines,
        "the detail is the long one"
    );
    for l in brief.lines() {
        // The closing count line is the one line that may run longer (it is the same in both
        // lengths and scripts read it).
        if l.contains(" transactions checked: ") {
            continue;
        }
        assert!(
            l.chars().count() <= 100,
            "{} columns: {l}",
            l.chars().count()
        );
    }
    // Every transaction has its verdict line, with its verdict word.
    let report = json_report(ORDER);
    for tx in report["transactions"].as_array().unwrap() {
        let id = tx["id"].as_str().unwrap();
        let verdict = tx["verdict"].as_str().unwrap();
        assert!(
            brief
                .lines()
                .any(|l| l.contains(&format!(" {id} — {verdict} on "))),
            "no verdict line for {id}"
        );
    }
}

/// Brevity never hides what a verdict is missing or relies on: every missing fact of every
/// indeterminate finding is told in the transaction's own part of the brief report, and every
/// assumption is told (once, numbered) and referred to by its number wherever it is relied on.
#[test]
fn the_brief_report_keeps_every_missing_fact_and_assumption() {
    let files = [
        ORDER,
        "examples/sg-subsidiary.yaml",
        "examples/transshipment.yaml",
        "examples/accelerators.yaml",
        "tests/data/brief/repeated-lines.yaml",
    ];
    for file in files {
        let brief = check(&[file]);
        let report = json_report(file);
        // The report split into the parts of each transaction.
        let txs = report["transactions"].as_array().unwrap();
        let starts: Vec<usize> = txs
            .iter()
            .map(|t| {
                let head = format!(
                    " {} — {} on ",
                    t["id"].as_str().unwrap(),
                    t["verdict"].as_str().unwrap()
                );
                brief
                    .find(&head)
                    .unwrap_or_else(|| panic!("{file}: no line {head}"))
            })
            .collect();
        let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        for (i, tx) in txs.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(brief.len());
            let part = &brief[starts[i]..end];
            let id = tx["id"].as_str().unwrap();
            for f in tx["findings"].as_array().unwrap() {
                for m in f["missing"].as_array().into_iter().flatten() {
                    let m = m.as_str().unwrap();
                    // Each transaction tells its own missing facts, never only "as for".
                    assert!(
                        flat(part).contains(&flat(m)),
                        "{file} {id}: missing fact not told: {m}\n{part}"
                    );
                }
            }
            // The verdict line, with its continuation lines.
            let mut head_lines = part.lines();
            let mut refs = head_lines.next().unwrap().to_string();
            for l in head_lines.take_while(|l| l.starts_with("    ")) {
                refs.push(' ');
                refs.push_str(l.trim());
            }
            let refs = refs.as_str();
            for a in tx["assumptions"].as_array().into_iter().flatten() {
                let text = flat(a["text"].as_str().unwrap());
                let at = flat(&brief)
                    .find(&text)
                    .unwrap_or_else(|| panic!("{file} {id}: assumption not told: {text}"));
                // Its number, from where it is told: "[n] text".
                let told = flat(&brief)[..at]
                    .rsplit('[')
                    .next()
                    .unwrap()
                    .split(']')
                    .next()
                    .unwrap()
                    .to_string();
                let n: usize = told.parse().unwrap();
                assert!(
                    refers_to(refs, n),
                    "{file} {id}: relies on [{n}] but its line does not say so: {refs}"
                );
            }
        }
    }
}

/// Whether "relies on [1], [4]-[6]" names assumption `n`.
fn refers_to(line: &str, n: usize) -> bool {
    let Some(list) = line.split("relies on ").nth(1) else {
        return false;
    };
    list.split(", ").any(|part| {
        let nums: Vec<usize> = part
            .split('-')
            .filter_map(|x| x.trim_matches(|c: char| !c.is_ascii_digit()).parse().ok())
            .collect();
        match nums.as_slice() {
            [a] => *a == n,
            [a, b] => (*a..=*b).contains(&n),
            _ => false,
        }
    })
}

#[test]
fn the_table_fits_its_width_and_has_a_line_per_transaction() {
    let files = [
        ORDER,
        "examples/sg-subsidiary.yaml",
        "examples/malaysia-lease.yaml",
    ];
    let report: Vec<Value> = files.iter().map(|f| json_report(f)).collect();
    for width in ["100", "80", "140"] {
        let mut args = vec!["check", "--format", "table"];
        args.extend_from_slice(&files);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chipgate"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .env("COLUMNS", width)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let w: usize = width.parse().unwrap();
        for l in text.lines() {
            assert!(l.chars().count() <= w, "{} > {w}: {l}", l.chars().count());
        }
        for r in &report {
            for tx in r["transactions"].as_array().unwrap() {
                let id = tx["id"].as_str().unwrap();
                let verdict = tx["verdict"].as_str().unwrap();
                let rows: Vec<&str> = text
                    .lines()
                    .filter(|l| l.split_whitespace().nth(1) == Some(id))
                    .collect();
                assert_eq!(rows.len(), 1, "{id} at {width} columns:\n{text}");
                assert!(rows[0].contains(verdict), "{}", rows[0]);
                assert!(rows[0].contains(tx["date"].as_str().unwrap()));
            }
        }
        assert!(text.contains("32 transactions checked: "), "{text}");
        // Aligned: every transaction row has its verdict in the same column.
        let cols: Vec<usize> = text
            .lines()
            .filter_map(|l| {
                [
                    "license_required",
                    "indeterminate",
                    "warning",
                    "allowed",
                    "prohibited",
                ]
                .iter()
                .filter_map(|v| l.find(&format!("  {v}  ")))
                .min()
                .map(|at| l[..at].chars().count())
            })
            .collect();
        assert!(cols.len() >= 32);
        let first_rows: Vec<usize> = cols.iter().take(32).copied().collect();
        assert!(first_rows.windows(2).all(|w| w[0] == w[1]), "{text}");
    }
}

/// An order of several lines is judged per line and summed per order: its verdict is the most
/// severe line's, with the lines counted per verdict, in every format.
#[test]
fn orders_are_summed_in_every_format() {
    let report = json_report(ORDER);
    let txs = report["transactions"].as_array().unwrap();
    assert!(txs.iter().all(|t| t["order"] == "PO-2025-0917"));
    let orders = report["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    let o = &orders[0];
    assert_eq!(o["id"], "PO-2025-0917");
    assert_eq!(o["lines"], 30);
    assert_eq!(o["transactions"].as_array().unwrap().len(), 30);
    let worst = txs
        .iter()
        .map(|t| t["verdict"].as_str().unwrap())
        .max_by_key(|v| {
            [
                "allowed",
                "warning",
                "indeterminate",
                "license_required",
                "prohibited",
            ]
            .iter()
            .position(|x| x == v)
        })
        .unwrap();
    assert_eq!(o["verdict"], worst);
    let mut total = 0;
    for (v, n) in o["counts"].as_object().unwrap() {
        let counted = txs.iter().filter(|t| t["verdict"] == *v.as_str()).count();
        assert_eq!(n.as_u64().unwrap() as usize, counted, "{v}");
        total += counted;
    }
    assert_eq!(total, 30, "every verdict is counted");
    let counts = format!(
        "30 lines: {}",
        [
            "prohibited",
            "license_required",
            "indeterminate",
            "warning",
            "allowed"
        ]
        .iter()
        .filter(|v| o["counts"][**v].as_u64().unwrap() > 0)
        .map(|v| format!("{} {v}", o["counts"][*v]))
        .collect::<Vec<_>>()
        .join(", ")
    );

    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let brief = check(&[ORDER]);
    assert!(
        flat(&brief).contains(&format!("order PO-2025-0917 — {worst}: {counts}")),
        "{brief}"
    );
    let detail = check(&["--detail", ORDER]);
    assert!(flat(&detail).contains(&format!("order PO-2025-0917 — {worst}: {counts}")));
    let table = check(&["--format", "table", ORDER]);
    assert!(
        table
            .lines()
            .any(|l| l.contains("PO-2025-0917") && l.contains(worst) && l.contains(" 30  ")),
        "{table}"
    );
    let html = check(&["--format", "html", ORDER]);
    assert!(html.contains("<td>PO-2025-0917</td>"));
    let jsonl = check(&["--format", "jsonl", ORDER]);
    for line in jsonl.lines() {
        let rec: Value = serde_json::from_str(line).unwrap();
        assert_eq!(rec["order"], "PO-2025-0917");
        assert_eq!(rec["order_summary"]["verdict"], worst);
        assert_eq!(rec["order_summary"]["lines"], 30);
        assert_eq!(rec["order_summary"]["counts"], o["counts"]);
    }
    let junit = check(&["--format", "junit", ORDER]);
    assert!(
        junit.contains(&format!(
            "name=\"chipgate.order.PO-2025-0917\" value=\"{worst}: {counts}\""
        )),
        "{junit}"
    );
    assert!(junit.contains("L01 (2025-09-15, order PO-2025-0917)"));
    let sarif: Value = serde_json::from_str(&check(&["--format", "sarif", ORDER])).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["orders"][0]["verdict"],
        worst
    );
    assert!(sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["properties"]["order"] == "PO-2025-0917"));
    let github = check(&["--format", "github", ORDER]);
    assert!(github.lines().all(|l| l.contains(&format!(
        "(a line of order PO-2025-0917: {worst}, {counts})"
    ))));

    // A file without orders has an empty list, not a missing key.
    let none = json_report("examples/sg-subsidiary.yaml");
    assert_eq!(none["orders"], Value::Array(Vec::new()));
}

/// Orders span files: the same order id in two files is one order.
#[test]
fn an_order_split_over_two_files_is_one_order() {
    let report: Value = serde_json::from_str(&check(&[
        "--format",
        "json",
        "examples/a100-order-lines.yaml",
        "tests/data/orders/second-shipment.yaml",
    ]))
    .unwrap();
    let orders = report["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["lines"], 3);
    let files: Vec<&str> = orders[0]["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "examples/a100-order-lines.yaml",
            "examples/a100-order-lines.yaml",
            "tests/data/orders/second-shipment.yaml"
        ]
    );
    assert_eq!(orders[0]["verdict"], "license_required");
    assert_eq!(orders[0]["counts"]["allowed"], 1);
}

/// A line that repeats an earlier one is told in one line; an indeterminate one still tells
/// its missing facts.
#[test]
fn repeats_are_told_in_one_line_but_missing_facts_every_time() {
    let brief = check(&["tests/data/brief/repeated-lines.yaml"]);
    let line_of = |id: &str| {
        brief
            .lines()
            .find(|l| l.contains(&format!(" {id} — ")))
            .unwrap()
            .to_string()
    };
    assert!(
        line_of("R2").ends_with(": as for R1, relies on [1]-[2]"),
        "{brief}"
    );
    assert!(
        line_of("R4").contains(": as for R3 (us.ear.ai-diffusion.worldwide)"),
        "{brief}"
    );
    let r6 = &brief[brief.find(" R6 — ").unwrap()..];
    assert!(!r6.lines().next().unwrap().contains("as for"), "{brief}");
    assert!(r6.contains("missing: item `card`"), "{brief}");
}
