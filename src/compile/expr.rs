//! Conditions: syntax to [`Cond`], with name resolution, types and define expansion.

use crate::country::{Country, CountrySet};
use crate::date::Date;
use crate::diag::{suggestion_help, Code};
use crate::ir::*;
use crate::syntax::ast::{self, Name, PartyExpr, PartyPred as AstPred, ShareBound, ValueTail};
use crate::vocab::{AuthKind, EndUse, Form, Kind, ListKind, Share};

use super::{Compiler, Reported};

/// What a condition may mention where it appears.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A `classify` block: the item's specifications only.
    Classify,
    /// Rules, exceptions and defines: everything.
    General,
}

pub(crate) struct Ctx {
    file: u16,
    mode: Mode,
    /// The ECCN of the `classify` block being compiled (for `declared`).
    eccn: Option<String>,
    /// The kinds of transaction the enclosing rule applies to (0 = not known: an exception).
    kinds: u8,
    /// Define parameters bound to parties.
    env: Vec<(String, PartyRef)>,
    /// Defines being expanded, to find cycles.
    stack: Vec<String>,
    /// Authorization kinds mentioned, for counterfactual hints.
    pub(crate) auth_kinds: Vec<AuthKind>,
    /// How deep the condition being lowered is here, defines expanded (`Limits::max_rule_nesting`).
    pub(crate) depth: usize,
    /// Tests lowered so far in this declaration, defines expanded (`Limits::max_rule_tests`).
    pub(crate) tests: usize,
    /// Set once a limit is reported, so lowering stops at once (an exponential define chain
    /// must not be expanded any further) and reports it only once.
    over_limit: Option<Reported>,
}

impl Ctx {
    pub(crate) fn classify(file: u16, eccn: &str) -> Ctx {
        Ctx {
            file,
            mode: Mode::Classify,
            eccn: Some(eccn.to_string()),
            kinds: 0,
            env: Vec::new(),
            stack: Vec::new(),
            auth_kinds: Vec::new(),
            depth: 0,
            tests: 0,
            over_limit: None,
        }
    }

    pub(crate) fn general(file: u16, kinds: u8) -> Ctx {
        Ctx {
            file,
            mode: Mode::General,
            eccn: None,
            kinds,
            env: Vec::new(),
            stack: Vec::new(),
            auth_kinds: Vec::new(),
            depth: 0,
            tests: 0,
            over_limit: None,
        }
    }
}

/// The type of a value path, for messages and checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Number,
    Date,
    Country,
    Bool,
    EndUse,
    Kind,
    Form,
    Eccn,
    Hts,
    Region,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Number => "a number",
            Ty::Date => "a date",
            Ty::Country => "a country",
            Ty::Bool => "true or false",
            Ty::EndUse => "an end use",
            Ty::Kind => "a transaction kind",
            Ty::Form => "an item form",
            Ty::Eccn => "an ECCN",
            Ty::Hts => "an HTS code",
            Ty::Region => "an ISO 3166-2 region",
        }
    }

    fn how(self, path: &str) -> String {
        match self {
            Ty::Number => format!("compare it: `{path} >= 4800`"),
            Ty::Date => format!("compare it: `{path} >= 2025-04-09`"),
            Ty::Country => format!("test it with `in`: `{path} in D5`"),
            Ty::Bool => format!("use it alone (`{path}`) or negate it (`not {path}`)"),
            Ty::EndUse => format!("test it with `is` or `in`: `{path} is training`"),
            Ty::Kind => format!("test it with `is` or `in`: `{path} is lease`"),
            Ty::Form => format!("test it with `is`: `{path} is computer`"),
            Ty::Eccn => format!(
                "write `{path} disagrees` or `{path} in [EAR99, 5A992]`, or test the classification with `item is 3A090.a`"
            ),
            Ty::Hts => format!("test it with `in`: `{path} in [8471, 8542]`"),
            Ty::Region => format!("test it with `in`: `{path} in [UA-43, UA-40]`"),
        }
    }
}

/// The item attributes other than the numeric figures (those are `NumAttr::ALL`).
const OTHER_ITEM_ATTRS: &[&str] = &[
    "datacenter",
    "origin",
    "form",
    "eccn",
    "hts",
    "developer_hq",
];

/// Every item attribute a condition may name, for "did you mean".
fn item_attrs() -> Vec<&'static str> {
    NumAttr::ALL
        .iter()
        .map(|a| a.key())
        .chain(OTHER_ITEM_ATTRS.iter().copied())
        .collect()
}

const VALUE_PATHS: &[&str] = &[
    "destination",
    "end_use",
    "kind",
    "date",
    "quantity",
    "total_tpp",
    "region",
];

