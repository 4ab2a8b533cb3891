//! `docs/diagnostics.md` is generated from `Code::ALL` (src/diag/codes.rs): each code's
//! title and explanation, and the case files under `tests/cases/{rules,facts}/` (and the
//! screening lists under `tests/screening/bad/`) that produce it. This test regenerates the page and fails when it is stale; run
//! `CHIPGATE_BLESS=1 cargo test --test diagnostics_page` to rewrite it.
//!
//! It also checks that no code exists without a snapshot of its message: each is produced by
//! a case file (snapshotted by tests/diagnostics.rs) or a bad screening list (snapshotted by
//! tests/screening.rs), or is listed in [`ELSEWHERE`] with the
//! snapshot that pins it (a command, a limit, the library) or the unit test of a guard no
//! input reaches.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chipgate::diag::{Code, Diagnostic};
use chipgate::screen::ScreeningList;
use chipgate::{Limits, RuleSet, TransactionFile};

/// Why a code has no case file, and what pins its message instead.
enum Elsewhere {
    /// Produced by a command (paths on the command line, `chipgate test`, `diff`,
    /// `explain`): the input that produces it, and the snapshot of the command's output.
    Command(&'static str, &'static str),
    /// Produced past a resource limit that a case file cannot reach at the default limits
    /// (tests/refusals.rs lowers them): the input, and the snapshot.
    Limit(&'static str, &'static str),
    /// Produced through the library alone (facts built in memory): the test, its file, and
    /// the snapshot.
    Library(&'static str, &'static str, &'static str),
    /// Produced by the screening-list reader on no list file a case can be (a path that
    /// cannot be read, a list past a limit or a ceiling): the test in tests/screening.rs,
    /// and its snapshot under tests/screening/snapshots/.
    Screening(&'static str, &'static str),
    /// Produced by `chipgate serve` answering a request: the test in tests/serve.rs that
    /// makes the request and checks the code in the answer.
    Service(&'static str),
    /// Not reachable by any input: a guard against a bug in chipgate, or a fallback for
    /// refusals no known input gives. The unit test that produces it, in this source file.
    Unreachable(&'static str, &'static str),
}

use Elsewhere::*;

/// The codes no case file under `tests/cases/` produces, each with why and what pins it.
/// Exact: a code listed here that a case file produces fails the test (remove it here).
const ELSEWHERE: &[(Code, Elsewhere)] = &[
    (
        Code::FactsCsvSyntax,
        Limit(
            "tests/refusals/csv-mistakes.csv",
            "refusals__hostile_inputs_and_limits_are_refused_with_a_location@csv-mistakes.csv.snap",
        ),
    ),
    (
        Code::FactsConflictingId,
        Limit(
            "tests/refusals/facts-conflict.yaml",
            "refusals__hostile_inputs_and_limits_are_refused_with_a_location@facts-conflict.yaml.snap",
        ),
    ),
    (
        Code::InputEmptyFolder,
        Command(
            "tests/cli/check-all-bad.args",
            "cli__commands@check-all-bad.args.snap",
        ),
    ),
    (
        Code::RulesTooManyDeclarations,
        Limit(
            "tests/refusals/limit-rule-declarations.cg",
            "refusals__hostile_inputs_and_limits_are_refused_with_a_location@limit-rule-declarations.cg.snap",
        ),
    ),
    (
        Code::RulesInternal,
        Unreachable(
            "a_broken_syntax_tree_is_reported_not_dropped",
            "src/compile/failure.rs",
        ),
    ),
    (
        Code::RulesUnreadable,
        Command(
            "tests/cli/check-rules-unreadable.args",
            "cli__commands@check-rules-unreadable.args.snap",
        ),
    ),
    (
        Code::RulesEmptyFolder,
        Command(
            "tests/cli/check-rules-empty-folder.args",
            "cli__commands@check-rules-empty-folder.args.snap",
        ),
    ),
    (
        Code::FactsInvalid,
        Unreachable(
            "other_refusals_of_the_yaml_reader_keep_their_words",
            "src/facts/validate.rs",
        ),
    ),
    (
        Code::FactsDanglingIndex,
        Library(
            "facts_built_in_memory_diagnostics",
            "tests/diagnostics.rs",
            "diagnostics__facts_built_in_memory_diagnostics.snap",
        ),
    ),
    (
        Code::FactsJsonSyntax,
        Service("json_bodies_answer_as_the_command_on_the_json_file"),
    ),
    (
        Code::FactsInternal,
        Unreachable(
            "an_entry_left_out_without_a_reason_is_reported",
            "src/facts/validate.rs",
        ),
    ),
    (
        Code::InputTooLarge,
        Limit(
            "tests/refusals/limit-file-bytes.yaml",
            "refusals__hostile_inputs_and_limits_are_refused_with_a_location@limit-file-bytes.yaml.snap",
        ),
    ),
    (
        Code::InputNotFound,
        Command(
            "tests/cli/test-missing-path.args",
            "cli__commands@test-missing-path.args.snap",
        ),
    ),
    (
        Code::InputUnreadable,
        Command(
            "tests/cli/check-missing-file.args",
            "cli__commands@check-missing-file.args.snap",
        ),
    ),
    (
        Code::CaseEmpty,
        Command(
            "tests/cli/test-case-problems.args",
            "cli__commands@test-case-problems.args.snap",
        ),
    ),
    (
        Code::CaseBadDate,
        Command(
            "tests/cli/test-case-problems.args",
            "cli__commands@test-case-problems.args.snap",
        ),
    ),
    (
        Code::CaseUnreadable,
        Command(
            "tests/cli/test-case-problems.args",
            "cli__commands@test-case-problems.args.snap",
        ),
    ),
    (
        Code::CaseBothFacts,
        Command(
            "tests/cli/test-case-problems.args",
            "cli__commands@test-case-problems.args.snap",
        ),
    ),
    (
        Code::CaseNoFacts,
        Command(
            "tests/cli/test-case-problems.args",
            "cli__commands@test-case-problems.args.snap",
        ),
    ),
    (
        Code::CaseMissingExpectation,
        Command(
            "tests/cli/test-bad-cases.args",
            "cli__commands@test-bad-cases.args.snap",
        ),
    ),
    (
        Code::CaseUnknownVerdict,
        Command(
            "tests/cli/test-bad-cases.args",
            "cli__commands@test-bad-cases.args.snap",
        ),
    ),
    (
        Code::CaseUnknownRule,
        Command(
            "tests/cli/test-case-problems.args",
            "cli__commands@test-case-problems.args.snap",
        ),
    ),
    (
        Code::CaseUnknownTransaction,
        Command(
            "tests/cli/test-bad-cases.args",
            "cli__commands@test-bad-cases.args.snap",
        ),
    ),
    (
        Code::CaseNoneFound,
        Command(
            "tests/cli/test-no-cases.args",
            "cli__commands@test-no-cases.args.snap",
        ),
    ),
    (
        Code::ScreeningUnreadable,
        Screening("an_unreadable_list_is_refused", "unreadable.snap"),
    ),
    (
        Code::ScreeningTooLarge,
        Screening("a_file_over_the_size_limit_is_refused", "too-large.snap"),
    ),
    (
        Code::ScreeningBadCsv,
        Unreachable(
            "a_csv_parser_error_is_reported_as_bad_csv",
            "src/screen/csl_csv.rs",
        ),
    ),
    (
        Code::ScreeningTooManyEntries,
        Screening(
            "a_list_over_the_entry_ceiling_is_refused",
            "too-many-entries.snap",
        ),
    ),
    (
        Code::ScreeningTooManyProblems,
        Screening("problems_are_bounded", "too-many-problems.snap"),
    ),
    (
        Code::ServeToken,
        Command(
            "tests/cli/serve-empty-token.args",
            "cli__commands@serve-empty-token.args.snap",
        ),
    ),
    (
        Code::ServeBind,
        Command(
            "tests/cli/serve-unassigned-address.args",
            "cli__commands@serve-unassigned-address.args.snap",
        ),
    ),
    (
        Code::ServeRuntime,
        Unreachable("refused_threads_are_a_start_up_error", "src/serve/mod.rs"),
    ),
    (
        Code::ServeDecisionLog,
        Command(
            "tests/cli/serve-decision-log-unopenable.args",
            "cli__commands@serve-decision-log-unopenable.args.snap",
        ),
    ),
    (
        Code::ServeNotReady,
        Service("health_is_503_until_the_rules_are_loaded"),
    ),
    (
        Code::ServeUnauthorized,
        Service("the_token_guards_every_endpoint_but_health"),
    ),
    (
        Code::ServeNotFound,
        Service("requests_that_are_not_transaction_files_are_refused_with_4xx"),
    ),
    (
        Code::ServeBadQuery,
        Service("requests_that_are_not_transaction_files_are_refused_with_4xx"),
    ),
    (
        Code::ServeTimeout,
        Service("requests_that_are_not_transaction_files_are_refused_with_4xx"),
    ),
    (
        Code::ServeBodyUnreadable,
        Service("requests_that_are_not_transaction_files_are_refused_with_4xx"),
    ),
    (
        Code::ServeFactsFile,
        Service("requests_that_are_not_transaction_files_are_refused_with_4xx"),
    ),
    (
        Code::ServeInternal,
        Unreachable(
            "a_panic_is_answered_500_with_serve_internal",
            "src/serve/http.rs",
        ),
    ),
    (
        Code::CheckLimit,
        Limit(
            "tests/refusals/limit-steps-per-transaction.yaml",
            "refusals__hostile_inputs_and_limits_are_refused_with_a_location@limit-steps-per-transaction.yaml.snap",
        ),
    ),
    (
        Code::DiffBadBase,
        Command(
            "tests/cli/diff-bad-base.args",
            "cli__commands@diff-bad-base.args.snap",
        ),
    ),
    (
        Code::ExplainUnknownTransaction,
        Command(
            "tests/cli/explain-unknown-transaction.args",
            "cli__commands@explain-unknown-transaction.args.snap",
        ),
    ),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of `dir` whose names end in `.ext` (every file for `None`).
fn case_files(dir: &str, ext: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| ext.is_none_or(|ext| p.extension().is_some_and(|x| x == ext)))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    out.sort();
    out
}

fn codes_of(diagnostics: &[Diagnostic], out: &mut Vec<Code>) {
    for d in diagnostics {
        out.push(d.code);
        codes_of(&d.related, out);
    }
}

/// Each code, with the case files that produce it (run as tests/diagnostics.rs runs them).
fn produced_by_cases() -> BTreeMap<Code, Vec<String>> {
    let mut by_code: BTreeMap<Code, Vec<String>> = BTreeMap::new();
    let limits = Limits::default();
    let mut record = |file: &str, diagnostics: &[Diagnostic]| {
        let mut codes = Vec::new();
        codes_of(diagnostics, &mut codes);
        codes.sort();
        codes.dedup();
        for c in codes {
            by_code.entry(c).or_default().push(file.to_string());
        }
    };
    for file in case_files("tests/cases/rules", Some("cg")) {
        let e = RuleSet::from_paths(&[root().join(&file)], &limits)
            .err()
            .unwrap_or_else(|| panic!("{file} compiled"));
        record(&file, &e.diagnostics);
    }
    for file in case_files("tests/cases/facts", Some("yaml")) {
        let bytes = std::fs::read(root().join(&file)).unwrap();
        let e = TransactionFile::from_bytes(&file, bytes, &limits)
            .err()
            .unwrap_or_else(|| panic!("{file} loaded"));
        record(&file, &e.diagnostics);
    }
    for file in case_files("tests/screening/bad", None) {
        let bytes = std::fs::read(root().join(&file)).unwrap();
        let e = ScreeningList::from_bytes(&file, bytes, &limits)
            .err()
            .unwrap_or_else(|| panic!("{file} loaded"));
        record(&file, &e.diagnostics);
    }
    by_code
}

fn wing(code: Code) -> &'static str {
    code.as_str().split("::").next().unwrap_or("")
}

/// The sections of the page, by the part of a code before `::`.
const SECTIONS: &[(&[&str], &str, &str)] = &[
    (
        &["rules"],
        "Rule files",
        "Problems in `.cg` rule files, found when the rule set is compiled (`--rules`, the \
         built-in pack, `include`). See docs/language.md.",
    ),
    (
        &["facts"],
        "Transaction files",
        "Problems in transaction files (and the `facts` of test cases), found when they are \
         read and validated against docs/transaction-file.md.",
    ),
    (
        &["input"],
        "Reading files",
        "Files that cannot be read as text at all.",
    ),
    (
        &["case"],
        "Test cases",
        "Problems in the case files of `chipgate test` (docs/testing-rules.md).",
    ),
    (
        &["screening"],
        "Screening lists",
        "Problems in restricted-party screening lists (the Consolidated Screening List, as \
         JSON or CSV), found when a list is read. See docs/screening.md.",
    ),
    (
        &["check", "diff", "explain"],
        "Commands",
        "Problems particular to one command.",
    ),
    (
        &["serve"],
        "The service",
        "Problems particular to `chipgate serve` (docs/service.md): a service that cannot \
         start, and requests it refuses for reasons of their own. A request body that is not \
         a valid transaction file gets the loader's codes above, as the command does.",
    ),
];

/// `rules::unknown-name` → the anchor GitHub gives the heading "`rules::unknown-name`".
fn anchor(code: Code) -> String {
    code.as_str().replace("::", "")
}

fn link(path: &str) -> String {
    format!("[`{path}`](../{path})")
}

fn where_else(e: &Elsewhere) -> String {
    match e {
        Command(input, _) => format!(
            "Produced by a command, not by a file alone: {}, whose output is snapshotted.",
            link(input)
        ),
        Limit(input, _) => format!(
            "Produced past a limit no case file reaches at the default limits: {}, run with \
             the limit lowered (tests/refusals.rs), whose output is snapshotted.",
            link(input)
        ),
        Library(test, file, _) => format!(
            "Produced through the library only (`TransactionFile::from_parts`, no file is \
             involved): the test `{test}` in {} snapshots it.",
            link(file)
        ),
        Screening(test, _) => format!(
            "Produced by the screening-list reader on no list file a case can be (a path that \
             cannot be read, or a list past a limit or ceiling): the test `{test}` in {} \
             snapshots it.",
            link("tests/screening.rs")
        ),
        Service(test) => format!(
            "Produced by `chipgate serve` answering a request: the test `{test}` in {} makes \
             the request and checks the code.",
            link("tests/serve.rs")
        ),
        Unreachable(test, file) => format!(
            "No input is known to produce it; the unit test `{test}` in {} does.",
            link(file)
        ),
    }
}

fn page(cases: &BTreeMap<Code, Vec<String>>) -> String {
    let elsewhere: BTreeMap<Code, &Elsewhere> = ELSEWHERE.iter().map(|(c, e)| (*c, e)).collect();
    let mut out = String::new();
    out.push_str("# Diagnostics\n\n");
    out.push_str(
        "<!-- Generated by tests/diagnostics_page.rs from `Code::ALL` in src/diag/codes.rs: \
         edit the codes there, then run `CHIPGATE_BLESS=1 cargo test --test diagnostics_page`. -->\n\n",
    );
    out.push_str(
        "Every problem chipgate reports carries a code, printed above its message (and given \
         as `code` to programs that read diagnostics):\n\n\
         ```text\n\
         rules::unknown-name\n\n  \
         × unknown country or group `D55`\n\
         ```\n\n\
         A code names a kind of problem, not one message; codes are stable, so scripts may \
         match on them. Each code below says what triggers it, with an example, and how to fix \
         it, and names the files in `tests/cases/` that produce it: each case's diagnostics are \
         snapshotted beside it (`tests/diagnostics.rs`); for screening lists, the files in \
         `tests/screening/bad/` (snapshotted by `tests/screening.rs`).\n",
    );
    for (wings, title, intro) in SECTIONS {
        let codes: Vec<Code> = Code::ALL
            .iter()
            .copied()
            .filter(|c| wings.contains(&wing(*c)))
            .collect();
        let _ = write!(out, "\n## {title}\n\n{intro}\n\n| code | |\n|---|---|\n");
        for c in &codes {
            let _ = writeln!(out, "| [`{c}`](#{}) | {} |", anchor(*c), c.title());
        }
        for c in &codes {
            let _ = write!(
                out,
                "\n### `{c}`\n\n{}.\n\n{}\n\n",
                capitalised(c.title()),
                c.explanation()
            );
            match (cases.get(c), elsewhere.get(c)) {
                (Some(files), _) => {
                    let links: Vec<String> = files.iter().map(|f| link(f)).collect();
                    let _ = writeln!(out, "Cases: {}.", links.join(", "));
                }
                (None, Some(e)) => {
                    let _ = writeln!(out, "{}", where_else(e));
                }
                (None, None) => {
                    let _ = writeln!(out, "No case produces it.");
                }
            }
        }
    }
    out
}

/// The text of `fn name(` in a test file, up to the next item.
fn test_body<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("fn {name}("))?;
    let rest = &text[start..];
    let end = rest
        .find("\n#[test]")
        .into_iter()
        .chain(rest.find("\nfn "))
        .chain(rest.find("\n///"))
        .min()
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[test]
fn the_page_is_current() {
    let path = root().join("docs/diagnostics.md");
    let fresh = page(&produced_by_cases());
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if fresh != current {
        if std::env::var_os("CHIPGATE_BLESS").is_some() {
            std::fs::write(&path, fresh).unwrap();
        } else {
            panic!(
                "docs/diagnostics.md is out of date: run CHIPGATE_BLESS=1 cargo test --test diagnostics_page"
            );
        }
    }
}

