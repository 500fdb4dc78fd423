//! Content codings of a response body (RFC 9110 §8.4): which decoder a
//! `Content-Encoding` value asks for, and the checks on gzip/zlib framing
//! that the firmware's decompressor (MicroPython's `deflate.DeflateIO`,
//! over uzlib) leaves out. uzlib checks the header bytes it needs, the
//! deflate data, the CRC-32 of a gzip member and the Adler-32 of a zlib
//! stream; it skips the gzip header CRC (FHCRC), never compares ISIZE with
//! the decoded length, and stops after the first member. `FrameCheck`
//! watches the raw bytes the decompressor consumes and the decoded bytes it
//! gives, so those are checked here, and tells the glue where a member ends
//! and what may follow it.

use super::encode::{eq_ignore_case, fields};

/// A coding this module decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// `gzip` (and its old alias `x-gzip`): one or more gzip members.
    Gzip,
    /// `deflate`: a zlib stream (a gzip stream sent under that name is
    /// taken too, told apart by its magic bytes).
    Deflate,
}

/// What a response's `Content-Encoding` (every line of it, joined as one
/// list) asks of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codings {
    /// No coding: absent, empty, or only `identity`.
    Identity,
    /// Exactly one coding, and one this module decodes.
    One(Coding),
    /// One coding this module does not know (`br`, `compress`, ...): the
    /// body is handed out as it came, as without `Accept-Encoding`.
    Unknown,
    /// More than one coding: refused as a whole, never half decoded.
    Stacked,
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_ows(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_ows(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// The non-empty, non-`identity` elements of a list value, in order
/// (RFC 9110 §5.6.1: empty elements are allowed and ignored).
fn elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    fields(value, b',')
        .map(trim)
        .filter(|e| !e.is_empty() && !eq_ignore_case(e, b"identity"))
}

fn coding_of(element: &[u8]) -> Option<Coding> {
    if eq_ignore_case(element, b"gzip") || eq_ignore_case(element, b"x-gzip") {
        Some(Coding::Gzip)
    } else if eq_ignore_case(element, b"deflate") {
        Some(Coding::Deflate)
    } else {
        None
    }
}

/// The codings a `Content-Encoding` value lists. Repeated header lines
/// arrive joined with ", " (one list, RFC 9110 §5.3).
pub fn parse_content_encoding(value: &[u8]) -> Codings {
    let mut it = elements(value);
    let Some(first) = it.next() else {
        return Codings::Identity;
    };
    if it.next().is_some() {
        return Codings::Stacked;
    }
    coding_of(first).map_or(Codings::Unknown, Codings::One)
}

/// Whether the list names gzip anywhere: the reference's `text`/`json()`
/// refuse such a body when it is not decoded.
pub fn names_gzip(value: &[u8]) -> bool {
    elements(value).any(|e| coding_of(e) == Some(Coding::Gzip))
}

/// The framing of one compressed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gzip,
    Zlib,
}

/// Why a compressed body is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A member header that is not gzip/zlib or has reserved bits set.
    BadHeader,
    /// The gzip header's CRC16 (FHCRC) does not match its bytes.
    HeaderCrc,
    /// The gzip trailer's ISIZE is not the decoded length modulo 2^32.
    Size,
    /// Bytes after the stream that are not another gzip member.
    Trailing,
    /// The body ended inside a member.
    Truncated,
}

const FTEXT_MASK_RESERVED: u8 = 0xE0;
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between members (or before the first): the next byte starts one.
    Boundary,
    /// The fixed 10 bytes of a gzip header; the count read so far.
    Fixed(u8),
    /// FEXTRA's length, low byte read when `Some`.
    ExtraLen(Option<u8>),
    /// FEXTRA's data, bytes left.
    Extra(u16),
    /// FNAME or FCOMMENT, up to its zero byte.
    Name,
    Comment,
    /// FHCRC, low byte read when `Some`.
    HeaderCrc(Option<u8>),
    /// The second byte of a zlib header, after `cmf`.
    ZlibFlg(u8),
    /// Deflate data and the trailer, up to the decompressor's end.
    Data,
    /// The whole body ended cleanly.
    Ended,
}

/// Watches one compressed body: the raw bytes the decompressor consumes
/// (`raw`), the decoded bytes it gives (`decoded`), and each end of stream
/// it reports (`member_end`).
#[derive(Debug, Clone)]
pub struct FrameCheck {
    coding: Coding,
    format: Format,
    state: State,
    flags: u8,
    /// Running CRC-32 of the gzip header so far (for FHCRC).
    hcrc: u32,
    /// The last four raw bytes consumed (the gzip ISIZE at a member's end).
    tail: u32,
    /// Decoded bytes of the current member, modulo 2^32.
    out: u32,
    members: u32,
}

