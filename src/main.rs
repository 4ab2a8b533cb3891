//! The `chipgate` command: arguments, exit codes and the choice of renderer. Every decision
//! is made by the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use chipgate::report::{self, human};
use chipgate::{cases, corpus, diff, explain};
use chipgate::{Date, Error, Limits, RuleSet, TransactionFile, TransactionReport, Verdict};

#[derive(Parser)]
#[command(name = "chipgate", version, about = "Export-control compliance checks for advanced chips", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Judge the transactions in YAML files against the rules.
    Check(CheckArgs),
    /// Run rule test cases: expected verdicts and rules, checked against the rules.
    Test(TestArgs),
    /// Show the transactions whose decision a rule change flips, and the rules responsible.
    Diff(DiffArgs),
    /// One transaction's reasoning in full, as text, JSON or a graph (DOT, Mermaid).
    Explain(ExplainArgs),
    /// Show how each item of a transaction file classifies on a date, with the arithmetic.
    Classify(ClassifyArgs),
    /// List the rules of a rule set with their citations, dates, law and uncertainties.
    Rules(RulesArgs),
    /// Screen every party of transaction files (owners included) against screening lists.
    Screen(ScreenArgs),
    /// Answer checks over HTTP: POST /v1/check, /v1/explain, /v1/classify (docs/service.md).
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
    /// Print the JSON Schema (draft 2020-12) of transaction files and facts files.
    Schema,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ScreenFormat {
    Human,
    Json,
}

#[derive(Args)]
struct ScreenArgs {
    /// A Consolidated Screening List file (JSON or CSV, as published), or `pack` for the
    /// lists the rule pack ships (Unverified List, MEU List, approved UAE entities); repeatable.
    #[arg(long = "list", value_name = "LIST", required = true)]
    lists: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ScreenFormat,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    inputs: InputArgs,
}

#[derive(Args)]
struct ScreeningArgs {
    /// Screen the parties against a Consolidated Screening List file (JSON or CSV, as
    /// published), or `pack` for the lists the rule pack ships; repeatable. Strong matches
    /// become designations; possible matches leave the rules that ask about the party
    /// indeterminate until a `screening:` decision resolves them.
    #[arg(long = "screening", value_name = "LIST")]
    screening: Vec<String>,
}

impl ScreeningArgs {
    /// Screens the files' parties, when lists are given.
    fn apply(&self, files: &mut [TransactionFile], limits: &Limits) -> Result<(), Error> {
        if self.screening.is_empty() {
            return Ok(());
        }
        let screening = chipgate::screen::Screening::load(&self.screening, limits)?;
        for f in files {
            screening.apply(f);
        }
        Ok(())
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ListFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Args)]
struct ClassifyArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// The date to classify on (default: the latest transaction date in the file).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ListFormat,
    #[command(flatten)]
    limits: LimitArgs,
    /// Classify every product of the built-in catalogue (docs/catalogue.md) instead of a
    /// file's items; needs `--as-of`.
    #[arg(long, requires = "as_of", conflicts_with = "file")]
    catalogue: bool,
    /// A transaction file (`-` reads standard input).
    #[arg(value_name = "FILE", required_unless_present = "catalogue")]
    file: Option<String>,
}

/// The built-in catalogue as a transaction file: one item per product (`model:`), judged by
/// nothing (one placeholder transaction, never reported by `classify`).
fn catalogue_file(date: Date, limits: &Limits) -> Result<TransactionFile, Error> {
    let products = &chipgate::catalogue::Catalogue::builtin().products;
    let mut yaml =
        String::from("parties:\n  - { id: catalogue, name: catalogue, country: US }\nitems:\n");
    for (i, p) in products.iter().enumerate() {
        let name = p.model.replace('"', "'");
        yaml.push_str(&format!(
            "  - {{ id: p{:02}, name: \"{name}\", model: \"{name}\" }}\n",
            i + 1
        ));
    }
    yaml.push_str(&format!(
        "transactions:\n  - {{ id: catalogue, kind: export, date: {date}, item: p01, from: catalogue, to: catalogue }}\n"
    ));
    TransactionFile::from_bytes("rules/catalogue.yaml", yaml.into_bytes(), limits)
}

