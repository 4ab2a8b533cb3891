//! One transaction's reasoning in full (`chipgate explain`): what it is, who the parties are
//! and who owns them, every finding with its explanation, and why each other rule did not
//! apply. The same content as a picture: a graph of the parties, the ownership edges with
//! their shares, the shipment or lease and the route, with what made a finding fire drawn in
//! red (Graphviz DOT or Mermaid).

use std::fmt::Write as _;

use serde::Serialize;

use crate::date::Date;
use crate::diag::{suggestion_help, Code, Diagnostic, Error};
use crate::facts::spans::Seg;
use crate::facts::{FactRef, PartyId, Transaction, TransactionFile};
use crate::finding::{Dismissal, TransactionReport, Verdict, Witness};
use crate::ir::RuleSet;
use crate::report::human;
use crate::vocab::Kind;

/// Owner chains are drawn this many parties deep at most.
const MAX_PARTIES: usize = 200;

#[derive(Serialize)]
pub struct Explanation {
    #[serde(flatten)]
    pub report: TransactionReport,
    /// The transaction in one sentence.
    pub summary: String,
    /// Rules that produced no finding, and why.
    pub not_applicable: Vec<Dismissal>,
    pub graph: Graph,
}

/// Parties, places and the links between them, with what the findings used marked.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Graph {
    pub title: String,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// A graph identifier (`p0`, `f0`, `r0`…), safe in DOT and Mermaid.
    pub id: String,
    pub kind: &'static str,
    pub label: Vec<String>,
    /// A finding used this node (its country, headquarters, listing, or a route hop).
    pub fired: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: &'static str,
    pub label: String,
    /// A finding's ownership path, aggregate or route went through this edge.
    pub fired: bool,
}

/// Explains transaction `id` of a file (on `as_of`, or its own date). An unknown id is a
/// located diagnostic with the closest id as a suggestion.
pub fn explain(
    rules: &RuleSet,
    facts: &TransactionFile,
    id: &str,
    as_of: Option<Date>,
) -> Result<Explanation, Error> {
    let Some(index) = facts.transactions.iter().position(|t| t.id == id) else {
        let ids: Vec<&str> = facts.transactions.iter().map(|t| t.id.as_str()).collect();
        let span = facts.spans().locate(&[Seg::Key("transactions")]);
        return Err(Error::one(
            Diagnostic::error(
                Code::ExplainUnknownTransaction,
                format!("`{}` has no transaction `{id}`", facts.source.name()),
            )
            .in_file(&facts.source)
            .label(span, "the transactions are here")
            .maybe_help(
                suggestion_help(id, ids.iter().copied())
                    .or_else(|| Some(format!("its transactions are: {}", ids.join(", ")))),
            ),
        ));
    };
    let checker = rules.checker(facts);
    let (Some(report), Some(tx)) = (checker.check(index, as_of), facts.transactions.get(index))
    else {
        return Err(Error::one(Diagnostic::error(
            Code::ExplainUnknownTransaction,
            format!("transaction `{id}` could not be judged"),
        )));
    };
    let not_applicable = checker.dismissals(index, as_of);
    let graph = graph(facts, tx, &report);
    Ok(Explanation {
        summary: summary(facts, tx),
        report,
        not_applicable,
        graph,
    })
}

fn party_ref(facts: &TransactionFile, p: Option<PartyId>) -> String {
    p.and_then(|p| facts.party(p))
        .map_or_else(|| "?".into(), |p| format!("`{}` ({})", p.id, p.country))
}

