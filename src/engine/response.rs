//! Response head parsing and message framing (RFC 9112 §6.3).
//!
//! The status line is parsed here rather than by httparse so that the
//! leniencies real servers need (no reason phrase, bare LF) are explicit and
//! tested; the header block goes to `httparse::parse_headers`.

use super::encode::{eq_ignore_case, eq_lower, fields};

/// Compile-time capacity of the header array; per-session limits may be lower.
pub const MAX_HEADERS: usize = 64;

pub type Header<'b> = httparse::Header<'b>;

/// Storage for [`parse_head`], kept by the caller because the parsed headers
/// borrow both the input buffer and this array.
pub fn header_storage<'b>() -> [Header<'b>; MAX_HEADERS] {
    [httparse::EMPTY_HEADER; MAX_HEADERS]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted head including the status line and final blank line.
    pub max_head_bytes: usize,
    /// Most header lines accepted; values above [`MAX_HEADERS`] act as it.
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: 8192,
            max_headers: 48,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadError {
    BadStatusLine,
    BadHeaderLine,
    TooLarge,
    TooManyHeaders,
    BadContentLength,
    ConflictingContentLength,
    BadVersion,
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    NoBody,
    Length(u64),
    Chunked,
    /// The body runs until the server closes the connection.
    Close,
}

#[derive(Clone, Copy, Debug)]
pub struct Head<'b, 'h> {
    /// Bytes of the buffer taken by the head, including the blank line.
    pub head_len: usize,
    /// 0 or 1.
    pub minor_version: u8,
    pub status: u16,
    /// May be empty.
    pub reason: &'b [u8],
    pub headers: &'h [Header<'b>],
    pub framing: Framing,
    /// Whether the connection may be reused after this response's body.
    pub keep_alive: bool,
    /// The first `Location` header, if any.
    pub location: Option<&'b [u8]>,
    /// Some `Set-Cookie` header came.
    pub set_cookie: bool,
}

impl<'b, 'h> Head<'b, 'h> {
    /// `(name, value)` pairs in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&'b [u8], &'b [u8])> + 'h {
        self.headers.iter().map(|h| (h.name.as_bytes(), h.value))
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &[u8]) -> Option<&'b [u8]> {
        self.iter()
            .find(|(n, _)| eq_ignore_case(n, name))
            .map(|(_, v)| v)
    }
}

pub fn is_informational(status: u16) -> bool {
    (100..=199).contains(&status)
}

/// Header slots tried first: most heads have fewer lines, and filling all
/// of [`MAX_HEADERS`] before every parse costs more than the parse.
const FEW_HEADERS: usize = 16;

/// [`parse_head`] with header storage of its own, handed to `f` with the
/// result: room for [`FEW_HEADERS`] lines first, the whole array only when
/// the head has more (and the limits allow more).
pub fn parse_head_with<R>(
    buf: &[u8],
    limits: &Limits,
    request_was_head: bool,
    f: impl FnOnce(Result<Option<Head<'_, '_>>, HeadError>) -> R,
) -> R {
    let mut few = [httparse::EMPTY_HEADER; FEW_HEADERS];
    match parse_head(buf, &mut few, limits, request_was_head) {
        Err(HeadError::TooManyHeaders) if limits.max_headers > FEW_HEADERS => {
            let mut all = header_storage();
            f(parse_head(buf, &mut all, limits, request_was_head))
        }
        res => f(res),
    }
}