#[derive(Args)]
struct RulesArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ListFormat,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    /// Explained diagnostics for people.
    Human,
    /// The JSON report (docs/cli.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML, one test case per transaction.
    Junit,
    /// GitHub Actions workflow annotations.
    Github,
    /// One decision record per line, for audit stores.
    Jsonl,
    /// One line per transaction (id, date, verdict, rules, first remedy) and the counts.
    Table,
    /// A self-contained, printable review record (one HTML page, no network resources).
    Html,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum TestFormat {
    Human,
    Json,
    Junit,
    Github,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum DiffFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ExplainFormat {
    Human,
    Json,
    /// Graphviz DOT: pipe to `dot -Tsvg`.
    Dot,
    /// A Mermaid flowchart, for Markdown.
    Mermaid,
}

#[derive(Args)]
struct RuleArgs {
    /// A rule file or a folder of rule files (repeatable); default: the built-in pack.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
}

/// Resource limits (docs/reliability.md): a file or rule set past one is refused with exit
/// code 2 and a diagnostic saying where.
#[derive(Args)]
#[command(next_help_heading = "Limits")]
struct LimitArgs {
    /// Largest input file (transactions or rules), in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_bytes)]
    max_file_bytes: usize,
    /// Deepest YAML nesting (`[[[…`, `- - - …`), checked before parsing.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_yaml_depth)]
    max_yaml_depth: usize,
    /// Most YAML aliases (`*name`) in one file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_yaml_aliases)]
    max_yaml_aliases: usize,
    /// Most YAML values (scalars, collections, entries) in one file; bounds memory.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_yaml_nodes)]
    max_yaml_nodes: usize,
    /// Most parties in one file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_parties)]
    max_parties: usize,
    /// Most ownership edges (owner entries) in one file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_ownership_edges)]
    max_ownership_edges: usize,
    /// Most items in one file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_items)]
    max_items: usize,
    /// Most transactions in one file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_transactions)]
    max_transactions: usize,
    /// Most countries in one transaction's route.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_route_hops)]
    max_route_hops: usize,
    /// Most declarations in one rule file.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rule_declarations)]
    max_rule_declarations: usize,
    /// Deepest nesting of a rule condition, through its defines and exceptions (at most 256).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rule_nesting)]
    max_rule_nesting: usize,
    /// Most tests in one rule's conditions once its defines are expanded.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rule_tests)]
    max_rule_tests: usize,
    /// Most rule files joined by `include`.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_rule_files)]
    max_rule_files: usize,
    /// Most dated group memberships across the rule set, nested groups expanded.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_group_members)]
    max_group_members: usize,
    /// Most evaluation steps (tests, owners and ownership edges walked) for one transaction.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_steps_per_transaction)]
    max_steps_per_transaction: u64,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_bytes,
            max_yaml_depth: self.max_yaml_depth,
            max_yaml_aliases: self.max_yaml_aliases,
            max_yaml_nodes: self.max_yaml_nodes,
            max_parties: self.max_parties,
            max_ownership_edges: self.max_ownership_edges,
            max_items: self.max_items,
            max_transactions: self.max_transactions,
            max_route_hops: self.max_route_hops,
            max_rule_declarations: self.max_rule_declarations,
            max_rule_nesting: self.max_rule_nesting,
            max_rule_tests: self.max_rule_tests,
            max_rule_files: self.max_rule_files,
            max_group_members: self.max_group_members,
            max_steps_per_transaction: self.max_steps_per_transaction,
        }
    }
}

#[derive(Args)]
struct CheckArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Judge every transaction as if it took place on this date (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    #[command(flatten)]
    screening: ScreeningArgs,
    /// With `--format human`: the full reasoning of every finding, with the transaction
    /// file's and the rules' lines underlined (the default report is brief).
    #[arg(long)]
    detail: bool,
    #[command(flatten)]
    inputs: InputArgs,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The transaction files to judge, and the facts they share.
#[derive(Args)]
struct InputArgs {
    /// A facts file (repeatable): parties, items and facilities shared by the transaction
    /// files, in the transaction-file format without `transactions` (YAML or JSON).
    #[arg(long = "facts", value_name = "FILE")]
    facts: Vec<PathBuf>,
    /// Transaction files (YAML, JSON, `.jsonl`, `.csv`), or folders of them (every such file
    /// inside, at any depth, in name order); `-` reads YAML from standard input.
    #[arg(value_name = "FILE|FOLDER", required = true)]
    files: Vec<String>,
}

#[derive(Args)]
struct TestArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: TestFormat,
    #[command(flatten)]
    limits: LimitArgs,
    /// Check only this transaction of the cases (repeatable).
    #[arg(long, value_name = "ID")]
    only: Vec<String>,
    /// Write the verdicts the rules give now as the cases' expectations (edited in place,
    /// comments and order kept), then run the cases.
    #[arg(long)]
    bless: bool,
    /// Case files, or folders of them (every `.yaml`/`.yml` inside).
    #[arg(value_name = "CASES", required = true)]
    cases: Vec<PathBuf>,
}

