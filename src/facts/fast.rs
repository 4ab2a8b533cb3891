//! The fast reading of a YAML transaction file: serde's typed structs filled straight from
//! saphyr-parser's events, one event at a time. serde_yaml first loads every event of a
//! document into memory (about 25 times the text of a block list) and its parser is the
//! slower of the two; this reading holds nothing but the structs being built.
//!
//! It is a shortcut, never a second dialect: anything it is not sure to read as serde_yaml
//! would (an alias, a tag, a second document, any error at all) gives `None`, and the caller
//! reads the text with serde_yaml, whose errors (and then the complete reading's, `extract`)
//! are the diagnostics. Scalars are resolved as serde_yaml resolves them (YAML 1.2's core
//! schema): a plain `12` is a number, `true` a boolean, `~` null; a struct's text field takes
//! any scalar as written.

use std::fmt;

use saphyr_parser::{Event, Parser, ScalarStyle, StrInput};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};

/// Reads `text` as a `T`, or `None` if this reading is not sure of the answer.
pub(crate) fn from_str<T: DeserializeOwned>(text: &str) -> Option<T> {
    let mut de = De {
        parser: Parser::new_from_str(text),
        depth: 0,
    };
    // Stream and document start.
    while matches!(de.peek()?, Event::StreamStart | Event::DocumentStart(_)) {
        de.next()?;
    }
    let value = T::deserialize(&mut de).ok()?;
    // Exactly one document: anything but its end and the stream's end is left to serde_yaml.
    loop {
        match de.next()? {
            Event::DocumentEnd => {}
            Event::StreamEnd => return Some(value),
            _ => return None,
        }
    }
}

struct De<'a> {
    parser: Parser<'a, StrInput<'a>>,
    depth: usize,
}

/// Why this reading gave up: never shown (the caller reads the file again with serde_yaml).
#[derive(Debug)]
struct GiveUp;

impl fmt::Display for GiveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("left to serde_yaml")
    }
}

impl std::error::Error for GiveUp {}

impl de::Error for GiveUp {
    fn custom<T: fmt::Display>(_: T) -> Self {
        GiveUp
    }
}

/// Deeper documents are refused by the guard before this point; give up regardless.
const MAX_DEPTH: usize = 128;

/// A plain scalar's value under YAML 1.2's core schema, as serde_yaml reads it.
enum Plain {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text,
    /// Hexadecimal, octal and binary numbers, and integers past 64 bits: left to serde_yaml.
    Unsure,
}

fn resolve(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        "true" | "True" | "TRUE" => return Plain::Bool(true),
        "false" | "False" | "FALSE" => return Plain::Bool(false),
        _ => {}
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if ["0x", "0o", "0b"].iter().any(|p| digits.starts_with(p)) {
        return Plain::Unsure;
    }
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // serde_yaml reads `007` as text, not as an octal or decimal number.
        if digits.len() > 1 && digits.starts_with('0') {
            return Plain::Text;
        }
        if let Ok(u) = text.strip_prefix('+').unwrap_or(text).parse::<u64>() {
            return Plain::Unsigned(u);
        }
        if let Ok(i) = text.parse::<i64>() {
            return Plain::Signed(i);
        }
        return Plain::Unsure;
    }
    match super::extract::number(text) {
        // serde_yaml reads a number too large for a float (`1e400`) as text.
        Some(f) if f.is_infinite() && !text.to_ascii_lowercase().contains("inf") => Plain::Unsure,
        Some(f) => Plain::Float(f),
        None => Plain::Text,
    }
}

impl<'a> De<'a> {
    fn next(&mut self) -> Option<Event<'a>> {
        match self.parser.next_event()? {
            Ok((e, _)) => Some(e),
            Err(_) => None,
        }
    }

    fn peek(&mut self) -> Option<&Event<'a>> {
        match self.parser.peek()? {
            Ok((e, _)) => Some(e),
            Err(_) => None,
        }
    }

    /// The next scalar, refusing tags, anchors and other events.
    fn scalar(&mut self) -> Result<(String, bool), GiveUp> {
        match self.next().ok_or(GiveUp)? {
            Event::Scalar(text, style, 0, None) => {
                Ok((text.into_owned(), style == ScalarStyle::Plain))
            }
            _ => Err(GiveUp),
        }
    }

    fn enter(&mut self) -> Result<(), GiveUp> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(GiveUp);
        }
        Ok(())
    }
}

