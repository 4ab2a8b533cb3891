//! The correctness guard: a naive reading of the rule, and verdict comparison.

use crate::data::{is_d5, item_is_covered, Verdict, World};

/// The recipient and its chain of >= 50% owners, in visiting order (each party once).
pub fn chain(owners: &[Vec<u32>], recipient: u32) -> Vec<u32> {
    let mut seen = vec![recipient];
    let mut next = 0;
    while let Some(&p) = seen.get(next) {
        next += 1;
        for &o in &owners[p as usize] {
            if !seen.contains(&o) {
                seen.push(o);
            }
        }
    }
    seen
}

/// The rule read literally, one request at a time: no memoisation, so nothing to get wrong.
pub fn reference_verdicts(world: &World) -> Vec<Verdict> {
    let owners = world.controlling_owners();
    world
        .requests
        .iter()
        .map(|r| {
            let item = &world.items[r.item as usize];
            let d5_chain = || {
                chain(&owners, r.recipient)
                    .iter()
                    .any(|&p| is_d5(world.parties[p as usize].hq))
            };
            if !r.licensed && item_is_covered(item) && d5_chain() {
                Verdict::Deny
            } else {
                Verdict::Allow
            }
        })
        .collect()
}

/// `Err` describing the first request where `got` differs from `want`.
pub fn compare(
    world: &World,
    want: &[Verdict],
    got: &[Verdict],
    engine: &str,
) -> Result<(), String> {
    let Some(i) = (0..want.len().max(got.len())).find(|&i| want.get(i) != got.get(i)) else {
        return Ok(());
    };
    let Some(r) = world.requests.get(i) else {
        return Err(format!(
            "{engine}: returned {} verdicts for {} requests",
            got.len(),
            want.len()
        ));
    };
    let item = &world.items[r.item as usize];
    let owners = world.controlling_owners();
    let chain: Vec<String> = chain(&owners, r.recipient)
        .iter()
        .map(|&p| format!("p{p}({})", world.parties[p as usize].hq))
        .collect();
    Err(format!(
        "{engine} disagrees on request #{i}: expected {:?}, got {:?}\n  \
         recipient p{} chain [{}]\n  item i{} tpp {} performance_density {}\n  licensed {}",
        want.get(i),
        got.get(i),
        r.recipient,
        chain.join(" "),
        r.item,
        item.tpp.to_decimal_string(),
        item.performance_density.to_decimal_string(),
        r.licensed,
    ))
}