#[derive(Args)]
struct DiffArgs {
    /// The rules before the change: a rule file or folder, or a git revision (`HEAD~1`
    /// reads `rules/` at that commit; `REV:PATH` another folder).
    #[arg(long, value_name = "OLD")]
    base: String,
    /// The rules after the change (repeatable); default: the built-in pack.
    #[command(flatten)]
    rules: RuleArgs,
    /// Judge every transaction as if it took place on this date (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: DiffFormat,
    #[command(flatten)]
    limits: LimitArgs,
    /// Transaction files or test case files (a case's facts are judged), or folders of them.
    #[arg(value_name = "FILES", required = true)]
    files: Vec<PathBuf>,
}

#[derive(Args)]
struct ExplainArgs {
    #[command(flatten)]
    rules: RuleArgs,
    /// The transaction to explain.
    #[arg(long, short = 't', value_name = "ID")]
    transaction: String,
    /// Judge the transaction as if it took place on this date (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: ExplainFormat,
    #[command(flatten)]
    screening: ScreeningArgs,
    #[command(flatten)]
    limits: LimitArgs,
    /// A transaction file or a test case file (`-` reads standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

// --- serve (issue 14): the allocator (see the `mimalloc` feature in Cargo.toml).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
// --- end serve

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let style = terminal_style();
    match cli.command {
        Command::Check(args) => check(args, style),
        Command::Classify(args) => classify(args, style),
        Command::Rules(args) => list_rules(args, style),
        Command::Test(args) => test(args, style),
        Command::Diff(args) => diff_command(args, style),
        Command::Explain(args) => explain_command(args, style),
        Command::Screen(args) => screen_command(args, style),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve_command(args, style),
        Command::Schema => {
            print(&(chipgate::schema::json() + "\n"));
            ExitCode::SUCCESS
        }
    }
}

fn terminal_style() -> human::Style {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    human::Style {
        color: !no_color && std::io::stdout().is_terminal(),
        unicode: true,
        width,
    }
}

/// Prints diagnostics on stderr; returns exit code 2 ("nothing was judged").
fn fail(error: &Error, style: human::Style) -> ExitCode {
    let err_style = human::Style {
        color: style.color && std::io::stderr().is_terminal(),
        ..style
    };
    let mut stderr = std::io::stderr().lock();
    for d in &error.diagnostics {
        let _ = stderr.write_all(human::diagnostic(d, err_style).as_bytes());
    }
    ExitCode::from(2)
}

fn load_rules(args: &RuleArgs, limits: &Limits) -> Result<RuleSet, Error> {
    if args.rules.is_empty() {
        RuleSet::builtin()
    } else {
        RuleSet::from_paths(&args.rules, limits)
    }
}

/// Transaction files read: those that could be judged, and the diagnostics of those that
/// could not (with how many there were).
struct Loaded {
    files: Vec<TransactionFile>,
    refused: Vec<chipgate::Diagnostic>,
    bad: usize,
}

/// Reads the facts files, then every transaction file (folders expanded). Facts files that
/// do not read stop everything (no transaction file can be judged without them); a
/// transaction file that does not read is reported, and the others are judged.
fn load_inputs(args: &InputArgs, limits: &Limits) -> Result<Loaded, Error> {
    let shared = if args.facts.is_empty() {
        None
    } else {
        Some(std::sync::Arc::new(chipgate::facts::Shared::from_paths(
            &args.facts,
            limits,
        )?))
    };
    let mut loaded = Loaded {
        files: Vec::new(),
        refused: Vec::new(),
        bad: 0,
    };
    // A facts file inside a folder of transaction files is not one of them.
    let facts: Vec<PathBuf> = args
        .facts
        .iter()
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    for path in corpus::expand_inputs(&args.files) {
        if let Ok(p) = &path {
            if std::fs::canonicalize(p).is_ok_and(|c| facts.contains(&c)) {
                continue;
            }
        }
        let result = path.and_then(|p| {
            chipgate::facts::read(&p, limits)
                .and_then(|source| TransactionFile::parse_with(source, shared.as_ref(), limits))
        });
        match result {
            Ok(f) => loaded.files.push(f),
            Err(e) => {
                loaded.bad += 1;
                loaded.refused.extend(e.diagnostics);
            }
        }
    }
    Ok(loaded)
}

