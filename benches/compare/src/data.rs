//! The world every engine is built from, and the seeded generator that makes it.
//!
//! Everything here is engine-neutral: parties are indices, shares are integer percents and
//! item figures are fixed-point numbers with four decimals, so that Cedar's `decimal` type,
//! Rego numbers and `f64` all read exactly the same values.

/// Countries of Country Group D:5 (static list; no dates in this benchmark).
pub const D5: [&str; 22] = [
    "AF", "BY", "MM", "CF", "CN", "CD", "CU", "ER", "HT", "IR", "IQ", "KP", "LB", "LY", "NI", "RU",
    "SO", "SS", "SD", "SY", "VE", "ZW",
];

/// Other headquarters countries, weighted roughly by how often they appear in chip supply chains.
const OTHER: [(&str, u32); 20] = [
    ("US", 30),
    ("TW", 10),
    ("JP", 8),
    ("KR", 8),
    ("DE", 6),
    ("NL", 5),
    ("GB", 5),
    ("SG", 5),
    ("MY", 4),
    ("IN", 4),
    ("FR", 3),
    ("IL", 3),
    ("CA", 3),
    ("AE", 3),
    ("VN", 3),
    ("HK", 3),
    ("CH", 2),
    ("SE", 2),
    ("IE", 2),
    ("SA", 2),
];

/// Share of parties headquartered in a D:5 country.
const D5_FRACTION: f64 = 0.15;
/// Highest ownership level: a chain of majority owners is at most this many hops (before cycles).
pub const MAX_LEVEL: usize = 6;

pub const TPP_LIMIT: f64 = 4800.0;
pub const TPP_DENSITY_LIMIT: f64 = 1600.0;
pub const PD_LIMIT: f64 = 5.92;
/// Owners holding this many percent or more count towards the chain.
pub const CONTROL_SHARE: u8 = 50;

/// True when `country` belongs to Country Group D:5.
pub fn is_d5(country: &str) -> bool {
    D5.contains(&country)
}

/// A number with exactly four decimals, stored as ten-thousandths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fixed4(pub i64);

impl Fixed4 {
    pub fn to_f64(self) -> f64 {
        // Both operands are exact in f64, so the division rounds once, to the same value a parser
        // gives for the decimal text: 59200 / 10000 == 5.92 exactly as a literal reads it.
        self.0 as f64 / 10_000.0
    }

    /// Decimal text with four fractional digits, e.g. `4799.9999` (Cedar's `decimal` syntax).
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:04}", abs / 10_000, abs % 10_000)
    }
}

#[derive(Clone, Debug)]
pub struct Party {
    pub hq: &'static str,
}

/// `owner` holds `share` percent of `owned`.
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub owner: u32,
    pub owned: u32,
    pub share: u8,
}

#[derive(Clone, Copy, Debug)]
pub struct Item {
    pub tpp: Fixed4,
    pub performance_density: Fixed4,
}

#[derive(Clone, Copy, Debug)]
pub struct Request {
    pub recipient: u32,
    pub item: u32,
    pub licensed: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Deny,
}

/// Everything an engine may load at build time; the requests are what it checks afterwards.
#[derive(Clone, Debug)]
pub struct World {
    pub parties: Vec<Party>,
    pub edges: Vec<Edge>,
    pub items: Vec<Item>,
    pub requests: Vec<Request>,
}

impl World {
    /// For each party, the parties holding at least [`CONTROL_SHARE`] percent of it.
    pub fn controlling_owners(&self) -> Vec<Vec<u32>> {
        let mut owners = vec![Vec::new(); self.parties.len()];
        for e in self.edges.iter().filter(|e| e.share >= CONTROL_SHARE) {
            owners[e.owned as usize].push(e.owner);
        }
        owners
    }
}

/// The item half of the rule: TPP >= 4800, or TPP >= 1600 and performance density >= 5.92.
pub fn item_is_covered(item: &Item) -> bool {
    let tpp = item.tpp.to_f64();
    tpp >= TPP_LIMIT || (tpp >= TPP_DENSITY_LIMIT && item.performance_density.to_f64() >= PD_LIMIT)
}

/// splitmix64: tiny, seedable, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

/// Builds a world of `parties` parties and `requests` requests from `seed`.
pub fn generate(parties: usize, requests: usize, seed: u64) -> World {
    assert!(parties >= 2, "need at least two parties");
    let mut rng = Rng::new(seed);
    let parties_v = (0..parties)
        .map(|_| Party {
            hq: pick_country(&mut rng),
        })
        .collect();
    let edges = ownership(parties, &mut rng);
    let items = items(&mut rng);
    let requests = (0..requests)
        .map(|_| Request {
            recipient: rng.below(parties) as u32,
            item: rng.below(items.len()) as u32,
            licensed: rng.unit() < 0.1,
        })
        .collect();
    World {
        parties: parties_v,
        edges,
        items,
        requests,
    }
}

fn pick_country(rng: &mut Rng) -> &'static str {
    if rng.unit() < D5_FRACTION {
        // China and Russia dominate; the rest of D:5 shares the remainder evenly.
        match rng.below(10) {
            0..=4 => "CN",
            5..=6 => "RU",
            _ => rng.pick(&D5),
        }
    } else {
        let total: u32 = OTHER.iter().map(|(_, w)| w).sum();
        let mut ticket = rng.below(total as usize) as u32;
        for (country, weight) in OTHER {
            if ticket < weight {
                return country;
            }
            ticket -= weight;
        }
        unreachable!("ticket is below the total weight")
    }
}

