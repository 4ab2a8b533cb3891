//! Where each fact sits in its YAML file. serde_yaml reads values but keeps no positions, so
//! positions come from a second, lazy pass with saphyr-parser's marked events, made only when
//! a diagnostic or a finding needs to point into the file.
//!
//! That pass is kept small: a transaction file is mostly long block lists (`parties:`,
//! `transactions:`, …), so one cheap scan of the lines finds where each list entry starts and
//! ends, and an entry is parsed for positions only when a fact in it is asked for (a file of a
//! million transactions with a thousand findings parses about a thousand entries, not the
//! file). Whatever that scan cannot vouch for (flow-style lists, document markers, tabs, an
//! entry count that differs from the typed reading, an entry that does not parse alone) is
//! answered from an index of the whole document instead, built once on first need.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

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

/// A tree of spans mirroring a document's structure.
#[derive(Debug, Default)]
struct Tree {
    nodes: Vec<Node>,
    /// The node paths start from: the document, or a mapping value inside it (the `facts:`
    /// of a test case).
    root: usize,
    /// For each large mapping, by node: each key's entry (its last occurrence). A test case's
    /// `expect:` may hold a key per transaction, and scanning it for every one was quadratic.
    keyed: HashMap<usize, HashMap<String, usize>>,
}

/// Mappings with more keys than this are indexed by key; smaller ones are scanned.
const KEYED_FROM: usize = 32;

/// One entry of a top-level block list: its bytes, and its tree once asked for (`None` inside
/// when it does not parse on its own, so the whole-document tree answers instead).
#[derive(Debug)]
pub(crate) struct Entry {
    start: u32,
    end: u32,
    tree: OnceLock<Option<Box<Tree>>>,
}

/// Identifies an index for the per-thread entry cache (an address could be reused).
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

type EntryKey = (u64, usize, usize);

/// How many entry trees each thread keeps.
const RECENT_ENTRIES: usize = 64;

thread_local! {
    /// The entry trees this thread parsed last, oldest first.
    static RECENT: RefCell<VecDeque<(EntryKey, Option<Box<Tree>>)>> =
        const { RefCell::new(VecDeque::new()) };
}

/// The positions of a file's facts, found lazily (see the module docs).
#[derive(Debug)]
pub struct SpanIndex {
    id: u64,
    file: Arc<SourceFile>,
    root: Option<String>,
    /// Top-level block lists by key, when the line scan could vouch for them.
    lists: Vec<(String, Vec<Entry>)>,
    whole: OnceLock<Tree>,
    /// A JSON Lines or CSV file: its rows are the transactions.
    rows: Option<Arc<super::rows::Layout>>,
}

/// Deeper documents are not indexed further (the loader refuses them before this point).
const MAX_DEPTH: usize = 256;

impl SpanIndex {
    /// Indexes a file; with `root`, paths start at that top-level key's value. Only the
    /// whole-document tree is used (for error reporting, where entry counts are unknown).
    pub fn build(file: &Arc<SourceFile>, root: Option<&str>) -> SpanIndex {
        SpanIndex {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            file: Arc::clone(file),
            root: root.map(str::to_string),
            lists: Vec::new(),
            whole: OnceLock::new(),
            rows: None,
        }
    }

    /// Indexes a file of rows (JSON Lines, CSV): path `transactions[i]` is row `i`.
    pub(crate) fn rows(file: &Arc<SourceFile>, layout: Arc<super::rows::Layout>) -> SpanIndex {
        let mut index = SpanIndex::build(file, None);
        index.rows = Some(layout);
        index
    }

    /// Indexes a file whose top-level block lists were found by [`scan_top_level`] and read
    /// entry for entry (so their counts are known to agree).
    pub(crate) fn from_lists(
        file: &Arc<SourceFile>,
        lists: Vec<(String, Vec<Entry>)>,
    ) -> SpanIndex {
        let mut index = SpanIndex::build(file, None);
        index.lists = lists;
        index
    }

    /// Indexes a transaction file whose top-level lists hold `counts` entries (as the typed
    /// reading found them): entries of those lists are then parsed one at a time, on demand.
    pub fn with_counts(
        file: &Arc<SourceFile>,
        root: Option<&str>,
        counts: &[(&str, usize)],
    ) -> SpanIndex {
        let mut index = SpanIndex::build(file, root);
        if root.is_none() {
            if let Some(mut lists) = scan_lists(file.text()) {
                lists.retain(|(key, entries)| {
                    counts.iter().any(|(k, n)| k == key && *n == entries.len())
                });
                index.lists = lists;
            }
        }
        index
    }

