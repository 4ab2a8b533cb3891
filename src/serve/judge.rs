//! What each endpoint computes, without HTTP: a request body in, the bytes the matching CLI
//! command prints out (or the diagnostics it would print, with the status that fits them).
//! Every answer is made by the same library calls as `chipgate check`, `explain` and
//! `classify`, so the service and the command cannot drift apart; the tests compare their
//! bytes.

use std::sync::Arc;

use crate::date::Date;
use crate::diag::{Code, Error};
use crate::facts::spans::SpanIndex;
use crate::facts::TransactionFile;
use crate::finding::{TransactionReport, Verdict};
use crate::ir::RuleSet;
use crate::limits::Limits;
use crate::report;
use crate::serve::errors::{self, ErrorEntry};
use crate::source::SourceFile;

/// What the body says it is (`Content-Type`), or looks like (its first character).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFormat {
    Yaml,
    Json,
}

impl BodyFormat {
    /// `application/json` (or any `+json`) is JSON; the YAML media types are YAML; anything
    /// else (none, `text/plain`, curl's default form type) is sniffed: a body whose first
    /// character (after white space and a byte-order mark) is `{` or `[` is JSON.
    pub fn of(content_type: Option<&str>, body: &[u8]) -> BodyFormat {
        let essence = content_type
            .and_then(|c| c.split(';').next())
            .map(|c| c.trim().to_ascii_lowercase());
        match essence.as_deref() {
            Some("application/json") => return BodyFormat::Json,
            Some(c) if c.ends_with("+json") => return BodyFormat::Json,
            Some(
                "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml"
                | "application/yml",
            ) => return BodyFormat::Yaml,
            _ => {}
        }
        let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => BodyFormat::Json,
            _ => BodyFormat::Yaml,
        }
    }
}

/// A request the service will not judge: the HTTP status and the diagnostics.
#[derive(Debug)]
pub struct Refusal {
    pub status: u16,
    pub errors: Vec<ErrorEntry>,
}

impl Refusal {
    /// A file that could not be read or is not a valid transaction file: 400, or 413 when
    /// it is over `--max-file-bytes`.
    fn invalid(error: &Error) -> Refusal {
        let status = if errors::is_too_large(error) {
            413
        } else {
            400
        };
        Refusal {
            status,
            errors: errors::entries(error),
        }
    }

    /// A valid file whose judgement was refused at the step limit: 422.
    fn over_limit(error: &Error) -> Refusal {
        Refusal {
            status: 422,
            errors: errors::entries(error),
        }
    }

    pub fn new(status: u16, errors: Vec<ErrorEntry>) -> Refusal {
        Refusal { status, errors }
    }
}

/// Decodes a body as the CLI decodes a file: size, NUL bytes, UTF-8.
fn decode(name: &str, body: Vec<u8>, limits: &Limits) -> Result<Arc<SourceFile>, Refusal> {
    crate::facts::decode(name, body, limits).map_err(|e| Refusal::invalid(&e))
}

/// Loads a transaction file from a body. JSON is read by the same loader as YAML (JSON is
/// YAML), so positions and messages are the CLI's; but when a JSON body is refused and is
/// not valid JSON at all, the YAML reading of it (YAML accepts much that JSON does not, such
/// as `{"id": }`) would mislead, so the JSON parser's complaint, with its line and column, is
/// given instead.
fn load(
    source: Arc<SourceFile>,
    format: BodyFormat,
    facts: Option<&Arc<crate::facts::Shared>>,
    limits: &Limits,
) -> Result<TransactionFile, Refusal> {
    TransactionFile::parse_with(Arc::clone(&source), facts, limits)
        .map_err(|e| refusal_for(&e, &source, format))
}

fn refusal_for(error: &Error, source: &Arc<SourceFile>, format: BodyFormat) -> Refusal {
    if format == BodyFormat::Json && !errors::is_too_large(error) {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(source.text()) {
            return Refusal::new(400, vec![json_syntax(&e, source.name())]);
        }
    }
    Refusal::invalid(error)
}

fn json_syntax(e: &serde_json::Error, name: &str) -> ErrorEntry {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).unwrap_or(&text).to_string();
    ErrorEntry {
        code: Code::FactsJsonSyntax,
        message: format!("`{name}` is not valid JSON: {message}"),
        file: Some(name.to_string()),
        line: Some(e.line()),
        column: Some(e.column()),
        help: Some(
            "the body was read as JSON (by its Content-Type, or because it starts with `{` or `[`); fix the syntax, or send YAML as application/yaml".into(),
        ),
    }
}

/// `POST /v1/check`: the JSON report and, for the decision log, the decision records.
#[derive(Debug)]
pub struct Checked {
    /// Exactly what `chipgate check --format json` prints.
    pub report: String,
    /// Exactly what `chipgate check --format jsonl` prints (empty unless asked for).
    pub records: Vec<u8>,
    pub verdicts: Vec<Verdict>,
}

