//! Rule files to syntax trees: pest does the parsing (grammar/chipgate.pest); this module cuts
//! a file into declarations, parses each on its own (so one bad rule gives one error), turns
//! pest's token lists into domain words, and builds the [`ast`] with a span on every node.

pub mod ast;

use std::sync::Arc;

use pest::iterators::Pair;
use pest::Parser as _;

use crate::diag::{Code, Diagnostic};
use crate::source::{SourceFile, Span};
use ast::*;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/chipgate.pest"]
struct Grammar;

/// Words that begin a declaration; used to cut a file into declarations.
const DECL_WORDS: &[&str] = &[
    "include",
    "law",
    "group",
    "define",
    "classify",
    "exception",
    "rule",
];

/// The most declarations one file may hold, and the deepest a condition may nest: both keep a
/// hostile rule file from exhausting memory or the stack.
pub struct SyntaxLimits {
    pub max_declarations: usize,
    pub max_nesting: usize,
}

impl Default for SyntaxLimits {
    fn default() -> Self {
        SyntaxLimits {
            max_declarations: 10_000,
            max_nesting: 64,
        }
    }
}

/// Parses one rule file. Returns the declarations that parsed and one diagnostic per
/// declaration that did not.
pub fn parse(source: &Arc<SourceFile>, limits: &SyntaxLimits) -> (RuleFile, Vec<Diagnostic>) {
    let mut decls = Vec::new();
    let mut errors = Vec::new();
    let mut broken = Vec::new();
    let text = source.text();
    for (start, end) in split_declarations(text) {
        let chunk = text.get(start..end).unwrap_or("");
        if chunk.trim().is_empty() || is_only_comments(chunk) {
            continue;
        }
        if decls.len() + errors.len() >= limits.max_declarations {
            errors.push(
                Diagnostic::error(
                    Code::RulesTooManyDeclarations,
                    format!(
                        "more than {} declarations in one file",
                        limits.max_declarations
                    ),
                )
                .in_file(source)
                .label(Span::new(start, start), "this one is past the limit")
                .help("split the rules into several files joined with `include`"),
            );
            break;
        }
        if let Some(depth_error) = check_nesting(source, chunk, start, limits.max_nesting) {
            errors.push(depth_error);
            continue;
        }
        match Grammar::parse(Rule::declaration, chunk) {
            Ok(mut pairs) => {
                let builder = Builder { offset: start };
                let decl = pairs
                    .next()
                    .and_then(|p| p.into_inner().find(|p| p.as_rule() != Rule::EOI));
                match decl.map(|p| builder.decl(p)) {
                    Some(Ok(d)) => decls.push(d),
                    Some(Err(e)) => errors.push(e.in_file(source)),
                    // `declaration` holds one `decl`: were it missing, the declaration would
                    // vanish without a word, so that is reported.
                    None => errors.push(
                        builder
                            .broken("a declaration", Span::new(start, end))
                            .in_file(source),
                    ),
                }
            }
            Err(e) => {
                if let Some(name) = declaration_name(chunk) {
                    broken.push(name);
                }
                errors.push(syntax_error(source, chunk, start, &e));
            }
        }
    }
    (
        RuleFile {
            source: Arc::clone(source),
            decls,
            broken,
        },
        errors,
    )
}

fn is_only_comments(chunk: &str) -> bool {
    chunk
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with("//"))
}

/// Byte ranges of the declarations in a file. A declaration starts at a declaration word at
/// brace depth zero, or at a declaration word in the first column (which also recovers from a
/// missing `}`), outside strings and comments.
fn split_declarations(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut starts = vec![0usize];
    let mut depth = 0usize;
    let mut i = 0usize;
    let mut line_start = true;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    if c == b'"' || c == b'\n' {
                        break;
                    }
                    i += 1;
                }
                i += 1;
                line_start = false;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            _ if b.is_ascii_alphabetic() => {
                let word_end = bytes
                    .get(i..)
                    .and_then(|rest| {
                        rest.iter()
                            .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    })
                    .map_or(bytes.len(), |p| i + p);
                let prev_is_word = i > 0
                    && bytes.get(i - 1).is_some_and(|c| {
                        c.is_ascii_alphanumeric() || matches!(*c, b'_' | b'.' | b'-')
                    });
                let word = text.get(i..word_end).unwrap_or("");
                let at_column_zero = i == 0 || bytes.get(i - 1) == Some(&b'\n');
                if !prev_is_word
                    && DECL_WORDS.contains(&word)
                    && (at_column_zero || (line_start && depth == 0))
                {
                    if i > 0 {
                        starts.push(i);
                    }
                    depth = 0;
                }
                line_start = false;
                i = word_end;
                continue;
            }
            _ if b.is_ascii_whitespace() => {}
            _ => line_start = false,
        }
        i += 1;
    }
    let mut ranges = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let e = starts.get(k + 1).copied().unwrap_or(text.len());
        if s < e {
            ranges.push((s, e));
        }
    }
    ranges
}

