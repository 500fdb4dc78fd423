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
use core::ffi::c_void;
use core::ptr::NonNull;

/// An error in one word, so that a `PyResult` travels in registers and a
/// `?` moves one word: either an exception object a shim caught (or built
/// with a formatted message), or, with the low bit set, a static `Msg`
/// (kind and message) not built yet. Exception objects are word-aligned
/// pointers, so the low bit tells the two apart.
#[derive(Clone, Copy)]
pub struct Exc(NonNull<c_void>);

pub type PyResult<T> = Result<T, Exc>;

/// A message and the kind of exception it makes, laid out as
/// [kind, length, text...] in read-only memory: built by the error macros
/// below at compile time, one record per message and no separate string.
#[repr(C, align(2))]
pub struct Msg<const N: usize> {
    kind: u8,
    len: u8,
    text: [u8; N],
}

/// The kind byte of the timeout record: OSError(ETIMEDOUT), whose errno
/// value only the C side knows.
const KIND_TIMEOUT: u8 = 0xff;

impl<const N: usize> Msg<N> {
    pub const fn new(kind: rq_exc_kind_t, text: &str) -> Self {
        Self::with_kind(kind as u8, text)
    }

    const fn with_kind(kind: u8, text: &str) -> Self {
        let b = text.as_bytes();
        assert!(b.len() == N && N <= 255, "messages are at most 255 bytes");
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Msg {
            kind,
            len: N as u8,
            text: out,
        }
    }

    /// The error this record stands for (tagged in the low bit).
    pub fn exc(&'static self) -> Exc {
        Exc(NonNull::from(self).cast::<c_void>().map_addr(|a| a | 1))
    }
}

static TIMEOUT: Msg<0> = Msg::with_kind(KIND_TIMEOUT, "");

pub fn check(err: rq_err_t) -> PyResult<()> {
    match NonNull::new(err) {
        None => Ok(()),
        Some(o) => Err(Exc(o)),
    }
}

impl Exc {
    /// The caught exception object, or the static record not built yet.
    fn parts(self) -> Result<rq_err_t, &'static Msg<0>> {
        let p = self.0.as_ptr();
        if p.addr() & 1 == 0 {
            Ok(p)
        } else {
            // SAFETY: a tagged word is only made by `Msg::exc` from a
            // `&'static Msg<N>`, whose header is a `Msg<0>`'s (repr(C)).
            Err(unsafe { &*p.map_addr(|a| a & !1).cast::<Msg<0>>() })
        }
    }

    /// The exception object, built now if it was not yet: the one place
    /// where Rust errors become Python exceptions.
    pub fn into_obj(self) -> rq_err_t {
        match self.parts() {
            Ok(o) => o,
            // SAFETY: builds an exception; never raises.
            Err(m) if m.kind == KIND_TIMEOUT => unsafe { rq_exc_timeout() },
            Err(m) => {
                let head: *const Msg<0> = m;
                // SAFETY: the record's text follows its header for `len`
                // bytes (Msg<N> is repr(C)); the shim copies it. The kind
                // byte was made from an rq_exc_kind_t (Msg::new), whose
                // representation is a C enum's unsigned int.
                unsafe {
                    let text = head.cast::<u8>().add(2);
                    let kind = core::mem::transmute::<u32, rq_exc_kind_t>(u32::from(m.kind));
                    rq_exc_new(kind, text.cast(), usize::from(m.len), 0)
                }
            }
        }
    }

    /// KeyboardInterrupt or SystemExit: never swallowed.
    pub fn is_interrupt(self) -> bool {
        match self.parts() {
            // SAFETY: o is an exception object handed out by a shim.
            Ok(o) => !unsafe { rq_exc_is_exception(o) },
            Err(_) => false,
        }
    }

    pub fn is_memory(self) -> bool {
        match self.parts() {
            // SAFETY: as above.
            Ok(o) => unsafe { rq_exc_is_memory(o) },
            Err(m) => m.kind == rq_exc_kind_t::RQ_EXC_MEMORY as u8,
        }
    }

    /// The pool could not give a socket (see rq_ffi.h).
    pub fn is_out_of_sockets(self) -> bool {
        match self.parts() {
            // SAFETY: as above.
            Ok(o) => unsafe { rq_exc_is_out_of_sockets(o) },
            Err(_) => false,
        }
    }

    /// How a send or receive that raised this failed (engine::retry).
    pub fn failure(self) -> Failure {
        match self.parts() {
            Err(m) if m.kind == KIND_TIMEOUT => Failure::Timeout,
            Err(_) => Failure::Other,
            Ok(_) if self.is_interrupt() => Failure::Other,
            // SAFETY: as above.
            Ok(o) => match unsafe { rq_exc_failure(o) } {
                rq_fail_kind_t::RQ_FAIL_RESET => Failure::Reset,
                rq_fail_kind_t::RQ_FAIL_TIMEOUT => Failure::Timeout,
                rq_fail_kind_t::RQ_FAIL_OTHER => Failure::Other,
            },
        }
    }
}

/// `lazy!(KIND, "message")`: the error of that kind with that message, a
/// static record made at compile time (the message is a literal or a const).
macro_rules! lazy {
    ($kind:ident, $msg:expr) => {
        const {
            &$crate::glue::error::Msg::<{ $msg.len() }>::new(
                $crate::glue::ffi::rq_exc_kind_t::$kind,
                $msg,
            )
        }
        .exc()
    };
}

