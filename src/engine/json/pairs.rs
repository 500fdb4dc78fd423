//! Escaped surrogate pairs in JSON text (`"\ud83d\ude00"`, how JSON
//! writes characters beyond the Basic Multilingual Plane in ASCII) joined
//! into the character's UTF-8 bytes before the firmware's `json` module
//! sees them: MicroPython's and CircuitPython's decode each half on its own
//! into three bytes, which makes a `str` holding invalid UTF-8.
//!
//! The rewrite happens in place (12 escape bytes become 4) over pieces of
//! any size. An escape that may be the start of a pair but is cut by the end
//! of a piece is held back: the caller hands it in again, followed by more
//! text. Only escapes inside strings are touched, and everything else —
//! other escapes, a lone or reversed half — passes unchanged, so the JSON
//! parser still decides what the text means.

use super::scan;
use crate::engine::encode::hex_value;

/// Where the joiner stands between pieces: inside a string or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PairJoiner {
    in_string: bool,
}

/// What a call made of its piece: `buf[..ready]` is rewritten text to hand
/// on; `buf[held..]` is an escape not yet decided, to come first in the
/// next piece (empty when `held == buf.len()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Joined {
    pub ready: usize,
    pub held: usize,
}

/// Whether `buf` may hold an escaped pair (a `\u` followed by `d` and one of
/// `8`-`b`): when not, the text needs no copy for rewriting. It does not
/// look at strings, so it can say yes for text the joiner leaves alone.
pub fn may_hold_pair(buf: &[u8]) -> bool {
    let mut at = 0usize;
    while let Some(rest) = buf.get(at..) {
        let n = scan::until(rest, b'\\');
        let Some(w) = rest.get(n..n.saturating_add(4)) else {
            return false;
        };
        if matches!(w, [b'\\', b'u', d, h] if (d | 0x20) == b'd' && matches!(h | 0x20, b'8'..=b'9' | b'a'..=b'b'))
        {
            return true;
        }
        at = at.wrapping_add(n).wrapping_add(1);
    }
    false
}

fn hex4(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b.get(..4)? {
        v = (v << 4) | u32::from(hex_value(c)?);
    }
    Some(v)
}

/// What the bytes from a backslash inside a string are.
enum Escape {
    /// Too few bytes to tell.
    Cut,
    /// An escape of this many bytes that stays as it is.
    Keep(usize),
    /// A high and a low half: the 12 bytes become their character.
    Pair(u16, u16),
}

fn classify(b: &[u8]) -> Escape {
    let Some(&kind) = b.get(1) else {
        return Escape::Cut;
    };
    if kind != b'u' {
        return Escape::Keep(2);
    }
    let Some(hi) = b.get(2..6) else {
        return Escape::Cut;
    };
    let Some(hi) = hex4(hi) else {
        // Not a valid escape: left for the parser to refuse.
        return Escape::Keep(2);
    };
    if !(0xD800..0xDC00).contains(&hi) {
        return Escape::Keep(6);
    }
    let rest = b.get(6..).unwrap_or(&[]);
    match rest.get(..6) {
        None => {
            // A low half may follow; what is there so far must agree.
            let agrees =
                rest.first().is_none_or(|&c| c == b'\\') && rest.get(1).is_none_or(|&c| c == b'u');
            if agrees {
                Escape::Cut
            } else {
                Escape::Keep(6)
            }
        }
        Some(next) => match (next.first(), next.get(1), next.get(2..).and_then(hex4)) {
            (Some(b'\\'), Some(b'u'), Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                // Both fit 16 bits by the range checks.
                Escape::Pair(hi as u16, lo as u16)
            }
            _ => Escape::Keep(6),
        },
    }
}

/// UTF-8 of the code point a high and a low surrogate name together
/// (U+10000..=U+10FFFF: four bytes). Shared with the tokenizer, which
/// decodes keys the same way.
pub(crate) fn utf8_of_pair(high: u16, low: u16) -> [u8; 4] {
    // An addition, not an or: from U+20000 on the offset reaches bit 16.
    let cp = ((u32::from(high & 0x3FF) << 10) | u32::from(low & 0x3FF)).wrapping_add(0x10000);
    // The casts keep the low bits the masks select.
    [
        0xF0 | (cp >> 18) as u8,
        0x80 | ((cp >> 12) & 0x3F) as u8,
        0x80 | ((cp >> 6) & 0x3F) as u8,
        0x80 | (cp & 0x3F) as u8,
    ]
}

impl PairJoiner {
    pub const fn new() -> Self {
        PairJoiner { in_string: false }
    }

    /// A joiner that goes on where one stood (`in_string` of that one), for
    /// callers that keep the state outside between pieces.
    pub const fn resume(in_string: bool) -> Self {
        PairJoiner { in_string }
    }

    pub const fn in_string(&self) -> bool {
        self.in_string
    }

    /// Rewrites `buf` in place. With `last`, nothing is held back (the text
    /// ends here).
    pub fn join(&mut self, buf: &mut [u8], last: bool) -> Joined {
        let len = buf.len();
        // Read and write positions; w <= r throughout (12 bytes become 4).
        let (mut r, mut w) = (0usize, 0usize);
        while let Some(rest) = buf.get(r..) {
            if rest.is_empty() {
                break;
            }
            // Text up to the next backslash passes as it is, taken as one
            // run; its quotes only move the joiner in or out of a string.
            let (plain, odd_quotes) = scan::until_backslash(rest);
            self.in_string ^= odd_quotes;
            let step = if plain > 0 {
                Step::Copy(plain)
            } else if !self.in_string {
                Step::Copy(1)
            } else {
                match classify(rest) {
                    Escape::Cut if !last => return Joined { ready: w, held: r },
                    // The text ends inside the escape: the parser says so.
                    Escape::Cut => Step::Copy(len.saturating_sub(r)),
                    Escape::Keep(n) => Step::Copy(n.min(len.saturating_sub(r))),
                    Escape::Pair(hi, lo) => Step::Write(utf8_of_pair(hi, lo)),
                }
            };
            match step {
                Step::Copy(n) => {
                    // Byte by byte, forwards (w <= r): only after a pair
                    // was joined, and copy_within would bring a whole
                    // memmove into the firmware.
                    if w != r {
                        for k in 0..n {
                            if let Some(&b) = buf.get(r.saturating_add(k)) {
                                if let Some(d) = buf.get_mut(w.saturating_add(k)) {
                                    *d = b;
                                }
                            }
                        }
                    }
                    r = r.saturating_add(n);
                    w = w.saturating_add(n);
                }
                Step::Write(bytes) => {
                    if let Some(dst) = buf.get_mut(w..w.saturating_add(4)) {
                        dst.copy_from_slice(&bytes);
                    }
                    r = r.saturating_add(12);
                    w = w.saturating_add(4);
                }
            }
        }
        Joined {
            ready: w,
            held: len,
        }
    }
}

enum Step {
    /// The next n bytes pass as they are.
    Copy(usize),
    /// The 12 bytes of a pair become these.
    Write([u8; 4]),
}
