//! Request head and chunked upload framing.
//!
//! Every piece of user input is validated before any byte is written, so a
//! rejected header never leaves half a line in the output.

use super::encode::{eq_ignore_case, has_control, is_token, write_target};
use super::url::Url;
use super::writer::Writer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestError {
    ControlCharacter,
    EmptyMethod,
    /// A method that is not an RFC 9110 token (a space, TAB, '/', ...).
    BadMethod,
    BadHeaderName,
}

/// The method must be a token: anything else (a TAB, a space) would let the
/// caller write a different request line. CR/LF/NUL keep their own error.
pub fn check_method(method: &[u8]) -> Result<(), RequestError> {
    if method.is_empty() {
        Err(RequestError::EmptyMethod)
    } else if has_control(method) {
        Err(RequestError::ControlCharacter)
    } else if !is_token(method) {
        Err(RequestError::BadMethod)
    } else {
        Ok(())
    }
}

/// `METHOD /target HTTP/1.1\r\n`. The target is escaped with
/// [`write_target`]; an empty target becomes "/", one starting with '?' gets
/// a "/" in front. The method must pass [`check_method`]; a target with
/// CR/LF/NUL is refused rather than escaped, as the URL parser refuses it.
pub fn write_request_line(w: &mut Writer, method: &[u8], url: &Url) -> Result<(), RequestError> {
    check_method(method)?;
    if has_control(url.target) {
        return Err(RequestError::ControlCharacter);
    }
    w.put(method);
    w.put_byte(b' ');
    if !url.target.starts_with(b"/") {
        w.put_byte(b'/');
    }
    write_target(w, url.target);
    w.put(b" HTTP/1.1\r\n");
    Ok(())
}

/// `Name: value\r\n`. The name must be non-empty without CR/LF/NUL, ':',
/// space or tab; the value must not contain CR/LF/NUL.
pub fn write_header(w: &mut Writer, name: &[u8], value: &[u8]) -> Result<(), RequestError> {
    if has_control(name) || has_control(value) {
        return Err(RequestError::ControlCharacter);
    }
    if name.is_empty() || name.iter().any(|&b| matches!(b, b':' | b' ' | b'\t')) {
        return Err(RequestError::BadHeaderName);
    }
    w.put(name);
    w.put(b": ");
    w.put(value);
    w.put(b"\r\n");
    Ok(())
}

pub fn end_head(w: &mut Writer) {
    w.put(b"\r\n");
}

/// `<hex len>\r\n` before a piece of a chunked upload.
pub fn write_chunk_start(w: &mut Writer, len: usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // usize is at most 64 bits → at most 16 hex digits.
    let mut digits = [0u8; 16];
    let mut start = digits.len();
    let mut v = len;
    loop {
        start = start.saturating_sub(1);
        if let (Some(d), Some(&h)) = (digits.get_mut(start), HEX.get(v & 15)) {
            *d = h;
        }
        v >>= 4;
        if v == 0 || start == 0 {
            break;
        }
    }
    w.put(digits.get(start..).unwrap_or(b"0"));
    w.put(b"\r\n");
}

/// `\r\n` after a piece's data.
pub fn write_chunk_end(w: &mut Writer) {
    w.put(b"\r\n");
}

/// The terminating zero-length chunk with an empty trailer.
pub fn write_last_chunk(w: &mut Writer) {
    w.put(b"0\r\n\r\n");
}

/// Which automatic headers the user's own headers replace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    pub host: bool,
    pub user_agent: bool,
    pub content_type: bool,
    pub content_length: bool,
    pub transfer_encoding: bool,
    pub authorization: bool,
}

impl Overrides {
    /// Records a user-supplied header name (case-insensitive).
    pub fn note(&mut self, name: &[u8]) {
        let flag = if eq_ignore_case(name, b"host") {
            &mut self.host
        } else if eq_ignore_case(name, b"user-agent") {
            &mut self.user_agent
        } else if eq_ignore_case(name, b"content-type") {
            &mut self.content_type
        } else if eq_ignore_case(name, b"content-length") {
            &mut self.content_length
        } else if eq_ignore_case(name, b"transfer-encoding") {
            &mut self.transfer_encoding
        } else if eq_ignore_case(name, b"authorization") {
            &mut self.authorization
        } else {
            return;
        };
        *flag = true;
    }
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