/// Every section of the page holds codes, and every code is in a section.
#[test]
fn every_code_has_a_section() {
    for c in Code::ALL {
        assert!(
            SECTIONS
                .iter()
                .any(|(wings, _, _)| wings.contains(&wing(*c))),
            "{c} is in no section of docs/diagnostics.md"
        );
    }
}

/// No code exists without a snapshot of its message: a case file produces it, or
/// [`ELSEWHERE`] names the snapshot (or, for what no input reaches, the unit test) that does.
#[test]
fn every_code_is_produced_by_a_case_or_pinned_elsewhere() {
    let cases = produced_by_cases();
    let snapshots = root().join("tests/snapshots");
    let mut problems = Vec::new();
    for &code in Code::ALL {
        let listed: Vec<&Elsewhere> = ELSEWHERE
            .iter()
            .filter(|(c, _)| *c == code)
            .map(|(_, e)| e)
            .collect();
        match (cases.contains_key(&code), listed.as_slice()) {
            (true, []) => {}
            (true, [_, ..]) => problems.push(format!(
                "{code} is produced by {:?}: take it out of ELSEWHERE",
                cases[&code]
            )),
            (false, []) => problems.push(format!(
                "{code} is produced by no case file under tests/cases/: add one (or, for a \
                 code only a command, a limit or the library produces, list it in ELSEWHERE)"
            )),
            (false, [one]) => {
                let pinned = match one {
                    Command(input, snap) | Limit(input, snap) | Library(_, input, snap) => {
                        let text = std::fs::read_to_string(snapshots.join(snap))
                            .unwrap_or_else(|_| panic!("{code}: no snapshot {snap}"));
                        root().join(input).exists() && text.lines().any(|l| l == code.as_str())
                    }
                    Screening(test, snap) => {
                        let shot = root().join("tests/screening/snapshots").join(snap);
                        let text = std::fs::read_to_string(&shot)
                            .unwrap_or_else(|_| panic!("{code}: no snapshot {snap}"));
                        let tests =
                            std::fs::read_to_string(root().join("tests/screening.rs")).unwrap();
                        tests.contains(&format!("fn {test}("))
                            && text.lines().any(|l| l == code.as_str())
                    }
                    Service(test) => {
                        let tests = std::fs::read_to_string(root().join("tests/serve.rs")).unwrap();
                        test_body(&tests, test).is_some_and(|body| body.contains(code.as_str()))
                    }
                    Unreachable(test, file) => {
                        let text = std::fs::read_to_string(root().join(file)).unwrap();
                        text.contains(&format!("fn {test}("))
                            && text.contains(&format!("Code::{code:?}"))
                    }
                };
                if !pinned {
                    problems.push(format!("{code}: what ELSEWHERE names does not produce it"));
                }
            }
            (false, _) => problems.push(format!("{code} is listed twice in ELSEWHERE")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_case_file_is_left_out_of_the_page() {
    let cases = produced_by_cases();
    let on_page: std::collections::BTreeSet<&String> = cases.values().flatten().collect();
    for dir in [
        "tests/cases/rules",
        "tests/cases/facts",
        "tests/screening/bad",
    ] {
        for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)).unwrap() {
            let p = e.unwrap().path();
            let rel = format!("{dir}/{}", p.file_name().unwrap().to_string_lossy());
            assert!(on_page.contains(&rel), "{rel} produces no code");
        }
    }
}
