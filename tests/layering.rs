//! Rule sets from several places: the digest names files relative to the pack's root (the
//! same rules give the same digest from any path), and users layer their own rule files on
//! the built-in pack (`--rules builtin --rules my-policy.cg`) without copying it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

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
    let a = RuleSet::from_paths(&[one.clone()], &limits).unwrap();
    let b = RuleSet::from_paths(&[two.clone()], &limits).unwrap();
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
