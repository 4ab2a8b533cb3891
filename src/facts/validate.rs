//! From raw YAML structs to the resolved model: every value checked, every id resolved, every
//! problem reported with its line and column and what to do.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::guard::{self, Exceeded};
use super::raw::*;
use super::spans::{Seg, SpanIndex};
use super::*;
use crate::diag::{did_you_mean, Code, Diagnostic, Error};

/// Stop collecting after this many problems: the first ones are what the user fixes first.
const MAX_ERRORS: usize = 50;

/// Reads a facts file (`--facts`): YAML or JSON, a transaction file without `transactions`.
/// Its values are validated with the others' (`shared::Shared::load`); the validator returned
/// carries what the reading found wrong.
pub(crate) fn read_facts<'l>(
    source: &Arc<SourceFile>,
    limits: &'l Limits,
) -> Result<(RawFacts, Validator<'l>), Error> {
    let text = source.text();
    let validator = Validator::new(Arc::clone(source), limits, None);
    if text.trim().is_empty() {
        return Ok((RawFacts::default(), validator));
    }
    let json = Format::of(source.name()) == Format::Json;
    if !json {
        guard_text(source, limits)?;
    }
    let fast = if json {
        serde_json::from_str::<RawFacts>(text).map_err(|e| {
            (
                e.is_data(),
                Error::one(super::rows::json_error(source, 0, &e)),
            )
        })
    } else {
        match super::fast::from_str::<RawFacts>(text) {
            Some(raw) => Ok(raw),
            None => {
                serde_yaml::from_str::<RawFacts>(text).map_err(|e| (true, yaml_error(source, &e)))
            }
        }
    };
    let fallback = match fast {
        Ok(raw) => return Ok((raw, validator)),
        Err((false, e)) => return Err(e),
        Err((true, e)) => e,
    };
    let Some(node) = super::doc::parse(text, 0) else {
        return Err(fallback);
    };
    let mut reader = super::extract::Reader::new(source, None);
    let raw = reader.file(&node, true);
    let problems = std::mem::take(&mut reader.problems);
    if problems.errors.is_empty() {
        return Err(fallback);
    }
    let facts = RawFacts {
        parties: raw.parties,
        items: raw.items,
        facilities: raw.facilities,
    };
    Ok((facts, validator.after(problems)))
}

/// Guards a file against hostile YAML before serde_yaml reads it (size is checked by the
/// caller): flow nesting and aliases.
pub fn guard_text(source: &Arc<SourceFile>, limits: &Limits) -> Result<(), Error> {
    let text = source.text();
    if let Err(e) = guard::scan(text, limits) {
        let (offset, message, help) = match e {
            Exceeded::Depth { offset, limit } => (
                offset,
                format!("YAML collections nest more than {limit} levels deep"),
                "these files are shallow (at most a few levels); this one is malformed or hostile (the limit is --max-yaml-depth)",
            ),
            Exceeded::Aliases { offset, limit } => (
                offset,
                format!("more than {limit} YAML aliases (`*name`)"),
                "write the values out, or raise the limit with --max-yaml-aliases",
            ),
            Exceeded::Nodes { offset, limit } => (
                offset,
                format!("more than {limit} YAML values"),
                "split the file, or raise the limit with --max-yaml-nodes",
            ),
        };
        return Err(Diagnostic::error(Code::FactsLimit, message)
            .in_file(source)
            .label(Span::new(offset, offset + 1), "here")
            .help(help)
            .into());
    }
    Ok(())
}

/// Validates transaction facts that were read as part of a larger document (a test case's
/// `facts:`), locating problems under that key.
pub(crate) fn from_raw(
    source: Arc<SourceFile>,
    raw: RawFile,
    root: &'static str,
    limits: &Limits,
) -> Result<TransactionFile, Error> {
    Validator::new(source, limits, Some(root)).run(raw)
}

/// serde_yaml's error as a located diagnostic, for other documents read with it.
pub(crate) fn yaml_diagnostic(source: &Arc<SourceFile>, e: &serde_yaml::Error) -> Error {
    yaml_error(source, e)
}

/// serde_yaml's error, reworded in the contract's terms with a suggestion where one helps.
pub(super) fn yaml_error(source: &Arc<SourceFile>, e: &serde_yaml::Error) -> Error {
    let full = e.to_string();
    let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    let body = match full.rfind(" at line ") {
        Some(i) => full.get(..i).unwrap_or(&full),
        None => &full,
    };
    // serde_yaml prefixes the path of the value: `transactions[0].destination: …`.
    let (path, message) = match body.split_once(": ") {
        Some((p, m)) if !p.contains(' ') && !p.is_empty() => (Some(p), m),
        _ => (None, body),
    };
    let offset = source.offset_of(line, col) as usize;
    let rest = source.text().get(offset..).unwrap_or("");
    let len = rest
        .find(['\n', ',', ']', '}', '#'])
        .unwrap_or(rest.len())
        .min(80);
    let span = Span::new(offset, offset + len.max(1));
    let what = path.map_or_else(|| "the file".to_string(), describe_path);

    let (message, help, code) = if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest
            .split('`')
            .skip(1)
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        let mut help = match did_you_mean(field, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? "),
            None => String::new(),
        };
        help.push_str(&format!("{} takes: {}", what, expected.join(", ")));
        (
            format!("unknown key `{field}` in {what}"),
            Some(help),
            Code::FactsUnknownKey,
        )
    } else if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        let help = if field == "transactions" {
            "a transaction file needs a `transactions:` list (see docs/transaction-file.md)"
                .to_string()
        } else {
            format!("add `{field}:` to {what}")
        };
        (
            format!("{what} is missing the required key `{field}`"),
            Some(help),
            Code::FactsMissingKey,
        )
    } else if let Some(rest) = message.strip_prefix("duplicate field `") {
        let field = rest.split('`').next().unwrap_or("");
        (
            format!("the key `{field}` appears twice in {what}"),
            Some("keep one of them".to_string()),
            Code::FactsDuplicateKey,
        )
    } else if let Some(big) = message
        .strip_prefix("invalid type: string \"")
        .and_then(|r| r.split('"').next())
        .filter(|v| v.parse::<f64>().is_ok_and(f64::is_infinite))
    {
        // serde_yaml reads a number too large for a float (`1e400`) as a string.
        (
            format!("{what}: `{big}` is too large to be a number"),
            Some("write a plain number such as `4800` or `5.92`".to_string()),
            Code::FactsWrongType,
        )
    } else if message.starts_with("invalid type") || message.starts_with("invalid value") {
        let mut plain = message
            .replace("expected f64", "expected a number")
            .replace("expected u64", "expected a whole number")
            .replace("expected a sequence", "expected a list");
        for (raw, words) in [
            (
                "struct RawFile",
                "a transaction file (parties, items, facilities, transactions)",
            ),
            ("struct RawParty", "a party (id, name, country, …)"),
            ("struct RawOwner", "an owner entry (party, share)"),
            ("struct RawDesignation", "a designation (list, since)"),
            ("struct RawItem", "an item (id, name, tpp, …)"),
            (
                "struct RawFacility",
                "a facility (id, name, country, operator)",
            ),
            (
                "struct RawTransaction",
                "a transaction (id, kind, date, item, …)",
            ),
            (
                "struct RawAuthorization",
                "an authorization (type, number, issued, notified, …)",
            ),
            ("struct RawCase", "a test case (description, facts, expect)"),
            (
                "struct RawExpect",
                "an expectation (verdict, fires, not_fires, why)",
            ),
        ] {
            plain = plain.replace(raw, words);
        }
        let help = if plain.contains("expected a boolean") {
            Some("write `true` or `false`".to_string())
        } else if plain.contains("expected a list") {
            Some(format!(
                "write {what} as a YAML list, one `- ` entry per line"
            ))
        } else if plain.contains("expected a number") {
            Some("write a plain number such as `4800` or `5.92`".to_string())
        } else {
            None
        };
        (format!("{what}: {plain}"), help, Code::FactsWrongType)
    } else if path.is_none() {
        (
            format!("the file is not valid YAML: {message}"),
            Some("check the indentation and quoting around this line".to_string()),
            Code::FactsYamlSyntax,
        )
    } else {
        (format!("{what}: {message}"), None, Code::FactsInvalid)
    };
    Diagnostic::error(code, message)
        .in_file(source)
        .label(span, path.unwrap_or("here").to_string())
        .maybe_help(help)
        .into()
}

