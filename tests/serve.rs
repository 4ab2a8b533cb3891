//! `chipgate serve`, run as the real binary on a loopback port and spoken to over HTTP
//! (docs/service.md). The service must give the command's own bytes for the same input (every
//! example, every case of the pack), refuse every hostile input of `tests/refusals/` with a
//! 4xx and the command's diagnostics, keep its rule set when a reload fails, log every
//! decision it answered even when killed with SIGKILL, and give concurrent clients the same
//! answers.
//!
//! Each test starts its own server with `--listen 127.0.0.1:0` and reads the bound address
//! from the line the server prints on stderr.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A running `chipgate serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    stderr: mpsc::Receiver<String>,
}

fn spawn(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chipgate"));
    command
        .arg("serve")
        .arg("--listen")
        .arg("127.0.0.1:0")
        .args(args)
        .current_dir(dir)
        .env_remove("CHIPGATE_TOKEN")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().unwrap()
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::start_in(args, &[], Path::new(ROOT))
    }

    fn start_in(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Server {
        let server = Server::listening(args, env, dir);
        server.wait_ready();
        server
    }

    /// Started and listening, the rules perhaps still loading.
    fn listening(args: &[&str], env: &[(&str, &str)], dir: &Path) -> Server {
        let mut child = spawn(args, env, dir);
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let addr = loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("the server printed no address ({args:?})"));
            if let Some(a) = line.split("listening on http://").nth(1) {
                break a.trim().to_string();
            }
        };
        Server {
            child,
            addr,
            stderr: rx,
        }
    }

    fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.get("/health").0 == 200 {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the server never became ready");
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn get(&self, path: &str) -> (u16, String) {
        answer(ureq::get(&self.url(path)).call())
    }

    fn post(&self, path: &str, body: &[u8], content_type: Option<&str>) -> (u16, String) {
        let mut request = ureq::post(&self.url(path));
        if let Some(t) = content_type {
            request = request.set("Content-Type", t);
        }
        answer(request.send_bytes(body))
    }

    fn post_with(&self, path: &str, body: &[u8], headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = ureq::post(&self.url(path));
        for (k, v) in headers {
            request = request.set(k, v);
        }
        answer(request.send_bytes(body))
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Stderr lines printed so far.
    fn stderr_lines(&self) -> Vec<String> {
        self.stderr.try_iter().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn answer(result: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    let text = |r: ureq::Response| {
        let mut s = String::new();
        r.into_reader().read_to_string(&mut s).unwrap();
        s
    };
    match result {
        Ok(r) => (r.status(), text(r)),
        Err(ureq::Error::Status(code, r)) => (code, text(r)),
        Err(e) => panic!("transport error: {e}"),
    }
}

fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("examples"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("examples/{n}"))
        .collect();
    names.sort();
    assert!(names.len() >= 5);
    names
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join(path)).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("serve")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn transaction_ids(report: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(report).unwrap();
    v["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn answers_equal_the_command_on_every_example() {
    let server = Server::start(&[]);
    for name in examples() {
        let body = read(&name);
        let q = query_escape(&name);
        let (code, cli, _) = common::run(&["check", "--format", "json", &name]);
        assert!(code <= 1, "{name}: the command exited {code}");
        let (status, served) = server.post(&format!("/v1/check?name={q}"), &body, None);
        assert_eq!(status, 200, "{name}: {served}");
        assert_eq!(
            served, cli,
            "{name}: /v1/check differs from check --format json"
        );

        let (_, cli, _) =
            common::run(&["check", "--format", "json", "--as-of", "2024-01-05", &name]);
        let (_, served) = server.post(
            &format!("/v1/check?name={q}&as_of=2024-01-05"),
            &body,
            Some("application/yaml"),
        );
        assert_eq!(served, cli, "{name}: ?as_of differs from --as-of");

        for id in transaction_ids(&cli) {
            let (_, cli, _) = common::run(&["explain", "--format", "json", "-t", &id, &name]);
            let (status, served) = server.post(
                &format!("/v1/explain?name={q}&id={}", query_escape(&id)),
                &body,
                None,
            );
            assert_eq!(status, 200, "{name} {id}: {served}");
            assert_eq!(served, cli, "{name} {id}: /v1/explain differs from explain");
        }

        let (_, cli, _) = common::run(&["classify", "--format", "json", &name]);
        let (status, served) = server.post(&format!("/v1/classify?name={q}"), &body, None);
        assert_eq!(status, 200, "{name}: {served}");
        assert_eq!(served, cli, "{name}: /v1/classify differs from classify");
    }
}

/// JSON bodies (`Content-Type: application/json`, or sniffed) answer as the command does on
/// the same JSON file.
#[test]
fn json_bodies_answer_as_the_command_on_the_json_file() {
    let server = Server::start(&[]);
    let dir = scratch("json");
    for name in examples() {
        let value: serde_yaml::Value = serde_yaml::from_slice(&read(&name)).unwrap();
        let json = serde_json::to_string_pretty(&value).unwrap();
        let file = dir
            .join(Path::new(&name).file_name().unwrap())
            .with_extension("json");
        std::fs::write(&file, &json).unwrap();
        let path = file.to_str().unwrap();
        let (code, cli, err) = common::run(&["check", "--format", "json", path]);
        assert!(code <= 1, "{name}: {err}");
        let q = query_escape(path);
        let (status, declared) = server.post(
            &format!("/v1/check?name={q}"),
            json.as_bytes(),
            Some("application/json"),
        );
        assert_eq!(status, 200, "{declared}");
        assert_eq!(declared, cli, "{name} as JSON");
        let (_, sniffed) = server.post(&format!("/v1/check?name={q}"), json.as_bytes(), None);
        assert_eq!(sniffed, cli, "{name} as JSON, sniffed");
    }
    // A JSON body that does not parse is told about in JSON's terms, with its position.
    let (status, body) = server.post("/v1/check", b"{\n  \"parties\": [\n    {\"id\": }\n", None);
    assert_eq!(status, 400, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let e = &v["errors"][0];
    assert_eq!(e["code"], "facts::json-syntax", "{body}");
    assert_eq!(
        (e["line"].as_u64(), e["column"].as_u64()),
        (Some(3), Some(12)),
        "{body}"
    );
    assert_eq!(e["file"], "request");
    assert!(e["help"].is_string());
}

/// The pack's cases (`rules/tests/*.yaml`) hold their transaction file under `facts:`; it is
/// written out and checked by both, on the case's `as_of` when it has one. (No case there
/// uses `facts_file`.)
#[test]
fn answers_equal_the_command_on_the_pack_cases() {
    let server = Server::start(&[]);
    let dir = scratch("cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("rules/tests"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10);
    let mut judged = 0;
    for case in cases {
        let doc: serde_yaml::Value =
            serde_yaml::from_slice(&std::fs::read(&case).unwrap()).unwrap();
        let Some(facts) = doc.get("facts") else {
            continue;
        };
        // A case that screens against lists is judged by a service started with them
        // (`screening_answers_equal_the_command`): this one has none.
        if doc.get("screening").is_some() {
            continue;
        }
        let as_of = doc
            .get("as_of")
            .and_then(|d| d.as_str())
            .map(str::to_string);
        let file = dir.join(case.file_name().unwrap());
        std::fs::write(&file, serde_yaml::to_string(facts).unwrap()).unwrap();
        let path = file.to_str().unwrap();
        let mut args = vec!["check", "--format", "json"];
        let mut query = format!("/v1/check?name={}", query_escape(path));
        if let Some(d) = &as_of {
            args.extend(["--as-of", d.as_str()]);
            query.push_str(&format!("&as_of={d}"));
        }
        args.push(path);
        let (code, cli, err) = common::run(&args);
        let (status, served) = server.post(&query, &std::fs::read(&file).unwrap(), None);
        if code == 2 {
            assert!(
                (400..500).contains(&status),
                "{path}: {status} {served}\n{err}"
            );
        } else {
            assert_eq!(status, 200, "{path}: {served}");
            assert_eq!(served, cli, "{}: served and command differ", case.display());
            judged += 1;
            // /v1/explain takes the case itself, as `chipgate explain` does (its `as_of`
            // applies).
            let name = format!(
                "rules/tests/{}",
                case.file_name().unwrap().to_str().unwrap()
            );
            let id = transaction_ids(&cli).into_iter().next().unwrap();
            let (_, cli, _) = common::run(&["explain", "--format", "json", "-t", &id, &name]);
            let (status, served) = server.post(
                &format!(
                    "/v1/explain?name={}&id={}",
                    query_escape(&name),
                    query_escape(&id)
                ),
                &read(&name),
                None,
            );
            assert_eq!(status, 200, "{name} {id}: {served}");
            assert_eq!(served, cli, "{name} {id}: /v1/explain of the case differs");
        }
    }
    assert!(judged >= 10, "only {judged} cases judged");
}

/// A refusal case's extra flags (`NAME.args` without `check` and `{}`), and whether it is a
/// rule file.
fn refusal_cases() -> Vec<(PathBuf, Vec<String>)> {
    let dir = Path::new(ROOT).join("tests/refusals");
    let mut cases: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "args"))
        .collect();
    entries.sort();
    for case in entries {
        let args_file = case.with_extension("args");
        let flags: Vec<String> = if args_file.exists() {
            std::fs::read_to_string(&args_file)
                .unwrap()
                .lines()
                .filter(|l| {
                    *l != "check" && *l != "{}" && *l != "--rules" && !l.starts_with("support/")
                })
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        // The service reads no facts file (docs/service.md): the cases that need one are the
        // command's alone.
        if flags.iter().any(|f| f == "--facts") {
            continue;
        }
        cases.push((case, flags));
    }
    cases
}

/// The command's diagnostics for a refusal case, as (code, "file:line:col") pairs.
fn command_refusal(case: &Path) -> String {
    let name = case.file_name().unwrap().to_str().unwrap();
    let args_file = case.with_extension("args");
    let args: Vec<String> = if args_file.exists() {
        std::fs::read_to_string(&args_file)
            .unwrap()
            .lines()
            .map(|l| l.replace("{}", name))
            .collect()
    } else if name.ends_with(".cg") {
        ["check", "--rules", name, "support/ok.yaml"]
            .map(String::from)
            .to_vec()
    } else {
        vec!["check".into(), name.into()]
    };
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, stderr) = common::run_in(case.parent().unwrap(), &args);
    assert_eq!(code, 2, "{name}: the command did not refuse it");
    stderr
}

fn assert_errors_match_command(name: &str, body: &str, command_stderr: &str) {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("{name}: not JSON: {body}"));
    let errors = v["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{name}: {body}"));
    assert!(!errors.is_empty(), "{name}: no errors");
    for e in errors {
        let code = e["code"].as_str().unwrap();
        assert!(e["message"].is_string());
        assert!(
            command_stderr.contains(code),
            "{name}: code {code} is not the command's:\n{command_stderr}"
        );
        if let (Some(file), Some(line), Some(col)) =
            (e["file"].as_str(), e["line"].as_u64(), e["column"].as_u64())
        {
            let file = Path::new(file).file_name().unwrap().to_str().unwrap();
            let at = format!("{file}:{line}:{col}]");
            assert!(
                command_stderr.contains(&at),
                "{name}: {at} is not where the command points:\n{command_stderr}"
            );
        }
    }
}

/// Every hostile transaction file of `tests/refusals/` gets a 4xx with the command's codes and
/// positions, from a server started with the case's limit flags. (`missing-file` names a path,
/// which a request cannot do: nothing to send.) The rule-file cases are in
/// [`hostile_rule_files_are_refused_by_reload`].
#[test]
fn hostile_inputs_get_their_4xx() {
    let mut by_flags: BTreeMap<Vec<String>, Vec<PathBuf>> = BTreeMap::new();
    for (case, flags) in refusal_cases() {
        if case.extension().is_some_and(|e| e == "cg") {
            continue;
        }
        by_flags.entry(flags).or_default().push(case);
    }
    let mut seen = 0;
    for (flags, cases) in by_flags {
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let server = Server::start(&flags);
        for case in cases {
            let name = case.file_name().unwrap().to_str().unwrap();
            let stderr = command_refusal(&case);
            let (status, body) = server.post(
                &format!("/v1/check?name={}", query_escape(name)),
                &std::fs::read(&case).unwrap(),
                None,
            );
            let expected = if stderr.contains("input::too-large") {
                413
            } else if stderr.contains("check::limit") {
                422
            } else {
                400
            };
            assert_eq!(status, expected, "{name} ({flags:?}): {body}");
            assert_errors_match_command(name, &body, &stderr);
            seen += 1;
        }
    }
    assert!(seen >= 20, "only {seen} hostile files");
}

/// The hostile rule files: a server whose rule file is replaced by one of them and reloaded
/// answers 422 with the command's diagnostics and keeps its rule set.
#[test]
fn hostile_rule_files_are_refused_by_reload() {
    let refusals = Path::new(ROOT).join("tests/refusals");
    let mut seen = 0;
    for (case, flags) in refusal_cases() {
        if case.extension().is_none_or(|e| e != "cg") {
            continue;
        }
        let name = case.file_name().unwrap().to_str().unwrap();
        let dir = scratch(&format!("rules-{name}"));
        std::fs::create_dir_all(dir.join("support")).unwrap();
        for f in std::fs::read_dir(refusals.join("support")).unwrap() {
            let f = f.unwrap().path();
            std::fs::copy(&f, dir.join("support").join(f.file_name().unwrap())).unwrap();
        }
        std::fs::write(dir.join(name), "law x \"X\"\n").unwrap();
        let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
        args.extend(["--rules", name]);
        let server = Server::start_in(&args, &[], &dir);
        let (_, before) = server.get("/health");
        std::fs::copy(&case, dir.join(name)).unwrap();
        let (status, body) = server.post("/v1/reload", b"", None);
        assert_eq!(status, 422, "{name}: {body}");
        assert_errors_match_command(name, &body, &command_refusal(&case));
        assert_eq!(
            server.get("/health"),
            (200, before),
            "{name}: the rule set changed"
        );
        if !flags.iter().any(|f| f == "--max-file-bytes") {
            let (status, _) =
                server.post("/v1/check", &read("tests/refusals/support/ok.yaml"), None);
            assert_eq!(status, 200, "{name}: not serving after the failed reload");
        }
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} rule files");
}

/// The service listens while its rules compile: until they are in, `/health` and the
/// endpoints answer 503. (20,000 rules take seconds to compile in a debug build.)
#[test]
fn health_is_503_until_the_rules_are_loaded() {
    let dir = scratch("slow-rules");
    let mut text = String::from("law x \"X\"\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "rule x.r{i} {{\n  title \"t{i}\"\n  law x\n  cite \"c\"\n  effective 2024-01-01\n  on export\n  when item.tpp > {i}\n  outcome warning\n}}\n"
        ));
    }
    let rules = dir.join("many.cg");
    std::fs::write(&rules, text).unwrap();
    let server = Server::listening(
        &[
            "--rules",
            rules.to_str().unwrap(),
            "--max-rule-declarations",
            "30000",
        ],
        &[],
        Path::new(ROOT),
    );
    let (status, body) = server.get("/health");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("\"status\":\"loading\""), "{body}");
    let (status, body) = server.post("/v1/check", &read("examples/sg-subsidiary.yaml"), None);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("serve::not-ready"), "{body}");
    server.wait_ready();
    let (status, body) = server.post("/v1/check", &read("examples/sg-subsidiary.yaml"), None);
    assert_eq!(status, 200, "{body}");
}

