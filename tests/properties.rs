//! Invariants a user relies on, tested over random valid worlds (tests/reference/world.rs)
//! with both the shipped rule pack and the test rule set (tests/reference/rules.cg):
//!
//! - the same input gives the same output, byte for byte (JSON and human), in one process
//!   and across processes;
//! - adding an authorization never makes a verdict more severe;
//! - `--as-of D` equals rewriting every transaction's date to D;
//! - reordering parties or transactions changes nothing but the order of the output;
//! - a transaction judged before a rule's effective date is unaffected by that rule.
//!
//! `CHIPGATE_PROPTEST_CASES=N` runs N worlds per property (default: a few dozen).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod reference;

use std::path::PathBuf;
use std::process::Command;
use std::sync::LazyLock;

use chipgate::report::{self, human};
use chipgate::{Date, Limits, RuleSet, TransactionFile, TransactionReport, Verdict};
use proptest::prelude::*;
use proptest::sample::subsequence;
use reference::world::{as_of, cases, date, date_near, load, world, GAuth};

static TEST_RULES: LazyLock<RuleSet> = LazyLock::new(|| {
    RuleSet::from_paths(
        &[PathBuf::from("tests/reference/rules.cg")],
        &Limits::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
});

static PACK: LazyLock<RuleSet> =
    LazyLock::new(|| RuleSet::builtin().unwrap_or_else(|e| panic!("{e}")));

fn rule_sets() -> [&'static RuleSet; 2] {
    [&PACK, &TEST_RULES]
}

/// What a check decided, without positions: per transaction its verdict and each finding's
/// rule, outcome and message.
type Decisions = Vec<(String, Verdict, Vec<(String, Verdict, String)>)>;

fn decisions(reports: &[TransactionReport]) -> Decisions {
    reports
        .iter()
        .map(|r| {
            let findings = r
                .findings
                .iter()
                .map(|f| (f.rule.clone(), f.outcome, f.message.clone()))
                .collect();
            (r.id.clone(), r.verdict, findings)
        })
        .collect()
}

/// Everything `chipgate check` prints, in both formats.
fn rendered(rules: &RuleSet, file: &TransactionFile, as_of: Option<Date>) -> (String, String) {
    let reports = rules.check(file, as_of);
    let json = report::json::render(&report::Report::new(rules, &reports));
    let mut text = String::new();
    for r in &reports {
        text.push_str(&human::transaction(r, rules, human::Style::default()));
    }
    text.push_str(&human::summary(&reports, rules));
    (json, text)
}

/// Verdicts and fired rules, without positions or messages (a file built in memory has no
/// lines to cite).
fn verdicts(reports: &[TransactionReport]) -> Vec<reference::Judgement> {
    reports
        .iter()
        .map(|r| {
            let mut fired: Vec<(String, Verdict)> = r
                .findings
                .iter()
                .map(|f| (f.rule.clone(), f.outcome))
                .collect();
            fired.sort();
            (r.id.clone(), r.verdict, fired)
        })
        .collect()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: cases(40),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The authorization added by the monotonicity property: any kind, with any dates.
fn extra_auth() -> impl Strategy<Value = (u8, GAuth)> {
    (
        any::<u8>(),
        (
            any::<u8>(),
            any::<bool>(),
            proptest::option::of(any::<u8>()),
            proptest::option::of(any::<u8>()),
            proptest::option::weighted(0.2, any::<u8>()),
        ),
    )
        .prop_map(|(tx, (kind, number, issued, notified, expires))| {
            (
                tx,
                GAuth {
                    kind,
                    number,
                    issued,
                    notified,
                    expires,
                    items: None,
                    consignee: None,
                    end_user: None,
                    destination: None,
                    quantity: None,
                },
            )
        })
}

/// Two permutations of 0..n, from a seed each.
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut s = seed | 1;
    for i in (1..n).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        order.swap(i, (s % (i as u64 + 1)) as usize);
    }
    order
}

