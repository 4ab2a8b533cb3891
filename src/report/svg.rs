//! The ownership and route picture of one transaction as inline SVG, laid out here (no
//! external program): the transaction's parties in a row (sender, consignee, end user, or
//! lessor, lessee and the facility), each party's owners in rows above it with their shares,
//! the route's hops in a row below, and what made a finding fire drawn in red. The graph is
//! `chipgate explain`'s ([`crate::explain::Graph`]); every text is escaped.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::explain::{Edge, Graph, Node};

/// Parties and facilities drawn at most; the rest are counted under the picture.
pub const MAX_NODES: usize = 48;
/// Characters of a label line before it is cut.
const MAX_LABEL: usize = 40;
const FIRED: &str = "#c62828";
const INK: &str = "#37474f";
const LINE_H: f64 = 15.0;
const CHAR_W: f64 = 7.2;
const ROW_GAP: f64 = 64.0;
const COL_GAP: f64 = 56.0;
const MARGIN: f64 = 16.0;

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn cut(text: &str) -> String {
    super::table::cut(text, MAX_LABEL)
}

struct Placed<'a> {
    node: &'a Node,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn size(n: &Node) -> (f64, f64) {
    let chars = n
        .label
        .iter()
        .map(|l| cut(l).chars().count())
        .max()
        .unwrap_or(0);
    let w = (chars as f64 * CHAR_W + 20.0).clamp(110.0, 320.0);
    let h = n.label.len().max(1) as f64 * LINE_H + 12.0;
    (w, h)
}

