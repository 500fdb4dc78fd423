//! Reading a response head into a Response object, and how an attempt
//! failed (for the resend rule). Shared by Session.request and
//! Response(sock).

use super::body::decoder_init;
use super::conn::{self, Io};
use super::cookies;
use super::ffi::*;
use super::head_lazy;
use super::live;
use super::py::*;
use super::sessionref::SessionRef;
use crate::engine::response::{
    is_informational, parse_head_with, Framing, Head, HeadError, Limits,
};
use crate::engine::retry::Failure;
use crate::engine::text::{repeat_rule, Repeat};
use crate::engine::timeout::remaining_ms;
use crate::engine::writer::compact;
use core::ptr;

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
        Failed {
            exc,
            kind: exc.failure(),
            answer_seen,
        }
    }
}

/// More interim (1xx) responses than this before the final one is an error:
/// a server sending them forever would otherwise hold the request.
const MAX_INFORMATIONAL: usize = 16;

fn framing_code(f: Framing) -> u8 {
    (match f {
        Framing::NoBody => RQ_FRAMING_NONE,
        Framing::Length(_) => RQ_FRAMING_LENGTH,
        Framing::Chunked => RQ_FRAMING_CHUNKED,
        Framing::Close => RQ_FRAMING_CLOSE,
    }) as u8
}

/// Makes the Response object for a parsed head, which is `window[..head_len]`;
/// the connection `conn` points to moves into it (the caller stops using it).
/// The response keeps the raw head; its Headers are built when first read
/// (head_lazy.rs).
fn build_response(
    x: &HeadRead,
    s: &SessionRef,
    conn: *mut rq_conn_t,
    head: &Head,
    raw: &[u8],
    rstart: usize,
) -> PyResult<Obj> {
    let mut r: *mut rq_response_t = ptr::null_mut();
    let mut obj = ptr::null_mut();
    // SAFETY: out-pointers are valid; raw is valid for the call (copied).
    check(unsafe { rq_response_make(s.obj(), raw.as_ptr(), raw.len(), &mut r, &mut obj) })?;
    // SAFETY: the shim returned the state inside the new object, which `obj`
    // (on this stack) keeps alive.
    let r = unsafe { &mut *r };
    decoder_init(r, head.framing);
    r.status_code = u32::from(head.status);
    if r.head_len == 0 {
        // Too long to keep: built now, while the bytes are in the buffer.
        head_lazy::materialize(r, raw)?;
    }
    if head.set_cookie {
        cookies::store_from_head(s, x.url_obj, &mut head.iter(), head.header(b"date"))?;
    }
    r.url = x.url_obj;
    r.framing = framing_code(head.framing);
    r.keep_alive = head.keep_alive;
    // SAFETY: `conn` is the exchange's connection, not borrowed meanwhile.
    let c = unsafe { &mut *conn };
    c.rstart = rstart;
    c.trailers = 0;
    c.trailer_bytes = 0;
    c.draining = false;
    c.wait_since_ms = 0;
    r.conn = conn;
    Ok(obj)
}

/// What reading a response head needs to know about the request.
pub struct HeadRead {
    /// The URL the response answers (NULL when unknown).
    pub url_obj: Obj,
    /// The read timeout as given (restored after the head's deadline cut it).
    pub read_timeout: Obj,
    /// The same in milliseconds; -1 for none.
    pub read_timeout_ms: i32,
    pub is_head: bool,
}

/// Reading one response head, resumable: a non-blocking connection returns
/// what to wait for and the next call goes on where it stopped. The head
/// must be complete within one read timeout after the request went out;
/// on a blocking socket each receive after the first may wait only for
/// about what is left of it.
#[derive(Clone, Copy)]
pub struct HeadReader {
    informational: usize,
    sent_at: u32,
    /// The socket's timeout was cut to the head's deadline; the body gets
    /// the full timeout back. It is cut again only once what is left fell
    /// below 7/8 of the last cut, so a head in many pieces costs a few
    /// calls, and a wait overshoots the deadline by at most 1/7 of what
    /// was left.
    shortened: bool,
    last_cut: u32,
    got_any: bool,
}

impl HeadReader {
    /// Starts the clock: the request has just gone out.
    pub fn new(read_timeout_ms: i32) -> Self {
        HeadReader {
            informational: 0,
            sent_at: ticks_ms(),
            shortened: false,
            last_cut: u32::try_from(read_timeout_ms).unwrap_or(0),
            got_any: false,
        }
    }

    /// When the head is late (ticks_ms), if the request has a timeout.
    pub fn deadline(&self, read_timeout_ms: i32) -> Option<u32> {
        let budget = u32::try_from(read_timeout_ms).ok()?;
        Some(self.sent_at.wrapping_add(budget))
    }

