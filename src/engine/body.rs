//! Body framing decoder: a state machine over Content-Length, chunked and
//! read-until-close bodies.
//!
//! It owns no buffer. The caller alternates between moving raw body bytes
//! (`Need::Data`) straight to the user and feeding framing bytes
//! (`Need::Framing`) one line at a time, so body data is never copied
//! through the engine and memory use is independent of body size.

use super::encode::{before_byte, hex_value, is_tchar};
use super::response::Framing;
use core::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyError {
    BadChunkSize,
    ChunkSizeOverflow,
    LineTooLong,
    /// Chunk data not followed by CRLF.
    BadChunkEnd,
    BadTrailer,
    /// The peer closed before the body ended.
    Truncated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Up to this many raw body bytes may be read now; `u64::MAX` for
    /// read-until-close bodies.
    Data(u64),
    /// Feed framing bytes to [`BodyDecoder::feed`].
    Framing,
    Done,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of the fed input used up.
    pub consumed: usize,
    /// A trailer field as (name, value) ranges into the fed input; the value
    /// is trimmed of surrounding spaces and tabs.
    pub trailer: Option<(Range<usize>, Range<usize>)>,
}

impl Progress {
    fn consumed(n: usize) -> Self {
        Progress {
            consumed: n,
            trailer: None,
        }
    }
}

/// Longest chunk-size or trailer line accepted, line ending included.
pub const MAX_LINE: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Length(u64),
    Close,
    ChunkSize,
    ChunkData(u64),
    ChunkDataEnd,
    Trailers,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyDecoder {
    state: State,
}

impl BodyDecoder {
    pub fn new(framing: Framing) -> Self {
        let state = match framing {
            Framing::NoBody | Framing::Length(0) => State::Done,
            Framing::Length(n) => State::Length(n),
            Framing::Chunked => State::ChunkSize,
            Framing::Close => State::Close,
        };
        BodyDecoder { state }
    }

    pub fn need(&self) -> Need {
        match self.state {
            State::Length(n) | State::ChunkData(n) => Need::Data(n),
            State::Close => Need::Data(u64::MAX),
            State::ChunkSize | State::ChunkDataEnd | State::Trailers => Need::Framing,
            State::Done => Need::Done,
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// The caller moved `n` body bytes (at most the `Need::Data` allowance)
    /// to the user. Counts beyond the allowance are clamped to it; calls in
    /// any other state are ignored.
    pub fn data_consumed(&mut self, n: usize) {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        self.state = match self.state {
            State::Length(left) => match left.saturating_sub(n) {
                0 => State::Done,
                left => State::Length(left),
            },
            State::ChunkData(left) => match left.saturating_sub(n) {
                0 => State::ChunkDataEnd,
                left => State::ChunkData(left),
            },
            other => other,
        };
    }

    /// Feeds framing bytes; valid only while `need() == Need::Framing`
    /// (otherwise nothing is consumed). Consumes at most one complete line:
    /// a chunk-size line (extensions ignored), the line ending after chunk
    /// data, one trailer field or the final blank line. Without a complete
    /// line nothing is consumed, unless `MAX_LINE` bytes are already there
    /// (`LineTooLong`). Bare LF is accepted as a line ending.
    pub fn feed(&mut self, input: &[u8]) -> Result<Progress, BodyError> {
        match self.state {
            State::ChunkDataEnd => self.feed_chunk_end(input),
            State::ChunkSize | State::Trailers => {
                let Some((line, len)) = take_line(input)? else {
                    return Ok(Progress::consumed(0));
                };
                if self.state == State::ChunkSize {
                    let size = parse_chunk_size(line)?;
                    self.state = if size == 0 {
                        State::Trailers
                    } else {
                        State::ChunkData(size)
                    };
                    Ok(Progress::consumed(len))
                } else if line.is_empty() {
                    self.state = State::Done;
                    Ok(Progress::consumed(len))
                } else {
                    Ok(Progress {
                        consumed: len,
                        trailer: Some(parse_trailer(line)?),
                    })
                }
            }
            _ => Ok(Progress::consumed(0)),
        }
    }

    fn feed_chunk_end(&mut self, input: &[u8]) -> Result<Progress, BodyError> {
        // Checked byte by byte so that junk after chunk data (a server that
        // sent more than the chunk size) is reported at once.
        let len = match input {
            [] | [b'\r'] => return Ok(Progress::consumed(0)),
            [b'\r', b'\n', ..] => 2,
            [b'\n', ..] => 1,
            _ => return Err(BodyError::BadChunkEnd),
        };
        self.state = State::ChunkSize;
        Ok(Progress::consumed(len))
    }

    /// The peer closed the connection.
    pub fn eof(&mut self) -> Result<(), BodyError> {
        match self.state {
            State::Close | State::Done => {
                self.state = State::Done;
                Ok(())
            }
            _ => Err(BodyError::Truncated),
        }
    }
}

/// A complete line without its CR?LF and the bytes it takes, or None when
/// more input is needed.
fn take_line(input: &[u8]) -> Result<Option<(&[u8], usize)>, BodyError> {
    let window = input.get(..MAX_LINE).unwrap_or(input);
    match window.iter().position(|&b| b == b'\n') {
        Some(lf) => {
            let line = window.get(..lf).unwrap_or(&[]);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            Ok(Some((line, lf.saturating_add(1))))
        }
        None if input.len() >= MAX_LINE => Err(BodyError::LineTooLong),
        None => Ok(None),
    }
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `1*HEXDIG [BWS ";" ext]`: extensions and whitespace before them ignored.
fn parse_chunk_size(line: &[u8]) -> Result<u64, BodyError> {
    let digits = before_byte(line, b';');
    let end = digits
        .iter()
        .rposition(|&b| !is_ows(b))
        .map_or(0, |i| i.saturating_add(1));
    let digits = digits.get(..end).unwrap_or(&[]);
    if digits.is_empty() {
        return Err(BodyError::BadChunkSize);
    }
    let mut size: u64 = 0;
    for &b in digits {
        let v = hex_value(b).ok_or(BodyError::BadChunkSize)?;
        size = size
            .checked_mul(16)
            .and_then(|s| s.checked_add(u64::from(v)))
            .ok_or(BodyError::ChunkSizeOverflow)?;
    }
    Ok(size)
}

/// `token ":" OWS value OWS` → (name, value) ranges within `line`, which
/// starts at offset 0 of the fed input.
fn parse_trailer(line: &[u8]) -> Result<(Range<usize>, Range<usize>), BodyError> {
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(BodyError::BadTrailer)?;
    let (name, rest) = line.split_at_checked(colon).ok_or(BodyError::BadTrailer)?;
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(BodyError::BadTrailer);
    }
    let value = rest.get(1..).unwrap_or(&[]);
    if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return Err(BodyError::BadTrailer);
    }
    let value_start = colon.saturating_add(1);
    let lead = value
        .iter()
        .position(|&b| !is_ows(b))
        .unwrap_or(value.len());
    let tail = value
        .iter()
        .rposition(|&b| !is_ows(b))
        .map_or(lead, |i| i.saturating_add(1));
    Ok((
        0..colon,
        value_start.saturating_add(lead)..value_start.saturating_add(tail),
    ))
}

#[cfg(test)]
#[path = "body_tests.rs"]
mod tests;
