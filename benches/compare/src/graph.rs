//! Strongly connected components (iterative Tarjan), used to fold ownership cycles for Cedar.

pub struct Components {
    /// Component index of each node.
    pub of: Vec<u32>,
    /// Number of nodes in each component.
    pub size: Vec<u32>,
}

const UNSEEN: u32 = u32::MAX;

/// Components of the graph whose node `v` has the out-edges `adj[v]`.
pub fn strongly_connected(adj: &[Vec<u32>]) -> Components {
    let n = adj.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut of = vec![UNSEEN; n];
    let mut size = Vec::new();
    let mut next = 0u32;
    // Depth-first work list of (node, position in its adjacency list).
    let mut work: Vec<(u32, usize)> = Vec::new();

    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        work.push((root, 0));
        while let Some(&mut (v, ref mut pos)) = work.last_mut() {
            let vi = v as usize;
            if *pos == 0 {
                index[vi] = next;
                low[vi] = next;
                next += 1;
                stack.push(v);
                on_stack[vi] = true;
            }
            if let Some(&w) = adj[vi].get(*pos) {
                *pos += 1;
                let wi = w as usize;
                if index[wi] == UNSEEN {
                    work.push((w, 0));
                } else if on_stack[wi] {
                    low[vi] = low[vi].min(index[wi]);
                }
                continue;
            }
            // All successors done: close v, then report its low link to the caller.
            work.pop();
            if low[vi] == index[vi] {
                let c = size.len() as u32;
                let mut count = 0;
                loop {
                    let w = stack.pop().expect("v is still on the stack");
                    on_stack[w as usize] = false;
                    of[w as usize] = c;
                    count += 1;
                    if w == v {
                        break;
                    }
                }
                size.push(count);
            }
            if let Some(&(parent, _)) = work.last() {
                let pi = parent as usize;
                low[pi] = low[pi].min(low[vi]);
            }
        }
    }
    Components { of, size }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_singletons() {
        // 0 -> 1 -> 2 -> 0 is a cycle; 3 -> 0 hangs off it; 4 owns itself.
        let adj = vec![vec![1], vec![2], vec![0], vec![0], vec![4]];
        let c = strongly_connected(&adj);
        assert_eq!(c.of[0], c.of[1]);
        assert_eq!(c.of[1], c.of[2]);
        assert_ne!(c.of[3], c.of[0]);
        assert_eq!(c.size[c.of[0] as usize], 3);
        assert_eq!(c.size[c.of[4] as usize], 1);
    }
}
