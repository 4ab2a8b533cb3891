//! The rules wing: syntax trees to the compiled [`RuleSet`]. Resolves names (with "did you
//! mean"), checks types, dates and citations, flattens groups, inlines defines, finds cycles,
//! and lowers conditions to [`crate::ir::Cond`]. Nothing here knows about transaction files.

mod expr;
mod failure;

pub use expr::eccn_matches;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::date::{Date, Window};
use crate::diag::{suggestion_help, Code, Diagnostic, Error};
use crate::ir::*;
use crate::limits::Limits;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{self, Block, BlockKind, Decl, Item, Name};
use crate::syntax::{self, SyntaxLimits};
use crate::vocab::Kind;

use failure::{account, refusal, Reported};

/// Finds the file an `include` names: given the including file and the path as written,
/// returns the file (its name should be the resolved path, so each file loads once).
pub type Resolver<'a> = dyn Fn(&SourceFile, &str) -> Result<Arc<SourceFile>, String> + 'a;

/// Parses the root files and everything they include, then compiles them together.
pub fn compile(
    roots: Vec<Arc<SourceFile>>,
    resolve: &Resolver<'_>,
    limits: &Limits,
) -> Result<RuleSet, Error> {
    let syntax_limits = SyntaxLimits {
        max_declarations: limits.max_rule_declarations,
        max_nesting: limits.max_rule_nesting.min(NESTING_CEILING),
    };
    let mut files: Vec<ast::RuleFile> = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Each file to read, with the `include` that named it (none for the roots).
    let mut queue: Vec<(Arc<SourceFile>, Option<crate::source::Loc>)> =
        roots.into_iter().map(|r| (r, None)).collect();
    queue.reverse();
    while let Some((source, included_at)) = queue.pop() {
        if !seen.insert(source.name().to_string()) {
            continue;
        }
        if files.len() >= limits.max_rule_files {
            let mut d = Diagnostic::error(
                Code::RulesLimit,
                format!("more than {} rule files", limits.max_rule_files),
            )
            .help("join rule files, or raise the limit with --max-rule-files");
            d = match included_at {
                Some(at) => d.in_file(&at.file).label(at.span, "one file too many"),
                None => d
                    .in_file(&source)
                    .label(Span::new(0, 0), "one file too many"),
            };
            errors.push(d);
            break;
        }
        let (file, errs) = syntax::parse(&source, &syntax_limits);
        errors.extend(errs);
        let mut includes = Vec::new();
        for decl in &file.decls {
            if let Decl::Include(path) = decl {
                match resolve(&source, &path.node) {
                    Ok(included) => {
                        includes.push((included, Some(crate::source::Loc::new(&source, path.span))))
                    }
                    Err(why) => errors.push(
                        Diagnostic::error(
                            Code::RulesInclude,
                            format!("cannot include `{}`: {why}", path.node),
                        )
                        .in_file(&source)
                        .label(path.span, "this file")
                        .help("paths are relative to the including file"),
                    ),
                }
            }
        }
        // Depth-first, in the order written.
        for inc in includes.into_iter().rev() {
            queue.push(inc);
        }
        files.push(file);
    }
    let mut compiler = Compiler::new(files, limits);
    // A file that could not be included may have declared any name: report the include,
    // not every use of what it would have declared.
    compiler.incomplete = errors.iter().any(|d| d.code == Code::RulesInclude);
    compiler.errors.extend(errors);
    compiler.run()
}

/// A declaration's place: file index and the block.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct At {
    file: u16,
    decl: usize,
}

pub(crate) struct Compiler {
    files: Vec<ast::RuleFile>,
    pub(crate) errors: Vec<Diagnostic>,
    laws: HashMap<String, (u16, At)>,
    groups: HashMap<String, (u16, At)>,
    defines: HashMap<String, At>,
    exceptions: HashMap<String, (u16, At)>,
    class_eccns: Vec<String>,
    needs: Needs,
    /// Declarations that failed to parse: their names are not reported again as unknown.
    broken: HashSet<String>,
    /// An include failed: unknown names are not reported (the missing file may declare them).
    incomplete: bool,
    /// `Limits::max_rule_nesting` and `Limits::max_rule_tests`.
    pub(crate) max_nesting: usize,
    pub(crate) max_tests: usize,
    /// Per exception, how deep its condition nests through the exceptions it uses.
    exception_depths: Vec<usize>,
    /// Each compiled group's membership by date, for place sets that name it.
    group_epochs: Vec<Vec<(Date, crate::country::CountrySet, crate::country::CountrySet)>>,
    /// Per group: the caveated groups it is or contains (see `PlaceSet::noted`).
    pub(crate) group_noted: Vec<u64>,
    /// Where each reported error was, so that one mistake is reported once.
    reported: HashSet<(u16, Span, Code)>,
    /// Each group's flattened members once worked out: a group named by many others (or
    /// twice by one) is expanded once, not once per mention (that was exponential).
    /// With each group, how deep its groups nest (`TOO_DEEP` past the limit).
    group_members_memo: HashMap<At, (Rc<Members>, usize)>,
    /// Groups nested too deep are reported once: the groups around them fail with them.
    group_depth_reported: bool,
    /// Memberships kept so far, against `Limits::max_group_members`.
    group_members_total: usize,
    max_group_members: usize,
    next_place_id: u16,
}

/// Nesting beyond this is refused whatever the limit says: every level is a few frames of
/// recursion in the parser, the compiler and the checker, and the stack is finite.
pub const NESTING_CEILING: usize = 256;

impl Compiler {
    fn new(files: Vec<ast::RuleFile>, limits: &Limits) -> Compiler {
        Compiler {
            max_nesting: limits.max_rule_nesting.min(NESTING_CEILING),
            max_tests: limits.max_rule_tests,
            exception_depths: Vec::new(),
            errors: Vec::new(),
            laws: HashMap::new(),
            groups: HashMap::new(),
            defines: HashMap::new(),
            exceptions: HashMap::new(),
            class_eccns: Vec::new(),
            needs: Needs::default(),
            broken: files
                .iter()
                .flat_map(|f| f.broken.iter().cloned())
                .collect(),
            incomplete: false,
            files,
            group_epochs: Vec::new(),
            group_noted: Vec::new(),
            reported: HashSet::new(),
            group_members_memo: HashMap::new(),
            group_depth_reported: false,
            group_members_total: 0,
            max_group_members: limits.max_group_members,
            next_place_id: 0,
        }
    }

    pub(crate) fn source(&self, file: u16) -> Option<&Arc<SourceFile>> {
        self.files.get(usize::from(file)).map(|f| &f.source)
    }

    /// Refuses a declaration whose condition nests too deep once the exceptions it uses are
    /// counted (each is evaluated inside the condition that names it).
    fn check_depth(&mut self, at: SrcSpan, depth: usize, what: &str, name: &str) {
        if depth > self.max_nesting {
            let max = self.max_nesting;
            let _reported = self.error(
                at.file,
                at.span,
                Code::RulesTooDeep,
                format!("{what} `{name}` nests more than {max} levels deep, counting the exceptions it uses"),
                "too deep",
                Some("shorten the chain of exceptions that use one another, or raise the limit with --max-rule-nesting".into()),
            );
        }
    }

