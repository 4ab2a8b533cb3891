//! Where the two wings meet: a compiled [`RuleSet`] judges the transactions of one
//! [`TransactionFile`] over its [`World`] graph. Each rule that fires becomes a [`Finding`]
//! with its explanation and witness; a transaction's verdict is its most severe finding.

pub mod eval;
pub mod memo;

use std::collections::HashSet;

use crate::date::Date;
use crate::diag::Diagnostic;
use crate::facts::{FactRef, ItemId, Transaction, TransactionFile, TxId};
use crate::finding::{
    Assumption, Dismissal, Evidence, ExceptionRef, Finding, FindingStep, Remedy, Stopped,
    TransactionReport, Verdict, Witness,
};
use crate::ir::*;
use crate::limits::{Budget, Limits};
use crate::vocab::{AuthKind, Kind};
use crate::words::Words;
use crate::world::World;
use eval::{Ctx, NoTrace, Trace, Truth};

/// A rule that fired: its index, and its outcome as enforced and as the codified text has it.
type Fired = (u32, (Verdict, Verdict));

/// What a rule's answer relied on: its index, whether it fired, and the [`eval::Relied`] bits.
type Relied = (u32, bool, u32);

/// A transaction judged: its verdict, the rules that fired, what each rule evaluated relied
/// on, and the caveated groups consulted.
type Judged = (Verdict, Vec<Fired>, Vec<Relied>, u64);

/// A rule set bound to one transaction file: the world graph and item classifications are
/// computed once here, then any number of transactions are checked against them.
pub struct Checker<'a> {
    rules: &'a RuleSet,
    facts: &'a TransactionFile,
    world: World,
    /// Per item, per classification block: whether the specifications meet it.
    classes: Vec<Vec<Truth>>,
    /// `Limits::max_steps_per_transaction`.
    max_steps: u64,
    /// Per item, one bit per rule: whether the rule's `when` can hold for that item at all.
    /// A rule whose item tests already fail (the chip is below every threshold it names) is
    /// skipped without evaluating anything: the rules are indexed by the facts they test.
    may_fire: Vec<u64>,
    /// Words of `may_fire` per item.
    rule_words: usize,
    /// Owner questions of the rules, answered per party ahead of time.
    hits: memo::OwnerHits,
    /// Per item, the value of each [`Cond::Item`] slot (`item_slots` values per item).
    item_parts: Vec<Truth>,
}