/// "export of 512 × NVIDIA H100 SXM5 from `us-dist` (US) to `sg-ai` (SG) …".
pub(crate) fn summary(facts: &TransactionFile, tx: &Transaction) -> String {
    let item = facts.item(tx.item).map_or("?", |i| i.name.as_str());
    let qty = tx.quantity.map(|q| format!("{q} × ")).unwrap_or_default();
    let mut s = match tx.kind {
        Kind::Lease => {
            let facility = tx
                .facility
                .and_then(|f| facts.facilities.get(f.index()))
                .map_or_else(
                    || "an unnamed facility".into(),
                    |f| format!("`{}` ({})", f.id, f.country),
                );
            format!(
                "lease of {qty}{item} in {facility} by {} to {}",
                party_ref(facts, tx.lessor),
                party_ref(facts, tx.lessee)
            )
        }
        k => format!(
            "{} of {qty}{item} from {} to {}",
            k.word(),
            party_ref(facts, tx.sender),
            party_ref(facts, tx.consignee)
        ),
    };
    if tx.end_user != tx.consignee && tx.kind != Kind::Lease {
        let _ = write!(s, "; end user {}", party_ref(facts, tx.end_user));
    }
    let _ = write!(s, "; destination {}", tx.destination);
    if !tx.route.is_empty() {
        let hops: Vec<String> = tx.route.iter().map(|c| c.to_string()).collect();
        let _ = write!(s, "; route {}", hops.join(" → "));
    }
    if let Some(u) = tx.end_use {
        let _ = write!(s, "; end use {}", u.word());
    }
    if !tx.authorizations.is_empty() {
        let auths: Vec<&str> = tx.authorizations.iter().map(|a| a.kind.word()).collect();
        let _ = write!(s, "; on file: {}", auths.join(", "));
    }
    s
}

/// The party a finding's evidence is about (its fields, owners and designations).
fn evidence_party(fact: FactRef) -> Option<usize> {
    match fact {
        FactRef::Party(p, _)
        | FactRef::Owner { party: p, .. }
        | FactRef::Designation { party: p, .. } => Some(p.index()),
        _ => None,
    }
}

/// The route hop a finding's evidence points at.
fn evidence_hop(fact: FactRef) -> Option<usize> {
    match fact {
        FactRef::RouteHop { hop, .. } => Some(hop as usize),
        _ => None,
    }
}

