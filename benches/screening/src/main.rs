//! The screening benchmark (docs/screening.md): a seeded synthetic CSL of 30,000 entries,
//! recall on name variants at the strong and possible thresholds, false positives on real
//! unlisted companies, and the time and memory of screening 100,000 parties.
//!
//! `cargo run --release -- [--entries N] [--parties N] [--samples N] [--seed S]
//! [--write-list PATH] [--misses N] [--explain QUERY]… [--real-list PATH]…`; prints a
//! Markdown report (or, with `--explain`, every name scored for those queries, held ones
//! included, with why; with `--real-list`, the matches of the unlisted companies against
//! those real list files instead).

mod gen;
mod variants;

use std::time::Instant;

use chipgate::country::Country;
use chipgate::screen::{describe, MatchOptions, Query, Screener, ScreeningList};
use chipgate::Limits;

use gen::{Rng, Synth};

struct Args {
    entries: usize,
    parties: usize,
    samples: usize,
    seed: u64,
    write_list: Option<String>,
    misses: usize,
    explain: Vec<String>,
    /// Real list files (CSL JSON or CSV) to screen the unlisted companies against, instead
    /// of running the benchmark.
    real_lists: Vec<String>,
}

fn args() -> Args {
    let mut a = Args {
        entries: 30_000,
        parties: 100_000,
        samples: 1_000,
        seed: 20_260_924,
        write_list: None,
        misses: 0,
        explain: Vec::new(),
        real_lists: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--entries" => a.entries = value.parse().unwrap_or(a.entries),
            "--parties" => a.parties = value.parse().unwrap_or(a.parties),
            "--samples" => a.samples = value.parse().unwrap_or(a.samples),
            "--seed" => a.seed = value.parse().unwrap_or(a.seed),
            "--write-list" => a.write_list = Some(value),
            "--misses" => a.misses = value.parse().unwrap_or(0),
            "--explain" => a.explain.push(value),
            "--real-list" => a.real_lists.push(value),
            other => {
                eprintln!("unknown flag `{other}`");
                std::process::exit(2);
            }
        }
    }
    a
}

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU time of the process so far (user and system, all threads), in seconds: a figure that
/// other work on a shared machine does not inflate the way it does wall time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name,
    // in clock ticks of 1/100 s (USER_HZ).
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "n/a".to_string())
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "n/a".to_string()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

/// Unlisted-style names from a vocabulary of its own, for the speed run.
fn western(rng: &mut Rng) -> String {
    const A: &[&str] = &[
        "Anderson",
        "Baker",
        "Carter",
        "Dalton",
        "Ellis",
        "Fischer",
        "Garcia",
        "Hughes",
        "Ingram",
        "Jensen",
        "Keller",
        "Lambert",
        "Morgan",
        "Nolan",
        "Owens",
        "Parker",
        "Quinn",
        "Reyes",
        "Sawyer",
        "Turner",
        "Vance",
        "Walsh",
        "Young",
        "Zimmer",
        "Northgate",
        "Bluewater",
        "Redwood",
        "Silverline",
        "Brightpath",
        "Ironbridge",
        "Clearview",
    ];
    const B: &[&str] = &[
        "Holdings",
        "Logistics",
        "Foods",
        "Pharma",
        "Capital",
        "Industries",
        "Consulting",
        "Retail",
        "Energy",
        "Motors",
        "Systems",
        "Partners",
        "Medical",
        "Analytics",
        "Technologies",
        "Trading",
        "Electronics",
        "Materials",
        "Components",
        "Group",
    ];
    const C: &[&str] = &[
        "Inc.", "LLC", "Ltd", "GmbH", "plc", "S.A.", "B.V.", "Pty Ltd", "AB", "Corp.",
    ];
    format!("{} {} {}", rng.pick(A), rng.pick(B), rng.pick(C))
}