impl<'a> Checker<'a> {
    /// A checker with the default limits.
    pub fn new(rules: &'a RuleSet, facts: &'a TransactionFile) -> Checker<'a> {
        Checker::with_limits(rules, facts, &Limits::default())
    }

    /// A checker that refuses a transaction once checking it takes more than
    /// `limits.max_steps_per_transaction` steps.
    pub fn with_limits(
        rules: &'a RuleSet,
        facts: &'a TransactionFile,
        limits: &Limits,
    ) -> Checker<'a> {
        let world = World::build(facts, &rules.needs);
        let mut checker = Checker {
            rules,
            facts,
            world,
            classes: Vec::new(),
            max_steps: limits.max_steps_per_transaction,
            may_fire: Vec::new(),
            rule_words: rules.rules.len().div_ceil(64),
            hits: memo::OwnerHits::default(),
            item_parts: Vec::new(),
        };
        checker.item_parts = checker.item_part_table();
        checker.hits = memo::OwnerHits::build(rules, &checker.world);
        checker.classes = checker.classify_items();
        checker.may_fire = checker.index_rules_by_item();
        checker
    }

    /// For each item, which rules may fire: `when` evaluated with only the item's own,
    /// date-independent facts known and every other test unknown. In Kleene logic a `false`
    /// there stays `false` whatever the unknown tests turn out to be, so skipping such a rule
    /// never changes a verdict.
    fn index_rules_by_item(&self) -> Vec<u64> {
        let words = self.rule_words;
        let mut bits = vec![0u64; words * self.facts.items.len()];
        for i in 0..self.facts.items.len() {
            for (r, rule) in self.rules.rules.iter().enumerate() {
                if self.item_bound(&rule.when, i) != Truth::False {
                    if let Some(w) = bits.get_mut(i * words + r / 64) {
                        *w |= 1 << (r % 64);
                    }
                }
            }
        }
        bits
    }

    /// Every item's value of every [`Cond::Item`] slot. Such a part reads only item tests,
    /// which [`Checker::item_bound`] decides exactly.
    fn item_part_table(&self) -> Vec<Truth> {
        let n = usize::from(self.rules.item_slots);
        let mut parts: Vec<&Cond> = Vec::with_capacity(n);
        fn collect<'c>(c: &'c Cond, out: &mut Vec<&'c Cond>) {
            match c {
                Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| collect(c, out)),
                Cond::Not(c) => collect(c, out),
                Cond::Otherwise(a, b) => {
                    collect(a, out);
                    collect(b, out);
                }
                Cond::Item(inner, slot) => {
                    if out.len() == usize::from(*slot) {
                        out.push(inner);
                    }
                }
                Cond::Test(..) => {}
            }
        }
        for r in &self.rules.rules {
            collect(&r.when, &mut parts);
            if let Some(u) = &r.unless {
                collect(u, &mut parts);
            }
        }
        for e in &self.rules.exceptions {
            collect(&e.when, &mut parts);
        }
        if parts.len() != n {
            // Slots not met in declaration order: leave the table empty, the fast path then
            // evaluates the parts as written.
            return Vec::new();
        }
        (0..self.facts.items.len())
            .flat_map(|i| parts.iter().map(move |c| (i, *c)))
            .map(|(i, c)| self.item_bound(c, i))
            .collect()
    }

    /// A condition's truth from item `i`'s date-independent facts alone (see above).
    fn item_bound(&self, c: &Cond, i: usize) -> Truth {
        match c {
            Cond::Not(inner) => self.item_bound(inner, i).negate(),
            Cond::Item(inner, _) => self.item_bound(inner, i),
            // `otherwise` turns an unknown into its second part: exact only when the first
            // part reads the item alone (an unknown there is a missing figure, not a test
            // left for later); else anything may come of it.
            Cond::Otherwise(first, then) => match self.item_bound(first, i) {
                Truth::Unknown if crate::compile::item_only(first) => self.item_bound(then, i),
                Truth::Unknown => Truth::Unknown,
                v => v,
            },
            Cond::And(cs) => cs
                .iter()
                .map(|c| self.item_bound(c, i))
                .min()
                .unwrap_or(Truth::True),
            Cond::Or(cs) => cs
                .iter()
                .map(|c| self.item_bound(c, i))
                .max()
                .unwrap_or(Truth::False),
            Cond::Test(test, _) => {
                let Some(item) = self.facts.items.get(i) else {
                    return Truth::Unknown;
                };
                match test.as_ref() {
                    Test::ItemNum { attr, op, value } => {
                        let v = item.figures.get(*attr);
                        v.map_or(Truth::Unknown, |x| Truth::of(op.holds(x, *value)))
                    }
                    Test::ItemDatacenter => Truth::of(item.datacenter),
                    Test::ItemForm(form) => Truth::of(item.form == *form),
                    Test::ItemEccnIn { patterns } => match item.eccn.as_deref() {
                        Some(d) => {
                            Truth::of(patterns.iter().any(|p| crate::compile::eccn_matches(p, d)))
                        }
                        None => Truth::Unknown,
                    },
                    Test::ItemHts { prefixes } => match item.hts.as_deref() {
                        Some(h) => eval::hts_in(h, prefixes),
                        None => Truth::Unknown,
                    },
                    // Classified by none of the blocks on any date: false on every date (the
                    // declared ECCN is consulted only when the specifications leave it open).
                    Test::ItemIs { classes, .. } => {
                        let row = self.classes.get(i);
                        let never = classes.iter().all(|c| {
                            row.and_then(|r| r.get(usize::from(*c))) == Some(&Truth::False)
                        });
                        if never {
                            Truth::False
                        } else {
                            Truth::Unknown
                        }
                    }
                    _ => Truth::Unknown,
                }
            }
        }
    }

    /// Whether rule `r` may fire for item `item` (see [`Checker::index_rules_by_item`]).
    fn may_fire(&self, item: u32, r: u32) -> bool {
        self.may_fire
            .get(item as usize * self.rule_words + r as usize / 64)
            .is_none_or(|w| w & (1 << (r % 64)) != 0)
    }

    pub fn world(&self) -> &World {
        &self.world
    }

    /// Evaluates each classification block's specification test on each item. Dates do not
    /// enter: a block's window is applied when a rule asks on a given date.
    fn classify_items(&self) -> Vec<Vec<Truth>> {
        // Classification tests read only the item; the context wants some transaction.
        let placeholder;
        let any_tx = match self.facts.transactions.first() {
            Some(tx) => tx,
            None => {
                let Some(us) = crate::country::Country::parse("US") else {
                    return Vec::new();
                };
                placeholder = Transaction {
                    id: String::new(),
                    kind: Kind::Export,
                    date: Date::MIN,
                    item: ItemId(0),
                    quantity: None,
                    sender: None,
                    consignee: None,
                    end_user: None,
                    end_user_source: crate::facts::EndUserSource::Defaulted,
                    destination: us,
                    destination_source: crate::facts::DestinationSource::EndUser,
                    region: None,
                    route: Vec::new(),
                    end_use: None,
                    authorizations: Vec::new(),
                    facility: None,
                    lessor: None,
                    lessee: None,
                    order: None,
                };
                &placeholder
            }
        };
        // Classifications test the item's own figures only: bounded by the rules' size.
        let budget = Budget::unlimited();
        self.facts
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let ctx = Ctx {
                    rules: self.rules,
                    facts: self.facts,
                    world: &self.world,
                    classes: &[],
                    hits: &self.hits,
                    item_parts: &[],
                    tx: any_tx,
                    tx_index: TxId(0),
                    item_index: ItemId::new(i),
                    date: any_tx.date,
                    assume: 0,
                    item,
                    budget: &budget,
                    relied: std::cell::Cell::new(0),
                    consulted: std::cell::Cell::new(0),
                };
                self.rules
                    .classes
                    .iter()
                    .map(|c| ctx.class_eval(c, &mut NoTrace))
                    .collect()
            })
            .collect()
    }

    /// How an item classifies on a date, with the arithmetic of every classification in
    /// force then, and whether a declared ECCN agrees.
    pub fn classify(&self, item_index: usize, date: Date) -> Option<ItemClassification> {
        let item = self.facts.items.get(item_index)?;
        let any_tx = self.facts.transactions.first()?;
        let budget = Budget::new(self.max_steps);
        // The item's tests need no transaction; any one of the file's stands in.
        let mut probe = any_tx.clone();
        probe.item = ItemId::new(item_index);
        let ctx = self.ctx_for(&probe, TxId(0), date, 0, &budget)?;
        let words = self.words();
        let mut tests = Vec::new();
        let mut eccns: Vec<String> = Vec::new();
        for class in self
            .rules
            .classes
            .iter()
            .filter(|c| c.windows.iter().any(|w| w.contains(date)))
        {
            let mut trace = Trace::default();
            let truth = ctx.class_eval(class, &mut trace);
            if truth == Truth::True && !eccns.contains(&class.eccn) {
                eccns.push(class.eccn.clone());
            }
            tests.push(ClassTest {
                eccn: class.eccn.clone(),
                result: match truth {
                    Truth::True => "yes",
                    Truth::False => "no",
                    Truth::Unknown => "unknown",
                },
                citation: class.cites.clone(),
                effective: class.windows.iter().map(|w| w.to_string()).collect(),
                reasons: trace.steps.iter().map(|s| words.bare(s)).collect(),
            });
        }
        let undetermined = tests.iter().any(|t| t.result == "unknown");
        let declared_agrees = item
            .eccn
            .as_ref()
            .map(|_| ctx.eccn_disagrees(SrcSpan::default(), &mut NoTrace) != Truth::True);
        Some(ItemClassification {
            item: item.id.clone(),
            name: item.name.clone(),
            date,
            eccns,
            undetermined,
            declared: item.eccn.clone(),
            declared_agrees,
            tests,
        })
    }

    fn ctx<'b>(
        &'b self,
        tx_index: usize,
        date: Date,
        assume: u8,
        budget: &'b Budget,
    ) -> Option<Ctx<'b>> {
        let tx = self.facts.transactions.get(tx_index)?;
        self.ctx_for(tx, TxId::new(tx_index), date, assume, budget)
    }

    fn ctx_for<'t>(
        &'t self,
        tx: &'t Transaction,
        tx_index: TxId,
        date: Date,
        assume: u8,
        budget: &'t Budget,
    ) -> Option<Ctx<'t>> {
        let item = self.facts.item(tx.item)?;
        let n = usize::from(self.rules.item_slots);
        let row = tx.item.index() * n;
        let item_parts = self.item_parts.get(row..row + n).unwrap_or(&[]);
        Some(Ctx {
            rules: self.rules,
            facts: self.facts,
            world: &self.world,
            classes: &self.classes,
            hits: &self.hits,
            item_parts,
            tx,
            tx_index,
            item_index: tx.item,
            date,
            assume,
            item,
            budget,
            relied: std::cell::Cell::new(0),
            consulted: std::cell::Cell::new(0),
        })
    }

    /// The verdict alone, with no explanations: the fast path. A transaction whose check
    /// passes the step limit is `indeterminate` (never read as clearance).
    pub fn verdict(
        &self,
        tx_index: usize,
        as_of: Option<Date>,
    ) -> Option<(Verdict, Vec<(u32, Verdict)>)> {
        let budget = Budget::new(self.max_steps);
        let (verdict, fired) = self.judge_all(tx_index, as_of, &budget)?;
        let fired = fired.into_iter().map(|(r, (enforced, _))| (r, enforced));
        if budget.exhausted() {
            // The rules not judged may say more; what was found stands.
            return Some((verdict.max(Verdict::Indeterminate), fired.collect()));
        }
        Some((verdict, fired.collect()))
    }

    /// Every rule in force for the transaction, judged within `budget`: the verdict, and each
    /// rule that fired with its outcome as enforced and as the codified text has it.
    fn judge_all(
        &self,
        tx_index: usize,
        as_of: Option<Date>,
        budget: &Budget,
    ) -> Option<(Verdict, Vec<Fired>)> {
        let tx = self.facts.transactions.get(tx_index)?;
        let index = TxId::new(tx_index);
        let mut fired = Vec::new();
        let (verdict, _) = self.judge_tx(tx, index, as_of, budget, |r, outcome, _| {
            if let Some(outcome) = outcome {
                fired.push((r, outcome));
            }
        })?;
        Some((verdict, fired))
    }

    /// [`Checker::judge_all`], also collecting what each rule's answer relied on.
    fn judge_all_relied(
        &self,
        tx_index: usize,
        as_of: Option<Date>,
        budget: &Budget,
    ) -> Option<Judged> {
        let tx = self.facts.transactions.get(tx_index)?;
        let index = TxId::new(tx_index);
        let mut fired = Vec::new();
        let mut relied = Vec::new();
        let (verdict, consulted) =
            self.judge_tx(tx, index, as_of, budget, |r, outcome, bits| {
                if let Some(outcome) = outcome {
                    fired.push((r, outcome));
                }
                relied.push((r, outcome.is_some(), bits));
            })?;
        Some((verdict, fired, relied, consulted))
    }

    /// The verdict of a transaction that is not in the file, judged against the file's
    /// parties, items and facilities (its indices refer to them): a sign-up or an order line
    /// screened as it arrives, against a world built once. `None` when the transaction names
    /// an item the file does not have.
    pub fn verdict_for(&self, tx: &Transaction, as_of: Option<Date>) -> Option<Verdict> {
        let budget = Budget::new(self.max_steps);
        self.judge_tx(tx, TxId(u32::MAX), as_of, &budget, |_, _, _| {})
            .map(|(v, _)| v)
    }

    /// Runs every rule in force for the transaction's kind within `budget`; `seen` hears of
    /// each rule evaluated: its index, its outcome as enforced and as the codified text has
    /// it when it produced a finding, and what its answer relied on ([`eval::Relied`] bits).
    /// Returns the verdict and the caveated groups consulted.
    fn judge_tx(
        &self,
        tx: &Transaction,
        tx_index: TxId,
        as_of: Option<Date>,
        budget: &Budget,
        mut seen: impl FnMut(u32, Option<(Verdict, Verdict)>, u32),
    ) -> Option<(Verdict, u64)> {
        let date = as_of.unwrap_or(tx.date);
        let ctx = self.ctx_for(tx, tx_index, date, 0, budget)?;
        let mut verdict = Verdict::Allowed;
        for &r in self
            .rules
            .by_kind
            .get(tx.kind as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if !self.may_fire(tx.item.0, r) {
                continue;
            }
            let Some(rule) = self.rules.rules.get(r as usize) else {
                continue;
            };
            if !rule.in_force(date) {
                continue;
            }
            ctx.relied.set(0);
            match judge(&ctx, rule) {
                Some(text) => {
                    let outcome = enforced(rule, date, text);
                    verdict = verdict.max(outcome);
                    seen(r, Some((outcome, text)), ctx.relied.get());
                }
                None => seen(r, None, ctx.relied.get()),
            }
            if budget.exhausted() {
                break;
            }
        }
        Some((verdict, ctx.consulted.get()))
    }

    /// Judges one transaction (on its own date, or on `as_of`), with every finding explained.
    /// A transaction whose check passes the step limit gets the verdict `indeterminate` (or
    /// what the rules judged by then found, if more severe), with one finding that says so;
    /// [`Checker::try_check`] refuses it instead.
    pub fn check(&self, tx_index: usize, as_of: Option<Date>) -> Option<TransactionReport> {
        match self.try_check(tx_index, as_of) {
            Ok(report) => report,
            Err(_) => {
                // Judging reads precomputed answers and spends few steps; explaining walks the
                // graph. What judging found stands when it is more severe than indeterminate.
                let verdict = self
                    .verdict(tx_index, as_of)
                    .map_or(Verdict::Indeterminate, |(v, _)| v)
                    .max(Verdict::Indeterminate);
                let mut report = self.report(tx_index, as_of, verdict, Vec::new());
                report.stopped = Some(Stopped {
                    limit: self.max_steps,
                });
                Some(report)
            }
        }
    }

    /// Judges one transaction with every finding explained, or refuses it with a located
    /// diagnostic when checking it takes more than `Limits::max_steps_per_transaction` steps.
    pub fn try_check(
        &self,
        tx_index: usize,
        as_of: Option<Date>,
    ) -> Result<Option<TransactionReport>, Diagnostic> {
        let Some(tx) = self.facts.transactions.get(tx_index) else {
            return Ok(None);
        };
        let date = as_of.unwrap_or(tx.date);
        // One budget for judging and explaining: the work of the whole transaction.
        let budget = Budget::new(self.max_steps);
        let Some((verdict, fired, relied, consulted)) =
            self.judge_all_relied(tx_index, as_of, &budget)
        else {
            return Ok(None);
        };
        let Some(ctx) = self.ctx(tx_index, date, 0, &budget) else {
            return Ok(None);
        };
        let findings = if budget.exhausted() {
            Vec::new()
        } else {
            fired
                .into_iter()
                .filter_map(|(r, (outcome, text))| {
                    self.rules
                        .rules
                        .get(r as usize)
                        .map(|rule| self.explain(&ctx, rule, outcome, text))
                })
                .collect()
        };
        if budget.exhausted() {
            return Err(self.step_limit(tx_index, &budget));
        }
        let mut report = self.report(tx_index, as_of, verdict, findings);
        report.assumptions = self.assumptions(tx_index, tx, date, &relied, consulted);
        Ok(Some(report))
    }

    /// What a transaction's verdict rests on that its file does not establish, from what the
    /// rules' answers relied on: one entry per assumption, naming the rules.
    fn assumptions(
        &self,
        tx_index: usize,
        tx: &Transaction,
        date: Date,
        relied: &[Relied],
        consulted: u64,
    ) -> Vec<Assumption> {
        use eval::Relied;
        let rule_id = |r: u32| self.rules.rules.get(r as usize).map(|x| x.id.clone());
        let rules_with = |bit: u32| -> Vec<String> {
            relied
                .iter()
                .filter(|(_, _, b)| b & bit != 0)
                .filter_map(|(r, _, _)| rule_id(*r))
                .collect()
        };
        let item = self.facts.item(tx.item);
        let item_name = item.map_or_else(String::new, |i| format!("`{}` ({})", i.id, i.name));
        let at = |f: FactRef| self.facts.fact_location(f);
        let mut out = Vec::new();
        let mut push = |kind: &'static str, text: String, rules: Vec<String>| {
            if !rules.is_empty() {
                out.push(Assumption { kind, text, rules });
            }
        };
        // Figures taken from the catalogue: every rule judged may have read them.
        if let Some(m) = item.and_then(|it| it.model.as_deref()) {
            let judged: Vec<String> = relied.iter().filter_map(|(r, _, _)| rule_id(*r)).collect();
            push(
                "catalogue",
                crate::words::catalogue_use(&item_name, m),
                judged,
            );
        }
        if let Some(it) = item {
            let declared = it.eccn.as_deref().unwrap_or("");
            push(
                "declared_classification",
                format!(
                    "item {item_name} is classified by its declared ECCN {declared} ({}): the figures given do not settle the classification",
                    at(FactRef::Item(tx.item, "eccn"))
                ),
                rules_with(Relied::DECLARED_ECCN | Relied::DECLARED_ECCN_TEST),
            );
            push(
                "fallback",
                "a condition the facts did not settle was decided by the rule's fallback (`otherwise`), as the step says".to_string(),
                rules_with(Relied::OTHERWISE),
            );
            push(
                "default",
                format!("item {item_name}: origin not given, taken as US"),
                rules_with(Relied::ORIGIN_DEFAULT),
            );
            push(
                "default",
                format!("item {item_name}: no developer named, so its origin ({}) stands for where it was designed", it.origin),
                rules_with(Relied::DEVELOPER_FROM_ORIGIN),
            );
            push(
                "default",
                format!("item {item_name}: form not given, taken as an integrated circuit"),
                rules_with(Relied::FORM_DEFAULT),
            );
            push(
                "default",
                format!("item {item_name}: `datacenter` not given, taken as true (designed or marketed for data centres)"),
                rules_with(Relied::DATACENTER_DEFAULT),
            );
        }
        if tx.end_user_source == crate::facts::EndUserSource::Defaulted {
            let who = tx
                .end_user
                .and_then(|p| self.facts.party(p))
                .map_or_else(String::new, |p| format!("`{}` ({})", p.id, p.name));
            let role = if tx.kind == Kind::Lease {
                "lessee"
            } else {
                "consignee"
            };
            push(
                "end_user_default",
                format!("no end user is named: the {role} {who} is taken as the end user"),
                rules_with(Relied::END_USER_DEFAULT),
            );
        }
        {
            let roles = [tx.sender, tx.consignee, tx.end_user, tx.lessor, tx.lessee];
            let operator = tx
                .facility
                .and_then(|f| self.facts.facilities.get(f.index()))
                .map(|f| f.operator);
            let mut names: Vec<String> = Vec::new();
            for p in roles.iter().flatten().chain(operator.iter()) {
                if let Some(party) = self.facts.party(*p) {
                    let n = format!("`{}`", party.id);
                    if party.lists.is_empty() && !names.contains(&n) {
                        names.push(n);
                    }
                }
            }
            let who = if names.is_empty() {
                "any of its owners".to_string()
            } else {
                names.join(", ")
            };
            match &self.facts.screened {
                None => push(
                    "not_screened",
                    format!("no restricted-party designation is given in the file for {who} on {date}: the parties were not screened against a list, so only designations written in the file count (screen them with `--screening`)"),
                    rules_with(Relied::NOT_SCREENED),
                ),
                Some(s) => {
                    let lists: Vec<String> = s
                        .lists
                        .iter()
                        .map(|l| {
                            let short = l.digest.get(..19).unwrap_or(&l.digest);
                            format!("{} ({} entries, {short}…)", l.file, l.entries)
                        })
                        .collect();
                    push(
                        "screened",
                        format!("the parties were screened against {}: that no designation was found for {who} on {date} relies on those lists being complete and current for the lists the rules ask about", lists.join(", ")),
                        rules_with(Relied::NOT_SCREENED),
                    );
                }
            }
            // Reviewers' decisions the screening applied, so the record shows who cleared what.
            let mut seen: Vec<crate::facts::PartyId> = Vec::new();
            for p in roles.iter().flatten().chain(operator.iter()) {
                if seen.contains(p) {
                    continue;
                }
                seen.push(*p);
                let Some(party) = self.facts.party(*p) else {
                    continue;
                };
                if self.facts.screened.is_none() {
                    continue;
                }
                for d in &party.screening {
                    let word = match d.decision {
                        crate::facts::Decision::Cleared => "cleared",
                        crate::facts::Decision::Confirmed => "confirmed",
                    };
                    let reason = d
                        .reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default();
                    push(
                        "screening_decision",
                        format!(
                            "screening match of `{}` with entry {} {word} by {} on {}{reason}",
                            party.id, d.entry, d.by, d.on
                        ),
                        rules_with(Relied::NOT_SCREENED),
                    );
                }
            }
        }
        for (k, a) in tx.authorizations.iter().enumerate() {
            if a.scope.is_empty() {
                let label = a
                    .number
                    .as_deref()
                    .or(a.confirmation.as_deref())
                    .map(|n| format!("{} {n}", a.kind.word()))
                    .unwrap_or_else(|| a.kind.word().to_string());
                let tx_i = Some(TxId::new(tx_index));
                let place = tx_i
                    .map(|t| {
                        format!(
                            " ({})",
                            at(FactRef::Authorization {
                                tx: t,
                                entry: u32::try_from(k).unwrap_or(u32::MAX)
                            })
                        )
                    })
                    .unwrap_or_default();
                push(
                    "unscoped_authorization",
                    format!("{label}{place} states no scope (items, consignee, end user, destination, quantity): it was taken to cover this transaction without checking its scope"),
                    rules_with(Relied::UNSCOPED_AUTHORIZATION),
                );
            }
        }
        // Caveats of the groups the answers consulted.
        for (g, group) in self.rules.groups.iter().enumerate().take(64) {
            if consulted & (1u64 << g) == 0 {
                continue;
            }
            let using = rules_with(Relied::GROUP_NOTE);
            for note in &group.notes {
                if note.trim_start().to_lowercase().starts_with("uncertain") {
                    let title = group.title.as_deref().unwrap_or(&group.name);
                    push(
                        "group_caveat",
                        format!("{} ({title}): {note}", group.name),
                        using.clone(),
                    );
                }
            }
        }
        // Caveats of the rules that were weighed and did not fire, where their condition holds
        // (a rule that fired says its own in its finding).
        let budget = Budget::new(self.max_steps);
        if let Some(ctx) = self.ctx(tx_index, date, 0, &budget) {
            for (r, fired, _) in relied {
                if *fired {
                    continue;
                }
                let Some(rule) = self.rules.rules.get(*r as usize) else {
                    continue;
                };
                for caveat in &rule.caveats {
                    if ctx.cond(&caveat.when, &mut NoTrace) == Truth::True {
                        push("rule_caveat", caveat.text.clone(), vec![rule.id.clone()]);
                    }
                }
            }
        }
        out
    }

    fn report(
        &self,
        tx_index: usize,
        as_of: Option<Date>,
        verdict: Verdict,
        mut findings: Vec<Finding>,
    ) -> TransactionReport {
        // Most severe first (as enforced); rules in declaration order within an outcome.
        findings.sort_by_key(|f| std::cmp::Reverse(f.outcome));
        let tx = self.facts.transactions.get(tx_index);
        TransactionReport {
            id: tx.map(|t| t.id.clone()).unwrap_or_default(),
            file: self.facts.source.name().to_string(),
            date: as_of.or(tx.map(|t| t.date)).unwrap_or(Date::MIN),
            as_of,
            order: tx.and_then(|t| t.order.clone()),
            verdict,
            findings,
            assumptions: Vec::new(),
            stopped: None,
            span: self.facts.transaction_span(TxId::new(tx_index)),
            source: Some(std::sync::Arc::clone(&self.facts.source)),
            facts_files: self
                .facts
                .shared()
                .map(|s| s.files.clone())
                .unwrap_or_default(),
        }
    }

    /// Why each rule that produced no finding for a transaction did not apply: it covers
    /// other kinds of transaction, it is not in force on the date, or (traced, with the facts'
    /// positions) the part of its condition that is false. For `chipgate explain`.
    pub fn dismissals(&self, tx_index: usize, as_of: Option<Date>) -> Vec<Dismissal> {
        let Some(tx) = self.facts.transactions.get(tx_index) else {
            return Vec::new();
        };
        let date = as_of.unwrap_or(tx.date);
        let budget = Budget::new(self.max_steps);
        let Some((_, fired)) = self.judge_all(tx_index, as_of, &budget) else {
            return Vec::new();
        };
        let Some(ctx) = self.ctx(tx_index, date, 0, &budget) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, rule) in self.rules.rules.iter().enumerate() {
            if fired
                .iter()
                .any(|(r, _)| usize::try_from(*r).ok() == Some(i))
            {
                continue;
            }
            let reason = if rule.kinds & tx.kind.bit() == 0 {
                let kinds: Vec<&str> = Kind::ALL
                    .iter()
                    .filter(|k| rule.kinds & k.bit() != 0)
                    .map(|k| k.word())
                    .collect();
                vec![format!(
                    "covers {} only, and this is a {}",
                    kinds.join(", "),
                    tx.kind.word()
                )]
            } else if !rule.in_force(date) {
                let windows: Vec<String> = rule.windows.iter().map(|w| w.to_string()).collect();
                vec![format!(
                    "not in force on {date} (in force {})",
                    windows.join(", ")
                )]
            } else {
                let mut trace = Trace::default();
                ctx.cond(&rule.when, &mut trace);
                let words = self.words();
                trace.steps.iter().map(|s| words.with_lines(s)).collect()
            };
            out.push(Dismissal {
                rule: rule.id.clone(),
                title: rule.title.clone(),
                reason,
            });
        }
        out
    }

    /// The diagnostic for a transaction whose check passed the step limit, pointing at it.
    fn step_limit(&self, tx_index: usize, budget: &Budget) -> Diagnostic {
        let id = self
            .facts
            .transactions
            .get(tx_index)
            .map_or("?", |t| t.id.as_str());
        let span = self.facts.transaction_span(TxId::new(tx_index));
        let first_line = self
            .facts
            .source
            .line_span(self.facts.source.line_col(span.start).0);
        Diagnostic::error(
            crate::diag::Code::CheckLimit,
            format!(
                "checking transaction `{id}` took more than {} steps",
                budget.max()
            ),
        )
        .in_file(&self.facts.source)
        .label(first_line.intersect(span), "this transaction")
        .help("its ownership graph is too large to walk within the limit: raise it with --max-steps-per-transaction")
    }

    fn explain(&self, ctx: &Ctx<'_>, rule: &Rule, outcome: Verdict, text: Verdict) -> Finding {
        let mut trace = Trace::default();
        ctx.cond(&rule.when, &mut trace);
        if let Some(unless) = &rule.unless {
            let mut sub = Trace::default();
            let lifted = ctx.cond(unless, &mut sub);

            for mut s in sub.steps {
                s.lifted = Some(lifted);
                trace.steps.push(s);
            }
        }
        let rule_outcome = verdict_of(rule.outcome);
        let text_outcome = (text != outcome).then_some(text);
        let unenforced_reason = text_outcome.and_then(|_| {
            rule.unenforced
                .iter()
                .find(|u| u.window.contains(ctx.date))
                .map(|u| u.reason.clone())
        });
        let compliance = rule
            .compliance
            .as_ref()
            .filter(|_| text_outcome.is_some() && deferred(rule, ctx.date));
        let policy = if rule_outcome == Verdict::Warning {
            None
        } else {
            rule.policies
                .iter()
                .find(|p| {
                    p.when
                        .as_ref()
                        .is_none_or(|c| ctx.cond(c, &mut NoTrace) == Truth::True)
                })
                .map(|p| p.text.clone())
        };
        // A listing's own review policy, where the list gives one, is the finding's.
        let policy = trace
            .steps
            .iter()
            .find_map(|s| match &s.witness {
                Some(Witness::Designation {
                    license_policy: Some(p),
                    list,
                    ..
                }) if rule_outcome != Verdict::Warning => {
                    Some(format!("{p} (the {list} entry's review policy)"))
                }
                _ => None,
            })
            .or(policy);
        let mut message = match &rule.explain {
            Some(t) => render_template(ctx, t),
            None => rule.title.clone(),
        };
        if let Some(reason) = &unenforced_reason {
            message = format!(
                "{message} (codified text requires {}; not enforced: {reason})",
                text_outcome.map_or("", |v| v.word())
            );
        } else if let Some(c) = compliance {
            let note = c
                .note
                .as_deref()
                .map(|n| format!("; {n}"))
                .unwrap_or_default();
            message = format!(
                "{message} (the rule requires {} once compliance is required, from {}; until then a warning{note})",
                text_outcome.map_or("", |v| v.word()),
                c.date
            );
        }
        let remedies = if outcome == Verdict::Allowed {
            Vec::new()
        } else {
            self.remedies(ctx, rule, policy.as_deref())
        };
        let law = rule
            .law
            .and_then(|l| self.rules.laws.get(usize::from(l)))
            .map(|l| l.title.clone());
        let words = self.words();
        let mut explanation = Vec::with_capacity(trace.steps.len());
        let mut steps = Vec::with_capacity(trace.steps.len());
        let mut facts: Vec<Evidence> = Vec::new();
        let mut witness = Vec::new();
        let mut missing = Vec::new();
        let mut rule_spans = Vec::new();
        // Seen spans in a set: a path of 100,000 owners names 100,000 facts, and a scan of
        // the list for each would be quadratic.
        let mut seen = HashSet::new();
        let mut said: HashSet<String> = HashSet::new();
        for step in trace.steps {
            // A step said once: the same fact tested on two branches is one reason.
            let text = words.with_lines(&step);
            if !said.insert(text.clone()) {
                continue;
            }
            explanation.push(text);
            let mut used = Vec::with_capacity(step.facts.len());
            for f in &step.facts {
                let e = self.evidence(&words, *f);
                if seen.insert((e.file.clone(), e.span)) {
                    facts.push(e.clone());
                }
                used.push(e);
            }
            if let Some(w) = &step.witness {
                witness.push(match w {
                    // An authorization's witness carries the step in words.
                    Witness::Authorization { kind, .. } => Witness::Authorization {
                        kind: kind.clone(),
                        detail: words.test(&step.kind),
                    },
                    other => other.clone(),
                });
            }
            if step.missing {
                missing.push(words.step(&step));
            }
            if let Some(at) = step.rule_at {
                if !rule_spans.contains(&at) {
                    rule_spans.push(at);
                }
            }
            steps.push(FindingStep { step, facts: used });
        }
        Finding {
            rule: rule.id.clone(),
            title: rule.title.clone(),
            law,
            outcome,
            text_outcome,
            compliance: compliance.map(|c| c.date),
            policy,
            citation: rule.cites.clone(),
            message,
            explanation,
            steps,
            missing,
            remedies,
            help: rule.help.clone(),
            notes: rule.notes.clone(),
            effective: rule.windows.iter().map(|w| w.to_string()).collect(),
            facts,
            witness,
            rule_at: rule.at,
            rule_spans,
        }
    }

    /// The words for this file's findings.
    fn words(&self) -> Words<'_> {
        Words::new(self.facts, self.rules)
    }

    fn evidence(&self, words: &Words<'_>, fact: FactRef) -> Evidence {
        let (source, span) = self.facts.fact_loc(fact);
        let (line, column) = source.line_col(span.start);
        let elsewhere = !std::sync::Arc::ptr_eq(source, &self.facts.source);
        Evidence {
            fact: crate::words::fact_path(fact),
            at: fact,
            about: words.fact(fact),
            file: elsewhere.then(|| source.name().to_string()),
            line,
            column,
            span,
            source: elsewhere.then(|| std::sync::Arc::clone(source)),
        }
    }

    /// What would authorize the transaction: each authorization kind the rule's `unless`
    /// mentions, assumed on file in turn; those that make it true are the remedies.
    fn remedies(&self, ctx: &Ctx<'_>, rule: &Rule, policy: Option<&str>) -> Vec<Remedy> {
        let Some(unless) = &rule.unless else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for kind in &rule.remedy_kinds {
            let Some(assumed) = self.ctx(ctx.tx_index.index(), ctx.date, kind.bit(), ctx.budget)
            else {
                continue;
            };
            if assumed.cond(unless, &mut NoTrace) != Truth::True {
                continue;
            }
            let lead =
                find_lead(unless, *kind, self.rules).map(|days| (days, ctx.date.minus_days(days)));
            let exception = find_exception(unless, *kind, self.rules).map(|e| ExceptionRef {
                name: e.name.clone(),
                title: e
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("License Exception {}", e.name)),
                cites: e.cites.clone(),
                help: e.help.clone(),
            });
            let policy = (*kind == AuthKind::License)
                .then(|| policy.map(str::to_string))
                .flatten();
            out.push(Remedy {
                authorization: *kind,
                text: crate::words::remedy(*kind, exception.as_ref(), lead, policy.as_deref()),
                exception,
                lead,
                policy,
            });
        }
        out
    }
}

