//! The routes, their handlers and the middleware around them (axum on hyper, tower-http's
//! panic catcher). Handlers read the body under the size limit and the body timeout, take
//! the rule set in use once (so a reload during the request does not change its answer),
//! hand the work to [`super::judge`] (on the request's own worker thread when the body is
//! small, on the blocking pool when it is large), log the decisions, and answer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, Request, State};
use axum::http::header::{
    HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::errors::{self, ErrorEntry};
use super::judge::{self, BodyFormat, Refusal};
use super::log::DecisionLog;
use super::metrics::{EndpointLabels, Metrics, RequestLabels};
use crate::date::Date;
use crate::diag::{Code, Error};
use crate::ir::RuleSet;
use crate::limits::Limits;

/// A compiled rule set in use, with what it took to load.
pub struct Loaded {
    pub rules: RuleSet,
    /// The screening lists (`--screening`), indexed, when any are given.
    pub screening: Option<crate::screen::Screening>,
    /// The `--facts` files: parties, items and facilities every body may refer to.
    pub facts: Option<Arc<crate::facts::Shared>>,
    pub load_seconds: f64,
}

/// Everything the handlers share.
pub struct Service {
    /// `None` until the first load finishes (`/health` answers 503 until then).
    pub rules: ArcSwapOption<Loaded>,
    /// The `--rules` paths (empty: the built-in pack), re-read by every reload.
    pub rule_paths: Vec<std::path::PathBuf>,
    /// The `--screening` lists (files, or `pack`), re-read by every reload.
    pub screening: Vec<String>,
    /// The `--facts` files, re-read by every reload.
    pub facts: Vec<std::path::PathBuf>,
    pub limits: Limits,
    pub token: Option<String>,
    pub log: Option<DecisionLog>,
    pub metrics: Metrics,
    pub body_timeout: Duration,
    /// One reload at a time.
    pub reloading: tokio::sync::Mutex<()>,
    /// Large bodies judged at once on the blocking pool (each uses every core already).
    pub heavy: Semaphore,
}

/// Bodies up to this size are judged on the worker thread that read them: a few hundred
/// microseconds at most, less than handing them to another thread would cost.
const INLINE_BYTES: usize = 64 * 1024;

pub fn router(service: Arc<Service>) -> Router {
    let panics = Arc::clone(&service);
    Router::new()
        .route("/v1/check", post(check))
        .route("/v1/explain", post(explain))
        .route("/v1/classify", post(classify))
        .route("/v1/screen", post(screen))
        .route("/v1/reload", post(reload))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&service),
            authorize,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            move |_: Box<dyn std::any::Any + Send>| {
                panics.metrics.panics.inc();
                internal("a request handler panicked; this is a bug in chipgate")
            },
        ))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&service),
            measure,
        ))
        .with_state(service)
}

fn json(status: StatusCode, text: String) -> Response {
    (
        status,
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        text,
    )
        .into_response()
}

fn refused(r: &Refusal) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    json(status, errors::body(&r.errors))
}

fn plain_error(status: StatusCode, code: Code, message: String, help: Option<&str>) -> Response {
    json(
        status,
        errors::body(&[ErrorEntry::plain(code, message, help)]),
    )
}

fn internal(message: &str) -> Response {
    plain_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        Code::ServeInternal,
        message.to_string(),
        Some("please report it with the request that caused it"),
    )
}

fn not_ready() -> Response {
    plain_error(
        StatusCode::SERVICE_UNAVAILABLE,
        Code::ServeNotReady,
        "the rule set is still loading".into(),
        Some("retry when GET /health answers 200"),
    )
}

/// The metrics label of a path: one of the routes, or `other`.
fn endpoint_of(path: &str) -> &'static str {
    match path {
        "/v1/check" => "check",
        "/v1/explain" => "explain",
        "/v1/classify" => "classify",
        "/v1/reload" => "reload",
        "/health" => "health",
        "/metrics" => "metrics",
        _ => "other",
    }
}

/// Counts every answer by endpoint and status and times it.
async fn measure(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    let endpoint = endpoint_of(request.uri().path());
    let started = Instant::now();
    service.metrics.in_flight.inc();
    let response = next.run(request).await;
    service.metrics.in_flight.dec();
    service
        .metrics
        .latency
        .get_or_create(&EndpointLabels { endpoint })
        .observe(started.elapsed().as_secs_f64());
    service
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            endpoint,
            status: response.status().as_u16(),
        })
        .inc();
    response
}

