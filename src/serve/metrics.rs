//! `GET /metrics`: what an operator needs to see that the service answers, how fast, with
//! which decisions and under which rule set, in the Prometheus text format
//! (`prometheus-client`, the Prometheus project's own Rust client: no global registry, no
//! macros, typed label sets).

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::finding::Verdict;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub endpoint: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub endpoint: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabels {
    pub verdict: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RulesetLabels {
    pub digest: String,
    pub rules: u64,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    pub result: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<EndpointLabels, Histogram>,
    pub decisions: Family<VerdictLabels, Counter>,
    pub ruleset: Family<RulesetLabels, Gauge>,
    pub rules_load_seconds: Gauge<f64, AtomicU64>,
    pub reloads: Family<ReloadLabels, Counter>,
    pub panics: Counter,
    pub in_flight: Gauge,
}

/// Latency buckets from 100 µs to about 26 s (doubling): single-transaction checks take
/// tens of microseconds, a large file seconds.
fn latency_histogram() -> Histogram {
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.0001, 2.0, 19,
    ))
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("chipgate");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<EndpointLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let decisions = Family::<VerdictLabels, Counter>::default();
        let ruleset = Family::<RulesetLabels, Gauge>::default();
        let rules_load_seconds = Gauge::<f64, AtomicU64>::default();
        let reloads = Family::<ReloadLabels, Counter>::default();
        let panics = Counter::default();
        let in_flight = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by endpoint and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from the request's arrival at the router to its answer, by endpoint",
            latency.clone(),
        );
        registry.register(
            "decisions",
            "Transactions judged by POST /v1/check, by verdict",
            decisions.clone(),
        );
        registry.register(
            "ruleset_info",
            "The rule set in use: 1 for its digest and rule count",
            ruleset.clone(),
        );
        registry.register(
            "rules_load_seconds",
            "How long reading and compiling the rule set in use took",
            rules_load_seconds.clone(),
        );
        registry.register(
            "rule_reloads",
            "Rule reloads (POST /v1/reload, SIGHUP), by result",
            reloads.clone(),
        );
        registry.register(
            "panics",
            "Requests that panicked and were answered 500 by the last-resort handler",
            panics.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "Requests being handled now",
            in_flight.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            decisions,
            ruleset,
            rules_load_seconds,
            reloads,
            panics,
            in_flight,
        }
    }

    /// Records the rule set now in use (replacing the previous one's info).
    pub fn rules_in_use(&self, digest: &str, rules: usize, load_seconds: f64) {
        self.ruleset.clear();
        self.ruleset
            .get_or_create(&RulesetLabels {
                digest: digest.to_string(),
                rules: u64::try_from(rules).unwrap_or(u64::MAX),
            })
            .set(1);
        self.rules_load_seconds.set(load_seconds);
    }

    pub fn decision(&self, verdict: Verdict) {
        self.decisions
            .get_or_create(&VerdictLabels {
                verdict: verdict.word(),
            })
            .inc();
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
