//! Reading a transaction file, by its format: JSON Lines and CSV row by row (`rows`), a
//! large YAML file in pieces on all cores (`pieces`), otherwise whole (`fast`, then
//! serde_yaml), each validated by `validate`; when serde refuses a file, the complete
//! reading (`extract`) finds every problem.

use std::sync::Arc;

use super::raw::RawFile;
use super::validate::{guard_text, yaml_error, Validator};
use super::{Format, TransactionFile};
use crate::diag::{Code, Diagnostic, Error};
use crate::limits::Limits;
use crate::source::{SourceFile, Span};

pub fn load(source: Arc<SourceFile>, limits: &Limits) -> Result<TransactionFile, Error> {
    load_with(source, None, limits)
}

/// Reads a transaction file in the format its name says (YAML, JSON, JSON Lines, CSV),
/// with the facts shared by transaction files when given.
pub fn load_with(
    source: Arc<SourceFile>,
    shared: Option<&Arc<super::shared::Shared>>,
    limits: &Limits,
) -> Result<TransactionFile, Error> {
    let format = Format::of(source.name());
    if matches!(format, Format::JsonLines | Format::Csv) {
        return super::rows::load(source, shared, limits, format);
    }
    let text = source.text();
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::error(Code::FactsEmpty, "the transaction file is empty")
            .in_file(&source)
            .label(Span::new(0, 0), "nothing here")
            .help("a transaction file lists `parties`, `items` and `transactions` (see docs/transaction-file.md)")
            .into());
    }
    if format == Format::Json {
        return match serde_json::from_str::<RawFile>(text) {
            Ok(raw) => Validator::new(source, limits, None).run_shared(raw, shared),
            Err(e) if e.is_data() => {
                let fallback = Error::one(super::rows::json_error(&source, 0, &e));
                Err(complete(source, fallback, shared, limits))
            }
            Err(e) => Err(Error::one(super::rows::json_error(&source, 0, &e))),
        };
    }
    if text.len() >= super::pieces::PARALLEL_FROM_BYTES && shared.is_none() {
        // Read in pieces, serde_yaml holds one piece's values at a time, so the count of
        // values (which bounds its memory) matters only if the file must be read whole.
        let per_piece = Limits {
            max_yaml_nodes: usize::MAX,
            ..limits.clone()
        };
        guard_text(&source, &per_piece)?;
        if let Some(file) = super::pieces::load(&source, limits) {
            return Ok(file);
        }
    }
    guard_text(&source, limits)?;
    if let Some(raw) = super::fast::from_str::<RawFile>(text) {
        return Validator::new(source, limits, None).run_shared(raw, shared);
    }
    match serde_yaml::from_str::<RawFile>(text) {
        Ok(raw) => Validator::new(source, limits, None).run_shared(raw, shared),
        Err(e) => {
            let fallback = yaml_error(&source, &e);
            Err(complete(source, fallback, shared, limits))
        }
    }
}

/// The complete reading of a file serde refused: every unknown key, missing key and value
/// of the wrong type, then every other problem the validator finds, in the file's order.
/// serde's own diagnostic when the complete reading finds nothing (a syntax error).
fn complete(
    source: Arc<SourceFile>,
    fallback: Error,
    shared: Option<&Arc<super::shared::Shared>>,
    limits: &Limits,
) -> Error {
    let Some(node) = super::doc::parse(source.text(), 0) else {
        return fallback;
    };
    let mut reader = super::extract::Reader::new(&source, None);
    let raw = reader.file(&node, false);
    let problems = std::mem::take(&mut reader.problems);
    drop(reader);
    if problems.errors.is_empty() {
        return fallback;
    }
    match Validator::new(source, limits, None)
        .after(problems)
        .run_shared(raw, shared)
    {
        Ok(_) => fallback,
        Err(mut e) => {
            e.diagnostics
                .sort_by_key(|d| d.labels.first().map(|l| l.span.start));
            e
        }
    }
}