impl<'de> de::Deserializer<'de> for &mut De<'_> {
    type Error = GiveUp;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.peek().ok_or(GiveUp)? {
            Event::Scalar(_, _, 0, None) => {
                let (text, plain) = self.scalar()?;
                if !plain {
                    return visitor.visit_string(text);
                }
                match resolve(&text) {
                    Plain::Null => visitor.visit_unit(),
                    Plain::Bool(b) => visitor.visit_bool(b),
                    Plain::Unsigned(u) => visitor.visit_u64(u),
                    Plain::Signed(i) => visitor.visit_i64(i),
                    Plain::Float(f) => visitor.visit_f64(f),
                    Plain::Text => visitor.visit_string(text),
                    Plain::Unsure => Err(GiveUp),
                }
            }
            Event::SequenceStart(0, None) => self.deserialize_seq(visitor),
            Event::MappingStart(0, None) => self.deserialize_map(visitor),
            _ => Err(GiveUp),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.scalar()? {
            (text, true) => match resolve(&text) {
                Plain::Bool(b) => visitor.visit_bool(b),
                _ => Err(GiveUp),
            },
            _ => Err(GiveUp),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.scalar()? {
            (text, true) => match resolve(&text) {
                Plain::Unsigned(u) => visitor.visit_f64(u as f64),
                Plain::Signed(i) => visitor.visit_f64(i as f64),
                Plain::Float(f) => visitor.visit_f64(f),
                _ => Err(GiveUp),
            },
            _ => Err(GiveUp),
        }
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_f64(visitor)
    }

    /// A text field takes any scalar as written (serde_yaml does the same).
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.scalar()? {
            (text, true) if matches!(resolve(&text), Plain::Null | Plain::Unsure) => Err(GiveUp),
            (text, _) => visitor.visit_string(text),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.peek().ok_or(GiveUp)? {
            Event::Scalar(text, ScalarStyle::Plain, 0, None)
                if matches!(resolve(text), Plain::Null) =>
            {
                self.next();
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.next().ok_or(GiveUp)? {
            Event::SequenceStart(0, None) => {}
            _ => return Err(GiveUp),
        }
        self.enter()?;
        let value = visitor.visit_seq(Seq { de: &mut *self })?;
        match self.next().ok_or(GiveUp)? {
            Event::SequenceEnd => {}
            _ => return Err(GiveUp),
        }
        self.depth -= 1;
        Ok(value)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        match self.next().ok_or(GiveUp)? {
            Event::MappingStart(0, None) => {}
            _ => return Err(GiveUp),
        }
        self.enter()?;
        let value = visitor.visit_map(Map { de: &mut *self })?;
        match self.next().ok_or(GiveUp)? {
            Event::MappingEnd => {}
            _ => return Err(GiveUp),
        }
        self.depth -= 1;
        Ok(value)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, GiveUp> {
        self.deserialize_map(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        self.deserialize_str(visitor)
    }

    /// Whatever the value is, skipped whole.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, GiveUp> {
        let mut open = 0usize;
        loop {
            match self.next().ok_or(GiveUp)? {
                Event::SequenceStart(0, None) | Event::MappingStart(0, None) => open += 1,
                Event::SequenceEnd | Event::MappingEnd => {
                    open = open.checked_sub(1).ok_or(GiveUp)?
                }
                Event::Scalar(_, _, 0, None) => {}
                _ => return Err(GiveUp),
            }
            if open == 0 {
                return visitor.visit_unit();
            }
        }
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 char bytes byte_buf unit unit_struct
        newtype_struct tuple tuple_struct enum
    }
}

struct Seq<'s, 'a> {
    de: &'s mut De<'a>,
}

impl<'de> de::SeqAccess<'de> for Seq<'_, '_> {
    type Error = GiveUp;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, GiveUp> {
        if matches!(self.de.peek().ok_or(GiveUp)?, Event::SequenceEnd) {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }
}

struct Map<'s, 'a> {
    de: &'s mut De<'a>,
}

impl<'de> de::MapAccess<'de> for Map<'_, '_> {
    type Error = GiveUp;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, GiveUp> {
        if matches!(self.de.peek().ok_or(GiveUp)?, Event::MappingEnd) {
            return Ok(None);
        }
        // Keys are plain words: anything else is left to serde_yaml.
        let (key, _) = self.de.scalar()?;
        let de: de::value::StringDeserializer<GiveUp> = key.into_deserializer();
        seed.deserialize(de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, GiveUp> {
        seed.deserialize(&mut *self.de)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::raw::{RawFile, RawTransaction};

    /// Whatever this reading accepts, serde_yaml reads the same way.
    #[test]
    fn reads_what_serde_yaml_reads() {
        for text in [
            "transactions:\n  - {id: T1, kind: export, date: 2025-01-01, item: 1001, quantity: 5, route: [US, SG]}\n",
            "parties:\n  - id: 007\n    name: \"Bond: Ltd.\"\n    country: GB\n    owners:\n      - party: x\n      - {party: y, share: 1.50}\n    distributor: True\ntransactions: []\n",
            "# a comment\n---\nitems:\n- id: h\n  name: H\n  tpp: 1e3\n  datacenter: false\n  origin: ~\ntransactions:\n- id: T\n  kind: lease\n  date: 2024-02-29\n  item: h\n",
        ] {
            let fast: RawFile = from_str(text).expect(text);
            let slow: RawFile = serde_yaml::from_str(text).unwrap();
            assert_eq!(fast, slow, "{text}");
        }
    }

    /// Anything unusual or wrong is left to serde_yaml.
    #[test]
    fn gives_up_on_what_it_is_not_sure_of() {
        for text in [
            "transactions: &a []\n",
            "transactions: !!seq []\n",
            "transactions: []\n---\ntransactions: []\n",
            "transactions: [{id: T1, kind: export, date: d, item: i, quantity: '5'}]\n",
            "transactions: [{id: T1, kind: export, date: d, item: i, quantity: 0x1F}]\n",
            "transactions: [{id: T1, kind: export, date: d, item: i, unknown: 1}]\n",
            "transactions: [{id: ~, kind: export, date: d, item: i}]\n",
            "transactions: [\n",
            "transactions: [{id: 0x1F, kind: export, date: d, item: i}]\n",
            "transactions: [{id: T, kind: export, date: d, item: i, quantity: 1e400}]\n",
            "transactions: [{id: 18446744073709551616, kind: export, date: d, item: i}]\n",
        ] {
            assert!(from_str::<RawFile>(text).is_none(), "{text}");
        }
        let one: Option<Vec<RawTransaction>> =
            from_str("- {id: T1, kind: export, date: d, item: i}\n");
        assert!(one.is_some());
    }

    /// On every transaction file of the repository (examples, refusal cases, diagnostic
    /// cases): where this reading gives an answer, serde_yaml gives the same one.
    #[test]
    fn agrees_with_serde_yaml_on_the_repository_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut read = 0;
        for dir in [
            "examples",
            "tests/cases/facts",
            "tests/refusals",
            "tests/fuzz",
        ] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.extension().is_none_or(|x| x != "yaml") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                if let Some(fast) = from_str::<RawFile>(&text) {
                    let slow: RawFile = serde_yaml::from_str(&text).unwrap_or_else(|e| {
                        panic!("{}: serde_yaml refuses it: {e}", path.display())
                    });
                    assert_eq!(fast, slow, "{}", path.display());
                    read += 1;
                }
            }
        }
        assert!(read > 10, "only {read} files read");
    }
}
