//! A document as a tree of located values, whatever it was written in: YAML and JSON (read
//! with saphyr-parser's marked events; JSON is YAML's flow style), or a CSV row (read with the
//! `csv` crate, its cells located by [`csv_cells`]). The complete reading of a file
//! (`facts::extract`) walks this tree, so every problem of every format is found in one pass
//! and pointed at exactly.
//!
//! The fast path never builds it: serde reads well-formed YAML and JSON straight into typed
//! structs. The tree is built for CSV rows (one at a time), and for a YAML or JSON file only
//! when the fast path has refused it.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::source::Span;

/// One value and where it is.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug)]
pub(crate) enum Value {
    /// A scalar as written; `plain` when unquoted (so `12` may be a number and `~` null).
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    /// Keys as written, with their spans, in order (a key written twice appears twice).
    Map(Vec<(String, Span, Node)>),
}

impl Node {
    pub fn scalar(text: impl Into<String>, plain: bool, span: Span) -> Node {
        Node {
            span,
            value: Value::Scalar {
                text: text.into(),
                plain,
            },
        }
    }

    /// Whether this is YAML's null (`~`, `null`, an empty plain value).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }
}

/// Byte offsets of character indices (the parser counts characters), found by walking from
/// the previous answer (the parser's positions move forward, so a file costs one pass).
struct Offsets<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl Offsets<'_> {
    fn of(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        if index >= self.chars {
            let rest = self.text.get(self.bytes..).unwrap_or("");
            for c in rest.chars().take(index - self.chars) {
                self.bytes += c.len_utf8();
                self.chars += 1;
            }
        } else {
            let before = self.text.get(..self.bytes).unwrap_or("");
            for c in before.chars().rev().take(self.chars - index) {
                self.bytes -= c.len_utf8();
                self.chars -= 1;
            }
        }
        self.bytes
    }
}

/// Deeper documents are refused by the guard before this point; stop here regardless.
const MAX_DEPTH: usize = 256;