/// Rules that do not compile at start-up: the service does not start (exit 2, diagnostics).
#[test]
fn a_service_whose_rules_do_not_compile_does_not_start() {
    let child = spawn(
        &["--rules", "tests/refusals/garbage.cg"],
        &[],
        Path::new(ROOT),
    );
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("garbage.cg:"), "{stderr}");
}

#[test]
fn requests_that_are_not_transaction_files_are_refused_with_4xx() {
    let server = Server::start(&[
        "--max-file-bytes",
        "2000",
        "--body-timeout",
        "1",
        "--header-timeout",
        "1",
    ]);
    let ok = read("examples/sg-subsidiary.yaml");
    // Over the limit: by Content-Length, and chunked (no length given).
    let (status, body) = server.post("/v1/check", &vec![b'#'; 5000], None);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("input::too-large"));
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let chunk = "#".repeat(1500);
    write!(
        stream,
        "POST /v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{chunk}\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n",
        chunk.len(),
        chunk.len()
    )
    .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 413");
    // A chunked body whose framing is broken.
    let mut broken = TcpStream::connect(&server.addr).unwrap();
    write!(
        broken,
        "POST /v1/check HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nparties:\r\n0\r\n\r\n"
    )
    .unwrap();
    broken
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = broken.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("serve::body-unreadable"), "{answer}");
    // Bad queries, and a case that names a file for the service to read.
    let case =
        b"description: a case\nfacts_file: ../../etc/passwd\nexpect:\n  T1: { verdict: allowed }\n";
    for (path, body, expect, code) in [
        (
            "/v1/check?as_of=2025-13-01",
            &ok[..],
            400,
            "serve::bad-query",
        ),
        ("/v1/check?asof=2025-01-01", &ok, 400, "serve::bad-query"),
        ("/v1/check?name=", &ok, 400, "serve::bad-query"),
        ("/v1/explain", &ok, 400, "serve::bad-query"),
        (
            "/v1/explain?id=NOPE",
            &ok,
            404,
            "explain::unknown-transaction",
        ),
        ("/v1/explain?id=T1", case, 400, "serve::facts-file"),
        ("/v1/nothing", &ok, 404, "serve::not-found"),
    ] {
        let (status, body) = server.post(path, body, None);
        assert_eq!(status, expect, "{path}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["errors"][0]["code"], code, "{path}: {body}");
    }
    let (status, _) = server.get("/v1/check");
    assert_eq!(status, 405);
    // A client that stalls in the body gets 408 after --body-timeout; one that stalls in the
    // headers is cut off after --header-timeout. Neither holds up the others.
    let mut stalled = TcpStream::connect(&server.addr).unwrap();
    write!(
        stalled,
        "POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nparties:"
    )
    .unwrap();
    let mut slow_headers = TcpStream::connect(&server.addr).unwrap();
    write!(slow_headers, "POST /v1/check HTTP/1.1\r\nHost: x\r\n").unwrap();
    let started = Instant::now();
    assert_eq!(server.post("/v1/check", &ok, None).0, 200);
    assert!(started.elapsed() < Duration::from_millis(900));
    stalled
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = stalled.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("serve::timeout"), "{answer}");
    slow_headers
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut rest = Vec::new();
    // Closed by the server (end of stream), not left open until our read timeout.
    assert!(
        slow_headers.read_to_end(&mut rest).is_ok(),
        "the stalled connection stayed open"
    );
    assert!(started.elapsed() < Duration::from_secs(8));
    // Still serving.
    assert_eq!(server.post("/v1/check", &ok, None).0, 200);
}

