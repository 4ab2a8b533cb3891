//! The command as users script it (docs/cli.md): exit codes, standard input, `--rules`,
//! `--as-of`, JSON on stdout and diagnostics on stderr.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn chipgate(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chipgate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

const CLEAN: &str = "parties:\n  - { id: a, name: A Inc., country: US }\n  - { id: b, name: B GmbH, country: DE }\nitems:\n  - { id: h100, name: NVIDIA H100 SXM5, tpp: 15832, die_area_mm2: 814 }\ntransactions:\n  - { id: T1, kind: export, date: 2024-06-03, item: h100, quantity: 8, from: a, to: b }\n";

#[test]
fn exit_0_when_every_transaction_is_allowed_or_warning() {
    let out = chipgate(&["check", "-"], Some(CLEAN));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 transaction checked: 1 allowed"));
}

#[test]
fn exit_1_when_a_license_is_required() {
    let out = chipgate(
        &["check", "--format", "json", "examples/sg-subsidiary.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let report = json(&out);
    assert_eq!(report["transactions"][0]["verdict"], "license_required");
    assert_eq!(
        report["transactions"][0]["findings"][0]["rule"],
        "us.ear.hq-rule"
    );
    assert!(report["ruleset"]["digest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    assert!(out.stderr.is_empty());
}

#[test]
fn exit_2_on_a_bad_file_with_a_located_diagnostic_on_stderr() {
    let out = chipgate(&["check", "tests/cases/facts/unknown-key.yaml"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("tests/cases/facts/unknown-key.yaml:20:5"),
        "{err}"
    );
    assert!(err.contains("did you mean `destination`?"), "{err}");
}

/// Several files: each file that can be judged is judged and reported, the bad ones get
/// their diagnostics, and the exit code is 2 if any file could not be judged.
#[test]
fn exit_2_when_any_file_is_bad_and_the_others_are_judged() {
    let out = chipgate(
        &["check", "examples/sg-subsidiary.yaml", "no/such/file.yaml"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("T1 — license_required"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read `no/such/file.yaml`"));
    // When no file can be judged, standard output stays empty.
    let out = chipgate(
        &[
            "check",
            "no/such/file.yaml",
            "tests/cases/facts/unknown-key.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read `no/such/file.yaml`"), "{err}");
    assert!(err.contains("unknown key `destinaton`"), "{err}");
}

#[test]
fn exit_2_on_a_bad_rule_file_and_on_a_bad_command_line() {
    let out = chipgate(
        &[
            "check",
            "--rules",
            "tests/cases/rules/no-citation.cg",
            "examples/sg-subsidiary.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no `cite`"));
    let out = chipgate(
        &[
            "check",
            "--as-of",
            "2025-13-01",
            "examples/sg-subsidiary.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let out = chipgate(&["check"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = chipgate(&["frobnicate"], None);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn as_of_judges_every_transaction_on_that_date() {
    // The H800 shipped on 2023-11-16 was outside 3A090; judged as of 2023-11-17 it needs a license.
    let before = json(&chipgate(
        &["check", "--format", "json", "examples/h800-stockpile.yaml"],
        None,
    ));
    assert_eq!(before["transactions"][0]["verdict"], "allowed");
    let out = chipgate(
        &[
            "check",
            "--format",
            "json",
            "--as-of",
            "2023-11-17",
            "examples/h800-stockpile.yaml",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let after = json(&out);
    assert_eq!(after["transactions"][0]["verdict"], "license_required");
    assert_eq!(after["transactions"][0]["as_of"], "2023-11-17");
}

#[test]
fn rules_from_a_folder_replace_the_builtin_pack() {
    let dir = std::env::temp_dir().join(format!("chipgate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("one.cg"),
        "rule test.any-export {\n  title \"Every export\"\n  cite \"test\"\n  effective 2000-01-01\n  on export\n  when item.tpp >= 0\n  outcome warning\n}\n",
    )
    .unwrap();
    let out = chipgate(
        &[
            "check",
            "--format",
            "json",
            "--rules",
            dir.to_str().unwrap(),
            "-",
        ],
        Some(CLEAN),
    );
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
    assert_eq!(report["ruleset"]["rules"], 1);
    assert_eq!(
        report["transactions"][0]["findings"][0]["rule"],
        "test.any-export"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn no_color_output_has_no_escape_codes() {
    let out = chipgate(&["check", "examples/transshipment.yaml"], None);
    assert!(!out.stdout.contains(&0x1b));
}
