//! The `chipgate` command: arguments, exit codes and the choice of renderer. Every decision
//! is made by the library.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use chipgate::report::{self, human};
use chipgate::{Date, Diagnostic, Error, Limits, RuleSet, TransactionFile, TransactionReport};

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
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
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
    /// Transaction files (`-` reads standard input).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
    #[command(flatten)]
    limits: LimitArgs,
}

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

/// Reads a file or standard input, never more than the size limit.
fn read_input(name: &str, limits: &Limits) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    let cap = u64::try_from(limits.max_file_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let result = if name == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(name).and_then(|f| f.take(cap).read_to_end(&mut bytes))
    };
    match result {
        Ok(_) => Ok(bytes),
        Err(e) => Err(Error::one(
            Diagnostic::error("input::unreadable", format!("cannot read `{name}`: {e}"))
                .help("check the path; `-` reads standard input"),
        )),
    }
}

fn load_files(names: &[String], limits: &Limits) -> Result<Vec<TransactionFile>, Error> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for name in names {
        let display = if name == "-" {
            "<stdin>"
        } else {
            name.as_str()
        };
        match read_input(name, limits).and_then(|b| TransactionFile::from_bytes(display, b, limits))
        {
            Ok(f) => files.push(f),
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(Error::from(errors))
    }
}

fn check(args: CheckArgs, style: human::Style) -> ExitCode {
    let limits = args.limits.limits();
    let rules = match load_rules(&args.rules, &limits) {
        Ok(r) => r,
        Err(e) => return fail(&e, style),
    };
    let files = match load_files(&args.files, &limits) {
        Ok(f) => f,
        Err(e) => return fail(&e, style),
    };
    let mut reports: Vec<TransactionReport> = Vec::new();
    let mut refused = Vec::new();
    for f in &files {
        match rules.try_check(f, args.as_of, &limits) {
            Ok(r) => reports.extend(r),
            Err(e) => refused.extend(e.diagnostics),
        }
    }
    if !refused.is_empty() {
        return fail(&Error::from(refused), style);
    }
    let mut out = std::io::stdout().lock();
    let text = match args.format {
        Format::Json => report::json::render(&report::Report::new(&rules, &reports)) + "\n",
        Format::Human => {
            let mut s = String::new();
            for r in &reports {
                s.push_str(&human::transaction(r, &rules, style));
            }
            s.push_str(&human::summary(&reports, &rules));
            s
        }
    };
    let _ = out.write_all(text.as_bytes());
    if reports.iter().any(|r| r.verdict.blocks()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