/// An item's classification on a date, explained (`chipgate classify`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ItemClassification {
    pub item: String,
    pub name: String,
    pub date: Date,
    /// The ECCNs the specifications meet on the date (empty: none of the classified ones).
    pub eccns: Vec<String>,
    /// Some classification could not be decided from the specifications given.
    pub undetermined: bool,
    pub declared: Option<String>,
    /// Whether the declared ECCN agrees with the specifications (`None`: none declared).
    pub declared_agrees: Option<bool>,
    pub tests: Vec<ClassTest>,
}

/// One classification block in force on the date, and the arithmetic of its test.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClassTest {
    pub eccn: String,
    /// `yes`, `no` or `unknown`.
    pub result: &'static str,
    pub citation: Vec<String>,
    pub effective: Vec<String>,
    pub reasons: Vec<String>,
}

/// Reports are checked and mapped this many at a time: enough to keep every core busy, few
/// enough that memory holds one batch of reports, never the whole file's.
const BATCH: usize = 1024;

/// Below this many transactions a file is checked on the calling thread: starting the pool
/// would cost more than it saves.
const PARALLEL_FROM: usize = 512;

/// Checks every transaction of a file, turns each report into a `T` with `map` (on all cores
/// when there are many), and hands the results to `sink` in file order, a batch at a time.
pub fn stream<T: Send>(
    checker: &Checker<'_>,
    as_of: Option<Date>,
    map: impl Fn(TransactionReport) -> T + Sync,
    mut sink: impl FnMut(T),
) {
    use rayon::prelude::*;
    let n = checker.facts.transactions.len();
    let one = |i: usize| checker.check(i, as_of).map(&map);
    if n < PARALLEL_FROM {
        (0..n).filter_map(one).for_each(sink);
        return;
    }
    let mut start = 0;
    while start < n {
        let end = (start + BATCH).min(n);
        let batch: Vec<T> = (start..end).into_par_iter().filter_map(one).collect();
        batch.into_iter().for_each(&mut sink);
        start = end;
    }
}