fn names_of(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// The false positives on one set of unlisted companies.
struct FalsePositives {
    label: &'static str,
    /// (which companies, how many, matched at possible, matched at strong).
    rows: Vec<(&'static str, usize, usize, usize)>,
    namesakes: Vec<String>,
    lines: Vec<String>,
}

impl FalsePositives {
    fn print(&self, options: &MatchOptions) {
        let total = self.rows.first().map_or(0, |r| r.1);
        println!("\n### False positives on {total} {}\n", self.label);
        println!(
            "| companies | count | matched at possible (≥ {}) | rate | matched at strong (≥ {}) | rate |",
            options.possible, options.strong
        );
        println!("|---|---:|---:|---:|---:|---:|");
        for (label, n, possible, strong) in &self.rows {
            println!(
                "| {label} | {n} | {possible} | {} | {strong} | {} |",
                pct(*possible, *n),
                pct(*strong, *n)
            );
        }
        println!(
            "\nCompanies with a listed namesake (the name holds the distinctive part of a listed name as whole words, or its Han characters read as that pinyin): {}.",
            if self.namesakes.is_empty() {
                "none".to_string()
            } else {
                self.namesakes.join("; ")
            }
        );
    }
}

/// Screens `names` (each by its name alone) and counts the companies that match anything.
/// A company whose name holds the distinctive part of a listed name as whole words
/// ("Titan Company Limited" and a listed "Titan Components", alias "Titan Company") has a
/// listed namesake in this synthetic world: no name-only rule can tell them apart, so those
/// companies are also counted apart.
fn false_positives(
    label: &'static str,
    names: &[&str],
    screener: &Screener,
    lists: &[ScreeningList],
    options: &MatchOptions,
    brands: &std::collections::HashSet<Vec<String>>,
) -> FalsePositives {
    let qs: Vec<Query<'_>> = names.iter().map(|n| Query::name(n)).collect();
    let found = screener.screen_all(&qs);
    let namesake: Vec<bool> = names.iter().map(|n| gen::has_namesake(n, brands)).collect();
    let count = |strong: bool, namesakes: Option<bool>| {
        found
            .iter()
            .zip(&namesake)
            .filter(|(_, ns)| namesakes.is_none_or(|want| **ns == want))
            .filter(|(m, _)| {
                if strong {
                    m.iter().any(|m| m.score >= options.strong)
                } else {
                    !m.is_empty()
                }
            })
            .count()
    };
    let with = namesake.iter().filter(|n| **n).count();
    let rows = vec![
        ("all", names.len(), count(false, None), count(true, None)),
        (
            "without a listed namesake",
            names.len() - with,
            count(false, Some(false)),
            count(true, Some(false)),
        ),
        (
            "with a listed namesake",
            with,
            count(false, Some(true)),
            count(true, Some(true)),
        ),
    ];
    let namesakes = names
        .iter()
        .zip(&namesake)
        .filter(|(_, n)| **n)
        .map(|(u, _)| u.to_string())
        .collect();
    let lines = found
        .iter()
        .zip(&namesake)
        .filter_map(|(m, n)| m.first().map(|m| (m, n)))
        .map(|(m, n)| {
            format!(
                "  {}{}",
                if *n { "[namesake] " } else { "" },
                describe(m, lists)
            )
        })
        .collect();
    FalsePositives {
        label,
        rows,
        namesakes,
        lines,
    }
}

/// Screens both sets of unlisted companies against real list files and prints every match.
fn against_real_lists(paths: &[String]) {
    let mut lists = Vec::new();
    for p in paths {
        match ScreeningList::from_path(std::path::Path::new(p), &Limits::default()) {
            Ok(l) => lists.push(l),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let entries: usize = lists.iter().map(|l| l.entries.len()).sum();
    let options = MatchOptions::default();
    let screener = Screener::new(&lists, &options);
    let none = std::collections::HashSet::new();
    println!(
        "## Unlisted companies against {} real entries ({})\n",
        entries,
        paths.join(", ")
    );
    for (label, names) in [
        (
            "unlisted companies",
            names_of(include_str!("../data/unlisted-companies.txt")),
        ),
        (
            "held-out unlisted companies",
            names_of(include_str!("../data/unlisted-holdout.txt")),
        ),
    ] {
        let fp = false_positives(label, &names, &screener, &lists, &options, &none);
        let (_, n, possible, strong) = fp.rows.first().copied().unwrap_or(("", 0, 0, 0));
        println!(
            "{label}: {possible} of {n} match at possible ({}), {strong} at strong",
            pct(possible, n)
        );
        for l in &fp.lines {
            println!("{l}");
        }
    }
}

fn main() {
    let a = args();
    if !a.real_lists.is_empty() {
        against_real_lists(&a.real_lists);
        return;
    }
    let t = Instant::now();
    let synth: Vec<Synth> = gen::generate(a.entries, a.seed);
    let json = gen::to_csl_json(&synth, a.seed);
    let generated = t.elapsed();
    if let Some(path) = &a.write_list {
        if let Err(e) = std::fs::write(path, &json) {
            eprintln!("cannot write {path}: {e}");
        }
    }
    let bytes = json.len();
    let t = Instant::now();
    let list = match ScreeningList::from_bytes(
        "synthetic-csl.json",
        json.into_bytes(),
        &Limits::default(),
    ) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let loaded = t.elapsed();
    let aliases: usize = list.entries.iter().map(|e| e.alt_names.len()).sum();
    let lists = vec![list];
    let options = MatchOptions::default();
    let load_before = load_average();
    let cpu = cpu_seconds();
    let t = Instant::now();
    let screener = Screener::new(&lists, &options);
    let built = t.elapsed();
    let built_cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
    let (_, names, tokens) = screener.size();
    if !a.explain.is_empty() {
        // Every name scored for those queries, held ones included, with why.
        for q in &a.explain {
            println!("{q}:");
            for m in screener.explain_query(&Query::name(q)) {
                println!("  {}", describe(&m, &lists));
            }
        }
        return;
    }

    // Recall on variants.
    let mut rng = Rng::new(a.seed ^ 0xfeed);
    let mut order: Vec<usize> = (0..synth.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut recall_rows = Vec::new();
    for &v in variants::ALL {
        let mut queries: Vec<(usize, String)> = Vec::new();
        for &i in &order {
            if queries.len() >= a.samples {
                break;
            }
            if let Some(q) = variants::make(v, &synth[i], &mut rng) {
                queries.push((i, q));
            }
        }
        let qs: Vec<Query<'_>> = queries.iter().map(|(_, q)| Query::name(q)).collect();
        let found = screener.screen_all(&qs);
        let (mut strong, mut possible, mut top) = (0, 0, 0);
        let mut misses = Vec::new();
        let mut weak = Vec::new();
        for ((i, q), matches) in queries.iter().zip(&found) {
            let hit = matches.iter().position(|m| m.list == 0 && m.entry == *i);
            match hit {
                Some(k) => {
                    possible += 1;
                    if matches[k].score >= options.strong {
                        strong += 1;
                    } else if weak.len() < a.misses {
                        weak.push(format!("  weak: `{q}` → {}", describe(&matches[k], &lists)));
                    }
                    if k == 0 {
                        top += 1;
                    }
                }
                None => {
                    if misses.len() < a.misses {
                        misses.push(format!("  miss: `{q}` (listed `{}`)", synth[*i].name));
                    }
                }
            }
        }
        misses.extend(weak);
        recall_rows.push((v, queries.len(), strong, possible, top, misses));
    }

    // False positives on unlisted companies: the set the matcher was developed against,
    // and a held-out set written afterwards and run once.
    let unlisted = names_of(include_str!("../data/unlisted-companies.txt"));
    let holdout = names_of(include_str!("../data/unlisted-holdout.txt"));
    let brands = gen::brand_phrases(&synth);
    let fp_sets = [
        false_positives(
            "unlisted companies",
            &unlisted,
            &screener,
            &lists,
            &options,
            &brands,
        ),
        false_positives(
            "held-out unlisted companies",
            &holdout,
            &screener,
            &lists,
            &options,
            &brands,
        ),
    ];

    // Speed: 100,000 parties.
    let countries: Vec<Country> = [
        "CN", "US", "DE", "SG", "MY", "AE", "RU", "IR", "JP", "KR", "HK", "GB",
    ]
    .iter()
    .filter_map(|c| Country::parse(c))
    .collect();
    let mut party_names: Vec<(String, Option<Country>)> = Vec::with_capacity(a.parties);
    while party_names.len() < a.parties {
        let roll = rng.below(10);
        let name = if roll < 3 {
            let v = *rng.pick(variants::ALL);
            let i = rng.below(synth.len());
            match variants::make(v, &synth[i], &mut rng) {
                Some(n) => n,
                None => continue,
            }
        } else if roll < 7 {
            let base = *rng.pick(&unlisted);
            match rng.below(4) {
                0 => base.to_string(),
                1 => base.to_uppercase(),
                2 => format!(
                    "{base} {}",
                    rng.pick(&["Limited", "GmbH", "Inc.", "Pte. Ltd.", "LLC"])
                ),
                _ => format!(
                    "{base} {}",
                    rng.pick(&[
                        "Singapore",
                        "Shenzhen",
                        "Dubai",
                        "Europe",
                        "Japan",
                        "Holdings",
                        "Services"
                    ])
                ),
            }
        } else {
            western(&mut rng)
        };
        let country = if rng.chance(0.5) {
            Some(*rng.pick(&countries))
        } else {
            None
        };
        party_names.push((name, country));
    }
    let parties: Vec<Query<'_>> = party_names
        .iter()
        .map(|(n, c)| Query::name(n).with_country(*c))
        .collect();
    let cpu = cpu_seconds();
    let t = Instant::now();
    let results = screener.screen_all(&parties);
    let screened = t.elapsed();
    let screened_cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
    let load_after = load_average();
    let flagged = results.iter().filter(|r| !r.is_empty()).count();
    let peak = peak_memory_mb();

    println!("## Screening benchmark\n");
    println!(
        "Synthetic CSL: {} entries, {} aliases ({} names), {} distinct tokens, {:.1} MB of JSON; seed {}; {} threads.\n",
        lists[0].entries.len(),
        aliases,
        names,
        tokens,
        bytes as f64 / 1e6,
        a.seed,
        rayon::current_num_threads()
    );
    println!("### Recall (the listed entry among the matches)\n");
    println!("| variant | queries | recall at strong (≥ {}) | recall at possible (≥ {}) | ranked first |", options.strong, options.possible);
    println!("|---|---:|---:|---:|---:|");
    for (v, n, strong, possible, top, _) in &recall_rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            v.label(),
            n,
            pct(*strong, *n),
            pct(*possible, *n),
            pct(*top, *n)
        );
    }
    for fp in &fp_sets {
        fp.print(&options);
    }
    println!("\n### Speed and memory\n");
    println!("| measure | value |");
    println!("|---|---:|");
    println!(
        "| generate the list | {:.0} ms |",
        generated.as_secs_f64() * 1e3
    );
    println!(
        "| read the list (CSL JSON) | {:.0} ms |",
        loaded.as_secs_f64() * 1e3
    );
    println!("| build the index | {:.0} ms |", built.as_secs_f64() * 1e3);
    println!(
        "| build the index, CPU time | {} |",
        built_cpu.map_or("n/a".to_string(), |c| format!("{:.0} ms", c * 1e3))
    );
    println!(
        "| screen {} parties | {:.2} s |",
        parties.len(),
        screened.as_secs_f64()
    );
    println!(
        "| screen {} parties, CPU time (all threads) | {} |",
        parties.len(),
        screened_cpu.map_or("n/a".to_string(), |c| format!("{c:.2} s"))
    );
    println!(
        "| per party | {:.1} µs |",
        screened.as_secs_f64() * 1e6 / parties.len().max(1) as f64
    );
    println!("| parties with a match ≥ possible | {} |", flagged);
    println!(
        "| peak memory (VmHWM) | {} |",
        peak.map_or("n/a".to_string(), |m| format!("{m:.0} MB"))
    );
    println!(
        "| load average before the index, after the screening | {load_before}; {load_after} |"
    );
    for fp in &fp_sets {
        if !fp.lines.is_empty() {
            println!("\nFalse positives at possible, {}:\n", fp.label);
            println!("```text");
            for l in &fp.lines {
                println!("{l}");
            }
            println!("```");
        }
    }
    if a.misses > 0 {
        println!("\nMisses and below-strong hits, by variant:\n");
        println!("```text");
        for (v, _, _, _, _, misses) in &recall_rows {
            if !misses.is_empty() {
                println!("{}:", v.label());
                for m in misses {
                    println!("{m}");
                }
            }
        }
        println!("```");
    }
}