macro_rules! value_error {
    ($msg:expr $(,)?) => {
        $crate::glue::error::lazy!(RQ_EXC_VALUE, $msg)
    };
}

macro_rules! type_error {
    ($msg:expr $(,)?) => {
        $crate::glue::error::lazy!(RQ_EXC_TYPE, $msg)
    };
}

macro_rules! not_implemented {
    ($msg:expr $(,)?) => {
        $crate::glue::error::lazy!(RQ_EXC_NOT_IMPLEMENTED, $msg)
    };
}

macro_rules! runtime_error {
    ($msg:expr $(,)?) => {
        $crate::glue::error::lazy!(RQ_EXC_RUNTIME, $msg)
    };
}

macro_rules! unicode_error {
    ($msg:expr $(,)?) => {
        $crate::glue::error::lazy!(RQ_EXC_UNICODE, $msg)
    };
}

/// OSError without an errno (the connection closed early).
macro_rules! os_error {
    ($msg:expr $(,)?) => {
        $crate::glue::error::lazy!(RQ_EXC_OS, $msg)
    };
}

pub(crate) use {
    lazy, not_implemented, os_error, runtime_error, type_error, unicode_error, value_error,
};

pub fn timeout_error() -> Exc {
    TIMEOUT.exc()
}

/// An exception the C layer built. It always hands one back (MemoryError
/// when the heap is full); a null would mean just that.
fn built(o: rq_err_t) -> Exc {
    check(o).err().unwrap_or_else(|| lazy!(RQ_EXC_MEMORY, ""))
}

/// An exception of `kind` with a message made at run time (built at once:
/// the message lives in the caller's frame).
fn error_now(kind: rq_exc_kind_t, msg: &[u8]) -> Exc {
    // SAFETY: msg is valid for its length; the shim copies it.
    built(unsafe { rq_exc_new(kind, msg.as_ptr().cast(), msg.len(), 0) })
}

/// A ValueError with a message made at run time. Bytes, not `str`: the
/// messages written here are ASCII, and `str::from_utf8` would link core's
/// UTF-8 validator and its 256-byte table for nothing.
pub fn value_error_now(msg: &[u8]) -> Exc {
    error_now(rq_exc_kind_t::RQ_EXC_VALUE, msg)
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
    error_now(kind, w.written())
}

pub fn out_of_retries(cause: Exc) -> Exc {
    let msg = "Repeated socket failures";
    // SAFETY: static message; the cause is built into a live exception.
    built(unsafe {
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
            let proto = crate::engine::encode::before_byte(url, b'/');
            value_error_with("Unsupported protocol: ", proto)
        }
        UrlError::MissingHost => value_error!("Invalid URL: no host"),
        UrlError::BadPort => value_error!("Invalid URL: bad port"),
        UrlError::ControlCharacter => {
            value_error!("CR, LF or NUL in the request method, URL or a header")
        }
    }
}

pub fn head_error(e: HeadError) -> Exc {
    match e {
        HeadError::BadStatusLine => value_error!("Invalid HTTP status line in response"),
        HeadError::BadHeaderLine => value_error!("Invalid header line in response (no colon?)"),
        HeadError::TooLarge => {
            value_error!("Response head larger than the session's max_header_bytes")
        }
        HeadError::TooManyHeaders => {
            value_error!("Response has more headers than the session's max_headers")
        }
        HeadError::BadContentLength => value_error!("Invalid Content-Length in response"),
        HeadError::ConflictingContentLength => {
            value_error!("Conflicting Content-Length headers in response")
        }
        HeadError::BadVersion => value_error!("Unsupported HTTP version in response"),
        HeadError::Other => value_error!("Malformed response head"),
    }
}

pub fn body_error(e: BodyError) -> Exc {
    match e {
        BodyError::Truncated => {
            os_error!("Connection closed before the end of the response body")
        }
        BodyError::BadChunkSize => value_error!("Invalid chunk size in chunked response"),
        BodyError::ChunkSizeOverflow => value_error!("Chunk size too large in chunked response"),
        BodyError::LineTooLong => value_error!("Chunk header or trailer line too long"),
        BodyError::BadChunkEnd => value_error!("Chunk data not followed by CRLF"),
        BodyError::BadTrailer => value_error!("Invalid trailer line in chunked response"),
    }
}

pub fn request_error(e: RequestError) -> Exc {
    match e {
        RequestError::ControlCharacter => {
            value_error!("CR, LF or NUL in the request method, URL or a header")
        }
        RequestError::EmptyMethod => value_error!("invalid HTTP method"),
        RequestError::BadMethod => {
            value_error!("invalid HTTP method: not an RFC 9110 token (a space or TAB?)")
        }
        RequestError::BadHeaderName => value_error!("invalid header name"),
    }
}

pub fn framing_error(e: FramingError) -> Exc {
    match e {
        FramingError::Both => value_error!(
            "Content-Length and Transfer-Encoding headers together: a body has one framing"
        ),
        FramingError::Repeated => {
            value_error!("Content-Length or Transfer-Encoding header given twice")
        }
        FramingError::LengthDisagrees => value_error!(
            "Content-Length header disagrees with the body (leave it out: it is computed)"
        ),
        FramingError::TransferEncodingDisagrees => value_error!(
            "Transfer-Encoding header disagrees with the body (only iterables are sent chunked)"
        ),
    }
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
