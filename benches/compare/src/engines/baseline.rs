//! Hand-written Rust: a memoised owner closure, then a tight loop.

use super::Engine;
use crate::data::{
    is_d5, Request, Verdict, World, CONTROL_SHARE, PD_LIMIT, TPP_DENSITY_LIMIT, TPP_LIMIT,
};

pub struct Baseline {
    /// `exposed[p]`: party `p` or someone in its chain of >= 50% owners is headquartered in D:5.
    exposed: Vec<bool>,
    /// `(tpp, performance density)` of each item.
    items: Vec<(f64, f64)>,
}

impl Engine for Baseline {
    const NAME: &'static str = "rust-baseline";

    /// Flood downwards from every D:5-headquartered party along controlling edges
    /// (owner -> owned). Each party is visited once, so cycles terminate.
    fn build(world: &World) -> Result<Self, String> {
        let n = world.parties.len();
        let mut owned_by = vec![Vec::new(); n];
        for e in world.edges.iter().filter(|e| e.share >= CONTROL_SHARE) {
            owned_by[e.owner as usize].push(e.owned);
        }
        let mut exposed: Vec<bool> = world.parties.iter().map(|p| is_d5(p.hq)).collect();
        let mut stack: Vec<u32> = (0..n as u32).filter(|&p| exposed[p as usize]).collect();
        while let Some(owner) = stack.pop() {
            for &owned in &owned_by[owner as usize] {
                if !exposed[owned as usize] {
                    exposed[owned as usize] = true;
                    stack.push(owned);
                }
            }
        }
        Ok(Baseline {
            exposed,
            items: world
                .items
                .iter()
                .map(|i| (i.tpp.to_f64(), i.performance_density.to_f64()))
                .collect(),
        })
    }

    fn check(&mut self, r: &Request) -> Result<Verdict, String> {
        let &(tpp, pd) = self.items.get(r.item as usize).ok_or("unknown item")?;
        let exposed = self
            .exposed
            .get(r.recipient as usize)
            .ok_or("unknown party")?;
        // Non-short-circuit `&`/`|`: random requests make each `&&` branch a coin flip, and the
        // mispredictions would cost more than the comparisons.
        let covered = (tpp >= TPP_LIMIT) | ((tpp >= TPP_DENSITY_LIMIT) & (pd >= PD_LIMIT));
        Ok(if !r.licensed & *exposed & covered {
            Verdict::Deny
        } else {
            Verdict::Allow
        })
    }
}

impl Baseline {
    /// Whether party `p` is exposed to D:5 through itself or its chain (false if unknown).
    pub fn is_exposed(&self, p: usize) -> bool {
        self.exposed.get(p).copied().unwrap_or(false)
    }
}