/// Parses a response head from the start of `buf`.
///
/// `Ok(None)` means more bytes are needed; once `buf` holds
/// `limits.max_head_bytes` bytes without a complete head the answer is
/// `Err(TooLarge)` instead. Only the first `max_head_bytes` bytes are ever
/// examined. Empty lines before the status line (left over after a previous
/// body by some servers) are skipped and counted in `head_len`.
/// `request_was_head` makes the framing [`Framing::NoBody`].
///
/// Content-Length is only validated when it determines the framing: it is
/// ignored for bodiless responses and when Transfer-Encoding is present.
pub fn parse_head<'b, 'h>(
    buf: &'b [u8],
    storage: &'h mut [Header<'b>],
    limits: &Limits,
    request_was_head: bool,
) -> Result<Option<Head<'b, 'h>>, HeadError> {
    let window = buf.get(..limits.max_head_bytes).unwrap_or(buf);
    let more = || {
        if buf.len() >= limits.max_head_bytes {
            Err(HeadError::TooLarge)
        } else {
            Ok(None)
        }
    };

    let mut start: usize = 0;
    let (line, line_end) = loop {
        let rest = window.get(start..).unwrap_or(&[]);
        match next_line(rest) {
            Some(([], len)) => start = start.saturating_add(len),
            Some((line, len)) => break (line, start.saturating_add(len)),
            None => {
                check_status_prefix(rest)?;
                return more();
            }
        }
    };
    let (minor_version, status, reason) = parse_status_line(line)?;

    let max_headers = limits.max_headers.min(MAX_HEADERS).min(storage.len());
    let slots = storage.get_mut(..max_headers).unwrap_or(&mut []);
    let block = window.get(line_end..).unwrap_or(&[]);
    let (block_len, headers) = match httparse::parse_headers(block, slots) {
        Ok(httparse::Status::Complete(done)) => done,
        Ok(httparse::Status::Partial) => return more(),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooManyHeaders),
        Err(_) => return Err(HeadError::BadHeaderLine),
    };
    let head_len = line_end.checked_add(block_len).ok_or(HeadError::Other)?;

    let seen = Seen::of(headers);
    let framing = seen.framing(status, request_was_head)?;
    let keep_alive = framing != Framing::Close && !seen.close && (minor_version >= 1 || seen.keep);
    let location = seen.location;
    let set_cookie = seen.set_cookie;
    Ok(Some(Head {
        head_len,
        minor_version,
        status,
        reason,
        headers,
        framing,
        keep_alive,
        location,
        set_cookie,
    }))
}

/// A head `parse_head` accepted once, parsed again (as the answer to a
/// HEAD request: its framing was judged when it arrived).
pub fn reparse<'b, 'h>(raw: &'b [u8], storage: &'h mut [Header<'b>]) -> Option<Head<'b, 'h>> {
    let limits = Limits {
        max_head_bytes: raw.len().saturating_add(1),
        max_headers: MAX_HEADERS,
    };
    parse_head(raw, storage, &limits, true).ok().flatten()
}

/// The reason phrase of a head `parse_head` accepted.
pub fn raw_reason(raw: &[u8]) -> &[u8] {
    let mut storage = header_storage();
    reparse(raw, &mut storage).map_or(&[], |h| h.reason)
}

/// The first value of header `name` (any case) in a head `parse_head`
/// accepted, as `Head::header` gives it.
pub fn raw_header<'b>(raw: &'b [u8], name: &[u8]) -> Option<&'b [u8]> {
    let mut storage = header_storage();
    reparse(raw, &mut storage)?.header(name)
}

/// The next line without its CR?LF, and its length including the ending.
fn next_line(buf: &[u8]) -> Option<(&[u8], usize)> {
    let lf = buf.iter().position(|&b| b == b'\n')?;
    let line = buf.get(..lf)?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    Some((line, lf.checked_add(1)?))
}

/// Rejects an incomplete status line early when it cannot become "HTTP/".
fn check_status_prefix(partial: &[u8]) -> Result<(), HeadError> {
    let n = partial.len().min(5);
    if partial.get(..n) == b"HTTP/".get(..n) {
        Ok(())
    } else {
        Err(HeadError::BadStatusLine)
    }
}

