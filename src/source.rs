//! Source files and spans: the ground floor every other layer stands on.
//!
//! A [`SourceFile`] owns its text behind an `Arc`, so anything holding a [`Loc`] can render its
//! own snippet without a global source map (the habit Cedar's `Loc` teaches).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use miette::SpanContents as _;

/// A byte range in one source file. `u32` keeps spans small; files larger than 4 GiB are
/// refused long before they reach a span (see [`crate::Limits`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end.max(start)),
        }
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The part of `self` inside `other` (empty at `other`'s start when they do not meet).
    pub fn intersect(self, other: Span) -> Span {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        if start <= end {
            Span { start, end }
        } else {
            Span {
                start: other.start,
                end: other.start,
            }
        }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        miette::SourceSpan::new((span.start as usize).into(), span.len())
    }
}

/// One file of rules or facts, with its display name.
pub struct SourceFile {
    name: String,
    /// Owned as given: a `String` read from disk becomes the source without a copy (an
    /// `Arc<str>` would copy a 165 MB file once more at the worst moment).
    text: String,
    line_starts: OnceLock<Vec<u32>>,
    lone_cr: OnceLock<bool>,
}

impl fmt::Debug for SourceFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceFile")
            .field("name", &self.name)
            .field("len", &self.text.len())
            .finish()
    }
}

/// Why bytes are not a text file: binary content (a NUL byte) or invalid UTF-8, with the
/// offset and the text that comes before it (for a located diagnostic).
pub enum NotText {
    Binary { at: usize, before: Arc<SourceFile> },
    NotUtf8 { at: usize, before: Arc<SourceFile> },
}

/// A file's bytes as text, or why they are not. A UTF-8 byte-order mark is kept, so that
/// offsets stay those of the file.
pub fn text_of(name: &str, bytes: Vec<u8>) -> Result<Arc<SourceFile>, NotText> {
    let prefix = |bytes: &[u8], end: usize| {
        SourceFile::new(
            name,
            String::from_utf8_lossy(bytes.get(..end).unwrap_or(&[])).into_owned(),
        )
    };
    if let Some(nul) = bytes.iter().position(|b| *b == 0) {
        return Err(NotText::Binary {
            at: nul,
            before: prefix(&bytes, nul),
        });
    }
    String::from_utf8(bytes)
        .map(|text| SourceFile::new(name, text))
        .map_err(|e| {
            let good = e.utf8_error().valid_up_to();
            NotText::NotUtf8 {
                at: good,
                before: prefix(e.as_bytes(), good),
            }
        })
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
            lone_cr: OnceLock::new(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text a span covers; empty if the span does not fit (never panics).
    pub fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0u32];
            for (i, b) in self.text.bytes().enumerate() {
                if b == b'\n' {
                    starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
                }
            }
            starts
        })
    }

    /// Whether a `\r` stands alone (not before `\n`) somewhere in the text.
    fn has_lone_cr(&self) -> bool {
        *self.lone_cr.get_or_init(|| {
            let bytes = self.text.as_bytes();
            bytes
                .iter()
                .enumerate()
                .any(|(i, b)| *b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let starts = self.line_starts();
        let line = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = starts.get(line).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map(|s| {
                if s.is_ascii() {
                    s.len()
                } else {
                    s.chars().count()
                }
            })
            .unwrap_or(0);
        (line + 1, col + 1)
    }

    /// Byte offset of a 1-based line and column (columns counted in characters).
    pub fn offset_of(&self, line: usize, col: usize) -> u32 {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line.saturating_sub(1)) else {
            return u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        };
        let rest = self.text.get(start as usize..).unwrap_or("");
        let within: usize = rest
            .chars()
            .take(col.saturating_sub(1))
            .take_while(|c| *c != '\n')
            .map(char::len_utf8)
            .sum();
        start.saturating_add(u32::try_from(within).unwrap_or(u32::MAX))
    }

    /// The span of the whole 1-based line (without its newline).
    pub fn line_span(&self, line: usize) -> Span {
        let start = self.offset_of(line, 1) as usize;
        let rest = self.text.get(start..).unwrap_or("");
        let len = rest.find('\n').unwrap_or(rest.len());
        Span::new(start, start + len)
    }

    /// `file:line:col` of a span's start.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.start);
        format!("{}:{}:{}", self.name, line, col)
    }
}

/// Snippets longer than this are cut to a window around the span, so that a diagnostic about
/// a minified or hostile file (one line of megabytes) stays a few lines long.
const MAX_SNIPPET_BYTES: usize = 4096;
/// How much of a long line is shown on each side of the span.
const LONG_LINE_CONTEXT: usize = 80;

