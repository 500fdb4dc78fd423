//! Session.request: connection choice, retries, the response head and
//! redirects. Entry points called by cmodule/session_type.c.

use super::body::{close_for_session, close_response, decoder_init, supersede};
use super::conn::{self, Conn};
use super::ffi::*;
use super::py::*;
use super::request::{
    basic_auth, check_framing, check_headers, prepare_body, request_error, url_basic_auth,
    write_form, write_head, Body, HeadSpec,
};
use super::send::{send_body, Sender};
use crate::engine::encode::eq_ignore_case;
use crate::engine::redirect::{self, Dropped};
use crate::engine::request::check_method;
use crate::engine::response::{
    header_storage, is_informational, parse_head, Framing, Head, HeadError, Limits,
};
use crate::engine::retry::{connection_lost, may_resend, Failure};
use crate::engine::timeout::remaining_ms;
use crate::engine::url::{self, Scheme, Url, UrlError};
use crate::engine::writer::compact;
use crate::engine::writer::Writer;
use core::ptr;

/// Smallest session buffer: room for a typical request head and response
/// head; it grows (up to the head limit) only when a head needs more.
pub const INITIAL_BUF: usize = 1024;
const MAX_REDIRECTS: usize = 30;

/// The session's buffer as a slice.
///
/// SAFETY (callers): the slice aliases GC memory owned by the session; it
/// must not be used after `ensure_buf` reallocates it.
pub unsafe fn session_buf<'a>(s: &rq_session_t) -> &'a mut [u8] {
    if s.buf.is_null() {
        return &mut [];
    }
    // SAFETY: buf points to buf_cap bytes allocated by rq_buf_alloc and kept
    // alive by the session object, which the caller's frame holds.
    unsafe { core::slice::from_raw_parts_mut(s.buf, s.buf_cap) }
}

pub fn ensure_buf(s: &mut rq_session_t, min: usize) -> PyResult<()> {
    if s.buf_cap >= min && !s.buf.is_null() {
        return Ok(());
    }
    let new_cap = min.max(INITIAL_BUF).max(s.buf_cap.saturating_mul(2));
    let mut p: *mut u8 = ptr::null_mut();
    if s.buf.is_null() {
        // SAFETY: valid out-pointer.
        check(unsafe { rq_buf_alloc(new_cap, &mut p) })?;
    } else {
        // SAFETY: s.buf came from rq_buf_alloc with s.buf_cap bytes.
        check(unsafe { rq_buf_realloc(s.buf, s.buf_cap, new_cap, &mut p) })?;
    }
    s.buf = p;
    s.buf_cap = new_cap;
    Ok(())
}

