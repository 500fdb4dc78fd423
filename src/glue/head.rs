//! Reading a response head into a Response object, and how an attempt
//! failed (for the resend rule). Shared by Session.request and
//! Response(sock).

use super::body::decoder_init;
use super::buf::{ensure_buf, session_buf};
use super::conn::{self, Conn};
use super::ffi::*;
use super::py::*;
use crate::engine::encode::eq_ignore_case;
use crate::engine::response::{
    header_storage, is_informational, parse_head, Framing, Head, HeadError, Limits,
};
use crate::engine::retry::Failure;
use crate::engine::timeout::remaining_ms;
use crate::engine::writer::compact;
use core::ptr;

fn head_error(e: HeadError) -> Exc {
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

/// How an attempt failed, for the resend rule (engine::retry).
pub struct Failed {
    pub exc: Exc,
    pub kind: Failure,
    /// Some byte of the answer had arrived.
    pub answer_seen: bool,
}

impl Failed {
    /// A failure of something other than the connection (the body's own
    /// source, memory, a malformed answer).
    pub fn other(exc: Exc, answer_seen: bool) -> Self {
        Failed {
            exc,
            kind: Failure::Other,
            answer_seen,
        }
    }

    /// A send or receive raised `exc`.
    pub fn io(exc: Exc, answer_seen: bool) -> Self {
        let kind = if exc.is_interrupt() {
            Failure::Other
        } else {
            // SAFETY: exc is an exception object handed out by a shim.
            match unsafe { rq_exc_failure(exc.0) } {
                rq_fail_kind_t::RQ_FAIL_RESET => Failure::Reset,
                rq_fail_kind_t::RQ_FAIL_TIMEOUT => Failure::Timeout,
                rq_fail_kind_t::RQ_FAIL_OTHER => Failure::Other,
            }
        };
        Failed {
            exc,
            kind,
            answer_seen,
        }
    }
}

/// More interim (1xx) responses than this before the final one is an error:
/// a server sending them forever would otherwise hold the request.
const MAX_INFORMATIONAL: usize = 16;

/// A str from the session's cache of short strings.
fn session_str(s: &mut rq_session_t, b: &[u8]) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: s is the live session; b is valid for the call.
    check(unsafe { rq_session_str(s, b.as_ptr(), b.len(), &mut out) })?;
    Ok(out)
}

fn charset_of(content_type: &[u8]) -> Option<&[u8]> {
    let mut rest = content_type;
    while let Some(pos) = rest.iter().position(|&b| b == b';') {
        rest = rest.get(pos.saturating_add(1)..).unwrap_or(&[]);
        let param = rest.split(|&b| b == b';').next().unwrap_or(&[]);
        let param = trim(param);
        if param.len() > 8 && eq_ignore_case(param.get(..8).unwrap_or(&[]), b"charset=") {
            let v = trim(param.get(8..).unwrap_or(&[]));
            let v = v.strip_prefix(b"\"").unwrap_or(v);
            let v = v.strip_suffix(b"\"").unwrap_or(v);
            if !v.is_empty() {
                return Some(v);
            }
        }
    }
    None
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e.saturating_add(1));
    b.get(start..end).unwrap_or(&[])
}

fn framing_code(f: Framing) -> u8 {
    (match f {
        Framing::NoBody => RQ_FRAMING_NONE,
        Framing::Length(_) => RQ_FRAMING_LENGTH,
        Framing::Chunked => RQ_FRAMING_CHUNKED,
        Framing::Close => RQ_FRAMING_CLOSE,
    }) as u8
}

/// Whether a header name occurs more than once (compared ignoring case).
fn has_repeats(head: &Head) -> bool {
    let names = || head.iter().map(|(n, _)| n);
    names()
        .enumerate()
        .any(|(i, a)| names().take(i).any(|b| eq_ignore_case(a, b)))
}

/// Makes the Response object for a parsed head. The connection moves into
/// it only once every allocation succeeded, so a MemoryError closes it.
fn build_response(
    x: &HeadRead,
    s: &mut rq_session_t,
    conn: Conn,
    head: &Head,
    rstart: usize,
    rend: usize,
) -> PyResult<Obj> {
    let mut r: *mut rq_response_t = ptr::null_mut();
    let mut obj = ptr::null_mut();
    // SAFETY: out-pointers are valid.
    check(unsafe { rq_response_new(x.session_obj, &mut r, &mut obj) })?;
    // SAFETY: the shim returned the state inside the new object, which `obj`
    // (on this stack) keeps alive.
    let r = unsafe { &mut *r };
    decoder_init(r, head.framing);
    r.status_code = u32::from(head.status);
    // The reason's bytes as they came: a str keeps UTF-8 ones (the same
    // bytes, often from the cache), anything else stays bytes.
    r.reason = if core::str::from_utf8(head.reason).is_ok() {
        session_str(s, head.reason)?
    } else {
        new_bytes(head.reason)?
    };
    let mut headers = ptr::null_mut();
    // SAFETY: valid out-pointer.
    check(unsafe { rq_headers_new(head.headers.len(), has_repeats(head), &mut headers) })?;
    r.headers = headers;
    for (name, value) in head.iter() {
        // SAFETY: name/value borrow the session buffer for the call.
        check(unsafe {
            rq_headers_add(
                s,
                headers,
                name.as_ptr(),
                name.len(),
                value.as_ptr(),
                value.len(),
            )
        })?;
    }
    r.encoding = session_str(
        s,
        head.header(b"content-type")
            .and_then(charset_of)
            .unwrap_or(b"utf-8"),
    )?;
    r.url = x.url_obj;
    s.live_host = conn.host;
    s.live_port = conn.port;
    s.live_https = u8::from(conn.https);
    s.live_pending = ptr::null_mut();
    s.live_trailers = 0;
    s.live_trailer_bytes = 0;
    s.live_draining = false;
    s.live_raw_sock = conn.raw;
    r.framing = framing_code(head.framing);
    r.keep_alive = head.keep_alive;
    r.rstart = rstart;
    r.rend = rend;
    r.sock = conn.release();
    Ok(obj)
}

