//! Diagnostics as data (produced by every phase) and their rendering with ariadne.

use std::fmt::Write as _;

use ariadne::{Color, Config, IndexType, Label as ALabel, Report, ReportKind};

use crate::span::{SourceId, SourceMap, Span};

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Stops the script.
    Error,
    /// Reported, but the script goes on.
    Warning,
}

/// A span with a message; the primary label marks the main culprit.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// What is labelled.
    pub span: Span,
    /// What to say about it (may be empty).
    pub message: String,
    /// The main culprit is drawn in the error colour.
    pub primary: bool,
}

/// One error or warning, ready to render.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// A stable kebab-case name of the error kind (`shape-mismatch`), used by tests and docs.
    pub code: &'static str,
    /// The headline: lower case, no full stop.
    pub message: String,
    /// Labelled spans; the first primary one anchors the report.
    pub labels: Vec<Label>,
    /// Extra facts.
    pub notes: Vec<String>,
    /// Fix-its and suggestions.
    pub help: Vec<String>,
    /// The calls that led here, innermost first: "in call to `f`" with the call's span.
    pub trace: Vec<(String, Span)>,
}

impl Diagnostic {
    /// An error with a headline and no labels yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            notes: Vec::new(),
            help: Vec::new(),
            trace: Vec::new(),
        }
    }

    /// A warning with a headline and no labels yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    /// Adds the primary label.
    pub fn with_primary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into(), primary: true });
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into(), primary: false });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Adds a help line (a fix-it or suggestion).
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    /// The span the report is anchored at: the first primary label, else the first label.
    pub fn anchor(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).or(self.labels.first()).map(|l| l.span)
    }

    /// Renders the diagnostic with its source excerpts; `color` adds ANSI colours.
    pub fn render(&self, sources: &SourceMap, color: bool) -> String {
        let kind = match self.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let mut out = String::new();
        let Some(anchor) = self.anchor().filter(|s| sources.get(s.src).is_some()) else {
            // Nothing to point at: a plain headline with notes.
            let _ = writeln!(out, "[{}] {}: {}", self.code, severity_word(self.severity), self.message);
            for n in &self.notes {
                let _ = writeln!(out, "  = note: {n}");
            }
            for h in &self.help {
                let _ = writeln!(out, "  = help: {h}");
            }
            self.render_trace(sources, &mut out);
            return out;
        };
        let name = |id: SourceId| sources.get(id).map_or_else(String::new, |s| s.name.clone());
        // Sources with very long lines are shown through a window around the labels:
        // ariadne's cost grows with the length of every line it prints.
        let views: Vec<View> = sources_of(&self.labels, anchor.src)
            .into_iter()
            .filter_map(|src| View::new(src, sources.get(src)?.text.as_str(), &self.labels))
            .collect();
        let anchor_range = match views.iter().find(|v| v.src == anchor.src) {
            Some(view) => view.map(anchor.start as usize)..view.map(anchor.end as usize),
            None => clamp(anchor, sources),
        };
        let mut report = Report::build(kind, (name(anchor.src), anchor_range))
            .with_config(Config::default().with_color(color).with_index_type(IndexType::Byte))
            .with_code(self.code)
            .with_message(&self.message);
        for label in &self.labels {
            if sources.get(label.span.src).is_none() {
                continue;
            }
            let range = clamp(label.span, sources);
            let range = match views.iter().find(|v| v.src == label.span.src) {
                Some(view) => view.map(range.start)..view.map(range.end),
                None => range,
            };
            let mut l = ALabel::new((name(label.span.src), range));
            if !label.message.is_empty() {
                l = l.with_message(&label.message);
            }
            if color {
                l = l.with_color(if label.primary { Color::Red } else { Color::Blue });
            }
            report = report.with_label(l);
        }
        for n in &self.notes {
            report = report.with_note(n);
        }
        let anchor_line_long = sources.get(anchor.src).is_some_and(|s| {
            let at = (anchor.start as usize).min(s.text.len());
            let start = s.text[..at].rfind('\n').map_or(0, |k| k + 1);
            let end = s.text[at..].find('\n').map_or(s.text.len(), |k| at + k);
            end - start > MAX_SHOWN_LINE
        });
        if anchor_line_long && views.iter().any(|v| v.src == anchor.src) {
            // ariadne counts columns in the shortened line: give the real position.
            let (line, col) = sources.line_col(anchor);
            report = report
                .with_note(format!("line {line} is too long to show whole: this is the part around column {col}"));
        }
        for h in &self.help {
            report = report.with_help(h);
        }
        let cache = ariadne::sources(
            (0..)
                .map_while(|i| {
                    sources.get(i).map(|s| {
                        let text = match views.iter().find(|v| v.src == i) {
                            Some(view) => view.text.clone(),
                            None => s.text.clone(),
                        };
                        (s.name.clone(), text)
                    })
                })
                .collect::<Vec<_>>(),
        );
        let mut buf = Vec::new();
        if report.finish().write(cache, &mut buf).is_err() {
            let _ = writeln!(out, "{}: {}", severity_word(self.severity), self.message);
        } else {
            out.push_str(&String::from_utf8_lossy(&buf));
        }
        self.render_trace(sources, &mut out);
        out
    }

    fn render_trace(&self, sources: &SourceMap, out: &mut String) {
        for (what, span) in &self.trace {
            let (line, col) = sources.line_col(*span);
            let file = sources.get(span.src).map_or("?", |s| s.name.as_str());
            let _ = writeln!(out, "  {what} at {file}:{line}:{col}");
        }
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "Error",
        Severity::Warning => "Warning",
    }
}