fn url_error(e: UrlError, url: &[u8]) -> Exc {
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
    fn other(exc: Exc, answer_seen: bool) -> Self {
        Failed {
            exc,
            kind: Failure::Other,
            answer_seen,
        }
    }

    /// A send or receive raised `exc`.
    fn io(exc: Exc, answer_seen: bool) -> Self {
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

struct Exchange<'a> {
    session_obj: Obj,
    method: &'a [u8],
    url: &'a Url<'a>,
    url_obj: Obj,
    headers: Obj,
    body: &'a Body,
    authorization: Obj,
    dropped: Dropped,
    read_timeout: Obj,
    read_timeout_ms: i32,
    connect_timeout: Obj,
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

/// Writes the request head into the session buffer (growing it once when
/// the head does not fit) and returns its length.
fn write_request_head(
    s: &mut rq_session_t,
    spec: &HeadSpec,
    overrides: &crate::engine::request::Overrides,
) -> PyResult<usize> {
    ensure_buf(s, INITIAL_BUF)?;
    let (head_len, fits) = {
        // SAFETY: no reallocation while `buf` is used.
        let buf = unsafe { session_buf(s) };
        let mut w = Writer::new(buf);
        write_head(&mut w, spec, overrides)?;
        if w.overflowed() {
            (w.needed(), false)
        } else {
            (w.written().len(), true)
        }
    };
    if fits {
        return Ok(head_len);
    }
    ensure_buf(s, head_len)?;
    // SAFETY: as above, after the reallocation.
    let buf = unsafe { session_buf(s) };
    let mut w = Writer::new(buf);
    write_head(&mut w, spec, overrides)?;
    Ok(w.written().len())
}

/// Sends the request on `conn` and reads the response head. The head must
/// be complete within one read timeout after the request went out: after
/// the first receive, each one may wait only for about what is left of it.
fn exchange_on(
    s: &mut rq_session_t,
    x: &Exchange,
    conn: Conn,
    overrides: &crate::engine::request::Overrides,
) -> Result<Obj, Failed> {
    let spec = HeadSpec {
        method: x.method,
        url: x.url,
        headers: x.headers,
        body: x.body,
        authorization: x.authorization,
        dropped: x.dropped,
    };
    let head_len = write_request_head(s, &spec, overrides).map_err(|e| Failed::other(e, false))?;
    {
        // SAFETY: no reallocation while the sender uses the buffer.
        let buf = unsafe { session_buf(s) };
        let mut out = Sender {
            sock: conn.sock(),
            buf,
            len: head_len,
            failed: false,
            timeout_ms: x.read_timeout_ms,
        };
        if let Err(e) = send_body(&mut out, x.body) {
            // Only a failed send says something about the connection; an
            // error of the body's own source is the caller's.
            return Err(if out.failed {
                Failed::io(e, false)
            } else {
                Failed::other(e, false)
            });
        }
    }
    let hr = HeadRead {
        session_obj: x.session_obj,
        url_obj: x.url_obj,
        read_timeout: x.read_timeout,
        read_timeout_ms: x.read_timeout_ms,
        is_head: eq_ignore_case(x.method, b"HEAD"),
    };
    read_head(s, &hr, conn)
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

/// A connection for the request with its timeout set: an idle one that is
/// still quiet (checked without waiting), else a new one. `fresh`: only a
/// new one will do.
fn connection(s: &mut rq_session_t, x: &Exchange, fresh: bool) -> PyResult<Conn> {
    let https = x.url.scheme == Scheme::Https;
    if !fresh {
        if let Some(c) = conn::take_idle(s, https, x.url.host, x.url.port) {
            // A stale one is dropped (closed) here; nothing was sent on it,
            // so opening another is no resend.
            if c.still_usable()? && c.set_timeout(x.read_timeout).is_ok() {
                return Ok(c);
            }
        }
    }
    let host = new_str(x.url.host)?;
    let c = conn::open(s, https, host, x.url.port, x.connect_timeout)?;
    c.set_timeout(x.read_timeout)?;
    Ok(c)
}

/// One request on the wire. It goes out a second time, on a new
/// connection, only after the keep-alive race (engine::retry::may_resend).
/// A connection lost before any byte of the answer is reported as the
/// reference's OutOfRetries, with the cause.
fn exchange(
    s: &mut rq_session_t,
    x: &Exchange,
    overrides: &crate::engine::request::Overrides,
) -> PyResult<Obj> {
    let mut resent = false;
    loop {
        let conn = connection(s, x, resent)?;
        let reused = conn.reused;
        let f = match exchange_on(s, x, conn, overrides) {
            Ok(resp) => return Ok(resp),
            Err(f) => f,
        };
        if !resent && may_resend(reused, f.answer_seen, f.kind, x.body.replayable()) {
            resent = true;
            continue;
        }
        return Err(if connection_lost(f.kind) && !f.answer_seen {
            out_of_retries(f.exc)
        } else {
            f.exc
        });
    }
}

fn is_redirect(status: u32) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn with_params(url_obj: Obj, params: Obj) -> PyResult<Obj> {
    let encoded = build(Built::Bytes, &mut |w| write_form(w, params))?;
    let enc = bytes_of(encoded).unwrap_or(&[]);
    if enc.is_empty() {
        return Ok(url_obj);
    }
    let url = bytes_of(url_obj).unwrap_or(&[]);
    // The fragment is never sent, so the query goes where it would start.
    let base = url.split(|&b| b == b'#').next().unwrap_or(url);
    build(Built::Str, &mut |w| {
        w.put(base);
        w.put_byte(if base.contains(&b'?') { b'&' } else { b'?' });
        w.put(enc);
        Ok(())
    })
}

fn request(s: &mut rq_session_t, session_obj: Obj, a: &rq_request_args_t) -> PyResult<Obj> {
    // A closed Session may be used again; it only dropped its connections.
    s.closed = false;
    let mut url_obj = a.url;
    if !is_none(a.params) {
        url_obj = with_params(url_obj, a.params)?;
    }
    let overrides = check_headers(a.headers)?;
    let mut body = prepare_body(a.data, a.json, a.files)?;
    check_framing(a.headers, &body)?;
    // auth= wins over credentials in the URL.
    let authorization = if is_none(a.auth) {
        url_basic_auth(bytes_of(url_obj).unwrap_or(&[]))?
    } else {
        basic_auth(a.auth)?
    };
    let mut method_obj = a.method;
    // Checked here so that nothing is sent for a bad method.
    check_method(bytes_of(method_obj).unwrap_or(&[])).map_err(request_error)?;
    if !s.last_response.is_null() {
        let old = core::mem::replace(&mut s.last_response, ptr::null_mut());
        supersede(old)?;
    }
    let mut history = ptr::null_mut();
    let mut dropped = Dropped::NOTHING;
    let mut hops = 0usize;
    loop {
        let ub = bytes_of(url_obj).unwrap_or(&[]);
        let u = url::parse(ub).map_err(|e| url_error(e, ub))?;
        let method = bytes_of(method_obj).unwrap_or(&[]);
        let x = Exchange {
            session_obj,
            method,
            url: &u,
            url_obj,
            headers: a.headers,
            body: &body,
            authorization,
            dropped,
            read_timeout: a.read_timeout,
            read_timeout_ms: a.read_timeout_ms,
            connect_timeout: a.connect_timeout,
        };
        let resp = exchange(s, &x, &overrides)?;
        // SAFETY: resp is a Response object just built; this frame holds it.
        let r = unsafe { &mut *rq_response_state(resp) };
        let location = if a.allow_redirects && is_redirect(r.status_code) {
            // SAFETY: headers is the dict built for this response.
            let loc = unsafe { rq_headers_get(r.headers, c"location".as_ptr()) };
            if loc.is_null() {
                None
            } else {
                Some(loc)
            }
        } else {
            None
        };
        let Some(loc) = location else {
            r.history = history;
            s.last_response = resp;
            return Ok(resp);
        };
        hops = hops.saturating_add(1);
        if hops > MAX_REDIRECTS {
            close_response(r)?;
            return Err(runtime_error("Too many redirects (more than 30)"));
        }
        let loc_bytes = bytes_of(loc).unwrap_or(&[]);
        let next = build(Built::Str, &mut |w| {
            url::resolve(&u, loc_bytes, w).map_err(|e| url_error(e, loc_bytes))
        });
        let status = r.status_code;
        close_response(r)?;
        let next = next?;
        if history.is_null() {
            history = list_new()?;
        }
        list_append(history, new_int(status as isize)?)?;
        let nb = bytes_of(next).unwrap_or(&[]);
        let nu = url::parse(nb).map_err(|e| url_error(e, nb))?;
        let plan = redirect::plan(&u, &nu, u16::try_from(status).unwrap_or(0), method);
        dropped = dropped.after(plan);
        if plan.to_get {
            method_obj = new_str(b"GET")?;
            body = Body::EMPTY;
        } else if !body.replayable() {
            return Err(value_error(
                "Cannot follow a redirect that needs a streamed body sent again",
            ));
        }
        url_obj = next;
    }
}

/// Session.request, called by the C layer with parsed arguments.
///
/// # Safety
/// `s`, `args` and `err` must be valid; `session_obj` is the object holding `s`.
#[no_mangle]
pub unsafe extern "C" fn rq_session_request(
    s: *mut rq_session_t,
    session_obj: Obj,
    args: *const rq_request_args_t,
    err: *mut rq_err_t,
) -> Obj {
    // SAFETY: the C caller passes valid pointers into live objects.
    let (s, a) = unsafe { (&mut *s, &*args) };
    if s.busy {
        // SAFETY: err is a valid out-pointer.
        unsafe { *err = runtime_error("Session is busy: a request is already being made").0 };
        return ptr::null_mut();
    }
    s.busy = true;
    let result = request(s, session_obj, a);
    s.busy = false;
    match result {
        Ok(o) => o,
        Err(e) => {
            // SAFETY: err is a valid out-pointer.
            unsafe { *err = e.0 };
            ptr::null_mut()
        }
    }
}

/// Session.close: the live response and every idle connection.
///
/// # Safety
/// `s` must point into a live Session object.
#[no_mangle]
pub unsafe extern "C" fn rq_session_close(s: *mut rq_session_t) -> rq_err_t {
    // SAFETY: as documented.
    let s = unsafe { &mut *s };
    let mut err = ptr::null_mut();
    if !s.last_response.is_null() {
        let old = core::mem::replace(&mut s.last_response, ptr::null_mut());
        if let Err(e) = close_for_session(old) {
            err = e.0;
        }
    }
    conn::close_all_idle(s);
    s.closed = true;
    err
}

/// The finaliser: a Session freed without close(). It runs inside a
/// collection, where nothing may allocate or wait, so sockets are closed
/// without draining.
///
/// # Safety
/// `s` must point into the Session object being finalised.
#[no_mangle]
pub unsafe extern "C" fn rq_session_finalise(s: *mut rq_session_t) {
    // SAFETY: as documented.
    let s = unsafe { &mut *s };
    if !s.last_response.is_null() {
        // SAFETY: the response object is unreachable but not yet freed: the
        // collector runs every finaliser before it frees any block.
        let r = unsafe { &mut *rq_response_state(s.last_response) };
        let sock = core::mem::replace(&mut r.sock, ptr::null_mut());
        conn::close_sock(sock);
        s.last_response = ptr::null_mut();
    }
    conn::close_all_idle(s);
    s.closed = true;
}
