//! How the compiler fails: never without saying why.
//!
//! Every pass that can fail returns `Result<T, Reported>`, and a [`Reported`] is made only
//! here, by reporting a diagnostic ([`Compiler::error`], [`Compiler::internal`]). So a
//! declaration, condition or test that fails has reported why, and the type checker sees to
//! it: `?` on an `Option` does not compile in these functions, nor does `return Err(…)`
//! without a report. (A `None` in the compiler means "not given", never "failed".)
//!
//! Two checks at the end of [`Compiler::run`](super::Compiler) back this up: a rule set that
//! would be returned with fewer classifications, exceptions or rules than were declared is
//! refused with `rules::internal` ([`account`]), and a refusal always holds at least one
//! error ([`refusal`]).

use crate::diag::{Code, Diagnostic, Error, Severity};
use crate::source::Span;

use super::Compiler;

/// Proof that a failure was reported. Only this module makes one (its field is private), in
/// [`Compiler::error`] and [`Compiler::internal`].
///
/// It must be used: returned as the failure (`Err(reported)`), or bound to `_reported` where
/// compiling goes on after the report (the rule set is refused all the same, since an error
/// was reported).
#[must_use = "return it as the failure (`Err(..)`), or bind it to `_reported` where compiling goes on"]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Reported(());

impl Compiler {
    /// Reports an error at `span` of file `file`, and returns the proof.
    ///
    /// Three kinds of report are not repeated, each because the diagnostic that covers it is
    /// already in the list: the same code at the same place again (a define's body is
    /// compiled at each use), an unknown name when an `include` failed (the missing file may
    /// declare it; the `rules::include` error is reported), and an unknown name that a
    /// declaration which failed to parse would have declared (its `rules::syntax` error is
    /// reported).
    pub(crate) fn error(
        &mut self,
        file: u16,
        span: Span,
        code: Code,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> Reported {
        if code == Code::RulesUnknownName && self.incomplete {
            return Reported(());
        }
        if code == Code::RulesUnknownName {
            let named = self.source(file).map(|src| src.slice(span).to_string());
            if named.is_some_and(|n| self.broken.contains(&n)) {
                return Reported(());
            }
        }
        if !self.reported.insert((file, span, code)) {
            return Reported(());
        }
        let mut d = Diagnostic::error(code, message).maybe_help(help);
        if let Some(src) = self.source(file) {
            d = d.in_file(src).label(span, label);
        }
        self.errors.push(d);
        Reported(())
    }

    /// Reports a broken invariant of the compiler itself (`rules::internal`): something the
    /// parser guarantees was not there. No rule file should reach this; if one does, the
    /// declaration is refused with this error instead of being dropped without one.
    pub(crate) fn internal(&mut self, file: u16, span: Span, what: &str) -> Reported {
        let mut d = Diagnostic::error(
            Code::RulesInternal,
            format!("could not compile {what} (the syntax tree is not as the parser promises)"),
        )
        .help("this is a chipgate bug; please report it with the rule files");
        if let Some(src) = self.source(file) {
            d = d.in_file(src).label(span, "here");
        }
        self.errors.push(d);
        Reported(())
    }
}

/// Checks that every declaration of a kind compiled, or that something was reported: for
/// each `(what, declared, built)`, a shortfall with no error in `errors` means a declaration
/// vanished without a word, which would silently weaken the rule set. It is refused as a bug
/// (`rules::internal`) instead.
pub(crate) fn account(errors: &mut Vec<Diagnostic>, compiled: &[(&str, usize, usize)]) {
    for &(what, declared, built) in compiled {
        if declared != built && !has_error(errors) {
            errors.push(
                Diagnostic::error(
                    Code::RulesInternal,
                    format!(
                        "{} {what} declarations did not compile, and no reason was given",
                        declared.abs_diff(built)
                    ),
                )
                .help("this is a bug in chipgate: please report it with the rule files"),
            );
        }
    }
}

/// The error of a compilation that failed: the diagnostics reported, which hold at least one
/// error (a refusal with none would say nothing about what to fix; it is reported as a bug).
pub(crate) fn refusal(mut errors: Vec<Diagnostic>) -> Error {
    if !has_error(&errors) {
        errors.push(
            Diagnostic::error(
                Code::RulesInternal,
                "the rule set was refused, and no reason was given",
            )
            .help("this is a bug in chipgate: please report it with the rule files"),
        );
    }
    Error::from(errors)
}

fn has_error(errors: &[Diagnostic]) -> bool {
    errors.iter().any(|d| d.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::Limits;
    use crate::source::SourceFile;
    use crate::syntax::ast::{BlockKind, Decl, RuleFile};
    use crate::syntax::{self, SyntaxLimits};

    fn parsed(text: &str) -> RuleFile {
        let (file, errors) =
            syntax::parse(&SourceFile::new("t.cg", text), &SyntaxLimits::default());
        assert!(errors.is_empty(), "{errors:?}");
        file
    }

    fn codes(files: Vec<RuleFile>) -> Vec<Code> {
        match Compiler::new(files, &Limits::default()).run() {
            Ok(_) => Vec::new(),
            Err(e) => e.diagnostics.iter().map(|d| d.code).collect(),
        }
    }

    const RULE: &str = "rule x.y { title \"t\" cite \"c\" effective 2024-01-01 on export when d outcome warning }\n";

    /// What the parser promises (a define has its condition) not holding: the rule that uses
    /// the define is refused with `rules::internal`, not compiled without its condition.
    #[test]
    fn a_broken_syntax_tree_is_reported_not_dropped() {
        let text = format!("define d {{ true }}\n{RULE}");
        assert!(codes(vec![parsed(&text)]).is_empty());
        let mut file = parsed(&text);
        for decl in &mut file.decls {
            if let Decl::Block(b) = decl {
                if b.kind == BlockKind::Define {
                    b.items.clear();
                }
            }
        }
        assert_eq!(codes(vec![file]), [Code::RulesInternal]);
    }

    #[test]
    fn a_declaration_missing_without_a_reason_is_reported() {
        let mut errors = Vec::new();
        account(&mut errors, &[("rule", 3, 3), ("exception", 2, 1)]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::RulesInternal);
        assert_eq!(
            errors[0].message,
            "1 exception declarations did not compile, and no reason was given"
        );
    }

    #[test]
    fn a_missing_declaration_with_a_reason_is_left_to_it() {
        let mut errors = vec![Diagnostic::error(Code::RulesUnknownName, "unknown law `x`")];
        account(&mut errors, &[("rule", 3, 2)]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::RulesUnknownName);
        // Nothing missing, nothing reported.
        let mut none = Vec::new();
        account(&mut none, &[("rule", 2, 2), ("classification", 0, 0)]);
        assert!(none.is_empty());
    }

    #[test]
    fn a_refusal_always_says_why() {
        let e = refusal(Vec::new());
        assert_eq!(e.diagnostics.len(), 1);
        assert_eq!(e.diagnostics[0].code, Code::RulesInternal);
        // Advice alone is no reason.
        let advice = Diagnostic::error(Code::RulesPointless, "x").with_severity(Severity::Advice);
        let e = refusal(vec![advice]);
        assert_eq!(e.diagnostics.len(), 2);
        assert_eq!(e.diagnostics[1].code, Code::RulesInternal);
        // A refusal with an error is left as it is.
        let e = refusal(vec![Diagnostic::error(Code::RulesSyntax, "x")]);
        assert_eq!(e.diagnostics.len(), 1);
    }
}