/// Prints diagnostics on stderr, without deciding the exit code.
fn report_refused(diagnostics: &[chipgate::Diagnostic], style: human::Style) {
    let err_style = human::Style {
        color: style.color && std::io::stderr().is_terminal(),
        ..style
    };
    let mut stderr = std::io::stderr().lock();
    for d in diagnostics {
        let _ = stderr.write_all(human::diagnostic(d, err_style).as_bytes());
    }
}

fn check(args: CheckArgs, style: human::Style) -> ExitCode {
    let limits = args.limits.limits();
    let rules = match load_rules(&args.rules, &limits) {
        Ok(r) => r,
        Err(e) => return fail(&e, style),
    };
    let mut loaded = match load_inputs(&args.inputs, &limits) {
        Ok(l) => l,
        Err(e) => return fail(&e, style),
    };
    if let Err(e) = args.screening.apply(&mut loaded.files, &limits) {
        return fail(&e, style);
    }
    if loaded.files.is_empty() {
        // Nothing could be judged: diagnostics only, nothing on standard output.
        return fail(&Error::from(loaded.refused), style);
    }
    let (code, refused) = match args.format {
        Format::Json | Format::Human => stream_check(&args, &rules, &loaded.files, &limits, style),
        _ => collected_check(&args, &rules, &loaded.files, &limits, style),
    };
    let bad = loaded.bad + usize::from(!refused.is_empty());
    report_refused(&loaded.refused, style);
    report_refused(&refused, style);
    // The process ends here: freeing a large file's facts one allocation at a time would
    // only delay the exit (the system takes the memory back at once).
    std::mem::forget(loaded);
    std::mem::forget(rules);
    if bad > 0 {
        ExitCode::from(2)
    } else {
        code
    }
}

/// Human and JSON reports stream out as they are judged (rendered on all cores for large
/// files), so memory holds one batch of them, never the whole run's. Output is held back
/// until it reaches [`HOLD_BACK`] bytes, so that a file with a transaction refused at the
/// step limit leaves no report of that file (its diagnostics say why), unless the run's
/// output was already too large to hold back. Returns the exit code of the verdicts and
/// the diagnostics of the files refused.
fn stream_check(
    args: &CheckArgs,
    rules: &RuleSet,
    files: &[TransactionFile],
    limits: &Limits,
    style: human::Style,
) -> (ExitCode, Vec<chipgate::Diagnostic>) {
    const HOLD_BACK: usize = 4 << 20;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut held: Vec<u8> = Vec::new();
    let mut flushes = 0usize;
    let mut counts = [0usize; 5];
    let mut total = 0usize;
    let mut refused: Vec<chipgate::Diagnostic> = Vec::new();
    let mut json = report::json::Stream::default();
    let mut brief = human::Brief::new(style);
    let mut orders = report::orders::Orders::default();
    if args.format == Format::Json {
        held.extend_from_slice(report::json::Stream::head(rules).as_bytes());
    }
    /// One transaction's report, rendered on any thread.
    enum Text {
        Done(String),
        Brief(Box<human::BriefParts>),
    }
    for file in files {
        // Where this file's reports begin, to take them back if it is refused.
        let mark = (
            held.len(),
            flushes,
            counts,
            total,
            json.clone(),
            brief.clone(),
            orders.clone(),
        );
        let checker = rules.checker_with_limits(file, limits);
        let name = file.source.name();
        let mut over_limit: Vec<String> = Vec::new();
        let render = |r: TransactionReport| {
            let at_limit = r.stopped.is_some();
            let text = match (args.format, args.detail) {
                (Format::Json, _) => Text::Done(report::json::item(&r)),
                (_, true) => Text::Done(human::transaction(&r, rules, style)),
                (_, false) => Text::Brief(Box::new(human::Brief::parts(&r, style))),
            };
            (r.verdict, at_limit, r.id, r.order, text)
        };
        chipgate::check::stream(
            &checker,
            args.as_of,
            render,
            |(verdict, at_limit, id, order, text)| {
                if at_limit {
                    over_limit.push(id.clone());
                }
                if !over_limit.is_empty() {
                    return;
                }
                if let Some(slot) = Verdict::ALL
                    .iter()
                    .position(|v| *v == verdict)
                    .and_then(|i| counts.get_mut(i))
                {
                    *slot += 1;
                }
                total += 1;
                let text = match text {
                    Text::Done(t) => t,
                    Text::Brief(parts) => brief.push(*parts),
                };
                match args.format {
                    Format::Json => {
                        json.order_line(order.as_deref(), &id, name, verdict);
                        held.extend_from_slice(json.separator().as_bytes());
                    }
                    _ => {
                        if let Some(order) = &order {
                            orders.line(order, &id, name, verdict);
                        }
                    }
                }
                held.extend_from_slice(text.as_bytes());
                if held.len() >= HOLD_BACK {
                    let _ = out.write_all(&held);
                    held.clear();
                    flushes += 1;
                }
            },
        );
        if over_limit.is_empty() {
            continue;
        }
        for id in over_limit {
            if let Some(i) = file.transactions.iter().position(|t| t.id == id) {
                if let Err(d) = checker.try_check(i, args.as_of) {
                    refused.push(d);
                }
            }
        }
        if flushes == mark.1 {
            held.truncate(mark.0);
            (counts, total, json, brief, orders) = (mark.2, mark.3, mark.4, mark.5, mark.6);
        }
    }
    let tail = match (args.format, args.detail) {
        (Format::Json, _) => format!("{}\n", json.tail()),
        (_, true) => {
            let tally: Vec<(Verdict, usize)> = Verdict::ALL.iter().copied().zip(counts).collect();
            human::orders(&orders, style) + &human::summary_of(&tally, total, rules)
        }
        (_, false) => brief.tail(rules),
    };
    if total > 0 || refused.is_empty() {
        held.extend_from_slice(tail.as_bytes());
        let _ = out.write_all(&held);
    }
    let _ = out.flush();
    let code = exit_for(
        Verdict::ALL
            .iter()
            .zip(counts)
            .any(|(v, n)| v.blocks() && n > 0),
    );
    (code, refused)
}