    fn whole(&self) -> &Tree {
        self.whole.get_or_init(|| {
            let (mut tree, _) = Tree::scan(&self.file);
            if let Some(key) = &self.root {
                if let Some((_, id)) = tree.find_node(&[Seg::Key(key)]) {
                    tree.root = id;
                }
            }
            tree
        })
    }

    /// Runs `f` on the tree that answers `path`, with the path within it and whether that
    /// tree is an entry's (whose only item stands for the entry's index).
    ///
    /// Trees of `transactions` entries are not kept for the file's life: a transaction is
    /// explained once, so each thread keeps only the last [`RECENT_ENTRIES`] it parsed (a
    /// million findings would otherwise keep a million trees). Parties, items and facilities
    /// recur across findings and stay parsed once asked for (measured: at 1M transactions
    /// they cost no visible memory, and parsing them per finding cost a tenth of the time).
    fn with_tree<R>(&self, path: &[Seg<'_>], f: impl FnOnce(&Tree, &[Seg<'_>], bool) -> R) -> R {
        if let Some(layout) = &self.rows {
            let row = match (path.first(), path.get(1)) {
                (Some(Seg::Key("transactions")), Some(Seg::Index(i))) => Some(*i),
                _ => None,
            };
            let id = (self.id, usize::MAX, row.unwrap_or(usize::MAX));
            return RECENT.with(|recent| {
                let mut recent = recent.borrow_mut();
                let at = match recent.iter().position(|(k, _)| *k == id) {
                    Some(at) => at,
                    None => {
                        if recent.len() >= RECENT_ENTRIES {
                            recent.pop_front();
                        }
                        let tree = row
                            .and_then(|i| layout.row(self.file.text(), i))
                            .map(|node| Box::new(Tree::of_node(&node)));
                        recent.push_back((id, tree));
                        recent.len() - 1
                    }
                };
                match (
                    recent.get(at).and_then(|(_, t)| t.as_deref()),
                    path.get(1..),
                ) {
                    (Some(tree), Some(rest)) => f(tree, rest, true),
                    _ => f(&Tree::default(), &[], false),
                }
            });
        }
        if let (Some(Seg::Key(key)), Some(Seg::Index(i)), Some(rest)) =
            (path.first(), path.get(1), path.get(1..))
        {
            let list = self.lists.iter().position(|(k, _)| k == key);
            let entry = list
                .and_then(|l| self.lists.get(l))
                .and_then(|(_, e)| e.get(*i));
            if let (Some(list), Some(entry)) = (list, entry) {
                if *key == "transactions" {
                    let id = (self.id, list, *i);
                    return RECENT.with(|recent| {
                        let mut recent = recent.borrow_mut();
                        let at = match recent.iter().position(|(k, _)| *k == id) {
                            Some(at) => at,
                            None => {
                                if recent.len() >= RECENT_ENTRIES {
                                    recent.pop_front();
                                }
                                let tree = Tree::of_entry(&self.file, entry.start, entry.end);
                                recent.push_back((id, tree));
                                recent.len() - 1
                            }
                        };
                        match recent.get(at).and_then(|(_, t)| t.as_deref()) {
                            Some(tree) => f(tree, rest, true),
                            None => f(self.whole(), path, false),
                        }
                    });
                }
                let tree = entry
                    .tree
                    .get_or_init(|| Tree::of_entry(&self.file, entry.start, entry.end));
                if let Some(tree) = tree {
                    return f(tree, rest, true);
                }
            }
        }
        f(self.whole(), path, false)
    }

    /// The span of entry `i` of the top-level list `key`, from the line scan alone (no
    /// parsing): from its first character after `- ` to the end of its last line of content.
    /// Falls back to the parsed position when the scan could not vouch for the list.
    pub fn entry(&self, key: &str, i: usize) -> Span {
        if let Some(layout) = &self.rows {
            return layout.rows.get(i).filter(|_| key == "transactions").map_or(
                Span::default(),
                |(start, end)| {
                    let line = self
                        .file
                        .text()
                        .get(*start as usize..*end as usize)
                        .unwrap_or("");
                    Span::new(*start as usize, *start as usize + line.trim_end().len())
                },
            );
        }
        let scanned = self
            .lists
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, entries)| entries.get(i))
            .and_then(|e| entry_bounds(self.file.text(), e.start, e.end));
        match scanned {
            Some(span) => span,
            None => self.locate(&[Seg::Key(key), Seg::Index(i)]),
        }
    }

    /// The span of the value at `path` and of its key (for mapping entries).
    pub fn find(&self, path: &[Seg<'_>]) -> Option<(Option<Span>, Span)> {
        self.with_tree(path, |tree, rest, in_entry| {
            // Inside an entry tree the list index becomes 0: the entry is the only item.
            let (key, id) = if in_entry {
                tree.find_node_from_entry(rest)?
            } else {
                tree.find_node(rest)?
            };
            Some((key, tree.nodes.get(id)?.span))
        })
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
        self.with_tree(path, |tree, rest, in_entry| {
            let found = if in_entry {
                tree.find_node_from_entry(rest)
            } else {
                tree.find_node(rest)
            };
            match found.and_then(|(_, id)| tree.nodes.get(id)) {
                Some(Node {
                    kind: Kind::Map(entries),
                    ..
                }) => entries.iter().map(|(k, _, _)| k.clone()).collect(),
                _ => Vec::new(),
            }
        })
    }
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

impl Tree {
    /// A tree of one entry (a row of a JSON Lines or CSV file), as a list of that one item.
    fn of_node(node: &super::doc::Node) -> Tree {
        use super::doc::Value as V;
        fn add(tree: &mut Tree, node: &super::doc::Node) -> usize {
            let kind = match &node.value {
                V::Scalar { .. } => Kind::Scalar,
                V::Seq(items) => {
                    let ids = items.iter().map(|n| add(tree, n)).collect();
                    Kind::Seq(ids)
                }
                V::Map(entries) => {
                    let ids = entries
                        .iter()
                        .map(|(k, s, n)| (k.clone(), *s, add(tree, n)))
                        .collect();
                    Kind::Map(ids)
                }
            };
            tree.push(node.span, kind)
        }
        let mut tree = Tree::default();
        // The list first (node 0), then its item.
        tree.push(node.span, Kind::Seq(Vec::new()));
        let item = add(&mut tree, node);
        if let Some(Node {
            kind: Kind::Seq(items),
            ..
        }) = tree.nodes.first_mut()
        {
            items.push(item);
        }
        tree.index_large_maps();
        tree
    }

    /// Indexes a whole document. The flag says whether the parser reached the end without an
    /// error (the tree is then complete).
    fn scan(file: &Arc<SourceFile>) -> (Tree, bool) {
        let mut tree = Tree::default();
        let text = file.text();
        // In ASCII text a character index is a byte offset: no line table needed.
        let ascii = text.is_ascii();
        let mut parser = Parser::new_from_str(text);
        // A stack of open collections: node id and, for maps, a pending key.
        let mut stack: Vec<(usize, Option<(String, Span)>)> = Vec::new();
        let mut offsets = ByteOffsets::new(text);
        let mut to_offset = |m: saphyr_parser::Marker| {
            if ascii {
                u32::try_from(m.index()).unwrap_or(u32::MAX) as usize
            } else {
                offsets.of(m.index())
            }
        };
        let mut complete = false;
        while let Some(Ok((event, span))) = parser.next_event() {
            let start = to_offset(span.start);
            let end = to_offset(span.end).max(start);
            let here = Span::new(start, end);
            match event {
                Event::Scalar(value, ..) => {
                    if let Some((_, pending @ None)) = stack.last_mut().filter(|(id, _)| {
                        matches!(tree.nodes.get(*id).map(|n| &n.kind), Some(Kind::Map(_)))
                    }) {
                        *pending = Some((value.into_owned(), here));
                        continue;
                    }
                    let id = tree.push(here, Kind::Scalar);
                    tree.attach(&mut stack, id);
                }
                Event::Alias(_) => {
                    let id = tree.push(here, Kind::Scalar);
                    tree.attach(&mut stack, id);
                }
                Event::SequenceStart(..) | Event::MappingStart(..) => {
                    let kind = if matches!(event, Event::SequenceStart(..)) {
                        Kind::Seq(Vec::new())
                    } else {
                        Kind::Map(Vec::new())
                    };
                    let id = tree.push(here, kind);
                    tree.attach(&mut stack, id);
                    if stack.len() >= MAX_DEPTH {
                        break;
                    }
                    stack.push((id, None));
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if let Some((id, _)) = stack.pop() {
                        tree.close(id, here, text);
                    }
                }
                Event::StreamEnd => {
                    complete = true;
                    break;
                }
                _ => {}
            }
        }
        tree.index_large_maps();
        (tree, complete)
    }

    fn index_large_maps(&mut self) {
        for (id, node) in self.nodes.iter().enumerate() {
            if let Kind::Map(entries) = &node.kind {
                if entries.len() > KEYED_FROM {
                    let keys = entries
                        .iter()
                        .enumerate()
                        .map(|(at, (key, _, _))| (key.clone(), at))
                        .collect();
                    self.keyed.insert(id, keys);
                }
            }
        }
    }

    /// Indexes one list entry (`start..end` of the file) on its own, with spans in the file's
    /// offsets; `None` unless it parses to exactly one list item.
    fn of_entry(file: &SourceFile, start: u32, end: u32) -> Option<Box<Tree>> {
        let text = file.text().get(start as usize..end as usize)?;
        let part = SourceFile::new(file.name(), text);
        let (mut tree, complete) = Tree::scan(&part);
        let single = matches!(
            tree.nodes.first().map(|n| &n.kind),
            Some(Kind::Seq(items)) if items.len() == 1
        );
        if !complete || !single {
            return None;
        }
        let shift = |s: Span| Span {
            start: s.start.saturating_add(start),
            end: s.end.saturating_add(start),
        };
        for node in &mut tree.nodes {
            node.span = shift(node.span);
            if let Kind::Map(entries) = &mut node.kind {
                for (_, key, _) in entries.iter_mut() {
                    *key = shift(*key);
                }
            }
        }
        Some(Box::new(tree))
    }

    /// Ends a collection's span: a flow collection at its closing bracket, a block one at
    /// the end of its last entry (the parser's end mark sits on the next token, which may be
    /// lines further down, in the next entry).
    fn close(&mut self, id: usize, end_mark: Span, text: &str) {
        let Some(node) = self.nodes.get(id) else {
            return;
        };
        let flow = matches!(
            text.as_bytes().get(node.span.start as usize),
            Some(b'[' | b'{')
        );
        let end = if flow {
            end_mark.end
        } else {
            let last = |span: Span| span.end;
            match &node.kind {
                Kind::Seq(items) => items
                    .iter()
                    .filter_map(|c| self.nodes.get(*c).map(|n| last(n.span)))
                    .max(),
                Kind::Map(entries) => entries
                    .iter()
                    .filter_map(|(_, k, c)| self.nodes.get(*c).map(|n| last(n.span).max(k.end)))
                    .max(),
                Kind::Scalar => None,
            }
            .unwrap_or(node.span.end)
        };
        if let Some(node) = self.nodes.get_mut(id) {
            node.span.end = node.span.end.max(end).max(node.span.start);
            if flow {
                node.span = node.span.join(end_mark);
            }
        }
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

    fn find_node(&self, path: &[Seg<'_>]) -> Option<(Option<Span>, usize)> {
        self.find_from(self.root, path)
    }

    /// In an entry's tree: `path` starts with the entry's index in its list, which is the
    /// tree's only item.
    fn find_node_from_entry(&self, path: &[Seg<'_>]) -> Option<(Option<Span>, usize)> {
        let Some(Node {
            kind: Kind::Seq(items),
            ..
        }) = self.nodes.first()
        else {
            return None;
        };
        self.find_from(*items.first()?, path.get(1..)?)
    }

    fn find_from(&self, from: usize, path: &[Seg<'_>]) -> Option<(Option<Span>, usize)> {
        let mut id = from;
        let mut node = self.nodes.get(id)?;
        let mut key_span = None;
        for seg in path {
            let next = match (seg, &node.kind) {
                (Seg::Key(k), Kind::Map(entries)) => {
                    // The last occurrence wins, as in the typed reading (the index keeps the
                    // last, as it was built in order).
                    let (_, ks, id) = match self.keyed.get(&id) {
                        Some(keys) => entries.get(*keys.get(*k)?)?,
                        None => entries.iter().rev().find(|(key, _, _)| key == k)?,
                    };
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
}

/// The content of a list entry `start..end` (which begins with its `- ` line): from after the
/// dash to the end of the last line that is neither blank nor a comment. Looks only at the
/// entry's first and last lines in the usual case (no blank or comment lines around it).
fn entry_bounds(text: &str, start: u32, end: u32) -> Option<Span> {
    let part = text.get(start as usize..end as usize)?;
    let bytes = part.as_bytes();
    let dash = part.find('-')?;
    // Forward from the dash to the first character of content (skipping comment lines).
    let mut first = dash + 1;
    loop {
        match bytes.get(first)? {
            b' ' | b'\t' | b'\r' | b'\n' => first += 1,
            b'#' => first += part.get(first..)?.find('\n')?,
            _ => break,
        }
    }
    // Backward from the end over blank lines and whole-line comments.
    let mut last = part.len();
    loop {
        let body = part.get(..last)?.trim_end();
        let line_start = body.rfind('\n').map_or(0, |i| i + 1);
        let line = body.get(line_start..)?;
        if line_start > first && line.trim_start().starts_with('#') {
            last = line_start;
            continue;
        }
        last = body.len();
        break;
    }
    Some(Span::new(
        start as usize + first,
        start as usize + last.max(first),
    ))
}

/// Finds the entries of the document's top-level block lists from its lines alone:
/// `key:` at column 0 opens a list whose entries are the `- ` lines at its first entry's
/// indentation. `None` for anything this scan does not vouch for (tabs in indentation,
/// document markers, keys that are not plain words, a top-level key written twice, lines
/// out of place); the whole-document index answers then.
fn scan_lists(text: &str) -> Option<Vec<(String, Vec<Entry>)>> {
    scan_top_level(text).map(|top| top.lists)
}

/// A document's top level as the line scan sees it.
pub(crate) struct TopLevel {
    /// Keys whose value is a block list, with its entries.
    pub lists: Vec<(String, Vec<Entry>)>,
    /// Keys whose value is written on the key's line (a flow list, a scalar).
    pub inline: Vec<String>,
}

impl Entry {
    /// The entry's bytes in the file, from the start of its `- ` line.
    pub(crate) fn bounds(&self) -> (usize, usize) {
        (self.start as usize, self.end as usize)
    }
}

/// See [`scan_lists`]; also names the top-level keys written inline.
pub(crate) fn scan_top_level(text: &str) -> Option<TopLevel> {
    let mut inline: Vec<String> = Vec::new();
    let mut lists: Vec<(String, Vec<Entry>)> = Vec::new();
    // The open list: its entries and the indentation of its `- ` lines once known.
    let mut open: Option<(usize, Option<usize>)> = None;
    let mut offset = 0usize;
    let close =
        |lists: &mut Vec<(String, Vec<Entry>)>, open: Option<(usize, Option<usize>)>, at: usize| {
            if let Some((i, _)) = open {
                if let Some(last) = lists.get_mut(i).and_then(|(_, e)| e.last_mut()) {
                    if last.end == u32::MAX {
                        last.end = u32::try_from(at).unwrap_or(u32::MAX);
                    }
                }
            }
        };
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let content = body.trim_start_matches(' ');
        let indent = body.len() - content.len();
        if content.starts_with('\t') {
            return None;
        }
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let is_item = content == "-" || content.starts_with("- ");
        if indent == 0 && !is_item {
            if content.starts_with("---") || content.starts_with("...") {
                return None;
            }
            let (key, after) = content.split_once(':')?;
            let plain = !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !plain || !(after.is_empty() || after.starts_with([' ', '\t'])) {
                return None;
            }
            close(&mut lists, open, line_start);
            if lists.iter().any(|(k, _)| k == key) || inline.iter().any(|k| k == key) {
                return None;
            }
            let value = after.trim_start();
            if value.is_empty() || value.starts_with('#') {
                lists.push((key.to_string(), Vec::new()));
                open = Some((lists.len() - 1, None));
            } else {
                // An inline value (a flow list, a scalar): not a block list.
                inline.push(key.to_string());
                open = None;
            }
            continue;
        }
        let Some((i, item_indent)) = open.as_mut() else {
            // Indented content under a scalar or flow value: not ours to index.
            continue;
        };
        match *item_indent {
            None if is_item => *item_indent = Some(indent),
            // The first line under the key must be the list's first entry.
            None => return None,
            Some(n) if indent < n => return None,
            Some(n) if indent == n && !is_item => return None,
            _ => {}
        }
        if is_item && Some(indent) == *item_indent {
            let i = *i;
            close(&mut lists, open, line_start);
            if let Some((_, entries)) = lists.get_mut(i) {
                entries.push(Entry {
                    start: u32::try_from(line_start).ok()?,
                    end: u32::MAX,
                    tree: OnceLock::new(),
                });
            }
        }
    }
    close(&mut lists, open, offset);
    Some(TopLevel { lists, inline })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "parties:\n  - id: a\n    country: SG\n  # a comment\n  - id: b\n    country: CN\n    owners:\n      - party: a\n        share: 60\nitems:\n- id: x\n  name: \"X: one\"\ntransactions: [{id: T1, route: [US, SG]}]\n";

    fn both(file: &Arc<SourceFile>) -> [SpanIndex; 2] {
        [
            SpanIndex::build(file, None),
            SpanIndex::with_counts(
                file,
                None,
                &[("parties", 2), ("items", 1), ("transactions", 1)],
            ),
        ]
    }

    #[test]
    fn large_mappings_are_looked_up_by_key_and_the_last_occurrence_wins() {
        let mut text = String::from("expect:\n");
        for i in 0..100 {
            text.push_str(&format!("  T{i}: v{i}\n"));
        }
        text.push_str("  T7: again\n");
        let file = SourceFile::new("case.yaml", &text);
        let index = SpanIndex::build(&file, None);
        let at = |k: &str| file.slice(index.locate(&[Seg::Key("expect"), Seg::Key(k)]));
        assert_eq!(at("T0"), "v0");
        assert_eq!(at("T99"), "v99");
        assert_eq!(at("T7"), "again");
        assert_eq!(index.find(&[Seg::Key("expect"), Seg::Key("T100")]), None);
    }

    #[test]
    fn finds_values_and_keys() {
        let file = SourceFile::new("t.yaml", TEXT);
        for index in both(&file) {
            let span = index.locate(&[Seg::Key("parties"), Seg::Index(1), Seg::Key("country")]);
            assert_eq!(file.slice(span), "CN");
            let owner = index.locate(&[
                Seg::Key("parties"),
                Seg::Index(1),
                Seg::Key("owners"),
                Seg::Index(0),
                Seg::Key("share"),
            ]);
            assert_eq!(file.slice(owner), "60");
            let name = index.locate(&[Seg::Key("items"), Seg::Index(0), Seg::Key("name")]);
            assert_eq!(file.slice(name), "\"X: one\"");
            let hop = index.locate(&[
                Seg::Key("transactions"),
                Seg::Index(0),
                Seg::Key("route"),
                Seg::Index(1),
            ]);
            assert_eq!(file.slice(hop), "SG");
            let missing = index.locate(&[Seg::Key("parties"), Seg::Index(0), Seg::Key("owners")]);
            assert_eq!(file.line_col(missing.start).0, 2);
            let entry = index.locate_entry(&[Seg::Key("parties"), Seg::Index(0), Seg::Key("id")]);
            assert_eq!(file.slice(entry), "id: a");
            let whole = index.entry("parties", 1);
            assert_eq!(
                file.slice(whole),
                "id: b\n    country: CN\n    owners:\n      - party: a\n        share: 60"
            );
            assert_eq!(
                index.keys(&[Seg::Key("parties"), Seg::Index(1)]),
                vec!["id", "country", "owners"]
            );
        }
    }

    #[test]
    fn the_line_scan_finds_block_lists_only() {
        let lists = scan_lists(TEXT).unwrap();
        let keys: Vec<(&str, usize)> = lists.iter().map(|(k, e)| (k.as_str(), e.len())).collect();
        assert_eq!(keys, vec![("parties", 2), ("items", 1)]);
        assert!(scan_lists("---\nparties:\n  - id: a\n").is_none());
        assert!(scan_lists("parties:\n\t- id: a\n").is_none());
        assert!(scan_lists("\"quoted\": 1\n").is_none());
    }

    #[test]
    fn entries_agree_with_the_whole_document() {
        let file = SourceFile::new("t.yaml", TEXT);
        let [whole, lazy] = both(&file);
        for path in [
            vec![Seg::Key("parties"), Seg::Index(0)],
            vec![Seg::Key("parties"), Seg::Index(1), Seg::Key("owners")],
            vec![Seg::Key("items"), Seg::Index(0), Seg::Key("id")],
            vec![Seg::Key("parties"), Seg::Index(7)],
        ] {
            assert_eq!(whole.find(&path), lazy.find(&path));
            assert_eq!(whole.locate(&path), lazy.locate(&path));
        }
    }

    #[test]
    fn a_count_that_disagrees_falls_back_to_the_whole_document() {
        let file = SourceFile::new("t.yaml", TEXT);
        let index = SpanIndex::with_counts(&file, None, &[("parties", 3)]);
        assert!(index.lists.is_empty());
        let span = index.locate(&[Seg::Key("parties"), Seg::Index(1), Seg::Key("country")]);
        assert_eq!(file.slice(span), "CN");
    }
}