/// Files with this many transactions are judged on all cores ([`crate::check::stream`]).
const PARALLEL_FROM: usize = 512;

/// Judges every transaction of a body, within the limits, as `chipgate check` does.
pub fn check(
    loaded: &super::http::Loaded,
    name: &str,
    body: Vec<u8>,
    format: BodyFormat,
    as_of: Option<Date>,
    limits: &Limits,
    with_records: bool,
) -> Result<Checked, Refusal> {
    let (rules, screening) = (&loaded.rules, loaded.screening.as_ref());
    let source = decode(name, body, limits)?;
    let mut file = load(source, format, loaded.facts.as_ref(), limits)?;
    if let Some(s) = screening {
        s.apply(&mut file);
    }
    let reports = judge_all(rules, &file, as_of, limits)?;
    let report = report::json::render(&report::Report::new(rules, &reports)) + "\n";
    let records = if with_records {
        report::jsonl::render(rules, &reports).into_bytes()
    } else {
        Vec::new()
    };
    Ok(Checked {
        report,
        records,
        verdicts: reports.iter().map(|r| r.verdict).collect(),
    })
}

/// Every transaction's report, refusing the file if one passes the step limit. Large files
/// are judged in parallel and the step-limited ones judged again to get their diagnostics,
/// as the command does.
fn judge_all(
    rules: &RuleSet,
    file: &TransactionFile,
    as_of: Option<Date>,
    limits: &Limits,
) -> Result<Vec<TransactionReport>, Refusal> {
    if file.transactions.len() < PARALLEL_FROM {
        return rules
            .try_check(file, as_of, limits)
            .map_err(|e| Refusal::over_limit(&e));
    }
    let checker = rules.checker_with_limits(file, limits);
    let mut reports = Vec::with_capacity(file.transactions.len());
    crate::check::stream(&checker, as_of, |r| r, |r| reports.push(r));
    let mut refused = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        if r.stopped.is_some() {
            let index = file
                .transactions
                .iter()
                .position(|t| t.id == r.id)
                .unwrap_or(i);
            if let Err(d) = checker.try_check(index, as_of) {
                refused.push(d);
            }
        }
    }
    if refused.is_empty() {
        Ok(reports)
    } else {
        Err(Refusal::over_limit(&Error::from(refused)))
    }
}

/// `POST /v1/explain?id=T`: the explanation, and the report of the transaction it judged.
#[derive(Debug)]
pub struct Explained {
    /// Exactly what `chipgate explain --format json` prints.
    pub text: String,
    pub report: TransactionReport,
}

impl Explained {
    /// The transaction's decision record, as `chipgate check --format jsonl` writes it.
    pub fn record(&self, rules: &RuleSet) -> Vec<u8> {
        report::jsonl::render(rules, std::slice::from_ref(&self.report)).into_bytes()
    }
}

/// `POST /v1/explain?id=T`: what `chipgate explain --format json` prints for the
/// transaction. The body may be a transaction file or, as for the command, a rule test case
/// with its facts inline (its `as_of` applies unless the query gives one); a case naming a
/// `facts_file` is refused, since the service reads no file a request names. Explaining
/// judges the transaction, so it is a decision like any of `/v1/check`'s, logged as one.
pub fn explain(
    loaded: &super::http::Loaded,
    name: &str,
    body: Vec<u8>,
    format: BodyFormat,
    id: &str,
    as_of: Option<Date>,
    limits: &Limits,
) -> Result<Explained, Refusal> {
    let (rules, screening) = (&loaded.rules, loaded.screening.as_ref());
    let source = decode(name, body, limits)?;
    let top_keys = SpanIndex::build(&source, None).keys(&[]);
    let is_case = top_keys
        .iter()
        .any(|k| matches!(k.as_str(), "expect" | "facts" | "facts_file"));
    let (facts, case_as_of) = if is_case {
        if top_keys
            .iter()
            .any(|k| k == "facts_file" || k == "screening")
        {
            return Err(Refusal::new(
                400,
                vec![ErrorEntry::plain(
                    Code::ServeFactsFile,
                    format!(
                        "`{name}` names a `facts_file` or `screening` lists; the service reads no file a request names"
                    ),
                    Some(
                        "put the facts in the case (`facts:`), or send the transaction file itself; the service screens against the lists it was started with (`--screening`)",
                    ),
                )],
            ));
        }
        crate::cases::facts_of(Arc::clone(&source), limits)
            .map_err(|e| refusal_for(&e, &source, format))?
    } else {
        (load(source, format, loaded.facts.as_ref(), limits)?, None)
    };
    let mut facts = facts;
    if let Some(s) = screening {
        s.apply(&mut facts);
    }
    let as_of = as_of.or(case_as_of);
    // The command explains with the default step budget; the service holds every request
    // to its --max-steps-per-transaction first, as /v1/check does.
    if let Some(index) = facts.transactions.iter().position(|t| t.id == id) {
        let checker = rules.checker_with_limits(&facts, limits);
        if let Err(d) = checker.try_check(index, as_of) {
            return Err(Refusal::over_limit(&Error::one(d)));
        }
    }
    match crate::explain::explain(rules, &facts, id, as_of) {
        Ok(x) => Ok(Explained {
            text: crate::explain::json(&x, rules) + "\n",
            report: x.report,
        }),
        Err(e) => {
            let unknown = e
                .diagnostics
                .iter()
                .any(|d| d.code == Code::ExplainUnknownTransaction);
            Err(Refusal::new(
                if unknown { 404 } else { 400 },
                errors::entries(&e),
            ))
        }
    }
}