/// Corporate trees: every party gets a level 0..=6 (0 = operating company, 6 = ultimate parent)
/// and most are owned by parties one or two levels up. Then a few cycles and one self-holding.
fn ownership(n: usize, rng: &mut Rng) -> Vec<Edge> {
    // Cumulative level distribution: half are operating companies, few are ultimate parents.
    const LEVEL_CDF: [f64; MAX_LEVEL + 1] = [0.50, 0.70, 0.82, 0.90, 0.95, 0.98, 1.0];
    let level_of: Vec<usize> = (0..n)
        .map(|_| {
            let u = rng.unit();
            LEVEL_CDF.iter().position(|&c| u < c).unwrap_or(MAX_LEVEL)
        })
        .collect();
    let mut by_level = vec![Vec::new(); MAX_LEVEL + 1];
    for (party, &level) in level_of.iter().enumerate() {
        by_level[level].push(party as u32);
    }

    let mut edges = Vec::new();
    for (party, &level) in level_of.iter().enumerate() {
        let owned = party as u32;
        let upper = |rng: &mut Rng, skip: usize| -> Option<u32> {
            let lvl = level + 1 + skip;
            by_level
                .get(lvl)
                .filter(|v| !v.is_empty())
                .map(|v| rng.pick(v))
        };
        let skip = usize::from(rng.unit() < 0.15);
        let r = rng.unit();
        if r < 0.60 {
            // One majority owner; a tenth of them sit exactly on the 50% line.
            if let Some(owner) = upper(rng, skip) {
                let share = if rng.unit() < 0.1 {
                    50
                } else {
                    51 + rng.below(50) as u8
                };
                edges.push(Edge {
                    owner,
                    owned,
                    share,
                });
            }
        } else if r < 0.70 {
            // A 50/50 joint venture: both owners count.
            for _ in 0..2 {
                if let Some(owner) = upper(rng, skip) {
                    edges.push(Edge {
                        owner,
                        owned,
                        share: 50,
                    });
                }
            }
        } else if r < 0.80 {
            // Just below control: 49% does not count.
            if let Some(owner) = upper(rng, skip) {
                edges.push(Edge {
                    owner,
                    owned,
                    share: 49,
                });
            }
        }
        // Otherwise independent. Anyone may also have a small minority holder.
        if rng.unit() < 0.3 {
            if let Some(owner) = upper(rng, 0) {
                edges.push(Edge {
                    owner,
                    owned,
                    share: 1 + rng.below(40) as u8,
                });
            }
        }
    }

    // Cycles: a subsidiary takes control of its parent (2-cycle) or grandparent (3-cycle).
    let majority: Vec<Edge> = edges
        .iter()
        .copied()
        .filter(|e| e.share >= CONTROL_SHARE)
        .collect();
    if !majority.is_empty() {
        for _ in 0..(n / 500).max(3) {
            let e = rng.pick(&majority);
            let grandparent = majority
                .iter()
                .find(|g| g.owned == e.owner)
                .map(|g| g.owner);
            let target = match grandparent {
                Some(g) if rng.unit() < 0.5 => g,
                _ => e.owner,
            };
            edges.push(Edge {
                owner: e.owned,
                owned: target,
                share: 50 + rng.below(51) as u8,
            });
        }
    }
    // A company holding a majority of its own shares (treasury stock): a cycle of length one.
    let p = rng.below(n) as u32;
    edges.push(Edge {
        owner: p,
        owned: p,
        share: 60,
    });
    edges
}

/// Items on both sides of every threshold, exact thresholds included, plus some ordinary ones.
fn items(rng: &mut Rng) -> Vec<Item> {
    const TPP: [i64; 9] = [
        48_000_000, // exactly 4800
        47_999_999, // 4799.9999
        48_000_001,
        16_000_000, // exactly 1600
        15_999_999, // 1599.9999
        20_000_000,
        1_000_000,
        100_000_000,
        0,
    ];
    const PD: [i64; 6] = [
        59_200, // exactly 5.92
        59_199, // 5.9199
        59_201, 5_000, 100_000, 10_000,
    ];
    let mut items: Vec<Item> = TPP
        .iter()
        .flat_map(|&tpp| {
            PD.iter().map(move |&pd| Item {
                tpp: Fixed4(tpp),
                performance_density: Fixed4(pd),
            })
        })
        .collect();
    for _ in 0..46 {
        items.push(Item {
            tpp: Fixed4(rng.below(200_000_000) as i64),
            performance_density: Fixed4(rng.below(200_000) as i64),
        });
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed4_matches_decimal_literals() {
        assert_eq!(Fixed4(59_200).to_f64(), 5.92);
        assert!(Fixed4(59_199).to_f64() < 5.92);
        assert_eq!(Fixed4(48_000_000).to_f64(), 4800.0);
        assert_eq!(Fixed4(47_999_999).to_decimal_string(), "4799.9999");
        assert_eq!(Fixed4(59_200).to_decimal_string(), "5.9200");
        assert_eq!(Fixed4(0).to_decimal_string(), "0.0000");
    }

    #[test]
    fn generation_is_deterministic() {
        let a = generate(1_000, 100, 7);
        let b = generate(1_000, 100, 7);
        let key = |w: &World| {
            w.edges
                .iter()
                .map(|e| (e.owner, e.owned, e.share))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&a), key(&b));
    }
}
