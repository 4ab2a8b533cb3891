//! The service's error answers: the CLI's located diagnostics as JSON, with the HTTP status
//! that says whose fault it was. A client that sent a bad transaction file gets the same
//! code, message and line/column that `chipgate check` prints on stderr, so one fix works for
//! both; nothing the client sends is ever answered with a 500.

use serde::Serialize;

use crate::diag::{Code, Diagnostic, Error};

/// One diagnostic, as the service reports it:
/// `{"code","message","file","line","column","help"}`, the code in its stable string form
/// (`facts::bad-date`, as the command prints it). `line`/`column` are those of the
/// diagnostic's primary label (1-based, columns in characters), `null` when it has none.
#[derive(Clone, Debug, Serialize)]
pub struct ErrorEntry {
    pub code: Code,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub help: Option<String>,
}

impl ErrorEntry {
    pub fn of(d: &Diagnostic) -> ErrorEntry {
        let (line, column) = match (&d.file, d.labels.first()) {
            (Some(file), Some(label)) => {
                let (l, c) = file.line_col(label.span.start);
                (Some(l), Some(c))
            }
            _ => (None, None),
        };
        ErrorEntry {
            code: d.code,
            message: d.message.clone(),
            file: d.file.as_ref().map(|f| f.name().to_string()),
            line,
            column,
            help: d.help.clone(),
        }
    }

    /// A problem with the request itself (not its body): no file, no position.
    pub fn plain(code: Code, message: impl Into<String>, help: Option<&str>) -> ErrorEntry {
        ErrorEntry {
            code,
            message: message.into(),
            file: None,
            line: None,
            column: None,
            help: help.map(str::to_string),
        }
    }
}

/// `{"errors":[…]}`, pretty-printed like every other chipgate JSON, with a final newline.
pub fn body(entries: &[ErrorEntry]) -> String {
    #[derive(Serialize)]
    struct Errors<'a> {
        errors: &'a [ErrorEntry],
    }
    let mut text = serde_json::to_string_pretty(&Errors { errors: entries })
        .unwrap_or_else(|_| "{\"errors\": []}".to_string());
    text.push('\n');
    text
}

/// The entries of every diagnostic of an error, in order.
pub fn entries(error: &Error) -> Vec<ErrorEntry> {
    error.diagnostics.iter().map(ErrorEntry::of).collect()
}

/// Whether an error is a refusal at the step limit (`check::limit`): the file was valid but
/// judging one of its transactions took more than `--max-steps-per-transaction` steps.
pub fn is_step_limit(error: &Error) -> bool {
    !error.diagnostics.is_empty() && error.diagnostics.iter().all(|d| d.code == Code::CheckLimit)
}

/// Whether every diagnostic is the body being too large (`input::too-large`).
pub fn is_too_large(error: &Error) -> bool {
    !error.diagnostics.is_empty()
        && error
            .diagnostics
            .iter()
            .all(|d| d.code == Code::InputTooLarge)
}