/// `POST /v1/classify`: what `chipgate classify --format json` prints: every item's
/// classification on `as_of`, or on the latest transaction date in the file.
pub fn classify(
    loaded: &super::http::Loaded,
    name: &str,
    body: Vec<u8>,
    format: BodyFormat,
    as_of: Option<Date>,
    limits: &Limits,
) -> Result<String, Refusal> {
    let source = decode(name, body, limits)?;
    let rules = &loaded.rules;
    let file = load(source, format, loaded.facts.as_ref(), limits)?;
    let date = as_of
        .or_else(|| file.transactions.iter().map(|t| t.date).max())
        .unwrap_or(Date::MIN);
    let checker = rules.checker(&file);
    let items: Vec<_> = (0..file.items.len())
        .filter_map(|i| checker.classify(i, date))
        .collect();
    Ok(serde_json::to_string_pretty(&items).unwrap_or_default() + "\n")
}

/// `POST /v1/screen`: what `chipgate screen --format json` prints for the body's parties,
/// against the lists the service was started with.
pub fn screen(
    loaded: &super::http::Loaded,
    name: &str,
    body: Vec<u8>,
    format: BodyFormat,
    limits: &Limits,
) -> Result<String, Refusal> {
    let Some(screening) = loaded.screening.as_ref() else {
        return Err(Refusal::new(
            404,
            vec![ErrorEntry::plain(
                Code::ServeNotFound,
                "no screening lists are loaded",
                Some("start the service with --screening LIST (a CSL file, or `pack`)"),
            )],
        ));
    };
    let source = decode(name, body, limits)?;
    let file = load(source, format, loaded.facts.as_ref(), limits)?;
    let found = screening.matches(&file);
    Ok(report::screening::json(screening, &[(&file, found)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_format_follows_the_content_type_then_the_first_character() {
        let json = BodyFormat::Json;
        let yaml = BodyFormat::Yaml;
        assert_eq!(
            BodyFormat::of(Some("application/json"), b"parties: []"),
            json
        );
        assert_eq!(
            BodyFormat::of(Some("Application/JSON; charset=utf-8"), b""),
            json
        );
        assert_eq!(
            BodyFormat::of(Some("application/vnd.chipgate+json"), b""),
            json
        );
        assert_eq!(BodyFormat::of(Some("application/yaml"), b"{}"), yaml);
        assert_eq!(BodyFormat::of(Some("text/yaml"), b"[]"), yaml);
        assert_eq!(BodyFormat::of(None, b"  \n {\"parties\": []}"), json);
        assert_eq!(BodyFormat::of(None, "\u{feff}[1]".as_bytes()), json);
        assert_eq!(
            BodyFormat::of(Some("application/x-www-form-urlencoded"), b"{}"),
            json
        );
        assert_eq!(BodyFormat::of(Some("text/plain"), b"parties:\n"), yaml);
        assert_eq!(BodyFormat::of(None, b""), yaml);
    }

    #[test]
    fn refusals_carry_the_status_their_diagnostics_call_for() {
        let loaded = super::super::http::Loaded {
            rules: RuleSet::builtin().unwrap(),
            screening: None,
            facts: None,
            load_seconds: 0.0,
        };
        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        let too_large = check(
            &loaded,
            "r",
            vec![b'#'; 11],
            BodyFormat::Yaml,
            None,
            &limits,
            false,
        );
        assert_eq!(too_large.unwrap_err().status, 413);
        let bad = check(
            &loaded,
            "r",
            b"parties: [".to_vec(),
            BodyFormat::Yaml,
            None,
            &Limits::default(),
            false,
        );
        let bad = bad.unwrap_err();
        assert_eq!(bad.status, 400);
        assert_eq!(bad.errors[0].code, Code::FactsYamlSyntax);
        assert_eq!(bad.errors[0].line, Some(1));
        let not_json = check(
            &loaded,
            "r",
            b"{\"parties\": }".to_vec(),
            BodyFormat::Json,
            None,
            &Limits::default(),
            false,
        );
        assert_eq!(not_json.unwrap_err().errors[0].code, Code::FactsJsonSyntax);
    }
}