/// Rejects a declaration whose parentheses nest deeper than the limit before pest recurses
/// into it.
fn check_nesting(
    source: &Arc<SourceFile>,
    chunk: &str,
    offset: usize,
    max: usize,
) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut prev = 0u8;
    for (i, b) in chunk.bytes().enumerate() {
        if in_string {
            if b == b'"' && prev != b'\\' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'(' || b == b'[' {
            depth += 1;
            if depth > max {
                return Some(
                    Diagnostic::error(
                        Code::RulesTooDeep,
                        format!("conditions nest more than {max} levels deep"),
                    )
                    .in_file(source)
                    .label(Span::new(offset + i, offset + i + 1), "too deep here")
                    .help("name part of the condition with `define` and use it by name"),
                );
            }
        } else if b == b')' || b == b']' {
            depth = depth.saturating_sub(1);
        }
        prev = if prev == b'\\' && b == b'\\' { 0 } else { b };
    }
    // `not not not …` nests without brackets.
    let nots = chunk
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| *w == "not")
        .count();
    if nots > max * 4 {
        return Some(
            Diagnostic::error(
                Code::RulesTooDeep,
                format!("more than {} `not` in one declaration", max * 4),
            )
            .in_file(source)
            .label(Span::new(offset, offset), "in this declaration"),
        );
    }
    None
}

/// A pest error, reworded: "expected a date (YYYY-MM-DD) after `effective`".
fn syntax_error(
    source: &Arc<SourceFile>,
    chunk: &str,
    offset: usize,
    e: &pest::error::Error<Rule>,
) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let positives: Vec<Rule> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let kind = declaration_kind(chunk);
    let expected = expected_words(&positives, kind);
    let rest = chunk.get(pos..).unwrap_or("");
    let found_len = token_len(rest);
    let found = rest.get(..found_len).unwrap_or("");
    let before = previous_token(chunk, pos);
    let context = declaration_context(chunk);
    let expected_text = match expected.as_slice() {
        [] => String::from("something else"),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    };
    let found_text = if found.is_empty() {
        "the end of the declaration".to_string()
    } else {
        format!("`{found}`")
    };
    let after = before.map(|b| format!(" after `{b}`")).unwrap_or_default();
    let unclosed =
        positives.contains(&Rule::close_brace) && (found.is_empty() || DECL_WORDS.contains(&found));
    let message = if unclosed {
        let what = context.trim_start().trim_start_matches("in ").to_string();
        let what = if what.is_empty() {
            "the declaration".to_string()
        } else {
            what
        };
        format!("{what} is not closed: expected `}}` before {found_text}")
    } else {
        format!("expected {expected_text}{after}, found {found_text}{context}")
    };
    let span = Span::new(
        offset + pos,
        offset + pos + found_len.max(1).min(rest.len()),
    );
    let label = if unclosed {
        "expected `}` before this".to_string()
    } else if expected_text.len() > 60 {
        "unexpected here".to_string()
    } else {
        format!("expected {expected_text}")
    };
    let mut d = Diagnostic::error(Code::RulesSyntax, message)
        .in_file(source)
        .label(span, label);
    if let Some(h) = syntax_help(found, before, unclosed, &expected) {
        d = d.help(h);
    }
    d
}

fn syntax_help(
    found: &str,
    before: Option<&str>,
    unclosed: bool,
    expected: &[String],
) -> Option<String> {
    if unclosed {
        return Some("a block ends with `}`: check that every `{` is closed".into());
    }
    if found == "&&" || found == "&" {
        return Some("write `and`".into());
    }
    if found == "||" || found == "|" {
        return Some("write `or`".into());
    }
    if found == "!" {
        return Some("write `not`".into());
    }
    if found == "=" {
        return Some("compare with `==`, or test membership with `in` or `is`".into());
    }
    if matches!(before, Some("effective" | "until" | "from")) {
        return Some("dates are written YYYY-MM-DD, e.g. `2023-11-17`".into());
    }
    if found.starts_with('\'') {
        return Some("strings use double quotes".into());
    }
    if matches!(before, Some("and" | "or" | "not" | "when" | "unless")) {
        return Some("a condition tests the item, a party, the destination, the route, the date or an authorization (see docs/language.md)".into());
    }
    if expected.iter().any(|e| e.starts_with("a declaration")) {
        return Some("a rule file holds declarations: include, law, group, define, classify, exception and rule (see docs/language.md)".into());
    }
    None
}

/// The kind of declaration being parsed ("rule", "group", …), when its header is readable.
fn declaration_kind(chunk: &str) -> Option<&'static str> {
    let first = chunk
        .split(|c: char| c.is_whitespace() || c == '{')
        .find(|w| !w.is_empty() && !w.starts_with("//"))?;
    [
        "group",
        "define",
        "classify",
        "exception",
        "rule",
        "include",
        "law",
    ]
    .into_iter()
    .find(|k| *k == first)
}