/// The formats that describe a whole run at once (SARIF, JUnit, GitHub annotations, JSON
/// lines) collect the reports first; a file with a transaction refused at the step limit is
/// left out, with its diagnostics.
fn collected_check(
    args: &CheckArgs,
    rules: &RuleSet,
    files: &[TransactionFile],
    limits: &Limits,
    style: human::Style,
) -> (ExitCode, Vec<chipgate::Diagnostic>) {
    let mut reports: Vec<TransactionReport> = Vec::new();
    let mut refused = Vec::new();
    for f in files {
        match rules.try_check(f, args.as_of, limits) {
            Ok(r) => reports.extend(r),
            Err(e) => refused.extend(e.diagnostics),
        }
    }
    if reports.is_empty() && !refused.is_empty() {
        return (ExitCode::from(2), refused);
    }
    let text = match args.format {
        Format::Sarif => report::sarif::render(rules, &reports) + "\n",
        Format::Junit => report::junit::check(rules, &reports),
        Format::Github => report::github::render(&reports),
        Format::Jsonl => report::jsonl::render(rules, &reports),
        Format::Json => report::json::render(&report::Report::new(rules, &reports)) + "\n",
        Format::Table => report::table::render(rules, &reports, style.width),
        Format::Html => report::html::render(rules, files, &reports),
        Format::Human if args.detail => human::detailed_report(&reports, rules, style),
        Format::Human => human::brief_report(&reports, rules, style),
    };
    print(&text);
    (
        exit_for(reports.iter().any(|r| r.verdict.blocks())),
        refused,
    )
}

fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// 1 when something blocks or changed, else 0.
fn exit_for(flagged: bool) -> ExitCode {
    if flagged {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn test(args: TestArgs, style: human::Style) -> ExitCode {
    let limits = args.limits.limits();
    let rules = match load_rules(&args.rules, &limits) {
        Ok(r) => r,
        Err(e) => return fail(&e, style),
    };
    if args.bless {
        match cases::bless(&args.cases, &rules, &limits, &args.only) {
            Ok(changes) => {
                let mut err = std::io::stderr().lock();
                for c in &changes {
                    let _ = writeln!(err, "blessed {} {}: {}", c.file, c.id, c.change);
                }
                if changes.is_empty() {
                    let _ = writeln!(err, "blessed nothing: every expectation holds");
                }
            }
            Err(e) => return fail(&e, style),
        }
    }
    let loaded = match cases::load_all(&args.cases, &rules, &limits) {
        Ok(c) if args.only.is_empty() => c,
        Ok(c) => match cases::only(c, &args.only) {
            Ok(c) => c,
            Err(e) => return fail(&e, style),
        },
        Err(e) => return fail(&e, style),
    };
    let result = cases::run_all(&loaded, &rules);
    let text = match args.format {
        TestFormat::Human => report::suite::human(&result, &rules),
        TestFormat::Json => report::suite::json(&result, &rules) + "\n",
        TestFormat::Junit => report::suite::junit(&result, &rules),
        TestFormat::Github => report::suite::github(&result),
    };
    print(&text);
    exit_for(!result.passed())
}

fn diff_command(args: DiffArgs, style: human::Style) -> ExitCode {
    let limits = args.limits.limits();
    let (base, base_side) = match diff::load_base(&args.base, &limits) {
        Ok(b) => b,
        Err(e) => return fail(&e, style),
    };
    let new = match load_rules(&args.rules, &limits) {
        Ok(r) => r,
        Err(e) => return fail(&e, style),
    };
    let new_label = if args.rules.rules.is_empty() {
        "built-in".to_string()
    } else {
        let names: Vec<String> = args
            .rules
            .rules
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        names.join(", ")
    };
    let inputs = match corpus::load(&args.files, &limits) {
        Ok(i) => i,
        Err(e) => return fail(&e, style),
    };
    let new_side = diff::Side::new(new_label, &new);
    let report = diff::diff((&base, base_side), (&new, new_side), &inputs, args.as_of);
    let text = match args.format {
        DiffFormat::Human => report::changes::human(&report),
        DiffFormat::Json => report::changes::json(&report) + "\n",
    };
    print(&text);
    exit_for(!report.changes.is_empty())
}

fn explain_command(args: ExplainArgs, style: human::Style) -> ExitCode {
    let limits = args.limits.limits();
    let rules = match load_rules(&args.rules, &limits) {
        Ok(r) => r,
        Err(e) => return fail(&e, style),
    };
    let mut input = match corpus::load_one(&args.file, &limits) {
        Ok(i) => i,
        Err(e) => return fail(&e, style),
    };
    if let Err(e) = args
        .screening
        .apply(std::slice::from_mut(&mut input.facts), &limits)
    {
        return fail(&e, style);
    }
    let as_of = args.as_of.or(input.as_of);
    let explanation = match explain::explain(&rules, &input.facts, &args.transaction, as_of) {
        Ok(x) => x,
        Err(e) => return fail(&e, style),
    };
    let text = match args.format {
        ExplainFormat::Human => explain::human(&explanation, &rules, style),
        ExplainFormat::Json => explain::json(&explanation, &rules) + "\n",
        ExplainFormat::Dot => explain::dot(&explanation),
        ExplainFormat::Mermaid => explain::mermaid(&explanation),
    };
    print(&text);
    exit_for(explanation.report.verdict.blocks())
}

/// `chipgate screen`: exit 0 when no party matches, 1 when one does (a match is for a
/// person to look at), 2 when a file or list cannot be read.
fn screen_command(args: ScreenArgs, style: human::Style) -> ExitCode {
    let limits = args.limits.limits();
    let loaded = match load_inputs(&args.inputs, &limits) {
        Ok(l) => l,
        Err(e) => return fail(&e, style),
    };
    if !loaded.refused.is_empty() {
        return fail(&Error::from(loaded.refused), style);
    }
    let files = loaded.files;
    let screening = match chipgate::screen::Screening::load(&args.lists, &limits) {
        Ok(s) => s,
        Err(e) => return fail(&e, style),
    };
    let found: Vec<_> = files.iter().map(|f| (f, screening.matches(f))).collect();
    let any = found
        .iter()
        .any(|(_, ms)| ms.iter().any(|pm| !pm.matches.is_empty()));
    let text = match args.format {
        ScreenFormat::Human => report::screening::human(&screening, &found),
        ScreenFormat::Json => report::screening::json(&screening, &found),
    };
    print(&text);
    exit_for(any)
}

fn classify(args: ClassifyArgs, style: human::Style) -> ExitCode {
    let limits = args.limits.limits();
    let rules = match load_rules(&args.rules, &limits) {
        Ok(r) => r,
        Err(e) => return fail(&e, style),
    };
    let loaded = match (&args.file, args.as_of) {
        (Some(name), _) => chipgate::facts::read(std::path::Path::new(name), &limits)
            .and_then(|source| TransactionFile::parse(source, &limits)),
        (None, Some(date)) => catalogue_file(date, &limits),
        (None, None) => catalogue_file(Date::MIN, &limits),
    };
    let file = match loaded {
        Ok(f) => f,
        Err(e) => return fail(&e, style),
    };
    let date = args
        .as_of
        .or_else(|| file.transactions.iter().map(|t| t.date).max())
        .unwrap_or(Date::MIN);
    let checker = rules.checker(&file);
    let items: Vec<_> = (0..file.items.len())
        .filter_map(|i| checker.classify(i, date))
        .collect();
    let text = match args.format {
        ListFormat::Human => report::listing::classifications_text(&items),
        ListFormat::Markdown => report::listing::classifications_markdown(&items, &file),
        ListFormat::Json => serde_json::to_string_pretty(&items).unwrap_or_default() + "\n",
    };
    print(&text);
    ExitCode::SUCCESS
}

fn list_rules(args: RulesArgs, style: human::Style) -> ExitCode {
    let rules = match load_rules(&args.rules, &Limits::default()) {
        Ok(r) => r,
        Err(e) => return fail(&e, style),
    };
    let summaries = rules.rule_summaries();
    let text = match args.format {
        ListFormat::Human => report::listing::rules_text(&summaries),
        ListFormat::Markdown => report::listing::rules_markdown(&summaries),
        ListFormat::Json => serde_json::to_string_pretty(&summaries).unwrap_or_default() + "\n",
    };
    print(&text);
    ExitCode::SUCCESS
}

// --- serve (issue 14): `chipgate serve`; the service itself is `chipgate::serve`.
#[cfg(feature = "serve")]
#[derive(Args)]
struct ServeArgs {
    /// The address to listen on (port 0: any free port; the address is printed on stderr).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8181")]
    listen: std::net::SocketAddr,
    #[command(flatten)]
    rules: RuleArgs,
    #[command(flatten)]
    screening: ScreeningArgs,
    /// A facts file (repeatable): parties, items and facilities the bodies may refer to, as
    /// for `check --facts`; re-read by every reload.
    #[arg(long = "facts", value_name = "FILE")]
    facts: Vec<PathBuf>,
    /// A file whose first line is the bearer token every endpoint but /health requires
    /// (default: the CHIPGATE_TOKEN environment variable; neither: no token).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Append a decision record (as `check --format jsonl`) per judged transaction, on disk
    /// before the answer is sent.
    #[arg(long, value_name = "FILE")]
    decision_log: Option<PathBuf>,
    /// How far a decision record is pushed before answering: `fsync` (on disk) or `write`
    /// (in the kernel: survives a killed server, not a crashed machine).
    #[arg(long, value_enum, default_value = "fsync", value_name = "HOW")]
    decision_log_sync: LogSync,
    /// Longest wait for a request's headers, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    header_timeout: f64,
    /// Longest wait for a request's whole body, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    body_timeout: f64,
    /// Most connections open at once.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_connections: usize,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[cfg(feature = "serve")]
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum LogSync {
    Fsync,
    Write,
}

#[cfg(feature = "serve")]
fn serve_command(args: ServeArgs, style: human::Style) -> ExitCode {
    use std::time::Duration;
    let token = match chipgate::serve::token(args.token_file.as_deref()) {
        Ok(t) => t,
        Err(e) => return fail(&e, style),
    };
    let seconds = |s: f64| Duration::try_from_secs_f64(s).unwrap_or(Duration::from_secs(30));
    let mut config = chipgate::serve::Config::new(args.listen);
    config.rules = args.rules.rules;
    config.screening = args.screening.screening;
    config.facts = args.facts;
    config.limits = args.limits.limits();
    config.token = token;
    config.decision_log = args.decision_log;
    config.log_durability = match args.decision_log_sync {
        LogSync::Fsync => chipgate::serve::Durability::Fsync,
        LogSync::Write => chipgate::serve::Durability::Write,
    };
    config.header_timeout = seconds(args.header_timeout);
    config.body_timeout = seconds(args.body_timeout);
    config.max_connections = args.max_connections;
    config.workers = args.workers;
    match chipgate::serve::run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, style),
    }
}
// --- end serve