impl Compiler {
    pub(crate) fn cond(&mut self, ctx: &mut Ctx, e: &ast::Expr) -> Result<Cond, Reported> {
        if let Some(reported) = ctx.over_limit {
            return Err(reported);
        }
        match e {
            ast::Expr::And(es, span) | ast::Expr::Or(es, span) => {
                self.deeper(ctx, *span)?;
                // Compile every branch so each error is reported, then fail if any did.
                let parts: Vec<Result<Cond, Reported>> =
                    es.iter().map(|x| self.cond(ctx, x)).collect();
                ctx.depth -= 1;
                let parts: Vec<Cond> = parts.into_iter().collect::<Result<_, _>>()?;
                Ok(if matches!(e, ast::Expr::And(..)) {
                    Cond::And(parts)
                } else {
                    Cond::Or(parts)
                })
            }
            ast::Expr::Not(inner, span) => {
                self.deeper(ctx, *span)?;
                let inner = self.cond(ctx, inner);
                ctx.depth -= 1;
                Ok(Cond::Not(Box::new(inner?)))
            }
            ast::Expr::Otherwise(first, then, span) => {
                self.deeper(ctx, *span)?;
                let first = self.cond(ctx, first);
                let then = self.cond(ctx, then);
                ctx.depth -= 1;
                Ok(Cond::Otherwise(Box::new(first?), Box::new(then?)))
            }
            ast::Expr::Test(t, span) => {
                ctx.tests += 1;
                if ctx.tests > self.max_tests {
                    let max = self.max_tests;
                    let reported = self.error(
                        ctx.file,
                        *span,
                        Code::RulesLimit,
                        format!(
                            "the condition holds more than {max} tests once its defines are expanded{}",
                            expansion(ctx)
                        ),
                        "the limit is passed here",
                        Some("a define that uses another twice doubles the condition at each link: share less, or raise the limit with --max-rule-tests".into()),
                    );
                    ctx.over_limit = Some(reported);
                    return Err(reported);
                }
                let at = SrcSpan {
                    file: ctx.file,
                    span: *span,
                };
                self.test(ctx, t, at)
            }
        }
    }

    /// Enters one level of nesting (a connective, `not`, or a define's body); reports the
    /// limit once when it is passed.
    fn deeper(&mut self, ctx: &mut Ctx, span: crate::source::Span) -> Result<(), Reported> {
        if ctx.depth >= self.max_nesting {
            let max = self.max_nesting;
            let reported = self.error(
                ctx.file,
                span,
                Code::RulesTooDeep,
                format!(
                    "the condition nests more than {max} levels deep once its defines are expanded{}",
                    expansion(ctx)
                ),
                "too deep here",
                Some("name part of the condition with `define`, flatten the chain of defines, or raise the limit with --max-rule-nesting".into()),
            );
            ctx.over_limit = Some(reported);
            return Err(reported);
        }
        ctx.depth += 1;
        Ok(())
    }

