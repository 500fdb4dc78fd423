//! Long runs of bytes that need no look of their own (plain string text,
//! digits, whitespace, and for the pair joiner everything up to the next
//! backslash), the longest measured eight bytes at a time: most of a big
//! document is such runs, and a byte-at-a-time state machine spends tens
//! of instructions on each of their bytes.
//!
//! The word tests flag a lane whose byte stops the run. They may also flag
//! lanes above a real stop (a borrow carries upwards), never a word without
//! one, so a flagged word is finished byte by byte.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Lanes of `v` holding a byte below `n` (`n` at most 0x80).
const fn below(v: u64, n: u8) -> u64 {
    v.wrapping_sub(ONES.wrapping_mul(n as u64)) & !v & HIGHS
}

/// Lanes of `v` holding `b`.
const fn equal(v: u64, b: u8) -> u64 {
    below(v ^ ONES.wrapping_mul(b as u64), 1)
}

/// Length of the run at the start of `buf`: up to 8 bytes one by one
/// (keys and short values end there), then whole words while
/// `stops(word)` is 0, then bytes while `stop(byte)` is false.
fn run(buf: &[u8], stops: impl Fn(u64) -> u64, stop: impl Fn(u8) -> bool) -> usize {
    let head = buf.get(..8).unwrap_or(buf);
    if let Some(k) = head.iter().position(|&b| stop(b)) {
        return k;
    }
    let mut n = head.len();
    let mut words = buf.get(n..).unwrap_or(&[]).chunks_exact(8);
    for w in words.by_ref() {
        // A pattern, not copy_from_slice: at opt-level "z" that stays a
        // call to memcpy per word.
        let &[a, b, c, d, e, f, g, h] = w else {
            break;
        };
        if stops(u64::from_le_bytes([a, b, c, d, e, f, g, h])) != 0 {
            break;
        }
        n = n.wrapping_add(8);
    }
    let rest = buf.get(n..).unwrap_or(&[]);
    n.wrapping_add(rest.iter().position(|&b| stop(b)).unwrap_or(rest.len()))
}

/// String text that is one byte, one character: printable ASCII other than
/// the quote and the backslash.
pub fn plain_text(buf: &[u8]) -> usize {
    run(
        buf,
        |v| below(v, 0x20) | equal(v, b'"') | equal(v, b'\\') | (v & HIGHS),
        |b| !(0x20..0x80).contains(&b) || b == b'"' || b == b'\\',
    )
}

/// Bytes before the first backslash, and whether an odd number of quotes
/// is among them (the pair joiner's way in and out of strings).
pub fn until_backslash(buf: &[u8]) -> (usize, bool) {
    // The quote lanes of every word, xored: an odd count of flags in the
    // xor is an odd count in all (xor keeps the parity of a sum).
    let mut quotes = 0u64;
    let mut n = 0usize;
    let mut words = buf.chunks_exact(8);
    for w in words.by_ref() {
        let &[a, b, c, d, e, f, g, h] = w else {
            break;
        };
        let v = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
        if equal(v, b'\\') != 0 {
            break;
        }
        quotes ^= exactly(v, b'"');
        n = n.wrapping_add(8);
    }
    let mut odd = odd_lanes(quotes);
    for &b in buf.get(n..).unwrap_or(&[]) {
        if b == b'\\' {
            break;
        }
        odd ^= b == b'"';
        n = n.wrapping_add(1);
    }
    (n, odd)
}

/// Lanes of `v` holding `b`, without the false ones [`equal`] may add.
const fn exactly(v: u64, b: u8) -> u64 {
    const LOWS: u64 = !HIGHS;
    let x = v ^ ONES.wrapping_mul(b as u64);
    !((x & LOWS).wrapping_add(LOWS) | x | LOWS)
}

/// Whether an odd number of lanes is flagged in `m` (high bits only).
const fn odd_lanes(m: u64) -> bool {
    let m = m ^ (m >> 32);
    let m = m ^ (m >> 16);
    let m = m ^ (m >> 8);
    m & 0x80 != 0
}

/// JSON whitespace between tokens.
pub fn whitespace(buf: &[u8]) -> usize {
    buf.iter()
        .position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .unwrap_or(buf.len())
}

/// ASCII digits.
pub fn digits(buf: &[u8]) -> usize {
    buf.iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(buf.len())
}

/// Bytes other than `b`.
pub fn until(buf: &[u8], b: u8) -> usize {
    run(buf, |v| equal(v, b), |c| c == b)
}
