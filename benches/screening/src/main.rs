//! The screening benchmark (docs/screening.md): a seeded synthetic CSL of 30,000 entries,
//! recall on name variants at the strong and possible thresholds, false positives on real
//! unlisted companies, and the time and memory of screening 100,000 parties.
//!
//! `cargo run --release -- [--entries N] [--parties N] [--samples N] [--seed S]
//! [--write-list PATH] [--misses N] [--explain QUERY]…`; prints a Markdown report (or, with
//! `--explain`, every match of those queries down to a score of 1).

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

fn main() {
    let a = args();
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
    let t = Instant::now();
    let screener = Screener::new(&lists, &options);
    let built = t.elapsed();
    let (_, names, tokens) = screener.size();
    if !a.explain.is_empty() {
        // Every match down to a score of 1, for looking at one query.
        let all = Screener::new(
            &lists,
            &MatchOptions {
                possible: 1.0,
                ..MatchOptions::default()
            },
        );
        for q in &a.explain {
            println!("{q}:");
            for m in all.screen(&Query::name(q)) {
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

    // False positives on unlisted companies.
    let unlisted_text = include_str!("../data/unlisted-companies.txt");
    let unlisted: Vec<&str> = unlisted_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let qs: Vec<Query<'_>> = unlisted.iter().map(|n| Query::name(n)).collect();
    let found = screener.screen_all(&qs);
    let fp_possible = found.iter().filter(|m| !m.is_empty()).count();
    let fp_strong = found
        .iter()
        .filter(|m| m.iter().any(|m| m.score >= options.strong))
        .count();
    let fp_lines: Vec<String> = found
        .iter()
        .filter_map(|m| m.first())
        .map(|m| format!("  {}", describe(m, &lists)))
        .collect();

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
    let t = Instant::now();
    let results = screener.screen_all(&parties);
    let screened = t.elapsed();
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
    println!(
        "\n### False positives on {} unlisted companies\n",
        unlisted.len()
    );
    println!("| threshold | companies matched | rate |");
    println!("|---|---:|---:|");
    println!(
        "| possible (≥ {}) | {} | {} |",
        options.possible,
        fp_possible,
        pct(fp_possible, unlisted.len())
    );
    println!(
        "| strong (≥ {}) | {} | {} |",
        options.strong,
        fp_strong,
        pct(fp_strong, unlisted.len())
    );
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
        "| screen {} parties | {:.2} s |",
        parties.len(),
        screened.as_secs_f64()
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
    if !fp_lines.is_empty() {
        println!("\nFalse positives at possible:\n");
        println!("```text");
        for l in &fp_lines {
            println!("{l}");
        }
        println!("```");
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
