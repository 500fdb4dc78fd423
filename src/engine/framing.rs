//! Whether the caller's own `Content-Length` / `Transfer-Encoding` headers
//! agree with the body the module frames (SPEC §2). The module owns the
//! framing: a header that would announce something else than what goes on
//! the wire desyncs the connection (request smuggling), so it is refused
//! before anything is sent.

use super::encode::eq_ignore_case;

/// How the module frames the body it was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body at all (no framing header is needed).
    Empty,
    /// Exactly this many bytes under `Content-Length`.
    Length(usize),
    /// Chunked transfer coding (a generator or iterable).
    Chunked,
}

/// One framing header as the caller gave it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Caller<'a> {
    #[default]
    Absent,
    /// Given with the value None: the header is not sent.
    Suppressed,
    Value(&'a [u8]),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FramingError {
    /// Both headers with a value (RFC 9112 §6.2 forbids it).
    Both,
    /// The same header more than once (in different spellings).
    Repeated,
    /// Content-Length differs from the body's length, or is given (or left
    /// out) where the body is chunked (or has bytes).
    LengthDisagrees,
    /// Transfer-Encoding on a body that is not chunked, or suppressed on one
    /// that is.
    TransferEncodingDisagrees,
}

/// The caller's framing headers, collected from their headers dict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallerFraming<'a> {
    pub content_length: Caller<'a>,
    pub transfer_encoding: Caller<'a>,
}

impl<'a> CallerFraming<'a> {
    /// Notes one caller header (`value` None for a None value); other names
    /// are ignored.
    pub fn note(&mut self, name: &[u8], value: Option<&'a [u8]>) -> Result<(), FramingError> {
        let slot = if eq_ignore_case(name, b"content-length") {
            &mut self.content_length
        } else if eq_ignore_case(name, b"transfer-encoding") {
            &mut self.transfer_encoding
        } else {
            return Ok(());
        };
        if *slot != Caller::Absent {
            return Err(FramingError::Repeated);
        }
        *slot = value.map_or(Caller::Suppressed, Caller::Value);
        Ok(())
    }

    /// Whether these headers announce `body` as the module sends it.
    pub fn check(&self, body: BodyFraming) -> Result<(), FramingError> {
        if let (Caller::Value(_), Caller::Value(_)) = (self.content_length, self.transfer_encoding)
        {
            return Err(FramingError::Both);
        }
        let length_ok = match self.content_length {
            Caller::Absent => true,
            // No header at all is a zero-length body for a request.
            Caller::Suppressed => matches!(
                body,
                BodyFraming::Empty | BodyFraming::Length(0) | BodyFraming::Chunked
            ),
            Caller::Value(v) => match body {
                BodyFraming::Empty => parse_length(v) == Some(0),
                BodyFraming::Length(n) => parse_length(v) == Some(n),
                BodyFraming::Chunked => false,
            },
        };
        if !length_ok {
            return Err(FramingError::LengthDisagrees);
        }
        let coding_ok = match self.transfer_encoding {
            Caller::Absent => true,
            Caller::Suppressed => body != BodyFraming::Chunked,
            Caller::Value(v) => body == BodyFraming::Chunked && ends_chunked(v),
        };
        if coding_ok {
            Ok(())
        } else {
            Err(FramingError::TransferEncodingDisagrees)
        }
    }
}

fn trim_ows(v: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = v.iter().position(|b| !is_ows(b)).unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |e| e.saturating_add(1));
    v.get(start..end).unwrap_or(&[])
}

/// A Content-Length value: decimal digits only, optional whitespace around.
fn parse_length(v: &[u8]) -> Option<usize> {
    let digits = trim_ows(v);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0usize, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?
                .checked_add(usize::from(b.wrapping_sub(b'0')))
        } else {
            None
        }
    })
}

/// Whether a Transfer-Encoding value's final coding is `chunked`: then the
/// bytes on the wire are what it announces.
fn ends_chunked(v: &[u8]) -> bool {
    v.rsplit(|&b| b == b',')
        .next()
        .is_some_and(|last| eq_ignore_case(trim_ows(last), b"chunked"))
}

#[cfg(test)]
#[path = "framing_tests.rs"]
mod tests;
