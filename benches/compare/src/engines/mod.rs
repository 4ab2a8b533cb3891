//! The engines under comparison, each behind [`Engine`].
//!
//! Adding an engine is one `impl Engine` plus one line in [`ALL`].
//!
//! ## chipgate
//!
//! `chipgate.rs`: the rule in chipgate's rule language, the world as chipgate's typed facts
//! (built in memory with `TransactionFile::from_parts`), the world graph built once, and
//! `Checker::verdict_for` per request.

mod baseline;
mod cedar;
pub mod chipgate;
mod rego;

pub use baseline::Baseline;
pub use cedar::Cedar;
pub use chipgate::Chipgate;
pub use rego::{RegoInterpreter, RegoVm};

use crate::data::{Request, Verdict, World};
use crate::measure::{measure, Measurement};

/// One way of answering the rule.
pub trait Engine: Sized {
    /// Short name used in reports and on the command line.
    const NAME: &'static str;

    /// Loads the rule and the world (parties, ownership, items). Timed as "build".
    fn build(world: &World) -> Result<Self, String>;

    /// Decides one request. Timed per request; includes turning the request into the engine's
    /// own input form (ids into entity uids, input documents, ...).
    fn check(&mut self, request: &Request) -> Result<Verdict, String>;
}

/// How to build, time and check one engine.
pub type Runner = fn(&World) -> Result<Measurement, String>;

/// Every engine, in report order. The first is the baseline the others must agree with.
pub const ALL: &[(&str, Runner)] = &[
    (Baseline::NAME, measure::<Baseline>),
    (Cedar::NAME, measure::<Cedar>),
    (RegoVm::NAME, measure::<RegoVm>),
    (RegoInterpreter::NAME, measure::<RegoInterpreter>),
    (Chipgate::NAME, measure::<Chipgate>),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Edge, Fixed4, Item, Party};
    use crate::guard::reference_verdicts;
    use Verdict::{Allow, Deny};

    fn edge(owner: u32, owned: u32, share: u8) -> Edge {
        Edge {
            owner,
            owned,
            share,
        }
    }

    fn item(tpp: i64, pd: i64) -> Item {
        Item {
            tpp: Fixed4(tpp),
            performance_density: Fixed4(pd),
        }
    }

    /// Hand-made cases with the verdict each must get.
    fn cases() -> (World, Vec<Verdict>) {
        let hq = [
            "US", "CN", "US", "US", "US", "US", "US", "US", "RU", "US", "US", "US", "US",
        ];
        let parties = hq.iter().map(|&hq| Party { hq }).collect();
        let edges = vec![
            edge(1, 2, 50), // p2: 50% owned by CN p1 -> exposed
            edge(1, 3, 49), // p3: 49% only -> not exposed
            // p4 <- p5 <- p6 <- p7 <- p9 <- p10 <- p8 (RU): six hops up to D:5
            edge(5, 4, 100),
            edge(6, 5, 60),
            edge(7, 6, 70),
            edge(9, 7, 80),
            edge(10, 9, 90),
            edge(8, 10, 51),
            // p11 <-> p12 cycle, p12 also controlled by CN p1
            edge(11, 12, 60),
            edge(12, 11, 60),
            edge(1, 12, 55),
            edge(0, 0, 100), // p0 owns itself
        ];
        let items = vec![
            item(48_000_000, 0),      // i0: TPP exactly 4800
            item(47_999_999, 0),      // i1: just below
            item(16_000_000, 59_200), // i2: 1600 and PD exactly 5.92
            item(16_000_000, 59_199), // i3: PD just below
            item(15_999_999, 59_200), // i4: TPP just below 1600
        ];
        let req = |recipient, item, licensed| Request {
            recipient,
            item,
            licensed,
        };
        let expected = [
            (req(1, 0, false), Deny),  // recipient itself in D:5
            (req(1, 0, true), Allow),  // licensed
            (req(1, 1, false), Allow), // item below threshold
            (req(1, 2, false), Deny),  // exact density thresholds
            (req(1, 3, false), Allow),
            (req(1, 4, false), Allow),
            (req(2, 0, false), Deny),  // 50% owner counts
            (req(3, 0, false), Allow), // 49% owner does not
            (req(4, 2, false), Deny),  // six hops up
            (req(7, 0, false), Deny),
            (req(11, 0, false), Deny), // through the cycle
            (req(12, 0, false), Deny),
            (req(0, 0, false), Allow), // self-owned, US
        ];
        let world = World {
            parties,
            edges,
            items,
            requests: expected.iter().map(|(r, _)| *r).collect(),
        };
        (world, expected.iter().map(|(_, v)| *v).collect())
    }

    #[test]
    fn every_engine_gets_the_hand_made_cases_right() {
        let (world, expected) = cases();
        assert_eq!(reference_verdicts(&world), expected, "reference");
        for (name, runner) in ALL {
            let m = runner(&world).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(m.verdicts, expected, "{name}");
        }
    }
}
