//! Conversions between byte offsets and the positions front ends count in.

/// The byte offset of the `n`-th Unicode code point of `text` (clamped to its end).
pub fn byte_of_char(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// The number of Unicode code points before byte `b` of `text` (clamped, and rounded down to
/// a character boundary).
pub fn char_of_byte(text: &str, b: usize) -> usize {
    let mut b = b.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    text[..b].chars().count()
}

/// The byte offset of UTF-16 code unit `n` of `text` (clamped; a position inside a surrogate
/// pair moves to the character's start).
pub fn byte_of_utf16(text: &str, n: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > n {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// The number of UTF-16 code units before byte `b` of `text`.
pub fn utf16_of_byte(text: &str, b: usize) -> usize {
    let mut b = b.min(text.len());
    while !text.is_char_boundary(b) {
        b -= 1;
    }
    text[..b].chars().map(char::len_utf16).sum()
}

/// The name (letters, digits, `_`) around byte `offset` of `text`, as a byte range: the one
/// the cursor is in or just after. `None` where there is none.
pub fn word_at(text: &str, offset: usize) -> Option<(usize, usize)> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let start = text[..offset].char_indices().rev().take_while(|&(_, c)| is_name(c)).last().map_or(offset, |(i, _)| i);
    let end = text[offset..].char_indices().find(|&(_, c)| !is_name(c)).map_or(text.len(), |(i, _)| offset + i);
    (start < end).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_and_utf16_units() {
        let t = "θ = 1 # 😀 x";
        assert_eq!(byte_of_char(t, 1), 2);
        assert_eq!(char_of_byte(t, 2), 1);
        let x = t.rfind('x').unwrap();
        assert_eq!(char_of_byte(t, x), 10);
        assert_eq!(byte_of_char(t, 10), x);
        // The emoji is one code point but two UTF-16 units.
        assert_eq!(utf16_of_byte(t, x), 11);
        assert_eq!(byte_of_utf16(t, 11), x);
        assert_eq!(byte_of_char(t, 100), t.len());
        assert_eq!(char_of_byte(t, 1), 0); // Inside `θ` (bytes 0..2): rounded down.
    }

    #[test]
    fn the_word_around_an_offset() {
        let t = "y = θ2 + f(x)";
        assert_eq!(word_at(t, 4), Some((4, 7)), "at its start");
        assert_eq!(word_at(t, 7), Some((4, 7)), "just after it");
        assert_eq!(word_at(t, 5), Some((4, 7)), "inside `θ`: rounded down");
        assert_eq!(word_at(t, 8), None);
        assert_eq!(word_at(t, 99), None, "past the end, after `)`");
    }
}