/// Whether a rule produces a finding, and with which outcome under its text (fast path, no
/// explanation); `enforced` turns that into the outcome as enforced on the date.
fn judge(ctx: &Ctx<'_>, rule: &Rule) -> Option<Verdict> {
    let when = ctx.decide(&rule.when);
    if when == Truth::False {
        return None;
    }
    let lifted = match &rule.unless {
        Some(u) => ctx.decide(u),
        None => Truth::False,
    };
    let outcome = verdict_of(rule.outcome);
    let verdict = match (when, lifted) {
        (_, Truth::True) => Verdict::Allowed,
        // An authorization or exception lifts a requirement only when established: one that
        // cannot be shown (a fact missing) leaves the requirement standing.
        (Truth::True, _) => outcome,
        // Missing facts never clear a transaction; for a red flag they are a red flag, but a
        // possible screening match is a question for a reviewer before anything else.
        _ if outcome == Verdict::Warning
            && ctx.relied.get() & eval::Relied::POSSIBLE_MATCH == 0 =>
        {
            Verdict::Warning
        }
        _ => Verdict::Indeterminate,
    };
    Some(verdict)
}

/// A finding's outcome as enforced on `date`: inside an `unenforced` window a license
/// requirement (or a prohibition) is reported as a warning. The verdict is made from these,
/// so it always agrees with the findings.
fn enforced(rule: &Rule, date: Date, outcome: Verdict) -> Verdict {
    if outcome >= Verdict::LicenseRequired
        && (rule.unenforced.iter().any(|u| u.window.contains(date)) || deferred(rule, date))
    {
        Verdict::Warning
    } else {
        outcome
    }
}

