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
use chipgate::diag::Code;
use chipgate::screen::{describe, MatchOptions, Query, Screener, ScreeningList, Strength};
use chipgate::Limits;

fn fixture() -> Vec<ScreeningList> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/screening/list.json");
    vec![ScreeningList::from_path(std::path::Path::new(path), &Limits::default()).unwrap()]
}

#[test]
fn matching_cases() {
    run_cases(fixture(), "cases.txt");
}

/// Misspelt, respaced and transliterated names that must match (tests/screening/typos.txt).
#[test]
fn typo_cases() {
    run_cases(vec![read_fixture("matcher-list.json")], "typos.txt");
}

/// Generic-word names, other words one edit away, pinyin sound-alikes and companies against
/// listed persons, which must not match (tests/screening/must-not-match.txt).
#[test]
fn must_not_match_cases() {
    run_cases(
        vec![read_fixture("matcher-list.json")],
        "must-not-match.txt",
    );
}

/// Screens every case of `file` (tests/screening/, one case a line, see cases.txt) against
/// `lists` and fails with every case that went wrong.
fn run_cases(lists: Vec<ScreeningList>, file: &str) {
    let screener = Screener::new(&lists, &MatchOptions::default());
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/screening")
        .join(file);
    let cases = std::fs::read_to_string(path).unwrap();
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
                "{file}:{}: `{}` expected {expect} ({}), got:\n    {}",
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
    assert!(count >= 20, "{file}: only {count} cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------- readers

use chipgate::screen::{EntryKind, ListFormat, ListSource};
use std::path::Path;

fn read_fixture(name: &str) -> ScreeningList {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/screening")
        .join(name);
    ScreeningList::from_path(&path, &Limits::default()).unwrap()
}

#[test]
fn json_records_read_with_their_fields_and_locations() {
    let list = read_fixture("list.json");
    assert_eq!(list.format, ListFormat::Json);
    assert_eq!(list.entries.len(), 20);
    assert!(list.digest.starts_with("sha256:"));
    let huawei = &list.entries[0];
    assert_eq!(huawei.id, "el-huawei");
    assert_eq!(huawei.source, ListSource::EntityList);
    assert_eq!(huawei.entity_number.as_deref(), Some("1001"));
    assert_eq!(huawei.kind, EntryKind::Other);
    assert_eq!(huawei.alt_names, vec!["华为技术有限公司", "Huawei"]);
    assert_eq!(huawei.start_date.unwrap().to_string(), "2019-05-16");
    assert_eq!(huawei.end_date, None);
    assert_eq!(
        huawei.federal_register_notice.as_deref(),
        Some("84 FR 22961")
    );
    assert_eq!(
        huawei.license_policy.as_deref(),
        Some("Presumption of denial.")
    );
    assert_eq!(huawei.addresses[0].city.as_deref(), Some("Shenzhen"));
    assert_eq!(huawei.countries(), vec![Country::parse("CN").unwrap()]);
    assert_eq!((huawei.location.line, huawei.location.column), (5, 5));
    let iei = list.entries.iter().find(|e| e.id == "sdn-iei").unwrap();
    assert_eq!(iei.source, ListSource::Sdn);
    assert_eq!(iei.kind, EntryKind::Entity);
    assert_eq!(iei.programs, vec!["NPWMD"]);
    let meu = list.entries.iter().find(|e| e.id == "meu-avic").unwrap();
    assert_eq!(meu.source, ListSource::MilitaryEndUser);
    let sokolov = list.entries.iter().find(|e| e.id == "sdn-sokolov").unwrap();
    assert_eq!(sokolov.kind, EntryKind::Individual);
}

#[test]
fn csv_reads_the_published_header() {
    let list = read_fixture("list.csv");
    assert_eq!(list.format, ListFormat::Csv);
    assert_eq!(list.entries.len(), 3);
    let huawei = &list.entries[0];
    assert_eq!(huawei.id, "el-huawei");
    assert_eq!(huawei.name, "Huawei Technologies Co., Ltd.");
    assert_eq!(huawei.alt_names, vec!["华为技术有限公司", "Huawei"]);
    assert_eq!(huawei.countries(), vec![Country::parse("CN").unwrap()]);
    assert_eq!(
        huawei.addresses[0].address.as_deref(),
        Some("Bantian, Longgang District, Shenzhen, Guangdong, 518129")
    );
    assert_eq!(huawei.location.line, 2);
    let iei = &list.entries[1];
    assert_eq!(iei.programs, vec!["NPWMD", "IFSR"]);
    assert_eq!(iei.addresses.len(), 2);
    assert_eq!(iei.alt_names.len(), 2);
    let sokolov = &list.entries[2];
    assert_eq!(sokolov.title.as_deref(), Some("Director"));
    assert_eq!(
        sokolov.addresses[0].country, None,
        "`Russia` is no ISO code"
    );
}

#[test]
fn csv_columns_are_read_by_name() {
    let standard = read_fixture("list.csv");
    // Reordered, with `id` for `_id`, an added column, and most columns removed.
    let reordered = "name,extra column,id,alt_names,addresses,source,start_date\n\
        \"Huawei Technologies Co., Ltd.\",x,el-huawei,华为技术有限公司; Huawei,\"Bantian, Longgang District, Shenzhen, Guangdong, 518129, CN\",EL,2019-05-16\n";
    let list = ScreeningList::from_str("reordered.csv", reordered, &Limits::default()).unwrap();
    let (a, b) = (&standard.entries[0], &list.entries[0]);
    assert_eq!(a.id, b.id);
    assert_eq!(a.name, b.name);
    assert_eq!(a.alt_names, b.alt_names);
    assert_eq!(a.addresses, b.addresses);
    assert_eq!(a.source, b.source);
    assert_eq!(a.start_date, b.start_date);
    assert_eq!(b.federal_register_notice, None);
    // Only a name column; short rows; a blank line.
    let minimal = "name\nAcme Ltd\n\nOther Co\n";
    let list = ScreeningList::from_str("minimal.csv", minimal, &Limits::default()).unwrap();
    assert_eq!(list.entries.len(), 2);
    assert_eq!(list.entries[1].location.line, 4);
    assert_eq!(list.entries[1].source, ListSource::Other(String::new()));
}

#[test]
fn json_tolerates_missing_and_unknown_fields() {
    let text = r#"{"results": [{"name": "Only A Name"}, {"name": "Extra", "vessel_flag": "PA",
        "ids": [{"type": "x", "number": 1}], "gross_tonnage": 1200, "entity_number": 77,
        "alt_names": null, "addresses": [{"country": "cn"}, "Moscow, RU", null], "start_date": ""}],
        "sources_used": [{"source": "EL"}]}"#;
    let list = ScreeningList::from_str("tolerant.json", text, &Limits::default()).unwrap();
    assert_eq!(list.entries.len(), 2);
    let extra = &list.entries[1];
    assert_eq!(extra.entity_number.as_deref(), Some("77"));
    assert!(extra.alt_names.is_empty());
    assert_eq!(extra.start_date, None);
    assert_eq!(
        extra.countries(),
        vec![Country::parse("CN").unwrap(), Country::parse("RU").unwrap()]
    );
}

