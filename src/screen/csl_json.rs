//! The CSL JSON reader: `{"results": [ … ]}` as data.trade.gov publishes it.
//!
//! serde_json gives no positions for the values it reads, and the reports must cite where a
//! record is. So a small iterative scanner walks the top level and the `results` array
//! (bracket matching only, with a depth ceiling, so a `[[[[…` a million deep is an error and
//! never a deep recursion), records where every record starts and ends, and serde_json then
//! reads each record's own slice: a record's syntax or type error is located by adding the
//! slice's offset, every bad record is reported at once, and the records parse in parallel.

use std::sync::Arc;

use rayon::prelude::*;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use super::list::{
    country_of, non_empty, parse_date, Address, EntryKind, EntryLocation, ListEntry, ListSource,
    Problems, MAX_JSON_DEPTH, MAX_LIST_ENTRIES,
};
use crate::diag::{Code, Diagnostic, Error};
use crate::source::{SourceFile, Span};

/// What the top-level scan can find wrong: the byte offset and the diagnostic to give there.
struct Fatal {
    at: usize,
    code: Code,
    message: String,
    help: &'static str,
}

const SHAPE_HELP: &str =
    "a Consolidated Screening List JSON file is an object `{\"results\": [ … ]}` with one object per listed party";

fn fatal(at: usize, code: Code, message: impl Into<String>, help: &'static str) -> Fatal {
    Fatal {
        at,
        code,
        message: message.into(),
        help,
    }
}