/// Whether `date` falls before the rule's compliance date: in force, but not yet required.
fn deferred(rule: &Rule, date: Date) -> bool {
    rule.compliance.as_ref().is_some_and(|c| date < c.date)
}

pub fn verdict_of(outcome: Outcome) -> Verdict {
    match outcome {
        Outcome::Warning => Verdict::Warning,
        Outcome::LicenseRequired => Verdict::LicenseRequired,
        Outcome::Prohibited => Verdict::Prohibited,
    }
}

/// The license exception of an `unless` that an authorization kind claims: the first whose
/// condition asks for that kind.
fn find_exception<'r>(cond: &Cond, kind: AuthKind, rules: &'r RuleSet) -> Option<&'r Exception> {
    match cond {
        Cond::And(cs) | Cond::Or(cs) => cs.iter().find_map(|c| find_exception(c, kind, rules)),
        Cond::Not(c) | Cond::Item(c, _) => find_exception(c, kind, rules),
        Cond::Otherwise(a, b) => {
            find_exception(a, kind, rules).or_else(|| find_exception(b, kind, rules))
        }
        Cond::Test(t, _) => match t.as_ref() {
            Test::Exception(i) => rules
                .exceptions
                .get(usize::from(*i))
                .filter(|e| asks_for(&e.when, kind)),
            _ => None,
        },
    }
}