pub(crate) fn graph(
    facts: &TransactionFile,
    tx: &Transaction,
    report: &TransactionReport,
) -> Graph {
    // The parties the transaction names, then their owners, level by level.
    let mut parties: Vec<PartyId> = Vec::new();
    let operator = tx
        .facility
        .and_then(|f| facts.facilities.get(f.index()))
        .map(|f| f.operator);
    for p in [
        tx.sender,
        tx.consignee,
        tx.end_user,
        tx.lessor,
        tx.lessee,
        operator,
    ]
    .into_iter()
    .flatten()
    {
        if !parties.contains(&p) {
            parties.push(p);
        }
    }
    let mut next = 0;
    while next < parties.len() && parties.len() < MAX_PARTIES {
        let owners: Vec<PartyId> = parties
            .get(next)
            .and_then(|p| facts.party(*p))
            .map(|p| p.owners.iter().map(|o| o.owner).collect())
            .unwrap_or_default();
        for o in owners {
            if !parties.contains(&o) && parties.len() < MAX_PARTIES {
                parties.push(o);
            }
        }
        next += 1;
    }

    // What the findings used.
    let mut fired_parties: Vec<usize> = Vec::new();
    let mut fired_owner_edges: Vec<(String, String)> = Vec::new();
    let mut fired_hops: Vec<usize> = Vec::new();
    for f in &report.findings {
        if f.outcome == Verdict::Allowed {
            continue;
        }
        for e in &f.facts {
            if let Some(p) = evidence_party(e.at) {
                fired_parties.push(p);
            }
            if let Some(h) = evidence_hop(e.at) {
                fired_hops.push(h);
            }
        }
        for w in &f.witness {
            match w {
                Witness::OwnershipPath { edges } => {
                    fired_owner_edges
                        .extend(edges.iter().map(|e| (e.owner.clone(), e.owned.clone())));
                }
                Witness::Aggregate { owners, .. } => {
                    fired_owner_edges
                        .extend(owners.iter().map(|e| (e.owner.clone(), e.owned.clone())));
                }
                Witness::RouteHop { index, .. } => fired_hops.push(*index),
                _ => {}
            }
        }
    }
    let fired_edge_parties: Vec<&str> = fired_owner_edges
        .iter()
        .flat_map(|(a, b)| [a.as_str(), b.as_str()])
        .collect();

    let mut g = Graph {
        title: title(report),
        ..Graph::default()
    };
    let node_of = |p: PartyId| format!("p{p}");
    for &p in &parties {
        let Some(party) = facts.party(p) else {
            continue;
        };
        let mut label = vec![
            party.name.clone(),
            format!("{} · {}", party.id, party.country),
        ];
        if party.headquarters != party.country {
            label.push(format!("headquartered in {}", party.headquarters));
        }
        for d in &party.lists {
            label.push(match d.since {
                Some(since) => format!("{} since {since}", d.list.title()),
                None => d.list.title().to_string(),
            });
        }
        let mut roles = Vec::new();
        for (role, who) in [
            ("sender", tx.sender),
            ("consignee", tx.consignee),
            ("end user", tx.end_user),
            ("lessor", tx.lessor),
            ("lessee", tx.lessee),
        ] {
            if who == Some(p) && !(role == "consignee" && tx.kind == Kind::Lease) {
                roles.push(role);
            }
        }
        if !roles.is_empty() {
            label.push(roles.join(", "));
        }
        g.nodes.push(Node {
            id: node_of(p),
            kind: "party",
            label,
            fired: fired_parties.contains(&p.index())
                || fired_edge_parties.contains(&party.id.as_str()),
        });
    }
    // Ownership: owner → owned, labelled with the share.
    for &p in &parties {
        let Some(party) = facts.party(p) else {
            continue;
        };
        for o in &party.owners {
            if !parties.contains(&o.owner) {
                continue;
            }
            let owner_id = facts.party(o.owner).map_or("", |x| x.id.as_str());
            g.edges.push(Edge {
                from: node_of(o.owner),
                to: node_of(p),
                kind: "owns",
                label: o
                    .share
                    .map_or_else(|| "share unknown".into(), |s| format!("{}%", s.percent())),
                fired: fired_owner_edges
                    .iter()
                    .any(|(a, b)| a == owner_id && *b == party.id),
            });
        }
    }
    let item = facts.item(tx.item).map_or("?", |i| i.name.as_str());
    let qty = tx.quantity.map(|q| format!("{q} × ")).unwrap_or_default();
    match tx.kind {
        Kind::Lease => {
            if let Some((f, fac)) = tx
                .facility
                .and_then(|f| facts.facilities.get(f.index()).map(|x| (f, x)))
            {
                g.nodes.push(Node {
                    id: format!("f{f}"),
                    kind: "facility",
                    label: vec![fac.name.clone(), format!("{} · {}", fac.id, fac.country)],
                    fired: report.findings.iter().any(|x| {
                        x.outcome != Verdict::Allowed
                            && x.facts
                                .iter()
                                .any(|e| matches!(e.at, FactRef::Facility(..)))
                    }),
                });
                g.edges.push(Edge {
                    from: node_of(fac.operator),
                    to: format!("f{f}"),
                    kind: "operates",
                    label: "operates".into(),
                    fired: false,
                });
                if let Some(lessee) = tx.lessee {
                    g.edges.push(Edge {
                        from: format!("f{f}"),
                        to: node_of(lessee),
                        kind: "lease",
                        label: format!("{} {}: lease of {qty}{item}", tx.id, tx.date),
                        fired: false,
                    });
                }
            }
        }
        k => {
            if let (Some(from), Some(to)) = (tx.sender, tx.consignee) {
                g.edges.push(Edge {
                    from: node_of(from),
                    to: node_of(to),
                    kind: "shipment",
                    label: format!("{} {}: {} of {qty}{item}", tx.id, tx.date, k.word()),
                    fired: false,
                });
            }
            if let (Some(to), Some(end)) = (tx.consignee, tx.end_user) {
                if to != end {
                    g.edges.push(Edge {
                        from: node_of(to),
                        to: node_of(end),
                        kind: "end-user",
                        label: "for end user".into(),
                        fired: false,
                    });
                }
            }
        }
    }
    // The route, hop by hop, ending at the destination.
    let mut previous: Option<String> = None;
    for (i, c) in tx.route.iter().enumerate() {
        let id = format!("r{i}");
        g.nodes.push(Node {
            id: id.clone(),
            kind: "route",
            label: vec![format!("hop {}: {c}", i + 1)],
            fired: fired_hops.contains(&i),
        });
        if let Some(prev) = previous {
            g.edges.push(Edge {
                from: prev,
                to: id.clone(),
                kind: "route",
                label: String::new(),
                fired: fired_hops.contains(&i),
            });
        }
        previous = Some(id);
    }
    g
}