proptest! {
    #![proptest_config(config())]

    /// Two independent loads and compilations (each with its own hash seeds) render the same
    /// bytes.
    #[test]
    fn same_input_same_output(w in world(), as_of in as_of()) {
        let yaml = w.yaml();
        let (a, b) = (load(&yaml), load(&yaml));
        let fresh_pack = RuleSet::builtin().unwrap();
        let fresh_test = RuleSet::from_paths(&[PathBuf::from("tests/reference/rules.cg")], &Limits::default()).unwrap();
        for (rules, fresh) in [(&*PACK, &fresh_pack), (&*TEST_RULES, &fresh_test)] {
            prop_assert_eq!(rendered(rules, &a, as_of), rendered(fresh, &b, as_of));
        }
    }

    /// The same deal built in memory (`TransactionFile::from_parts`, with only the facts the
    /// file states) and read from YAML gets the same verdicts and findings: the defaults and
    /// derivations (end user from the consignee, performance density from TPP and die area,
    /// the form from a declared ECCN, the ultimate destination from the route) are applied
    /// alike.
    #[test]
    fn built_in_memory_and_read_from_yaml_agree(w in world(), as_of in as_of()) {
        let read = w.load();
        let built = w.parts(&read);
        for rules in rule_sets() {
            prop_assert_eq!(
                verdicts(&rules.check(&read, as_of)),
                verdicts(&rules.check(&built, as_of)),
                "{}", w.yaml()
            );
        }
    }

    /// An authorization on file can lift a requirement, never add one.
    #[test]
    fn adding_an_authorization_never_makes_a_verdict_more_severe(
        w in world(),
        (tx, auth) in extra_auth(),
        as_of in as_of(),
    ) {
        let mut more = w.clone();
        let k = usize::from(tx) % more.txs.len();
        more.txs[k].auths.push(auth);
        let (before, after) = (w.load(), more.load());
        for rules in rule_sets() {
            let was = rules.check(&before, as_of);
            let now = rules.check(&after, as_of);
            for (a, b) in was.iter().zip(&now) {
                prop_assert!(
                    b.verdict <= a.verdict,
                    "{}: {} became {} with authorization {:?}\n{}",
                    a.id, a.verdict, b.verdict, more.txs[k].auths.last(), more.yaml()
                );
            }
        }
    }

    /// Judging as of a date is judging the same file with every transaction dated then.
    #[test]
    fn as_of_equals_rewriting_every_date(w in world(), day in date()) {
        let as_of = date_near(day);
        let yaml = w.yaml();
        let rewritten: String = yaml
            .lines()
            .map(|l| if l.starts_with("    date: ") { format!("    date: {as_of}\n") } else { format!("{l}\n") })
            .collect();
        let (file, redated) = (load(&yaml), load(&rewritten));
        for rules in rule_sets() {
            prop_assert_eq!(
                decisions(&rules.check(&file, Some(as_of))),
                decisions(&rules.check(&redated, None))
            );
        }
    }

    /// Parties and transactions in another order: the same decisions, in the new order.
    #[test]
    fn reordering_changes_only_the_order(w in world(), seeds in (any::<u64>(), any::<u64>()), as_of in as_of()) {
        let parties = shuffled(w.parties.len(), seeds.0);
        let txs = shuffled(w.txs.len(), seeds.1);
        let (file, reordered) = (w.load(), load(&w.yaml_in_order(&parties, &txs)));
        for rules in rule_sets() {
            let mut a = decisions(&rules.check(&file, as_of));
            let mut b = decisions(&rules.check(&reordered, as_of));
            let order: Vec<String> = b.iter().map(|d| d.0.clone()).collect();
            let expected: Vec<String> = txs.iter().map(|i| format!("T{i}")).collect();
            prop_assert_eq!(order, expected);
            a.sort();
            b.sort();
            prop_assert_eq!(a, b);
        }
    }

    /// The day before a rule takes effect, taking the rule out of the rule set changes
    /// nothing (and it never fires).
    #[test]
    fn a_rule_does_not_reach_back_before_its_effective_date(w in world(), pick in subsequence((0..64usize).collect::<Vec<_>>(), 3)) {
        let file = w.load();
        for (set, without) in [(&*PACK, &*PACK_WITHOUT), (&*TEST_RULES, &*TEST_WITHOUT)] {
            for k in &pick {
                let Some((id, first_day, smaller)) = without.get(k % without.len()) else { continue };
                let before = first_day.minus_days(1);
                let full = decisions(&set.check(&file, Some(before)));
                prop_assert!(
                    full.iter().all(|(_, _, f)| f.iter().all(|(rule, _, _)| rule != id)),
                    "{id} fired on {before}, before it took effect"
                );
                prop_assert_eq!(full, decisions(&smaller.check(&file, Some(before))), "{} reached back to {}", id, before);
            }
        }
    }
}

/// For each rule that takes effect on some day: its id, that day, and the rule set without
/// it (its declaration cut out of its file's text).
fn without_each_rule(
    sources: Vec<(String, String)>,
    rules: &RuleSet,
) -> Vec<(String, Date, RuleSet)> {
    let mut out = Vec::new();
    for summary in rules.rule_summaries() {
        let first = summary
            .effective
            .iter()
            .filter_map(|w| w.strip_prefix("from ")?.get(..10))
            .filter_map(|d| Date::parse(d).ok())
            .min();
        let Some(first) = first else { continue };
        let head = format!("rule {} {{", summary.id);
        let mut cut = sources.clone();
        let Some(source) = cut.iter_mut().find(|(_, t)| t.contains(&head)) else {
            continue;
        };
        let start = source.1.find(&head).unwrap();
        let end = start + source.1[start..].find("\n}").unwrap() + 2;
        source.1.replace_range(start..end, "");
        let smaller = RuleSet::from_sources(&cut, &Limits::default())
            .unwrap_or_else(|e| panic!("without {}: {e}", summary.id));
        out.push((summary.id, first, smaller));
    }
    assert!(!out.is_empty());
    out
}

static PACK_WITHOUT: LazyLock<Vec<(String, Date, RuleSet)>> = LazyLock::new(|| {
    let sources = chipgate::pack::files()
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    without_each_rule(sources, &PACK)
});

static TEST_WITHOUT: LazyLock<Vec<(String, Date, RuleSet)>> = LazyLock::new(|| {
    let text = std::fs::read_to_string("tests/reference/rules.cg").unwrap();
    without_each_rule(vec![("rules.cg".into(), text)], &TEST_RULES)
});

/// Across processes too (where hash seeds differ): the binary prints the same bytes for the
/// same files, in both formats.
#[test]
fn the_command_prints_the_same_bytes_every_time() {
    let mut files: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    files.push("tests/fuzz/world.yaml".into());
    for format in ["human", "json"] {
        let run = || {
            let out = Command::new(env!("CARGO_BIN_EXE_chipgate"))
                .args(["check", "--format", format])
                .args(&files)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            assert_ne!(
                out.status.code(),
                Some(2),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let first = run();
        for _ in 0..3 {
            assert!(run() == first, "{format} output differs between runs");
        }
    }
}
