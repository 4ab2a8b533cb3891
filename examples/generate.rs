//! A deterministic generator of transaction files for benchmarks and load tests.
//!
//! ```sh
//! cargo run --release --example generate -- --transactions 100000 --parties 10000 --seed 1 > deals.yaml
//! cargo run --release --example generate -- --transactions 1000 --out /tmp/deals-1k.yaml
//! ```
//!
//! The same flags give the same bytes, on any machine. The file uses only the keys of
//! docs/transaction-file.md, written the way people write them (block style, one key per line, routes as
//! flow lists), and is valid: every id resolves, shares add up to at most 100%.
//!
//! What it holds, so the whole rule pack has work to do:
//! - parties in 24 countries (a fifth in China, Macau or other D:1/D:4/D:5 countries), some
//!   headquartered elsewhere than they are located; ownership in corporate trees up to seven
//!   levels deep (majority owners, exact 50/50 joint ventures, 49% holders, minority holders,
//!   now and then an owner whose share is not given), a few ownership cycles; about 1% of
//!   parties on a restricted-party list, most with a `since` date;
//! - a catalogue of real accelerators and servers (specifications from `docs/accelerators.md` where it gives them)
//!   plus random parts on both sides of every 3A090 threshold;
//! - data centres operated by parties;
//! - exports, reexports, transfers and leases dated 2022-06 to 2026-06, with routes, end uses
//!   and authorizations (licenses, NAC notifications, ACA) on some of them.

// A development tool, not library code: indices here come from the generator's own tables.
#![allow(clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::io::Write as _;

const USAGE: &str = "\
usage: generate [--transactions N] [--parties M] [--seed S] [--out FILE]
                [--split-facts FACTS.yaml --split-jsonl TRANSACTIONS.jsonl]

Writes a valid transaction file of N transactions (default 1000) over M parties (default
N/10, at least 50) to FILE or standard output. The same flags always give the same bytes.
With --split-facts and --split-jsonl it also writes the same facts as a facts file (the
parties, items and facilities) and a JSON Lines file of the transactions, for
`chipgate check --facts FACTS.yaml TRANSACTIONS.jsonl`.";

/// splitmix64: tiny, seedable and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn weighted<T: Copy>(&mut self, table: &[(T, u32)]) -> T {
        let total: u32 = table.iter().map(|(_, w)| w).sum();
        let mut ticket = self.below(total as usize) as u32;
        for &(value, weight) in table {
            if ticket < weight {
                return value;
            }
            ticket -= weight;
        }
        table[0].0
    }
}

/// Where parties are, weighted roughly by how often they appear in chip supply chains.
const COUNTRIES: &[(&str, u32)] = &[
    ("US", 24),
    ("CN", 12),
    ("SG", 7),
    ("MY", 5),
    ("TW", 6),
    ("JP", 5),
    ("KR", 5),
    ("DE", 4),
    ("NL", 3),
    ("GB", 4),
    ("IN", 4),
    ("AE", 3),
    ("VN", 3),
    ("HK", 3),
    ("MO", 1),
    ("RU", 2),
    ("KH", 1),
    ("IL", 2),
    ("SA", 2),
    ("FR", 2),
    ("TH", 2),
    ("ID", 1),
    ("IR", 1),
    ("KY", 1),
];