#[test]
fn the_token_guards_every_endpoint_but_health() {
    let dir = scratch("token");
    std::fs::write(dir.join("token"), "s3cret-token\n").unwrap();
    let token_file = dir.join("token");
    let from_file = Server::start(&["--token-file", token_file.to_str().unwrap()]);
    let from_env = Server::start_in(&[], &[("CHIPGATE_TOKEN", "env-token")], Path::new(ROOT));
    let ok = read("examples/sg-subsidiary.yaml");
    for (server, token) in [(&from_file, "s3cret-token"), (&from_env, "env-token")] {
        assert_eq!(server.get("/health").0, 200);
        assert_eq!(server.get("/metrics").0, 401);
        for path in [
            "/v1/check",
            "/v1/classify",
            "/v1/reload",
            "/v1/explain?id=T1",
        ] {
            let (status, body) = server.post(path, &ok, None);
            assert_eq!(status, 401, "{path}: {body}");
            assert!(body.contains("serve::unauthorized"));
            let wrong = server.post_with(path, &ok, &[("Authorization", "Bearer nope")]);
            assert_eq!(wrong.0, 401, "{path}");
            let bearer = format!("Bearer {token}");
            let right = server.post_with(path, &ok, &[("Authorization", &bearer)]);
            assert_eq!(right.0, 200, "{path}: {}", right.1);
        }
    }
}