fn render(input: &[u8], error: &chipgate::Error) -> String {
    use chipgate::report::human::{self, Style};
    let style = Style {
        color: false,
        unicode: true,
        width: 100,
    };
    let text = String::from_utf8_lossy(input).replace('\0', "\\0");
    let mut out = String::from("----- INPUT\n");
    for line in text.lines().take(20) {
        if line.chars().count() > 160 {
            out.extend(line.chars().take(160));
            out.push_str(&format!("… ({} characters)\n", line.chars().count()));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str("----- DIAGNOSTICS\n");
    for d in &error.diagnostics {
        out.push_str(&format!(
            "[{}] {}\n",
            d.code,
            d.location().unwrap_or_default()
        ));
        out.push_str(&human::diagnostic(d, style));
    }
    out
}

/// The codes of the screening-list readers (src/diag/codes.rs).
const LIST_CODES: &[Code] = &[
    Code::ScreeningUnreadable,
    Code::ScreeningTooLarge,
    Code::ScreeningBinary,
    Code::ScreeningNotUtf8,
    Code::ScreeningBadJson,
    Code::ScreeningBadList,
    Code::ScreeningTooDeep,
    Code::ScreeningBadEntry,
    Code::ScreeningMissingName,
    Code::ScreeningBadDate,
    Code::ScreeningNoNameColumn,
    Code::ScreeningBadCsv,
    Code::ScreeningTooManyEntries,
    Code::ScreeningTooManyProblems,
];

/// The diagnostics alone, for errors whose input is generated or absent.
fn diagnostics(error: &chipgate::Error) -> String {
    use chipgate::report::human::{self, Style};
    let style = Style {
        color: false,
        unicode: true,
        width: 100,
    };
    let mut out = String::new();
    for d in &error.diagnostics {
        assert!(LIST_CODES.contains(&d.code), "{}", d.code);
        out.push_str(&format!(
            "[{}] {}\n",
            d.code,
            d.location().unwrap_or_default()
        ));
        out.push_str(&human::diagnostic(d, style));
    }
    out
}

#[test]
fn an_unreadable_list_is_refused() {
    let error = ScreeningList::from_path(
        std::path::Path::new("tests/screening/no-such-list.json"),
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(error.diagnostics[0].code, Code::ScreeningUnreadable);
    insta::with_settings!({snapshot_path => "screening/snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("unreadable", diagnostics(&error));
    });
}

/// Past `MAX_LIST_ENTRIES` the JSON reader stops at the first entry over the ceiling, before
/// reading any record (so the entries can be bare numbers, one a line).
#[test]
fn a_list_over_the_entry_ceiling_is_refused() {
    let max = chipgate::screen::MAX_LIST_ENTRIES;
    let mut text = String::with_capacity(3 * max + 64);
    text.push_str("{\"results\": [\n");
    for _ in 0..max {
        text.push_str("0,\n");
    }
    text.push_str("0\n]}\n");
    let error = ScreeningList::from_str("huge.json", &text, &Limits::default()).unwrap_err();
    assert_eq!(error.diagnostics.len(), 1);
    assert_eq!(error.diagnostics[0].code, Code::ScreeningTooManyEntries);
    insta::with_settings!({snapshot_path => "screening/snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("too-many-entries", diagnostics(&error));
    });
}

#[test]
fn hostile_lists_give_located_diagnostics() {
    insta::with_settings!({snapshot_path => "screening/snapshots", prepend_module_to_snapshot => false}, {
        insta::glob!("screening/bad/*", |path| {
            let name = format!("bad/{}", path.file_name().unwrap().to_string_lossy());
            let input = std::fs::read(path).unwrap();
            let error = ScreeningList::from_bytes(&name, input.clone(), &Limits::default())
                .err()
                .unwrap_or_else(|| panic!("{name} loaded, but it is a case of a bad list"));
            assert!(error.diagnostics.iter().all(|d| LIST_CODES.contains(&d.code)));
            assert!(error.diagnostics.iter().all(|d| d.help.is_some() && d.file.is_some()));
            insta::assert_snapshot!(render(&input, &error));
        });
    });
}

#[test]
fn a_million_brackets_is_an_error_not_a_stack_overflow() {
    for prefix in [
        "{\"results\": [",
        "{\"results\": [{\"name\": \"x\", \"remarks\": ",
        "{\"other\": ",
    ] {
        let mut text = String::from(prefix);
        text.push_str(&"[".repeat(1_000_000));
        let error = ScreeningList::from_str("deep.json", &text, &Limits::default()).unwrap_err();
        assert_eq!(
            error.diagnostics[0].code,
            Code::ScreeningTooDeep,
            "{prefix}"
        );
        assert!(error.diagnostics[0]
            .location()
            .unwrap()
            .starts_with("deep.json:1:"));
    }
    let error = ScreeningList::from_str("deep.json", &"[".repeat(1_000_000), &Limits::default())
        .unwrap_err();
    assert_eq!(error.diagnostics[0].code, Code::ScreeningBadList);
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let limits = Limits {
        max_file_bytes: 64,
        ..Limits::default()
    };
    let text = format!("{{\"results\": [{}]}}", "{\"name\": \"A\"},".repeat(20));
    let error = ScreeningList::from_str("big.json", &text, &limits).unwrap_err();
    assert_eq!(error.diagnostics[0].code, Code::ScreeningTooLarge);
    insta::with_settings!({snapshot_path => "screening/snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("too-large", diagnostics(&error));
    });
    let dir = std::env::temp_dir().join(format!("chipgate-screen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.json");
    std::fs::write(&path, &text).unwrap();
    let error = ScreeningList::from_path(&path, &limits).unwrap_err();
    assert_eq!(error.diagnostics[0].code, Code::ScreeningTooLarge);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn problems_are_bounded() {
    let text = format!(
        "{{\"results\": [{}{{\"x\": 1}}]}}",
        "{\"x\": 1},\n".repeat(500)
    );
    let error = ScreeningList::from_str("nameless.json", &text, &Limits::default()).unwrap_err();
    assert_eq!(
        error.diagnostics.len(),
        chipgate::screen::MAX_LIST_DIAGNOSTICS + 1
    );
    let last = error.diagnostics.last().unwrap();
    assert_eq!(last.code, Code::ScreeningTooManyProblems);
    let shown = chipgate::Error::one(last.clone());
    insta::with_settings!({snapshot_path => "screening/snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("too-many-problems", diagnostics(&shown));
    });
    assert!(
        last.message.starts_with("401 more problems"),
        "{}",
        last.message
    );
    assert_eq!(
        error.diagnostics[3].location().as_deref(),
        Some("nameless.json:4:1")
    );
}

#[test]
fn a_million_entries_load() {
    let mut text = String::with_capacity(60_000_000);
    text.push_str("{\"results\": [\n");
    for i in 0..1_000_000 {
        if i > 0 {
            text.push_str(",\n");
        }
        text.push_str(&format!(
            "{{\"id\": \"{i}\", \"source\": \"EL\", \"name\": \"Entity Number {i} Co., Ltd.\", \"start_date\": \"2020-01-01\"}}"
        ));
    }
    text.push_str("\n]}");
    let list =
        ScreeningList::from_bytes("million.json", text.into_bytes(), &Limits::default()).unwrap();
    assert_eq!(list.entries.len(), 1_000_000);
    assert_eq!(list.entries[999_999].location.line, 1_000_001);
}