/// The picture, as an `<svg>` element (with a caption of the flows below it).
pub fn picture(g: &Graph) -> String {
    let boxes: Vec<&Node> = g
        .nodes
        .iter()
        .filter(|n| n.kind != "route")
        .take(MAX_NODES)
        .collect();
    let left_out = g.nodes.iter().filter(|n| n.kind != "route").count() - boxes.len();
    let hops: Vec<&Node> = g.nodes.iter().filter(|n| n.kind == "route").collect();

    // Levels: the transaction's own parties at 0, each owner one above what it owns.
    let owns: Vec<&Edge> = g.edges.iter().filter(|e| e.kind == "owns").collect();
    let mut level: HashMap<&str, usize> = HashMap::new();
    let owners: Vec<&str> = owns.iter().map(|e| e.from.as_str()).collect();
    for n in &boxes {
        // A party is at level 0 when the transaction names it (it owns nothing drawn, or it
        // takes part in a flow); owners are found from there.
        let in_flow = g
            .edges
            .iter()
            .any(|e| e.kind != "owns" && (e.from == n.id || e.to == n.id));
        if in_flow || !owners.contains(&n.id.as_str()) {
            level.insert(n.id.as_str(), 0);
        }
    }
    let mut frontier: Vec<&str> = level.keys().copied().collect();
    frontier.sort_unstable();
    while !frontier.is_empty() {
        let mut next = Vec::new();
        for id in frontier {
            let l = level.get(id).copied().unwrap_or(0);
            for e in owns.iter().filter(|e| e.to == id) {
                if !level.contains_key(e.from.as_str()) && boxes.iter().any(|n| n.id == e.from) {
                    level.insert(e.from.as_str(), l + 1);
                    next.push(e.from.as_str());
                }
            }
        }
        frontier = next;
    }
    let top = level.values().copied().max().unwrap_or(0);

    // Rows, left to right: level 0 in the graph's order; above, by where what they own sits.
    let mut rows: Vec<Vec<&Node>> = vec![Vec::new(); top + 1];
    for n in &boxes {
        let l = level.get(n.id.as_str()).copied().unwrap_or(0);
        if let Some(row) = rows.get_mut(l) {
            row.push(n);
        }
    }
    let mut x_of: HashMap<&str, f64> = HashMap::new();
    let mut placed: Vec<Placed<'_>> = Vec::new();
    let mut y = MARGIN;
    let mut row_tops = vec![0.0; top + 1];
    let heights: Vec<f64> = rows
        .iter()
        .map(|r| r.iter().map(|n| size(n).1).fold(0.0, f64::max))
        .collect();
    for l in (0..=top).rev() {
        if let Some(t) = row_tops.get_mut(l) {
            *t = y;
        }
        y += heights.get(l).copied().unwrap_or(0.0) + ROW_GAP;
    }
    // The transaction's row follows its flows (sender → consignee → end user; lessor →
    // facility → lessee), so each flow joins neighbours.
    if let Some(row) = rows.get_mut(0) {
        let flows: Vec<(&str, &str)> = g
            .edges
            .iter()
            .filter(|e| e.kind != "owns" && e.kind != "route")
            .map(|e| (e.from.as_str(), e.to.as_str()))
            .collect();
        let mut ordered: Vec<&Node> = Vec::with_capacity(row.len());
        let starts: Vec<&Node> = row
            .iter()
            .copied()
            .filter(|n| !flows.iter().any(|(_, to)| *to == n.id))
            .collect();
        for start in starts.into_iter().chain(row.iter().copied()) {
            let mut at = Some(start);
            while let Some(n) = at {
                if ordered.iter().any(|o| o.id == n.id) {
                    break;
                }
                ordered.push(n);
                at = flows
                    .iter()
                    .filter(|(from, _)| *from == n.id)
                    .find_map(|(_, to)| {
                        row.iter()
                            .copied()
                            .find(|m| m.id == *to && !ordered.iter().any(|o| o.id == m.id))
                    });
            }
        }
        *row = ordered;
    }
    for (l, row) in rows.iter_mut().enumerate() {
        if l > 0 {
            let centre = |n: &Node| -> f64 {
                let xs: Vec<f64> = owns
                    .iter()
                    .filter(|e| e.from == n.id)
                    .filter_map(|e| x_of.get(e.to.as_str()).copied())
                    .collect();
                if xs.is_empty() {
                    f64::MAX
                } else {
                    xs.iter().sum::<f64>() / xs.len() as f64
                }
            };
            row.sort_by(|a, b| centre(a).total_cmp(&centre(b)));
        }
        let mut x = MARGIN;
        let top_y = row_tops.get(l).copied().unwrap_or(MARGIN);
        for n in row.iter() {
            let (w, h) = size(n);
            // An owner sits over what it owns, as far as its neighbours leave room.
            if l > 0 {
                let xs: Vec<f64> = owns
                    .iter()
                    .filter(|e| e.from == n.id)
                    .filter_map(|e| x_of.get(e.to.as_str()).copied())
                    .collect();
                if !xs.is_empty() {
                    let centre = xs.iter().sum::<f64>() / xs.len() as f64;
                    x = x.max(centre - w / 2.0);
                }
            }
            x_of.insert(n.id.as_str(), x + w / 2.0);
            placed.push(Placed {
                node: n,
                x,
                y: top_y,
                w,
                h,
            });
            x += w + COL_GAP;
        }
    }
    let mut width = placed
        .iter()
        .map(|p| p.x + p.w)
        .fold(0.0, f64::max)
        .max(240.0)
        + MARGIN;
    let mut height = y - ROW_GAP + MARGIN;
    let route_y = height + 8.0;
    if !hops.is_empty() {
        let route_w = MARGIN + hops.len() as f64 * (96.0 + 36.0);
        width = width.max(route_w + MARGIN);
        height = route_y + 44.0;
    }

    let at = |id: &str| placed.iter().find(|p| p.node.id == id);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"picture\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"{}\">",
        esc(&g.title)
    );
    let _ = write!(
        svg,
        "<title>{}</title><defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{INK}\"/></marker><marker id=\"arrow-fired\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{FIRED}\"/></marker></defs>",
        esc(&g.title)
    );
    let mut flows: Vec<String> = Vec::new();
    for e in &g.edges {
        let (Some(a), Some(b)) = (at(&e.from), at(&e.to)) else {
            continue;
        };
        let (colour, marker, stroke) = if e.fired {
            (FIRED, "arrow-fired", 2.5)
        } else {
            (INK, "arrow", 1.4)
        };
        let dash = match e.kind {
            "end-user" | "operates" => " stroke-dasharray=\"5 4\"",
            _ => "",
        };
        let (x1, y1, x2, y2, lx, ly) = if e.kind == "owns" {
            // Owner above, owned below: bottom centre to top centre.
            let (x1, y1) = (a.x + a.w / 2.0, a.y + a.h);
            let (x2, y2) = (b.x + b.w / 2.0, b.y);
            (x1, y1, x2, y2, (x1 + x2) / 2.0 + 4.0, (y1 + y2) / 2.0)
        } else if (a.y - b.y).abs() < 1.0 {
            // A flow along the row: side to side.
            let (x1, x2) = if a.x < b.x {
                (a.x + a.w, b.x)
            } else {
                (a.x, b.x + b.w)
            };
            let yy = a.y + a.h.min(b.h) / 2.0;
            (x1, yy, x2, yy, (x1 + x2) / 2.0, yy - 6.0)
        } else {
            let (x1, y1) = (a.x + a.w / 2.0, a.y + a.h);
            let (x2, y2) = (b.x + b.w / 2.0, b.y);
            (x1, y1, x2, y2, (x1 + x2) / 2.0 + 4.0, (y1 + y2) / 2.0)
        };
        let width_attr = if matches!(e.kind, "shipment" | "lease") {
            stroke + 1.2
        } else {
            stroke
        };
        let _ = write!(
            svg,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{colour}\" stroke-width=\"{width_attr:.1}\"{dash} marker-end=\"url(#{marker})\"/>"
        );
        let tag = match e.kind {
            "owns" => e.label.clone(),
            "shipment" | "lease" => {
                flows.push(e.label.clone());
                format!("({})", flows.len())
            }
            "end-user" => "end user".to_string(),
            other => other.to_string(),
        };
        let anchor = if e.kind == "owns" { "start" } else { "middle" };
        let _ = write!(
            svg,
            "<text x=\"{lx:.1}\" y=\"{ly:.1}\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"{colour}\">{}</text>",
            esc(&tag)
        );
    }
    for p in &placed {
        let (colour, stroke) = if p.node.fired {
            (FIRED, 2.5)
        } else {
            (INK, 1.2)
        };
        let fill = if p.node.kind == "facility" {
            "#eef3f8"
        } else {
            "#ffffff"
        };
        let _ = write!(
            svg,
            "<g class=\"node {}\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"6\" fill=\"{fill}\" stroke=\"{colour}\" stroke-width=\"{stroke}\"/>",
            if p.node.fired { "fired" } else { "" },
            p.x,
            p.y,
            p.w,
            p.h
        );
        for (i, line) in p.node.label.iter().enumerate() {
            let weight = if i == 0 { " font-weight=\"600\"" } else { "" };
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{colour}\"{weight}>{}</text>",
                p.x + p.w / 2.0,
                p.y + 18.0 + i as f64 * LINE_H,
                esc(&cut(line))
            );
        }
        svg.push_str("</g>");
    }
    if !hops.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{MARGIN:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"{INK}\">route</text>",
            route_y - 2.0
        );
        let mut x = MARGIN;
        for (i, h) in hops.iter().enumerate() {
            let colour = if h.fired { FIRED } else { INK };
            let stroke = if h.fired { 2.5 } else { 1.2 };
            if i > 0 {
                let _ = write!(
                    svg,
                    "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{colour}\" stroke-width=\"{stroke}\" marker-end=\"url(#{})\"/>",
                    x - 36.0,
                    route_y + 18.0,
                    x,
                    route_y + 18.0,
                    if h.fired { "arrow-fired" } else { "arrow" }
                );
            }
            let _ = write!(
                svg,
                "<g class=\"hop {}\"><rect x=\"{x:.1}\" y=\"{:.1}\" width=\"96\" height=\"28\" rx=\"14\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"{stroke}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"{colour}\">{}</text></g>",
                if h.fired { "fired" } else { "" },
                route_y + 4.0,
                x + 48.0,
                route_y + 22.0,
                esc(&cut(&h.label.join(" ")))
            );
            x += 96.0 + 36.0;
        }
    }
    svg.push_str("</svg>");
    let mut notes: Vec<String> = flows
        .iter()
        .enumerate()
        .map(|(i, f)| format!("({}) {}", i + 1, esc(f)))
        .collect();
    if left_out > 0 {
        notes.push(format!(
            "{left_out} more parties are not drawn (<code>chipgate explain --format dot</code> draws every one)"
        ));
    }
    if !notes.is_empty() {
        let _ = write!(svg, "<p class=\"caption\">{}</p>", notes.join("<br>"));
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::{Edge, Node};

    fn node(id: &str, label: &[&str], kind: &'static str) -> Node {
        Node {
            id: id.into(),
            kind,
            label: label.iter().map(|s| s.to_string()).collect(),
            fired: false,
        }
    }

    #[test]
    fn owners_sit_above_what_they_own_and_text_is_escaped() {
        let g = Graph {
            title: "T1 <x>".into(),
            nodes: vec![
                node("p0", &["Seller", "s · US"], "party"),
                node("p1", &["<script>alert(1)</script>", "b · SG"], "party"),
                node("p2", &["Parent & Co", "p · CN"], "party"),
                node("r0", &["hop 1: US"], "route"),
                node("r1", &["hop 2: SG"], "route"),
            ],
            edges: vec![
                Edge {
                    from: "p0".into(),
                    to: "p1".into(),
                    kind: "shipment",
                    label: "T1: export".into(),
                    fired: false,
                },
                Edge {
                    from: "p2".into(),
                    to: "p1".into(),
                    kind: "owns",
                    label: "60%".into(),
                    fired: true,
                },
                Edge {
                    from: "r0".into(),
                    to: "r1".into(),
                    kind: "route",
                    label: String::new(),
                    fired: false,
                },
            ],
        };
        let svg = picture(&g);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("Parent &amp; Co"));
        // The owner's box is above the owned party's.
        let y_of = |name: &str| -> f64 {
            let at = svg.find(name).unwrap();
            let rect = svg[..at].rfind("<rect").unwrap();
            let y = svg[rect..].split("y=\"").nth(1).unwrap();
            y.split('"').next().unwrap().parse().unwrap()
        };
        assert!(y_of("Parent &amp; Co") < y_of("&lt;script&gt;"));
        assert!(svg.contains(FIRED), "the fired edge is red");
        assert!(svg.contains("hop 2: SG"));
        assert!(svg.contains("(1) T1: export"));
    }
}
