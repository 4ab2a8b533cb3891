//! Long ownership chains: legal files (a chain of 20,000 parties is far under the party limit)
//! that once took the process down. The owner closures recursed once per link (petgraph's
//! Tarjan) and overflowed the stack at a few hundred thousand links; explaining a finding
//! compared every fact with every other, and the human report underlined every link, so a
//! 50,000-link path took six minutes to print. Each is now linear, and a long path is told by
//! its ends in text while the witness and the evidence keep every link.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chipgate::report::human;
use chipgate::{Limits, RuleSet, TransactionFile, Verdict, Witness};

const LINKS: usize = 20_000;

const RULE: &str = r#"group D5 "Country Group D:5" {
  cite "15 CFR Part 740, Supp. No. 1"
  members CN
}

rule t.owned-from-d5 {
  title "Owned from D:5"
  cite "test"
  effective 2000-01-01
  on export
  when any owner of consignee holding at least 50% is headquartered in D5
  outcome prohibited
}
"#;

/// `p0` owned 60% by `p1`, owned 60% by `p2`, … up to a Chinese party at the top.
fn chain(links: usize) -> String {
    let mut yaml = String::from("parties:\n");
    for i in 0..=links {
        let country = if i == links { "CN" } else { "SG" };
        yaml.push_str(&format!(
            "  - id: p{i}\n    name: P{i}\n    country: {country}\n"
        ));
        if i < links {
            yaml.push_str(&format!(
                "    owners:\n      - party: p{}\n        share: 60\n",
                i + 1
            ));
        }
    }
    yaml.push_str(
        "items:\n  - id: h100\n    name: H100\n    tpp: 15832\n    die_area_mm2: 814\n    \
         datacenter: true\ntransactions:\n  - id: T1\n    kind: export\n    date: 2025-06-10\n    \
         item: h100\n    quantity: 1\n    from: p0\n    to: p0\n    end_user: p0\n",
    );
    yaml
}

#[test]
fn a_long_chain_of_owners_is_judged_and_explained_in_linear_time() {
    let rules = RuleSet::from_sources(&[("t.cg".into(), RULE.into())], &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let file = TransactionFile::from_str("chain.yaml", &chain(LINKS), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}"));
    // Run where the stack is small, as on a worker thread: nothing may recurse per link.
    let reports = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn_scoped(s, || rules.check(&file, None))
            .unwrap()
            .join()
            .unwrap()
    });
    let report = &reports[0];
    assert_eq!(report.verdict, Verdict::Prohibited);
    let finding = &report.findings[0];

    // The witness and the evidence keep every link.
    let edges = finding
        .witness
        .iter()
        .find_map(|w| match w {
            Witness::OwnershipPath { edges } => Some(edges),
            _ => None,
        })
        .expect("an ownership path");
    assert_eq!(edges.len(), LINKS);
    assert_eq!(edges.last().unwrap().owner, format!("p{LINKS}"));

    // The text tells the path by its ends.
    let step = &finding.explanation[0];
    assert!(
        step.contains(&format!(
            "is owned through {} more links (each one in the witness) by `p{}`",
            LINKS - 10,
            LINKS - 4
        )),
        "{step}"
    );
    assert!(
        step.contains(&format!("and {} more lines", LINKS - 12)),
        "{step}"
    );
    assert!(step.len() < 1_000, "{} bytes", step.len());

    // The human report underlines a screenful (32 facts) and counts the rest: every link and
    // the top owner's headquarters.
    assert_eq!(finding.facts.len(), LINKS + 1);
    let text = human::transaction(report, &rules, human::Style::default());
    assert!(
        text.contains(&format!(
            "{} more facts used are not underlined above",
            LINKS + 1 - 32
        )),
        "{text}"
    );
    assert!(text.len() < 20_000, "{} bytes", text.len());
}