/// `transactions[2].authorizations[0]` → "authorization 1 of transaction 3".
pub(crate) fn describe_path(path: &str) -> String {
    let mut parts = Vec::new();
    for seg in path.split('.') {
        let (name, index) = match seg.split_once('[') {
            Some((n, i)) => (n, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (seg, None),
        };
        let singular = match name {
            "parties" => "party",
            "items" => "item",
            "facilities" => "facility",
            "transactions" => "transaction",
            "owners" => "owner",
            "lists" => "designation",
            "authorizations" => "authorization",
            "route" => "route hop",
            other => other,
        };
        parts.push(match index {
            Some(i) => format!("{singular} {}", i + 1),
            // A key without an index is named as written: `parties`, `route`.
            None => format!("`{name}`"),
        });
    }
    parts.reverse();
    parts.join(" of ")
}

pub(crate) struct Validator<'l> {
    source: Arc<SourceFile>,
    limits: &'l Limits,
    root: Option<&'static str>,
    spans: OnceLock<SpanIndex>,
    errors: Vec<Diagnostic>,
    /// False when only whether there are errors matters (the pieces of a large file, which
    /// are read again in one piece on any error): positions are then not looked up, since
    /// that would index the whole file for each piece.
    locate: bool,
    /// Whether the parties, items and facilities were all valid (derivations that read them
    /// are made only then).
    head_ok: bool,
    /// Values the complete reading (`extract`) already reported: nothing more is said about
    /// them or what is inside them.
    broken: Vec<Vec<P>>,
    /// Kinds of entry (`party`, `item`, `facility`) some of whose ids could not be read:
    /// references to them are not reported as dangling.
    loose: Vec<&'static str>,
    /// For a CSV file, its columns, so that diagnostics name the column.
    columns: Option<Vec<(String, Span)>>,
}

/// A path into the file, owned so validators can build it up.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum P {
    K(&'static str),
    I(usize),
}