/// Parses the first document of a YAML (or JSON) text into a tree; spans are shifted by
/// `base` (the text's offset in its file). An empty document is a null scalar; `None` when
/// the text does not parse (serde's reading, which ran first, says why).
pub(crate) fn parse(text: &str, base: usize) -> Option<Node> {
    let mut offsets = Offsets {
        text,
        ascii: text.is_ascii(),
        chars: 0,
        bytes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    // Open collections, each with the key waiting for its value (maps).
    enum Open {
        Seq(Span, Vec<Node>),
        Map(Span, Vec<(String, Span, Node)>, Option<(String, Span)>),
    }
    let mut stack: Vec<(Open, usize)> = Vec::new();
    // Anchored values with their sizes: an alias copies its value, and the copies are
    // counted, so that a "billion laughs" file is given up on (serde's reading refused it).
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut budget = text.len().saturating_mul(2).saturating_add(1024);
    let mut root: Option<Node> = None;
    loop {
        let (event, marks) = match parser.next_event() {
            Some(Ok(e)) => e,
            Some(Err(_)) => return None,
            None => break,
        };
        let start = offsets.of(marks.start.index());
        let end = offsets.of(marks.end.index()).max(start);
        let here = Span::new(base + start, base + end);
        let finished: Option<(Node, usize)> = match event {
            Event::Scalar(value, style, anchor, _) => {
                let plain = style == ScalarStyle::Plain;
                // A plain scalar's end mark can sit past trailing spaces: trim them.
                let here = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => Span::new(
                        base + start,
                        base + quoted_end(text, start).min(end.max(start + 1)),
                    ),
                    _ => {
                        let s = text.get(start..end).unwrap_or("");
                        Span::new(base + start, base + start + s.trim_end().len())
                    }
                };
                Some((Node::scalar(value.into_owned(), plain, here), anchor))
            }
            Event::Alias(id) => {
                let (mut n, size) = anchors.get(&id).cloned()?;
                budget = budget.checked_sub(size)?;
                n.span = here;
                Some((n, 0))
            }
            Event::SequenceStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push((Open::Seq(here, Vec::new()), anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push((Open::Map(here, Vec::new(), None), anchor));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((Open::Seq(span, items), anchor)) => {
                    let end = items.iter().map(|n| n.span.end).max().unwrap_or(span.end);
                    let span = close(text, base, span, end, here);
                    Some((
                        Node {
                            span,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ))
                }
                Some((Open::Map(span, entries, _), anchor)) => {
                    let end = entries
                        .iter()
                        .map(|(_, _, n)| n.span.end)
                        .max()
                        .unwrap_or(span.end);
                    let span = close(text, base, span, end, here);
                    Some((
                        Node {
                            span,
                            value: Value::Map(entries),
                        },
                        anchor,
                    ))
                }
                None => None,
            },
            Event::StreamEnd | Event::DocumentEnd => {
                if root.is_some() || matches!(event, Event::StreamEnd) {
                    break;
                }
                None
            }
            _ => None,
        };
        let Some((node, anchor)) = finished else {
            continue;
        };
        if anchor != 0 {
            anchors.insert(anchor, (node.clone(), size(&node)));
        }
        match stack.last_mut() {
            Some((Open::Seq(_, items), _)) => items.push(node),
            Some((Open::Map(_, entries, pending), _)) => match pending.take() {
                Some((key, key_span)) => entries.push((key, key_span, node)),
                None => {
                    // A key: scalars keep their text; a complex key is kept as written.
                    let key = match &node.value {
                        Value::Scalar { text, .. } => text.clone(),
                        _ => text
                            .get(node.span.start as usize - base..node.span.end as usize - base)
                            .unwrap_or("")
                            .to_string(),
                    };
                    *pending = Some((key, node.span));
                }
            },
            None => {
                if root.is_none() {
                    root = Some(node);
                }
            }
        }
    }
    Some(root.unwrap_or_else(|| Node::scalar("", true, Span::new(base, base))))
}

/// How many values a tree holds.
fn size(node: &Node) -> usize {
    match &node.value {
        Value::Scalar { .. } => 1,
        Value::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|(_, _, n)| size(n)).sum::<usize>(),
    }
}

/// Index just past the quoted scalar starting at `start`.
fn quoted_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let quote = bytes.get(start).copied().unwrap_or(b'"');
    let mut i = start + 1;
    while let Some(&c) = bytes.get(i) {
        if quote == b'"' && c == b'\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

/// A collection's span: a flow collection to its closing bracket, a block one to the end of
/// its last entry (the parser's end mark sits on the next token, which may be lines away).
fn close(text: &str, base: usize, open: Span, last_end: u32, end_mark: Span) -> Span {
    let at = (open.start as usize).saturating_sub(base);
    let flow = matches!(text.as_bytes().get(at), Some(b'[' | b'{'));
    if flow {
        open.join(end_mark)
    } else {
        Span {
            start: open.start,
            end: open.end.max(last_end),
        }
    }
}

/// The spans of a CSV record's cells, read from the text at `start` (the record's first
/// byte): each cell's content, inside its quotes when quoted. The `csv` crate gives the
/// values; this gives where they are, for diagnostics.
pub(crate) fn csv_cells(text: &str, start: usize) -> Vec<Span> {
    let bytes = text.as_bytes();
    let mut cells = Vec::new();
    let mut i = start;
    loop {
        if bytes.get(i) == Some(&b'"') {
            let open = i + 1;
            let mut j = open;
            while let Some(&b) = bytes.get(j) {
                if b == b'"' {
                    if bytes.get(j + 1) == Some(&b'"') {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            cells.push(Span::new(open, j));
            i = j + 1;
            // Anything between the closing quote and the delimiter belongs to the cell.
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'\n' | b'\r'))
            {
                i += 1;
            }
        } else {
            let from = i;
            while bytes
                .get(i)
                .is_some_and(|b| !matches!(b, b',' | b'\n' | b'\r'))
            {
                i += 1;
            }
            cells.push(Span::new(from, i));
        }
        match bytes.get(i) {
            Some(b',') => i += 1,
            _ => break,
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn parses_yaml_with_positions() {
        let text = "a: 1\nb:\n  - x\n  - 'y z'\nc: {d: [1, 2]}\n";
        let root = parse(text, 0).unwrap();
        let Value::Map(entries) = &root.value else {
            panic!("a map")
        };
        assert_eq!(entries.len(), 3);
        let (_, key, b) = &entries[1];
        assert_eq!(slice(text, *key), "b");
        let Value::Seq(items) = &b.value else {
            panic!("a list")
        };
        assert_eq!(slice(text, items[1].span), "'y z'");
        assert!(matches!(&items[1].value, Value::Scalar { text, plain: false } if text == "y z"));
        let (_, _, c) = &entries[2];
        assert_eq!(slice(text, c.span), "{d: [1, 2]}");
    }

    #[test]
    fn parses_json_and_reports_syntax_errors() {
        let text = r#"{"id": "T1", "quantity": 5, "route": ["US", "SG"]}"#;
        let root = parse(text, 10).unwrap();
        assert_eq!(root.span.start, 10);
        assert!(parse("a: [1, 2\nb: 3\n", 0).is_none());
    }

    #[test]
    fn locates_csv_cells() {
        let text = "id,route\nT1,\"US;SG\"\nT2,MY\n";
        let cells = csv_cells(text, 9);
        assert_eq!(cells.len(), 2);
        assert_eq!(slice(text, cells[0]), "T1");
        assert_eq!(slice(text, cells[1]), "US;SG");
        let cells = csv_cells(text, 20);
        assert_eq!(slice(text, cells[1]), "MY");
    }
}