/// `HTTP/1.x SP 3DIGIT [SP reason]`, the reason possibly empty or absent.
fn parse_status_line(line: &[u8]) -> Result<(u8, u16, &[u8]), HeadError> {
    let rest = line
        .strip_prefix(b"HTTP/")
        .ok_or(HeadError::BadStatusLine)?;
    let (minor, rest) = match rest {
        [b'1', b'.', m @ (b'0' | b'1'), b' ', rest @ ..] => (m.wrapping_sub(b'0'), rest),
        _ => return Err(HeadError::BadVersion),
    };
    let (status, reason) = match rest {
        [a @ b'1'..=b'9', b @ b'0'..=b'9', c @ b'0'..=b'9', rest @ ..] => {
            let digit = |d: &u8| u16::from(d.wrapping_sub(b'0'));
            // At most 999: no overflow possible, but stay in checked style.
            let code = digit(a)
                .checked_mul(100)
                .and_then(|v| v.checked_add(digit(b).checked_mul(10)?))
                .and_then(|v| v.checked_add(digit(c)))
                .ok_or(HeadError::BadStatusLine)?;
            let reason = match rest {
                [] => rest,
                [b' ', reason @ ..] => reason,
                _ => return Err(HeadError::BadStatusLine),
            };
            (code, reason)
        }
        _ => return Err(HeadError::BadStatusLine),
    };
    if reason
        .iter()
        .any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        return Err(HeadError::BadStatusLine);
    }
    Ok((minor, status, reason))
}

fn trim_ows(s: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = s.iter().position(|b| !is_ows(b)).unwrap_or(s.len());
    let s = s.get(start..).unwrap_or(&[]);
    let end = s
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(0, |i| i.saturating_add(1));
    s.get(..end).unwrap_or(&[])
}

/// Comma-separated list elements of a header value, trimmed.
fn elements(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    fields(value, b',').map(trim_ows)
}

/// What the framing, keep-alive and redirect rules need of the headers,
/// gathered in one pass (names told apart by length first).
struct Seen<'b> {
    has_te: bool,
    /// The last non-empty Transfer-Encoding element of all lines.
    te_last: Option<&'b [u8]>,
    /// Content-Length so far, or the first error its elements gave.
    length: Result<Option<u64>, HeadError>,
    close: bool,
    keep: bool,
    location: Option<&'b [u8]>,
    set_cookie: bool,
}

impl<'b> Seen<'b> {
    fn of(headers: &[Header<'b>]) -> Self {
        let mut s = Seen {
            has_te: false,
            te_last: None,
            length: Ok(None),
            close: false,
            keep: false,
            location: None,
            set_cookie: false,
        };
        for h in headers {
            let (name, value) = (h.name.as_bytes(), h.value);
            match name.len() {
                17 if eq_lower(name, b"transfer-encoding") => {
                    s.has_te = true;
                    if let Some(last) = elements(value).filter(|c| !c.is_empty()).last() {
                        s.te_last = Some(last);
                    }
                }
                14 if eq_lower(name, b"content-length") => {
                    for element in elements(value) {
                        s.length = match (s.length, parse_length(element)) {
                            (Err(e), _) => Err(e),
                            (_, None) => Err(HeadError::BadContentLength),
                            (Ok(Some(prev)), Some(n)) if prev != n => {
                                Err(HeadError::ConflictingContentLength)
                            }
                            (Ok(_), Some(n)) => Ok(Some(n)),
                        };
                    }
                }
                10 if eq_lower(name, b"connection") => {
                    for token in elements(value) {
                        s.close |= eq_lower(token, b"close");
                        s.keep |= eq_lower(token, b"keep-alive");
                    }
                }
                10 if eq_lower(name, b"set-cookie") => s.set_cookie = true,
                8 if s.location.is_none() && eq_lower(name, b"location") => {
                    s.location = Some(value);
                }
                _ => {}
            }
        }
        s
    }

    fn framing(&self, status: u16, request_was_head: bool) -> Result<Framing, HeadError> {
        if request_was_head || is_informational(status) || status == 204 || status == 304 {
            return Ok(Framing::NoBody);
        }
        if self.has_te {
            // Only a final "chunked" delimits the body; any other last coding
            // means the body ends when the connection closes.
            return Ok(match self.te_last {
                Some(c) if eq_ignore_case(c, b"chunked") => Framing::Chunked,
                _ => Framing::Close,
            });
        }
        Ok(self.length?.map_or(Framing::Close, Framing::Length))
    }
}

fn parse_length(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        if !b.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?
            .checked_add(u64::from(b.wrapping_sub(b'0')))
    })
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