impl<'l> Validator<'l> {
    pub(crate) fn new(
        source: Arc<SourceFile>,
        limits: &'l Limits,
        root: Option<&'static str>,
    ) -> Validator<'l> {
        Validator {
            source,
            limits,
            root,
            spans: OnceLock::new(),
            errors: Vec::new(),
            locate: true,
            head_ok: true,
            broken: Vec::new(),
            loose: Vec::new(),
            columns: None,
        }
    }

    /// Takes what the complete reading reported: its diagnostics come first, and the values
    /// it reported are not reported again.
    pub(crate) fn after(mut self, problems: super::extract::Problems) -> Self {
        self.errors.extend(problems.errors);
        self.broken.extend(problems.broken);
        self.loose.extend(problems.loose);
        self
    }

    /// Positions come from this index (a JSON Lines or CSV file's rows).
    pub(crate) fn with_spans(self, spans: SpanIndex) -> Self {
        let _ = self.spans.set(spans);
        self
    }

    /// The columns of a CSV file, named in its diagnostics.
    pub(crate) fn with_columns(mut self, columns: Vec<(String, Span)>) -> Self {
        self.columns = Some(columns);
        self
    }

    pub(crate) fn source(&self) -> &Arc<SourceFile> {
        &self.source
    }

    /// Problems found elsewhere (a row that did not read), in this file's list.
    pub(crate) fn extend_errors(&mut self, errors: Vec<Diagnostic>) {
        self.errors.extend(errors);
    }

    /// What the complete reading of one row found.
    pub(crate) fn take(&mut self, problems: super::extract::Problems) {
        self.errors.extend(problems.errors);
        self.broken.extend(problems.broken);
        self.loose.extend(problems.loose);
    }

    /// A value reported elsewhere: nothing more is said about it.
    pub(crate) fn mark_broken(&mut self, path: &[P]) {
        self.broken.push(path.to_vec());
    }

    pub(crate) fn error_count(&self) -> usize {
        self.errors.len()
    }

    pub(crate) fn into_errors(self) -> Vec<Diagnostic> {
        self.errors
    }

    pub(crate) fn into_error(self) -> Error {
        Error::from(self.errors)
    }

    pub(crate) fn into_spans(self) -> OnceLock<SpanIndex> {
        self.spans
    }

    /// A limit passed at `path`.
    pub(crate) fn limit(&mut self, path: &[P], message: String, help: &str) {
        self.error(
            Code::FactsLimit,
            path,
            message,
            "the first one past the limit",
            Some(help.into()),
        );
    }

    /// An id defined differently in another file (or earlier in a facts file).
    pub(crate) fn conflict(&mut self, path: &[P], message: String, help: String) {
        self.error(
            Code::FactsConflictingId,
            path,
            message,
            "defined differently here",
            Some(help),
        );
    }

    /// A file of rows with no row.
    pub(crate) fn empty_rows(&mut self, format: Format) {
        let help = match format {
            Format::Csv => "a CSV transaction file has a header row naming transaction keys, then one transaction a row",
            _ => "a JSON Lines transaction file holds one transaction object a line",
        };
        self.errors.push(
            Diagnostic::error(Code::FactsNoTransactions, "the file has no transactions")
                .in_file(&self.source)
                .label(Span::new(0, 0), "nothing to judge")
                .help(help),
        );
    }

    /// Transaction ids: present and unique.
    pub(crate) fn transaction_ids(&mut self, ids: &[String]) {
        self.ids(
            ids.iter().map(String::as_str),
            "transactions",
            "transaction",
        );
    }

    /// A validator that only tells whether there were errors (see `locate`).
    pub(crate) fn unlocated(source: Arc<SourceFile>, limits: &'l Limits) -> Validator<'l> {
        Validator {
            locate: false,
            ..Validator::new(source, limits, None)
        }
    }

    pub(crate) fn span(&self, path: &[P], whole_entry: bool) -> Span {
        if !self.locate {
            return Span::default();
        }
        let spans = self
            .spans
            .get_or_init(|| SpanIndex::build(&self.source, self.root));
        let segs: Vec<Seg<'_>> = path
            .iter()
            .map(|p| match p {
                P::K(k) => Seg::Key(k),
                P::I(i) => Seg::Index(*i),
            })
            .collect();
        if whole_entry {
            spans.locate_entry(&segs)
        } else {
            spans.locate(&segs)
        }
    }

    fn error(
        &mut self,
        code: Code,
        path: &[P],
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        if self.errors.len() >= MAX_ERRORS
            || self.broken.iter().any(|b| path.starts_with(b.as_slice()))
        {
            return;
        }
        let span = self.span(path, false);
        let mut d = Diagnostic::error(code, message)
            .in_file(&self.source)
            .label(span, label)
            .maybe_help(help);
        if let Some((name, at)) = self.column_of(path) {
            d = d.label(at, format!("column `{name}`"));
        }
        self.errors.push(d);
    }

    /// The CSV column a path reads, when the file is CSV.
    fn column_of(&self, path: &[P]) -> Option<(String, Span)> {
        let columns = self.columns.as_ref()?;
        match path {
            [P::K("transactions"), P::I(_), P::K(k), P::I(n), P::K(key), ..] => {
                let numbered = format!("{k}.{}.{key}", n + 1);
                let plain = format!("{k}.{key}");
                columns
                    .iter()
                    .find(|(c, _)| *c == numbered || (*n == 0 && *c == plain))
                    .cloned()
            }
            [P::K("transactions"), P::I(_), P::K(k), ..] => {
                columns.iter().find(|(c, _)| c == k).cloned()
            }
            _ => None,
        }
    }

    fn country(&mut self, text: &str, path: &[P]) -> Option<Country> {
        if let Some(c) = Country::parse(text) {
            return Some(c);
        }
        let help = match Country::suggest(text) {
            Some(code) => Some(format!(
                "did you mean `{code}`? countries are ISO 3166-1 alpha-2 codes"
            )),
            None => Some("countries are ISO 3166-1 alpha-2 codes such as `CN`, `SG`, `MY`".into()),
        };
        self.error(
            Code::FactsUnknownCountry,
            path,
            format!("unknown country code `{text}`"),
            "not an ISO 3166-1 alpha-2 code",
            help,
        );
        None
    }

    fn date(&mut self, text: &str, path: &[P]) -> Option<Date> {
        match Date::parse(text) {
            Ok(d) => Some(d),
            Err(why) => {
                self.error(
                    Code::FactsBadDate,
                    path,
                    why,
                    "not a valid date",
                    Some("write dates as YYYY-MM-DD, e.g. `2025-02-10`".into()),
                );
                None
            }
        }
    }

    /// A number within `[min, max]` (`min_exclusive` makes the lower end open).
    fn number(
        &mut self,
        value: Option<f64>,
        path: &[P],
        min: f64,
        min_exclusive: bool,
        max: f64,
        unit: &str,
    ) -> Option<f64> {
        let v = value?;
        let low_ok = if min_exclusive { v > min } else { v >= min };
        if v.is_finite() && low_ok && v <= max {
            return Some(v);
        }
        let field = match path.last() {
            Some(P::K(k)) => *k,
            _ => "value",
        };
        let bound = if min_exclusive { "above" } else { "at least" };
        self.error(
            Code::FactsImpossibleNumber,
            path,
            format!("`{field}` is {v}, which is impossible"),
            "out of range",
            Some(format!(
                "`{field}` must be {bound} {min} and at most {max}{unit}"
            )),
        );
        None
    }

    fn enum_word<T: Copy>(
        &mut self,
        text: &str,
        path: &[P],
        what: &str,
        all: &[(&'static str, T)],
    ) -> Option<T> {
        if let Some((_, v)) = all.iter().find(|(w, _)| *w == text) {
            return Some(*v);
        }
        let words: Vec<&str> = all.iter().map(|(w, _)| *w).collect();
        let help = match did_you_mean(text, words.iter().copied()) {
            Some(s) => format!("did you mean `{s}`? {what} is one of: {}", words.join(", ")),
            None => format!("{what} is one of: {}", words.join(", ")),
        };
        self.error(
            Code::FactsUnknownWord,
            path,
            format!("unknown {what} `{text}`"),
            "not recognised",
            Some(help),
        );
        None
    }

    /// Validates a file whose parties, items and facilities may also come from facts files.
    pub(crate) fn run_shared(
        mut self,
        raw: RawFile,
        shared: Option<&Arc<super::shared::Shared>>,
    ) -> Result<TransactionFile, Error> {
        let Some(shared) = shared else {
            return self.run(raw);
        };
        let [np, ni, _] = shared.counts();
        for (n, max, key, flag) in [
            (
                raw.parties.len() + np,
                self.limits.max_parties,
                "parties",
                "--max-parties",
            ),
            (
                raw.items.len() + ni,
                self.limits.max_items,
                "items",
                "--max-items",
            ),
            (
                raw.transactions.len(),
                self.limits.max_transactions,
                "transactions",
                "--max-transactions",
            ),
        ] {
            if n > max {
                self.limit(
                    &[P::K(key)],
                    format!("{n} {key} with the facts files', more than the limit of {max}"),
                    &format!("split the files, or raise the limit with {flag}"),
                );
                return Err(Error::from(self.errors));
            }
        }
        if raw.transactions.is_empty() {
            self.error(
                Code::FactsNoTransactions,
                &[P::K("transactions")],
                "the file has no transactions".into(),
                "empty list",
                Some("add at least one transaction: nothing would be judged".into()),
            );
        }
        let part = super::shared::Part {
            parties: &raw.parties,
            items: &raw.items,
            facilities: &raw.facilities,
        };
        let mut validators = [self];
        let head = super::shared::build(Some(shared), &[part], &mut validators);
        let [mut me] = validators;
        me.ids(
            raw.transactions.iter().map(|t| t.id.as_str()),
            "transactions",
            "transaction",
        );
        me.head_ok = me.errors.is_empty();
        let refs = Refs {
            parties: &head.ids[0],
            items: &head.ids[1],
            facilities: &head.ids[2],
            party_list: &head.parties,
            facility_list: &head.facilities,
        };
        let transactions: Vec<Transaction> = raw
            .transactions
            .iter()
            .enumerate()
            .filter_map(|(i, t)| me.transaction(i, t, &refs))
            .collect();
        if !me.errors.is_empty() {
            return Err(Error::from(me.errors));
        }
        let own = head
            .origin
            .map(|kept| kept.into_iter().map(|(_, i)| i).collect::<Vec<u32>>());
        Ok(TransactionFile::new(
            me.source,
            head.parties,
            head.items,
            head.facilities,
            transactions,
            me.root,
            me.spans,
        )
        .with_shared(Some(Arc::clone(shared)), own))
    }

    pub(crate) fn run(mut self, raw: RawFile) -> Result<TransactionFile, Error> {
        let counts = [
            (
                raw.parties.len(),
                self.limits.max_parties,
                "parties",
                "--max-parties",
            ),
            (
                raw.items.len(),
                self.limits.max_items,
                "items",
                "--max-items",
            ),
            (
                raw.transactions.len(),
                self.limits.max_transactions,
                "transactions",
                "--max-transactions",
            ),
        ];
        for (n, max, key, flag) in counts {
            if n > max {
                // Point at the first entry past the limit, not at the whole (huge) list.
                self.error(
                    Code::FactsLimit,
                    &[P::K(key), P::I(max)],
                    format!("{n} {key}, more than the limit of {max}"),
                    "the first one past the limit",
                    Some(format!("split the file, or raise the limit with {flag}")),
                );
                return Err(Error::from(self.errors));
            }
        }
        let edges: usize = raw.parties.iter().map(|p| p.owners.len()).sum();
        if edges > self.limits.max_ownership_edges {
            // The owner entry that goes past the limit.
            let mut seen = 0usize;
            let mut at = vec![P::K("parties")];
            for (i, p) in raw.parties.iter().enumerate() {
                if seen + p.owners.len() > self.limits.max_ownership_edges {
                    let k = self.limits.max_ownership_edges - seen;
                    at = vec![P::K("parties"), P::I(i), P::K("owners"), P::I(k)];
                    break;
                }
                seen += p.owners.len();
            }
            self.error(
                Code::FactsLimit,
                &at,
                format!(
                    "{edges} ownership edges, more than the limit of {}",
                    self.limits.max_ownership_edges
                ),
                "the first one past the limit",
                Some("split the file, or raise the limit with --max-ownership-edges".into()),
            );
            return Err(Error::from(self.errors));
        }
        if raw.transactions.is_empty() {
            self.error(
                Code::FactsNoTransactions,
                &[P::K("transactions")],
                "the file has no transactions".into(),
                "empty list",
                Some("add at least one transaction: nothing would be judged".into()),
            );
            return Err(Error::from(self.errors));
        }

        let [party_ids, item_ids, facility_ids] =
            self.head_ids(&raw.parties, &raw.items, &raw.facilities);
        self.ids(
            raw.transactions.iter().map(|p| p.id.as_str()),
            "transactions",
            "transaction",
        );
        let (parties, items, facilities) =
            self.head_values(&raw.parties, &raw.items, &raw.facilities, &party_ids);
        // The transactions are checked even when a party, item or facility was not valid, so
        // that every problem is reported at once; what depends on the broken entries (the
        // destination taken from a party) is then not derived.
        self.head_ok = self.errors.is_empty();
        let refs = Refs {
            parties: &party_ids,
            items: &item_ids,
            facilities: &facility_ids,
            party_list: &parties,
            facility_list: &facilities,
        };
        let transactions: Vec<Transaction> = raw
            .transactions
            .iter()
            .enumerate()
            .filter_map(|(i, t)| self.transaction(i, t, &refs))
            .collect();
        self.account(&[("transaction", raw.transactions.len(), transactions.len())]);
        if !self.errors.is_empty() {
            return Err(Error::from(self.errors));
        }
        Ok(TransactionFile::new(
            self.source,
            parties,
            items,
            facilities,
            transactions,
            self.root,
            self.spans,
        ))
    }

    /// The ids of parties, items and facilities, checked non-empty and unique.
    pub(crate) fn head_ids<'r>(
        &mut self,
        parties: &'r [RawParty],
        items: &'r [RawItem],
        facilities: &'r [RawFacility],
    ) -> [HashMap<&'r str, u32>; 3] {
        [
            self.ids(parties.iter().map(|p| p.id.as_str()), "parties", "party"),
            self.ids(items.iter().map(|p| p.id.as_str()), "items", "item"),
            self.ids(
                facilities.iter().map(|p| p.id.as_str()),
                "facilities",
                "facility",
            ),
        ]
    }

    /// Parties, items and facilities, validated (references resolved with `party_ids`).
    pub(crate) fn head_values(
        &mut self,
        parties: &[RawParty],
        items: &[RawItem],
        facilities: &[RawFacility],
        party_ids: &HashMap<&str, u32>,
    ) -> (Vec<Party>, Vec<Item>, Vec<Facility>) {
        let raw_parties = parties;
        let (items_given, facilities_given) = (items.len(), facilities.len());
        let parties: Vec<Party> = raw_parties
            .iter()
            .enumerate()
            .filter_map(|(i, p)| self.party(i, p, party_ids))
            .collect();
        let items: Vec<Item> = items
            .iter()
            .enumerate()
            .filter_map(|(i, it)| self.item(i, it, &|p| raw_parties.get(p as usize), party_ids))
            .collect();
        let facilities: Vec<Facility> = facilities
            .iter()
            .enumerate()
            .filter_map(|(i, f)| self.facility(i, f, party_ids))
            .collect();
        // References are positions in these lists: one entry missing without a report would
        // shift every later one onto its neighbour.
        self.account(&[
            ("party", raw_parties.len(), parties.len()),
            ("item", items_given, items.len()),
            ("facility", facilities_given, facilities.len()),
        ]);
        (parties, items, facilities)
    }

    /// Checks that every entry of a kind was read, or that something was reported: for each
    /// `(what, given, read)`, a shortfall with no error means an entry was left out without
    /// a word, so the file would be judged without it. It is refused as a bug
    /// (`facts::internal`) instead. Every path that leaves an entry out reports why (see
    /// `party`, `item`, `facility` and `transaction`); this is the check that they do.
    fn account(&mut self, counts: &[(&str, usize, usize)]) {
        for &(what, given, read) in counts {
            if given != read && self.errors.is_empty() {
                self.errors.push(
                    Diagnostic::error(
                        Code::FactsInternal,
                        format!(
                            "{} {what} entries were left out, and no reason was given",
                            given.abs_diff(read)
                        ),
                    )
                    .in_file(&self.source)
                    .help("this is a bug in chipgate: please report it with the file"),
                );
            }
        }
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Checks ids are non-empty and unique; returns id → index.
    pub(crate) fn ids<'a>(
        &mut self,
        ids: impl Iterator<Item = &'a str>,
        key: &'static str,
        what: &str,
    ) -> HashMap<&'a str, u32> {
        let mut map: HashMap<&'a str, u32> = HashMap::new();
        for (i, id) in ids.enumerate() {
            let path = [P::K(key), P::I(i), P::K("id")];
            if id.trim().is_empty() {
                self.error(
                    Code::FactsEmptyId,
                    &path,
                    format!("{what} {} has an empty `id`", i + 1),
                    "empty",
                    Some("give every entry a unique id".into()),
                );
                continue;
            }
            let index = u32::try_from(i).unwrap_or(u32::MAX);
            if let Some(first) = map.insert(id, index) {
                map.insert(id, first);
                let first_span = self.span(&[P::K(key), P::I(first as usize), P::K("id")], false);
                self.error(
                    Code::FactsDuplicateId,
                    &path,
                    format!("duplicate {what} id `{id}`"),
                    "used again here",
                    Some(format!(
                        "each {what} needs its own id; the first `{id}` is at line {}",
                        self.source.line_col(first_span.start).0
                    )),
                );
            }
        }
        map
    }

    fn reference(
        &mut self,
        id: &str,
        map: &HashMap<&str, u32>,
        path: &[P],
        what: &str,
    ) -> Option<u32> {
        if let Some(i) = map.get(id) {
            return Some(*i);
        }
        if self.loose.contains(&what) {
            return None;
        }
        let help = match did_you_mean(id, map.keys().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if map.is_empty() => format!("the file defines no {what} ids"),
            None => format!("{what} ids must match an `id` defined in the file"),
        };
        self.error(
            Code::FactsDanglingId,
            path,
            format!("no {what} has the id `{id}`"),
            "unknown id",
            Some(help),
        );
        None
    }

    pub(crate) fn party(
        &mut self,
        i: usize,
        p: &RawParty,
        ids: &HashMap<&str, u32>,
    ) -> Option<Party> {
        let base = [P::K("parties"), P::I(i)];
        let at = |k: &'static str| [base[0].clone(), base[1].clone(), P::K(k)];
        if p.name.trim().is_empty() {
            self.error(
                Code::FactsEmptyName,
                &at("name"),
                format!("party `{}` has an empty name", p.id),
                "empty",
                None,
            );
        }
        let country = self.country(&p.country, &at("country"));
        let headquarters = match &p.headquarters {
            Some(h) => self.country(h, &at("headquarters")),
            None => country,
        };
        let mut owners = Vec::with_capacity(p.owners.len());
        let mut total = 0.0f64;
        // A set, not a list: a party may have a million owners, and checking each against
        // every earlier one was quadratic.
        let mut seen: HashSet<u32> = HashSet::with_capacity(p.owners.len());
        for (k, o) in p.owners.iter().enumerate() {
            let opath = [base[0].clone(), base[1].clone(), P::K("owners"), P::I(k)];
            let mut party_path = opath.to_vec();
            party_path.push(P::K("party"));
            let mut share_path = opath.to_vec();
            share_path.push(P::K("share"));
            let owner = self.reference(&o.party, ids, &party_path, "party");
            let share = self.number(o.share, &share_path, 0.0, true, 100.0, "");
            if o.share.is_some() && share.is_none() {
                continue;
            }
            if let Some(s) = share {
                total += s;
            }
            if let Some(owner) = owner {
                if !seen.insert(owner) {
                    self.error(
                        Code::FactsDuplicateOwner,
                        &party_path,
                        format!("`{}` is listed twice as an owner of `{}`", o.party, p.id),
                        "listed again",
                        Some("give one entry with the combined share".into()),
                    );
                    continue;
                }
                owners.push(Ownership {
                    owner: PartyId(owner),
                    share: share.map(Share::from_percent),
                });
            }
        }
        if total > 100.0 + 1e-6 {
            self.error(
                Code::FactsSharesOver100,
                &[base[0].clone(), base[1].clone(), P::K("owners")],
                format!(
                    "the owners of `{}` hold {total}% in total, more than 100%",
                    p.id
                ),
                "shares add up to more than 100%",
                Some("check each `share`: they are percentages of the same equity".into()),
            );
        }
        let mut lists = Vec::with_capacity(p.lists.len());
        for (k, d) in p.lists.iter().enumerate() {
            let dpath = [base[0].clone(), base[1].clone(), P::K("lists"), P::I(k)];
            let mut lpath = dpath.to_vec();
            lpath.push(P::K("list"));
            let words: Vec<(&'static str, ListKind)> =
                ListKind::ALL.iter().map(|l| (l.word(), *l)).collect();
            let list = self.enum_word(&d.list, &lpath, "list", &words);
            let since = match &d.since {
                Some(s) => {
                    let mut spath = dpath.to_vec();
                    spath.push(P::K("since"));
                    match self.date(s, &spath) {
                        Some(date) => Some(date),
                        None => continue,
                    }
                }
                None => None,
            };
            let until = match &d.until {
                Some(s) => {
                    let mut upath = dpath.to_vec();
                    upath.push(P::K("until"));
                    match self.date(s, &upath) {
                        Some(date) if since.is_some_and(|f| date <= f) => {
                            self.error(
                                Code::FactsEmptyWindow,
                                &upath,
                                format!("`until` {date} is not after `since`"),
                                "not after `since`",
                                Some(
                                    "`until` is the first day the designation no longer holds"
                                        .into(),
                                ),
                            );
                            continue;
                        }
                        Some(date) => Some(date),
                        None => continue,
                    }
                }
                None => None,
            };
            if let Some(list) = list {
                lists.push(Designation {
                    list,
                    since,
                    until,
                    entry: d.entry.clone(),
                    license_requirement: d.license_requirement.clone(),
                    license_policy: d.license_policy.clone(),
                    federal_register_notice: d.federal_register_notice.clone(),
                    screened: None,
                });
            }
        }
        let mut screening = Vec::with_capacity(p.screening.len());
        for (k, d) in p.screening.iter().enumerate() {
            let dpath = [base[0].clone(), base[1].clone(), P::K("screening"), P::I(k)];
            let field = |key: &'static str| {
                let mut v = dpath.to_vec();
                v.push(P::K(key));
                v
            };
            let decision = self.enum_word(
                &d.decision,
                &field("decision"),
                "decision",
                &[
                    ("cleared", Decision::Cleared),
                    ("confirmed", Decision::Confirmed),
                ],
            );
            let on = self.date(&d.on, &field("on"));
            if let (Some(decision), Some(on)) = (decision, on) {
                screening.push(ScreeningDecision {
                    entry: d.entry.clone(),
                    decision,
                    by: d.by.clone(),
                    on,
                    reason: d.reason.clone(),
                });
            }
        }
        let region = match &p.region {
            Some(r) => Some(self.region(r, &at("region"), country)?),
            None => None,
        };
        Some(Party {
            id: p.id.clone(),
            name: p.name.clone(),
            country: country?,
            headquarters: headquarters?,
            owners,
            lists,
            screening,
            possible: Vec::new(),
            distributor: p.distributor,
            region,
        })
    }

    /// An ISO 3166-2 subdivision, which must lie in `country` when that is known.
    fn region(&mut self, text: &str, path: &[P], country: Option<Country>) -> Option<Region> {
        let Some(region) = Region::parse(text) else {
            let upper = text.trim().to_uppercase();
            let help = if Region::parse(&upper).is_some() {
                format!("did you mean `{upper}`? regions are ISO 3166-2 codes")
            } else {
                "regions are ISO 3166-2 subdivision codes such as `UA-43` (Crimea) or `UA-14` (Donetsk)".to_string()
            };
            self.error(
                Code::FactsUnknownRegion,
                path,
                format!("unknown region code `{text}`"),
                "not an ISO 3166-2 code",
                Some(help),
            );
            return None;
        };
        if let (Some(c), Some(rc)) = (country, region.country()) {
            if c != rc {
                self.error(
                    Code::FactsInconsistent,
                    path,
                    format!("region `{region}` is in {rc}, not in {c}"),
                    "in another country",
                    Some(format!("give a region of {c}, or correct the country")),
                );
                return None;
            }
        }
        Some(region)
    }

    pub(crate) fn item<'r>(
        &mut self,
        i: usize,
        it: &RawItem,
        raw_parties: &dyn Fn(u32) -> Option<&'r RawParty>,
        party_ids: &HashMap<&str, u32>,
    ) -> Option<Item> {
        let at = |k: &'static str| [P::K("items"), P::I(i), P::K(k)];
        if it.name.trim().is_empty() {
            self.error(
                Code::FactsEmptyName,
                &at("name"),
                format!("item `{}` has an empty name", it.id),
                "empty",
                None,
            );
        }
        // Each figure in its range (vocab::NumAttr::range), the way the file names it.
        let mut figures = Figures::default();
        for attr in NumAttr::ALL {
            let (min, exclusive, max, unit) = attr.range();
            let value = self.number(it.figure(attr), &at(attr.key()), min, exclusive, max, unit);
            figures.set(attr, value);
        }
        let tpp = figures.get(NumAttr::Tpp);
        let die = figures.get(NumAttr::DieArea);
        let pd_given = figures.get(NumAttr::PerformanceDensity);
        let derived = match (tpp, die) {
            (Some(t), Some(d)) => Some(t / d),
            _ => None,
        };
        if let (Some(given), Some(computed)) = (pd_given, derived) {
            // Allow rounding in the given figure (H100: 15832 / 814 = 19.4496…, written 19.45).
            if (given - computed).abs() > 0.02 * computed.max(0.01) {
                self.error(
                    Code::FactsInconsistent,
                    &at("performance_density"),
                    format!(
                        "`performance_density` {given} disagrees with tpp / die_area_mm2 = {:.2}",
                        computed
                    ),
                    "inconsistent with tpp and die_area_mm2",
                    Some("give either `performance_density` or `die_area_mm2`, or correct one of them".into()),
                );
            }
        }
        // A catalogue product fills in what the file does not give (checked for consistency
        // above only among the file's own figures, which win).
        let product = it.model.as_deref().and_then(|m| {
            match crate::catalogue::Catalogue::builtin().lookup(m) {
                crate::catalogue::Lookup::Found(p) => Some((m, p)),
                crate::catalogue::Lookup::Unknown { suggestion } => {
                    self.error(
                        Code::FactsUnknownModel,
                        &at("model"),
                        format!("the catalogue has no product `{m}`"),
                        "unknown model",
                        Some(match suggestion {
                            Some(s) => format!("did you mean `{s}`? (docs/catalogue.md lists the products; or give the item's figures)"),
                            None => "docs/catalogue.md lists the products; or give the item's figures instead".into(),
                        }),
                    );
                    None
                }
                crate::catalogue::Lookup::Ambiguous(many) => {
                    self.error(
                        Code::FactsUnknownModel,
                        &at("model"),
                        format!("`{m}` names several products of the catalogue"),
                        "ambiguous model",
                        Some(format!("say which: {}", many.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))),
                    );
                    None
                }
            }
        });
        let mut model = None;
        let mut pd_from_catalogue = None;
        if let Some((written, p)) = product {
            let mut taken = Vec::new();
            let mut overridden = Vec::new();
            for attr in NumAttr::ALL {
                let Some(f) = p.figure(attr) else {
                    continue;
                };
                if figures.get(attr).is_some() {
                    overridden.push(attr);
                } else if attr == NumAttr::PerformanceDensity {
                    pd_from_catalogue = Some(f.value);
                    taken.push((attr, f.clone()));
                } else {
                    figures.set(attr, Some(f.value));
                    taken.push((attr, f.clone()));
                }
            }
            model = Some(Box::new(ModelUse {
                model: p.model.clone(),
                written: written.to_string(),
                figures: taken,
                filled: Vec::new(),
                overridden,
            }));
        }
        // Performance density from the catalogue's TPP and die area when neither the file nor
        // the catalogue gives it.
        let derived =
            derived.or_else(
                || match (figures.get(NumAttr::Tpp), figures.get(NumAttr::DieArea)) {
                    (Some(t), Some(d)) if pd_given.is_none() => Some(t / d),
                    _ => pd_from_catalogue,
                },
            );
        let eccn = match &it.eccn {
            Some(e) if is_eccn(e) => Some(e.clone()),
            Some(e) => {
                self.error(
                    Code::FactsBadEccn,
                    &at("eccn"),
                    format!("`{e}` is not an ECCN"),
                    "not an ECCN",
                    Some("ECCNs look like `3A090.a`, `4A090.b` or `EAR99`".into()),
                );
                None
            }
            None => None,
        };
        let catalogue = product.map(|(_, p)| p);
        let mut filled: Vec<&'static str> = Vec::new();
        let origin = match (
            &it.origin,
            catalogue.and_then(|p| Country::parse(&p.origin)),
        ) {
            (Some(o), _) => self.country(o, &at("origin"))?,
            (None, Some(c)) => {
                filled.push("origin");
                c
            }
            // A constant, which parses.
            (None, None) => Country::parse("US")?,
        };
        let implied = eccn.as_deref().and_then(form_of_eccn);
        let (form, form_source) = match &it.form {
            Some(f) => {
                let form = self.enum_word(
                    f,
                    &at("form"),
                    "item form",
                    &Form::ALL.iter().map(|f| (f.word(), *f)).collect::<Vec<_>>(),
                )?;
                // A form that disagrees with the declared ECCN is kept as given: the
                // data-quality rule (`item.eccn disagrees`) reports the contradiction.
                (form, FormSource::Given)
            }
            None => match (
                implied,
                catalogue.and_then(|p| Form::ALL.into_iter().find(|f| f.word() == p.form)),
            ) {
                (Some(f), _) => (f, FormSource::DeclaredEccn),
                (None, Some(f)) => {
                    filled.push("form");
                    (f, FormSource::Given)
                }
                (None, None) => (Form::Ic, FormSource::Default),
            },
        };
        let hts = match &it.hts {
            Some(h) => {
                let digits: String = h.chars().filter(|c| *c != '.' && *c != ' ').collect();
                if (2..=10).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) {
                    Some(digits)
                } else {
                    self.error(
                        Code::FactsBadHts,
                        &at("hts"),
                        format!("`{h}` is not a Harmonized Tariff Schedule code"),
                        "not an HTS code",
                        Some("HTS codes are 2 to 10 digits (a chapter, heading or subheading), with or without dots: `8542.31`, `8471.50.0150`".into()),
                    );
                    return None;
                }
            }
            None => None,
        };
        let developer = it.developer.as_ref().map(|d| {
            match party_ids.get(d.as_str()) {
                Some(&p) => {
                    let raw = raw_parties(p);
                    // The party's own validation reports a bad country.
                    let hq = raw
                        .and_then(|r| r.headquarters.as_deref().or(Some(r.country.as_str())))
                        .and_then(Country::parse);
                    Developer {
                        name: raw.map(|r| r.name.clone()).unwrap_or_else(|| d.clone()),
                        party: Some(PartyId(p)),
                        headquarters: hq,
                        headquarters_source: hq.map(|_| "the developer party's headquarters"),
                    }
                }
                None => Developer::named(d),
            }
        });
        let developer = match (developer, catalogue) {
            (None, Some(p)) => {
                filled.push("developer");
                let mut d = Developer::named(&p.developer);
                if let Some(hq) = Country::parse(&p.developer_hq) {
                    d.headquarters = Some(hq);
                    d.headquarters_source = Some("the catalogue's developer headquarters");
                }
                Some(d)
            }
            (d, _) => d,
        };
        let datacenter = match (it.datacenter, catalogue) {
            (Some(d), _) => Some(d),
            (None, Some(p)) => {
                filled.push("datacenter");
                Some(p.datacenter)
            }
            (None, None) => None,
        };
        if let Some(m) = model.as_mut() {
            m.filled = filled;
        }
        Some(Item {
            id: it.id.clone(),
            name: it.name.clone(),
            figures: {
                figures.set(NumAttr::PerformanceDensity, pd_given.or(derived));
                figures
            },
            datacenter: datacenter.unwrap_or(true),
            datacenter_given: datacenter.is_some(),
            eccn,
            origin,
            origin_given: it.origin.is_some(),
            form,
            form_source,
            hts,
            developer,
            model,
        })
    }

    pub(crate) fn facility(
        &mut self,
        i: usize,
        f: &RawFacility,
        ids: &HashMap<&str, u32>,
    ) -> Option<Facility> {
        let at = |k: &'static str| [P::K("facilities"), P::I(i), P::K(k)];
        let country = self.country(&f.country, &at("country"));
        let operator = self.reference(&f.operator, ids, &at("operator"), "party");
        let region = match &f.region {
            Some(r) => Some(self.region(r, &at("region"), country)?),
            None => None,
        };
        Some(Facility {
            id: f.id.clone(),
            name: f.name.clone(),
            country: country?,
            operator: PartyId(operator?),
            region,
        })
    }

    pub(crate) fn transaction(
        &mut self,
        i: usize,
        t: &RawTransaction,
        refs: &Refs<'_>,
    ) -> Option<Transaction> {
        let at = |k: &'static str| [P::K("transactions"), P::I(i), P::K(k)];
        let kinds: Vec<(&'static str, Kind)> = Kind::ALL.iter().map(|k| (k.word(), *k)).collect();
        let kind = self.enum_word(&t.kind, &at("kind"), "transaction kind", &kinds);
        let date = self.date(&t.date, &at("date"));
        let item = self
            .reference(&t.item, refs.items, &at("item"), "item")
            .map(ItemId);
        let quantity = match self.number(t.quantity, &at("quantity"), 0.0, true, 1e9, "") {
            Some(q) if q.fract() == 0.0 => Some(q as u64),
            Some(q) => {
                self.error(
                    Code::FactsImpossibleNumber,
                    &at("quantity"),
                    format!("`quantity` is {q}, not a whole number"),
                    "not whole",
                    Some("give the number of units".into()),
                );
                None
            }
            None => None,
        };
        let party =
            |me: &mut Self, value: &Option<String>, key: &'static str| -> Option<Option<PartyId>> {
                match value {
                    Some(id) => me
                        .reference(id, refs.parties, &at(key), "party")
                        .map(|p| Some(PartyId(p))),
                    None => Some(None),
                }
            };
        let sender = party(self, &t.from, "from");
        let consignee = party(self, &t.to, "to");
        // `end_user: unknown` says the file does not know the end user.
        let end_user_unknown = t.end_user.as_deref() == Some(END_USER_UNKNOWN);
        let end_user = if end_user_unknown {
            Some(None)
        } else {
            match &t.end_user {
                Some(id)
                    if !refs.parties.contains_key(id.as_str())
                        && did_you_mean(id, [END_USER_UNKNOWN]).is_some() =>
                {
                    self.error(
                        Code::FactsDanglingId,
                        &at("end_user"),
                        format!("no party has the id `{id}`"),
                        "unknown id",
                        Some(format!(
                            "did you mean `{END_USER_UNKNOWN}`? `end_user: unknown` says the end user is not known"
                        )),
                    );
                    None
                }
                _ => party(self, &t.end_user, "end_user"),
            }
        };
        let lessor = party(self, &t.lessor, "lessor");
        let lessee = party(self, &t.lessee, "lessee");
        let facility = match &t.facility {
            Some(id) => self
                .reference(id, refs.facilities, &at("facility"), "facility")
                .map(|f| Some(FacilityId(f))),
            None => Some(None),
        };
        let kind = kind?;
        // Which keys each kind needs, and which it cannot take.
        type Keys<'k> = &'k [(&'static str, bool)];
        let (needed, foreign): (Keys<'_>, Keys<'_>) = if kind == Kind::Lease {
            (
                &[
                    ("facility", t.facility.is_some()),
                    ("lessor", t.lessor.is_some()),
                    ("lessee", t.lessee.is_some()),
                ],
                &[("from", t.from.is_some()), ("to", t.to.is_some())],
            )
        } else {
            (
                &[("from", t.from.is_some()), ("to", t.to.is_some())],
                &[
                    ("facility", t.facility.is_some()),
                    ("lessor", t.lessor.is_some()),
                    ("lessee", t.lessee.is_some()),
                ],
            )
        };
        for (key, present) in needed {
            if !present {
                self.error(
                    Code::FactsMissingKey,
                    &[P::K("transactions"), P::I(i)],
                    format!("{} `{}` has no `{key}`", kind.word(), t.id),
                    &format!("needs `{key}`"),
                    Some(format!(
                        "a {} needs `{}`",
                        kind.word(),
                        needed
                            .iter()
                            .map(|(k, _)| *k)
                            .collect::<Vec<_>>()
                            .join("`, `")
                    )),
                );
            }
        }
        for (key, present) in foreign {
            if *present {
                let instead = if kind == Kind::Lease {
                    "a lease names `facility`, `lessor` and `lessee`"
                } else {
                    "only a lease names `facility`, `lessor` and `lessee`"
                };
                self.error(
                    Code::FactsWrongKey,
                    &at(key),
                    format!("`{key}` does not apply to a {}", kind.word()),
                    "not for this kind",
                    Some(instead.into()),
                );
            }
        }
        let destination_given = t
            .destination
            .as_ref()
            .map(|d| self.country(d, &at("destination")));
        let route: Vec<Country> = match &t.route {
            Some(hops) => {
                if hops.len() > self.limits.max_route_hops {
                    self.error(
                        Code::FactsLimit,
                        &[
                            P::K("transactions"),
                            P::I(i),
                            P::K("route"),
                            P::I(self.limits.max_route_hops),
                        ],
                        format!(
                            "the route has {} hops, more than the limit of {}",
                            hops.len(),
                            self.limits.max_route_hops
                        ),
                        "the first hop past the limit",
                        Some("list the countries the goods pass through, or raise the limit with --max-route-hops".into()),
                    );
                }
                hops.iter()
                    .take(self.limits.max_route_hops)
                    .enumerate()
                    .filter_map(|(h, c)| {
                        self.country(c, &[P::K("transactions"), P::I(i), P::K("route"), P::I(h)])
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let uses: Vec<(&'static str, EndUse)> =
            EndUse::ALL.iter().map(|k| (k.word(), *k)).collect();
        let end_use = match &t.end_use {
            Some(u) => Some(self.enum_word(u, &at("end_use"), "end use", &uses)?),
            None => None,
        };
        let order = match &t.order {
            Some(o) if o.trim().is_empty() => {
                self.error(
                    Code::FactsEmptyId,
                    &at("order"),
                    "`order` is empty".into(),
                    "empty",
                    Some(
                        "name the order this transaction is a line of, or leave `order` out".into(),
                    ),
                );
                None
            }
            o => o.clone(),
        };
        let mut authorizations = Vec::with_capacity(t.authorizations.len());
        for (k, a) in t.authorizations.iter().enumerate() {
            let apath = |key: &'static str| {
                [
                    P::K("transactions"),
                    P::I(i),
                    P::K("authorizations"),
                    P::I(k),
                    P::K(key),
                ]
            };
            let auths: Vec<(&'static str, AuthKind)> =
                AuthKind::ALL.iter().map(|k| (k.word(), *k)).collect();
            let akind = self.enum_word(&a.kind, &apath("type"), "authorization type", &auths);
            let date_of =
                |me: &mut Self, v: &Option<String>, key: &'static str| -> Option<Option<Date>> {
                    match v {
                        Some(s) => me.date(s, &apath(key)).map(Some),
                        None => Some(None),
                    }
                };
            let issued = date_of(self, &a.issued, "issued");
            let notified = date_of(self, &a.notified, "notified");
            let expires = date_of(self, &a.expires, "expires");
            let scope = self.scope(a, refs, &apath);
            if let (Some(akind), Some(issued), Some(notified), Some(expires), Some(scope)) =
                (akind, issued, notified, expires, scope)
            {
                authorizations.push(Authorization {
                    kind: akind,
                    number: a.number.clone(),
                    issued,
                    notified,
                    confirmation: a.confirmation.clone(),
                    expires,
                    scope,
                    used_before: 0,
                });
            }
        }
        let (sender, consignee, end_user, lessor, lessee, facility) =
            (sender?, consignee?, end_user?, lessor?, lessee?, facility?);
        let end_user_source = if end_user_unknown {
            EndUserSource::Unknown
        } else if end_user.is_some() {
            EndUserSource::Named
        } else {
            EndUserSource::Defaulted
        };
        let (destination, destination_source) = match destination_given {
            Some(d) => (d?, DestinationSource::Given),
            // Derived below, with the end user's default (a constant, which parses).
            None => (Country::parse("US")?, DestinationSource::EndUser),
        };
        let region = match &t.region {
            Some(r) => match destination_given {
                Some(d) => Some(self.region(r, &at("region"), d)?),
                None => Some(self.region(r, &at("region"), None)?),
            },
            None => None,
        };
        let mut tx = Transaction {
            id: t.id.clone(),
            kind,
            date: date?,
            item: item?,
            quantity,
            sender,
            consignee,
            end_user,
            end_user_source,
            destination,
            destination_source,
            region,
            route,
            end_use,
            authorizations,
            facility,
            lessor,
            lessee,
            order,
        };
        // A party, item or facility was not valid (and was reported): the derivations read
        // them by position, so they are not made.
        if !self.head_ok {
            return None;
        }
        // `None` only without a receiver: an export without `to` or a lease without
        // `facility`, both reported as `facts::missing-key` above.
        derive_transaction(&mut tx, refs.party_list, refs.facility_list)?;
        if let (Some(r), DestinationSource::RouteEnd | DestinationSource::EndUser) =
            (&tx.region, tx.destination_source)
        {
            if t.region.is_some() && r.country() != Some(tx.destination) {
                self.error(
                    Code::FactsInconsistent,
                    &at("region"),
                    format!("region `{r}` is not in the destination {}", tx.destination),
                    "in another country",
                    Some("give `destination`, or a region of the destination".into()),
                );
                return None;
            }
        }
        Some(tx)
    }
}

/// The word that says a transaction's end user is not known (`end_user: unknown`).
pub const END_USER_UNKNOWN: &str = "unknown";

impl Validator<'_> {
    /// What an authorization states it covers (items, parties, destination, quantity).
    fn scope(
        &mut self,
        a: &RawAuthorization,
        refs: &Refs<'_>,
        apath: &dyn Fn(&'static str) -> [P; 5],
    ) -> Option<Scope> {
        let mut ok = true;
        let items = match &a.items {
            Some(list) => {
                let mut out = Vec::with_capacity(list.len());
                for (k, id) in list.iter().enumerate() {
                    let mut path = apath("items").to_vec();
                    path.push(P::I(k));
                    match self.reference(&id.0, refs.items, &path, "item") {
                        Some(i) => out.push(ItemId(i)),
                        None => ok = false,
                    }
                }
                Some(out)
            }
            None => None,
        };
        let mut party = |me: &mut Self, v: &Option<String>, key: &'static str| match v {
            Some(id) => {
                let r = me
                    .reference(id, refs.parties, &apath(key), "party")
                    .map(PartyId);
                ok &= r.is_some();
                r
            }
            None => None,
        };
        let consignee = party(self, &a.consignee, "consignee");
        let end_user = party(self, &a.end_user, "end_user");
        let destination = match &a.destination {
            Some(d) => {
                let c = self.country(d, &apath("destination"));
                ok &= c.is_some();
                c
            }
            None => None,
        };
        let quantity = match self.number(a.quantity, &apath("quantity"), 0.0, true, 1e12, "") {
            Some(q) if q.fract() == 0.0 => Some(q as u64),
            Some(q) => {
                self.error(
                    Code::FactsImpossibleNumber,
                    &apath("quantity"),
                    format!("`quantity` is {q}, not a whole number"),
                    "not whole",
                    Some("give the number of units the authorization covers".into()),
                );
                None
            }
            None => {
                ok &= a.quantity.is_none();
                None
            }
        };
        ok.then_some(Scope {
            items,
            consignee,
            end_user,
            destination,
            quantity,
        })
    }
}

/// Counts, for each authorization with a `number` and a stated `quantity`, the units of the
/// same authorization that the file's earlier transactions (by date, then file order) use:
/// a license used up by earlier shipments does not cover the next one.
pub(crate) fn count_authorization_use(transactions: &mut [Transaction]) {
    let mut order: Vec<usize> = (0..transactions.len()).collect();
    order.sort_by_key(|i| transactions.get(*i).map(|t| t.date));
    let mut used: HashMap<(AuthKind, String), u64> = HashMap::new();
    for i in order {
        let Some(t) = transactions.get_mut(i) else {
            continue;
        };
        let q = t.quantity.unwrap_or(0);
        for a in &mut t.authorizations {
            if let (Some(n), Some(_)) = (&a.number, a.scope.quantity) {
                let key = (a.kind, n.clone());
                a.used_before = used.get(&key).copied().unwrap_or(0);
            }
        }
        // Each authorization number counts once per transaction, whichever entry names it.
        let mut seen: HashSet<(AuthKind, String)> = HashSet::new();
        for a in &t.authorizations {
            if let (Some(n), Some(_)) = (&a.number, a.scope.quantity) {
                let key = (a.kind, n.clone());
                if seen.insert(key.clone()) {
                    *used.entry(key).or_insert(0) += q;
                }
            }
        }
    }
}

pub(crate) struct Refs<'a> {
    pub parties: &'a HashMap<&'a str, u32>,
    pub items: &'a HashMap<&'a str, u32>,
    pub facilities: &'a HashMap<&'a str, u32>,
    pub party_list: &'a [Party],
    pub facility_list: &'a [Facility],
}

/// `3A090.a`, `4A090`, `5A992.c`, `EAR99`.
pub fn is_eccn(text: &str) -> bool {
    if text == "EAR99" {
        return true;
    }
    let b = text.as_bytes();
    let head = b.len() >= 5
        && b.first().is_some_and(u8::is_ascii_digit)
        && b.get(1).is_some_and(u8::is_ascii_uppercase)
        && b.get(2..5)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    head && text.get(5..).is_some_and(|rest| {
        rest.is_empty()
            || rest.strip_prefix('.').is_some_and(|r| {
                r.split('.')
                    .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_left_out_without_a_reason_is_reported() {
        let limits = Limits::default();
        let mut v = Validator::new(
            SourceFile::new("t.yaml", "transactions: []\n"),
            &limits,
            None,
        );
        v.account(&[("party", 3, 3), ("transaction", 2, 2)]);
        assert!(v.errors.is_empty());
        v.account(&[("transaction", 2, 1)]);
        assert_eq!(v.errors.len(), 1);
        assert_eq!(v.errors[0].code, Code::FactsInternal);
        assert_eq!(
            v.errors[0].message,
            "1 transaction entries were left out, and no reason was given"
        );
        // Once something is reported, an entry left out is that report's.
        v.account(&[("item", 5, 4)]);
        assert_eq!(v.errors.len(), 1);
    }

    /// What the YAML reader refuses for a reason this module does not reword keeps its
    /// words, located (`facts::invalid`). No transaction file is known to reach it: the raw
    /// types refuse with the reasons reworded above, so a reader that refuses otherwise is
    /// made here.
    #[test]
    fn other_refusals_of_the_yaml_reader_keep_their_words() {
        #[derive(serde::Deserialize, Debug)]
        struct Odd {
            #[serde(deserialize_with = "refuse")]
            _a: String,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Outer {
            _items: Vec<Odd>,
        }
        fn refuse<'de, D: serde::Deserializer<'de>>(_: D) -> Result<String, D::Error> {
            Err(serde::de::Error::custom("no value is right here"))
        }
        let text = "_items:\n  - _a: 1\n";
        let e = serde_yaml::from_str::<Outer>(text).unwrap_err();
        let e = yaml_error(&SourceFile::new("t.yaml", text), &e);
        assert_eq!(e.diagnostics.len(), 1);
        let d = &e.diagnostics[0];
        assert_eq!(d.code, Code::FactsInvalid);
        assert_eq!(d.message, "_items 1: no value is right here");
        assert_eq!(d.location().as_deref(), Some("t.yaml:2:5"));
    }
}
