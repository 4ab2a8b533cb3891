//! What a rule author does besides writing rules: layering rule files on the built-in pack
//! (`--rules builtin --rules my-policy.cg`) without copying it; a rule-set digest that names
//! files relative to the pack's root, so the same rules give the same digest from any path;
//! `chipgate test --only` and `--bless`, which writes the current verdicts into a case file
//! in place.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chipgate::{cases, Limits, RuleSet};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_same_rules_give_the_same_digest_from_any_path() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("digest");
    let _ = std::fs::remove_dir_all(&scratch);
    let one = scratch.join("one/rules");
    let two = scratch.join("elsewhere/deeper/pack");
    copy_dir(Path::new("rules"), &one);
    copy_dir(Path::new("rules"), &two);
    let limits = Limits::default();
    let a = RuleSet::from_paths(std::slice::from_ref(&one), &limits).unwrap();
    let b = RuleSet::from_paths(std::slice::from_ref(&two), &limits).unwrap();
    let relative = RuleSet::from_paths(&[PathBuf::from("rules")], &limits).unwrap();
    let builtin = RuleSet::builtin().unwrap();
    assert_eq!(a.digest(), b.digest());
    assert_eq!(a.digest(), relative.digest());
    assert_eq!(a.digest(), builtin.digest());
    // A change of content is a change of digest.
    let file = two.join("groups.cg");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\n// edited\n")).unwrap();
    let edited = RuleSet::from_paths(&[two], &limits).unwrap();
    assert_ne!(a.digest(), edited.digest());
}

#[test]
fn a_policy_is_layered_on_the_built_in_pack() {
    let limits = Limits::default();
    let policy = PathBuf::from("examples/internal-policy/acme-policy.cg");
    let layered =
        RuleSet::from_paths(&[PathBuf::from("builtin"), policy.clone()], &limits).unwrap();
    let builtin = RuleSet::builtin().unwrap();
    assert_eq!(layered.rule_count(), builtin.rule_count() + 1);
    assert_ne!(layered.digest(), builtin.digest());
    // The policy alone does not compile: it names the pack's classifications.
    assert!(RuleSet::from_paths(&[policy], &limits).is_err());
    let loaded = cases::load_all(
        &[PathBuf::from("examples/internal-policy")],
        &layered,
        &limits,
    )
    .unwrap();
    let result = cases::run_all(&loaded, &layered);
    assert!(result.passed(), "{:?}", result.failures());
    let held = result.cases[0]
        .results
        .iter()
        .find(|r| r.id == "held")
        .unwrap();
    assert!(held
        .fired
        .iter()
        .any(|f| f.rule == "acme.hold.unknown-ownership"));
}

fn chipgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chipgate"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A stale case (a wrong verdict, a rule that no longer fires, a transaction with no
/// expectation) is blessed in place: only those lines change, the comments stay, the case
/// then passes, and a second bless changes nothing.
#[test]
fn bless_rewrites_stale_expectations_in_place() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bless");
    std::fs::create_dir_all(&scratch).unwrap();
    let case = scratch.join("stale.yaml");
    std::fs::copy("tests/data/bless/stale.yaml", &case).unwrap();
    let name = case.to_str().unwrap();
    let (code, _, _) = chipgate(&["test", name]);
    assert_eq!(
        code, 2,
        "a case with a transaction without expectation is refused"
    );
    let (code, _, stderr) = chipgate(&["test", "--bless", name]);
    assert_eq!(code, 0, "{stderr}");
    let blessed = std::fs::read_to_string(&case).unwrap();
    let before = std::fs::read_to_string("tests/data/bless/stale.yaml").unwrap();
    let changed: Vec<String> = before
        .lines()
        .zip(blessed.lines())
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("- {a}\n+ {b}"))
        .collect();
    let added: Vec<&str> = blessed.lines().skip(before.lines().count()).collect();
    insta::assert_snapshot!(format!(
        "{}\n----- changed lines\n{}\n----- added lines\n{}\n",
        stderr.trim_end().replace(name, "stale.yaml"),
        changed.join("\n"),
        added.join("\n")
    ));
    let (code, _, stderr) = chipgate(&["test", "--bless", name]);
    assert_eq!(code, 0);
    assert!(stderr.contains("blessed nothing"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&case).unwrap(), blessed);
}

/// `--only` checks the named transactions of a case and nothing else.
#[test]
fn only_checks_the_named_transactions() {
    let (code, stdout, stderr) = chipgate(&[
        "test",
        "--only",
        "T1",
        "--format",
        "json",
        "examples/internal-policy",
        "--rules",
        "builtin",
        "--rules",
        "examples/internal-policy/acme-policy.cg",
    ]);
    assert_eq!(code, 2, "T1 is in no case: {stdout}");
    assert!(
        stderr.contains("no case has a transaction `T1`"),
        "{stderr}"
    );
    let (code, stdout, stderr) = chipgate(&[
        "test",
        "--only",
        "held",
        "--format",
        "json",
        "examples/internal-policy",
        "--rules",
        "builtin",
        "--rules",
        "examples/internal-policy/acme-policy.cg",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ids: Vec<&str> = report["cases"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["held"]);
}