/// Whether a condition asks for an authorization of a kind.
fn asks_for(cond: &Cond, kind: AuthKind) -> bool {
    match cond {
        Cond::And(cs) | Cond::Or(cs) => cs.iter().any(|c| asks_for(c, kind)),
        Cond::Not(c) | Cond::Item(c, _) => asks_for(c, kind),
        Cond::Otherwise(a, b) => asks_for(a, kind) || asks_for(b, kind),
        Cond::Test(t, _) => matches!(t.as_ref(), Test::Authorized { kind: k, .. } if *k == kind),
    }
}

/// The days of lead time an `unless` asks of an authorization kind, looking through
/// exceptions.
fn find_lead(cond: &Cond, kind: AuthKind, rules: &RuleSet) -> Option<i32> {
    match cond {
        Cond::And(cs) | Cond::Or(cs) => cs.iter().find_map(|c| find_lead(c, kind, rules)),
        Cond::Not(c) | Cond::Item(c, _) => find_lead(c, kind, rules),
        Cond::Otherwise(a, b) => find_lead(a, kind, rules).or_else(|| find_lead(b, kind, rules)),
        Cond::Test(t, _) => match t.as_ref() {
            Test::Authorized {
                kind: k,
                lead: Some((_, days)),
            } if *k == kind => Some(*days),
            Test::Exception(i) => rules
                .exceptions
                .get(usize::from(*i))
                .and_then(|e| find_lead(&e.when, kind, rules)),
            _ => None,
        },
    }
}

