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

/// Bytes never sent raw in a request-target: the C0 controls, space and
/// DEL. A raw TAB or DEL is read as a separator or garbage by some servers
/// and proxies, so they are percent-encoded as CPython `requests` does.
pub fn needs_target_escape(b: u8) -> bool {
    b <= 0x20 || b == 0x7f
}

/// Request-target escaping: bytes for which [`needs_target_escape`] holds
/// become `%XX` (space is `%20`, as the reference writes it); everything
/// else goes out as given. CR/LF/NUL are rejected before this is called.
pub fn write_target(w: &mut Writer, target: &[u8]) {
    let mut rest = target;
    while let Some(i) = rest.iter().position(|&b| needs_target_escape(b)) {
        let Some((plain, tail)) = rest.split_at_checked(i) else {
            break;
        };
        w.put(plain);
        let Some((&b, after)) = tail.split_first() else {
            break;
        };
        w.put(&[b'%', nibble(HEX_UPPER, b >> 4), nibble(HEX_UPPER, b)]);
        rest = after;
    }
    w.put(rest);
}

/// RFC 9110 `tchar`: what a method (or header name) may consist of.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || has_byte(b"!#$%&'*+-.^_`|~", b)
}

/// A non-empty RFC 9110 token.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Feeds the pieces of a multipart `name="..."` or `filename="..."` value to
/// `each`, with `"`, CR and LF written as `%22`, `%0D`, `%0A` (the HTML form
/// encoding browsers and urllib3 use), so a value can neither end the quoted
/// string nor start a header line.
pub fn for_each_param_piece<E>(
    value: &[u8],
    mut each: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let mut rest = value;
    while let Some(i) = rest.iter().position(|&b| matches!(b, b'"' | b'\r' | b'\n')) {
        let Some((plain, tail)) = rest.split_at_checked(i) else {
            break;
        };
        if !plain.is_empty() {
            each(plain)?;
        }
        let Some((&b, after)) = tail.split_first() else {
            break;
        };
        each(match b {
            b'"' => b"%22",
            b'\r' => b"%0D",
            _ => b"%0A",
        })?;
        rest = after;
    }
    if rest.is_empty() {
        Ok(())
    } else {
        each(rest)
    }
}

/// The value of one hexadecimal digit, either case.
pub fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(b.wrapping_sub(b'a').wrapping_add(10)),
        b'A'..=b'F' => Some(b.wrapping_sub(b'A').wrapping_add(10)),
        _ => None,
    }
}

/// The bytes of `data` with `%XX` sequences decoded; a `%` not followed by
/// two hex digits stays as it is (as `urllib.parse.unquote` does).
pub fn percent_decoded(data: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut rest = data;
    core::iter::from_fn(move || {
        let (&first, tail) = rest.split_first()?;
        if first == b'%' {
            if let [h, l, after @ ..] = tail {
                if let (Some(h), Some(l)) = (hex_value(*h), hex_value(*l)) {
                    rest = after;
                    return Some((h << 4) | l);
                }
            }
        }
        rest = tail;
        Some(first)
    })
}

/// Base64 over input that arrives a byte at a time, so credentials of any
/// length are encoded without a copy of the joined `user:password`.
#[derive(Default)]
pub struct Base64 {
    acc: u32,
    held: u8,
}

impl Base64 {
    pub fn push(&mut self, w: &mut Writer, b: u8) {
        self.acc = (self.acc << 8) | u32::from(b);
        self.held = self.held.wrapping_add(1);
        if self.held == 3 {
            for shift in [18u32, 12, 6, 0] {
                w.put_byte(b64_symbol(self.acc >> shift));
            }
            self.acc = 0;
            self.held = 0;
        }
    }

    /// Writes the last partial group with `=` padding.
    pub fn finish(self, w: &mut Writer) {
        match self.held {
            1 => {
                let n = self.acc << 16;
                w.put(&[b64_symbol(n >> 18), b64_symbol(n >> 12), b'=', b'=']);
            }
            2 => {
                let n = self.acc << 8;
                w.put(&[
                    b64_symbol(n >> 18),
                    b64_symbol(n >> 12),
                    b64_symbol(n >> 6),
                    b'=',
                ]);
            }
            _ => {}
        }
    }
}

fn b64_symbol(v: u32) -> u8 {
    B64.get((v & 63) as usize).copied().unwrap_or(b'A')
}

