//! The `chipgate` command: arguments, exit codes and the choice of renderer. Every decision
//! is made by the library.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use chipgate::report::{self, human};

use chipgate::{
    Date, Diagnostic, Error, Limits, RuleSet, TransactionFile, TransactionReport, Verdict,
};

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

#[derive(Args)]
struct LimitArgs {
    /// Largest input file, in bytes.
    #[arg(long, value_name = "BYTES")]
    max_file_bytes: Option<usize>,
    /// Deepest YAML flow nesting.
    #[arg(long, value_name = "N")]
    max_yaml_depth: Option<usize>,
    /// Most YAML aliases in one file.
    #[arg(long, value_name = "N")]
    max_yaml_aliases: Option<usize>,
    /// Most parties in one file.
    #[arg(long, value_name = "N")]
    max_parties: Option<usize>,
    /// Most ownership edges in one file.
    #[arg(long, value_name = "N")]
    max_ownership_edges: Option<usize>,
    /// Most transactions in one file.
    #[arg(long, value_name = "N")]
    max_transactions: Option<usize>,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        let mut l = Limits::default();
        if let Some(v) = self.max_file_bytes {
            l.max_file_bytes = v;
        }
        if let Some(v) = self.max_yaml_depth {
            l.max_yaml_depth = v;
        }
        if let Some(v) = self.max_yaml_aliases {
            l.max_yaml_aliases = v;
        }
        if let Some(v) = self.max_parties {
            l.max_parties = v;
        }
        if let Some(v) = self.max_ownership_edges {
            l.max_ownership_edges = v;
        }
        if let Some(v) = self.max_transactions {
            l.max_transactions = v;
        }
        l
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
    limits: LimitArgs,
    /// Transaction files (`-` reads standard input).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<String>,
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
    // Reports stream out as they are judged (rendered on all cores for large files), so
    // memory holds one batch of them, never the whole run's.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut counts = [0usize; 5];
    let mut total = 0usize;
    let mut json = report::json::Stream::default();
    if args.format == Format::Json {
        let _ = out.write_all(report::json::Stream::head(&rules).as_bytes());
    }
    for file in &files {
        let render = |r: TransactionReport| {
            let text = match args.format {
                Format::Json => report::json::item(&r),
                Format::Human => human::transaction(&r, &rules, style),
            };
            (r.verdict, text)
        };
        rules.check_streaming(file, args.as_of, render, |(verdict, text)| {
            if let Some(slot) = Verdict::ALL
                .iter()
                .position(|v| *v == verdict)
                .and_then(|i| counts.get_mut(i))
            {
                *slot += 1;
            }
            total += 1;
            if args.format == Format::Json {
                let _ = out.write_all(json.separator().as_bytes());
            }
            let _ = out.write_all(text.as_bytes());
        });
    }
    let tail = match args.format {
        Format::Json => format!("{}\n", json.tail()),
        Format::Human => {
            let tally: Vec<(Verdict, usize)> = Verdict::ALL.iter().copied().zip(counts).collect();
            human::summary_of(&tally, total, &rules)
        }
    };
    let _ = out.write_all(tail.as_bytes());
    let _ = out.flush();
    // The process ends here: freeing a large file's facts one allocation at a time would
    // only delay the exit (the system takes the memory back at once).
    std::mem::forget(files);
    std::mem::forget(rules);
    let blocked = Verdict::ALL
        .iter()
        .zip(counts)
        .any(|(v, n)| v.blocks() && n > 0);
    if blocked {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
