//! The complete reading of a transaction file: a located tree (`doc`) turned into the raw
//! structs (`raw`) key by key, driven by the format's tables (`vocab::format`), so that every
//! unknown key, missing key and value of the wrong type in a file is reported at once, each at
//! its own position. serde stops at the first such problem, so the fast path hands a file it
//! refused to this reading; CSV rows are always read this way.
//!
//! What could not be read is kept as a placeholder and its path remembered ([`Problems::
//! broken`]), so the validator that runs next reports the file's other problems but says
//! nothing more about a value already reported.

use std::collections::HashMap;
use std::sync::Arc;

use super::doc::{Node, Value as V};
use super::raw::*;
use super::validate::P;
use crate::diag::{did_you_mean, Code, Diagnostic};
use crate::source::{SourceFile, Span};
use crate::vocab::format::{self, Record};

/// What the reading found wrong.
#[derive(Default)]
pub(crate) struct Problems {
    pub errors: Vec<Diagnostic>,
    /// Paths of values that were reported and replaced by placeholders.
    pub broken: Vec<Vec<P>>,
    /// Kinds of entry (`party`, `item`, `facility`) of which some entry has no usable id (or
    /// whose list could not be read): references to them are not reported as dangling.
    pub loose: Vec<&'static str>,
}

/// Where CSV cells came from: each column's header text and span, for naming the column in
/// a diagnostic.
pub(crate) type Columns = [(String, Span)];

pub(crate) struct Reader<'a> {
    source: &'a Arc<SourceFile>,
    columns: Option<&'a Columns>,
    pub problems: Problems,
}

