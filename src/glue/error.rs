//! Errors as values. An exception a shim caught is an object already; one
//! this crate decides on is a kind and a static message until it reaches
//! the C layer (`into_obj`), so an error that is handled — a failed attempt
//! that is sent again, a drain that gives up — costs no allocation. The
//! engine's error values get their messages here, in one place.

use super::ffi::*;
use crate::engine::body::BodyError;
use crate::engine::framing::FramingError;
use crate::engine::json::{ErrorKind, JsonError, MAX_DEPTH};
use crate::engine::request::RequestError;
use crate::engine::response::HeadError;
use crate::engine::retry::Failure;
use crate::engine::url::UrlError;
use crate::engine::writer::Writer;

#[derive(Clone, Copy, Debug)]
pub enum Exc {
    /// An exception object a shim caught (or built with a formatted message).
    Caught(rq_err_t),
    /// An exception of `kind` with a static message, not built yet.
    Raise(rq_exc_kind_t, &'static str, i32),
    /// OSError(ETIMEDOUT) with the firmware's errno value.
    Timeout,
}

pub type PyResult<T> = Result<T, Exc>;

pub fn check(err: rq_err_t) -> PyResult<()> {
    if err.is_null() {
        Ok(())
    } else {
        Err(Exc::Caught(err))
    }
}

impl Exc {
    /// The exception object, built now if it was not yet: the one place
    /// where Rust errors become Python exceptions.
    pub fn into_obj(self) -> rq_err_t {
        match self {
            Exc::Caught(o) => o,
            // SAFETY: msg is valid for its length; the shim copies it.
            Exc::Raise(kind, msg, errno) => unsafe {
                rq_exc_new(kind, msg.as_ptr().cast(), msg.len(), errno)
            },
            // SAFETY: builds an exception; never raises.
            Exc::Timeout => unsafe { rq_exc_timeout() },
        }
    }

    /// KeyboardInterrupt or SystemExit: never swallowed.
    pub fn is_interrupt(self) -> bool {
        match self {
            // SAFETY: o is an exception object handed out by a shim.
            Exc::Caught(o) => !unsafe { rq_exc_is_exception(o) },
            _ => false,
        }
    }

    pub fn is_memory(self) -> bool {
        match self {
            // SAFETY: as above.
            Exc::Caught(o) => unsafe { rq_exc_is_memory(o) },
            Exc::Raise(kind, _, _) => kind == rq_exc_kind_t::RQ_EXC_MEMORY,
            Exc::Timeout => false,
        }
    }

    /// The pool could not give a socket (see rq_ffi.h).
    pub fn is_out_of_sockets(self) -> bool {
        match self {
            // SAFETY: as above.
            Exc::Caught(o) => unsafe { rq_exc_is_out_of_sockets(o) },
            _ => false,
        }
    }