fn title(report: &TransactionReport) -> String {
    let mut t = format!("{} on {}: {}", report.id, report.date, report.verdict);
    let rules: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("{} ({})", f.rule, f.outcome))
        .collect();
    if !rules.is_empty() {
        let _ = write!(t, " — {}", rules.join(", "));
    }
    t
}

/// The full reasoning, for people.
pub fn human(e: &Explanation, rules: &RuleSet, style: human::Style) -> String {
    let mut out = human::transaction(&e.report, rules, style);
    let _ = writeln!(out, "what: {}", e.summary);
    let parties: Vec<&Node> = e.graph.nodes.iter().filter(|n| n.kind == "party").collect();
    if !parties.is_empty() {
        out.push_str("parties:\n");
        for n in parties {
            // label: name, "id · country", then headquarters, listings and roles.
            let name = n.label.first().map_or("", String::as_str);
            let id = n.label.get(1).map_or("", String::as_str);
            let rest = n.label.get(2..).unwrap_or(&[]).join("; ");
            let rest = if rest.is_empty() {
                String::new()
            } else {
                format!(" ({rest})")
            };
            let _ = writeln!(out, "  {id}  {name}{rest}");
        }
    }
    let owners: Vec<&Edge> = e.graph.edges.iter().filter(|x| x.kind == "owns").collect();
    if !owners.is_empty() {
        out.push_str("ownership:\n");
        let name = |id: &str| {
            e.graph
                .nodes
                .iter()
                .find(|n| n.id == id)
                .and_then(|n| n.label.get(1))
                .map_or(id.to_string(), |l| {
                    l.split(" · ").next().unwrap_or(l).to_string()
                })
        };
        for x in owners {
            let mark = if x.fired { "  (used by a finding)" } else { "" };
            let _ = writeln!(
                out,
                "  {} holds {} of {}{mark}",
                name(&x.from),
                x.label,
                name(&x.to)
            );
        }
    }
    if e.not_applicable.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "rules that did not apply ({}):",
        e.not_applicable.len()
    );
    for d in &e.not_applicable {
        let _ = writeln!(out, "  {}: {}", d.rule, d.title);
        for (i, r) in d.reason.iter().enumerate() {
            let _ = writeln!(out, "    {}. {r}", i + 1);
        }
    }
    out
}

pub fn json(e: &Explanation, rules: &RuleSet) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        version: &'static str,
        ruleset: crate::report::RulesetInfo,
        #[serde(flatten)]
        explanation: &'a Explanation,
    }
    let out = Out {
        version: crate::VERSION,
        ruleset: crate::report::RulesetInfo {
            digest: rules.digest().to_string(),
            rules: rules.rule_count(),
        },
        explanation: e,
    };
    serde_json::to_string_pretty(&out).unwrap_or_else(|err| format!("{{\"error\": \"{err}\"}}"))
}

const FIRED: &str = "#c62828";