/// `transactions[2].authorizations[0]`, the way serde names a path.
pub(crate) fn path_text(path: &[P]) -> String {
    let mut out = String::new();
    for p in path {
        match p {
            P::K(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            P::I(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// What a value is, in serde's words: `string "x"`, `sequence`, `map`.
fn found(node: &Node) -> String {
    match &node.value {
        V::Scalar { text, plain: false } => format!("string {text:?}"),
        V::Scalar { text, plain: true } => {
            if node.is_null() {
                "null".to_string()
            } else if matches!(
                text.as_str(),
                "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
            ) {
                format!("boolean `{}`", text.to_lowercase())
            } else if number(text).is_some() {
                format!("number `{text}`")
            } else {
                format!("string {text:?}")
            }
        }
        V::Seq(_) => "sequence".to_string(),
        V::Map(_) => "map".to_string(),
    }
}

/// A plain scalar as YAML's core schema reads a decimal number (`12`, `-1.5`, `1e3`, `.inf`).
pub(crate) fn number(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (body.get(..i)?, Some(body.get(i + 1..)?)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => {
            (digits(a) || a.is_empty())
                && (digits(b) || b.is_empty())
                && !(a.is_empty() && b.is_empty())
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    if !mantissa_ok || !exponent_ok {
        return None;
    }
    text.parse::<f64>().ok()
}

impl<'a> Reader<'a> {
    pub fn new(source: &'a Arc<SourceFile>, columns: Option<&'a Columns>) -> Reader<'a> {
        Reader {
            source,
            columns,
            problems: Problems::default(),
        }
    }

    /// The header cell of the CSV column a path reads, when the file is CSV.
    fn column(&self, path: &[P]) -> Option<&'a (String, Span)> {
        let columns = self.columns?;
        let rest = match path {
            [P::K("transactions"), P::I(_), rest @ ..] => rest,
            _ => return None,
        };
        let name = match rest {
            [P::K(k), P::I(n), P::K(key), ..] => {
                let numbered = format!("{k}.{}.{key}", n + 1);
                return columns
                    .iter()
                    .find(|(c, _)| *c == numbered || (*n == 0 && *c == format!("{k}.{key}")));
            }
            [P::K(k), ..] => *k,
            _ => return None,
        };
        columns.iter().find(|(c, _)| c == name)
    }

    /// Records a problem with the value at `path`, which is then taken as reported.
    pub fn report(&mut self, diagnostic: Diagnostic, path: &[P]) {
        let d = match self.column(path) {
            Some((name, span)) => diagnostic.label(*span, format!("column `{name}`")),
            None => diagnostic,
        };
        self.problems.errors.push(d);
        self.problems.broken.push(path.to_vec());
    }

    fn error(&mut self, code: Code, path: &[P], span: Span, message: String, help: Option<String>) {
        let d = Diagnostic::error(code, message)
            .in_file(self.source)
            .label(span, path_text(path))
            .maybe_help(help);
        self.report(d, path);
    }

    fn wrong_type(&mut self, node: &Node, path: &[P], expected: &str, help: Option<String>) {
        let what = super::validate::describe_path(&path_text(path));
        let format = super::Format::of(self.source.name());
        let help = help.or_else(|| {
            if expected.contains("a list") {
                Some(match format {
                    super::Format::Csv => {
                        format!("write {what} as one cell, its values separated by `;`")
                    }
                    super::Format::Json | super::Format::JsonLines => {
                        format!("write {what} as a JSON list: [\"US\", \"SG\"]")
                    }
                    super::Format::Yaml => {
                        format!("write {what} as a YAML list, one `- ` entry per line")
                    }
                })
            } else if expected == "a number" || expected == "a whole number" {
                Some("write a plain number such as `4800` or `5.92`".to_string())
            } else if expected == "a boolean" {
                Some("write `true` or `false`".to_string())
            } else {
                None
            }
        });
        self.error(
            Code::FactsWrongType,
            path,
            node.span,
            format!("{what}: invalid type: {}, expected {expected}", found(node)),
            help,
        );
    }

    /// The keys of a record that were read: unknown keys, keys written twice and missing
    /// required keys are reported. `None` when the node is not a mapping.
    fn record<'n>(
        &mut self,
        node: &'n Node,
        record: &'static Record,
        path: &[P],
    ) -> Option<HashMap<&'static str, &'n Node>> {
        let V::Map(entries) = &node.value else {
            self.wrong_type(node, path, record.what, None);
            return None;
        };
        let what = super::validate::describe_path(&path_text(path));
        let mut out: HashMap<&'static str, &'n Node> = HashMap::new();
        for (name, key_span, value) in entries {
            let Some(key) = record.key(name) else {
                let names = record.names();
                let mut help = match did_you_mean(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? "),
                    None => String::new(),
                };
                let whose = if path.is_empty() {
                    "the file".to_string()
                } else {
                    what.clone()
                };
                if path.is_empty() && name == "transactions" {
                    help = "a facts file holds parties, items and facilities; the transactions go in the transaction files it is given with".to_string();
                } else {
                    help.push_str(&format!("{whose} takes: {}", names.join(", ")));
                }
                // An unknown key breaks nothing else: reported, and not marked as broken.
                self.problems.errors.push(
                    Diagnostic::error(
                        Code::FactsUnknownKey,
                        format!("unknown key `{name}` in {whose}"),
                    )
                    .in_file(self.source)
                    .label(
                        key_span.join(value.span),
                        if path.is_empty() {
                            "not taken here".to_string()
                        } else {
                            path_text(path)
                        },
                    )
                    .help(help),
                );
                continue;
            };
            if out.insert(key.key, value).is_some() {
                let mut p = path.to_vec();
                p.push(P::K(key.key));
                self.error(
                    Code::FactsDuplicateKey,
                    &p,
                    key_span.join(value.span),
                    format!("the key `{name}` appears twice in {what}"),
                    Some("keep one of them".to_string()),
                );
            }
        }
        for key in record.keys.iter().filter(|k| k.required) {
            let absent = out.get(key.key).is_none_or(|n| n.is_null());
            if absent {
                let mut p = path.to_vec();
                p.push(P::K(key.key));
                let help = if key.key == "transactions" {
                    "a transaction file needs a `transactions:` list (see docs/transaction-file.md)"
                        .to_string()
                } else {
                    format!("add `{}:` to {what}", key.key)
                };
                // At the entry's first line, named by the entry's path.
                let span = match (out.get(key.key), entries.first()) {
                    (Some(n), _) => n.span,
                    (None, Some((_, k, _))) if path.is_empty() => *k,
                    (None, Some((_, k, v))) => k.join(v.span),
                    (None, None) => node.span,
                };
                let whose = if path.is_empty() {
                    "the file".to_string()
                } else {
                    what.clone()
                };
                let d = Diagnostic::error(
                    Code::FactsMissingKey,
                    format!("{whose} is missing the required key `{}`", key.key),
                )
                .in_file(self.source)
                .label(
                    span,
                    if path.is_empty() {
                        "here".to_string()
                    } else {
                        path_text(path)
                    },
                )
                .help(help);
                self.report(d, &p);
                out.remove(key.key);
            }
        }
        Some(out)
    }

    /// A single value read as text; `None` for null.
    fn text(&mut self, node: &Node, path: &[P]) -> Option<String> {
        match &node.value {
            _ if node.is_null() => None,
            V::Scalar { text, .. } => Some(text.clone()),
            _ => {
                self.wrong_type(
                    node,
                    path,
                    "a single value such as a name or a number",
                    None,
                );
                Some(String::new())
            }
        }
    }

    fn number(&mut self, node: &Node, path: &[P]) -> Option<f64> {
        if node.is_null() {
            return None;
        }
        if let V::Scalar { text, plain: true } = &node.value {
            if let Some(v) = number(text) {
                if v.is_infinite()
                    && !text.contains("inf")
                    && !text.contains("Inf")
                    && !text.contains("INF")
                {
                    let what = super::validate::describe_path(&path_text(path));
                    self.error(
                        Code::FactsWrongType,
                        path,
                        node.span,
                        format!("{what}: `{text}` is too large to be a number"),
                        Some("write a plain number such as `4800` or `5.92`".to_string()),
                    );
                    return None;
                }
                return Some(v);
            }
        }
        self.wrong_type(node, path, "a number", None);
        None
    }

    fn boolean(&mut self, node: &Node, path: &[P]) -> Option<bool> {
        if node.is_null() {
            return None;
        }
        if let V::Scalar { text, plain: true } = &node.value {
            match text.as_str() {
                "true" | "True" | "TRUE" => return Some(true),
                "false" | "False" | "FALSE" => return Some(false),
                _ => {}
            }
        }
        self.wrong_type(node, path, "a boolean", None);
        None
    }

    fn texts(&mut self, node: &Node, path: &[P]) -> Option<Vec<String>> {
        if node.is_null() {
            return None;
        }
        let V::Seq(items) = &node.value else {
            self.wrong_type(node, path, "a list", None);
            return Some(Vec::new());
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, n) in items.iter().enumerate() {
            let mut p = path.to_vec();
            p.push(P::I(i));
            out.push(self.text(n, &p).unwrap_or_default());
        }
        Some(out)
    }

    /// The entries of a list of records, each read by `read`.
    fn entries<T>(
        &mut self,
        node: Option<&Node>,
        path: &[P],
        mut read: impl FnMut(&mut Self, &Node, &[P]) -> T,
    ) -> Vec<T> {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return Vec::new();
        };
        let V::Seq(items) = &node.value else {
            self.wrong_type(node, path, "a list", None);
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let mut p = path.to_vec();
                p.push(P::I(i));
                read(self, n, &p)
            })
            .collect()
    }

    /// A text key of a record: required ones read as "" when absent (reported already).
    fn get_text(
        &mut self,
        fields: &HashMap<&'static str, &Node>,
        key: &'static str,
        path: &[P],
    ) -> Option<String> {
        let p = child(path, key);
        fields.get(key).and_then(|n| self.text(n, &p))
    }

    fn get_number(
        &mut self,
        fields: &HashMap<&'static str, &Node>,
        key: &'static str,
        path: &[P],
    ) -> Option<f64> {
        let p = child(path, key);
        fields.get(key).and_then(|n| self.number(n, &p))
    }

    fn get_bool(
        &mut self,
        fields: &HashMap<&'static str, &Node>,
        key: &'static str,
        path: &[P],
    ) -> Option<bool> {
        let p = child(path, key);
        fields.get(key).and_then(|n| self.boolean(n, &p))
    }

    /// Reads a whole file (`facts_only`: a facts file, which has no `transactions`).
    pub fn file(&mut self, node: &Node, facts_only: bool) -> RawFile {
        let mut raw = RawFile::default();
        if node.is_null() {
            return raw;
        }
        let Some(fields) = self.record_top(node, facts_only) else {
            self.problems.loose.extend(["party", "item", "facility"]);
            return raw;
        };
        for (key, what) in [
            ("parties", "party"),
            ("items", "item"),
            ("facilities", "facility"),
        ] {
            if let Some(n) = fields.get(key) {
                if !matches!(n.value, V::Seq(_)) && !n.is_null() {
                    self.problems.loose.push(what);
                }
            }
        }
        let at = |k: &'static str| vec![P::K(k)];
        raw.parties = self.entries(fields.get("parties").copied(), &at("parties"), Self::party);
        raw.items = self.entries(fields.get("items").copied(), &at("items"), Self::item);
        raw.facilities = self.entries(
            fields.get("facilities").copied(),
            &at("facilities"),
            Self::facility,
        );
        raw.transactions = self.entries(
            fields.get("transactions").copied(),
            &at("transactions"),
            Self::transaction,
        );
        raw
    }

    fn record_top<'n>(
        &mut self,
        node: &'n Node,
        facts_only: bool,
    ) -> Option<HashMap<&'static str, &'n Node>> {
        let record = if facts_only {
            &format::FACTS
        } else {
            &format::FILE
        };
        self.record(node, record, &[])
    }

    fn id(
        &mut self,
        fields: &HashMap<&'static str, &Node>,
        path: &[P],
        what: &'static str,
    ) -> String {
        match self.get_text(fields, "id", path) {
            Some(id) if !self.problems.broken.iter().any(|b| *b == child(path, "id")) => id,
            _ => {
                self.problems.loose.push(what);
                String::new()
            }
        }
    }

    pub fn party(&mut self, node: &Node, path: &[P]) -> RawParty {
        let f = self.record(node, &format::PARTY, path).unwrap_or_default();
        if f.is_empty() {
            self.problems.loose.push("party");
        }
        let owners = self.entries(
            f.get("owners").copied(),
            &child(path, "owners"),
            |me, n, p| {
                let f = me.record(n, &format::OWNER, p).unwrap_or_default();
                RawOwner {
                    party: me.get_text(&f, "party", p).unwrap_or_default(),
                    share: me.get_number(&f, "share", p),
                }
            },
        );
        let lists = self.entries(
            f.get("lists").copied(),
            &child(path, "lists"),
            |me, n, p| {
                let f = me.record(n, &format::DESIGNATION, p).unwrap_or_default();
                RawDesignation {
                    list: me.get_text(&f, "list", p).unwrap_or_default(),
                    since: me.get_text(&f, "since", p),
                    until: me.get_text(&f, "until", p),
                    entry: me.get_text(&f, "entry", p),
                    license_requirement: me.get_text(&f, "license_requirement", p),
                    license_policy: me.get_text(&f, "license_policy", p),
                    federal_register_notice: me.get_text(&f, "federal_register_notice", p),
                }
            },
        );
        let screening = self.entries(
            f.get("screening").copied(),
            &child(path, "screening"),
            |me, n, p| {
                let f = me.record(n, &format::DECISION, p).unwrap_or_default();
                RawDecision {
                    entry: me.get_text(&f, "entry", p).unwrap_or_default(),
                    decision: me.get_text(&f, "decision", p).unwrap_or_default(),
                    by: me.get_text(&f, "by", p).unwrap_or_default(),
                    on: me.get_text(&f, "on", p).unwrap_or_default(),
                    reason: me.get_text(&f, "reason", p),
                }
            },
        );
        RawParty {
            id: self.id(&f, path, "party"),
            name: self.get_text(&f, "name", path).unwrap_or_default(),
            country: self.get_text(&f, "country", path).unwrap_or_default(),
            headquarters: self.get_text(&f, "headquarters", path),
            owners,
            lists,
            distributor: self.get_bool(&f, "distributor", path),
            region: self.get_text(&f, "region", path),
            screening,
        }
    }

    pub fn item(&mut self, node: &Node, path: &[P]) -> RawItem {
        let f = self.record(node, &format::ITEM, path).unwrap_or_default();
        if f.is_empty() {
            self.problems.loose.push("item");
        }
        RawItem {
            id: self.id(&f, path, "item"),
            name: self.get_text(&f, "name", path).unwrap_or_default(),
            tpp: self.get_number(&f, "tpp", path),
            die_area_mm2: self.get_number(&f, "die_area_mm2", path),
            performance_density: self.get_number(&f, "performance_density", path),
            interconnect_gbps: self.get_number(&f, "interconnect_gbps", path),
            memory_bandwidth_gbps: self.get_number(&f, "memory_bandwidth_gbps", path),
            memory_bandwidth_density: self.get_number(&f, "memory_bandwidth_density", path),
            datacenter: self.get_bool(&f, "datacenter", path),
            eccn: self.get_text(&f, "eccn", path),
            origin: self.get_text(&f, "origin", path),
            form: self.get_text(&f, "form", path),
            hts: self.get_text(&f, "hts", path),
            developer: self.get_text(&f, "developer", path),
            model: self.get_text(&f, "model", path),
        }
    }

    pub fn facility(&mut self, node: &Node, path: &[P]) -> RawFacility {
        let f = self
            .record(node, &format::FACILITY, path)
            .unwrap_or_default();
        if f.is_empty() {
            self.problems.loose.push("facility");
        }
        RawFacility {
            id: self.id(&f, path, "facility"),
            name: self.get_text(&f, "name", path).unwrap_or_default(),
            country: self.get_text(&f, "country", path).unwrap_or_default(),
            operator: self.get_text(&f, "operator", path).unwrap_or_default(),
            region: self.get_text(&f, "region", path),
        }
    }

    pub fn transaction(&mut self, node: &Node, path: &[P]) -> RawTransaction {
        let f = self
            .record(node, &format::TRANSACTION, path)
            .unwrap_or_default();
        let route = f
            .get("route")
            .and_then(|n| self.texts(n, &child(path, "route")));
        let authorizations = self.entries(
            f.get("authorizations").copied(),
            &child(path, "authorizations"),
            |me, n, p| {
                let f = me.record(n, &format::AUTHORIZATION, p).unwrap_or_default();
                RawAuthorization {
                    kind: me.get_text(&f, "type", p).unwrap_or_default(),
                    number: me.get_text(&f, "number", p),
                    issued: me.get_text(&f, "issued", p),
                    notified: me.get_text(&f, "notified", p),
                    confirmation: me.get_text(&f, "confirmation", p),
                    expires: me.get_text(&f, "expires", p),
                    items: f
                        .get("items")
                        .and_then(|n| me.texts(n, &child(p, "items")))
                        .map(|v| v.into_iter().map(ScalarText).collect()),
                    consignee: me.get_text(&f, "consignee", p),
                    end_user: me.get_text(&f, "end_user", p),
                    destination: me.get_text(&f, "destination", p),
                    quantity: me.get_number(&f, "quantity", p),
                }
            },
        );
        RawTransaction {
            id: self.get_text(&f, "id", path).unwrap_or_default(),
            kind: self.get_text(&f, "kind", path).unwrap_or_default(),
            date: self.get_text(&f, "date", path).unwrap_or_default(),
            item: self.get_text(&f, "item", path).unwrap_or_default(),
            quantity: self.get_number(&f, "quantity", path),
            from: self.get_text(&f, "from", path),
            to: self.get_text(&f, "to", path),
            end_user: self.get_text(&f, "end_user", path),
            destination: self.get_text(&f, "destination", path),
            route,
            end_use: self.get_text(&f, "end_use", path),
            authorizations,
            facility: self.get_text(&f, "facility", path),
            lessor: self.get_text(&f, "lessor", path),
            lessee: self.get_text(&f, "lessee", path),
            region: self.get_text(&f, "region", path),
            order: self.get_text(&f, "order", path),
        }
    }
}

fn child(path: &[P], key: &'static str) -> Vec<P> {
    let mut p = path.to_vec();
    p.push(P::K(key));
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_yaml_reads_them() {
        for (text, value) in [
            ("12", Some(12.0)),
            ("-1.5", Some(-1.5)),
            ("1e3", Some(1000.0)),
            ("+12", Some(12.0)),
            (".5", Some(0.5)),
        ] {
            assert_eq!(number(text), value, "{text}");
        }
        for text in ["1_000", "0x1F", "inf", "NaN", "12a", "", ".", "e5"] {
            assert_eq!(number(text), None, "{text}");
        }
        assert!(number("1e400").is_some_and(f64::is_infinite));
    }
}
