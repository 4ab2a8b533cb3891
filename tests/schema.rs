//! The JSON Schema of transaction and facts files (`chipgate schema`): the copy shipped as
//! `docs/transaction-file.schema.json` is what the binary prints (run with
//! `CHIPGATE_BLESS=1` to rewrite it after a change of the format); every example and every
//! case of the pack validates against it; files the loader refuses for their shape (unknown
//! keys, wrong types, unknown words, country names) fail it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

const SHIPPED: &str = "docs/transaction-file.schema.json";

fn printed() -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chipgate"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_shipped_schema_is_the_printed_one() {
    let now = printed();
    if std::env::var_os("CHIPGATE_BLESS").is_some() {
        std::fs::write(SHIPPED, &now).unwrap();
    }
    let shipped = std::fs::read_to_string(SHIPPED).unwrap_or_default();
    assert!(
        shipped == now,
        "{SHIPPED} is not what `chipgate schema` prints: run `CHIPGATE_BLESS=1 cargo test --test schema`"
    );
}

struct Checker {
    schemas: boon::Schemas,
    file: boon::SchemaIndex,
    transaction: boon::SchemaIndex,
}

fn checker() -> Checker {
    let schema: Value = serde_json::from_str(&printed()).unwrap();
    let mut compiler = boon::Compiler::new();
    let url = "https://example.invalid/transaction-file.schema.json";
    compiler.add_resource(url, schema).unwrap();
    let mut schemas = boon::Schemas::new();
    let file = compiler.compile(url, &mut schemas).unwrap();
    let transaction = compiler
        .compile(&format!("{url}#/$defs/transaction"), &mut schemas)
        .unwrap();
    Checker {
        schemas,
        file,
        transaction,
    }
}

/// A YAML file as the JSON it stands for.
fn json_of(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            // `examples/lists/` holds screening lists (CSL files), not transaction files.
            if p.is_dir() && p.file_name().is_some_and(|n| n == "lists") {
                continue;
            } else if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_example_and_every_case_validates() {
    let c = checker();
    let mut checked = 0;
    for path in yaml_files("examples")
        .into_iter()
        .chain(yaml_files("rules/tests"))
    {
        let value = json_of(&path);
        // A test case's facts are a transaction file.
        let facts = match value.get("facts") {
            Some(f) if value.get("expect").is_some() => f.clone(),
            _ if value.get("expect").is_some() => continue,
            _ => value,
        };
        if let Err(e) = c.schemas.validate(&facts, c.file) {
            panic!("{} does not validate:\n{e:#}", path.display());
        }
        checked += 1;
    }
    assert!(checked > 25, "only {checked} files checked");
    // JSON Lines: each line is a transaction.
    for line in std::fs::read_to_string("examples/orders/orders.jsonl")
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let value: Value = serde_json::from_str(line).unwrap();
        if let Err(e) = c.schemas.validate(&value, c.transaction) {
            panic!("{line} does not validate:\n{e:#}");
        }
    }
}

#[test]
fn files_refused_for_their_shape_fail_it() {
    let c = checker();
    for case in [
        "tests/cases/facts/unknown-key.yaml",
        "tests/cases/facts/wrong-type.yaml",
        "tests/cases/facts/thirteen-mistakes.yaml",
        "tests/cases/facts/country-names.yaml",
        "tests/cases/facts/unknown-words.yaml",
        "tests/cases/facts/impossible-numbers.yaml",
        "tests/cases/facts/missing-name.yaml",
        "tests/refusals/facts-file-mistakes.yaml",
    ] {
        let value = json_of(Path::new(case));
        assert!(
            c.schemas.validate(&value, c.file).is_err(),
            "{case} validates, but the loader refuses it for its shape"
        );
    }
    let line: Value = serde_json::from_str(
        r#"{"id": "J1", "kind": "export", "date": "2025-06-10", "item": "h100", "quantity": "8"}"#,
    )
    .unwrap();
    assert!(c.schemas.validate(&line, c.transaction).is_err());
}
