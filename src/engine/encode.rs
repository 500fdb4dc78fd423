//! Byte-level encoders and predicates shared by the request writer and glue.

use super::writer::Writer;

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn nibble(table: &[u8; 16], v: u8) -> u8 {
    // `v & 15` is always a valid index; the fallback is unreachable.
    table.get(usize::from(v & 15)).copied().unwrap_or(b'0')
}

/// application/x-www-form-urlencoded as CPython's
/// `urllib.parse.quote_plus(safe='')`: keep `A-Z a-z 0-9 _ . - ~`, space
/// becomes `+`, every other byte `%XX` with upper-case hex.
pub fn form_urlencode(w: &mut Writer, data: &[u8]) {
    for &b in data {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => w.put_byte(b),
            b' ' => w.put_byte(b'+'),
            _ => w.put(&[b'%', nibble(HEX_UPPER, b >> 4), nibble(HEX_UPPER, b)]),
        }
    }
}

/// Request-target escaping. The reference implementation only replaces ' '
/// with "%20" and passes everything else through, so we match it exactly;
/// CR/LF/NUL are rejected earlier by URL parsing.
pub fn write_target(w: &mut Writer, target: &[u8]) {
    for chunk in target.split_inclusive(|&b| b == b' ') {
        match chunk.split_last() {
            Some((b' ', rest)) => {
                w.put(rest);
                w.put(b"%20");
            }
            _ => w.put(chunk),
        }
    }
}

/// Standard base64 (RFC 4648 alphabet) with `=` padding.
pub fn base64(w: &mut Writer, data: &[u8]) {
    let sym = |v: u32| B64.get((v & 63) as usize).copied().unwrap_or(b'A');
    for group in data.chunks(3) {
        let (a, b, c) = match *group {
            [a] => (a, None, None),
            [a, b] => (a, Some(b), None),
            [a, b, c] => (a, Some(b), Some(c)),
            _ => continue,
        };
        let n = (u32::from(a) << 16) | (u32::from(b.unwrap_or(0)) << 8) | u32::from(c.unwrap_or(0));
        w.put_byte(sym(n >> 18));
        w.put_byte(sym(n >> 12));
        w.put_byte(if b.is_some() { sym(n >> 6) } else { b'=' });
        w.put_byte(if c.is_some() { sym(n) } else { b'=' });
    }
}

/// Lower-case hex, two characters per byte.
pub fn hex_lower(w: &mut Writer, data: &[u8]) {
    for &b in data {
        w.put(&[nibble(HEX_LOWER, b >> 4), nibble(HEX_LOWER, b)]);
    }
}

pub fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Any CR, LF or NUL: the bytes that would let a value break HTTP framing.
pub fn has_control(data: &[u8]) -> bool {
    data.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