/// A byte scanner over JSON text; it never recurses.
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// At a `"`: moves past the closing quote.
    fn string(&mut self) -> Result<(), Fatal> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => {
                    return Err(fatal(
                        start,
                        Code::ScreeningBadJson,
                        "this string is never closed",
                        SHAPE_HELP,
                    ))
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => self.pos += 2,
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Moves past one value, matching brackets, at most `max_depth` deep. Syntax inside the
    /// value is left to serde_json.
    fn value(&mut self, max_depth: usize) -> Result<(), Fatal> {
        let start = self.pos;
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None => {
                    return Err(fatal(
                        start,
                        Code::ScreeningBadJson,
                        "this value is never closed (the file ends inside it)",
                        SHAPE_HELP,
                    ))
                }
                Some(b'"') => {
                    self.string()?;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Some(b'{' | b'[') => {
                    depth += 1;
                    if depth > max_depth {
                        return Err(fatal(
                            self.pos,
                            Code::ScreeningTooDeep,
                            format!(
                                "the list nests deeper than {MAX_JSON_DEPTH} levels of brackets"
                            ),
                            "a screening list's records are flat; check that this is a Consolidated Screening List file",
                        ));
                    }
                    self.pos += 1;
                }
                Some(b'}' | b']') => {
                    if depth == 0 {
                        return Err(fatal(
                            self.pos,
                            Code::ScreeningBadJson,
                            "a value is missing here",
                            SHAPE_HELP,
                        ));
                    }
                    depth -= 1;
                    self.pos += 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Some(b) if depth == 0 => {
                    // A scalar: up to the next delimiter.
                    if matches!(b, b',' | b':') {
                        return Err(fatal(
                            self.pos,
                            Code::ScreeningBadJson,
                            "a value is missing here",
                            SHAPE_HELP,
                        ));
                    }
                    while !matches!(
                        self.peek(),
                        None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                    ) {
                        self.pos += 1;
                    }
                    return Ok(());
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Fatal> {
        self.ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(fatal(
                self.pos,
                Code::ScreeningBadJson,
                format!("expected {what} here, found {}", self.found()),
                SHAPE_HELP,
            ))
        }
    }

    fn found(&self) -> String {
        match self.bytes.get(self.pos..) {
            None | Some([]) => "the end of the file".to_string(),
            Some(rest) => {
                let head = String::from_utf8_lossy(rest.get(..rest.len().min(24)).unwrap_or(&[]))
                    .into_owned();
                let word: String = head
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{fffd}')
                    .take(12)
                    .collect();
                format!("`{word}`")
            }
        }
    }
}

/// The byte ranges of the records of `results`, after checking the top level.
fn scan(text: &str) -> Result<Vec<(usize, usize)>, Fatal> {
    let mut s = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    if text.starts_with('\u{feff}') {
        s.pos = 3;
    }
    s.ws();
    match s.peek() {
        Some(b'{') => s.pos += 1,
        Some(b'[') => {
            return Err(fatal(
                s.pos,
                Code::ScreeningBadList,
                "the list is a JSON array, not an object with `results`",
                SHAPE_HELP,
            ))
        }
        None => {
            return Err(fatal(
                s.pos,
                Code::ScreeningBadList,
                "the list file is empty",
                SHAPE_HELP,
            ))
        }
        Some(_) => {
            return Err(fatal(
                s.pos,
                Code::ScreeningBadJson,
                format!("the list is not JSON: it starts with {}", s.found()),
                SHAPE_HELP,
            ))
        }
    }
    let root = s.pos.saturating_sub(1);
    let mut records: Option<Vec<(usize, usize)>> = None;
    s.ws();
    if s.peek() == Some(b'}') {
        s.pos += 1;
    } else {
        loop {
            s.ws();
            if s.peek() != Some(b'"') {
                return Err(fatal(
                    s.pos,
                    Code::ScreeningBadJson,
                    format!("expected a quoted field name here, found {}", s.found()),
                    SHAPE_HELP,
                ));
            }
            let key_start = s.pos;
            s.string()?;
            let key = text.get(key_start..s.pos).unwrap_or("");
            let is_results = key == "\"results\""
                || (key.contains('\\')
                    && serde_json::from_str::<String>(key).is_ok_and(|k| k == "results"));
            s.expect(b':', "`:`")?;
            s.ws();
            let value_start = s.pos;
            if is_results {
                if records.is_some() {
                    return Err(fatal(
                        key_start,
                        Code::ScreeningBadList,
                        "the list has `results` twice",
                        SHAPE_HELP,
                    ));
                }
                if s.peek() != Some(b'[') {
                    return Err(fatal(
                        value_start,
                        Code::ScreeningBadList,
                        format!("`results` is not an array: it is {}", s.found()),
                        SHAPE_HELP,
                    ));
                }
                s.pos += 1;
                let mut found = Vec::new();
                s.ws();
                if s.peek() == Some(b']') {
                    s.pos += 1;
                } else {
                    loop {
                        s.ws();
                        let start = s.pos;
                        if found.len() >= MAX_LIST_ENTRIES {
                            return Err(fatal(
                                start,
                                Code::ScreeningTooManyEntries,
                                format!("the list has more than {MAX_LIST_ENTRIES} entries"),
                                "split the list; the ceiling is documented in docs/screening.md",
                            ));
                        }
                        s.value(MAX_JSON_DEPTH.saturating_sub(2))?;
                        found.push((start, s.pos));
                        s.ws();
                        match s.peek() {
                            Some(b',') => s.pos += 1,
                            Some(b']') => {
                                s.pos += 1;
                                break;
                            }
                            _ => {
                                return Err(fatal(
                                    s.pos,
                                    Code::ScreeningBadJson,
                                    format!("expected `,` or `]` here, found {}", s.found()),
                                    SHAPE_HELP,
                                ))
                            }
                        }
                    }
                }
                records = Some(found);
            } else {
                s.value(MAX_JSON_DEPTH.saturating_sub(1))?;
                let slice = text.get(value_start..s.pos).unwrap_or("");
                if let Err(e) = serde_json::from_str::<IgnoredAny>(slice) {
                    return Err(fatal(
                        value_start + offset_in(slice, e.line(), e.column()),
                        Code::ScreeningBadJson,
                        format!("the list is not valid JSON: {}", serde_message(&e)),
                        SHAPE_HELP,
                    ));
                }
            }
            s.ws();
            match s.peek() {
                Some(b',') => s.pos += 1,
                Some(b'}') => {
                    s.pos += 1;
                    break;
                }
                _ => {
                    return Err(fatal(
                        s.pos,
                        Code::ScreeningBadJson,
                        format!("expected `,` or `}}` here, found {}", s.found()),
                        SHAPE_HELP,
                    ))
                }
            }
        }
    }
    s.ws();
    if s.peek().is_some() {
        return Err(fatal(
            s.pos,
            Code::ScreeningBadJson,
            format!("unexpected {} after the end of the list", s.found()),
            SHAPE_HELP,
        ));
    }
    records.ok_or_else(|| {
        fatal(
            root,
            Code::ScreeningBadList,
            "the list has no `results`",
            SHAPE_HELP,
        )
    })
}

/// The byte offset in `slice` of serde_json's 1-based line and (byte) column.
fn offset_in(slice: &str, line: usize, column: usize) -> usize {
    let mut start = 0usize;
    for _ in 1..line {
        match slice.get(start..).and_then(|r| r.find('\n')) {
            Some(i) => start += i + 1,
            None => break,
        }
    }
    let mut at = (start + column.saturating_sub(1)).min(slice.len());
    while !slice.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// serde_json's message without its " at line … column …" (the label says where).
fn serde_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// A scalar read as text: strings, numbers and booleans are accepted, `null` is absent.
#[derive(Default)]
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(Some(v.to_string())))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
                d.deserialize_any(V)
            }
        }
        d.deserialize_any(V)
    }
}