/// With a token configured, every endpoint but `/health` needs `Authorization: Bearer TOKEN`.
async fn authorize(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    let Some(token) = &service.token else {
        return next.run(request).await;
    };
    if request.uri().path() == "/health" {
        return next.run(request).await;
    }
    let given = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    if given.is_some_and(|g| same_secret(g.as_bytes(), token.as_bytes())) {
        return next.run(request).await;
    }
    let mut response = plain_error(
        StatusCode::UNAUTHORIZED,
        Code::ServeUnauthorized,
        "this endpoint needs the service's bearer token".into(),
        Some("send `Authorization: Bearer TOKEN` with the token the service was started with"),
    );
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Compares secrets in time that depends on their lengths only, not on where they differ.
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn not_found(request: Request) -> Response {
    plain_error(
        StatusCode::NOT_FOUND,
        Code::ServeNotFound,
        format!("no endpoint `{} {}`", request.method(), request.uri().path()),
        Some("the endpoints are POST /v1/check, /v1/explain, /v1/classify, /v1/reload and GET /health, /metrics"),
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileQuery {
    as_of: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExplainQuery {
    id: Option<String>,
    as_of: Option<String>,
    name: Option<String>,
}

fn bad_query(message: String) -> Refusal {
    Refusal::new(
        400,
        vec![ErrorEntry::plain(
            Code::ServeBadQuery,
            message,
            Some("the query takes `as_of=YYYY-MM-DD` and `name=NAME` (and `id=T` for /v1/explain)"),
        )],
    )
}

fn query_of<T>(query: Result<Query<T>, QueryRejection>) -> Result<T, Refusal> {
    query
        .map(|Query(q)| q)
        .map_err(|e| bad_query(format!("bad query: {}", e.body_text())))
}

fn as_of_of(text: Option<&str>) -> Result<Option<Date>, Refusal> {
    text.map(|t| Date::parse(t).map_err(|why| bad_query(format!("`as_of`: {why}"))))
        .transpose()
}

/// The file name reports give the body: `request`, or `?name=` (1 to 256 characters, none
/// of them control characters).
fn name_of(name: Option<String>) -> Result<String, Refusal> {
    match name {
        None => Ok("request".to_string()),
        Some(n)
            if !n.is_empty() && n.chars().count() <= 256 && !n.chars().any(char::is_control) =>
        {
            Ok(n)
        }
        Some(_) => Err(bad_query(
            "`name` must be 1 to 256 characters, without control characters".into(),
        )),
    }
}

fn too_large(name: &str, limit: usize) -> Refusal {
    Refusal::new(
        413,
        vec![ErrorEntry {
            code: Code::InputTooLarge,
            message: format!("`{name}` is larger than the limit of {limit} bytes"),
            file: Some(name.to_string()),
            line: Some(1),
            column: Some(1),
            help: Some("split the file, or raise the limit with --max-file-bytes".into()),
        }],
    )
}

/// Reads the body, never more than `--max-file-bytes` (a larger `Content-Length` is refused
/// before reading) and within the body timeout (a stalled client is cut off, holding no
/// thread while it stalls).
async fn read_body(
    service: &Service,
    name: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, Refusal> {
    let limit = service.limits.max_file_bytes;
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(too_large(name, limit));
    }
    match tokio::time::timeout(service.body_timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(Refusal::new(
            408,
            vec![ErrorEntry::plain(
                Code::ServeTimeout,
                format!(
                    "the request body did not arrive within {} s",
                    service.body_timeout.as_secs_f64()
                ),
                Some("send the whole body at once; the limit is --body-timeout"),
            )],
        )),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(name, limit)),
        Ok(Err(e)) => Err(Refusal::new(
            400,
            vec![ErrorEntry::plain(
                Code::ServeBodyUnreadable,
                format!("the request body could not be read: {e}"),
                None,
            )],
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok())
}

/// Runs a judgement: on this worker for a small body, on the blocking pool (one large body
/// per core at a time) for a large one. A panic in the blocking pool is answered as one in
/// a handler.
async fn run_judgement<T: Send + 'static>(
    service: &Arc<Service>,
    size: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    if size <= INLINE_BYTES {
        return Ok(work());
    }
    let permit = service.heavy.acquire().await;
    let joined = tokio::task::spawn_blocking(work).await;
    drop(permit);
    joined.map_err(|_| {
        service.metrics.panics.inc();
        internal("judging the request panicked; this is a bug in chipgate")
    })
}

fn current(service: &Service) -> Option<Arc<Loaded>> {
    service.rules.load_full()
}

async fn check(
    State(service): State<Arc<Service>>,
    query: Result<Query<FileQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(loaded) = current(&service) else {
        return not_ready();
    };
    let query = match query_of(query) {
        Ok(q) => q,
        Err(r) => return refused(&r),
    };
    let (as_of, name) = match (as_of_of(query.as_of.as_deref()), name_of(query.name)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return refused(&r),
    };
    let bytes = match read_body(&service, &name, &headers, body).await {
        Ok(b) => b,
        Err(r) => return refused(&r),
    };
    let format = BodyFormat::of(content_type(&headers), &bytes);
    let size = bytes.len();
    let limits = service.limits.clone();
    let with_records = service.log.is_some();
    let judged = run_judgement(&service, size, move || {
        judge::check(
            &loaded,
            &name,
            Vec::from(bytes),
            format,
            as_of,
            &limits,
            with_records,
        )
    })
    .await;
    let checked = match judged {
        Ok(Ok(c)) => c,
        Ok(Err(r)) => return refused(&r),
        Err(response) => return response,
    };
    if let Err(response) = log_decisions(&service, checked.records).await {
        return response;
    }
    for v in &checked.verdicts {
        service.metrics.decision(*v);
    }
    json(StatusCode::OK, checked.report)
}

/// Appends a request's decision records to the log, if there is one, before its answer is
/// sent; if they cannot be written, the answer is a 503 instead of the unlogged decisions.
async fn log_decisions(service: &Service, records: Vec<u8>) -> Result<(), Response> {
    let Some(log) = &service.log else {
        return Ok(());
    };
    log.append(records).await.map_err(|e| {
        plain_error(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::ServeDecisionLog,
            format!("the decisions could not be logged, so they are not given: {e}"),
            Some("the service's operator must fix the decision log; retry later"),
        )
    })
}

async fn explain(
    State(service): State<Arc<Service>>,
    query: Result<Query<ExplainQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(loaded) = current(&service) else {
        return not_ready();
    };
    let query = match query_of(query) {
        Ok(q) => q,
        Err(r) => return refused(&r),
    };
    let Some(id) = query.id.filter(|i| !i.is_empty()) else {
        return refused(&bad_query(
            "`id` is required: the transaction to explain".into(),
        ));
    };
    let (as_of, name) = match (as_of_of(query.as_of.as_deref()), name_of(query.name)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return refused(&r),
    };
    let bytes = match read_body(&service, &name, &headers, body).await {
        Ok(b) => b,
        Err(r) => return refused(&r),
    };
    let format = BodyFormat::of(content_type(&headers), &bytes);
    let limits = service.limits.clone();
    let rules = Arc::clone(&loaded);
    let judged = run_judgement(&service, bytes.len(), move || {
        judge::explain(&rules, &name, Vec::from(bytes), format, &id, as_of, &limits)
    })
    .await;
    let explained = match judged {
        Ok(Ok(x)) => x,
        Ok(Err(r)) => return refused(&r),
        Err(response) => return response,
    };
    // Explaining judged the transaction: its decision is logged as /v1/check's are.
    if service.log.is_some() {
        let record = explained.record(&loaded.rules);
        if let Err(response) = log_decisions(&service, record).await {
            return response;
        }
    }
    service.metrics.decision(explained.report.verdict);
    json(StatusCode::OK, explained.text)
}

async fn classify(
    State(service): State<Arc<Service>>,
    query: Result<Query<FileQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(loaded) = current(&service) else {
        return not_ready();
    };
    let query = match query_of(query) {
        Ok(q) => q,
        Err(r) => return refused(&r),
    };
    let (as_of, name) = match (as_of_of(query.as_of.as_deref()), name_of(query.name)) {
        (Ok(a), Ok(n)) => (a, n),
        (Err(r), _) | (_, Err(r)) => return refused(&r),
    };
    let bytes = match read_body(&service, &name, &headers, body).await {
        Ok(b) => b,
        Err(r) => return refused(&r),
    };
    let format = BodyFormat::of(content_type(&headers), &bytes);
    let limits = service.limits.clone();
    let judged = run_judgement(&service, bytes.len(), move || {
        judge::classify(&loaded, &name, Vec::from(bytes), format, as_of, &limits)
    })
    .await;
    match judged {
        Ok(Ok(text)) => json(StatusCode::OK, text),
        Ok(Err(r)) => refused(&r),
        Err(response) => response,
    }
}

async fn screen(
    State(service): State<Arc<Service>>,
    query: Result<Query<FileQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(loaded) = current(&service) else {
        return not_ready();
    };
    let query = match query_of(query) {
        Ok(q) => q,
        Err(r) => return refused(&r),
    };
    let name = match name_of(query.name) {
        Ok(n) => n,
        Err(r) => return refused(&r),
    };
    let bytes = match read_body(&service, &name, &headers, body).await {
        Ok(b) => b,
        Err(r) => return refused(&r),
    };
    let format = BodyFormat::of(content_type(&headers), &bytes);
    let limits = service.limits.clone();
    let judged = run_judgement(&service, bytes.len(), move || {
        judge::screen(&loaded, &name, Vec::from(bytes), format, &limits)
    })
    .await;
    match judged {
        Ok(Ok(text)) => json(StatusCode::OK, text),
        Ok(Err(r)) => refused(&r),
        Err(response) => response,
    }
}

#[derive(serde::Serialize)]
struct RulesetInfo<'a> {
    digest: &'a str,
    rules: usize,
}

async fn health(State(service): State<Arc<Service>>) -> Response {
    #[derive(serde::Serialize)]
    struct Health<'a> {
        status: &'static str,
        version: &'static str,
        ruleset: Option<RulesetInfo<'a>>,
    }
    let loaded = current(&service);
    let (status, body) = match &loaded {
        Some(l) => (
            StatusCode::OK,
            Health {
                status: "ready",
                version: crate::VERSION,
                ruleset: Some(RulesetInfo {
                    digest: l.rules.digest(),
                    rules: l.rules.rule_count(),
                }),
            },
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            Health {
                status: "loading",
                version: crate::VERSION,
                ruleset: None,
            },
        ),
    };
    json(
        status,
        serde_json::to_string(&body).unwrap_or_default() + "\n",
    )
}

async fn metrics(State(service): State<Arc<Service>>) -> Response {
    (
        StatusCode::OK,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        service.metrics.render(),
    )
        .into_response()
}

async fn reload(State(service): State<Arc<Service>>) -> Response {
    match reload_rules(&service).await {
        Ok(loaded) => {
            #[derive(serde::Serialize)]
            struct Reloaded<'a> {
                reloaded: bool,
                ruleset: RulesetInfo<'a>,
                load_seconds: f64,
            }
            let body = Reloaded {
                reloaded: true,
                ruleset: RulesetInfo {
                    digest: loaded.rules.digest(),
                    rules: loaded.rules.rule_count(),
                },
                load_seconds: loaded.load_seconds,
            };
            json(
                StatusCode::OK,
                serde_json::to_string_pretty(&body).unwrap_or_default() + "\n",
            )
        }
        Err(e) => json(
            StatusCode::UNPROCESSABLE_ENTITY,
            errors::body(&errors::entries(&e)),
        ),
    }
}

/// Reads and compiles the rule set, as the command does (the built-in pack without
/// `--rules`), timing it.
pub fn load_rules(
    paths: &[std::path::PathBuf],
    lists: &[String],
    facts: &[std::path::PathBuf],
    limits: &Limits,
) -> Result<Loaded, Error> {
    let started = Instant::now();
    let rules = if paths.is_empty() {
        RuleSet::builtin()
    } else {
        RuleSet::from_paths(paths, limits)
    };
    let screening = if lists.is_empty() {
        Ok(None)
    } else {
        crate::screen::Screening::load(lists, limits).map(Some)
    };
    let shared = load_facts(facts, limits);
    // All are read before any is refused, so a reload reports every problem at once.
    let mut problems = Vec::new();
    let rules = rules.map_err(|e| problems.extend(e.diagnostics)).ok();
    let screening = screening.map_err(|e| problems.extend(e.diagnostics)).ok();
    let shared = shared.map_err(|e| problems.extend(e.diagnostics)).ok();
    let (Some(rules), Some(screening), Some(facts)) = (rules, screening, shared) else {
        return Err(Error::from(problems));
    };
    Ok(Loaded {
        rules,
        screening,
        facts,
        load_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Reads the `--facts` files as `check --facts` does (none: no shared facts).
fn load_facts(
    paths: &[std::path::PathBuf],
    limits: &Limits,
) -> Result<Option<Arc<crate::facts::Shared>>, Error> {
    if paths.is_empty() {
        return Ok(None);
    }
    Ok(Some(Arc::new(crate::facts::Shared::from_paths(
        paths, limits,
    )?)))
}

/// Re-reads the rule files off to the side and swaps the new set in at once; requests
/// already running finish with the set they took. A set that does not compile changes
/// nothing and is returned as its diagnostics.
pub async fn reload_rules(service: &Arc<Service>) -> Result<Arc<Loaded>, Error> {
    let _one_at_a_time = service.reloading.lock().await;
    let paths = service.rule_paths.clone();
    let lists = service.screening.clone();
    let facts = service.facts.clone();
    let limits = service.limits.clone();
    let loaded = tokio::task::spawn_blocking(move || load_rules(&paths, &lists, &facts, &limits))
        .await
        .map_err(|_| {
            Error::one(crate::diag::Diagnostic::error(
                Code::ServeInternal,
                "compiling the rule set panicked; this is a bug in chipgate",
            ))
        })?;
    match loaded {
        Ok(l) => {
            let l = Arc::new(l);
            service.rules.store(Some(Arc::clone(&l)));
            service
                .metrics
                .rules_in_use(l.rules.digest(), l.rules.rule_count(), l.load_seconds);
            service
                .metrics
                .reloads
                .get_or_create(&super::metrics::ReloadLabels { result: "ok" })
                .inc();
            Ok(l)
        }
        Err(e) => {
            service
                .metrics
                .reloads
                .get_or_create(&super::metrics::ReloadLabels { result: "failed" })
                .inc();
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_by_content_and_length() {
        assert!(same_secret(b"token", b"token"));
        assert!(!same_secret(b"token", b"tokeN"));
        assert!(!same_secret(b"token", b"token2"));
        assert!(!same_secret(b"", b"x"));
    }

    #[test]
    fn names_and_dates_in_the_query_are_checked() {
        assert_eq!(name_of(None).unwrap(), "request");
        assert_eq!(name_of(Some("deals.yaml".into())).unwrap(), "deals.yaml");
        assert!(name_of(Some(String::new())).is_err());
        assert!(name_of(Some("a\nb".into())).is_err());
        assert!(name_of(Some("x".repeat(257))).is_err());
        assert!(as_of_of(Some("2025-02-30")).is_err());
        assert_eq!(as_of_of(None).unwrap(), None);
        assert!(as_of_of(Some("2025-02-28")).unwrap().is_some());
    }

    /// No input is known to make a handler panic; this is what the panic catcher (and a
    /// judgement that panicked on the blocking pool) answers.
    #[test]
    fn a_panic_is_answered_500_with_serve_internal() {
        let response = internal("a request handler panicked; this is a bug in chipgate");
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = runtime
            .block_on(response.into_body().collect())
            .unwrap()
            .to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["errors"][0]["code"], Code::ServeInternal.as_str());
        assert_eq!(body["errors"][0]["line"], serde_json::Value::Null);
    }

    #[test]
    fn every_route_has_its_metrics_label() {
        for (path, label) in [
            ("/v1/check", "check"),
            ("/v1/explain", "explain"),
            ("/v1/classify", "classify"),
            ("/v1/reload", "reload"),
            ("/health", "health"),
            ("/metrics", "metrics"),
            ("/v1/other", "other"),
        ] {
            assert_eq!(endpoint_of(path), label);
        }
    }
}
