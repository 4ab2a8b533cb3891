//! Diagnostics as data: every error, in rules or in facts, is one [`Diagnostic`] carrying its
//! source file, labelled spans and a help text. Rendering happens in one place
//! ([`crate::report`]); nothing below this layer prints. Each diagnostic has a typed
//! [`Code`], documented in `docs/diagnostics.md`.

mod codes;

use std::fmt;
use std::sync::Arc;

pub use codes::Code;

use crate::source::{SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Advice,
}

/// A labelled span. The first label of a diagnostic is its primary location.
#[derive(Clone, Debug)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// What heads a drawn diagnostic: its [`Code`]; or, for the human report, which draws each
/// finding as a diagnostic, the finding's rule id (a `String`, empty for none). Only
/// `Diagnostic<Code>` (the default) is an error that [`Error`] carries.
pub trait Heading: fmt::Debug {
    /// The text shown before the message, if any.
    fn heading(&self) -> Option<&str>;
}

impl Heading for Code {
    fn heading(&self) -> Option<&str> {
        Some(self.as_str())
    }
}

impl Heading for String {
    fn heading(&self) -> Option<&str> {
        (!self.is_empty()).then_some(self.as_str())
    }
}

/// One problem, located and explained. Messages are lower-case single lines with user values
/// in backticks; what to do goes in `help`.
#[derive(Clone, Debug)]
pub struct Diagnostic<C = Code> {
    /// What kind of problem it is: `rules::unknown-name`, `facts::bad-date`, … (see [`Code`]).
    pub code: C,
    pub severity: Severity,
    pub message: String,
    pub file: Option<Arc<SourceFile>>,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Further located notes, possibly in other files (e.g. the first definition of a duplicate).
    pub related: Vec<Diagnostic<C>>,
}

impl<C: Heading> Diagnostic<C> {
    pub fn error(code: C, message: impl Into<String>) -> Diagnostic<C> {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            file: None,
            labels: Vec::new(),
            help: None,
            related: Vec::new(),
        }
    }

    pub fn in_file(mut self, file: &Arc<SourceFile>) -> Diagnostic<C> {
        self.file = Some(Arc::clone(file));
        self
    }

    pub fn label(mut self, span: Span, text: impl Into<String>) -> Diagnostic<C> {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic<C> {
        self.help = Some(help.into());
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Diagnostic<C> {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    pub fn related(mut self, other: Diagnostic<C>) -> Diagnostic<C> {
        self.related.push(other);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Diagnostic<C> {
        self.severity = severity;
        self
    }

    /// `file:line:col` of the primary label, or the file name alone.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match self.labels.first() {
            Some(label) => file.location(label.span),
            None => file.name().to_string(),
        })
    }
}

impl<C> fmt::Display for Diagnostic<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl<C: Heading> std::error::Error for Diagnostic<C> {}

impl<C: Heading> miette::Diagnostic for Diagnostic<C> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .heading()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.file
            .as_ref()
            .map(|f| f.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.file.is_none() || self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(|(i, l)| {
            let text = (!l.text.is_empty()).then(|| l.text.clone());
            if i == 0 {
                miette::LabeledSpan::new_primary_with_span(text, l.span)
            } else {
                miette::LabeledSpan::new_with_span(text, l.span)
            }
        })))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}

/// The error of every fallible public entry point: one or more located diagnostics.
#[derive(Clone, Debug)]
pub struct Error {
    pub diagnostics: Vec<Diagnostic>,
}

impl Error {
    pub fn one(d: Diagnostic) -> Error {
        Error {
            diagnostics: vec![d],
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::one(d)
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Error {
        Error { diagnostics }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match d.location() {
                Some(loc) => write!(f, "{loc}: {}", d.message)?,
                None => write!(f, "{}", d.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// "did you mean" for a misspelt name: the closest candidate by Jaro-Winkler similarity,
/// or by case-insensitive equality.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = wrong.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = if c.to_lowercase() == lower {
            1.0
        } else {
            strsim::jaro_winkler(&lower, &c.to_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The help line for an unknown name.
pub fn suggestion_help<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    did_you_mean(wrong, candidates).map(|c| format!("did you mean `{c}`?"))
}
