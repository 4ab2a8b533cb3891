//! The JSON Schema (draft 2020-12) of transaction files and facts files, generated from the
//! format's key tables (`vocab::format`), so that it names exactly the keys the loader reads.
//! `chipgate schema` prints it; `docs/transaction-file.schema.json` is a copy, checked by
//! `tests/schema.rs` (which also validates the examples and the pack's cases against it).
//!
//! The schema describes the JSON form of the files (YAML read as JSON: `date: 2025-02-10` is
//! the string `"2025-02-10"`); what it cannot say (that an id is defined, that a country code
//! is assigned, that a date is a day of the calendar) the loader checks.

use serde_json::{json, Map, Value as Json};

use crate::vocab::format::{self, Record, Value};

/// The records, by the name their definition takes in the schema.
fn records() -> [(&'static str, &'static Record); 8] {
    [
        ("party", &format::PARTY),
        ("owner", &format::OWNER),
        ("designation", &format::DESIGNATION),
        ("screening_decision", &format::DECISION),
        ("item", &format::ITEM),
        ("facility", &format::FACILITY),
        ("transaction", &format::TRANSACTION),
        ("authorization", &format::AUTHORIZATION),
    ]
}

fn name_of(record: &Record) -> &'static str {
    records()
        .iter()
        .find(|(_, r)| std::ptr::eq(*r, record))
        .map_or("record", |(n, _)| n)
}

fn value(v: &Value) -> Json {
    match v {
        Value::Text => json!({ "$ref": "#/$defs/text" }),
        Value::Ref(what) => {
            json!({ "$ref": "#/$defs/text", "description": format!("a {what} id") })
        }
        Value::Country => json!({ "$ref": "#/$defs/country" }),
        Value::Region => json!({ "$ref": "#/$defs/region" }),
        Value::Date => json!({ "$ref": "#/$defs/date" }),
        Value::Word(words) => json!({ "enum": words() }),
        Value::Number {
            min,
            exclusive,
            max,
        } => {
            let mut m = Map::new();
            m.insert("type".into(), json!("number"));
            let bound = if *exclusive {
                "exclusiveMinimum"
            } else {
                "minimum"
            };
            m.insert(bound.into(), json!(min));
            m.insert("maximum".into(), json!(max));
            Json::Object(m)
        }
        Value::Count { max } => json!({ "type": "integer", "exclusiveMinimum": 0, "maximum": max }),
        Value::Bool => json!({ "type": "boolean" }),
        Value::List(of) => json!({ "type": "array", "items": value(of) }),
        Value::Records(r) => {
            json!({ "type": "array", "items": { "$ref": format!("#/$defs/{}", name_of(r)) } })
        }
    }
}

fn object(record: &Record) -> Json {
    let mut properties = Map::new();
    for k in record.keys {
        let mut v = value(&k.value);
        if let Json::Object(m) = &mut v {
            m.insert("description".into(), json!(k.about));
        }
        properties.insert(k.key.to_string(), v);
    }
    let required: Vec<&str> = record
        .keys
        .iter()
        .filter(|k| k.required)
        .map(|k| k.key)
        .collect();
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    m.insert("description".into(), json!(record.what));
    if !required.is_empty() {
        m.insert("required".into(), json!(required));
    }
    m.insert("additionalProperties".into(), json!(false));
    m.insert("properties".into(), Json::Object(properties));
    Json::Object(m)
}

/// The schema as a JSON value.
pub fn schema() -> Json {
    let mut defs = Map::new();
    let mut file = object(&format::FILE);
    if let Some(t) = file
        .get_mut("properties")
        .and_then(|p| p.get_mut("transactions"))
        .and_then(Json::as_object_mut)
    {
        t.insert("minItems".into(), json!(1));
    }
    defs.insert("transaction_file".into(), file);
    defs.insert("facts_file".into(), object(&format::FACTS));
    for (name, record) in records() {
        defs.insert(name.into(), object(record));
    }
    defs.insert(
        "text".into(),
        json!({
            "description": "a single value read as text (a number such as 1001 is read as its text)",
            "type": ["string", "number", "boolean"]
        }),
    );
    defs.insert(
        "country".into(),
        json!({ "description": "an ISO 3166-1 alpha-2 country code", "type": "string", "pattern": "^[A-Z]{2}$" }),
    );
    defs.insert(
        "region".into(),
        json!({ "description": "an ISO 3166-2 subdivision code", "type": "string", "pattern": "^[A-Z]{2}-[A-Z0-9]{1,3}$" }),
    );
    defs.insert(
        "date".into(),
        json!({ "description": "a date, YYYY-MM-DD", "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" }),
    );
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "transaction-file.schema.json",
        "title": "chipgate transaction file or facts file",
        "description": "A transaction file (parties, items, facilities and the transactions to judge) or a facts file (`chipgate check --facts`: the same without transactions). A line of a JSON Lines transaction file is a `#/$defs/transaction`. Generated by `chipgate schema` from the loader's key tables; see docs/transaction-file.md.",
        "oneOf": [
            { "$ref": "#/$defs/transaction_file" },
            { "$ref": "#/$defs/facts_file" }
        ],
        "$defs": Json::Object(defs),
    })
}

/// The schema, pretty-printed.
pub fn json() -> String {
    serde_json::to_string_pretty(&schema()).unwrap_or_default()
}