/// Graphviz DOT: `chipgate explain … --format dot | dot -Tsvg > t1.svg`.
pub fn dot(e: &Explanation) -> String {
    let q = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::from("digraph chipgate {\n");
    let _ = writeln!(out, "  label=\"{}\";", q(&e.graph.title));
    out.push_str("  labelloc=t;\n  fontname=\"Helvetica\";\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\"];\n");
    let route: Vec<&Node> = e.graph.nodes.iter().filter(|n| n.kind == "route").collect();
    for n in e.graph.nodes.iter().filter(|n| n.kind != "route") {
        let shape = if n.kind == "facility" {
            ", shape=component"
        } else {
            ""
        };
        let fired = if n.fired {
            format!(", color=\"{FIRED}\", fontcolor=\"{FIRED}\", penwidth=2.5")
        } else {
            String::new()
        };
        let label: Vec<String> = n.label.iter().map(|l| q(l)).collect();
        let _ = writeln!(
            out,
            "  {} [label=\"{}\"{shape}{fired}];",
            n.id,
            label.join("\\n")
        );
    }
    if !route.is_empty() {
        out.push_str("  subgraph cluster_route {\n    label=\"route\";\n    style=dashed;\n");
        for n in &route {
            let fired = if n.fired {
                format!(", color=\"{FIRED}\", fontcolor=\"{FIRED}\", penwidth=2.5")
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "    {} [label=\"{}\", shape=ellipse{fired}];",
                n.id,
                q(&n.label.join(" "))
            );
        }
        out.push_str("  }\n");
    }
    for x in &e.graph.edges {
        let style = match x.kind {
            "shipment" | "lease" => ", style=bold",
            "end-user" | "operates" => ", style=dashed",
            _ => "",
        };
        let fired = if x.fired {
            format!(", color=\"{FIRED}\", fontcolor=\"{FIRED}\", penwidth=2.5")
        } else {
            String::new()
        };
        let label = if x.label.is_empty() {
            String::new()
        } else {
            format!("label=\"{}\"", q(&x.label))
        };
        let attrs = format!("{label}{style}{fired}");
        let _ = writeln!(
            out,
            "  {} -> {} [{}];",
            x.from,
            x.to,
            attrs.trim_start_matches(", ")
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid flowchart, for Markdown that renders it (GitHub, GitLab, many wikis).
pub fn mermaid(e: &Explanation) -> String {
    // Mermaid labels are quoted; quotes and angle brackets become entity codes.
    let q = |s: &str| {
        s.replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;")
    };
    let mut out = String::from("---\n");
    let _ = writeln!(out, "title: \"{}\"", q(&e.graph.title));
    out.push_str("---\nflowchart LR\n");
    let _ = writeln!(
        out,
        "  classDef fired stroke:{FIRED},stroke-width:3px,color:{FIRED}"
    );
    let route: Vec<&Node> = e.graph.nodes.iter().filter(|n| n.kind == "route").collect();
    for n in e.graph.nodes.iter().filter(|n| n.kind != "route") {
        let label: Vec<String> = n.label.iter().map(|l| q(l)).collect();
        let text = label.join("<br/>");
        let shape = if n.kind == "facility" {
            format!("[(\"{text}\")]")
        } else {
            format!("[\"{text}\"]")
        };
        let _ = writeln!(out, "  {}{shape}", n.id);
    }
    if !route.is_empty() {
        out.push_str("  subgraph route\n");
        for n in &route {
            let _ = writeln!(out, "    {}([\"{}\"])", n.id, q(&n.label.join(" ")));
        }
        out.push_str("  end\n");
    }
    let mut fired_links = Vec::new();
    for (i, x) in e.graph.edges.iter().enumerate() {
        let arrow = match x.kind {
            "shipment" | "lease" => "==>",
            "end-user" | "operates" => "-.->",
            _ => "-->",
        };
        if x.label.is_empty() {
            let _ = writeln!(out, "  {} {arrow} {}", x.from, x.to);
        } else {
            let _ = writeln!(out, "  {} {arrow}|\"{}\"| {}", x.from, q(&x.label), x.to);
        }
        if x.fired {
            fired_links.push(i.to_string());
        }
    }
    let fired_nodes: Vec<&str> = e
        .graph
        .nodes
        .iter()
        .filter(|n| n.fired)
        .map(|n| n.id.as_str())
        .collect();
    if !fired_nodes.is_empty() {
        let _ = writeln!(out, "  class {} fired", fired_nodes.join(","));
    }
    if !fired_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{FIRED},stroke-width:3px",
            fired_links.join(",")
        );
    }
    out
}
