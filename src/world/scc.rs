//! Strongly connected components without recursion.
//!
//! petgraph's `TarjanScc` recurses once per node along a path, so a legal file whose parties
//! form one long chain of owners (300,000 of them, well under the party limit) overflowed the
//! stack and aborted the process. This is the same algorithm (Tarjan's, components handed over
//! as found, so every edge points to an earlier component) with the call stack kept in a
//! vector: memory grows with the graph, never the thread's stack. It runs over petgraph's
//! traversal traits, so the world graph stays a petgraph graph.

use petgraph::visit::{IntoNeighbors, IntoNodeIdentifiers, NodeIndexable};

/// Per node: its discovery number (0: not yet visited), the lowest number it reaches, and
/// whether it is on the component stack.
#[derive(Clone, Copy, Default)]
struct Mark {
    index: u32,
    low: u32,
    on_stack: bool,
}

/// Calls `each` with every strongly connected component of `g`, owners' components before
/// the components that reach them (reverse topological order of the condensation).
pub fn for_each_component<G, F>(g: G, mut each: F)
where
    G: IntoNodeIdentifiers + IntoNeighbors + NodeIndexable,
    F: FnMut(&[G::NodeId]),
{
    let mut marks = vec![Mark::default(); g.node_bound()];
    let mut next: u32 = 1;
    let mut stack: Vec<G::NodeId> = Vec::new();
    let mut component: Vec<G::NodeId> = Vec::new();
    // The explicit call stack: a node and where it is in its list of neighbours.
    let mut calls: Vec<(G::NodeId, G::Neighbors)> = Vec::new();

    for root in g.node_identifiers() {
        if marks.get(g.to_index(root)).is_none_or(|m| m.index != 0) {
            continue;
        }
        discover(g, root, &mut marks, &mut next, &mut stack, &mut calls);
        while let Some((v, neighbours)) = calls.last_mut() {
            let v = *v;
            if let Some(w) = neighbours.next() {
                match marks.get(g.to_index(w)).copied() {
                    Some(m) if m.index == 0 => {
                        discover(g, w, &mut marks, &mut next, &mut stack, &mut calls);
                    }
                    Some(m) if m.on_stack => lower(&mut marks, g.to_index(v), m.index),
                    _ => {}
                }
                continue;
            }
            calls.pop();
            let Some(mv) = marks.get(g.to_index(v)).copied() else {
                continue;
            };
            if let Some((parent, _)) = calls.last() {
                lower(&mut marks, g.to_index(*parent), mv.low);
            }
            if mv.low == mv.index {
                component.clear();
                while let Some(w) = stack.pop() {
                    if let Some(m) = marks.get_mut(g.to_index(w)) {
                        m.on_stack = false;
                    }
                    component.push(w);
                    if g.to_index(w) == g.to_index(v) {
                        break;
                    }
                }
                each(&component);
            }
        }
    }
}

fn discover<G>(
    g: G,
    v: G::NodeId,
    marks: &mut [Mark],
    next: &mut u32,
    stack: &mut Vec<G::NodeId>,
    calls: &mut Vec<(G::NodeId, G::Neighbors)>,
) where
    G: IntoNeighbors + NodeIndexable,
{
    if let Some(m) = marks.get_mut(g.to_index(v)) {
        *m = Mark {
            index: *next,
            low: *next,
            on_stack: true,
        };
    }
    // Parties are capped far below u32::MAX (`Limits::max_parties`).
    *next = next.saturating_add(1);
    stack.push(v);
    calls.push((v, g.neighbors(v)));
}

fn lower(marks: &mut [Mark], at: usize, to: u32) {
    if let Some(m) = marks.get_mut(at) {
        m.low = m.low.min(to);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::for_each_component;
    use petgraph::graph::{DiGraph, NodeIndex};

    fn components(n: usize, edges: &[(u32, u32)]) -> Vec<Vec<usize>> {
        let mut g: DiGraph<(), ()> = DiGraph::new();
        for _ in 0..n {
            g.add_node(());
        }
        for (a, b) in edges {
            g.add_edge(NodeIndex::new(*a as usize), NodeIndex::new(*b as usize), ());
        }
        let mut out = Vec::new();
        for_each_component(&g, |c| {
            let mut c: Vec<usize> = c.iter().map(|v| v.index()).collect();
            c.sort_unstable();
            out.push(c);
        });
        out
    }

    #[test]
    fn agrees_with_petgraph_and_orders_targets_first() {
        let edges = [
            (0, 1),
            (1, 2),
            (2, 0),
            (2, 3),
            (3, 4),
            (4, 3),
            (5, 5),
            (6, 0),
        ];
        let ours = components(7, &edges);
        let mut g: DiGraph<(), ()> = DiGraph::new();
        for _ in 0..7 {
            g.add_node(());
        }
        for (a, b) in edges {
            g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ());
        }
        let theirs: Vec<Vec<usize>> = petgraph::algo::tarjan_scc(&g)
            .into_iter()
            .map(|c| {
                let mut c: Vec<usize> = c.iter().map(|v| v.index()).collect();
                c.sort_unstable();
                c
            })
            .collect();
        assert_eq!(ours, theirs);
        // Every edge points to the same or an earlier component.
        let at = |v: usize| {
            ours.iter()
                .position(|c| c.contains(&v))
                .unwrap_or(usize::MAX)
        };
        for (a, b) in edges {
            assert!(at(b as usize) <= at(a as usize), "{a} -> {b}");
        }
    }

    #[test]
    fn a_chain_of_a_million_needs_no_stack() {
        let edges: Vec<(u32, u32)> = (0..999_999).map(|i| (i, i + 1)).collect();
        // Run on a small thread stack: recursion one frame per node could not finish.
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || components(1_000_000, &edges).len());
        assert_eq!(handle.ok().and_then(|h| h.join().ok()), Some(1_000_000));
    }
}