impl SourceFile {
    /// The bytes a snippet can need: whole lines from one before the context to one after,
    /// as (start, end, index of the first line).
    fn context_window(
        &self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> (usize, usize, usize) {
        let starts = self.line_starts();
        let line_of = |offset: usize| {
            let offset = u32::try_from(offset).unwrap_or(u32::MAX);
            match starts.binary_search(&offset) {
                Ok(i) => i,
                Err(i) => i.saturating_sub(1),
            }
        };
        let first = line_of(span.offset()).saturating_sub(before.saturating_add(1));
        let last = line_of(span.offset().saturating_add(span.len()))
            .saturating_add(after)
            .saturating_add(2);
        let from = starts.get(first).map_or(0, |s| *s as usize);
        let to = starts
            .get(last)
            .map_or(self.text.len(), |s| *s as usize)
            .max(from);
        (from, to, first)
    }

    /// The window of a long line shown around `span`: (start, end), on char boundaries.
    fn long_line_window(&self, span: &miette::SourceSpan) -> (usize, usize) {
        let text: &str = &self.text;
        let floor = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = floor(span.offset());
        let line_start = text
            .get(..start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let line_end = text
            .get(start..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| start + i);
        let from = floor(start.saturating_sub(LONG_LINE_CONTEXT).max(line_start));
        let span_end = start.saturating_add(span.len().max(1));
        let to = floor(
            span_end
                .saturating_add(LONG_LINE_CONTEXT)
                .min(line_end)
                .min(from + 4 * LONG_LINE_CONTEXT)
                .max(start),
        );
        (from, to)
    }
}

impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // A lone `\r` is a line break to miette but not to the line table, so such files are
        // read the plain (slower) way, whose line numbers are miette's own.
        if self.has_lone_cr() {
            let inner =
                self.text
                    .as_str()
                    .read_span(span, context_lines_before, context_lines_after)?;
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line(),
                inner.column(),
                inner.line_count(),
            )));
        }
        // miette reads a `str` from its start on every call, which made a report on a large
        // file quadratic (20,000 findings took 105 s): give it only the lines around the
        // span, found through the line index, and number them as in the file.
        let (from, to, first_line) =
            self.context_window(span, context_lines_before, context_lines_after);
        let local = miette::SourceSpan::new(span.offset().saturating_sub(from).into(), span.len());
        let window = self.text.as_bytes().get(from..to).unwrap_or(&[]);
        let near = window.read_span(&local, context_lines_before, context_lines_after)?;
        let inner = miette::MietteSpanContents::new(
            near.data(),
            miette::SourceSpan::new((from + near.span().offset()).into(), near.span().len()),
            first_line + near.line(),
            near.column(),
            // The lines in the snippet, not from the top of the file: miette merges two
            // snippets when one's line plus this count reaches the next, so counting from the
            // top drew every line between a transaction and a party far above it.
            near.line_count(),
        );
        if inner.data().len() > MAX_SNIPPET_BYTES {
            // One window of the span's own line, numbered as in the file.
            let (from, to) = self.long_line_window(span);
            let (line, col) = self.line_col(u32::try_from(from).unwrap_or(u32::MAX));
            let data = self.text.as_bytes().get(from..to).unwrap_or(&[]);
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                self.name.clone(),
                data,
                miette::SourceSpan::new(from.into(), to - from),
                line.saturating_sub(1),
                col.saturating_sub(1),
                1,
            )));
        }
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A span in a particular file.
#[derive(Clone, Debug)]
pub struct Loc {
    pub file: Arc<SourceFile>,
    pub span: Span,
}

impl Loc {
    pub fn new(file: &Arc<SourceFile>, span: Span) -> Loc {
        Loc {
            file: Arc::clone(file),
            span,
        }
    }

    pub fn text(&self) -> &str {
        self.file.slice(self.span)
    }

    /// 1-based line of the span's start.
    pub fn line(&self) -> usize {
        self.file.line_col(self.span.start).0
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file.location(self.span))
    }
}

/// Lexically normalises `a/b/../c` to `a/c` (no file-system access).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Files under `dir` (recursively, at most 16 folders deep, in name order) whose extension is
/// one of `extensions` (compared without case).
pub fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    fn walk(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>, depth: usize) {
        if depth > 16 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, extensions, out, depth + 1);
            } else if p.extension().is_some_and(|e| {
                extensions
                    .iter()
                    .any(|x| e.eq_ignore_ascii_case(std::ffi::OsStr::new(x)))
            }) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, extensions, &mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_round_trips() {
        let file = SourceFile::new("t", "ab\ncdé\nf");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        assert_eq!(file.line_col(5), (2, 3));
        assert_eq!(file.offset_of(2, 3), 5);
        assert_eq!(file.offset_of(3, 1), 8);
        assert_eq!(file.slice(file.line_span(2)), "cdé");
        assert_eq!(file.slice(Span::new(100, 200)), "");
    }

    #[test]
    fn reading_a_span_shows_what_miettes_own_reading_shows() {
        use miette::SourceCode;
        let text = "a: 1\nbb: [x, y]\r\n\n  - c: é\n    d: 2\nlast";
        let file = SourceFile::new("t", text);
        for offset in 0..text.len() {
            for len in [0, 1, 3, 12] {
                let span = miette::SourceSpan::new(offset.into(), len.min(text.len() - offset));
                for (before, after) in [(0, 0), (1, 1), (2, 0), (0, 3)] {
                    let ours = file.read_span(&span, before, after).ok();
                    let theirs = text.read_span(&span, before, after).ok();
                    // Everything but `line_count` (see `read_span`).
                    let key = |c: Option<Box<dyn miette::SpanContents<'_> + '_>>| {
                        c.map(|c| (c.data().to_vec(), *c.span(), c.line(), c.column()))
                    };
                    assert_eq!(key(ours), key(theirs), "{offset} {len} {before} {after}");
                }
            }
        }
    }
}