    /// How a send or receive that raised this failed (engine::retry).
    pub fn failure(self) -> Failure {
        match self {
            Exc::Timeout => Failure::Timeout,
            Exc::Raise(..) => Failure::Other,
            _ if self.is_interrupt() => Failure::Other,
            // SAFETY: as above.
            Exc::Caught(o) => match unsafe { rq_exc_failure(o) } {
                rq_fail_kind_t::RQ_FAIL_RESET => Failure::Reset,
                rq_fail_kind_t::RQ_FAIL_TIMEOUT => Failure::Timeout,
                rq_fail_kind_t::RQ_FAIL_OTHER => Failure::Other,
            },
        }
    }
}

fn lazy(kind: rq_exc_kind_t, msg: &'static str) -> Exc {
    Exc::Raise(kind, msg, 0)
}

pub fn value_error(msg: &'static str) -> Exc {
    lazy(rq_exc_kind_t::RQ_EXC_VALUE, msg)
}

pub fn type_error(msg: &'static str) -> Exc {
    lazy(rq_exc_kind_t::RQ_EXC_TYPE, msg)
}

pub fn not_implemented(msg: &'static str) -> Exc {
    lazy(rq_exc_kind_t::RQ_EXC_NOT_IMPLEMENTED, msg)
}

pub fn runtime_error(msg: &'static str) -> Exc {
    lazy(rq_exc_kind_t::RQ_EXC_RUNTIME, msg)
}

pub fn unicode_error(msg: &'static str) -> Exc {
    lazy(rq_exc_kind_t::RQ_EXC_UNICODE, msg)
}

pub fn os_error(errno: i32, msg: &'static str) -> Exc {
    Exc::Raise(rq_exc_kind_t::RQ_EXC_OS, msg, errno)
}

pub fn timeout_error() -> Exc {
    Exc::Timeout
}

/// A ValueError with a message made at run time (built at once: the
/// message lives in this frame). Bytes, not `str`: the messages written
/// here are ASCII, and `str::from_utf8` would link core's UTF-8 validator
/// and its 256-byte table for nothing.
pub fn value_error_now(msg: &[u8]) -> Exc {
    // SAFETY: msg is valid for its length; the shim copies it.
    Exc::Caught(unsafe {
        rq_exc_new(
            rq_exc_kind_t::RQ_EXC_VALUE,
            msg.as_ptr().cast(),
            msg.len(),
            0,
        )
    })
}

/// A ValueError whose message is `prefix` followed by some bytes (e.g. the
/// offending scheme), built in a small stack buffer.
pub fn value_error_with(prefix: &str, detail: &[u8]) -> Exc {
    error_with(rq_exc_kind_t::RQ_EXC_VALUE, prefix, detail)
}

pub fn type_error_with(prefix: &str, detail: &[u8]) -> Exc {
    error_with(rq_exc_kind_t::RQ_EXC_TYPE, prefix, detail)
}

fn error_with(kind: rq_exc_kind_t, prefix: &str, detail: &[u8]) -> Exc {
    let mut buf = [0u8; 96];
    let mut w = crate::engine::writer::Writer::new(&mut buf);
    w.put(prefix.as_bytes());
    w.put(detail.get(..48).unwrap_or(detail));
    let msg = w.written();
    // SAFETY: msg points into `buf`, alive for the call; the shim copies it.
    Exc::Caught(unsafe { rq_exc_new(kind, msg.as_ptr().cast(), msg.len(), 0) })
}

pub fn out_of_retries(cause: Exc) -> Exc {
    let msg = "Repeated socket failures";
    // SAFETY: static message; the cause is built into a live exception.
    Exc::Caught(unsafe {
        rq_exc_with_cause(
            rq_exc_kind_t::RQ_EXC_OUT_OF_RETRIES,
            msg.as_ptr().cast(),
            msg.len(),
            cause.into_obj(),
        )
    })
}

// ---- the engine's errors, as the caller sees them ----

pub fn url_error(e: UrlError, url: &[u8]) -> Exc {
    match e {
        UrlError::UnsupportedProtocol => {
            let proto = url.split(|&b| b == b'/').next().unwrap_or(url);
            value_error_with("Unsupported protocol: ", proto)
        }
        UrlError::MissingHost => value_error("Invalid URL: no host"),
        UrlError::BadPort => value_error("Invalid URL: bad port"),
        UrlError::ControlCharacter => {
            value_error("CR, LF or NUL in the request method, URL or a header")
        }
    }
}

pub fn head_error(e: HeadError) -> Exc {
    match e {
        HeadError::BadStatusLine => value_error("Invalid HTTP status line in response"),
        HeadError::BadHeaderLine => value_error("Invalid header line in response (no colon?)"),
        HeadError::TooLarge => {
            value_error("Response head larger than the session's max_header_bytes")
        }
        HeadError::TooManyHeaders => {
            value_error("Response has more headers than the session's max_headers")
        }
        HeadError::BadContentLength => value_error("Invalid Content-Length in response"),
        HeadError::ConflictingContentLength => {
            value_error("Conflicting Content-Length headers in response")
        }
        HeadError::BadVersion => value_error("Unsupported HTTP version in response"),
        HeadError::Other => value_error("Malformed response head"),
    }
}

pub fn body_error(e: BodyError) -> Exc {
    match e {
        BodyError::Truncated => {
            os_error(0, "Connection closed before the end of the response body")
        }
        BodyError::BadChunkSize => value_error("Invalid chunk size in chunked response"),
        BodyError::ChunkSizeOverflow => value_error("Chunk size too large in chunked response"),
        BodyError::LineTooLong => value_error("Chunk header or trailer line too long"),
        BodyError::BadChunkEnd => value_error("Chunk data not followed by CRLF"),
        BodyError::BadTrailer => value_error("Invalid trailer line in chunked response"),
    }
}

pub fn request_error(e: RequestError) -> Exc {
    match e {
        RequestError::ControlCharacter => {
            value_error("CR, LF or NUL in the request method, URL or a header")
        }
        RequestError::EmptyMethod => value_error("invalid HTTP method"),
        RequestError::BadMethod => {
            value_error("invalid HTTP method: not an RFC 9110 token (a space or TAB?)")
        }
        RequestError::BadHeaderName => value_error("invalid header name"),
    }
}

pub fn framing_error(e: FramingError) -> Exc {
    value_error(match e {
        FramingError::Both => {
            "Content-Length and Transfer-Encoding headers together: a body has one framing"
        }
        FramingError::Repeated => "Content-Length or Transfer-Encoding header given twice",
        FramingError::LengthDisagrees => {
            "Content-Length header disagrees with the body (leave it out: it is computed)"
        }
        FramingError::TransferEncodingDisagrees => {
            "Transfer-Encoding header disagrees with the body (only iterables are sent chunked)"
        }
    })
}

pub fn json_error(e: JsonError) -> Exc {
    let mut buf = [0u8; 80];
    let mut w = Writer::new(&mut buf);
    match e.kind {
        ErrorKind::Syntax => w.put(b"Invalid JSON at byte "),
        ErrorKind::Truncated => w.put(b"JSON document ends early at byte "),
        ErrorKind::TooDeep => {
            w.put(b"JSON nested deeper than ");
            w.put_decimal(MAX_DEPTH);
            w.put(b" levels at byte ");
        }
    }
    w.put_decimal(usize::try_from(e.offset).unwrap_or(usize::MAX));
    value_error_now(w.written())
}