/// `Basic base64(user:password)`. With `percent_decode` the parts are URL
/// userinfo and are decoded first, as CPython `requests` does.
pub fn write_basic_auth(w: &mut Writer, user: &[u8], password: &[u8], percent_decode: bool) {
    w.put(b"Basic ");
    let mut enc = Base64::default();
    let feed = |enc: &mut Base64, w: &mut Writer, part: &[u8]| {
        if percent_decode {
            percent_decoded(part).for_each(|b| enc.push(w, b));
        } else {
            part.iter().for_each(|&b| enc.push(w, b));
        }
    };
    feed(&mut enc, w, user);
    enc.push(w, b':');
    feed(&mut enc, w, password);
    enc.finish(w);
}

/// Standard base64 (RFC 4648 alphabet) with `=` padding.
pub fn base64(w: &mut Writer, data: &[u8]) {
    let mut enc = Base64::default();
    for &b in data {
        enc.push(w, b);
    }
    enc.finish(w);
}

/// Lower-case hex, two characters per byte.
pub fn hex_lower(w: &mut Writer, data: &[u8]) {
    for &b in data {
        w.put(&[nibble(HEX_LOWER, b >> 4), nibble(HEX_LOWER, b)]);
    }
}

/// ASCII case-insensitive equality (as `eq_ignore_ascii_case`, whose
/// size-optimised code costs twice as much per byte on this hot path).
pub fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| x == y || fold(x) == fold(y))
}

/// `eq_ignore_case(a, lower)` for an ASCII `lower` without upper-case
/// letters (a literal name), eight bytes at a time: for header names on
/// every response.
pub fn eq_lower(a: &[u8], lower: &[u8]) -> bool {
    if a.len() != lower.len() {
        return false;
    }
    let (mut a, mut lower) = (a, lower);
    while let (Some((x, a_rest)), Some((y, l_rest))) =
        (a.split_first_chunk::<8>(), lower.split_first_chunk::<8>())
    {
        let (x, y) = (u64::from_le_bytes(*x), u64::from_le_bytes(*y));
        if x | letters(y) != y {
            return false;
        }
        (a, lower) = (a_rest, l_rest);
    }
    a.iter()
        .zip(lower)
        .all(|(&x, &y)| x | (u8::from(y.is_ascii_lowercase()) << 5) == y)
}

/// 0x20 in each byte of `y` (all below 0x80) that is a lower-case letter,
/// else 0: no byte's sum carries into the next one.
fn letters(y: u64) -> u64 {
    // Per byte: 0x80 - 'a' = 0x1f, 0x80 - 'z' - 1 = 0x05.
    const FROM_A: u64 = 0x1f1f_1f1f_1f1f_1f1f;
    const PAST_Z: u64 = 0x0505_0505_0505_0505;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let from_a = y.wrapping_add(FROM_A);
    let past_z = y.wrapping_add(PAST_Z);
    ((from_a & !past_z) & HIGH) >> 2
}

/// An ASCII upper-case letter to lower case; any other byte unchanged.
fn fold(c: u8) -> u8 {
    c | (u8::from(c.wrapping_sub(b'A') < 26) << 5)
}

/// `data` up to the first `sep`, and what follows that `sep` (None when
/// there is none): one splitter for every caller, where each `split` or
/// `splitn` closure would be another copy of core's iterator.
pub fn split_at_byte(data: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match data.iter().position(|&c| c == sep) {
        Some(i) => (
            data.get(..i).unwrap_or(data),
            data.get(i.saturating_add(1)..),
        ),
        None => (data, None),
    }
}

/// The pieces of `data` between `sep` bytes, empty ones included, as
/// `data.split(|&b| b == sep)` gives them: one iterator for every list.
pub fn fields(data: &[u8], sep: u8) -> Fields<'_> {
    Fields {
        rest: Some(data),
        sep,
    }
}

#[derive(Clone)]
pub struct Fields<'a> {
    rest: Option<&'a [u8]>,
    sep: u8,
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (head, tail) = split_at_byte(self.rest?, self.sep);
        self.rest = tail;
        Some(head)
    }
}

/// `data` up to the first `sep` (all of it when there is none).
pub fn before_byte(data: &[u8], sep: u8) -> &[u8] {
    split_at_byte(data, sep).0
}

/// Whether `data` holds `b`. A plain loop: `<[u8]>::contains` links core's
/// word-at-a-time memchr (176 bytes on Cortex-M0) for the short slices
/// this crate searches.
#[allow(clippy::manual_contains)]
pub fn has_byte(data: &[u8], b: u8) -> bool {
    data.iter().any(|&c| c == b)
}

/// Any CR, LF or NUL: the bytes that would let a value break HTTP framing.
pub fn has_control(data: &[u8]) -> bool {
    data.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0))
}

#[cfg(test)]
#[path = "encode_tests.rs"]
mod tests;
