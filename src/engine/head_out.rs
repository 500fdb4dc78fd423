//! The whole request head, in the reference's order: request line, Host,
//! User-Agent, Content-Type, Content-Length (or Transfer-Encoding), the
//! Authorization from `auth=`, then the caller's headers as given — minus
//! what the caller replaced and what a redirect took away (SPEC §2, §7).

use super::framing::BodyFraming;
use super::redirect::Dropped;
use super::request::{end_head, write_header, write_request_line, Overrides, RequestError};
use super::url::Url;
use super::writer::Writer;

/// The Content-Type the module sets for the body it builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentType {
    Json,
    Form,
    /// multipart/form-data with this boundary.
    Multipart,
}

/// Everything the head says, as plain data.
pub struct HeadParts<'a> {
    pub method: &'a [u8],
    pub url: &'a Url<'a>,
    /// Automatic headers the caller's own replace (any spelling).
    pub overrides: Overrides,
    pub content_type: Option<ContentType>,
    pub boundary: &'a [u8],
    pub framing: BodyFraming,
    /// The Basic credentials of `auth=` or the URL, when there are any.
    pub authorization: Option<&'a [u8]>,
    /// What earlier redirect hops took away.
    pub dropped: Dropped,
}

/// The caller's headers, visited in order: `visit` calls `each(name,
/// value)` for every one that has a value (None values are left out by the
/// caller's side).
pub type Visit<'v> = &'v mut dyn FnMut(
    &mut dyn FnMut(&[u8], &[u8]) -> Result<(), RequestError>,
) -> Result<(), RequestError>;

pub fn write_head(w: &mut Writer, p: &HeadParts, visit: Visit) -> Result<(), RequestError> {
    write_head_lines(w, p, visit)?;
    end_head(w);
    Ok(())
}

/// `write_head` without the blank line that ends the head, for a caller
/// that adds lines of its own (the session's cookies).
pub fn write_head_lines(w: &mut Writer, p: &HeadParts, visit: Visit) -> Result<(), RequestError> {
    let o = p.overrides;
    write_request_line(w, p.method, p.url)?;
    if !o.host {
        w.put(b"Host: ");
        p.url.write_host(w);
        w.put(b"\r\n");
    }
    if !o.user_agent {
        w.put(b"User-Agent: Adafruit CircuitPython\r\n");
    }
    if let (Some(ct), false) = (p.content_type, o.content_type) {
        w.put(b"Content-Type: ");
        match ct {
            ContentType::Json => w.put(b"application/json"),
            ContentType::Form => w.put(b"application/x-www-form-urlencoded"),
            ContentType::Multipart => {
                w.put(b"multipart/form-data; boundary=");
                w.put(p.boundary);
            }
        }
        w.put(b"\r\n");
    }
    match p.framing {
        BodyFraming::Empty => {}
        BodyFraming::Chunked => {
            if !o.transfer_encoding {
                w.put(b"Transfer-Encoding: chunked\r\n");
            }
        }
        BodyFraming::Length(n) => {
            if !o.content_length {
                w.put(b"Content-Length: ");
                w.put_decimal(n);
                w.put(b"\r\n");
            }
        }
    }
    if let Some(auth) = p.authorization {
        if !o.authorization && !p.dropped.credentials {
            write_header(w, b"Authorization", auth)?;
        }
    }
    let dropped = p.dropped;
    visit(&mut |name, value| {
        if dropped.keeps(name) {
            write_header(w, name, value)
        } else {
            Ok(())
        }
    })
}

#[cfg(test)]
#[path = "head_out_tests.rs"]
mod tests;
