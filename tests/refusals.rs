//! Inputs chipgate must refuse, run through the built binary: hostile files (syntax errors,
//! wrong types, empty, not UTF-8, binary, alias bombs, `1e400`, a missing file, garbage
//! rules, deep nesting) and one case for each resource limit (`docs/reliability.md`). Each
//! must exit with code 2 ("nothing was judged") and a diagnostic that says where
//! (`file:line:col`), never a crash; the rendered diagnostic is snapshotted.
//!
//! A case is a file in `tests/refusals/` (its arguments default to `check FILE`, or
//! `check --rules FILE support/ok.yaml` for a `.cg` file), or a `NAME.args` file beside it
//! with the arguments one per line (`{}` is the case's file). Adding a case is adding a file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the binary in `dir` without colour; returns (exit code, stderr).
fn run(dir: &Path, args: &[String]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chipgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    (code, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Every diagnostic printed names its file, line and column: `╭─[name:line:col]`.
fn assert_located(stderr: &str, name: &str) {
    let located = stderr.lines().any(|l| {
        l.split_once("─[")
            .and_then(|(_, rest)| rest.strip_suffix(']'))
            .and_then(|loc| loc.rsplitn(3, ':').nth(2).map(|file| file.to_string()))
            .is_some_and(|file| file.ends_with(name))
    });
    assert!(located, "no `{name}:line:col` in:\n{stderr}");
}

/// The case's arguments: from `NAME.args`, or the default for its kind of file.
fn case_args(case: &Path) -> Vec<String> {
    let name = case.file_name().unwrap().to_str().unwrap().to_string();
    let args_file = case.with_extension("args");
    if args_file.exists() && case.extension().is_some_and(|e| e != "args")
        || name.ends_with(".args")
    {
        let text = std::fs::read_to_string(&args_file).unwrap();
        return text.lines().map(|l| l.replace("{}", &name)).collect();
    }
    if case.extension().is_some_and(|e| e == "cg") {
        vec![
            "check".into(),
            "--rules".into(),
            name,
            "support/ok.yaml".into(),
        ]
    } else {
        vec!["check".into(), name]
    }
}

#[test]
fn hostile_inputs_and_limits_are_refused_with_a_location() {
    insta::glob!("refusals/*", |case| {
        let name = case.file_name().unwrap().to_str().unwrap();
        if case.is_dir() {
            return;
        }
        // An `.args` file is a case of its own only when no input file goes with it.
        if name.ends_with(".args") {
            let stem = name.trim_end_matches(".args");
            let has_input = std::fs::read_dir(case.parent().unwrap())
                .unwrap()
                .filter_map(Result::ok)
                .any(|e| {
                    let n = e.file_name();
                    let n = n.to_str().unwrap_or("");
                    n != name && n.split('.').next() == Some(stem)
                });
            if has_input {
                return;
            }
        }
        let args = case_args(case);
        let (code, stderr) = run(case.parent().unwrap(), &args);
        assert_eq!(code, 2, "{name}: exit code {code}, stderr:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        if !stderr.contains("input::unreadable") {
            // The diagnostic points into the file that was refused (or, for a rule set
            // with too many files, the include that went past the limit).
            let named = args
                .iter()
                .rev()
                .find(|a| a.contains('.') && !a.starts_with("support/ok"))
                .cloned()
                .unwrap_or_else(|| name.to_string());
            let named = if name == "limit-rule-files.cg" {
                name.to_string()
            } else {
                named
            };
            assert_located(&stderr, &named);
        }
        insta::assert_snapshot!(format!("$ chipgate {}\n{stderr}", args.join(" ")));
    });
}

/// Writes a generated hostile file (too large to keep in the repository) to a scratch folder.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("refusals");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), text).unwrap();
    std::fs::copy("tests/refusals/support/ok.yaml", dir.join("ok.yaml")).unwrap();
    dir
}

/// Hundreds of thousands of levels: refused at once (measured in docs/reliability.md;
/// serde_yaml alone needs more than 20 s for the flow case).
#[test]
fn nesting_hundreds_of_thousands_deep_is_refused() {
    let cases = [
        (
            "deep-flow.yaml",
            format!("parties: {}{}\ntransactions: []\n", "[".repeat(300_000), "]".repeat(300_000)),
        ),
        (
            "deep-flow-maps.yaml",
            format!("parties: {}\n", "{a: ".repeat(300_000)),
        ),
        (
            "deep-block.yaml",
            format!("parties:\n{}x\ntransactions: []\n", "- ".repeat(300_000)),
        ),
        (
            "deep-rule.cg",
            format!(
                "rule x.deep {{\n  title \"t\"\n  cite \"c\"\n  effective 2024-01-01\n  on export\n  when {}item.tpp > 1{}\n  outcome warning\n}}\n",
                "(".repeat(300_000),
                ")".repeat(300_000)
            ),
        ),
        (
            "deep-not.cg",
            format!(
                "rule x.deep {{\n  title \"t\"\n  cite \"c\"\n  effective 2024-01-01\n  on export\n  when {}item.tpp > 1\n  outcome warning\n}}\n",
                "not ".repeat(300_000)
            ),
        ),
    ];
    let mut snapshot = String::new();
    for (name, text) in cases {
        let dir = scratch(name, &text);
        let args: Vec<String> = if name.ends_with(".cg") {
            vec![
                "check".into(),
                "--rules".into(),
                name.into(),
                "ok.yaml".into(),
            ]
        } else {
            vec!["check".into(), name.into()]
        };
        let (code, stderr) = run(&dir, &args);
        assert_eq!(code, 2, "{name}: exit code {code}, stderr:\n{stderr}");
        assert_located(&stderr, name);
        snapshot.push_str(&format!("$ chipgate {}\n{stderr}\n", args.join(" ")));
    }
    insta::assert_snapshot!(snapshot);
}