/// Keeps a span inside its source text so that ariadne never sees an out-of-range label.
fn clamp(span: Span, sources: &SourceMap) -> std::ops::Range<usize> {
    let len = sources.get(span.src).map_or(0, |s| s.text.len());
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    start..end
}

/// Lines longer than this are shown through a window when a diagnostic is rendered.
const MAX_SHOWN_LINE: usize = 400;

/// The sources a diagnostic's labels point into, the anchor's first.
fn sources_of(labels: &[Label], anchor: SourceId) -> Vec<SourceId> {
    let mut ids = vec![anchor];
    for l in labels {
        if !ids.contains(&l.span.src) {
            ids.push(l.span.src);
        }
    }
    ids
}

/// A source's text with each line longer than [`MAX_SHOWN_LINE`] cut to a window around the
/// first label on it (`…` marks the cuts), and the map from original to shown offsets.
struct View {
    src: SourceId,
    text: String,
    /// (original start, original end, shown start) of each kept piece, in order.
    pieces: Vec<(usize, usize, usize)>,
}

impl View {
    /// `None` when no line is too long (the source is shown as it is).
    fn new(src: SourceId, text: &str, labels: &[Label]) -> Option<View> {
        let longest = text.split('\n').map(str::len).max().unwrap_or(0);
        if longest <= MAX_SHOWN_LINE {
            return None;
        }
        let mut view = View { src, text: String::new(), pieces: Vec::new() };
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            let line_end = line_start + line.len();
            if line.len() <= MAX_SHOWN_LINE {
                view.pieces.push((line_start, line_end, view.text.len()));
                view.text.push_str(line);
            } else {
                // The window starts a little before the first label that starts on this line.
                let first = labels
                    .iter()
                    .filter(|l| l.span.src == src)
                    .map(|l| l.span.start as usize)
                    .filter(|&s| s >= line_start && s < line_end)
                    .min()
                    .unwrap_or(line_start);
                let mut from = first.saturating_sub(MAX_SHOWN_LINE / 4).max(line_start);
                while !text.is_char_boundary(from) {
                    from -= 1;
                }
                let mut to = (from + MAX_SHOWN_LINE).min(line_end);
                while !text.is_char_boundary(to) {
                    to -= 1;
                }
                if from > line_start {
                    view.text.push('…');
                }
                view.pieces.push((from, to, view.text.len()));
                view.text.push_str(&text[from..to]);
                if to < line_end {
                    view.text.push('…');
                    if line.ends_with('\n') {
                        view.text.push('\n');
                    }
                }
            }
            line_start = line_end;
        }
        Some(view)
    }

    /// Where original offset `at` is shown: inside a kept piece, or at the nearest cut.
    fn map(&self, at: usize) -> usize {
        let k = self.pieces.partition_point(|&(start, _, _)| start <= at);
        match k {
            0 => 0,
            _ => {
                let (start, end, shown) = self.pieces[k - 1];
                shown + at.min(end) - start
            }
        }
    }
}