/// What reading a response head needs to know about the request.
pub struct HeadRead {
    pub session_obj: Obj,
    /// The URL the response answers (NULL when unknown).
    pub url_obj: Obj,
    /// The read timeout as given (restored after the head's deadline cut it).
    pub read_timeout: Obj,
    /// The same in milliseconds; -1 for none.
    pub read_timeout_ms: i32,
    pub is_head: bool,
}

/// Reads the response head on `conn` (the request went out already) and
/// makes the Response; 1xx answers are skipped. The head must be complete
/// within one read timeout: after the first receive, each one may wait only
/// for about what is left of it.
pub fn read_head(s: &mut rq_session_t, x: &HeadRead, conn: Conn) -> Result<Obj, Failed> {
    let sock = conn.sock();
    // Moves into the Response once the head is complete.
    let mut conn = Some(conn);
    let limits = Limits {
        max_head_bytes: s.max_head_bytes,
        max_headers: s.max_headers,
    };
    let (mut start, mut end) = (0usize, 0usize);
    let mut informational = 0usize;
    let sent_at = ticks_ms();
    let budget = u32::try_from(x.read_timeout_ms).ok();
    // The socket's timeout was cut to the head's deadline; the body gets
    // the full timeout back. It is cut again only once what is left fell
    // below 7/8 of the last cut, so a head in many pieces costs a few calls,
    // and a wait overshoots the deadline by at most 1/7 of what was left.
    let mut shortened = false;
    let mut last_cut = budget.unwrap_or(0);
    loop {
        enum Step {
            Done(Obj),
            Skip(usize),
            More,
        }
        let step = {
            // SAFETY: as above; no reallocation inside this block.
            let buf = unsafe { session_buf(s) };
            let window = buf.get(start..end).unwrap_or(&[]);
            let mut storage = header_storage();
            match parse_head(window, &mut storage, &limits, x.is_head) {
                Ok(Some(head)) if is_informational(head.status) => Step::Skip(head.head_len),
                Ok(Some(head)) => {
                    let rstart = start.saturating_add(head.head_len);
                    let Some(c) = conn.take() else {
                        return Err(Failed::other(
                            runtime_error("connection already used"),
                            true,
                        ));
                    };
                    if shortened {
                        c.set_timeout(x.read_timeout)
                            .map_err(|e| Failed::io(e, true))?;
                    }
                    let resp = build_response(x, s, c, &head, rstart, end)
                        .map_err(|e| Failed::other(e, true))?;
                    Step::Done(resp)
                }
                Ok(None) => Step::More,
                Err(e) => return Err(Failed::other(head_error(e), true)),
            }
        };
        match step {
            Step::Done(resp) => return Ok(resp),
            Step::Skip(n) => {
                start = start.saturating_add(n);
                informational = informational.saturating_add(1);
                if informational > MAX_INFORMATIONAL {
                    return Err(Failed::other(
                        value_error("Too many informational (1xx) responses"),
                        true,
                    ));
                }
            }
            Step::More => {
                if end == s.buf_cap {
                    if start > 0 {
                        // SAFETY: as above.
                        let buf = unsafe { session_buf(s) };
                        end = compact(buf, start, end);
                        start = 0;
                    } else {
                        let grow = s
                            .buf_cap
                            .saturating_mul(2)
                            .min(s.max_head_bytes.saturating_add(64));
                        if grow <= s.buf_cap {
                            return Err(Failed::other(head_error(HeadError::TooLarge), true));
                        }
                        ensure_buf(s, grow).map_err(|e| Failed::other(e, true))?;
                    }
                }
                let got_any = end > 0 || informational > 0;
                if got_any {
                    if let Some(budget) = budget {
                        let elapsed = ticks_ms().wrapping_sub(sent_at);
                        let Some(left) = remaining_ms(elapsed, budget) else {
                            return Err(Failed::io(timeout_error(), true));
                        };
                        if left < last_cut.saturating_sub(last_cut / 8) {
                            let raw = conn.as_ref().map_or(ptr::null_mut(), |c| c.raw);
                            conn::settimeout_ms(sock, raw, i32::try_from(left).unwrap_or(i32::MAX))
                                .map_err(|e| Failed::io(e, true))?;
                            shortened = true;
                            last_cut = left;
                        }
                    }
                }
                // SAFETY: as above.
                let buf = unsafe { session_buf(s) };
                let dst = buf.get_mut(end..).unwrap_or(&mut []);
                let n = conn::recv(sock, dst).map_err(|e| Failed::io(e, got_any))?;
                if n == 0 {
                    return Err(if got_any {
                        Failed::other(
                            os_error(0, "Connection closed in the middle of the response head"),
                            true,
                        )
                    } else {
                        Failed {
                            exc: runtime_error("no data from socket"),
                            kind: Failure::Closed,
                            answer_seen: false,
                        }
                    });
                }
                end = end.saturating_add(n);
            }
        }
    }
}
