//! Restricted-party screening: the list readers (good and hostile files, each hostile one
//! snapshotted with its located diagnostics) and the matcher, whose cases are data in
//! `tests/screening/cases.txt`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chipgate::country::Country;
use chipgate::screen::{describe, MatchOptions, Query, Screener, ScreeningList, Strength};
use chipgate::Limits;

fn fixture() -> Vec<ScreeningList> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/screening/list.json");
    vec![ScreeningList::from_path(std::path::Path::new(path), &Limits::default()).unwrap()]
}

#[test]
fn matching_cases() {
    let lists = fixture();
    let screener = Screener::new(&lists, &MatchOptions::default());
    let cases = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/screening/cases.txt"
    ))
    .unwrap();
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in cases.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        count += 1;
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        assert_eq!(cols.len(), 4, "line {}: {line}", n + 1);
        let names: Vec<&str> = cols[0].split(" ;; ").collect();
        let country = (!cols[1].is_empty()).then(|| Country::parse(cols[1]).unwrap());
        let query = Query {
            name: names[0],
            aliases: &names[1..],
            country,
        };
        let found = screener.screen(&query);
        let id_of = |m: &chipgate::screen::Match| lists[m.list].entries[m.entry].id.clone();
        let shown: Vec<String> = found.iter().map(|m| describe(m, &lists)).collect();
        let expect = cols[2];
        let ok = if expect == "-" {
            found.is_empty()
        } else if let Some(id) = expect.strip_prefix('!') {
            !found.iter().any(|m| id_of(m) == id)
        } else {
            let mut parts = expect.split_whitespace();
            let id = parts.next().unwrap();
            let strength = parts.next();
            found.iter().any(|m| {
                id_of(m) == id
                    && match strength {
                        Some("strong") => m.strength == Strength::Strong,
                        Some("possible") => m.strength == Strength::Possible,
                        _ => true,
                    }
            })
        };
        if !ok {
            failures.push(format!(
                "line {}: `{}` expected {expect} ({}), got:\n    {}",
                n + 1,
                cols[0],
                cols[3],
                if shown.is_empty() {
                    "nothing".to_string()
                } else {
                    shown.join("\n    ")
                }
            ));
        }
    }
    assert!(count > 50);
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