    fn block(&self, at: At) -> Option<&Block> {
        match self.files.get(usize::from(at.file))?.decls.get(at.decl)? {
            Decl::Block(b) => Some(b),
            _ => None,
        }
    }

    /// The block a declaration's place names. Places are taken from the declarations, so it
    /// is there; were it not, that is reported (`rules::internal`), not skipped.
    fn declaration(&mut self, at: At) -> Result<Block, Reported> {
        match self.block(at) {
            Some(b) => Ok(b.clone()),
            None => Err(self.internal(at.file, Span::default(), "a declaration")),
        }
    }

    fn decls(&self) -> Vec<(At, &Decl)> {
        let mut out = Vec::new();
        for (f, file) in self.files.iter().enumerate() {
            let file_idx = u16::try_from(f).unwrap_or(u16::MAX);
            for (d, decl) in file.decls.iter().enumerate() {
                out.push((
                    At {
                        file: file_idx,
                        decl: d,
                    },
                    decl,
                ));
            }
        }
        out
    }

    fn run(mut self) -> Result<RuleSet, Error> {
        // Pass 1: names and their declarations.
        let mut rule_ats = Vec::new();
        let mut class_ats = Vec::new();
        let mut group_ats = Vec::new();
        let mut exception_ats = Vec::new();
        let mut law_titles: Vec<Law> = Vec::new();
        let mut first_rule: HashMap<String, (u16, Span)> = HashMap::new();
        let decls: Vec<(At, Decl)> = self
            .decls()
            .into_iter()
            .map(|(a, d)| (a, d.clone()))
            .collect();
        for (at, decl) in &decls {
            match decl {
                Decl::Include(_) => {}
                Decl::Law { name, title, .. } => {
                    if self.duplicate(
                        "law",
                        &name.node,
                        at.file,
                        name.span,
                        self.laws.get(&name.node).map(|(_, a)| *a),
                    ) {
                        continue;
                    }
                    let idx = u16::try_from(law_titles.len()).unwrap_or(u16::MAX);
                    law_titles.push(Law {
                        name: name.node.clone(),
                        title: title.node.clone(),
                    });
                    self.laws.insert(name.node.clone(), (idx, *at));
                }
                Decl::Block(b) => match b.kind {
                    BlockKind::Group => {
                        if self.check_group_name(at.file, &b.name)
                            || self.duplicate(
                                "group",
                                &b.name.node,
                                at.file,
                                b.name.span,
                                self.groups.get(&b.name.node).map(|(_, a)| *a),
                            )
                        {
                            continue;
                        }
                        let idx = u16::try_from(group_ats.len()).unwrap_or(u16::MAX);
                        group_ats.push(*at);
                        self.groups.insert(b.name.node.clone(), (idx, *at));
                    }
                    BlockKind::Define => {
                        if self.duplicate(
                            "define",
                            &b.name.node,
                            at.file,
                            b.name.span,
                            self.defines.get(&b.name.node).copied(),
                        ) {
                            continue;
                        }
                        self.defines.insert(b.name.node.clone(), *at);
                    }
                    BlockKind::Exception => {
                        if self.duplicate(
                            "exception",
                            &b.name.node,
                            at.file,
                            b.name.span,
                            self.exceptions.get(&b.name.node).map(|(_, a)| *a),
                        ) {
                            continue;
                        }
                        let idx = u16::try_from(exception_ats.len()).unwrap_or(u16::MAX);
                        exception_ats.push(*at);
                        self.exceptions.insert(b.name.node.clone(), (idx, *at));
                    }
                    BlockKind::Classify => {
                        self.class_eccns.push(b.name.node.clone());
                        class_ats.push(*at);
                    }
                    BlockKind::Rule => {
                        if let Some((f, s)) = first_rule.get(&b.name.node) {
                            let first = self
                                .source(*f)
                                .map(|src| src.location(*s))
                                .unwrap_or_default();
                            let _reported = self.error(
                                at.file,
                                b.name.span,
                                Code::RulesDuplicateId,
                                format!("duplicate rule id `{}`", b.name.node),
                                "declared again here",
                                Some(format!(
                                    "rule ids are unique; the first `{}` is at {first}",
                                    b.name.node
                                )),
                            );
                            continue;
                        }
                        first_rule.insert(b.name.node.clone(), (at.file, b.name.span));
                        rule_ats.push(*at);
                    }
                },
            }
        }

        // Declarations are numbered with 16 bits in the compiled form; more of a kind would
        // alias one another, so they are refused (no real rule set comes near).
        let counts = [
            ("rule files", self.files.len()),
            ("laws", law_titles.len()),
            ("groups", group_ats.len()),
            ("exceptions", exception_ats.len()),
            ("classifications", class_ats.len()),
        ];
        for (what, n) in counts {
            if n > usize::from(u16::MAX) {
                self.errors.push(
                    Diagnostic::error(
                        Code::RulesLimit,
                        format!("{n} {what}, more than the {} a rule set can hold", u16::MAX),
                    )
                    .help("split the rule set"),
                );
                return Err(refusal(self.errors));
            }
        }

        // A note's `when` says when a rule's caveat matters: only rules have them.
        let misplaced: Vec<(u16, Span, &'static str)> = decls
            .iter()
            .filter_map(|(at, d)| match d {
                Decl::Block(b) if b.kind != BlockKind::Rule => Some((at.file, b)),
                _ => None,
            })
            .flat_map(|(file, b)| {
                b.items.iter().filter_map(move |i| match &i.node {
                    Item::Caveat(_, when) => Some((file, when.span(), b.kind.word())),
                    _ => None,
                })
            })
            .collect();
        for (file, span, kind) in misplaced {
            let _reported = self.error(
                file,
                span,
                Code::RulesMisplaced,
                format!("a note's `when` belongs in a rule, not in a {kind}"),
                "not in a rule",
                Some(
                    "write the note without `when`: only a rule's caveats say when they matter"
                        .into(),
                ),
            );
        }

        // Pass 2: groups, flattened with cycle detection.
        let groups: Vec<Group> = group_ats.iter().map(|at| self.group(*at)).collect();
        self.group_epochs = groups.iter().map(|g| g.epochs.clone()).collect();
        self.group_noted = self.noted_groups(&groups, &group_ats);

        // Pass 3: classifications (item tests only).
        let mut classes = Vec::new();
        for at in &class_ats {
            // A classification that does not compile was reported (see `failure`).
            if let Ok(c) = self.classification(*at) {
                classes.push(c);
            }
        }
        // Pass 4: exceptions, then cycles among them.
        let mut exceptions = Vec::new();
        for at in &exception_ats {
            if let Ok(e) = self.exception(*at, &law_titles) {
                exceptions.push(e);
            }
        }
        if exceptions.len() == exception_ats.len() {
            self.exception_depths = self.exception_graph(&exceptions);
            // One error for a chain that is too deep: at its first exception past the limit
            // (every exception that uses it is too deep as well).
            let too_deep: Vec<(&Exception, usize)> = exceptions
                .iter()
                .zip(self.exception_depths.clone())
                .filter(|(_, depth)| *depth > self.max_nesting)
                .collect();
            if let Some((e, depth)) = too_deep.iter().min_by_key(|(_, d)| *d) {
                self.check_depth(e.at, *depth, "exception", &e.name);
            }
        }
        // Pass 5: rules.
        let mut rules = Vec::new();
        for at in &rule_ats {
            if let Ok(r) = self.rule(*at) {
                rules.push(r);
            }
        }
        // A declaration that failed to compile has said why (its `Reported` proves it); one
        // that vanished without a word would silently weaken the rule set, so it is refused
        // as a bug.
        account(
            &mut self.errors,
            &[
                ("classification", class_ats.len(), classes.len()),
                ("exception", exception_ats.len(), exceptions.len()),
                ("rule", rule_ats.len(), rules.len()),
            ],
        );
        let questions = self.needs.thresholds.len().max(self.needs.aggregates.len());
        if questions > usize::from(u16::MAX) {
            self.errors.push(
                Diagnostic::error(
                    Code::RulesLimit,
                    format!(
                        "{questions} different ownership thresholds, more than the {} a rule set can hold",
                        u16::MAX
                    ),
                )
                .help("use fewer distinct percentages in `holding` and `owned` tests"),
            );
        }
        if !self.errors.is_empty() {
            return Err(refusal(self.errors));
        }
        // Parts of conditions that read only the item's own figures become slots the
        // checker computes once per item.
        let mut item_slots = 0u16;
        for r in &mut rules {
            mark_item_parts(&mut r.when, &mut item_slots);
            if let Some(u) = &mut r.unless {
                mark_item_parts(u, &mut item_slots);
            }
        }
        for e in &mut exceptions {
            mark_item_parts(&mut e.when, &mut item_slots);
        }
        let mut by_kind: [Vec<u32>; 4] = Default::default();
        for (i, r) in rules.iter().enumerate() {
            for k in Kind::ALL {
                if r.kinds & k.bit() != 0 {
                    if let Some(list) = by_kind.get_mut(k as usize) {
                        list.push(u32::try_from(i).unwrap_or(u32::MAX));
                    }
                }
            }
        }
        let mut hasher = Sha256::new();
        let mut names: Vec<(&str, &str)> = self
            .files
            .iter()
            .map(|f| (f.source.name(), f.source.text()))
            .collect();
        names.sort();
        for (name, text) in names {
            hasher.update(name.as_bytes());
            hasher.update([0]);
            hasher.update(text.as_bytes());
            hasher.update([0]);
        }
        let digest = format!("sha256:{:x}", hasher.finalize());
        Ok(RuleSet {
            sources: self.files.iter().map(|f| Arc::clone(&f.source)).collect(),
            laws: law_titles,
            groups,
            classes,
            exceptions,
            rules,
            by_kind,
            needs: self.needs,
            item_slots,
            digest,
        })
    }

    /// Reports a duplicate declaration; true if `existing` is set.
    fn duplicate(
        &mut self,
        what: &str,
        name: &str,
        file: u16,
        span: Span,
        existing: Option<At>,
    ) -> bool {
        let Some(first) = existing else { return false };
        let first_loc = self
            .block(first)
            .map(|b| b.name.span)
            .or_else(|| {
                match self
                    .files
                    .get(usize::from(first.file))
                    .and_then(|f| f.decls.get(first.decl))
                {
                    Some(Decl::Law { name, .. }) => Some(name.span),
                    _ => None,
                }
            })
            .and_then(|s| self.source(first.file).map(|src| src.location(s)))
            .unwrap_or_default();
        let _reported = self.error(
            file,
            span,
            Code::RulesDuplicateName,
            format!("{what} `{name}` is declared twice"),
            "declared again here",
            Some(format!(
                "the first `{name}` is at {first_loc}; rename one of them"
            )),
        );
        true
    }

    /// A group may not be named like a country code: `CN` must always mean China.
    fn check_group_name(&mut self, file: u16, name: &Name) -> bool {
        if crate::country::Country::parse(&name.node).is_some() {
            let _reported = self.error(
                file,
                name.span,
                Code::RulesGroupShadowsCountry,
                format!("group name `{}` is a country code", name.node),
                "ambiguous",
                Some("choose a name that is not an ISO 3166-1 code, e.g. `D5` or `HUBS`".into()),
            );
            return true;
        }
        false
    }

    fn date(&mut self, file: u16, text: &ast::Spanned<String>) -> Result<Date, Reported> {
        match Date::parse(&text.node) {
            Ok(d) => Ok(d),
            Err(why) => Err(self.error(
                file,
                text.span,
                Code::RulesBadDate,
                why,
                "not a valid date",
                Some("write dates as YYYY-MM-DD".into()),
            )),
        }
    }

    /// A window from `from` to `until`; an error if it ends before it starts.
    fn window(
        &mut self,
        file: u16,
        from: Option<&ast::Spanned<String>>,
        until: Option<&ast::Spanned<String>>,
    ) -> Result<Window, Reported> {
        let f = match from {
            Some(s) => self.date(file, s)?,
            None => Date::MIN,
        };
        let u = match until {
            Some(s) => self.date(file, s)?,
            None => Date::MAX,
        };
        if u <= f {
            let span = match (from, until) {
                (Some(a), Some(b)) => a.span.join(b.span),
                (_, Some(b)) => b.span,
                (Some(a), _) => a.span,
                _ => Span::default(),
            };
            return Err(self.error(
                file,
                span,
                Code::RulesEmptyWindow,
                format!("the window ends ({u}) before it starts ({f})"),
                "ends before it starts",
                Some(
                    "`until` is the first day no longer in force; it must come after the start"
                        .into(),
                ),
            ));
        }
        Ok(Window { from: f, until: u })
    }

    fn group(&mut self, at: At) -> Group {
        // Were the block not there, that is reported and the group compiles empty (so the
        // other groups keep their numbers); the rule set is then refused.
        let block = self.declaration(at).ok();
        let mut stack = Vec::new();
        let all = match block {
            Some(_) => self.group_members(at, &mut stack).0.to_vec(),
            None => Vec::new(),
        };
        let mut members = Vec::with_capacity(all.len());
        let mut uncertain = Vec::new();
        for (c, w, reason) in all {
            match reason {
                None => members.push((c, w)),
                Some(r) => uncertain.push(Uncertain {
                    country: c,
                    window: w,
                    reason: r.to_string(),
                }),
            }
        }
        let notes = block.as_ref().map(Self::notes).unwrap_or_default();
        let (name, title, cites, span) = match &block {
            Some(b) => (
                b.name.node.clone(),
                b.title.as_ref().map(|t| t.node.clone()),
                b.items
                    .iter()
                    .filter_map(|i| match &i.node {
                        Item::Cite(c) => Some(c.iter().map(|s| s.node.clone()).collect::<Vec<_>>()),
                        _ => None,
                    })
                    .flatten()
                    .collect(),
                b.span,
            ),
            None => (String::new(), None, Vec::new(), Span::default()),
        };
        Group {
            name,
            title,
            cites,
            members,
            uncertain,
            epochs: Vec::new(),
            notes,
            at: SrcSpan {
                file: at.file,
                span,
            },
        }
        .with_epochs()
    }

    /// The flattened, dated members of a group, each country's windows merged; nested
    /// groups intersect windows. Worked out once per group (see `group_members_memo`).
    /// Returns the members and how many levels of groups the group spans (1 when it names
    /// countries only). Recursion stops at `max_nesting` levels, whatever the order of the
    /// declarations.
    fn group_members(&mut self, at: At, stack: &mut Vec<String>) -> (Rc<Members>, usize) {
        if let Some((known, depth)) = self.group_members_memo.get(&at) {
            return (Rc::clone(known), *depth);
        }
        let Ok(block) = self.declaration(at) else {
            return (Rc::new(Vec::new()), 1);
        };
        stack.push(block.name.node.clone());
        let mut out = Vec::new();
        let mut depth = 1usize;
        let mut too_deep = false;
        for item in &block.items {
            type Member<'m> = (
                Name,
                Option<&'m ast::Spanned<String>>,
                Option<&'m ast::Spanned<String>>,
                Option<Rc<str>>,
            );
            let entries: Vec<Member<'_>> = match &item.node {
                Item::Members(names) => names
                    .iter()
                    .map(|n| (n.clone(), None, None, None))
                    .collect(),
                Item::Member {
                    name,
                    from,
                    until,
                    uncertain,
                } => {
                    vec![(
                        name.clone(),
                        from.as_ref(),
                        until.as_ref(),
                        uncertain.as_ref().map(|r| Rc::from(r.node.as_str())),
                    )]
                }
                _ => continue,
            };
            for (name, from, until, reason) in entries {
                // A bad date or an empty window was reported.
                let Ok(window) = self.window(at.file, from, until) else {
                    continue;
                };
                if let Some(c) = crate::country::Country::parse(&name.node) {
                    out.push((c, window, reason));
                } else if let Some((_, inner)) = self.groups.get(&name.node).copied() {
                    if stack.contains(&name.node) {
                        let chain = format!("{} → {}", stack.join(" → "), name.node);
                        let _reported = self.error(
                            at.file,
                            name.span,
                            Code::RulesCycle,
                            format!("group `{}` contains itself ({chain})", name.node),
                            "cycle",
                            Some(
                                "a group cannot include itself, directly or through other groups"
                                    .into(),
                            ),
                        );
                        continue;
                    }
                    // Recursion stops here: the stack holds one level per group.
                    let cutoff = stack.len() >= self.max_nesting;
                    let (inner, inner_depth) = if cutoff {
                        (Rc::new(Vec::new()), TOO_DEEP)
                    } else {
                        self.group_members(inner, stack)
                    };
                    if inner_depth == TOO_DEEP || inner_depth >= self.max_nesting {
                        // An inner group already too deep was reported where it failed.
                        if cutoff || inner_depth != TOO_DEEP {
                            let chain = format!("{} → {}", stack.join(" → "), name.node);
                            self.too_deep_group(at.file, name.span, &chain);
                        }
                        too_deep = true;
                        continue;
                    }
                    depth = depth.max(inner_depth + 1);
                    // A nested group's uncertainty stays; an uncertain inclusion of a whole
                    // group makes each of its members uncertain for that reason.
                    out.extend(inner.iter().filter_map(|(c, w, r)| {
                        w.intersect(window)
                            .map(|both| (*c, both, r.clone().or_else(|| reason.clone())))
                    }));
                } else {
                    let help = self.place_help(&name.node);
                    let _reported = self.error(
                        at.file,
                        name.span,
                        Code::RulesUnknownName,
                        format!("unknown country or group `{}`", name.node),
                        "not a country code or a group",
                        help,
                    );
                }
            }
        }
        stack.pop();
        if too_deep {
            let empty = Rc::new(Vec::new());
            self.group_members_memo
                .insert(at, (Rc::clone(&empty), TOO_DEEP));
            return (empty, TOO_DEEP);
        }
        let out = merge_windows(out);
        self.group_members_total = self.group_members_total.saturating_add(out.len());
        let out = if self.group_members_total > self.max_group_members {
            // Said once, at the group that passed the limit; the rest compile empty.
            if self.group_members_total - out.len() <= self.max_group_members {
                let _reported = self.error(
                    at.file,
                    block.name.span,
                    Code::RulesLimit,
                    format!(
                        "the groups hold more than {} dated memberships once nested groups are \
                         expanded (`{}` passes the limit)",
                        self.max_group_members, block.name.node
                    ),
                    "the limit is passed here",
                    Some(
                        "a group that includes another copies its members: include fewer \
                          groups, merge dated windows, or raise the limit with --max-group-members"
                            .into(),
                    ),
                );
            }
            Vec::new()
        } else {
            out
        };
        let out = Rc::new(out);
        self.group_members_memo.insert(at, (Rc::clone(&out), depth));
        (out, depth)
    }

    /// Groups within groups past `max_nesting` levels: said once, at the first mention found.
    fn too_deep_group(&mut self, file: u16, span: Span, chain: &str) {
        if self.group_depth_reported {
            return;
        }
        self.group_depth_reported = true;
        let _reported = self.error(
            file,
            span,
            Code::RulesTooDeep,
            format!(
                "groups nest more than {} levels deep ({chain} …)",
                self.max_nesting
            ),
            "too deep here",
            Some(
                "list the countries of the innermost groups directly, or raise the limit with \
                 --max-rule-nesting"
                    .into(),
            ),
        );
    }

    pub(crate) fn place_help(&self, text: &str) -> Option<String> {
        if let Some(code) = crate::country::Country::suggest(text) {
            return Some(format!(
                "did you mean `{code}`? countries are ISO 3166-1 alpha-2 codes"
            ));
        }
        suggestion_help(text, self.groups.keys().map(String::as_str)).or_else(|| {
            Some("name a country by its ISO 3166-1 alpha-2 code or a declared group".into())
        })
    }

    fn items<'b>(&self, block: &'b Block) -> &'b [ast::Spanned<Item>] {
        &block.items
    }

    /// Collects the attributes of a block, reporting any given twice.
    fn single<'b>(
        &mut self,
        file: u16,
        block: &'b Block,
        pick: impl Fn(&'b Item) -> Option<&'b Name>,
        word: &str,
    ) -> Option<&'b Name> {
        let mut found: Option<&Name> = None;
        for item in self.items(block) {
            if let Some(v) = pick(&item.node) {
                if found.is_some() {
                    // The first is kept; the rule set is refused for the second.
                    let _reported = self.error(
                        file,
                        item.span,
                        Code::RulesRepeated,
                        format!(
                            "`{word}` is given twice in {} `{}`",
                            block.kind.word(),
                            block.name.node
                        ),
                        "again here",
                        Some(format!("give one `{word}`")),
                    );
                } else {
                    found = Some(v);
                }
            }
        }
        found
    }

    fn cites(&mut self, file: u16, block: &Block) -> Vec<String> {
        let mut cites = Vec::new();
        for item in &block.items {
            if let Item::Cite(list) = &item.node {
                for c in list {
                    if c.node.trim().is_empty() {
                        let _reported = self.error(file, c.span, Code::RulesEmptyCitation, "empty citation".into(), "empty", Some("cite the CFR section or Federal Register notice, e.g. \"15 CFR 744.23(a)(3)\"".into()));
                    } else {
                        cites.push(c.node.clone());
                    }
                }
            }
        }
        cites
    }

    fn windows(&mut self, file: u16, block: &Block) -> Vec<Window> {
        let mut out = Vec::new();
        for item in &block.items {
            if let Item::Effective { from, until } = &item.node {
                // A window that does not compile was reported.
                if let Ok(w) = self.window(file, Some(from), until.as_ref()) {
                    out.push(w);
                }
            }
        }
        out
    }

    fn notes(block: &Block) -> Vec<String> {
        block
            .items
            .iter()
            .filter_map(|i| match &i.node {
                Item::Note(n) | Item::Caveat(n, _) => Some(n.node.clone()),
                _ => None,
            })
            .collect()
    }

    /// A rule's caveats (`note "…" when COND`), compiled like its other conditions (a
    /// caveat anywhere but in a rule is refused in `run`).
    fn caveats(&mut self, _file: u16, block: &Block, ctx: &mut expr::Ctx) -> Vec<Caveat> {
        let mut out = Vec::new();
        for item in &block.items {
            if let Item::Caveat(text, when) = &item.node {
                // A condition that does not compile was reported.
                if let Ok(cond) = self.cond(ctx, when) {
                    out.push(Caveat {
                        text: text.node.clone(),
                        when: cond,
                    });
                }
            }
        }
        out
    }

    /// Reports a missing attribute (`rules::missing`) unless `present`.
    fn require(
        &mut self,
        file: u16,
        block: &Block,
        present: bool,
        word: &str,
        help: &str,
    ) -> Result<(), Reported> {
        if present {
            return Ok(());
        }
        Err(self.error(
            file,
            block.name.span,
            Code::RulesMissing,
            format!(
                "{} `{}` has no `{word}`",
                block.kind.word(),
                block.name.node
            ),
            &format!("needs `{word}`"),
            Some(help.to_string()),
        ))
    }

    /// The block's `law`: `None` when it names none.
    fn law_ref(&mut self, file: u16, block: &Block) -> Result<Option<u16>, Reported> {
        let Some(name) = self
            .single(
                file,
                block,
                |i| match i {
                    Item::Law(n) => Some(n),
                    _ => None,
                },
                "law",
            )
            .cloned()
        else {
            return Ok(None);
        };
        match self.laws.get(&name.node) {
            Some((idx, _)) => Ok(Some(*idx)),
            None => {
                let help = suggestion_help(&name.node, self.laws.keys().map(String::as_str))
                    .or_else(|| Some("declare it with `law NAME \"title\"`".into()));
                Err(self.error(
                    file,
                    name.span,
                    Code::RulesUnknownName,
                    format!("unknown law `{}`", name.node),
                    "not declared",
                    help,
                ))
            }
        }
    }

    fn classification(&mut self, at: At) -> Result<Classification, Reported> {
        let block = self.declaration(at)?;
        let cites = self.cites(at.file, &block);
        let windows = self.windows(at.file, &block);
        let ok_cite = self.require(
            at.file,
            &block,
            !cites.is_empty(),
            "cite",
            "cite the ECCN's CCL entry and the rule that set it",
        );
        let ok_eff = self.require(
            at.file,
            &block,
            block
                .items
                .iter()
                .any(|i| matches!(i.node, Item::Effective { .. })),
            "effective",
            "say from when the classification applies: `effective 2023-11-17`",
        );
        let when_expr = self.when_expr(at.file, &block)?;
        let unless_expr = self.single_expr(at.file, &block, true);
        let title = block.items.iter().find_map(|i| match &i.node {
            Item::Title(t) => Some(t.node.clone()),
            _ => None,
        });
        let mut ctx = expr::Ctx::classify(at.file, &block.name.node);
        let when = self.cond(&mut ctx, &when_expr);
        let unless = match unless_expr {
            Some(u) => Some(self.cond(&mut ctx, &u)?),
            None => None,
        };
        ok_cite?;
        ok_eff?;
        Ok(Classification {
            eccn: block.name.node.clone(),
            title,
            cites,
            windows,
            when: when?,
            unless,
            notes: Self::notes(&block),
            at: SrcSpan {
                file: at.file,
                span: block.span,
            },
        })
    }

    /// The block's `when` condition (a define's body), which it must have.
    fn when_expr(&mut self, file: u16, block: &Block) -> Result<ast::Expr, Reported> {
        let found = self.single_expr(file, block, false);
        self.require(
            file,
            block,
            found.is_some(),
            "when",
            "give the condition: `when …`",
        )?;
        found.ok_or_else(|| self.internal(file, block.name.span, "the condition"))
    }

    /// The block's `when` (or `unless`) condition if it has one, reporting a repeat.
    fn single_expr(&mut self, file: u16, block: &Block, unless: bool) -> Option<ast::Expr> {
        let mut found: Option<ast::Expr> = None;
        for item in &block.items {
            let e = match (&item.node, unless) {
                (Item::When(e), false) | (Item::Unless(e), true) | (Item::Body(e), false) => e,
                _ => continue,
            };
            match &mut found {
                // Several `unless` lines each lift the requirement: they join with `or`.
                Some(prev) if unless => {
                    let span = prev.span().join(e.span());
                    *prev = ast::Expr::Or(vec![prev.clone(), e.clone()], span);
                }
                Some(_) => {
                    // The first is kept; the rule set is refused for the second.
                    let _reported = self.error(
                        file,
                        item.span,
                        Code::RulesRepeated,
                        format!(
                            "`when` is given twice in {} `{}`",
                            block.kind.word(),
                            block.name.node
                        ),
                        "again here",
                        Some("join the conditions with `and` or `or`".into()),
                    );
                }
                None => found = Some(e.clone()),
            }
        }
        found
    }

    fn exception(&mut self, at: At, laws: &[Law]) -> Result<Exception, Reported> {
        let block = self.declaration(at)?;
        let cites = self.cites(at.file, &block);
        let ok_cite = self.require(
            at.file,
            &block,
            !cites.is_empty(),
            "cite",
            "cite the license exception's CFR section",
        );
        let windows = self.windows(at.file, &block);
        let ok_eff = self.require(
            at.file,
            &block,
            !windows.is_empty()
                || block
                    .items
                    .iter()
                    .any(|i| matches!(i.node, Item::Effective { .. })),
            "effective",
            "say from when the exception exists: `effective 2023-11-17`",
        );
        // An unknown law was reported; the exception compiles without it, so that the
        // exceptions' cycles and depths are still checked (the rule set is refused anyway).
        let law = self.law_ref(at.file, &block).ok().flatten();
        let _ = laws;
        let when_expr = self.when_expr(at.file, &block)?;
        let mut ctx = expr::Ctx::general(at.file, 0);
        let when = self.cond(&mut ctx, &when_expr);
        let title = block.title.as_ref().map(|t| t.node.clone()).or_else(|| {
            block.items.iter().find_map(|i| match &i.node {
                Item::Title(t) => Some(t.node.clone()),
                _ => None,
            })
        });
        let help = block.items.iter().find_map(|i| match &i.node {
            Item::Help(h) => Some(h.node.clone()),
            _ => None,
        });
        ok_cite?;
        ok_eff?;
        Ok(Exception {
            name: block.name.node.clone(),
            title,
            law,
            cites,
            windows,
            when: when?,
            help,
            notes: Self::notes(&block),
            at: SrcSpan {
                file: at.file,
                span: block.span,
            },
        })
    }

    /// Reports exceptions that refer to themselves through `exception NAME`, and returns how
    /// deep each exception's condition nests counting the exceptions it uses in turn (the
    /// checker recurses through them). One depth-first pass, linear in the references.
    fn exception_graph(&mut self, exceptions: &[Exception]) -> Vec<usize> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let refs: Vec<Vec<u16>> = exceptions
            .iter()
            .map(|e| {
                let mut out = Vec::new();
                collect_exception_refs(&e.when, &mut out);
                out
            })
            .collect();
        let n = exceptions.len();
        let mut mark = vec![Mark::New; n];
        let mut depth = vec![0usize; n];
        for start in 0..n {
            if mark.get(start) != Some(&Mark::New) {
                continue;
            }
            if let Some(m) = mark.get_mut(start) {
                *m = Mark::Open;
            }
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            while let Some((node, next)) = stack.last_mut() {
                let node = *node;
                let child = refs.get(node).and_then(|r| r.get(*next)).copied();
                *next += 1;
                let Some(child) = child.map(usize::from) else {
                    // Every exception this one uses is done: its depth is known.
                    if let (Some(e), Some(m)) = (exceptions.get(node), mark.get_mut(node)) {
                        *m = Mark::Done;
                        let d = cond_depth(&e.when, &depth);
                        if let Some(slot) = depth.get_mut(node) {
                            *slot = d;
                        }
                    }
                    stack.pop();
                    continue;
                };
                match mark.get(child) {
                    Some(Mark::New) => {
                        if let Some(m) = mark.get_mut(child) {
                            *m = Mark::Open;
                        }
                        stack.push((child, 0));
                    }
                    Some(Mark::Open) => {
                        // A cycle: from `child` along the open path back to it.
                        let from = stack.iter().position(|(x, _)| *x == child).unwrap_or(0);
                        let names: Vec<&str> = stack
                            .iter()
                            .skip(from)
                            .filter_map(|(x, _)| exceptions.get(*x))
                            .map(|e| e.name.as_str())
                            .collect();
                        if let Some(e) = exceptions.get(child) {
                            let _reported = self.error(
                                e.at.file,
                                e.at.span,
                                Code::RulesCycle,
                                format!(
                                    "exception `{}` depends on itself ({} → {})",
                                    e.name,
                                    names.join(" → "),
                                    e.name
                                ),
                                "cycle",
                                Some(
                                    "an exception cannot require itself, directly or through others"
                                        .into(),
                                ),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
        depth
    }

    fn rule(&mut self, at: At) -> Result<Rule, Reported> {
        let block = self.declaration(at)?;
        let file = at.file;
        let title = self
            .single(
                file,
                &block,
                |i| match i {
                    Item::Title(t) => Some(t),
                    _ => None,
                },
                "title",
            )
            .cloned();
        let ok_title = self.require(
            file,
            &block,
            title.is_some(),
            "title",
            "give the rule a title: `title \"…\"`",
        );
        let cites = self.cites(file, &block);
        let ok_cite = self.require(file, &block, !cites.is_empty(), "cite", "every rule cites its CFR section and Federal Register notice: `cite \"15 CFR 744.23(a)(3)\", \"88 FR 73458\"`");
        let has_eff = block
            .items
            .iter()
            .any(|i| matches!(i.node, Item::Effective { .. }));
        let ok_eff = self.require(
            file,
            &block,
            has_eff,
            "effective",
            "say from when the rule applies: `effective 2023-11-17`",
        );
        let windows = self.windows(file, &block);
        let law = self.law_ref(file, &block);
        // Transaction kinds.
        let mut kinds = 0u8;
        let mut unknown_kind: Option<Reported> = None;
        let mut on_seen = false;
        for item in &block.items {
            if let Item::On(list) = &item.node {
                if on_seen {
                    // Both lines count; the rule set is refused for the second.
                    let _reported = self.error(
                        file,
                        item.span,
                        Code::RulesRepeated,
                        format!("`on` is given twice in rule `{}`", block.name.node),
                        "again here",
                        Some("list every kind on one `on` line".into()),
                    );
                }
                on_seen = true;
                for k in list {
                    match Kind::parse(&k.node) {
                        Some(kind) => kinds |= kind.bit(),
                        None => {
                            let help = suggestion_help(&k.node, Kind::ALL.iter().map(|k| k.word()))
                                .or_else(|| {
                                    Some("kinds are export, reexport, transfer and lease".into())
                                });
                            unknown_kind = Some(self.error(
                                file,
                                k.span,
                                Code::RulesUnknownName,
                                format!("unknown transaction kind `{}`", k.node),
                                "not a kind",
                                help,
                            ));
                        }
                    }
                }
            }
        }
        let ok_on = self.require(
            file,
            &block,
            on_seen,
            "on",
            "say which transactions the rule applies to: `on export, reexport, transfer`",
        );
        let outcome_name = self
            .single(
                file,
                &block,
                |i| match i {
                    Item::Outcome(n) => Some(n),
                    _ => None,
                },
                "outcome",
            )
            .cloned();
        let ok_outcome = self.require(
            file,
            &block,
            outcome_name.is_some(),
            "outcome",
            "give the outcome: `outcome license_required` (or prohibited, warning)",
        );
        let outcome = match outcome_name.as_ref().map(|n| (n.node.as_str(), n.span)) {
            Some(("prohibited", _)) => Ok(Outcome::Prohibited),
            Some(("license_required", _)) => Ok(Outcome::LicenseRequired),
            Some(("warning", _)) => Ok(Outcome::Warning),
            Some((other, span)) => {
                let help = suggestion_help(other, ["prohibited", "license_required", "warning"])
                    .or_else(|| {
                        Some("an outcome is prohibited, license_required or warning".into())
                    });
                Err(self.error(
                    file,
                    span,
                    Code::RulesUnknownName,
                    format!("unknown outcome `{other}`"),
                    "not an outcome",
                    help,
                ))
            }
            // Reported as missing just above.
            None => Err(ok_outcome
                .err()
                .unwrap_or_else(|| self.internal(file, block.name.span, "the outcome"))),
        };
        let when_expr = self.when_expr(file, &block);
        let unless_expr = self.single_expr(file, &block, true);
        let mut ctx = expr::Ctx::general(file, kinds);
        let when = match &when_expr {
            Ok(e) => self.cond(&mut ctx, e),
            Err(reported) => Err(*reported),
        };
        let unless = unless_expr.as_ref().map(|u| self.cond(&mut ctx, u));
        let remedy_kinds = ctx.auth_kinds.clone();
        let mut policies = Vec::new();
        for item in &block.items {
            if let Item::Policy { text, when } = &item.node {
                let cond = match when {
                    Some(w) => Some(self.cond(&mut ctx, w)?),
                    None => None,
                };
                policies.push(Policy {
                    text: text.node.clone(),
                    when: cond,
                });
            }
        }
        let mut unenforced = Vec::new();
        for item in &block.items {
            if let Item::Unenforced {
                from,
                until,
                reason,
            } = &item.node
            {
                if outcome == Ok(Outcome::Warning) {
                    let _reported = self.error(
                        file,
                        item.span,
                        Code::RulesPointless,
                        "a warning cannot be unenforced".into(),
                        "already a warning",
                        Some(
                            "`unenforced` turns a license requirement into a warning; drop it here"
                                .into(),
                        ),
                    );
                }
                // A window that does not compile was reported.
                if let Ok(window) = self.window(file, Some(from), until.as_ref()) {
                    unenforced.push(Unenforced {
                        window,
                        reason: reason.node.clone(),
                    });
                }
            }
        }
        let compliance = self.compliance(file, &block, &windows, outcome.ok());
        let caveats = self.caveats(file, &block, &mut ctx);
        let explain = self
            .single(
                file,
                &block,
                |i| match i {
                    Item::Explain(t) => Some(t),
                    _ => None,
                },
                "explain",
            )
            .cloned()
            .map(|t| self.template(file, &t, kinds));
        let help = self
            .single(
                file,
                &block,
                |i| match i {
                    Item::Help(t) => Some(t),
                    _ => None,
                },
                "help",
            )
            .map(|h| h.node.clone());
        ok_title?;
        ok_cite?;
        ok_eff?;
        ok_on?;
        ok_outcome?;
        let unless = unless.transpose()?;
        let at_rule = SrcSpan {
            file,
            span: block.span,
        };
        let depth = [when.as_ref().ok(), unless.as_ref()]
            .into_iter()
            .flatten()
            .chain(policies.iter().filter_map(|p| p.when.as_ref()))
            .map(|c| cond_depth(c, &self.exception_depths))
            .max()
            .unwrap_or(0);
        // A rule that uses an exception already reported too deep adds nothing to fix.
        let uses_deep_exception = depth > self.max_nesting
            && [when.as_ref().ok(), unless.as_ref()]
                .into_iter()
                .flatten()
                .any(|c| {
                    let mut refs = Vec::new();
                    collect_exception_refs(c, &mut refs);
                    refs.iter().any(|r| {
                        self.exception_depths
                            .get(usize::from(*r))
                            .is_some_and(|d| *d > self.max_nesting)
                    })
                });
        if !uses_deep_exception {
            self.check_depth(at_rule, depth, "rule", &block.name.node);
        }
        // What failed above was reported; it fails the rule here, once every report is made.
        if let Some(reported) = unknown_kind {
            return Err(reported);
        }
        let explain = explain.transpose()?;
        Ok(Rule {
            id: block.name.node.clone(),
            title: title.map(|t| t.node).unwrap_or_default(),
            law: law?,
            cites,
            windows,
            compliance,
            kinds,
            when: when?,
            unless,
            outcome: outcome?,
            policies,
            unenforced,
            explain,
            help,
            notes: Self::notes(&block),
            caveats,
            at: SrcSpan {
                file,
                span: block.span,
            },
            when_at: SrcSpan {
                file,
                span: when_expr.map(|e| e.span()).unwrap_or(block.span),
            },
            remedy_kinds,
        })
    }

    /// For each group, the groups with `uncertain:` notes it is or contains (bits of the
    /// first 64 groups), so a test of it can report their caveats.
    fn noted_groups(&self, groups: &[Group], ats: &[At]) -> Vec<u64> {
        let own: Vec<u64> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let caveat = g
                    .notes
                    .iter()
                    .any(|n| n.trim_start().to_lowercase().starts_with("uncertain"));
                if caveat && i < 64 {
                    1u64 << i
                } else {
                    0
                }
            })
            .collect();
        let inner: Vec<Vec<usize>> = ats
            .iter()
            .map(|at| {
                let Some(block) = self.block(*at) else {
                    return Vec::new();
                };
                block
                    .items
                    .iter()
                    .flat_map(|i| match &i.node {
                        Item::Members(names) => names.iter().map(|n| n.node.clone()).collect(),
                        Item::Member { name, .. } => vec![name.node.clone()],
                        _ => Vec::new(),
                    })
                    .filter_map(|n| self.groups.get(&n).map(|(g, _)| usize::from(*g)))
                    .collect()
            })
            .collect();
        // Nesting is acyclic (cycles were reported), so as many rounds as groups settle it.
        let mut noted = own.clone();
        for _ in 0..groups.len().min(64) {
            let mut changed = false;
            for (g, nested) in inner.iter().enumerate() {
                let mut bits = noted.get(g).copied().unwrap_or(0);
                for n in nested {
                    bits |= noted.get(*n).copied().unwrap_or(0);
                }
                if let Some(slot) = noted.get_mut(g) {
                    if *slot != bits {
                        *slot = bits;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        noted
    }

    /// A rule's `compliance` date: once, after the rule's first effective date, and only on
    /// a rule that requires something (a warning has nothing to defer).
    fn compliance(
        &mut self,
        file: u16,
        block: &Block,
        windows: &[Window],
        outcome: Option<Outcome>,
    ) -> Option<Compliance> {
        // Each problem is reported and its date left out (the rule set is refused).
        let mut found: Option<Compliance> = None;
        for item in &block.items {
            let Item::Compliance { date, note } = &item.node else {
                continue;
            };
            if found.is_some() {
                let _reported = self.error(
                    file,
                    item.span,
                    Code::RulesRepeated,
                    format!("`compliance` is given twice in rule `{}`", block.name.node),
                    "again here",
                    Some("a rule has one compliance date".into()),
                );
                continue;
            }
            let Ok(d) = self.date(file, date) else {
                continue;
            };
            if outcome == Some(Outcome::Warning) {
                let _reported = self.error(
                    file,
                    item.span,
                    Code::RulesPointless,
                    "a warning has no compliance date".into(),
                    "already a warning",
                    Some("`compliance` turns a requirement into a warning until the date; drop it here".into()),
                );
                continue;
            }
            let first = windows.iter().map(|w| w.from).min();
            if first.is_some_and(|f| d <= f) {
                let _reported = self.error(
                    file,
                    date.span,
                    Code::RulesPointless,
                    format!(
                        "the compliance date {d} is not after the rule's effective date {}",
                        first.map(|f| f.to_string()).unwrap_or_default()
                    ),
                    "not after the effective date",
                    Some("a compliance date later than the effective date defers the requirement; otherwise leave it out".into()),
                );
                continue;
            }
            found = Some(Compliance {
                date: d,
                note: note.as_ref().map(|n| n.node.clone()),
            });
        }
        found
    }

    fn template(&mut self, file: u16, text: &Name, kinds: u8) -> Result<Template, Reported> {
        let mut parts = Vec::new();
        let mut rest = text.node.as_str();
        let mut failed: Option<Reported> = None;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix("{{") {
                parts.push(TemplatePart::Text("{".into()));
                rest = after;
                continue;
            }
            match rest.find('{') {
                Some(0) => {
                    let Some(close) = rest.find('}') else {
                        return Err(self.error(
                            file,
                            text.span,
                            Code::RulesTemplate,
                            "unclosed `{` in the explanation".into(),
                            "here",
                            Some("write `{{` for a literal brace".into()),
                        ));
                    };
                    let name = rest.get(1..close).unwrap_or("").trim();
                    match template_part(name) {
                        Some(
                            TemplatePart::Party(r)
                            | TemplatePart::PartyCountry(r)
                            | TemplatePart::PartyHeadquarters(r),
                        ) if !Kind::ALL
                            .iter()
                            .any(|k| kinds & k.bit() != 0 && r.exists_for(*k)) =>
                        {
                            failed = Some(self.error(
                                file,
                                text.span,
                                Code::RulesWrongRole,
                                format!(
                                    "`{{{name}}}`: the rule's transactions have no {}",
                                    r.label()
                                ),
                                "in this explanation",
                                None,
                            ));
                        }
                        Some(p) => parts.push(p),
                        None => {
                            let help =
                                suggestion_help(name, TEMPLATE_NAMES.iter().copied()).map(|h| {
                                    format!("{h} placeholders are: {}", TEMPLATE_NAMES.join(", "))
                                });
                            failed = Some(self.error(
                                file,
                                text.span,
                                Code::RulesUnknownName,
                                format!("unknown placeholder `{{{name}}}` in the explanation"),
                                "in this explanation",
                                help.or_else(|| {
                                    Some(format!("placeholders are: {}", TEMPLATE_NAMES.join(", ")))
                                }),
                            ));
                        }
                    }
                    rest = rest.get(close + 1..).unwrap_or("");
                }
                Some(i) => {
                    parts.push(TemplatePart::Text(rest.get(..i).unwrap_or("").to_string()));
                    rest = rest.get(i..).unwrap_or("");
                }
                None => {
                    parts.push(TemplatePart::Text(rest.to_string()));
                    rest = "";
                }
            }
        }
        match failed {
            Some(reported) => Err(reported),
            None => Ok(Template { parts }),
        }
    }
}

const TEMPLATE_NAMES: &[&str] = &[
    "item",
    "item.eccn",
    "item.tpp",
    "item.performance_density",
    "item.die_area_mm2",
    "item.interconnect_gbps",
    "item.memory_bandwidth_gbps",
    "item.memory_bandwidth_density",
    "sender",
    "consignee",
    "end_user",
    "lessor",
    "lessee",
    "operator",
    "end_user.country",
    "end_user.headquarters",
    "destination",
    "date",
    "kind",
    "quantity",
    "end_use",
];

fn template_part(name: &str) -> Option<TemplatePart> {
    let role = |w: &str| Role::ALL.into_iter().find(|r| r.word() == w);
    Some(match name {
        "item" => TemplatePart::Item,
        "item.eccn" => TemplatePart::ItemEccn,
        "destination" => TemplatePart::Destination,
        "date" => TemplatePart::Date,
        "kind" => TemplatePart::Kind,
        "quantity" => TemplatePart::Quantity,
        "end_use" => TemplatePart::EndUse,
        other => {
            if let Some(attr) = other.strip_prefix("item.") {
                return NumAttr::ALL
                    .into_iter()
                    .find(|a| a.key() == attr)
                    .map(TemplatePart::ItemNum);
            }
            match other.split_once('.') {
                Some((r, "country")) => TemplatePart::PartyCountry(role(r)?),
                Some((r, "headquarters")) => TemplatePart::PartyHeadquarters(role(r)?),
                Some(_) => return None,
                None => TemplatePart::Party(role(other)?),
            }
        }
    })
}

/// How deep a compiled condition nests; `exception NAME` counts one level plus the depth of
/// that exception's own condition (`exceptions`, 0 where not yet known).
fn cond_depth(cond: &Cond, exceptions: &[usize]) -> usize {
    match cond {
        Cond::And(cs) | Cond::Or(cs) => {
            1 + cs
                .iter()
                .map(|c| cond_depth(c, exceptions))
                .max()
                .unwrap_or(0)
        }
        Cond::Not(c) => 1 + cond_depth(c, exceptions),
        Cond::Otherwise(a, b) => 1 + cond_depth(a, exceptions).max(cond_depth(b, exceptions)),
        Cond::Item(c, _) => cond_depth(c, exceptions),
        Cond::Test(t, _) => match t.as_ref() {
            Test::Exception(i) => 1 + exceptions.get(usize::from(*i)).copied().unwrap_or(0),
            _ => 0,
        },
    }
}

/// Whether a test reads only the item's own figures, whatever the date.
pub(crate) fn item_only(c: &Cond) -> bool {
    match c {
        Cond::And(cs) | Cond::Or(cs) => cs.iter().all(item_only),
        Cond::Not(c) | Cond::Item(c, _) => item_only(c),
        Cond::Otherwise(a, b) => item_only(a) && item_only(b),
        Cond::Test(t, _) => matches!(
            t.as_ref(),
            Test::ItemNum { .. }
                | Test::ItemDatacenter
                | Test::ItemForm(_)
                | Test::ItemEccnIn { .. }
                | Test::ItemHts { .. }
        ),
    }
}

/// Wraps each largest connective made only of item tests in a [`Cond::Item`] slot (single
/// tests are left alone: reading a slot would cost as much as the test).
fn mark_item_parts(c: &mut Cond, slots: &mut u16) {
    let connective = matches!(
        c,
        Cond::And(_) | Cond::Or(_) | Cond::Not(_) | Cond::Otherwise(..)
    );
    if connective && item_only(c) && *slots < u16::MAX {
        let inner = std::mem::replace(c, Cond::And(Vec::new()));
        *c = Cond::Item(Box::new(inner), *slots);
        *slots += 1;
        return;
    }
    match c {
        Cond::And(cs) | Cond::Or(cs) => cs.iter_mut().for_each(|c| mark_item_parts(c, slots)),
        Cond::Not(c) => mark_item_parts(c, slots),
        Cond::Otherwise(a, b) => {
            mark_item_parts(a, slots);
            mark_item_parts(b, slots);
        }
        Cond::Item(..) | Cond::Test(..) => {}
    }
}

fn collect_exception_refs(cond: &Cond, out: &mut Vec<u16>) {
    match cond {
        Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| collect_exception_refs(c, out)),
        Cond::Not(c) | Cond::Item(c, _) => collect_exception_refs(c, out),
        Cond::Otherwise(a, b) => {
            collect_exception_refs(a, out);
            collect_exception_refs(b, out);
        }
        Cond::Test(t, _) => {
            if let Test::Exception(i) = t.as_ref() {
                out.push(*i);
            }
        }
    }
}

/// The depth of a group whose nesting passed the limit (it compiles with no members).
const TOO_DEEP: usize = usize::MAX;

/// A group's members: each country with a window of membership, and the reason when the
/// membership in that window is uncertain.
type Members = Vec<(crate::country::Country, Window, Option<Rc<str>>)>;

/// Sorts members by country and start, and merges each country's overlapping or touching
/// windows of the same certainty, so that a country named twice (directly, or through two
/// groups) counts once.
fn merge_windows(mut members: Members) -> Members {
    members.sort_by(|(c, w, r), (c2, w2, r2)| {
        (*c, r.is_some(), w.from).cmp(&(*c2, r2.is_some(), w2.from))
    });
    let mut out: Members = Vec::with_capacity(members.len());
    for (c, w, r) in members {
        match out.last_mut() {
            Some((last_c, last_w, last_r))
                if *last_c == c && last_r.is_some() == r.is_some() && w.from <= last_w.until =>
            {
                last_w.until = last_w.until.max(w.until);
            }
            _ => out.push((c, w, r)),
        }
    }
    out
}