/// pest's expected tokens in the rule author's words: connectives first, then the lines a
/// block may hold collapsed into one phrase, then the rest.
fn expected_words(positives: &[Rule], kind: Option<&str>) -> Vec<String> {
    const LINES: &[Rule] = &[
        Rule::k_title,
        Rule::k_law,
        Rule::k_cite,
        Rule::k_note,
        Rule::k_help,
        Rule::k_explain,
        Rule::k_effective,
        Rule::k_on,
        Rule::k_when,
        Rule::k_unless,
        Rule::k_outcome,
        Rule::k_policy,
        Rule::k_unenforced,
        Rule::k_members,
        Rule::k_member,
        Rule::close_brace,
        Rule::title_item,
        Rule::law_item,
        Rule::cite_item,
        Rule::note_item,
        Rule::help_item,
        Rule::explain_item,
        Rule::effective_item,
        Rule::on_item,
        Rule::when_item,
        Rule::unless_item,
        Rule::outcome_item,
        Rule::policy_item,
        Rule::unenforced_item,
        Rule::members_item,
        Rule::member_item,
    ];
    let mut words: Vec<String> = Vec::new();
    let mut push = |w: String| {
        if !words.contains(&w) {
            words.push(w);
        }
    };
    for r in positives {
        match r {
            Rule::k_and => push("`and`".into()),
            Rule::k_or => push("`or`".into()),
            _ => {}
        }
    }
    if positives.iter().any(|r| LINES.contains(r)) {
        let block = kind.unwrap_or("declaration");
        let lines = match block {
            "group" => "members, member, cite, note",
            "classify" => "title, cite, effective, when, unless, note",
            "exception" => "title, law, cite, effective, when, help, note",
            _ => "title, law, cite, effective, on, when, unless, outcome, policy, unenforced, explain, help, note",
        };
        push(format!("`}}` or another line of the {block} ({lines})"));
    }
    for r in positives {
        if LINES.contains(r) || matches!(r, Rule::k_and | Rule::k_or) {
            continue;
        }
        if let Some(w) = describe(*r) {
            push(w.to_string());
        }
    }
    words.truncate(5);
    words
}

/// How the grammar's rules read to a rule author; `None` hides a rule from the list.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::decl
        | Rule::include_decl
        | Rule::law_decl
        | Rule::group_decl
        | Rule::define_decl
        | Rule::classify_decl
        | Rule::exception_decl
        | Rule::rule_decl
        | Rule::k_include
        | Rule::k_group
        | Rule::k_define
        | Rule::k_classify
        | Rule::k_rule => {
            "a declaration (include, law, group, define, classify, exception or rule)"
        }
        Rule::k_exception => "`exception`",
        Rule::classify_item => {
            "a classification attribute (title, cite, effective, when, unless, note)"
        }
        Rule::exception_item => {
            "an exception attribute (title, law, cite, effective, when, help, note)"
        }
        Rule::group_item
        | Rule::members_item
        | Rule::member_item
        | Rule::uncertain_item
        | Rule::k_members
        | Rule::k_member => "`members`, `member`, `cite` or `note`",
        Rule::k_uncertain => "`uncertain`",
        Rule::compliance_item | Rule::k_compliance => "`compliance`",
        Rule::k_otherwise => "`otherwise`",
        Rule::codes | Rule::code => "a code such as `5A992.c`, `8542` or `UA-43`",
        Rule::declared_test | Rule::k_declared => "`declared`",
        Rule::constant => "`true` or `false`",
        Rule::distributor_pred | Rule::k_a | Rule::k_distributor => "`a distributor`",
        Rule::named_pred | Rule::k_named => "`named`",
        Rule::title_item | Rule::k_title => "`title`",
        Rule::law_item | Rule::k_law => "`law`",
        Rule::cite_item | Rule::k_cite => "`cite`",
        Rule::note_item | Rule::k_note => "`note`",
        Rule::help_item | Rule::k_help => "`help`",
        Rule::explain_item | Rule::k_explain => "`explain`",
        Rule::effective_item | Rule::k_effective => "`effective`",
        Rule::on_item | Rule::k_on => "`on`",
        Rule::when_item | Rule::k_when => "`when`",
        Rule::unless_item | Rule::k_unless => "`unless`",
        Rule::outcome_item | Rule::k_outcome => "`outcome`",
        Rule::policy_item | Rule::k_policy => "`policy`",
        Rule::unenforced_item | Rule::k_unenforced => "`unenforced`",
        Rule::name | Rule::role => "a name",
        Rule::rule_id => "a rule id such as `us.ear.hq-rule`",
        Rule::law_name => "a law name such as `us-ear`",
        Rule::list_name | Rule::lists => "a list name such as `entity-list`",
        Rule::eccn => "an ECCN such as `3A090.a`",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::number => "a number",
        Rule::percent | Rule::share_bound => "a share such as `50%`",
        Rule::bound_kind => "`at least` or `more than`",
        Rule::string => "a quoted string",
        Rule::cond | Rule::alt | Rule::conj | Rule::neg | Rule::not_op | Rule::k_not => {
            "a condition"
        }
        Rule::item_is | Rule::value_test | Rule::value_path | Rule::item_attr | Rule::tx_attr => {
            "a condition"
        }
        Rule::route_test
        | Rule::auth_test
        | Rule::exception_test
        | Rule::party_test
        | Rule::call => "a condition",
        Rule::k_item => "`item`",
        Rule::attr_name => "an item attribute such as `tpp`",
        Rule::compare | Rule::cmp_op => "a comparison (>=, >, <=, <, ==, !=)",
        Rule::membership | Rule::k_in => "`in`",
        Rule::equality | Rule::k_is => "`is`",
        Rule::negation => "`not`",
        Rule::k_and => "`and`",
        Rule::k_or => "`or`",
        Rule::k_until => "`until`",
        Rule::k_from => "`from`",
        Rule::names => "a country, a group or a [list]",
        Rule::route_mode => "`passes through`, `includes`, `starts in` or `ends in`",
        Rule::lead_time | Rule::lead_field => "`notified` or `issued`",
        Rule::k_by => "`by`",
        Rule::k_of => "`of`",
        Rule::k_holding => "`holding`",
        Rule::k_at | Rule::k_least => "`at least`",
        Rule::k_days => "`days`",
        Rule::k_before => "`before`",
        Rule::party | Rule::owner_of | Rule::parent_of => {
            "a party (sender, consignee, end_user, lessor, lessee, operator)"
        }
        Rule::party_pred
        | Rule::hq_pred
        | Rule::located_pred
        | Rule::listed_pred
        | Rule::owned_pred
        | Rule::same_party => {
            "`headquartered in`, `located in`, `listed on`, `owned`, `a distributor`, `named` or a party"
        }
        Rule::params => "`(`",
        Rule::EOI => "the end of the declaration",
        Rule::declaration => {
            "a declaration (include, law, group, define, classify, exception or rule)"
        }
        Rule::close_brace => "`}`",
        _ => return None,
    })
}

