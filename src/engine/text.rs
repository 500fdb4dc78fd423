//! Text decisions on body bytes: where a piece of UTF-8 may be cut, and
//! which charset a Content-Type names.

use super::encode::{before_byte, eq_ignore_case};

/// Length of the longest prefix of `b` that ends on a UTF-8 character
/// boundary: an incomplete sequence at the end waits for the next piece.
/// Invalid bytes are not judged here (the decoder does that).
pub fn utf8_complete_prefix(b: &[u8]) -> usize {
    let len = b.len();
    for back in 1..=len.min(3) {
        let i = len.saturating_sub(back);
        let c = b.get(i).copied().unwrap_or(0);
        if c & 0xC0 == 0x80 {
            continue;
        }
        let need = if c & 0x80 == 0 {
            1
        } else if c & 0xE0 == 0xC0 {
            2
        } else if c & 0xF0 == 0xE0 {
            3
        } else {
            4
        };
        return if back >= need { len } else { i };
    }
    len
}

/// The `charset` parameter of a Content-Type value (quotes removed), if it
/// has a non-empty one.
pub fn charset_of(content_type: &[u8]) -> Option<&[u8]> {
    let mut rest = content_type;
    while let Some(pos) = rest.iter().position(|&b| b == b';') {
        rest = rest.get(pos.saturating_add(1)..).unwrap_or(&[]);
        let param = trim(before_byte(rest, b';'));
        if param.len() > 8 && eq_ignore_case(param.get(..8).unwrap_or(&[]), b"charset=") {
            let v = trim(param.get(8..).unwrap_or(&[]));
            let v = v.strip_prefix(b"\"").unwrap_or(v);
            let v = v.strip_suffix(b"\"").unwrap_or(v);
            if !v.is_empty() {
                return Some(v);
            }
        }
    }
    None
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e.saturating_add(1));
    b.get(start..end).unwrap_or(&[])
}

/// What a response header that comes again does to the value kept for it
/// (`r.headers[name]`; `get_all` keeps every value either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// The values are joined with ", " (Set-Cookie, as the reference does).
    Join,
    /// The last value wins (the reference's rule for every other name).
    Replace,
}

/// The rule for a repeated header name (lower-case, as stored).
pub fn repeat_rule(lower_name: &[u8]) -> Repeat {
    if lower_name == b"set-cookie" {
        Repeat::Join
    } else {
        Repeat::Replace
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