    fn test(&mut self, ctx: &mut Ctx, t: &ast::Test, at: SrcSpan) -> Result<Cond, Reported> {
        let file = ctx.file;
        let wrap = |test: Test| Ok(Cond::Test(Box::new(test), at));
        if ctx.mode == Mode::General && matches!(t, ast::Test::Declared) {
            return Err(self.error(
                file,
                at.span,
                Code::RulesClassifyScope,
                "`declared` belongs in a `classify` block".into(),
                "not in a classification",
                Some("in a rule, test the declared ECCN with `item.eccn in [EAR99, 5A992]`, or the classification with `item is 3A090.a`".into()),
            ));
        }
        if ctx.mode == Mode::Classify {
            let item_only = matches!(t, ast::Test::Value { path, .. } if path.node.starts_with("item.") && path.node != "item.developer_hq")
                || matches!(
                    t,
                    ast::Test::Call { .. } | ast::Test::Declared | ast::Test::Constant(_)
                );
            if matches!(t, ast::Test::ItemIs { .. }) {
                return Err(self.error(
                    file,
                    at.span,
                    Code::RulesClassifyScope,
                    "a classification cannot depend on another classification".into(),
                    "here",
                    Some("share the specification test with `define` and use it in both".into()),
                ));
            }
            if !item_only {
                return Err(self.error(file, at.span, Code::RulesClassifyScope, "a classification may only test the item's specifications".into(), "not about the item", Some("classifications depend on `item.…` values alone; put other conditions in the rule".into())));
            }
        }
        match t {
            // `true` is the empty conjunction, `false` the empty disjunction.
            ast::Test::Constant(true) => Ok(Cond::And(Vec::new())),
            ast::Test::Constant(false) => Ok(Cond::Or(Vec::new())),
            ast::Test::Declared => wrap(Test::Declared {
                eccn: ctx.eccn.clone().unwrap_or_default(),
            }),
            ast::Test::ItemIs { negated, eccn } => {
                let classes: Vec<u16> = self
                    .class_eccns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| eccn_matches(&eccn.node, c))
                    .filter_map(|(i, _)| u16::try_from(i).ok())
                    .collect();
                if classes.is_empty() {
                    let help =
                        suggestion_help(&eccn.node, self.class_eccns.iter().map(String::as_str))
                            .or_else(|| Some("declare it with a `classify` block".into()));
                    return Err(self.error(
                        file,
                        eccn.span,
                        Code::RulesUnknownName,
                        format!("no classification yields `{}`", eccn.node),
                        "never classified",
                        help,
                    ));
                }
                let test = Cond::Test(
                    Box::new(Test::ItemIs {
                        pattern: eccn.node.clone(),
                        classes,
                    }),
                    at,
                );
                Ok(if *negated {
                    Cond::Not(Box::new(test))
                } else {
                    test
                })
            }
            ast::Test::Value { path, tail } => self.value_test(ctx, path, tail.as_ref(), at),
            ast::Test::Route { mode, places } => {
                let mode = match mode.node.as_str() {
                    "passes through" => RouteMode::PassesThrough,
                    "includes" => RouteMode::Includes,
                    "starts in" => RouteMode::StartsIn,
                    _ => RouteMode::EndsIn,
                };
                let places = self.places(file, places)?;
                wrap(Test::Route { mode, places })
            }
            ast::Test::Authorized { kind, lead } => {
                let Some(auth) = AuthKind::parse(&kind.node) else {
                    let help = suggestion_help(&kind.node, AuthKind::ALL.iter().map(|k| k.word()))
                        .or_else(|| {
                            Some("authorizations are license, NAC, ACA, HBM and permit".into())
                        });
                    return Err(self.error(
                        file,
                        kind.span,
                        Code::RulesUnknownName,
                        format!("unknown authorization `{}`", kind.node),
                        "not an authorization type",
                        help,
                    ));
                };
                if !ctx.auth_kinds.contains(&auth) {
                    ctx.auth_kinds.push(auth);
                }
                let lead = match lead {
                    None => None,
                    Some((field, days)) => {
                        let f = if field.node == "notified" {
                            LeadField::Notified
                        } else {
                            LeadField::Issued
                        };
                        if days.node.fract() != 0.0 || days.node > 3650.0 {
                            return Err(self.error(
                                file,
                                days.span,
                                Code::RulesBadNumber,
                                format!(
                                    "`{}` days is not a whole number of days up to ten years",
                                    days.node
                                ),
                                "here",
                                None,
                            ));
                        }
                        Some((f, days.node as i32))
                    }
                };
                wrap(Test::Authorized { kind: auth, lead })
            }
            ast::Test::Exception(name) => match self.exceptions.get(&name.node) {
                Some((idx, _)) => {
                    // An exception is lifted by its own authorization: record its kinds.
                    let idx = *idx;
                    if let Some(block) = self
                        .exceptions
                        .get(&name.node)
                        .and_then(|(_, a)| self.block(*a))
                        .cloned()
                    {
                        collect_auth_words(&block, &mut ctx.auth_kinds);
                    }
                    wrap(Test::Exception(idx))
                }
                None => {
                    let help =
                        suggestion_help(&name.node, self.exceptions.keys().map(String::as_str))
                            .or_else(|| Some("declare it with an `exception` block".into()));
                    Err(self.error(
                        file,
                        name.span,
                        Code::RulesUnknownName,
                        format!("unknown exception `{}`", name.node),
                        "not declared",
                        help,
                    ))
                }
            },
            ast::Test::Party {
                party,
                negated,
                pred,
            } => {
                let p = self.party(ctx, party)?;
                let pred = match pred {
                    AstPred::HeadquarteredIn(names) => {
                        PartyPred::HeadquarteredIn(self.places(file, names)?)
                    }
                    AstPred::LocatedIn(names) => PartyPred::LocatedIn(self.places(file, names)?),
                    AstPred::ListedOn(names) => PartyPred::ListedOn(self.lists(file, names)?),
                    AstPred::OwnedBy { bound, lists } => {
                        let threshold = self.threshold(file, bound)?;
                        let lists = self.lists(file, lists)?;
                        let key = (threshold, lists);
                        let idx = match self.needs.aggregates.iter().position(|a| *a == key) {
                            Some(i) => i,
                            None => {
                                self.needs.aggregates.push(key);
                                self.needs.aggregates.len() - 1
                            }
                        };
                        PartyPred::OwnedBy(u16::try_from(idx).unwrap_or(u16::MAX))
                    }
                    AstPred::Distributor => PartyPred::Distributor,
                    AstPred::Named => PartyPred::Named,
                    AstPred::Same(other) => PartyPred::Same(self.party(ctx, other)?),
                };
                // A chain of owners is summarised only in what some test asks of it; other
                // predicates walk the chain and need no summary.
                if let PartyRef::AnyOwner { threshold, .. } = &p {
                    let ask = match &pred {
                        PartyPred::HeadquarteredIn(_) => Asks::HEADQUARTERS,
                        PartyPred::LocatedIn(_) => Asks::LOCATION,
                        PartyPred::ListedOn(_) => Asks::LISTED,
                        _ => 0,
                    };
                    if let Some(asks) = self.needs.asks.get_mut(usize::from(*threshold)) {
                        *asks |= ask;
                    }
                }
                let test = Cond::Test(Box::new(Test::Party { party: p, pred }), at);
                Ok(if *negated {
                    Cond::Not(Box::new(test))
                } else {
                    test
                })
            }
            ast::Test::Call { name, args } => self.call(ctx, name, args, at),
        }
    }

    fn value_test(
        &mut self,
        ctx: &mut Ctx,
        path: &Name,
        tail: Option<&ValueTail>,
        at: SrcSpan,
    ) -> Result<Cond, Reported> {
        let file = ctx.file;
        let p = path.node.as_str();
        let ty = if let Some(attr) = p.strip_prefix("item.") {
            match attr {
                "datacenter" => Ty::Bool,
                "origin" | "developer_hq" => Ty::Country,
                "form" => Ty::Form,
                "eccn" => Ty::Eccn,
                "hts" => Ty::Hts,
                a if NumAttr::ALL.iter().any(|n| n.key() == a) => Ty::Number,
                other => {
                    let attrs = item_attrs();
                    let help = suggestion_help(other, attrs.iter().copied())
                        .map(|h| format!("{h} item attributes: {}", attrs.join(", ")));
                    return Err(self.error(
                        file,
                        path.span,
                        Code::RulesUnknownName,
                        format!("unknown item attribute `{other}`"),
                        "not an item attribute",
                        help.or_else(|| Some(format!("item attributes: {}", attrs.join(", ")))),
                    ));
                }
            }
        } else {
            match p {
                "destination" => Ty::Country,
                "end_use" => Ty::EndUse,
                "kind" => Ty::Kind,
                "date" => Ty::Date,
                "quantity" | "total_tpp" => Ty::Number,
                "region" => Ty::Region,
                other => {
                    let help = suggestion_help(other, VALUE_PATHS.iter().copied());
                    return Err(self.error(
                        file,
                        path.span,
                        Code::RulesUnknownName,
                        format!("unknown value `{other}`"),
                        "unknown",
                        help,
                    ));
                }
            }
        };
        let mismatch = |me: &mut Compiler, what: &str| {
            Err(me.error(
                file,
                at.span,
                Code::RulesTypeMismatch,
                format!("`{p}` is {}, so it cannot be {what}", ty.name()),
                "type mismatch",
                Some(ty.how(p)),
            ))
        };
        let test = match (ty, tail) {
            (Ty::Bool, None) => Test::ItemDatacenter,
            (Ty::Eccn, Some(ValueTail::Disagrees(_))) => Test::ItemEccnDisagrees,
            (Ty::Eccn, Some(ValueTail::In { negated, names })) => {
                let test = self.codes(file, ty, names)?;
                return Ok(self.negate(*negated, test, at));
            }
            (Ty::Eccn, Some(ValueTail::Is { negated, name })) => {
                let test = self.codes(file, ty, std::slice::from_ref(name))?;
                return Ok(self.negate(*negated, test, at));
            }
            (Ty::Hts | Ty::Region, Some(ValueTail::In { negated, names })) => {
                let test = self.codes(file, ty, names)?;
                return Ok(self.negate(*negated, test, at));
            }
            (_, Some(ValueTail::Disagrees(_))) | (Ty::Eccn, _) => {
                return mismatch(self, "tested with `disagrees`");
            }
            (_, None) => return mismatch(self, "used alone as a condition"),
            (Ty::Number | Ty::Date, Some(ValueTail::Compare { op, value })) => {
                let Some(cmp) = Cmp::parse(&op.node) else {
                    return Err(self.error(
                        file,
                        op.span,
                        Code::RulesSyntax,
                        format!("unknown comparison `{}`", op.node),
                        "here",
                        None,
                    ));
                };
                let is_date = value.node.len() == 10 && value.node.contains('-');
                match (ty, is_date) {
                    (Ty::Date, true) => Test::Date {
                        op: cmp,
                        date: self.date(file, value)?,
                    },
                    (Ty::Number, false) => {
                        let Some(v) = value
                            .node
                            .replace('_', "")
                            .parse()
                            .ok()
                            .filter(|v: &f64| v.is_finite())
                        else {
                            return Err(self.error(
                                file,
                                value.span,
                                Code::RulesBadNumber,
                                format!("`{}` is too large to be a number", value.node),
                                "too large",
                                Some(
                                    "thresholds are plain numbers such as `4800` or `5.92`".into(),
                                ),
                            ));
                        };
                        match p {
                            "quantity" => Test::Quantity { op: cmp, value: v },
                            "total_tpp" => Test::TotalTpp { op: cmp, value: v },
                            _ => {
                                // `ty` is a number only for these paths and the figures.
                                let Some(attr) = NumAttr::ALL
                                    .into_iter()
                                    .find(|n| Some(n.key()) == p.strip_prefix("item."))
                                else {
                                    return Err(self.internal(file, path.span, "the item figure"));
                                };
                                Test::ItemNum {
                                    attr,
                                    op: cmp,
                                    value: v,
                                }
                            }
                        }
                    }
                    (Ty::Date, false) => {
                        return Err(self.error(
                            file,
                            value.span,
                            Code::RulesTypeMismatch,
                            format!("`{p}` is a date, but `{}` is a number", value.node),
                            "not a date",
                            Some("write dates as YYYY-MM-DD".into()),
                        ));
                    }
                    _ => {
                        return Err(self.error(
                            file,
                            value.span,
                            Code::RulesTypeMismatch,
                            format!("`{p}` is a number, but `{}` is a date", value.node),
                            "not a number",
                            None,
                        ));
                    }
                }
            }
            (_, Some(ValueTail::Compare { .. })) => {
                return mismatch(self, "compared with a number or a date");
            }
            (Ty::Country, Some(ValueTail::In { negated, names })) => {
                let set = self.places(file, names)?;
                return Ok(self.negate(*negated, self.country_test(p, set), at));
            }
            (Ty::Country, Some(ValueTail::Is { negated, name })) => {
                let set = self.places(file, std::slice::from_ref(name))?;
                return Ok(self.negate(*negated, self.country_test(p, set), at));
            }
            (Ty::EndUse | Ty::Kind | Ty::Form, Some(ValueTail::In { negated, names })) => {
                let test = self.enum_test(file, ty, names)?;
                return Ok(self.negate(*negated, test, at));
            }
            (Ty::EndUse | Ty::Kind | Ty::Form, Some(ValueTail::Is { negated, name })) => {
                let test = self.enum_test(file, ty, std::slice::from_ref(name))?;
                return Ok(self.negate(*negated, test, at));
            }
            (_, Some(ValueTail::In { .. } | ValueTail::Is { .. })) => {
                return mismatch(self, "tested with `in` or `is`");
            }
        };
        Ok(Cond::Test(Box::new(test), at))
    }

    fn negate(&self, negated: bool, test: Test, at: SrcSpan) -> Cond {
        let c = Cond::Test(Box::new(test), at);
        if negated {
            Cond::Not(Box::new(c))
        } else {
            c
        }
    }

    fn country_test(&self, path: &str, set: PlaceSet) -> Test {
        match path {
            "item.origin" => Test::ItemOrigin(set),
            "item.developer_hq" => Test::ItemDeveloperHq(set),
            _ => Test::Destination(set),
        }
    }

    /// `item.eccn in [EAR99, 5A992]`, `item.hts in [8471, 8542]`, `region in [UA-43]`: each
    /// code checked for its kind.
    fn codes(&mut self, file: u16, ty: Ty, names: &[Name]) -> Result<Test, Reported> {
        let mut out = Vec::with_capacity(names.len());
        let mut failed: Option<Reported> = None;
        for n in names {
            let code = n.node.as_str();
            let (valid, help) = match ty {
                Ty::Eccn => (
                    crate::facts::validate::is_eccn(code) || is_eccn_family(code),
                    "ECCNs look like `3A090.a`, `5A992` or `EAR99`",
                ),
                Ty::Hts => {
                    let digits: String = code.chars().filter(|c| *c != '.').collect();
                    (
                        (2..=10).contains(&digits.len())
                            && digits.chars().all(|c| c.is_ascii_digit()),
                        "HTS codes are digits, with or without dots: `8471`, `8542.31`",
                    )
                }
                _ => (
                    crate::facts::Region::parse(code).is_some(),
                    "regions are ISO 3166-2 codes such as `UA-43` (Crimea)",
                ),
            };
            if !valid {
                failed = Some(self.error(
                    file,
                    n.span,
                    Code::RulesUnknownName,
                    format!("`{code}` is not {}", ty.name()),
                    "not valid here",
                    Some(help.to_string()),
                ));
                continue;
            }
            out.push(match ty {
                Ty::Hts => code.chars().filter(|c| *c != '.').collect(),
                _ => code.to_string(),
            });
        }
        if let Some(reported) = failed {
            return Err(reported);
        }
        Ok(match ty {
            Ty::Eccn => Test::ItemEccnIn { patterns: out },
            Ty::Hts => Test::ItemHts { prefixes: out },
            _ => Test::Region(out),
        })
    }

    fn enum_test(&mut self, file: u16, ty: Ty, names: &[Name]) -> Result<Test, Reported> {
        let mut mask = 0u8;
        let mut form = None;
        for n in names {
            let found = match ty {
                Ty::EndUse => EndUse::parse(&n.node).map(|u| mask |= u.bit()),
                Ty::Kind => Kind::parse(&n.node).map(|k| mask |= k.bit()),
                _ => Form::parse(&n.node).map(|f| form = Some(f)),
            };
            if found.is_none() {
                let words: Vec<&str> = match ty {
                    Ty::EndUse => EndUse::ALL.iter().map(|u| u.word()).collect(),
                    Ty::Kind => Kind::ALL.iter().map(|k| k.word()).collect(),
                    _ => Form::ALL.iter().map(|f| f.word()).collect(),
                };
                let help = suggestion_help(&n.node, words.iter().copied())
                    .map(|h| format!("{h} ({} is one of: {})", ty.name(), words.join(", ")));
                return Err(self.error(
                    file,
                    n.span,
                    Code::RulesUnknownName,
                    format!("`{}` is not {}", n.node, ty.name()),
                    "unknown value",
                    help.or_else(|| Some(format!("one of: {}", words.join(", ")))),
                ));
            }
        }
        Ok(match ty {
            Ty::EndUse => Test::EndUse(mask),
            Ty::Kind => Test::Kind(mask),
            _ => {
                if names.len() > 1 {
                    return Err(self.error(
                        file,
                        names.first().map(|n| n.span).unwrap_or_default(),
                        Code::RulesTypeMismatch,
                        "an item has one form; test it with `is`".into(),
                        "here",
                        None,
                    ));
                }
                // The grammar gives a list at least one name, and each was a form.
                let Some(form) = form else {
                    let span = names.first().map(|n| n.span).unwrap_or_default();
                    return Err(self.internal(file, span, "the item form"));
                };
                Test::ItemForm(form)
            }
        })
    }

    pub(crate) fn places(&mut self, file: u16, names: &[Name]) -> Result<PlaceSet, Reported> {
        let mut set = PlaceSet::default();
        let mut failed: Option<Reported> = None;
        for n in names {
            if let Some((idx, _)) = self.groups.get(&n.node) {
                set.groups.push(*idx);
            } else if let Some(c) = Country::parse(&n.node) {
                set.countries.insert(c);
            } else {
                let help = self.place_help(&n.node);
                failed = Some(self.error(
                    file,
                    n.span,
                    Code::RulesUnknownName,
                    format!("unknown country or group `{}`", n.node),
                    "not a country code or a group",
                    help,
                ));
            }
        }
        let text: Vec<&str> = names.iter().map(|n| n.node.as_str()).collect();
        set.text = if text.len() == 1 {
            text.join("")
        } else {
            format!("[{}]", text.join(", "))
        };
        set.epochs = self.place_epochs(&set);
        set.noted = set
            .groups
            .iter()
            .map(|g| self.group_noted.get(usize::from(*g)).copied().unwrap_or(0))
            .fold(0, |a, b| a | b);
        set.id = self.next_place_id;
        self.next_place_id = self.next_place_id.saturating_add(1);
        match failed {
            Some(reported) => Err(reported),
            None => Ok(set),
        }
    }

    /// The members of a place set as of each date its groups change, so that the checker
    /// finds a date's members with one search instead of uniting groups on every test.
    fn place_epochs(&self, set: &PlaceSet) -> Vec<(Date, CountrySet, CountrySet)> {
        let tables: Vec<&Vec<(Date, CountrySet, CountrySet)>> = set
            .groups
            .iter()
            .filter_map(|g| self.group_epochs.get(usize::from(*g)))
            .collect();
        let mut dates: Vec<Date> = vec![Date::MIN];
        dates.extend(tables.iter().flat_map(|t| t.iter().map(|(d, _, _)| *d)));
        dates.sort();
        dates.dedup();
        dates
            .into_iter()
            .map(|d| {
                let mut members = set.countries;
                let mut maybe = CountrySet::EMPTY;
                for table in &tables {
                    let i = table.partition_point(|(from, _, _)| *from <= d);
                    if let Some((_, m, u)) = i.checked_sub(1).and_then(|i| table.get(i)) {
                        members.union_with(m);
                        maybe.union_with(u);
                    }
                }
                // A country surely in one of the groups is surely in the set.
                for c in members.iter() {
                    maybe.remove(c);
                }
                (d, members, maybe)
            })
            .collect()
    }

    fn lists(&mut self, file: u16, names: &[Name]) -> Result<u8, Reported> {
        let mut mask = 0u8;
        for n in names {
            match ListKind::parse(&n.node) {
                Some(l) => mask |= l.bit(),
                None => {
                    let help = suggestion_help(&n.node, ListKind::ALL.iter().map(|l| l.word()))
                        .or_else(|| {
                            Some("lists are entity-list, meu-list, unverified-list and sdn".into())
                        });
                    return Err(self.error(
                        file,
                        n.span,
                        Code::RulesUnknownName,
                        format!("unknown list `{}`", n.node),
                        "not a list",
                        help,
                    ));
                }
            }
        }
        Ok(mask)
    }

    fn threshold(&mut self, file: u16, bound: &ShareBound) -> Result<Threshold, Reported> {
        let p = bound.percent.node;
        if !(p > 0.0 && p <= 100.0) {
            return Err(self.error(
                file,
                bound.percent.span,
                Code::RulesBadNumber,
                format!("a share of {p}% is impossible"),
                "out of range",
                Some("shares are percentages above 0 and at most 100".into()),
            ));
        }
        Ok(Threshold {
            share: Share::from_percent(p),
            inclusive: bound.inclusive,
        })
    }

    fn party(&mut self, ctx: &mut Ctx, p: &PartyExpr) -> Result<PartyRef, Reported> {
        match p {
            PartyExpr::Role(name) => {
                if let Some((_, bound)) = ctx.env.iter().rev().find(|(n, _)| *n == name.node) {
                    return Ok(bound.clone());
                }
                let Some(role) = Role::ALL.into_iter().find(|r| r.word() == name.node) else {
                    let mut words: Vec<&str> = Role::ALL.iter().map(|r| r.word()).collect();
                    let params: Vec<String> = ctx.env.iter().map(|(n, _)| n.clone()).collect();
                    words.extend(params.iter().map(String::as_str));
                    let help = suggestion_help(&name.node, words.iter().copied())
                        .or_else(|| Some(format!("parties are: {}", words.join(", "))));
                    return Err(self.error(
                        ctx.file,
                        name.span,
                        Code::RulesUnknownName,
                        format!("unknown party `{}`", name.node),
                        "not a party",
                        help,
                    ));
                };
                if ctx.kinds != 0
                    && !Kind::ALL
                        .iter()
                        .any(|k| ctx.kinds & k.bit() != 0 && role.exists_for(*k))
                {
                    let kinds: Vec<&str> = Kind::ALL
                        .iter()
                        .filter(|k| ctx.kinds & k.bit() != 0)
                        .map(|k| k.word())
                        .collect();
                    return Err(self.error(
                        ctx.file,
                        name.span,
                        Code::RulesWrongRole,
                        format!(
                            "{} {} has no {}",
                            if kinds.first().is_some_and(|k| k.starts_with('e')) {
                                "an"
                            } else {
                                "a"
                            },
                            kinds.join(" or "),
                            role.label()
                        ),
                        "not part of these transactions",
                        Some(if role.exists_for(Kind::Lease) {
                            "lessor, lessee and operator belong to leases (`on lease`)".into()
                        } else {
                            "sender and consignee belong to exports, reexports and transfers".into()
                        }),
                    ));
                }
                Ok(PartyRef::Role(role))
            }
            PartyExpr::UltimateParent(of, _) => {
                Ok(PartyRef::UltimateParent(Box::new(self.party(ctx, of)?)))
            }
            PartyExpr::AnyOwner { of, bound, .. } => {
                let inner = self.party(ctx, of)?;
                let threshold = self.threshold(ctx.file, bound)?;
                let idx = match self.needs.thresholds.iter().position(|t| *t == threshold) {
                    Some(i) => i,
                    None => {
                        self.needs.thresholds.push(threshold);
                        self.needs.asks.push(0);
                        self.needs.thresholds.len() - 1
                    }
                };
                Ok(PartyRef::AnyOwner {
                    of: Box::new(inner),
                    threshold: u16::try_from(idx).unwrap_or(u16::MAX),
                })
            }
        }
    }

    /// Expands a define in place, binding its parameters to the parties given.
    fn call(
        &mut self,
        ctx: &mut Ctx,
        name: &Name,
        args: &[PartyExpr],
        at: SrcSpan,
    ) -> Result<Cond, Reported> {
        let Some(def_at) = self.defines.get(&name.node).copied() else {
            let help = suggestion_help(
                &name.node,
                self.defines
                    .keys()
                    .map(String::as_str)
                    .chain(["true", "false", "declared"]),
            )
            .or_else(|| Some("conditions start with item, destination, route, authorized, exception, a party, `true`, `false`, or a `define` name".into()));
            return Err(self.error(
                ctx.file,
                name.span,
                Code::RulesUnknownName,
                format!("unknown condition `{}`", name.node),
                "not defined",
                help,
            ));
        };
        if ctx.stack.contains(&name.node) {
            let chain = format!("{} → {}", ctx.stack.join(" → "), name.node);
            return Err(self.error(
                ctx.file,
                name.span,
                Code::RulesCycle,
                format!("define `{}` uses itself ({chain})", name.node),
                "cycle",
                Some("a define cannot refer to itself, directly or through other defines".into()),
            ));
        }
        let block = self.declaration(def_at)?;
        if block.params.len() != args.len() {
            return Err(self.error(
                ctx.file,
                name.span,
                Code::RulesArity,
                format!(
                    "`{}` takes {} {}, given {}",
                    name.node,
                    block.params.len(),
                    if block.params.len() == 1 {
                        "party"
                    } else {
                        "parties"
                    },
                    args.len()
                ),
                "wrong number of parties",
                Some(format!(
                    "write `{}({})`",
                    name.node,
                    block
                        .params
                        .iter()
                        .map(|p| p.node.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
        let mut bound = Vec::new();
        for (param, arg) in block.params.iter().zip(args) {
            bound.push((param.node.clone(), self.party(ctx, arg)?));
        }
        // The grammar gives every define its condition.
        let Some(body) = block.items.iter().find_map(|i| match &i.node {
            ast::Item::Body(e) => Some(e.clone()),
            _ => None,
        }) else {
            return Err(self.internal(def_at.file, block.name.span, "the define's condition"));
        };
        self.deeper(ctx, at.span)?;
        let mut inner = Ctx {
            file: def_at.file,
            mode: ctx.mode,
            eccn: ctx.eccn.clone(),
            kinds: ctx.kinds,
            env: bound,
            stack: ctx.stack.clone(),
            auth_kinds: std::mem::take(&mut ctx.auth_kinds),
            depth: ctx.depth,
            tests: ctx.tests,
            over_limit: None,
        };
        inner.stack.push(name.node.clone());
        let result = self.cond(&mut inner, &body);
        ctx.auth_kinds = inner.auth_kinds;
        ctx.tests = inner.tests;
        ctx.over_limit = ctx.over_limit.or(inner.over_limit);
        ctx.depth -= 1;
        result
    }
}

/// " (through a → b → c)" when the condition is inside defines.
fn expansion(ctx: &Ctx) -> String {
    if ctx.stack.is_empty() {
        String::new()
    } else {
        format!(" (through {})", ctx.stack.join(" → "))
    }
}

/// `3A090` matches `3A090`, `3A090.a` and `3A090.a.1`; `3A090.a` matches `3A090.a` and
/// `3A090.a.1`.
/// An ECCN family without its paragraph (`3A090`, `5A992`): a pattern, not an ECCN.
fn is_eccn_family(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && b.first().is_some_and(u8::is_ascii_digit)
        && b.get(1).is_some_and(u8::is_ascii_uppercase)
        && b.get(2..5)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
}

pub fn eccn_matches(pattern: &str, eccn: &str) -> bool {
    eccn == pattern
        || eccn
            .strip_prefix(pattern)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// Authorization kinds named by `authorized by …` anywhere in a block (for hints).
fn collect_auth_words(block: &ast::Block, out: &mut Vec<AuthKind>) {
    fn walk(e: &ast::Expr, out: &mut Vec<AuthKind>) {
        match e {
            ast::Expr::And(es, _) | ast::Expr::Or(es, _) => es.iter().for_each(|x| walk(x, out)),
            ast::Expr::Not(x, _) => walk(x, out),
            ast::Expr::Otherwise(a, b, _) => {
                walk(a, out);
                walk(b, out);
            }
            ast::Expr::Test(t, _) => {
                if let ast::Test::Authorized { kind, .. } = t.as_ref() {
                    if let Some(k) = AuthKind::parse(&kind.node) {
                        if !out.contains(&k) {
                            out.push(k);
                        }
                    }
                }
            }
        }
    }
    for item in &block.items {
        if let ast::Item::When(e) | ast::Item::Body(e) = &item.node {
            walk(e, out);
        }
    }
}
