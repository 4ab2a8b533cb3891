//! A corpus of inputs to judge: transaction files and rule test cases, named one by one or
//! as folders. A test case contributes its facts (and its `as_of`); its expectations are left
//! out, since `chipgate diff` and verdict tables judge the facts under rule sets the
//! expectations were not written for.

use std::path::{Path, PathBuf};

use crate::cases;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Error};
use crate::facts::spans::SpanIndex;
use crate::facts::TransactionFile;
use crate::limits::Limits;
use crate::source::SourceFile;

/// One file's facts, with the date its transactions are judged on when the file fixes one
/// (a test case's `as_of`).
pub struct Input {
    pub facts: TransactionFile,
    pub as_of: Option<Date>,
}

/// The transaction files the command line names, in order: a file as given (`-` is
/// standard input), a folder's transaction files (`.yaml`, `.yml`, `.json`, `.jsonl`,
/// `.csv`) at any depth, in name order. A path that does not exist, and a folder with no
/// transaction file, are each a diagnostic in their place, so the other files are still
/// judged.
pub fn expand_inputs(names: &[String]) -> Vec<Result<PathBuf, Error>> {
    let mut out = Vec::new();
    for name in names {
        let path = PathBuf::from(name);
        if path.is_dir() {
            let found = crate::source::files_under(&path, &crate::facts::Format::EXTENSIONS);
            if found.is_empty() {
                out.push(Err(Error::one(
                    Diagnostic::error(
                        Code::InputEmptyFolder,
                        format!("`{name}` holds no transaction files"),
                    )
                    .help("transaction files end in .yaml, .yml, .json, .jsonl or .csv"),
                )));
            }
            out.extend(found.into_iter().map(Ok));
        } else {
            // Read as named: a path that cannot be read is reported by `read`.
            out.push(Ok(path));
        }
    }
    out
}

/// Whether a YAML file is a facts file (`check --facts`): parties, items or facilities, and
/// no transactions.
pub fn is_facts_file(source: &std::sync::Arc<SourceFile>) -> bool {
    let keys = SpanIndex::build(source, None).keys(&[]);
    !keys.is_empty()
        && keys
            .iter()
            .all(|k| matches!(k.as_str(), "parties" | "items" | "facilities"))
}

/// Whether a YAML file is a rule test case (top-level `expect`, `facts` or `facts_file`)
/// rather than a transaction file.
pub fn is_case(source: &std::sync::Arc<SourceFile>) -> bool {
    SpanIndex::build(source, None)
        .keys(&[])
        .iter()
        .any(|k| matches!(k.as_str(), "expect" | "facts" | "facts_file"))
}

/// Loads every file the paths name (folders expanded) as facts to judge. Every problem in
/// every file is reported, located. The same facts judged on the same date count once (a
/// transaction file named directly and again through a case's `facts_file`).
pub fn load(paths: &[PathBuf], limits: &Limits) -> Result<Vec<Input>, Error> {
    let files = cases::expand(paths)?;
    let mut inputs: Vec<Input> = Vec::new();
    let mut errors = Vec::new();
    for path in &files {
        // A facts file (`check --facts`) beside the transaction files is not one of them.
        if crate::facts::read(path, limits).is_ok_and(|s| is_facts_file(&s)) {
            continue;
        }
        match load_one(path, limits) {
            Ok(i) => {
                let seen = inputs.iter().any(|o| {
                    o.as_of == i.as_of
                        && o.facts.source.name() == i.facts.source.name()
                        && o.facts.source.text() == i.facts.source.text()
                });
                if !seen {
                    inputs.push(i);
                }
            }
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if errors.is_empty() {
        Ok(inputs)
    } else {
        Err(Error::from(errors))
    }
}

/// Loads one transaction file or test case as facts to judge.
pub fn load_one(path: &Path, limits: &Limits) -> Result<Input, Error> {
    let source = crate::facts::read(path, limits)?;
    if is_case(&source) {
        let (facts, as_of) = cases::facts_of(source, limits)?;
        Ok(Input { facts, as_of })
    } else {
        Ok(Input {
            facts: TransactionFile::parse(source, limits)?,
            as_of: None,
        })
    }
}