/// CRC-32 (IEEE, reflected), bit by bit: it only ever covers header bytes.
fn crc32_update(mut crc: u32, bytes: &[u8]) -> u32 {
    crc = !crc;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

impl FrameCheck {
    pub fn new(coding: Coding) -> Self {
        FrameCheck {
            coding,
            format: Format::Gzip,
            state: State::Boundary,
            flags: 0,
            hcrc: 0,
            tail: 0,
            out: 0,
            members: 0,
        }
    }

    /// Members completed so far.
    pub fn members(&self) -> u32 {
        self.members
    }

    /// The format of the stream begun by the last `raw` call, for the
    /// decompressor's mode.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Whether the decompressor is between members (the glue starts a
    /// new one on the next byte, or ends the body when none comes).
    pub fn at_boundary(&self) -> bool {
        matches!(self.state, State::Boundary)
    }

    /// The raw body ended. Fine between members (an empty body has no
    /// member at all), else the body was cut.
    pub fn body_end(&mut self) -> Result<(), FrameError> {
        match self.state {
            State::Boundary | State::Ended => {
                self.state = State::Ended;
                Ok(())
            }
            _ => Err(FrameError::Truncated),
        }
    }

    fn begin(&mut self, b: u8) -> Result<(), FrameError> {
        if self.members > 0 && (self.format == Format::Zlib || b != 0x1F) {
            // A zlib stream is one stream; after gzip only gzip follows.
            return Err(FrameError::Trailing);
        }
        self.format = match (self.coding, b) {
            (_, 0x1F) => Format::Gzip,
            (Coding::Deflate, _) => Format::Zlib,
            (Coding::Gzip, _) => return Err(FrameError::BadHeader),
        };
        self.out = 0;
        self.flags = 0;
        self.hcrc = crc32_update(0, &[b]);
        self.state = match self.format {
            Format::Gzip => State::Fixed(1),
            Format::Zlib => State::ZlibFlg(b),
        };
        Ok(())
    }

    fn after_fixed_fields(&self, from: u8) -> State {
        let f = self.flags;
        if from <= 1 && f & FEXTRA != 0 {
            State::ExtraLen(None)
        } else if from <= 2 && f & FNAME != 0 {
            State::Name
        } else if from <= 3 && f & FCOMMENT != 0 {
            State::Comment
        } else if from <= 4 && f & FHCRC != 0 {
            State::HeaderCrc(None)
        } else {
            State::Data
        }
    }

    fn header_byte(&mut self, b: u8) -> Result<(), FrameError> {
        let keep_crc = !matches!(self.state, State::HeaderCrc(_));
        self.state = match self.state {
            State::Fixed(i) => {
                match (i, b) {
                    (1, 0x8B) | (2, 8) => {}
                    (1, _) | (2, _) => return Err(FrameError::BadHeader),
                    (3, f) if f & FTEXT_MASK_RESERVED != 0 => return Err(FrameError::BadHeader),
                    (3, f) => self.flags = f,
                    _ => {}
                }
                let next = i.saturating_add(1);
                if next == 10 {
                    self.after_fixed_fields(1)
                } else {
                    State::Fixed(next)
                }
            }
            State::ExtraLen(None) => State::ExtraLen(Some(b)),
            State::ExtraLen(Some(lo)) => match u16::from_le_bytes([lo, b]) {
                0 => self.after_fixed_fields(2),
                n => State::Extra(n),
            },
            State::Extra(left) => match left.saturating_sub(1) {
                0 => self.after_fixed_fields(2),
                n => State::Extra(n),
            },
            State::Name if b == 0 => self.after_fixed_fields(3),
            State::Comment if b == 0 => self.after_fixed_fields(4),
            s @ (State::Name | State::Comment) => s,
            State::HeaderCrc(None) => State::HeaderCrc(Some(b)),
            State::HeaderCrc(Some(lo)) => {
                if u32::from(u16::from_le_bytes([lo, b])) != self.hcrc & 0xFFFF {
                    return Err(FrameError::HeaderCrc);
                }
                State::Data
            }
            State::ZlibFlg(cmf) => {
                let check = u16::from(cmf) << 8 | u16::from(b);
                if check % 31 != 0 || cmf & 0x0F != 8 || cmf >> 4 > 7 || b & 0x20 != 0 {
                    return Err(FrameError::BadHeader);
                }
                State::Data
            }
            s => s,
        };
        if keep_crc {
            self.hcrc = crc32_update(self.hcrc, &[b]);
        }
        Ok(())
    }

    /// Raw bytes the decompressor consumed, in order.
    pub fn raw(&mut self, bytes: &[u8]) -> Result<(), FrameError> {
        let mut rest = bytes;
        while let [b, more @ ..] = rest {
            match self.state {
                State::Data => {
                    // Only the last four bytes matter here.
                    let last = rest.len().saturating_sub(4);
                    for &x in rest.get(last..).unwrap_or(&[]) {
                        self.tail = self.tail >> 8 | u32::from(x) << 24;
                    }
                    return Ok(());
                }
                State::Ended => return Err(FrameError::Trailing),
                State::Boundary => self.begin(*b)?,
                _ => self.header_byte(*b)?,
            }
            rest = more;
        }
        Ok(())
    }

    /// Decoded bytes the decompressor gave for the current member.
    pub fn decoded(&mut self, n: usize) {
        // ISIZE is the length modulo 2^32.
        self.out = self
            .out
            .wrapping_add(u32::try_from(n & 0xFFFF_FFFF).unwrap_or(0));
    }

    /// The decompressor reached the end of a stream (after checking its
    /// CRC-32 or Adler-32): the gzip ISIZE is checked, and the body is
    /// between members again.
    pub fn member_end(&mut self) -> Result<(), FrameError> {
        if !matches!(self.state, State::Data) {
            return Err(FrameError::Truncated);
        }
        if self.format == Format::Gzip && self.tail != self.out {
            return Err(FrameError::Size);
        }
        self.members = self.members.saturating_add(1);
        self.state = State::Boundary;
        Ok(())
    }
}

#[cfg(test)]
#[path = "coding_tests.rs"]
mod tests;
