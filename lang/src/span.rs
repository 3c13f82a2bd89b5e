//! Byte spans into sources, and the map from source ids to their text.

use std::fmt;

/// Identifies one source text: a script file, a `-e` snippet or one REPL input.
pub type SourceId = u32;

/// A byte range `start..end` in the source `src`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The source this span points into.
    pub src: SourceId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span of `start..end` in `src`.
    pub fn new(src: SourceId, start: usize, end: usize) -> Span {
        Span { src, start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both `self` and `other` (same source assumed).
    pub fn to(self, other: Span) -> Span {
        Span { src: self.src, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    /// The byte range, for slicing the source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}..{}", self.src, self.start, self.end)
    }
}

/// A value of type `T` with the span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs `node` with `span`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// One named source text.
#[derive(Clone, Debug)]
pub struct Source {
    /// Shown in diagnostics: a path, `<-e>` or `<repl:3>`.
    pub name: String,
    /// The full text.
    pub text: String,
}

/// All sources seen in a session, indexed by [`SourceId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    sources: Vec<Source>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// Adds a source and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> SourceId {
        self.sources.push(Source { name: name.into(), text: text.into() });
        (self.sources.len() - 1) as SourceId
    }

    /// The source with id `id`, if any.
    pub fn get(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id as usize)
    }

    /// The text a span covers, or `""` if the span is out of range.
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.src).and_then(|s| s.text.get(span.range())).unwrap_or("")
    }

    /// The 1-based line and column of a span's start.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let Some(src) = self.get(span.src) else { return (1, 1) };
        let upto = &src.text[..(span.start as usize).min(src.text.len())];
        let line = upto.matches('\n').count() + 1;
        let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}
