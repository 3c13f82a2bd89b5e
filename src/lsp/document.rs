//! An open document: its text, and conversions between byte offsets and LSP positions.

use lsp_types::{Position, Range};
use mml_ide::analysis::Edit;

/// How the client counts characters within a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the protocol's default).
    Utf16,
}

/// The text of an open document.
pub struct Document {
    text: String,
    /// Byte offset of the start of each line.
    lines: Vec<usize>,
}

impl Document {
    pub fn new(text: String) -> Document {
        let mut d = Document { text, lines: Vec::new() };
        d.index();
        d
    }

    fn index(&mut self) {
        self.lines = std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte offset of an LSP position (clamped to the line and the document).
    pub fn offset(&self, p: Position, encoding: Encoding) -> usize {
        let Some(&start) = self.lines.get(p.line as usize) else { return self.text.len() };
        let end = self.lines.get(p.line as usize + 1).map_or(self.text.len(), |e| e - 1).max(start);
        let line = &self.text[start..end];
        let within = match encoding {
            Encoding::Utf8 => {
                let mut b = (p.character as usize).min(line.len());
                while !line.is_char_boundary(b) {
                    b -= 1;
                }
                b
            }
            Encoding::Utf16 => mml_ide::text::byte_of_utf16(line, p.character as usize),
        };
        start + within
    }

    /// The LSP position of a byte offset (one inside a character counts as its start).
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        // Clamped to the text, and inside a character rounded down to its start.
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.lines.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.lines[line];
        let text = &self.text[start..offset.max(start)];
        let character = match encoding {
            Encoding::Utf8 => text.len(),
            Encoding::Utf16 => mml_ide::text::utf16_of_byte(text, text.len()),
        };
        Position { line: line as u32, character: character as u32 }
    }

    pub fn range(&self, start: usize, end: usize, encoding: Encoding) -> Range {
        Range { start: self.position(start, encoding), end: self.position(end, encoding) }
    }

    /// The ranges of byte ranges given in order, each position counted on from the one
    /// before, so that many ranges on one very long line cost one pass over it.
    pub fn ranges(&self, spans: impl IntoIterator<Item = (usize, usize)>, encoding: Encoding) -> Vec<Range> {
        let mut last: Option<(usize, Position)> = None;
        let mut out = Vec::new();
        for (start, end) in spans {
            let start_pos = self.position_after(last, start, encoding);
            let end_pos = self.position_after(Some((start, start_pos)), end, encoding);
            last = Some((end, end_pos));
            out.push(Range { start: start_pos, end: end_pos });
        }
        out
    }

    /// The position of `offset`, counted on from a known earlier position on its line.
    fn position_after(&self, known: Option<(usize, Position)>, offset: usize, encoding: Encoding) -> Position {
        let offset = offset.min(self.text.len());
        match known {
            Some((from, p))
                if from <= offset && self.text.is_char_boundary(from) && self.text.is_char_boundary(offset) =>
            {
                let piece = &self.text[from..offset];
                if piece.contains('\n') {
                    return self.position(offset, encoding);
                }
                let units = match encoding {
                    Encoding::Utf8 => piece.len(),
                    Encoding::Utf16 => piece.chars().map(char::len_utf16).sum(),
                };
                Position { line: p.line, character: p.character + units as u32 }
            }
            _ => self.position(offset, encoding),
        }
    }

    /// Applies an edit: a range replaced, or the whole text when `range` is `None`. Returns
    /// the bytes replaced and inserted, for a range.
    pub fn apply(&mut self, range: Option<Range>, text: &str, encoding: Encoding) -> Option<Edit> {
        let edit = match range {
            None => {
                self.text = text.to_string();
                None
            }
            Some(r) => {
                let start = self.offset(r.start, encoding);
                let end = self.offset(r.end, encoding).max(start);
                self.text.replace_range(start..end, text);
                Some(Edit { start, old_end: end, new_end: start + text.len() })
            }
        };
        self.index();
        edit
    }

    /// The name around byte `offset`, as a byte range.
    pub fn word_at(&self, offset: usize) -> Option<(usize, usize)> {
        mml_ide::text::word_at(&self.text, offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_in_both_encodings() {
        let d = Document::new("θ = 1\n😀x = θ + 2\n".to_string());
        let x = d.text().find('x').unwrap();
        assert_eq!(d.position(x, Encoding::Utf16), Position { line: 1, character: 2 });
        assert_eq!(d.position(x, Encoding::Utf8), Position { line: 1, character: 4 });
        assert_eq!(d.offset(Position { line: 1, character: 2 }, Encoding::Utf16), x);
        assert_eq!(d.offset(Position { line: 1, character: 4 }, Encoding::Utf8), x);
        // Past the end of a line, or of the document: clamped.
        assert_eq!(d.offset(Position { line: 0, character: 99 }, Encoding::Utf16), d.text().find('\n').unwrap());
        assert_eq!(d.offset(Position { line: 9, character: 0 }, Encoding::Utf16), d.text().len());
    }

    #[test]
    fn ranges_counted_on_agree_with_single_positions() {
        let d = Document::new("θ = 1 # 😀\n😀x = θ + 2 😀 y\n\nz".to_string());
        let spans: Vec<(usize, usize)> = [("θ", 0), ("😀", 0), ("x", 0), ("θ", 1), ("y", 0), ("z", 0)]
            .iter()
            .map(|&(w, n)| {
                let at = d.text().match_indices(w).nth(n).unwrap().0;
                (at, at + w.len())
            })
            .collect();
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let one: Vec<Range> = spans.iter().map(|&(s, e)| d.range(s, e, encoding)).collect();
            assert_eq!(d.ranges(spans.iter().copied(), encoding), one);
        }
        // Out of order still works, from the line's start; inside a character is its start.
        assert_eq!(
            d.ranges([(9, 10), (0, 2)], Encoding::Utf16),
            [d.range(9, 9, Encoding::Utf16), d.range(0, 2, Encoding::Utf16)]
        );
    }

    #[test]
    fn incremental_edits() {
        let mut d = Document::new("x = lnspace(0, 1)\n".to_string());
        let r = Range { start: Position { line: 0, character: 4 }, end: Position { line: 0, character: 11 } };
        d.apply(Some(r), "linspace", Encoding::Utf16);
        assert_eq!(d.text(), "x = linspace(0, 1)\n");
        d.apply(None, "y = 2", Encoding::Utf16);
        assert_eq!(d.text(), "y = 2");
    }
}
