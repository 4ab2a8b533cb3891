//! Transaction files of one transaction a row, as order systems export them: JSON Lines
//! (`.jsonl`, one transaction object a line) and CSV (`.csv`, a header row naming transaction
//! keys). Their parties, items and facilities come from facts files (`--facts`).
//!
//! CSV cells hold what a YAML plain value would: `512` is a number, `true` a boolean, text
//! as written. A list key (`route`, an authorization's `items`) is one cell with its values
//! separated by `;`. Authorizations are columns `authorizations.N.KEY` (N from 1:
//! `authorizations.1.type`, `authorizations.1.number`, `authorizations.2.type`, …;
//! `authorizations.KEY` is the first). An empty cell is a key not given.
//!
//! Each row is read and validated as soon as it is met, so the raw form of only one row is
//! alive at a time. Every problem of every row is reported, each at its line and column (and
//! for CSV, with its column's header).

use std::sync::Arc;

use super::doc::{self, Node, Value as V};
use super::extract::Reader;
use super::raw::RawTransaction;
use super::shared::{self, Shared};
use super::spans::SpanIndex;
use super::validate::{Refs, Validator, P};
use super::{Format, Transaction, TransactionFile};
use crate::diag::{did_you_mean, Code, Diagnostic, Error};
use crate::limits::Limits;
use crate::source::{SourceFile, Span};
use crate::vocab::format::{self, Key, Value};

