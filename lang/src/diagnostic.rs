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
        let mut report = Report::build(kind, (name(anchor.src), anchor.range()))
            .with_config(Config::default().with_color(color).with_index_type(IndexType::Byte))
            .with_code(self.code)
            .with_message(&self.message);
        for label in &self.labels {
            if sources.get(label.span.src).is_none() {
                continue;
            }
            let mut l = ALabel::new((name(label.span.src), clamp(label.span, sources)));
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
        for h in &self.help {
            report = report.with_help(h);
        }
        let cache = ariadne::sources(
            (0..).map_while(|i| sources.get(i).map(|s| (s.name.clone(), s.text.clone()))).collect::<Vec<_>>(),
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
