//! The HTML review record rendered by a real browser: headless Chromium loads the page of
//! every example (and of a file of hostile names), and the rendered DOM must hold every
//! transaction id, the review fields, the pictures, and no element that the files' text tried
//! to inject; the page must also print to PDF.
//!
//! Chromium comes from the distribution's packages (`.ci/run` installs it when absent). Without
//! it the test says so loudly and passes, unless `CHIPGATE_REQUIRE_BROWSER` is set (as CI
//! sets it), when a missing browser is a failure.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

mod common;
use common::{run, scratch};

fn browser() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Runs headless Chromium on a page with `args`, each run with its own profile folder.
fn chromium(browser: &Path, profile: &Path, page: &Path, args: &[&str]) -> String {
    let url = format!("file://{}", page.display());
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            // Nothing may come from the network: the page is self-contained.
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_review_record_renders_in_headless_chromium() {
    let Some(browser) = browser() else {
        if std::env::var_os("CHIPGATE_REQUIRE_BROWSER").is_some() {
            panic!("CHIPGATE_REQUIRE_BROWSER is set but no Chromium was found on PATH (apt-get install chromium)");
        }
        eprintln!();
        eprintln!("!!! ================================================================ !!!");
        eprintln!("!!! SKIPPED: no Chromium on PATH, so the HTML review record was not   !!!");
        eprintln!("!!! rendered in a browser. Install it (apt-get install chromium) or   !!!");
        eprintln!("!!! set CHIPGATE_REQUIRE_BROWSER=1 to make this a failure.            !!!");
        eprintln!("!!! ================================================================ !!!");
        return;
    };
    let dir = scratch("browser");
    let mut examples: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    examples.sort();

    // Every example in one record, as `chipgate check --format html examples/*.yaml` writes it.
    let mut args = vec!["check", "--format", "html"];
    args.extend(examples.iter().map(String::as_str));
    let (code, html, stderr) = run(&args);
    assert!(code == 0 || code == 1, "{stderr}");
    let page = dir.join("examples.html");
    std::fs::write(&page, &html).unwrap();
    let dom = chromium(&browser, &dir.join("profile-1"), &page, &["--dump-dom"]);
    assert!(dom.contains("Export-control review record"), "{dom}");

    let mut json_args = vec!["check", "--format", "json"];
    json_args.extend(examples.iter().map(String::as_str));
    let report: Value = serde_json::from_str(&run(&json_args).1).unwrap();
    let txs = report["transactions"].as_array().unwrap();
    // One section per transaction, in order, each headed by its id and verdict, each with its
    // sign-off fields.
    let sections: Vec<&str> = dom.split("<section class=\"tx\"").skip(1).collect();
    assert_eq!(sections.len(), txs.len(), "one section per transaction");
    for (tx, section) in txs.iter().zip(&sections) {
        let id = tx["id"].as_str().unwrap();
        let verdict = tx["verdict"].as_str().unwrap();
        assert!(
            section.contains(&format!(
                "<h2>{id} <span class=\"verdict v-{verdict}\">{verdict}</span></h2>"
            )),
            "transaction {id} is not in the rendered page"
        );
        for field in ["decision-", "notes-", "reviewer-", "date-"] {
            assert!(
                section.contains(&format!("name=\"{field}")),
                "{id}: no {field} field"
            );
        }
        assert!(section.contains("<svg"), "{id}: no picture");
    }
    assert!(dom.contains(report["ruleset"]["digest"].as_str().unwrap()));

    // Printable: the page prints to a PDF.
    let pdf = dir.join("examples.pdf");
    chromium(
        &browser,
        &dir.join("profile-2"),
        &page,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert!(bytes.len() > 10_000, "a PDF of {} bytes", bytes.len());

    // Hostile names stay text: no element they spell out exists in the rendered page.
    let (_, hostile, stderr) = run(&["check", "--format", "html", "tests/data/html/hostile.yaml"]);
    assert!(!hostile.is_empty(), "{stderr}");
    let page = dir.join("hostile.html");
    std::fs::write(&page, &hostile).unwrap();
    let dom = chromium(&browser, &dir.join("profile-3"), &page, &["--dump-dom"]);
    for element in [
        "<script",
        "<img",
        "<iframe",
        "<b ",
        "onmouseover=\"",
        "onerror=\"",
    ] {
        assert!(!dom.contains(element), "{element} was injected:\n{dom}");
    }
    assert!(!dom.contains("<title>pwned"), "a script ran");
    assert!(
        dom.contains("T1&lt;script&gt;alert(4)&lt;/script&gt;"),
        "the id is shown as text"
    );
    assert!(dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;Shenzhen Buyer"));
    assert!(
        dom.contains("&lt;/svg&gt;&lt;img src=x onerror=alert(2)&gt;"),
        "the owner is drawn, as text"
    );
}