/// `(id, name, yaml lines after the name)`: real parts, then computers built from them.
const CATALOGUE: &[(&str, &str, &str)] = &[
    ("h100", "NVIDIA H100 SXM5", "tpp: 15832\n    die_area_mm2: 814\n    interconnect_gbps: 900\n    memory_bandwidth_gbps: 3350"),
    ("h100-pcie", "NVIDIA H100 PCIe", "tpp: 12052\n    die_area_mm2: 814\n    interconnect_gbps: 600\n    memory_bandwidth_gbps: 2000"),
    ("h800", "NVIDIA H800 SXM5", "tpp: 15832\n    die_area_mm2: 814\n    interconnect_gbps: 400\n    memory_bandwidth_gbps: 3350"),
    ("h200", "NVIDIA H200 SXM", "tpp: 15832\n    die_area_mm2: 814\n    interconnect_gbps: 900\n    memory_bandwidth_gbps: 4800"),
    ("h20", "NVIDIA H20", "tpp: 2368\n    die_area_mm2: 814\n    interconnect_gbps: 900\n    memory_bandwidth_gbps: 4000"),
    ("a100", "NVIDIA A100 SXM4", "tpp: 4992\n    die_area_mm2: 826\n    interconnect_gbps: 600\n    memory_bandwidth_gbps: 2039"),
    ("a800", "NVIDIA A800 SXM4", "tpp: 4992\n    die_area_mm2: 826\n    interconnect_gbps: 400\n    memory_bandwidth_gbps: 2039"),
    ("l40s", "NVIDIA L40S", "tpp: 5856\n    die_area_mm2: 609\n    interconnect_gbps: 64\n    memory_bandwidth_gbps: 864"),
    ("l20", "NVIDIA L20", "tpp: 1912\n    die_area_mm2: 609\n    interconnect_gbps: 64\n    memory_bandwidth_gbps: 864"),
    ("rtx4090", "NVIDIA GeForce RTX 4090", "tpp: 5285\n    die_area_mm2: 609\n    interconnect_gbps: 64\n    memory_bandwidth_gbps: 1008\n    datacenter: false"),
    ("rtx4090d", "NVIDIA GeForce RTX 4090 D", "tpp: 4707\n    die_area_mm2: 609\n    interconnect_gbps: 64\n    memory_bandwidth_gbps: 1008\n    datacenter: false"),
    ("b200", "NVIDIA B200", "tpp: 36000\n    performance_density: 22.0\n    interconnect_gbps: 1800\n    memory_bandwidth_gbps: 8000"),
    ("mi300x", "AMD Instinct MI300X", "tpp: 20919\n    die_area_mm2: 1017\n    interconnect_gbps: 896\n    memory_bandwidth_gbps: 5300"),
    ("gaudi2", "Intel Gaudi 2", "tpp: 6912\n    interconnect_gbps: 600"),
    ("ascend910b", "Huawei Ascend 910B", "tpp: 5120\n    die_area_mm2: 665.61\n    origin: CN"),
    ("dgx-h100", "NVIDIA DGX H100 (8x H100)", "form: computer\n    tpp: 15832\n    die_area_mm2: 814\n    interconnect_gbps: 900\n    memory_bandwidth_gbps: 3350"),
    ("hgx-h20", "HGX H20 server (8x H20)", "form: computer\n    tpp: 2368\n    die_area_mm2: 814\n    interconnect_gbps: 900"),
    ("legacy-dsp", "Legacy DSP board", "eccn: EAR99"),
    ("unknown-card", "Accelerator card, specifications pending", "eccn: 3A090.a"),
];

/// TPP and density values on both sides of the 3A090 thresholds, exact values included.
const TPP_VALUES: &[f64] = &[
    0.0, 1200.0, 1599.99, 1600.0, 2400.0, 4799.99, 4800.0, 4800.5, 9000.0,
];
const PD_VALUES: &[f64] = &[0.5, 1.6, 3.2, 5.9199, 5.92, 10.0];

struct Args {
    transactions: usize,
    parties: Option<usize>,
    seed: u64,
    out: Option<String>,
    split_facts: Option<String>,
    split_jsonl: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        transactions: 1000,
        parties: None,
        seed: 1,
        out: None,
        split_facts: None,
        split_jsonl: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value\n\n{USAGE}"))?;
        let number = || {
            value
                .replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("`{flag}`: `{value}` is not a whole number"))
        };
        match flag.as_str() {
            "--transactions" => args.transactions = number()?.max(1) as usize,
            "--parties" => args.parties = Some(number()?.max(2) as usize),
            "--seed" => args.seed = number()?,
            "--out" => args.out = Some(value),
            "--split-facts" => args.split_facts = Some(value),
            "--split-jsonl" => args.split_jsonl = Some(value),
            _ => return Err(format!("unknown flag `{flag}`\n\n{USAGE}")),
        }
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let parties = args.parties.unwrap_or((args.transactions / 10).max(50));
    let text = generate(args.transactions, parties, args.seed);
    let result = match &args.out {
        Some(path) => std::fs::write(path, text.as_bytes()),
        None => std::io::stdout().lock().write_all(text.as_bytes()),
    };
    if let Err(e) = result {
        eprintln!("cannot write: {e}");
        std::process::exit(1);
    }
    if let (Some(facts), Some(jsonl)) = (&args.split_facts, &args.split_jsonl) {
        if let Err(e) = split(&text, facts, jsonl) {
            eprintln!("cannot split: {e}");
            std::process::exit(1);
        }
    }
}