fn render_template(ctx: &Ctx<'_>, t: &Template) -> String {
    let party = |r: Role| -> Option<&crate::facts::Party> {
        let id = match r {
            Role::Sender => ctx.tx.sender,
            Role::Consignee => ctx.tx.consignee,
            Role::EndUser => ctx.tx.end_user,
            Role::Lessor => ctx.tx.lessor,
            Role::Lessee => ctx.tx.lessee,
            Role::Operator => ctx
                .tx
                .facility
                .and_then(|f| ctx.facts.facilities.get(f.index()))
                .map(|f| f.operator),
        }?;
        ctx.facts.party(id)
    };
    let mut out = String::new();
    for part in &t.parts {
        let piece = match part {
            TemplatePart::Text(s) => s.clone(),
            TemplatePart::Item => ctx.item.name.clone(),
            TemplatePart::ItemEccn => {
                let mut eccns: Vec<&str> = Vec::new();
                for (c, class) in ctx.rules.classes.iter().enumerate() {
                    let in_force = class.windows.iter().any(|w| w.contains(ctx.date));
                    let holds = ctx
                        .classes
                        .get(ctx.item_index.index())
                        .and_then(|v| v.get(c))
                        == Some(&Truth::True);
                    if in_force && holds && !eccns.contains(&class.eccn.as_str()) {
                        eccns.push(&class.eccn);
                    }
                }
                if eccns.is_empty() {
                    ctx.item
                        .eccn
                        .clone()
                        .unwrap_or_else(|| "unclassified".into())
                } else {
                    eccns.join(", ")
                }
            }
            TemplatePart::ItemNum(a) => {
                let v = ctx.item.figures.get(*a);
                v.map_or_else(
                    || "unknown".into(),
                    |x| format!("{}", (x * 100.0).round() / 100.0),
                )
            }
            TemplatePart::Party(r) => {
                party(*r).map_or_else(|| format!("no {}", r.label()), |p| p.name.clone())
            }
            TemplatePart::PartyCountry(r) => {
                party(*r).map_or_else(String::new, |p| p.country.to_string())
            }
            TemplatePart::PartyHeadquarters(r) => {
                party(*r).map_or_else(String::new, |p| p.headquarters.to_string())
            }
            TemplatePart::Destination => ctx.tx.destination.to_string(),
            TemplatePart::Date => ctx.date.to_string(),
            TemplatePart::Kind => ctx.tx.kind.word().to_string(),
            TemplatePart::Quantity => ctx
                .tx
                .quantity
                .map_or_else(|| "an unknown quantity of".into(), |q| q.to_string()),
            TemplatePart::EndUse => ctx
                .tx
                .end_use
                .map_or_else(|| "an unstated end use".into(), |u| u.word().to_string()),
        };
        out.push_str(&piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, RuleSet};

    /// A transaction whose only finding is an unenforced requirement gets that finding's
    /// outcome (a warning) as its verdict, not the codified license requirement.
    #[test]
    fn an_unenforced_requirement_is_a_warning_verdict() {
        let rules = RuleSet::from_sources(
            &[(
                "r.cg".into(),
                r#"
classify 3A090.a {
  title "big chips"
  cite "x"
  effective 2020-01-01
  when item.tpp >= 4800
}
rule test.stayed {
  title "a stayed rule"
  cite "x"
  effective 2020-01-01
  on export
  when item is 3A090.a and destination in CN
  outcome license_required
  unenforced from 2025-01-01 "stayed for a year"
}
"#
                .into(),
            )],
            &Limits::default(),
        )
        .unwrap();
        let file = TransactionFile::from_str(
            "t.yaml",
            "parties:\n  - { id: a, name: A, country: US }\n  - { id: b, name: B, country: CN }\nitems:\n  - { id: h, name: H, tpp: 5000 }\ntransactions:\n  - { id: T1, kind: export, date: 2025-02-01, item: h, from: a, to: b }\n  - { id: T2, kind: export, date: 2024-02-01, item: h, from: a, to: b }\n",
            &Limits::default(),
        )
        .unwrap();
        let reports = rules.check(&file, None);
        assert_eq!(reports[0].verdict, Verdict::Warning);
        assert_eq!(reports[0].findings[0].outcome, Verdict::Warning);
        assert_eq!(
            reports[0].findings[0].text_outcome,
            Some(Verdict::LicenseRequired)
        );
        assert_eq!(reports[1].verdict, Verdict::LicenseRequired);
    }

    /// The fast path (answers computed ahead, rules skipped by item, the small evaluator)
    /// and the explaining path (closures read directly) must agree on every condition.
    #[test]
    fn the_fast_path_agrees_with_the_explaining_path() {
        let rules = RuleSet::from_sources(
            &[(
                "t.cg".to_string(),
                r#"
group D5 "D:5" { cite "x" members CN, RU  member KH from 2021-12-09 until 2026-02-03 }
rule t.owner {
  title "t" cite "x" effective 2000-01-01 on export, transfer
  when (item.tpp >= 4800 or (item.tpp >= 1600 and item.performance_density >= 5.92))
   and (consignee is headquartered in D5
        or any owner of consignee holding at least 50% is headquartered in D5
        or any owner of consignee holding more than 25% is located in [D5, MO])
  unless authorized by license
  outcome prohibited
}
"#
                .to_string(),
            )],
            &Limits::default(),
        )
        .unwrap();
        let yaml = r#"
parties:
  - { id: a, name: A, country: SG, owners: [{ party: b, share: 50 }] }
  - { id: b, name: B, country: KY, owners: [{ party: c }] }
  - { id: c, name: C, country: KH }
  - { id: d, name: D, country: US, owners: [{ party: e, share: 60 }] }
  - { id: e, name: E, country: US, owners: [{ party: d, share: 60 }, { party: f, share: 30 }] }
  - { id: f, name: F, country: MO, headquarters: CN }
  - { id: g, name: G, country: US, owners: [{ party: g, share: 100 }] }
items:
  - { id: big, name: Big, tpp: 4800, performance_density: 1 }
  - { id: dense, name: Dense, tpp: 1600, performance_density: 5.92 }
  - { id: small, name: Small, tpp: 1599, performance_density: 9 }
  - { id: blank, name: Blank }
transactions:
  - { id: T1, kind: export, date: 2025-01-01, item: big, from: g, to: a }
"#;
        let file = TransactionFile::from_str("t.yaml", yaml, &Limits::default()).unwrap();
        let checker = rules.checker(&file);
        let mut seen = std::collections::BTreeSet::new();
        let template = file.transactions.first().unwrap().clone();
        for party in 0..file.parties.len() as u32 {
            for item in 0..file.items.len() as u32 {
                for date in ["2020-01-01", "2023-06-01", "2026-06-01"] {
                    let mut tx = template.clone();
                    tx.consignee = Some(crate::facts::PartyId(party));
                    tx.end_user = Some(crate::facts::PartyId(party));
                    tx.item = ItemId(item);
                    tx.date = Date::parse(date).unwrap();
                    let budget = Budget::new(u64::MAX);
                    let ctx = checker.ctx_for(&tx, TxId(0), tx.date, 0, &budget).unwrap();
                    let rule = rules.rules.first().unwrap();
                    let fast = ctx.cond(&rule.when, &mut NoTrace);
                    let slow = ctx.cond(&rule.when, &mut Trace::default());
                    assert_eq!(fast, slow, "party {party} item {item} on {date}");
                    seen.insert(fast);
                    let verdict = checker.verdict_for(&tx, None).unwrap();
                    let expected = match slow {
                        Truth::False => Verdict::Allowed,
                        Truth::True => Verdict::Prohibited,
                        Truth::Unknown => Verdict::Indeterminate,
                    };
                    assert_eq!(verdict, expected, "party {party} item {item} on {date}");
                }
            }
        }
        assert_eq!(seen.len(), 3, "true, false and unknown all met");
    }
}