impl Text {
    fn get(self) -> Option<String> {
        non_empty(self.0)
    }
}

/// A list of scalars; `null` is empty and a lone scalar is a list of one.
#[derive(Default)]
struct Many(Vec<String>);

impl<'de> Deserialize<'de> for Many {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Many, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Many;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Many, A::Error> {
                let mut out = Vec::new();
                while let Some(Text(item)) = seq.next_element::<Text>()? {
                    if let Some(item) = non_empty(item) {
                        out.push(item);
                    }
                }
                Ok(Many(out))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Many, E> {
                Ok(Many(non_empty(Some(v.to_string())).into_iter().collect()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Many, E> {
                Ok(Many(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Many, E> {
                Ok(Many(Vec::new()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Many, D::Error> {
                d.deserialize_any(V)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAddress {
    address: Text,
    city: Text,
    state: Text,
    postal_code: Text,
    country: Text,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AddressItem {
    Object(RawAddress),
    Line(String),
    Nothing(()),
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawRecord {
    #[serde(alias = "_id")]
    id: Text,
    source: Text,
    entity_number: Text,
    #[serde(rename = "type")]
    kind: Text,
    name: Text,
    alt_names: Many,
    programs: Many,
    title: Text,
    remarks: Text,
    federal_register_notice: Text,
    start_date: Text,
    end_date: Text,
    license_requirement: Text,
    license_policy: Text,
    source_list_url: Text,
    addresses: Option<Vec<AddressItem>>,
}

/// One record's outcome: the entry, or the problems found in it (with offsets in the file).
type Parsed = Result<ListEntry, Vec<(usize, Code, String, &'static str)>>;

fn parse_record(text: &str, index: usize, start: usize, end: usize) -> Parsed {
    let slice = text.get(start..end).unwrap_or("");
    let raw: RawRecord =
        serde_json::from_str(slice).map_err(|e| {
            vec![(
            start + offset_in(slice, e.line(), e.column()),
            Code::ScreeningBadEntry,
            format!("entry {} is not a valid record: {}", index + 1, serde_message(&e)),
            "each entry of `results` is an object with at least a `name`; see docs/screening.md",
        )]
        })?;
    let mut problems = Vec::new();
    let name = raw.name.get();
    if name.is_none() {
        problems.push((
            start,
            Code::ScreeningMissingName,
            format!("entry {} has no `name`", index + 1),
            "every screening-list entry needs a name to be screened against; fix or remove the entry",
        ));
    }
    let mut date = |key: &str, value: Option<String>| match parse_date(value.as_deref()) {
        Ok(d) => d,
        Err(why) => {
            let at = member_value(slice, key).map_or(start, |o| start + o);
            problems.push((
                at,
                Code::ScreeningBadDate,
                format!("entry {}'s `{key}` is not a date: {why}", index + 1),
                "CSL dates are written YYYY-MM-DD; leave the field empty when there is no date",
            ));
            None
        }
    };
    let start_date = date("start_date", raw.start_date.get());
    let end_date = date("end_date", raw.end_date.get());
    if !problems.is_empty() {
        return Err(problems);
    }
    let addresses = raw
        .addresses
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| match a {
            AddressItem::Object(a) => {
                let country_text = a.country.get();
                Some(Address {
                    country: country_of(country_text.as_deref()),
                    address: a.address.get(),
                    city: a.city.get(),
                    state: a.state.get(),
                    postal_code: a.postal_code.get(),
                    country_text,
                })
            }
            AddressItem::Line(line) => super::csl_csv::address_cell(&line),
            AddressItem::Nothing(()) => None,
        })
        .collect();
    Ok(ListEntry {
        id: raw.id.get().unwrap_or_default(),
        source: ListSource::parse(raw.source.get().as_deref().unwrap_or("")),
        entity_number: raw.entity_number.get(),
        kind: EntryKind::parse(raw.kind.get().as_deref().unwrap_or("")),
        name: name.unwrap_or_default(),
        alt_names: raw.alt_names.0,
        programs: raw.programs.0,
        title: raw.title.get(),
        addresses,
        federal_register_notice: raw.federal_register_notice.get(),
        start_date,
        end_date,
        license_requirement: raw.license_requirement.get(),
        license_policy: raw.license_policy.get(),
        remarks: raw.remarks.get(),
        source_list_url: raw.source_list_url.get(),
        location: EntryLocation::default(),
    })
}

/// The offset, within an object's text, of the value of its top-level member `key`.
fn member_value(object: &str, key: &str) -> Option<usize> {
    let mut s = Scanner {
        bytes: object.as_bytes(),
        pos: 0,
    };
    s.ws();
    if s.peek() != Some(b'{') {
        return None;
    }
    s.pos += 1;
    loop {
        s.ws();
        if s.peek() != Some(b'"') {
            return None;
        }
        let key_start = s.pos;
        s.string().ok()?;
        let this = object.get(key_start + 1..s.pos.saturating_sub(1))?;
        s.expect(b':', "`:`").ok()?;
        s.ws();
        if this == key {
            return Some(s.pos);
        }
        s.value(MAX_JSON_DEPTH).ok()?;
        s.ws();
        if s.peek() != Some(b',') {
            return None;
        }
        s.pos += 1;
    }
}

/// 1-based line and column (in characters) of each of `offsets` (ascending), in one pass.
pub(crate) fn line_cols(text: &str, offsets: &[usize]) -> Vec<EntryLocation> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(offsets.len());
    let (mut pos, mut line, mut col) = (0usize, 1u32, 1u32);
    for &target in offsets {
        let target = target.min(bytes.len());
        while pos < target {
            match bytes.get(pos) {
                Some(b'\n') => {
                    line = line.saturating_add(1);
                    col = 1;
                }
                Some(b) if (b & 0xC0) != 0x80 => col = col.saturating_add(1),
                _ => {}
            }
            pos += 1;
        }
        out.push(EntryLocation { line, column: col });
    }
    out
}

pub(crate) fn read(file: &Arc<SourceFile>) -> Result<Vec<ListEntry>, Error> {
    let text = file.text();
    let ranges = scan(text).map_err(|f| {
        Error::one(
            Diagnostic::error(f.code, f.message)
                .in_file(file)
                .label(Span::new(f.at, f.at), "here")
                .help(f.help),
        )
    })?;
    let parsed: Vec<Parsed> = ranges
        .par_iter()
        .enumerate()
        .map(|(i, &(start, end))| parse_record(text, i, start, end))
        .collect();
    let starts: Vec<usize> = ranges.iter().map(|r| r.0).collect();
    let locations = line_cols(text, &starts);
    let mut problems = Problems::new(file);
    let mut entries = Vec::with_capacity(parsed.len());
    for (p, location) in parsed.into_iter().zip(locations) {
        match p {
            Ok(mut entry) => {
                entry.location = location;
                entries.push(entry);
            }
            Err(list) => {
                for (at, code, message, help) in list {
                    problems.push(
                        Diagnostic::error(code, message)
                            .label(Span::new(at, at), "here")
                            .help(help),
                    );
                }
            }
        }
    }
    problems.finish(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_found_with_their_positions() {
        let text = "{\"total\": 2, \"results\": [\n  {\"name\": \"A\"},\n  {\"name\": \"é\", \"x\": [1, {\"y\": \"]\"}]}\n]}";
        let ranges = scan(text).ok().unwrap();
        assert_eq!(ranges.len(), 2);
        let locs = line_cols(text, &ranges.iter().map(|r| r.0).collect::<Vec<_>>());
        assert_eq!((locs[0].line, locs[0].column), (2, 3));
        assert_eq!((locs[1].line, locs[1].column), (3, 3));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut text = String::from("{\"results\": ");
        text.push_str(&"[".repeat(1_000_000));
        let err = scan(&text).err().unwrap();
        assert_eq!(err.code, Code::ScreeningTooDeep);
        let bare = "[".repeat(1_000_000);
        assert_eq!(scan(&bare).err().unwrap().code, Code::ScreeningBadList);
    }

    #[test]
    fn member_values_are_found() {
        let obj = r#"{"a": {"start_date": 1}, "start_date": "x"}"#;
        let at = member_value(obj, "start_date").unwrap();
        assert!(obj[at..].starts_with("\"x\""));
    }
}