/// The file as a facts file (everything before `transactions:`) and a JSON Lines file of its
/// transactions.
fn split(text: &str, facts: &str, jsonl: &str) -> Result<(), String> {
    let at = text
        .find("\ntransactions:\n")
        .ok_or("no transactions in the generated file")?;
    std::fs::write(facts, &text[..at + 1]).map_err(|e| e.to_string())?;
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let list = value
        .get("transactions")
        .and_then(|t| t.as_sequence())
        .ok_or("no transactions list")?;
    let mut out = String::with_capacity(text.len() - at);
    for t in list {
        let json: serde_json::Value =
            serde_yaml::from_value(t.clone()).map_err(|e| e.to_string())?;
        out.push_str(&json.to_string());
        out.push('\n');
    }
    std::fs::write(jsonl, out).map_err(|e| e.to_string())
}

/// The whole file as text.
fn generate(transactions: usize, parties: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(transactions * 160 + parties * 120);
    let _ = writeln!(
        out,
        "# Generated by `cargo run --release --example generate -- --transactions {transactions} --parties {parties} --seed {seed}`"
    );

    // Parties: a level 0..=6 each (0 = operating company, 6 = ultimate parent); owners come
    // from the levels above.
    const LEVEL_CDF: [f64; 7] = [0.50, 0.70, 0.82, 0.90, 0.95, 0.98, 1.0];
    let level: Vec<usize> = (0..parties)
        .map(|_| {
            let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            LEVEL_CDF.iter().position(|&c| u < c).unwrap_or(6)
        })
        .collect();
    let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); 7];
    for (p, &l) in level.iter().enumerate() {
        by_level[l].push(p);
    }
    let country: Vec<&str> = (0..parties).map(|_| rng.weighted(COUNTRIES)).collect();
    out.push_str("parties:\n");
    for p in 0..parties {
        let _ = write!(
            out,
            "  - id: p{p}\n    name: Party {p} Ltd.\n    country: {}\n",
            country[p]
        );
        if rng.chance(0.08) {
            let _ = writeln!(out, "    headquarters: {}", rng.weighted(COUNTRIES));
        }
        let mut owners: Vec<(usize, Option<u32>)> = Vec::new();
        let above = |rng: &mut Rng, skip: usize| -> Option<usize> {
            by_level
                .get(level[p] + 1 + skip)
                .filter(|v| !v.is_empty())
                .map(|v| v[rng.below(v.len())])
        };
        let skip = usize::from(rng.chance(0.15));
        let r = rng.below(100);
        if r < 55 {
            if let Some(o) = above(&mut rng, skip) {
                let share = if rng.chance(0.1) {
                    50
                } else {
                    51 + rng.below(50) as u32
                };
                owners.push((o, Some(share)));
            }
        } else if r < 63 {
            for _ in 0..2 {
                if let Some(o) = above(&mut rng, skip) {
                    owners.push((o, Some(50)));
                }
            }
        } else if r < 72 {
            if let Some(o) = above(&mut rng, skip) {
                owners.push((o, Some(49)));
            }
        } else if r < 73 {
            if let Some(o) = above(&mut rng, skip) {
                owners.push((o, None)); // the file does not say how much
            }
        } else if r < 74 && level[p] > 0 {
            // A cycle: an operating company holds a majority of one of its owners' owners.
            let l = level[p] - 1;
            if let Some(v) = by_level.get(l).filter(|v| !v.is_empty()) {
                owners.push((v[rng.below(v.len())], Some(51)));
            }
        }
        let held: u32 = owners.iter().map(|(_, s)| s.unwrap_or(50)).sum();
        if held <= 90 && rng.chance(0.3) {
            if let Some(o) = above(&mut rng, 0) {
                owners.push((o, Some(1 + rng.below(10) as u32)));
            }
        }
        owners.sort_by_key(|(o, _)| *o);
        owners.dedup_by_key(|(o, _)| *o);
        owners.retain(|(o, _)| *o != p);
        if !owners.is_empty() {
            out.push_str("    owners:\n");
            for (o, share) in owners {
                match share {
                    Some(s) => {
                        let _ = write!(out, "      - party: p{o}\n        share: {s}\n");
                    }
                    None => {
                        let _ = writeln!(out, "      - party: p{o}");
                    }
                }
            }
        }
        if rng.chance(0.012) {
            let list = rng.weighted(&[
                ("entity-list", 8),
                ("meu-list", 2),
                ("unverified-list", 1),
                ("sdn", 1),
            ]);
            out.push_str("    lists:\n");
            let _ = writeln!(out, "      - list: {list}");
            if rng.chance(0.8) {
                let _ = writeln!(out, "        since: {}", date(&mut rng, 2019, 2026));
            }
        }
    }

    // Items: the catalogue, then random parts around the thresholds.
    out.push_str("\nitems:\n");
    let mut item_ids: Vec<String> = Vec::new();
    for (id, name, spec) in CATALOGUE {
        let _ = write!(out, "  - id: {id}\n    name: {name}\n    {spec}\n");
        item_ids.push((*id).to_string());
    }
    for k in 0..40 {
        let tpp = TPP_VALUES[rng.below(TPP_VALUES.len())];
        let pd = PD_VALUES[rng.below(PD_VALUES.len())];
        let _ = write!(
            out,
            "  - id: part-{k}\n    name: Accelerator part {k}\n    tpp: {tpp}\n    performance_density: {pd}\n"
        );
        if rng.chance(0.2) {
            out.push_str("    datacenter: false\n");
        }
        item_ids.push(format!("part-{k}"));
    }

    // Facilities, each operated by some party.
    let facility_count = (parties / 50).clamp(1, 2000);
    let mut facility_country = Vec::with_capacity(facility_count);
    out.push_str("\nfacilities:\n");
    for f in 0..facility_count {
        let c = rng.weighted(COUNTRIES);
        facility_country.push(c);
        let _ = write!(
            out,
            "  - id: dc{f}\n    name: Data centre {f}\n    country: {c}\n    operator: p{}\n",
            rng.below(parties)
        );
    }

    out.push_str("\ntransactions:\n");
    // Senders are mostly US distributors and manufacturers.
    let us: Vec<usize> = (0..parties).filter(|&p| country[p] == "US").collect();
    for t in 0..transactions {
        let kind = rng.weighted(&[
            ("export", 60),
            ("reexport", 15),
            ("transfer", 15),
            ("lease", 10),
        ]);
        let item = &item_ids[rng.below(item_ids.len())];
        let _ = write!(
            out,
            "  - id: T{t}\n    kind: {kind}\n    date: {}\n    item: {item}\n    quantity: {}\n",
            date(&mut rng, 2022, 2026),
            1 + rng.below(2048)
        );
        if kind == "lease" {
            let f = rng.below(facility_count);
            let _ = write!(
                out,
                "    facility: dc{f}\n    lessor: p{}\n    lessee: p{}\n",
                rng.below(parties),
                rng.below(parties)
            );
        } else {
            let from = if kind == "export" && !us.is_empty() {
                us[rng.below(us.len())]
            } else {
                rng.below(parties)
            };
            let to = rng.below(parties);
            let _ = write!(out, "    from: p{from}\n    to: p{to}\n");
            if rng.chance(0.1) {
                let _ = writeln!(out, "    end_user: p{}", rng.below(parties));
            }
            if rng.chance(0.2) {
                let mid = rng.weighted(COUNTRIES);
                let _ = writeln!(
                    out,
                    "    route: [{}, {mid}, {}]",
                    if kind == "export" {
                        "US"
                    } else {
                        country[from]
                    },
                    country[to]
                );
            }
        }
        if rng.chance(0.5) {
            let use_ = rng.weighted(&[
                ("training", 4),
                ("inference", 3),
                ("resale", 1),
                ("research", 1),
                ("other", 1),
            ]);
            let _ = writeln!(out, "    end_use: {use_}");
        }
        if rng.chance(0.15) {
            out.push_str("    authorizations:\n");
            match rng.below(3) {
                0 => {
                    let _ = write!(
                        out,
                        "      - type: license\n        number: D{:07}\n        issued: {}\n",
                        rng.below(10_000_000),
                        date(&mut rng, 2021, 2025)
                    );
                }
                1 => {
                    let _ = write!(
                        out,
                        "      - type: NAC\n        notified: {}\n        confirmation: A{:06}\n",
                        date(&mut rng, 2022, 2026),
                        rng.below(1_000_000)
                    );
                }
                _ => out.push_str("      - type: ACA\n"),
            }
        }
    }
    out
}

/// A date between June of `from` and June of `to`.
fn date(rng: &mut Rng, from: i32, to: i32) -> String {
    let years = (to - from).max(1) as usize;
    let y = from + rng.below(years + 1) as i32;
    let m = match y {
        y if y == from => 6 + rng.below(7),
        y if y == to => 1 + rng.below(6),
        _ => 1 + rng.below(12),
    };
    let d = 1 + rng.below(28);
    format!("{y}-{m:02}-{d:02}")
}