    /// Reads and parses until the head is complete, then makes the Response
    /// (1xx answers are skipped). The unread bytes are `c.buf[rstart..rend]`
    /// (both 0 at the start).
    pub fn poll(
        &mut self,
        s: &SessionRef,
        x: &HeadRead,
        conn: *mut rq_conn_t,
    ) -> Result<Io<Obj>, Failed> {
        let limits = Limits {
            max_head_bytes: s.max_head_bytes(),
            max_headers: s.max_headers(),
        };
        let budget = u32::try_from(x.read_timeout_ms).ok();
        loop {
            // SAFETY: the exchange owns this connection and holds no other
            // borrow of it while the head is read.
            let c = unsafe { &mut *conn };
            let (start, end) = (c.rstart, c.rend);
            let (sock, nonblocking) = (c.sock, c.nonblocking);
            // Nothing received yet (a new request): nothing to parse.
            let parsed = if start == end {
                None
            } else {
                let (buf, _, _) = live::window(c);
                let window = buf.get(start..end).unwrap_or(&[]);
                parse_head_with(window, &limits, x.is_head, |res| match res {
                    Ok(Some(head)) if is_informational(head.status) => Ok(Some(Err(head.head_len))),
                    Ok(Some(head)) => {
                        let rstart = start.saturating_add(head.head_len);
                        let raw = window.get(..head.head_len).unwrap_or(&[]);
                        Ok(Some(Ok(build_response(x, s, conn, &head, raw, rstart)
                            .map_err(|e| Failed::other(e, true))?)))
                    }
                    Ok(None) => Ok(None),
                    Err(e) => Err(Failed::other(head_error(e), true)),
                })?
            };
            match parsed {
                Some(Ok(resp)) => {
                    if self.shortened && !nonblocking {
                        // Through the record of what the socket has, so the
                        // next request on it does not set it again.
                        // SAFETY: as above; the window's borrow has ended.
                        let c = unsafe { &mut *conn };
                        conn::ensure_timeout(c, x.read_timeout, x.read_timeout_ms)
                            .map_err(|e| Failed::io(e, true))?;
                    }
                    return Ok(Io::Done(resp));
                }
                Some(Err(n)) => {
                    c.rstart = start.saturating_add(n);
                    self.informational = self.informational.saturating_add(1);
                    if self.informational > MAX_INFORMATIONAL {
                        return Err(Failed::other(
                            value_error!("Too many informational (1xx) responses"),
                            true,
                        ));
                    }
                    continue;
                }
                None => {}
            }
            if end == c.buf_cap {
                if start > 0 {
                    let (buf, rstart, rend) = live::window(c);
                    *rend = compact(buf, start, end);
                    *rstart = 0;
                } else {
                    let grow = c
                        .buf_cap
                        .saturating_mul(2)
                        .min(limits.max_head_bytes.saturating_add(64));
                    if grow <= c.buf_cap {
                        return Err(Failed::other(head_error(HeadError::TooLarge), true));
                    }
                    live::ensure_buf(c, grow).map_err(|e| Failed::other(e, true))?;
                }
            }
            let got_any = self.got_any || self.informational > 0;
            // The first receive waits for the socket's own timeout (the
            // whole budget); later ones only for what is left of it.
            if let (Some(budget), true) = (budget, got_any || c.nonblocking) {
                let elapsed = ticks_ms().wrapping_sub(self.sent_at);
                let Some(left) = remaining_ms(elapsed, budget) else {
                    return Err(Failed::io(timeout_error(), got_any));
                };
                if got_any
                    && !c.nonblocking
                    && left < self.last_cut.saturating_sub(self.last_cut / 8)
                {
                    conn::settimeout_ms(c, i32::try_from(left).unwrap_or(i32::MAX))
                        .map_err(|e| Failed::io(e, true))?;
                    self.shortened = true;
                    self.last_cut = left;
                }
            }
            let (buf, _, rend) = live::window(c);
            let at = *rend;
            let got = conn::recv(sock, nonblocking, buf.get_mut(at..).unwrap_or(&mut []))
                .map_err(|e| Failed::io(e, got_any))?;
            let n = match got {
                Io::Done(n) => n,
                Io::Wait(w) => return Ok(Io::Wait(w)),
            };
            if n == 0 {
                return Err(if got_any {
                    Failed::other(
                        os_error!("Connection closed in the middle of the response head"),
                        true,
                    )
                } else {
                    Failed {
                        exc: runtime_error!("no data from socket"),
                        kind: Failure::Closed,
                        answer_seen: false,
                    }
                });
            }
            *rend = at.saturating_add(n);
            self.got_any = true;
        }
    }
}

/// Whether the values of a repeated response header are joined (else the
/// last one is kept): asked by the headers shim (engine::text::repeat_rule).
///
/// # Safety
/// `name` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rq_header_repeat_joins(name: *const u8, len: usize) -> bool {
    // SAFETY: as documented.
    let name = unsafe { core::slice::from_raw_parts(name, len) };
    repeat_rule(name) == Repeat::Join
}
