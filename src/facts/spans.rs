//! Where each fact sits in its YAML file. serde_yaml reads values but keeps no positions, so
//! positions come from a second, lazy pass with saphyr-parser's marked events, built only
//! when a diagnostic or a finding needs to point into the file.

use std::sync::Arc;

use saphyr_parser::{Event, Parser};

use crate::source::{SourceFile, Span};

/// One step of a path into the document: a mapping key or a sequence index.
#[derive(Clone, Copy, Debug)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

#[derive(Debug)]
enum Kind {
    Scalar,
    Seq(Vec<usize>),
    /// Keys with their spans and the node each maps to.
    Map(Vec<(String, Span, usize)>),
}

#[derive(Debug)]
struct Node {
    span: Span,
    kind: Kind,
}

/// Byte offsets of character indices (the parser counts characters), found by walking from
/// the previous answer: the parser's positions move forward, so the whole file costs one
/// pass (counting from each line's start instead was quadratic on a one-line file).
struct ByteOffsets<'a> {
    text: &'a str,
    chars: usize,
    bytes: usize,
}

impl<'a> ByteOffsets<'a> {
    fn new(text: &'a str) -> ByteOffsets<'a> {
        ByteOffsets {
            text,
            chars: 0,
            bytes: 0,
        }
    }

    fn of(&mut self, index: usize) -> usize {
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

/// A tree of spans mirroring the document's structure.
#[derive(Debug, Default)]
pub struct SpanIndex {
    nodes: Vec<Node>,
    /// The node paths start from: the document, or a mapping value inside it (the `facts:`
    /// of a test case).
    root: usize,
}

/// Deeper documents are not indexed further (the loader refuses them before this point).
const MAX_DEPTH: usize = 256;

impl SpanIndex {
    /// Indexes a file; with `root`, paths start at that top-level key's value.
    pub fn build(file: &Arc<SourceFile>, root: Option<&str>) -> SpanIndex {
        let mut index = SpanIndex::scan(file);
        if let Some(key) = root {
            if let Some((_, id)) = index.find_node(&[Seg::Key(key)]) {
                index.root = id;
            }
        }
        index
    }

    fn scan(file: &Arc<SourceFile>) -> SpanIndex {
        let mut index = SpanIndex {
            nodes: Vec::new(),
            root: 0,
        };
        let mut parser = Parser::new_from_str(file.text());
        // A stack of open collections: node id and, for maps, a pending key.
        let mut stack: Vec<(usize, Option<(String, Span)>)> = Vec::new();
        let mut offsets = ByteOffsets::new(file.text());
        while let Some(Ok((event, span))) = parser.next_event() {
            let start = offsets.of(span.start.index());
            let end = offsets.of(span.end.index()).max(start);
            let here = Span::new(start, end);
            match event {
                Event::Scalar(value, ..) => {
                    if let Some((_, pending @ None)) = stack.last_mut().filter(|(id, _)| {
                        matches!(index.nodes.get(*id).map(|n| &n.kind), Some(Kind::Map(_)))
                    }) {
                        *pending = Some((value.into_owned(), here));
                        continue;
                    }
                    let id = index.push(here, Kind::Scalar);
                    index.attach(&mut stack, id);
                }
                Event::Alias(_) => {
                    let id = index.push(here, Kind::Scalar);
                    index.attach(&mut stack, id);
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    let kind = if matches!(event, Event::SequenceStart(..)) {
                        Kind::Seq(Vec::new())
                    } else {
                        Kind::Map(Vec::new())
                    };
                    let id = index.push(here, kind);
                    index.attach(&mut stack, id);
                    if stack.len() >= MAX_DEPTH {
                        break;
                    }
                    stack.push((id, None));
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some((id, _)) = stack.pop() {
                        // A block collection's end event sits at the next token, often on a
                        // later line: end the span at its last child instead.
                        let last_child = match index.nodes.get(id).map(|n| &n.kind) {
                            Some(Kind::Seq(c)) => c.last().copied(),
                            Some(Kind::Map(e)) => e.last().map(|(_, _, v)| *v),
                            _ => None,
                        };
                        let end = last_child.and_then(|c| index.nodes.get(c)).map(|n| n.span);
                        let flow_close = file.slice(here).starts_with([']', '}']);
                        if let Some(node) = index.nodes.get_mut(id) {
                            node.span = match end {
                                Some(child) if !flow_close => node.span.join(child),
                                _ => node.span.join(here),
                            };
                        }
                    }
                }
                Event::StreamEnd => break,
                _ => {}
            }
        }
        index
    }

    fn push(&mut self, span: Span, kind: Kind) -> usize {
        self.nodes.push(Node { span, kind });
        self.nodes.len() - 1
    }

    /// Attaches a finished value to the collection on top of the stack.
    fn attach(&mut self, stack: &mut [(usize, Option<(String, Span)>)], child: usize) {
        let Some((parent, pending)) = stack.last_mut() else {
            return;
        };
        match self.nodes.get_mut(*parent).map(|n| &mut n.kind) {
            Some(Kind::Seq(children)) => children.push(child),
            Some(Kind::Map(entries)) => match pending.take() {
                Some((key, key_span)) => entries.push((key, key_span, child)),
                // A complex (non-scalar) key: keep it as its own key so values stay aligned.
                None => *pending = Some((String::new(), Span::default())),
            },
            _ => {}
        }
    }

    /// The span of the value at `path` and of its key (for mapping entries).
    pub fn find(&self, path: &[Seg<'_>]) -> Option<(Option<Span>, Span)> {
        let (key, id) = self.find_node(path)?;
        Some((key, self.nodes.get(id)?.span))
    }

    fn find_node(&self, path: &[Seg<'_>]) -> Option<(Option<Span>, usize)> {
        let mut id = self.root;
        let mut node = self.nodes.get(id)?;
        let mut key_span = None;
        for seg in path {
            let next = match (seg, &node.kind) {
                (Seg::Key(k), Kind::Map(entries)) => {
                    // The last occurrence wins, as in the typed reading.
                    let (_, ks, id) = entries.iter().rev().find(|(key, _, _)| key == k)?;
                    key_span = Some(*ks);
                    *id
                }
                (Seg::Index(i), Kind::Seq(children)) => {
                    key_span = None;
                    *children.get(*i)?
                }
                _ => return None,
            };
            id = next;
            node = self.nodes.get(next)?;
        }
        Some((key_span, id))
    }

    /// The best span for `path`: the value if present, else the deepest ancestor found.
    pub fn locate(&self, path: &[Seg<'_>]) -> Span {
        for len in (0..=path.len()).rev() {
            if let Some((key, value)) = path.get(..len).and_then(|p| self.find(p)) {
                if len == path.len() {
                    return value;
                }
                // An absent key: point at the entry's first line rather than all of it.
                return key.map_or(
                    Span::new(value.start as usize, value.start as usize + 1),
                    |k| k,
                );
            }
        }
        Span::default()
    }

    /// The key and value of a mapping entry together (`country: SG`), or the value alone.
    pub fn locate_entry(&self, path: &[Seg<'_>]) -> Span {
        match self.find(path) {
            Some((Some(key), value)) => key.join(value),
            Some((None, value)) => value,
            None => self.locate(path),
        }
    }

    /// The keys of the mapping at `path`, for "did you mean".
    pub fn keys(&self, path: &[Seg<'_>]) -> Vec<String> {
        match self.find_node(path).and_then(|(_, id)| self.nodes.get(id)) {
            Some(Node {
                kind: Kind::Map(entries),
                ..
            }) => entries.iter().map(|(k, _, _)| k.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_values_and_keys() {
        let text = "parties:\n  - id: a\n    country: SG\n  - id: b\n    country: CN\ntransactions: [{id: T1, route: [US, SG]}]\n";
        let file = SourceFile::new("t.yaml", text);
        let index = SpanIndex::build(&file, None);
        let span = index.locate(&[Seg::Key("parties"), Seg::Index(1), Seg::Key("country")]);
        assert_eq!(file.slice(span), "CN");
        let hop = index.locate(&[
            Seg::Key("transactions"),
            Seg::Index(0),
            Seg::Key("route"),
            Seg::Index(1),
        ]);
        assert_eq!(file.slice(hop), "SG");
        let missing = index.locate(&[Seg::Key("parties"), Seg::Index(0), Seg::Key("owners")]);
        assert_eq!(file.line_col(missing.start).0, 2);
    }
}