/// What a CSV column holds.
#[derive(Clone, Copy, Debug)]
enum Target {
    Key(&'static Key),
    /// Key `key` of the `n`th (from 0) entry of the list of records `list`.
    Entry {
        list: &'static str,
        n: usize,
        key: &'static Key,
    },
    /// Reported already; its cells are left out.
    Ignored,
}

/// A CSV file's header row.
#[derive(Debug)]
pub(crate) struct Header {
    /// Each column's name as written, and its span.
    pub columns: Vec<(String, Span)>,
    targets: Vec<Target>,
}

/// The column names a CSV file may use, for help texts.
fn column_names() -> String {
    let mut names: Vec<String> = Vec::new();
    for k in format::TRANSACTION.keys {
        match k.value {
            Value::Records(r) => {
                let keys: Vec<String> = r
                    .keys
                    .iter()
                    .take(2)
                    .map(|x| format!("{}.1.{}", k.key, x.key))
                    .collect();
                names.push(format!("{}, …", keys.join(", ")));
            }
            _ => names.push(k.key.to_string()),
        }
    }
    names.join(", ")
}

fn header(
    source: &Arc<SourceFile>,
    record: &csv::StringRecord,
    start: usize,
) -> (Header, Vec<Diagnostic>) {
    let text = source.text();
    let spans = doc::csv_cells(text, start);
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    let mut targets = Vec::new();
    for (i, name) in record.iter().enumerate() {
        let span = spans.get(i).copied().unwrap_or_default();
        let name = name.trim();
        columns.push((name.to_string(), span));
        let mut target = target_of(name);
        if target.is_none() {
            let all: Vec<String> = format::TRANSACTION
                .keys
                .iter()
                .flat_map(|k| match k.value {
                    Value::Records(r) => r
                        .keys
                        .iter()
                        .map(|x| format!("{}.1.{}", k.key, x.key))
                        .collect::<Vec<_>>(),
                    _ => vec![k.key.to_string()],
                })
                .collect();
            let guess = did_you_mean(name, all.iter().map(String::as_str));
            let is_list = format::TRANSACTION
                .key(name)
                .is_some_and(|k| matches!(k.value, Value::Records(_)));
            let help = if is_list {
                format!("write each of the transaction's {name} as columns `{name}.1.type`, `{name}.1.number`, … (`{name}.2.type` for the second)")
            } else {
                let mut h = guess.map_or(String::new(), |g| format!("did you mean `{g}`? "));
                h.push_str(&format!(
                    "a CSV transaction file takes the columns: {}",
                    column_names()
                ));
                h
            };
            errors.push(
                Diagnostic::error(Code::FactsUnknownKey, format!("unknown column `{name}`"))
                    .in_file(source)
                    .label(span, "in the header row")
                    .help(help),
            );
            target = Some(Target::Ignored);
        }
        if columns.iter().take(i).any(|(c, _)| c == name) {
            errors.push(
                Diagnostic::error(
                    Code::FactsDuplicateKey,
                    format!("the column `{name}` appears twice"),
                )
                .in_file(source)
                .label(span, "again here")
                .help("keep one of them"),
            );
            target = Some(Target::Ignored);
        }
        targets.push(target.unwrap_or(Target::Ignored));
    }
    (Header { columns, targets }, errors)
}

/// `route`, `authorizations.2.number`, `authorizations.type`.
fn target_of(name: &str) -> Option<Target> {
    if let Some(k) = format::TRANSACTION.key(name) {
        return match k.value {
            Value::Records(_) => None,
            _ => Some(Target::Key(k)),
        };
    }
    let (list, rest) = name.split_once('.')?;
    let list_key = format::TRANSACTION.key(list)?;
    let Value::Records(record) = list_key.value else {
        return None;
    };
    let (n, key) = match rest.split_once('.') {
        Some((n, key)) => (n.parse::<usize>().ok().filter(|n| *n >= 1)? - 1, key),
        None => (0, rest),
    };
    Some(Target::Entry {
        list: list_key.key,
        n,
        key: record.key(key)?,
    })
}

/// A cell's values split at `;`, each with its span (the cell's, when it was quoted with
/// escapes, whose positions do not map one to one).
fn split(value: &str, span: Span, text: &str) -> Vec<Node> {
    let raw = text
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let exact = raw == value;
    let mut out = Vec::new();
    let mut offset = 0usize;
    for part in value.split(';') {
        let lead = part.len() - part.trim_start().len();
        let t = part.trim();
        if !t.is_empty() {
            let s = if exact {
                let from = span.start as usize + offset + lead;
                Span::new(from, from + t.len())
            } else {
                span
            };
            out.push(Node::scalar(t, true, s));
        }
        offset += part.len() + 1;
    }
    out
}

/// An entry of a list of records written as numbered columns: its number, and its keys.
type Numbered = (usize, Vec<(String, Span, Node)>);

/// One CSV row as the tree a YAML transaction entry would give.
fn row_node(
    header: &Header,
    record: &csv::StringRecord,
    cells: &[Span],
    row: Span,
    text: &str,
) -> Node {
    let mut entries: Vec<(String, Span, Node)> = Vec::new();
    // Lists of records: name, then entries by number, each with its keys.
    let mut lists: Vec<(&'static str, Vec<Numbered>)> = Vec::new();
    for (i, value) in record.iter().enumerate() {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let span = cells.get(i).copied().unwrap_or(row);
        let node = |key: &Key| match key.value {
            Value::List(_) => {
                let items = split(value, span, text);
                Node {
                    span,
                    value: V::Seq(items),
                }
            }
            _ => Node::scalar(value, true, span),
        };
        match header.targets.get(i) {
            Some(Target::Key(k)) => entries.push((k.key.to_string(), span, node(k))),
            Some(Target::Entry { list, n, key }) => {
                let at = match lists.iter().position(|(l, _)| l == list) {
                    Some(at) => at,
                    None => {
                        lists.push((list, Vec::new()));
                        lists.len() - 1
                    }
                };
                if let Some((_, numbered)) = lists.get_mut(at) {
                    match numbered.iter_mut().find(|(m, _)| m == n) {
                        Some((_, keys)) => keys.push((key.key.to_string(), span, node(key))),
                        None => numbered.push((*n, vec![(key.key.to_string(), span, node(key))])),
                    }
                }
            }
            _ => {}
        }
    }
    for (list, mut numbered) in lists {
        numbered.sort_by_key(|(n, _)| *n);
        let items: Vec<Node> = numbered
            .into_iter()
            .map(|(_, keys)| {
                let span = keys
                    .iter()
                    .map(|(_, s, _)| *s)
                    .reduce(Span::join)
                    .unwrap_or(row);
                Node {
                    span,
                    value: V::Map(keys),
                }
            })
            .collect();
        let span = items
            .iter()
            .map(|n| n.span)
            .reduce(Span::join)
            .unwrap_or(row);
        entries.push((
            list.to_string(),
            span,
            Node {
                span,
                value: V::Seq(items),
            },
        ));
    }
    Node {
        span: row,
        value: V::Map(entries),
    }
}

/// How a file of rows lays out its rows: each row's span, and the CSV header.
#[derive(Debug)]
pub(crate) struct Layout {
    pub format: Format,
    pub rows: Vec<(u32, u32)>,
    pub header: Option<Header>,
}

impl Layout {
    /// Row `i` as a tree (`None` if it does not read), for positions.
    pub(crate) fn row(&self, text: &str, i: usize) -> Option<Node> {
        let (start, end) = self.rows.get(i).copied()?;
        let line = text.get(start as usize..end as usize)?;
        match self.format {
            Format::Csv => {
                let header = self.header.as_ref()?;
                let record = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(line.as_bytes())
                    .records()
                    .next()?
                    .ok()?;
                let cells = doc::csv_cells(text, start as usize);
                Some(row_node(
                    header,
                    &record,
                    &cells,
                    row_span(text, start, end),
                    text,
                ))
            }
            _ => doc::parse(line, start as usize),
        }
    }
}

/// A row's span without its line break.
fn row_span(text: &str, start: u32, end: u32) -> Span {
    let line = text.get(start as usize..end as usize).unwrap_or("");
    Span::new(start as usize, start as usize + line.trim_end().len())
}

/// Reads a JSON Lines or CSV transaction file, with the facts it refers to.
pub(crate) fn load(
    source: Arc<SourceFile>,
    shared_facts: Option<&Arc<Shared>>,
    limits: &Limits,
    format: Format,
) -> Result<TransactionFile, Error> {
    let text = source.text();
    let mut early: Vec<Diagnostic> = Vec::new();
    // The rows, found first so that every diagnostic can be located.
    let mut rows: Vec<(u32, u32)> = Vec::new();
    let mut header: Option<Header> = None;
    let mut records: Vec<csv::StringRecord> = Vec::new();
    let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    match format {
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut starts: Vec<usize> = Vec::new();
            for record in reader.records() {
                match record {
                    Ok(r) => {
                        let start = r.position().map_or(0, |p| p.byte() as usize);
                        // A row of nothing but empty cells (a trailing `,,,`) is skipped.
                        if r.iter().all(|c| c.trim().is_empty()) {
                            continue;
                        }
                        starts.push(start);
                        records.push(r);
                    }
                    Err(e) => {
                        let at = e.position().map_or(0, |p| p.byte() as usize);
                        early.push(
                            Diagnostic::error(
                                Code::FactsCsvSyntax,
                                format!("the file is not valid CSV: {e}"),
                            )
                            .in_file(&source)
                            .label(Span::new(at, at + 1), "here")
                            .help("check the quoting of this row"),
                        );
                        break;
                    }
                }
            }
            let mut bounds: Vec<(u32, u32)> = Vec::with_capacity(starts.len());
            for (k, s) in starts.iter().enumerate() {
                let next = starts.get(k + 1).copied().unwrap_or(text.len());
                bounds.push((clamp(*s), clamp(next)));
            }
            if let (Some(first), Some(&(start, _))) = (records.first(), bounds.first()) {
                let (h, errors) = self::header(&source, first, start as usize);
                header = Some(h);
                early.extend(errors);
            }
            rows = bounds.into_iter().skip(1).collect();
            if !records.is_empty() {
                records.remove(0);
            }
        }
        _ => {
            let mut offset = 0usize;
            for line in text.split_inclusive('\n') {
                let start = offset;
                offset += line.len();
                if !line.trim().is_empty() {
                    rows.push((clamp(start), clamp(offset)));
                }
            }
        }
    }
    let layout = Arc::new(Layout {
        format,
        rows,
        header,
    });
    let columns = layout.header.as_ref().map(|h| h.columns.clone());
    let mut validator = Validator::new(Arc::clone(&source), limits, None)
        .with_spans(SpanIndex::rows(&source, Arc::clone(&layout)));
    if let Some(c) = columns.clone() {
        validator = validator.with_columns(c);
    }
    let mut validators = [validator];
    let head = shared::build(shared_facts.map(|s| &**s), &[], &mut validators);
    let [mut validator] = validators;
    validator.extend_errors(early);
    let refs = Refs {
        parties: &head.ids[0],
        items: &head.ids[1],
        facilities: &head.ids[2],
        party_list: &head.parties,
        facility_list: &head.facilities,
    };
    let count = layout.rows.len();
    if count > limits.max_transactions {
        validator.limit(
            &[P::K("transactions"), P::I(limits.max_transactions)],
            format!(
                "{count} transactions, more than the limit of {}",
                limits.max_transactions
            ),
            "split the file, or raise the limit with --max-transactions",
        );
        return Err(validator.into_error());
    }
    if count == 0 && validator.error_count() == 0 {
        validator.empty_rows(format);
        return Err(validator.into_error());
    }
    let mut ids: Vec<String> = Vec::with_capacity(count);
    let mut transactions: Vec<Transaction> = Vec::with_capacity(count);
    for (i, (start, end)) in layout.rows.iter().enumerate() {
        let path = [P::K("transactions"), P::I(i)];
        let line = text.get(*start as usize..*end as usize).unwrap_or("");
        let raw: Option<RawTransaction> = match format {
            Format::Csv => match (records.get(i), &layout.header) {
                (Some(record), Some(h)) if record.len() > h.columns.len() => {
                    let cells = doc::csv_cells(text, *start as usize);
                    let extra = cells.get(h.columns.len()).copied().unwrap_or_default();
                    validator.extend_errors(vec![Diagnostic::error(
                        Code::FactsCsvSyntax,
                        format!(
                            "the row has {} cells, the header names {} columns",
                            record.len(),
                            h.columns.len()
                        ),
                    )
                    .in_file(&source)
                    .label(extra, "a cell past the last column")
                    .help("quote a cell that holds a comma: \"US;SG\" or \"Acme, Inc.\"")]);
                    None
                }
                (Some(record), Some(h)) => {
                    let cells = doc::csv_cells(text, *start as usize);
                    let node = row_node(h, record, &cells, row_span(text, *start, *end), text);
                    let mut reader = Reader::new(&source, columns.as_deref());
                    let raw = reader.transaction(&node, &path);
                    validator.take(std::mem::take(&mut reader.problems));
                    Some(raw)
                }
                _ => None,
            },
            _ => match serde_json::from_str::<RawTransaction>(line) {
                Ok(raw) => Some(raw),
                Err(e) if e.is_data() => {
                    let fallback = json_error(&source, *start as usize, &e);
                    match doc::parse(line, *start as usize) {
                        Some(node) => {
                            let mut reader = Reader::new(&source, None);
                            let raw = reader.transaction(&node, &path);
                            let problems = std::mem::take(&mut reader.problems);
                            if problems.errors.is_empty() {
                                validator.extend_errors(vec![fallback]);
                                None
                            } else {
                                validator.take(problems);
                                Some(raw)
                            }
                        }
                        None => {
                            validator.extend_errors(vec![fallback]);
                            None
                        }
                    }
                }
                Err(e) => {
                    validator.extend_errors(vec![json_error(&source, *start as usize, &e)]);
                    None
                }
            },
        };
        let Some(raw) = raw else {
            ids.push(String::new());
            validator.mark_broken(&path);
            continue;
        };
        ids.push(raw.id.clone());
        if let Some(t) = validator.transaction(i, &raw, &refs) {
            transactions.push(t);
        }
    }
    validator.transaction_ids(&ids);
    if validator.error_count() > 0 {
        let mut e = validator.into_error();
        e.diagnostics
            .sort_by_key(|d| d.labels.first().map(|l| l.span.start));
        return Err(e);
    }
    let spans = validator.into_spans();
    Ok(TransactionFile::new(
        source,
        head.parties,
        head.items,
        head.facilities,
        transactions,
        None,
        spans,
    )
    .with_shared(shared_facts.cloned(), Default::default()))
}

/// serde_json's error at its line and column, in the file.
pub(crate) fn json_error(
    source: &Arc<SourceFile>,
    base: usize,
    e: &serde_json::Error,
) -> Diagnostic {
    let (line0, _) = source.line_col(u32::try_from(base).unwrap_or(u32::MAX));
    let line = line0 + e.line().saturating_sub(1);
    let offset = source.offset_of(line, e.column().max(1)) as usize;
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full.get(..i).unwrap_or(&full).to_string(),
        None => full,
    };
    let (code, what) = if e.is_data() {
        (Code::FactsWrongType, format!("a transaction: {message}"))
    } else {
        (
            Code::FactsJsonSyntax,
            format!("the line is not valid JSON: {message}"),
        )
    };
    Diagnostic::error(code, what)
        .in_file(source)
        .label(Span::new(offset, offset + 1), "here")
        .help("each line of a JSON Lines file is one transaction object: {\"id\": \"T1\", \"kind\": \"export\", …}")
}