fn token_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    match chars.next() {
        None => 0,
        Some((_, c)) if c.is_alphanumeric() || c == '_' => rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')))
            .map_or(rest.len(), |(i, _)| i),
        Some((_, '"')) => rest
            .char_indices()
            .skip(1)
            .find(|(_, c)| *c == '"' || *c == '\n')
            .map_or(rest.len(), |(i, c)| if c == '"' { i + 1 } else { i }),
        Some((_, c)) if "<>=!&|".contains(c) => rest
            .char_indices()
            .find(|(_, c)| !"<>=!&|".contains(*c))
            .map_or(rest.len(), |(i, _)| i),
        Some((_, c)) => c.len_utf8(),
    }
}

/// The last word before `pos`, skipping whitespace and comments, for "after `when`".
fn previous_token(chunk: &str, pos: usize) -> Option<&str> {
    let before = chunk.get(..pos)?;
    let trimmed = before
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => l.get(..i).unwrap_or(""),
            None => l,
        })
        .collect::<Vec<_>>();
    let last_line = trimmed.iter().rev().find(|l| !l.trim().is_empty())?;
    let line = last_line.trim_end();
    let start = line
        .rfind(|c: char| c.is_whitespace() || c == '(' || c == '[' || c == ',')
        .map_or(0, |i| i + 1);
    let word = line.get(start..)?;
    if word.is_empty() || word.len() > 40 {
        return None;
    }
    // Return a slice of `chunk` with the same text so the lifetime is tied to the input.
    let at = before.rfind(word)?;
    chunk.get(at..at + word.len())
}

/// The name a declaration declares (`D5` in `group D5 …`), when its header is readable.
fn declaration_name(chunk: &str) -> Option<String> {
    let mut words = chunk
        .split(|c: char| c.is_whitespace() || c == '{' || c == '(' || c == '"')
        .filter(|w| !w.is_empty() && !w.starts_with("//"));
    let kind = words.next()?;
    let name = words.next()?;
    ["group", "define", "classify", "exception", "rule"]
        .contains(&kind)
        .then(|| name.to_string())
}

/// " in rule `x`" for the declaration being parsed, when its header is readable.
fn declaration_context(chunk: &str) -> String {
    let mut words = chunk
        .split(|c: char| c.is_whitespace() || c == '{' || c == '(' || c == '"')
        .filter(|w| !w.is_empty() && !w.starts_with("//"));
    match (words.next(), words.next()) {
        (Some(kind), Some(name))
            if ["group", "define", "classify", "exception", "rule"].contains(&kind) =>
        {
            format!(" in {kind} `{name}`")
        }
        _ => String::new(),
    }
}

/// Builds AST nodes from pest pairs of one declaration; `offset` places the declaration in its
/// file.
struct Builder {
    offset: usize,
}

type Built<T> = Result<T, Diagnostic>;