/// A copy of the pack in a scratch folder, to break and mend.
fn pack_copy(name: &str) -> PathBuf {
    let dir = scratch(name).join("rules");
    copy_tree(&Path::new(ROOT).join("rules"), &dir);
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

fn digest_of_health(server: &Server) -> String {
    let (status, body) = server.get("/health");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["ruleset"]["digest"].as_str().unwrap().to_string()
}

#[test]
fn a_broken_reload_keeps_the_old_rules_and_returns_the_diagnostics() {
    let rules = pack_copy("reload");
    let server = Server::start(&["--rules", rules.to_str().unwrap()]);
    let body = read("examples/sg-subsidiary.yaml");
    let (_, before) = server.post("/v1/check", &body, None);
    let digest = digest_of_health(&server);

    let broken = rules.join("ear/advanced-computing.cg");
    let good = std::fs::read_to_string(&broken).unwrap();
    std::fs::write(
        &broken,
        format!("{good}\nrule broken.rule {{\n  title \"t\"\n  when item.nonsense > 1\n}}\n"),
    )
    .unwrap();
    let (status, errors) = server.post("/v1/reload", b"", None);
    assert_eq!(status, 422, "{errors}");
    let v: serde_json::Value = serde_json::from_str(&errors).unwrap();
    let first = &v["errors"][0];
    assert!(
        first["file"]
            .as_str()
            .unwrap()
            .ends_with("advanced-computing.cg"),
        "{errors}"
    );
    assert!(
        first["line"].as_u64().unwrap() > good.lines().count() as u64,
        "{errors}"
    );
    assert_eq!(digest_of_health(&server), digest);
    assert_eq!(server.post("/v1/check", &body, None).1, before);

    // Mended, with a change: the new set is in use (POST), and again after SIGHUP.
    std::fs::write(
        &broken,
        format!("{good}\n// a comment changes the digest\n"),
    )
    .unwrap();
    let (status, reloaded) = server.post("/v1/reload", b"", None);
    assert_eq!(status, 200, "{reloaded}");
    let changed = digest_of_health(&server);
    assert_ne!(changed, digest);
    assert!(reloaded.contains(&changed));
    std::fs::write(&broken, &good).unwrap();
    server.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(20);
    while digest_of_health(&server) != digest {
        assert!(Instant::now() < deadline, "SIGHUP did not reload");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (_, metrics) = server.get("/metrics");
    assert!(
        metrics.contains("chipgate_rule_reloads_total{result=\"failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("chipgate_rule_reloads_total{result=\"ok\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!("chipgate_ruleset_info{{digest=\"{digest}\"")),
        "{metrics}"
    );
}

/// A request judged while a reload swaps the rules in finishes with the set it started with.
#[test]
fn requests_in_flight_keep_the_rules_they_started_with() {
    let rules = pack_copy("in-flight");
    let server = Server::start(&["--rules", rules.to_str().unwrap()]);
    let old = digest_of_health(&server);
    let base =
        std::fs::read_to_string(Path::new(ROOT).join("examples/sg-subsidiary.yaml")).unwrap();
    let (head, tx) = base.split_once("transactions:\n").unwrap();
    let mut big = format!("{head}transactions:\n");
    for i in 0..1500 {
        big.push_str(&tx.replace("id: T1", &format!("id: T{i}")));
    }
    let url = server.url("/v1/check");
    let request = std::thread::spawn(move || answer(ureq::post(&url).send_bytes(big.as_bytes())));
    std::thread::sleep(Duration::from_millis(100));
    let changed = rules.join("ear/advanced-computing.cg");
    let text = std::fs::read_to_string(&changed).unwrap();
    std::fs::write(
        &changed,
        format!("{text}\n// changed while a request was in flight\n"),
    )
    .unwrap();
    assert_eq!(server.post("/v1/reload", b"", None).0, 200);
    let new = digest_of_health(&server);
    assert_ne!(new, old);
    let (status, body) = request.join().unwrap();
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["ruleset"]["digest"], old.as_str());
    let (_, after) = server.post("/v1/check", &read("examples/sg-subsidiary.yaml"), None);
    assert!(after.contains(&new));
}

#[test]
fn metrics_count_requests_verdicts_and_the_rule_set() {
    let server = Server::start(&[]);
    let ok = read("examples/sg-subsidiary.yaml");
    for _ in 0..3 {
        assert_eq!(server.post("/v1/check", &ok, None).0, 200);
    }
    assert_eq!(server.post("/v1/check", b"parties: [", None).0, 400);
    // Explaining judges the transaction: one more decision.
    assert_eq!(server.post("/v1/explain?id=T1", &ok, None).0, 200);
    let (status, metrics) = server.get("/metrics");
    assert_eq!(status, 200);
    let digest = digest_of_health(&server);
    for line in [
        "chipgate_http_requests_total{endpoint=\"check\",status=\"200\"} 3".to_string(),
        "chipgate_http_requests_total{endpoint=\"check\",status=\"400\"} 1".to_string(),
        "chipgate_decisions_total{verdict=\"license_required\"} 4".to_string(),
        format!("chipgate_ruleset_info{{digest=\"{digest}\",rules=\"35\"}} 1"),
        "chipgate_http_request_duration_seconds_count{endpoint=\"check\"} 4".to_string(),
        "chipgate_panics_total 0".to_string(),
        "# TYPE chipgate_rules_load_seconds gauge".to_string(),
    ] {
        let line = if line.contains("rules=\"35\"") {
            // The pack's size is the pack's business: match up to the count.
            line.split(",rules=").next().unwrap().to_string()
        } else {
            line
        };
        assert!(metrics.contains(&line), "no `{line}` in:\n{metrics}");
    }
}

/// The decision log holds, for each request, exactly the lines `check --format jsonl` writes:
/// every transaction `/v1/check` judged, and the one each `/v1/explain` judged.
#[test]
fn the_decision_log_holds_the_commands_records() {
    let dir = scratch("log");
    let log = dir.join("decisions.jsonl");
    let server = Server::start(&["--decision-log", log.to_str().unwrap()]);
    let mut expected = String::new();
    for name in examples() {
        let (_, records, _) = common::run(&["check", "--format", "jsonl", &name]);
        expected.push_str(&records);
        let (status, _) = server.post(
            &format!("/v1/check?name={}", query_escape(&name)),
            &read(&name),
            None,
        );
        assert_eq!(status, 200);
    }
    // Explaining a transaction judges it: its record is the one `check` writes for it, on
    // the same date.
    let name = "examples/nac-notification.yaml";
    let (_, records, _) =
        common::run(&["check", "--format", "jsonl", "--as-of", "2024-01-05", name]);
    let n2 = records
        .lines()
        .find(|l| l.contains("\"id\":\"N2\""))
        .unwrap_or_else(|| panic!("no record of N2 in:\n{records}"));
    expected.push_str(n2);
    expected.push('\n');
    let (status, body) = server.post(
        &format!(
            "/v1/explain?id=N2&as_of=2024-01-05&name={}",
            query_escape(name)
        ),
        &read(name),
        None,
    );
    assert_eq!(status, 200, "{body}");
    // Refused requests log nothing (a bad file, an id the file does not have); classify
    // judges no transaction.
    assert_eq!(server.post("/v1/check", b"parties: [", None).0, 400);
    assert_eq!(server.post("/v1/explain?id=T9", &read(name), None).0, 404);
    assert_eq!(server.post("/v1/classify", &read(name), None).0, 200);
    assert_eq!(std::fs::read_to_string(&log).unwrap(), expected);
}

/// SIGKILL during a stream of requests: every decision a client got a 200 for is in the log,
/// and every line in it is a whole record.
#[test]
fn kill_9_loses_no_answered_decision() {
    let dir = scratch("kill");
    let log = dir.join("decisions.jsonl");
    let mut server = Server::start(&["--decision-log", log.to_str().unwrap()]);
    let body = read("examples/nac-notification.yaml"); // two transactions a request
    let addr = server.addr.clone();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let (addr, body, stop) = (addr.clone(), body.clone(), std::sync::Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut answered = 0u64;
                let deadline = Instant::now() + Duration::from_secs(30);
                while Instant::now() < deadline && !stop.load(std::sync::atomic::Ordering::Relaxed)
                {
                    match ureq::post(&format!("http://{addr}/v1/check")).send_bytes(&body) {
                        Ok(r) if r.status() == 200 => {
                            if r.into_string().is_err() {
                                break;
                            }
                            answered += 1;
                        }
                        _ => break,
                    }
                }
                answered
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answered: u64 = clients.into_iter().map(|c| c.join().unwrap()).sum();
    assert!(answered > 10, "only {answered} answers before the kill");
    let text = std::fs::read_to_string(&log).unwrap();
    let whole = text
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
        .count() as u64;
    let lines = text.lines().count() as u64;
    assert!(lines - whole <= 1, "more than the last line is broken");
    assert!(
        whole >= answered * 2,
        "{answered} answers (×2 decisions) but {whole} records"
    );
    // A restarted server appends after what is there, on a line of its own.
    let restarted = Server::start(&["--decision-log", log.to_str().unwrap()]);
    assert_eq!(restarted.post("/v1/check", &body, None).0, 200);
    let after = std::fs::read_to_string(&log).unwrap();
    let last_two: Vec<&str> = after.lines().rev().take(2).collect();
    for l in last_two {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
}

#[test]
fn concurrent_clients_get_identical_answers() {
    let dir = scratch("concurrent");
    let log = dir.join("decisions.jsonl");
    let server = Server::start(&["--decision-log", log.to_str().unwrap()]);
    let bodies: Vec<(String, Vec<u8>)> = examples()
        .into_iter()
        .map(|n| (n.clone(), read(&n)))
        .collect();
    let expected: Vec<String> = bodies
        .iter()
        .map(|(n, b)| {
            server
                .post(&format!("/v1/check?name={}", query_escape(n)), b, None)
                .1
        })
        .collect();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (addr, bodies, expected) = (server.addr.clone(), bodies.clone(), expected.clone());
            std::thread::spawn(move || {
                for i in 0..30 {
                    let k = (t + i) % bodies.len();
                    let (name, body) = &bodies[k];
                    let url = format!("http://{addr}/v1/check?name={}", query_escape(name));
                    let got = ureq::post(&url)
                        .send_bytes(body)
                        .unwrap()
                        .into_string()
                        .unwrap();
                    assert_eq!(got, expected[k], "{name}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // 8 × 30 requests plus the first round, and no line cut into by another.
    let text = std::fs::read_to_string(&log).unwrap();
    for l in text.lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
}

/// SIGTERM while a large request is being judged: it is answered, then the server exits 0.
#[test]
fn sigterm_finishes_the_requests_in_flight() {
    let server = Server::start(&[]);
    let base =
        std::fs::read_to_string(Path::new(ROOT).join("examples/sg-subsidiary.yaml")).unwrap();
    let (head, tx) = base.split_once("transactions:\n").unwrap();
    let mut big = format!("{head}transactions:\n");
    for i in 0..1500 {
        big.push_str(&tx.replace("id: T1", &format!("id: T{i}")));
    }
    let url = server.url("/v1/check");
    let request = std::thread::spawn(move || {
        let started = Instant::now();
        let r = answer(ureq::post(&url).send_bytes(big.as_bytes()));
        (r, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(150));
    server.signal("TERM");
    let ((status, body), _took) = request.join().unwrap();
    assert_eq!(status, 200, "{}", &body[..body.len().min(500)]);
    assert_eq!(transaction_ids(&body).len(), 1500);
    let mut server = server;
    let exit = server.child.wait().unwrap();
    assert_eq!(exit.code(), Some(0));
    let lines = server.stderr_lines().join("\n");
    assert!(
        lines.contains("shutting down") || lines.is_empty(),
        "{lines}"
    );
}

/// A service started with `--screening` screens every body's parties as `check
/// --screening` does, and `/v1/screen` answers as `chipgate screen --format json`; without
/// lists, `/v1/screen` is a 404 that says how to load them.
#[test]
fn screening_answers_equal_the_command() {
    let lists = [
        "--screening",
        "pack",
        "--screening",
        "examples/lists/csl-sample.json",
    ];
    let server = Server::start(&lists);
    let name = "examples/screening.yaml";
    let body = read(name);
    let q = query_escape(name);
    let mut args = vec!["check", "--format", "json"];
    args.extend(lists);
    args.push(name);
    let (code, cli, err) = common::run(&args);
    assert_eq!(code, 1, "{err}");
    assert!(cli.contains("\"indeterminate\""), "{cli}");
    let (status, served) = server.post(&format!("/v1/check?name={q}"), &body, None);
    assert_eq!(status, 200, "{served}");
    assert_eq!(
        served, cli,
        "/v1/check with lists differs from check --screening"
    );

    let (_, cli, _) = common::run(&[
        "screen",
        "--format",
        "json",
        "--list",
        "pack",
        "--list",
        "examples/lists/csl-sample.json",
        name,
    ]);
    let (status, served) = server.post(&format!("/v1/screen?name={q}"), &body, None);
    assert_eq!(status, 200, "{served}");
    assert_eq!(served, cli, "/v1/screen differs from screen --format json");

    let bare = Server::start(&[]);
    let (status, served) = bare.post(&format!("/v1/screen?name={q}"), &body, None);
    assert_eq!(status, 404, "{served}");
    assert!(served.contains("--screening"), "{served}");
    // A case naming lists is refused: the service reads no file a request names.
    let case = read("rules/tests/screening.yaml");
    let (status, served) = server.post("/v1/explain?name=case.yaml&id=SC1", &case, None);
    assert_eq!(status, 400, "{served}");
}

/// A service started with `--facts` reads bodies that name the facts files' parties and items
/// (a JSON Lines order, here) as `check --facts` does.
#[test]
fn facts_files_answer_as_the_command() {
    let facts = "examples/orders/master.yaml";
    let name = "examples/orders/orders.jsonl";
    let server = Server::start(&["--facts", facts]);
    let (code, cli, err) = common::run(&["check", "--format", "json", "--facts", facts, name]);
    assert!(code <= 1, "{err}");
    let (status, served) = server.post(
        &format!("/v1/check?name={}", query_escape(name)),
        &read(name),
        None,
    );
    assert_eq!(status, 200, "{served}");
    assert_eq!(
        served, cli,
        "/v1/check with --facts differs from check --facts"
    );
}
