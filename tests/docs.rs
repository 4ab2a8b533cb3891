//! Documents whose command output is generated, not typed: every block
//!
//! ```text
//! <!-- chipgate: classify examples/accelerators.yaml --as-of 2024-06-03 --format markdown -->
//! …output…
//! <!-- /chipgate -->
//! ```
//!
//! in README.md and docs/*.md must equal what the command prints now (stdout, then stderr if
//! any, with `NO_COLOR=1 COLUMNS=100`). The marker's words are the arguments, run from the
//! repository's root, with:
//!
//! - `$ ` before them: the block starts with the command line (`$ chipgate check …`);
//! - a word with `*`: the files it matches, sorted (`examples/*.yaml`);
//! - `| head N` after them: the first N lines, then a line `…`; `| from TEXT`: a line `…`,
//!   then the output from its first line that starts with TEXT;
//! - `/tmp/rules-5000`: a copy of `rules/` with the 3A090 TPP threshold moved from 4800 to
//!   5000 (`cp -r rules /tmp/rules-5000 && sed -i 's/4800/5000/g'
//!   /tmp/rules-5000/ccl/3a090.cg`, as docs/testing-rules.md does it), made in a scratch folder
//!   whose path the output shows as `/tmp/rules-5000`.
//!
//! `verdict-table FILES` is not a command: it is the verdict table of the files
//! (`chipgate::table::VerdictTable`, the snapshot form docs/testing-rules.md describes).
//!
//! Output is fenced as `text` (`dot` or `mermaid` for those formats), except Markdown, which is
//! included as it is. Run `CHIPGATE_BLESS=1 cargo test --test docs` to regenerate the blocks
//! after a deliberate change.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const OPEN: &str = "<!-- chipgate: ";
const CLOSE: &str = "<!-- /chipgate -->";
const RULES_5000: &str = "/tmp/rules-5000";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The copy of the pack with the moved threshold, made once.
fn rules_5000() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("docs-rules-5000");
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&root().join("rules"), &dir);
        let file = dir.join("ccl/3a090.cg");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("4800"), "the threshold the docs move is gone");
        std::fs::write(&file, text.replace("4800", "5000")).unwrap();
        dir
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The files a glob of the form `dir/*.ext` (or `dir/prefix*suffix`) matches, sorted.
fn expand(word: &str) -> Vec<String> {
    let Some((dir, pattern)) = word.rsplit_once('/') else {
        panic!("a glob needs a folder: {word}");
    };
    let (head, tail) = pattern.split_once('*').unwrap();
    let mut out: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with(head) && n.ends_with(tail) && n.len() >= head.len() + tail.len())
        .map(|n| format!("{dir}/{n}"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "{word} matches nothing");
    out
}

fn run(marker: &str) -> String {
    let (echo, marker) = match marker.strip_prefix("$ ") {
        Some(rest) => (true, rest),
        None => (false, marker),
    };
    let (command, head) = match marker.split_once(" | head ") {
        Some((c, n)) => (c, Some(n.trim().parse::<usize>().unwrap())),
        None => (marker, None),
    };
    let (command, from) = match command.split_once(" | from ") {
        Some((c, f)) => (c, Some(f.trim())),
        None => (command, None),
    };
    let scratch = rules_5000().to_string_lossy().to_string();
    let mut args: Vec<String> = Vec::new();
    for word in command.split_whitespace() {
        if word.contains('*') {
            args.extend(expand(word));
        } else {
            args.push(word.replace(RULES_5000, &scratch));
        }
    }
    if args.first().map(String::as_str) == Some("verdict-table") {
        let rules = chipgate::RuleSet::builtin().unwrap();
        let paths: Vec<PathBuf> = args[1..].iter().map(|a| root().join(a)).collect();
        let table =
            chipgate::table::VerdictTable::from_paths(&rules, &paths, &chipgate::Limits::default())
                .unwrap()
                .to_string();
        let prefix = format!("{}/", root().display());
        return format!("```text\n{}```\n", table.replace(&prefix, ""));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_chipgate"))
        .args(&args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let mut text = String::from_utf8(out.stdout).unwrap();
    text.push_str(&String::from_utf8(out.stderr).unwrap());
    let mut text = text.replace(&scratch, RULES_5000);
    if let Some(start) = from {
        let at = text
            .lines()
            .position(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("`{command}` prints no line starting with {start}"));
        let lines: Vec<&str> = text.lines().skip(at).collect();
        text = format!("…\n{}\n", lines.join("\n"));
    }
    if let Some(n) = head {
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > n {
            text = lines[..n].join("\n") + "\n…\n";
        }
    }
    if echo {
        text = format!("$ chipgate {}\n{text}", command.trim());
    }
    // Fenced unless the output is Markdown already.
    let fence = if command.contains("--format markdown") {
        return text;
    } else if command.contains("--format dot") {
        "dot"
    } else if command.contains("--format mermaid") {
        "mermaid"
    } else {
        "text"
    };
    format!("```{fence}\n{text}```\n")
}

fn regenerate(doc: &str) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(start) = rest.find(OPEN) {
        let after_open = &rest[start + OPEN.len()..];
        let end_of_marker = after_open.find("-->").unwrap();
        let args = after_open[..end_of_marker].trim();
        let body_start = start + OPEN.len() + end_of_marker + 3;
        let close = rest[body_start..]
            .find(CLOSE)
            .unwrap_or_else(|| panic!("unclosed block for `{args}`"));
        out.push_str(&rest[..body_start]);
        out.push('\n');
        out.push_str(&run(args));
        out.push_str(CLOSE);
        rest = &rest[body_start + close + CLOSE.len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn generated_blocks_are_current() {
    let root = root();
    let mut docs = vec![root.join("README.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push(p);
        }
    }
    let bless = std::env::var_os("CHIPGATE_BLESS").is_some();
    let mut stale = Vec::new();
    for path in docs {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !text.contains(OPEN) {
            continue;
        }
        let fresh = regenerate(&text);
        if fresh != text {
            if bless {
                std::fs::write(&path, fresh).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(stale.is_empty(), "generated blocks are out of date in {stale:?}: run CHIPGATE_BLESS=1 cargo test --test docs");
}

/// The pages that show command output show only generated output: every fenced block that
/// starts with `$ chipgate` is inside a generated block, so none can drift. (Blocks that only
/// name commands, without output, are usage, not output.)
#[test]
fn shown_outputs_are_all_generated() {
    for page in ["README.md", "docs/cli.md", "docs/testing-rules.md"] {
        let text = std::fs::read_to_string(root().join(page)).unwrap();
        let mut inside = false;
        let mut typed = Vec::new();
        let mut lines = text.lines().enumerate().peekable();
        while let Some((i, line)) = lines.next() {
            if line.starts_with(OPEN) {
                inside = true;
            } else if line.starts_with(CLOSE) {
                inside = false;
            } else if !inside && line.starts_with("```") {
                // A fence outside a generated block: its first line may not be a command
                // followed by output.
                let mut body = Vec::new();
                for (_, l) in lines.by_ref() {
                    if l.starts_with("```") {
                        break;
                    }
                    body.push(l);
                }
                let commands = body.iter().filter(|l| l.starts_with("$ chipgate")).count();
                let output = body
                    .iter()
                    .filter(|l| !l.starts_with('$') && !l.trim().is_empty())
                    .count();
                if commands > 0 && output > 0 {
                    typed.push(format!("{page}:{}", i + 1));
                }
            }
        }
        assert!(
            typed.is_empty(),
            "typed command output (not generated) at {typed:?}"
        );
    }
}