impl Builder {
    /// The pair's span without the whitespace pest skips after an optional part that was
    /// not there (`k_by ~ name ~ lead_time?` consumes the newline after `name`).
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let kept = pair.as_str().trim_end().len();
        Span::new(self.offset + s.start(), self.offset + s.start() + kept)
    }

    fn text(&self, pair: &Pair<'_, Rule>) -> Name {
        Spanned::new(pair.as_str().to_string(), self.span(pair))
    }

    /// A grammar invariant did not hold: reported, never a panic.
    fn broken(&self, what: &str, span: Span) -> Diagnostic {
        Diagnostic::error(
            Code::RulesInternal,
            format!("could not read {what} (parser and syntax tree disagree)"),
        )
        .label(span, "here")
        .help("this is a chipgate bug; please report it with the rule file")
    }

    fn children<'a>(&self, pair: Pair<'a, Rule>) -> Vec<Pair<'a, Rule>> {
        pair.into_inner().collect()
    }

    fn decl(&self, pair: Pair<'_, Rule>) -> Built<Decl> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let parts = self.children(pair);
        match rule {
            Rule::include_decl => {
                let path = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::string)
                    .ok_or_else(|| self.broken("the include path", span))?;
                Ok(Decl::Include(self.string(path)))
            }
            Rule::law_decl => {
                let name = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::law_name)
                    .ok_or_else(|| self.broken("the law name", span))?;
                let title = parts
                    .iter()
                    .find(|p| p.as_rule() == Rule::string)
                    .ok_or_else(|| self.broken("the law title", span))?;
                Ok(Decl::Law {
                    name: self.text(name),
                    title: self.string(title),
                    span,
                })
            }
            Rule::group_decl
            | Rule::define_decl
            | Rule::classify_decl
            | Rule::exception_decl
            | Rule::rule_decl => self.block(rule, parts, span).map(Decl::Block),
            _ => Err(self.broken("a declaration", span)),
        }
    }

    fn block(&self, rule: Rule, parts: Vec<Pair<'_, Rule>>, span: Span) -> Built<Block> {
        let kind = match rule {
            Rule::group_decl => BlockKind::Group,
            Rule::define_decl => BlockKind::Define,
            Rule::classify_decl => BlockKind::Classify,
            Rule::exception_decl => BlockKind::Exception,
            _ => BlockKind::Rule,
        };
        let mut name = None;
        let mut title = None;
        let mut params = Vec::new();
        let mut items = Vec::new();
        for p in parts {
            match p.as_rule() {
                Rule::name | Rule::eccn | Rule::rule_id if name.is_none() => {
                    name = Some(self.text(&p));
                }
                Rule::close_brace => {}
                Rule::string if title.is_none() && items.is_empty() => {
                    title = Some(self.string(&p));
                }
                Rule::params => {
                    params = p
                        .into_inner()
                        .filter(|n| n.as_rule() == Rule::name)
                        .map(|n| self.text(&n))
                        .collect();
                }
                Rule::cond => {
                    let s = self.span(&p);
                    items.push(Spanned::new(Item::Body(self.cond(p)?), s));
                }
                r if format!("{r:?}").starts_with("k_") => {}
                _ => items.push(self.item(p)?),
            }
        }
        let name = name.ok_or_else(|| self.broken("the declaration's name", span))?;
        Ok(Block {
            kind,
            name,
            title,
            params,
            items,
            span,
        })
    }

    fn string(&self, pair: &Pair<'_, Rule>) -> Name {
        let raw = pair.as_str();
        let body = raw
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or(raw);
        let mut out = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(other) => out.push(other),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        Spanned::new(out, self.span(pair))
    }

    fn strings(&self, parts: &[Pair<'_, Rule>]) -> Vec<Name> {
        parts
            .iter()
            .filter(|p| p.as_rule() == Rule::string)
            .map(|p| self.string(p))
            .collect()
    }

    fn first<'a>(
        &self,
        parts: &[Pair<'a, Rule>],
        rule: Rule,
        what: &str,
        span: Span,
    ) -> Built<Pair<'a, Rule>> {
        parts
            .iter()
            .find(|p| p.as_rule() == rule)
            .cloned()
            .ok_or_else(|| self.broken(what, span))
    }

    fn dates(&self, parts: &[Pair<'_, Rule>]) -> Vec<Name> {
        parts
            .iter()
            .filter(|p| p.as_rule() == Rule::date)
            .map(|p| self.text(p))
            .collect()
    }

    fn item(&self, pair: Pair<'_, Rule>) -> Built<Spanned<Item>> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let parts = self.children(pair);
        let one_string = |what: &str| -> Built<Name> {
            self.strings(&parts)
                .into_iter()
                .next()
                .ok_or_else(|| self.broken(what, span))
        };
        let item = match rule {
            Rule::title_item => Item::Title(one_string("the title")?),
            Rule::note_item => {
                let text = one_string("the note")?;
                match parts.iter().find(|p| p.as_rule() == Rule::cond) {
                    Some(c) => Item::Caveat(text, self.cond(c.clone())?),
                    None => Item::Note(text),
                }
            }
            Rule::help_item => Item::Help(one_string("the help text")?),
            Rule::explain_item => Item::Explain(one_string("the explanation")?),
            Rule::cite_item => Item::Cite(self.strings(&parts)),
            Rule::law_item => {
                Item::Law(self.text(&self.first(&parts, Rule::law_name, "the law name", span)?))
            }
            Rule::effective_item => {
                let mut dates = self.dates(&parts).into_iter();
                let from = dates
                    .next()
                    .ok_or_else(|| self.broken("the effective date", span))?;
                Item::Effective {
                    from,
                    until: dates.next(),
                }
            }
            Rule::on_item => Item::On(
                parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::name)
                    .map(|p| self.text(p))
                    .collect(),
            ),
            Rule::when_item => {
                Item::When(self.cond(self.first(&parts, Rule::cond, "the condition", span)?)?)
            }
            Rule::unless_item => {
                Item::Unless(self.cond(self.first(&parts, Rule::cond, "the condition", span)?)?)
            }
            Rule::outcome_item => {
                Item::Outcome(self.text(&self.first(&parts, Rule::name, "the outcome", span)?))
            }
            Rule::policy_item => {
                let text = one_string("the policy")?;
                let when = match parts.iter().find(|p| p.as_rule() == Rule::cond) {
                    Some(c) => Some(self.cond(c.clone())?),
                    None => None,
                };
                Item::Policy { text, when }
            }
            Rule::unenforced_item => {
                let mut dates = self.dates(&parts).into_iter();
                let from = dates.next().ok_or_else(|| self.broken("the date", span))?;
                Item::Unenforced {
                    from,
                    until: dates.next(),
                    reason: one_string("the reason")?,
                }
            }
            Rule::members_item => Item::Members(
                parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::name)
                    .map(|p| self.text(p))
                    .collect(),
            ),
            Rule::compliance_item => Item::Compliance {
                date: self
                    .dates(&parts)
                    .into_iter()
                    .next()
                    .ok_or_else(|| self.broken("the compliance date", span))?,
                note: self.strings(&parts).into_iter().next(),
            },
            Rule::member_item | Rule::uncertain_item => {
                let name = self.text(&self.first(&parts, Rule::name, "the member", span)?);
                let uncertain = if rule == Rule::uncertain_item {
                    Some(one_string("the reason")?)
                } else {
                    None
                };
                let mut from = None;
                let mut until = None;
                let mut last_kw = "";
                for p in &parts {
                    match p.as_rule() {
                        Rule::k_from => last_kw = "from",
                        Rule::k_until => last_kw = "until",
                        Rule::date if last_kw == "from" => from = Some(self.text(p)),
                        Rule::date => until = Some(self.text(p)),
                        _ => {}
                    }
                }
                Item::Member {
                    name,
                    from,
                    until,
                    uncertain,
                }
            }
            _ => return Err(self.broken("an attribute", span)),
        };
        Ok(Spanned::new(item, span))
    }

    fn cond(&self, pair: Pair<'_, Rule>) -> Built<Expr> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        if rule == Rule::constant {
            let value = pair.as_str().starts_with("true");
            return Ok(Expr::Test(Box::new(Test::Constant(value)), span));
        }
        let parts: Vec<_> = self
            .children(pair)
            .into_iter()
            .filter(|p| !matches!(p.as_rule(), Rule::k_or | Rule::k_and))
            .collect();
        match rule {
            Rule::cond => {
                // `A otherwise B otherwise C` reads as `A otherwise (B otherwise C)`.
                let mut exprs = Vec::with_capacity(parts.len());
                for p in parts
                    .into_iter()
                    .filter(|p| p.as_rule() != Rule::k_otherwise)
                {
                    exprs.push(self.cond(p)?);
                }
                let mut expr = exprs
                    .pop()
                    .ok_or_else(|| self.broken("a condition", span))?;
                while let Some(first) = exprs.pop() {
                    let joined = first.span().join(expr.span());
                    expr = Expr::Otherwise(Box::new(first), Box::new(expr), joined);
                }
                Ok(expr)
            }
            Rule::alt | Rule::conj => {
                let mut exprs = Vec::with_capacity(parts.len());
                for p in parts {
                    exprs.push(self.cond(p)?);
                }
                if exprs.len() == 1 {
                    return exprs.pop().ok_or_else(|| self.broken("a condition", span));
                }
                Ok(if rule == Rule::alt {
                    Expr::Or(exprs, span)
                } else {
                    Expr::And(exprs, span)
                })
            }
            Rule::neg => {
                let nots = parts.iter().filter(|p| p.as_rule() == Rule::not_op).count();
                let inner = parts
                    .into_iter()
                    .find(|p| p.as_rule() != Rule::not_op)
                    .ok_or_else(|| self.broken("a condition", span))?;
                let mut expr = self.cond(inner)?;
                for _ in 0..nots {
                    expr = Expr::Not(Box::new(expr), span);
                }
                Ok(expr)
            }
            _ => {
                let test = self.test(rule, parts, span)?;
                Ok(Expr::Test(Box::new(test), span))
            }
        }
    }

    fn test(&self, rule: Rule, parts: Vec<Pair<'_, Rule>>, span: Span) -> Built<Test> {
        let negated = parts.iter().any(|p| p.as_rule() == Rule::negation);
        match rule {
            Rule::declared_test => Ok(Test::Declared),
            Rule::item_is => Ok(Test::ItemIs {
                negated,
                eccn: self.text(&self.first(&parts, Rule::eccn, "the ECCN", span)?),
            }),
            Rule::value_test => {
                let path = self.first(&parts, Rule::value_path, "the attribute", span)?;
                let path_name = self.text(&path);
                let tail = match parts.iter().find(|p| p.as_rule() != Rule::value_path) {
                    None => None,
                    Some(t) => Some(self.value_tail(t.clone())?),
                };
                Ok(Test::Value {
                    path: Spanned::new(
                        path_name.node.split_whitespace().collect::<String>(),
                        path_name.span,
                    ),
                    tail,
                })
            }
            Rule::route_test => Ok(Test::Route {
                mode: {
                    let m = self.first(&parts, Rule::route_mode, "the route test", span)?;
                    let t = self.text(&m);
                    Spanned::new(
                        t.node.split_whitespace().collect::<Vec<_>>().join(" "),
                        t.span,
                    )
                },
                places: self.names(&self.first(&parts, Rule::names, "the places", span)?),
            }),
            Rule::auth_test => {
                let kind = self.text(&self.first(&parts, Rule::name, "the authorization", span)?);
                let lead = match parts.iter().find(|p| p.as_rule() == Rule::lead_time) {
                    None => None,
                    Some(l) => {
                        let lp = self.children(l.clone());
                        let field = self.text(&self.first(
                            &lp,
                            Rule::lead_field,
                            "the date field",
                            span,
                        )?);
                        let days =
                            self.number(&self.first(&lp, Rule::number, "the days", span)?)?;
                        Some((field, days))
                    }
                };
                Ok(Test::Authorized { kind, lead })
            }
            Rule::exception_test => Ok(Test::Exception(self.text(&self.first(
                &parts,
                Rule::name,
                "the exception",
                span,
            )?))),
            Rule::party_test => {
                let party = self.party(self.first(&parts, Rule::party, "the party", span)?)?;
                let pred_pair = parts
                    .iter()
                    .find(|p| {
                        matches!(
                            p.as_rule(),
                            Rule::hq_pred
                                | Rule::located_pred
                                | Rule::listed_pred
                                | Rule::owned_pred
                                | Rule::distributor_pred
                                | Rule::named_pred
                                | Rule::same_party
                        )
                    })
                    .cloned()
                    .ok_or_else(|| self.broken("the party test", span))?;
                let pred = self.party_pred(pred_pair)?;
                Ok(Test::Party {
                    party,
                    negated,
                    pred,
                })
            }
            Rule::call => {
                let name = self.text(&self.first(&parts, Rule::name, "the name", span)?);
                let mut args = Vec::new();
                for p in parts.into_iter().filter(|p| p.as_rule() == Rule::party) {
                    args.push(self.party(p)?);
                }
                Ok(Test::Call { name, args })
            }
            _ => Err(self.broken("a condition", span)),
        }
    }

    fn value_tail(&self, pair: Pair<'_, Rule>) -> Built<ValueTail> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let parts = self.children(pair);
        let negated = parts.iter().any(|p| p.as_rule() == Rule::negation);
        match rule {
            Rule::compare => {
                let op = self.text(&self.first(&parts, Rule::cmp_op, "the comparison", span)?);
                let value = parts
                    .iter()
                    .find(|p| matches!(p.as_rule(), Rule::date | Rule::number))
                    .ok_or_else(|| self.broken("the value", span))?;
                Ok(ValueTail::Compare {
                    op,
                    value: self.text(value),
                })
            }
            Rule::membership => Ok(ValueTail::In {
                negated,
                names: self.names(
                    parts
                        .iter()
                        .find(|p| matches!(p.as_rule(), Rule::names | Rule::codes))
                        .ok_or_else(|| self.broken("the places", span))?,
                ),
            }),
            Rule::equality => Ok(ValueTail::Is {
                negated,
                name: self.text(
                    parts
                        .iter()
                        .find(|p| matches!(p.as_rule(), Rule::name | Rule::code))
                        .ok_or_else(|| self.broken("the value", span))?,
                ),
            }),
            Rule::disagrees => Ok(ValueTail::Disagrees(span)),
            _ => Err(self.broken("the test", span)),
        }
    }

    fn names(&self, pair: &Pair<'_, Rule>) -> Vec<Name> {
        pair.clone()
            .into_inner()
            .filter(|p| matches!(p.as_rule(), Rule::name | Rule::list_name | Rule::code))
            .map(|p| self.text(&p))
            .collect()
    }

    fn number(&self, pair: &Pair<'_, Rule>) -> Built<Spanned<f64>> {
        let span = self.span(pair);
        let text: String = pair
            .as_str()
            .chars()
            .filter(|c| *c != '_' && *c != '%')
            .collect();
        let value: f64 = text.parse().map_err(|_| {
            Diagnostic::error(
                Code::RulesBadNumber,
                format!("`{}` is not a number", pair.as_str()),
            )
            .label(span, "here")
        })?;
        if !value.is_finite() {
            return Err(Diagnostic::error(
                Code::RulesBadNumber,
                format!("`{}` is too large", pair.as_str()),
            )
            .label(span, "here"));
        }
        Ok(Spanned::new(value, span))
    }

    fn share_bound(&self, pair: Pair<'_, Rule>) -> Built<ShareBound> {
        let span = self.span(&pair);
        let parts = self.children(pair);
        let kind = self.first(&parts, Rule::bound_kind, "the bound", span)?;
        let inclusive = kind.as_str().starts_with("at");
        let pct = self.first(&parts, Rule::percent, "the share", span)?;
        let num = pct
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.broken("the share", span))?;
        let mut percent = self.number(&num)?;
        percent.span = self.span(&pct);
        Ok(ShareBound { inclusive, percent })
    }

    fn party(&self, pair: Pair<'_, Rule>) -> Built<PartyExpr> {
        let span = self.span(&pair);
        let inner = pair
            .into_inner()
            .next()
            .ok_or_else(|| self.broken("the party", span))?;
        let inner_span = self.span(&inner);
        match inner.as_rule() {
            Rule::role => {
                let n = inner
                    .into_inner()
                    .next()
                    .ok_or_else(|| self.broken("the party", span))?;
                Ok(PartyExpr::Role(self.text(&n)))
            }
            Rule::parent_of => {
                let parts = self.children(inner);
                let of = self.party(self.first(&parts, Rule::party, "the party", span)?)?;
                Ok(PartyExpr::UltimateParent(Box::new(of), inner_span))
            }
            Rule::owner_of => {
                let parts = self.children(inner);
                let of = self.party(self.first(&parts, Rule::party, "the party", span)?)?;
                let bound =
                    self.share_bound(self.first(&parts, Rule::share_bound, "the share", span)?)?;
                Ok(PartyExpr::AnyOwner {
                    of: Box::new(of),
                    bound,
                    span: inner_span,
                })
            }
            _ => Err(self.broken("the party", span)),
        }
    }

    fn party_pred(&self, pair: Pair<'_, Rule>) -> Built<PartyPred> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let parts = self.children(pair);
        match rule {
            Rule::hq_pred => Ok(PartyPred::HeadquarteredIn(self.names(&self.first(
                &parts,
                Rule::names,
                "the places",
                span,
            )?))),
            Rule::located_pred => Ok(PartyPred::LocatedIn(self.names(&self.first(
                &parts,
                Rule::names,
                "the places",
                span,
            )?))),
            Rule::listed_pred => Ok(PartyPred::ListedOn(self.names(&self.first(
                &parts,
                Rule::lists,
                "the lists",
                span,
            )?))),
            Rule::owned_pred => Ok(PartyPred::OwnedBy {
                bound: self.share_bound(self.first(
                    &parts,
                    Rule::share_bound,
                    "the share",
                    span,
                )?)?,
                lists: self.names(&self.first(&parts, Rule::lists, "the lists", span)?),
            }),
            Rule::distributor_pred => Ok(PartyPred::Distributor),
            Rule::named_pred => Ok(PartyPred::Named),
            Rule::same_party => Ok(PartyPred::Same(self.party(self.first(
                &parts,
                Rule::party,
                "the party",
                span,
            )?)?)),
            _ => Err(self.broken("the party test", span)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (RuleFile, Vec<Diagnostic>) {
        parse(&SourceFile::new("t.cg", text), &SyntaxLimits::default())
    }

    #[test]
    fn splits_at_declarations() {
        let text = "law a \"A\"\ngroup G { members CN }\nrule x { title \"rule\" }\n";
        let ranges = split_declarations(text);
        assert_eq!(ranges.len(), 3);
    }

    #[test]
    fn parses_a_rule() {
        let (file, errors) = parse_str(
            r#"
rule us.ear.hq-rule {
  title "HQ"
  cite "15 CFR 744.23(a)(3)", "88 FR 73458"
  effective 2023-11-17 until 2030-01-01
  on export, reexport
  when (item is 3A090.a or item.tpp >= 4_800)
   and any owner of end_user holding at least 50% is headquartered in [D5, MO]
   and not route passes through SG
  unless authorized by NAC notified at least 25 days before or exception ACA
  outcome license_required
  policy "case-by-case" when item.tpp < 21000
  policy "presumption of denial"
}
"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(file.decls.len(), 1);
    }

    #[test]
    fn one_bad_rule_gives_one_error() {
        let (file, errors) = parse_str(
            "rule a { title \"A\" when item.tpp >= }\nrule b { title \"B\" }\nrule c { tittle \"C\" }\n",
        );
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(file.decls.len(), 1);
    }

    #[test]
    fn missing_brace_does_not_swallow_the_next_rule() {
        let (file, errors) = parse_str("rule a { title \"A\"\nrule b { title \"B\" }\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(file.decls.len(), 1);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let deep = format!(
            "rule a {{ when {}item.tpp > 1{} }}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let (_, errors) = parse_str(&deep);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::RulesTooDeep);
    }
}
#[cfg(test)]
mod debug_positives {
    use super::*;
    #[test]
    fn show() {
        for text in [
            "%%%% garbage",
            "rule a { when item.tpp >= 4800 && x }",
            "group D5 { members CN\n",
        ] {
            if let Err(e) = Grammar::parse(Rule::declaration, text) {
                eprintln!("{text:?} => {:?}", e.variant);
            }
        }
    }
}
