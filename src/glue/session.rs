//! Session.request: connection choice, retries, the response head and
//! redirects. Entry points called by cmodule/session_type.c.

use super::body::{close_response, decoder_init, supersede};
use super::conn::{self, Conn};
use super::ffi::*;
use super::py::*;
use super::request::{
    basic_auth, check_framing, check_headers, prepare_body, request_error, url_basic_auth,
    write_form, write_head, Body, HeadSpec, Source,
};
use super::send::{send_body, Sender};
use crate::engine::encode::eq_ignore_case;
use crate::engine::redirect::{self, Dropped};
use crate::engine::request::check_method;
use crate::engine::response::{
    header_storage, is_informational, parse_head, Framing, Head, HeadError, Limits,
};
use crate::engine::url::{self, Scheme, Url, UrlError};
use crate::engine::writer::compact;
use crate::engine::writer::Writer;
use core::ptr;

/// Smallest session buffer: room for a typical request head and response
/// head; it grows (up to the head limit) only when a head needs more.
const INITIAL_BUF: usize = 1024;
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

/// Why an exchange failed: `Retry` failures happened before the server said
/// anything, so the request may go out again on a new connection.
enum Fail {
    Retry(Exc),
    /// The connection closed without a byte of response.
    NoAnswer(Exc),
    Fatal(Exc),
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
    x: &Exchange,
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
    r.reason = session_str(s, head.reason)?;
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
    s.live_timeout_ms = x.read_timeout_ms;
    s.live_raw_sock = conn.raw;
    r.framing = framing_code(head.framing);
    r.keep_alive = head.keep_alive;
    r.rstart = rstart;
    r.rend = rend;
    r.sock = conn.release();
    Ok(obj)
}

/// Sends the request on `conn` and reads the response head.
fn exchange_on(
    s: &mut rq_session_t,
    x: &Exchange,
    conn: Conn,
    overrides: &crate::engine::request::Overrides,
) -> Result<Obj, Fail> {
    let spec = HeadSpec {
        method: x.method,
        url: x.url,
        headers: x.headers,
        body: x.body,
        authorization: x.authorization,
        dropped: x.dropped,
    };
    ensure_buf(s, INITIAL_BUF).map_err(Fail::Fatal)?;
    let (mut head_len, fits) = {
        // SAFETY: no reallocation while `buf` is used.
        let buf = unsafe { session_buf(s) };
        let mut w = Writer::new(buf);
        write_head(&mut w, &spec, overrides).map_err(Fail::Fatal)?;
        (
            if w.overflowed() {
                w.needed()
            } else {
                w.written().len()
            },
            !w.overflowed(),
        )
    };
    if !fits {
        ensure_buf(s, head_len).map_err(Fail::Fatal)?;
        // SAFETY: as above, after the reallocation.
        let buf = unsafe { session_buf(s) };
        let mut w = Writer::new(buf);
        write_head(&mut w, &spec, overrides).map_err(Fail::Fatal)?;
        head_len = w.written().len();
    }
    {
        // SAFETY: as above.
        let buf = unsafe { session_buf(s) };
        let mut out = Sender {
            sock: conn.sock(),
            buf,
            len: head_len,
            failed: false,
            timeout_ms: x.read_timeout_ms,
        };
        if let Err(e) = send_body(&mut out, x.body) {
            let retry =
                out.failed && (x.body.replayable() || !matches!(x.body.source, Source::Chunked(_)));
            return Err(if retry {
                Fail::Retry(e)
            } else {
                Fail::Fatal(e)
            });
        }
    }
    let is_head = eq_ignore_case(x.method, b"HEAD");
    let sock = conn.sock();
    // Moves into the Response once the head is complete.
    let mut conn = Some(conn);
    let limits = Limits {
        max_head_bytes: s.max_head_bytes,
        max_headers: s.max_headers,
    };
    let (mut start, mut end) = (0usize, 0usize);
    let mut informational = 0usize;
    // The read timeout bounds the whole head, not just each recv: a server
    // trickling one byte at a time must not hold the request longer.
    let sent_at = ticks_ms();
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
            match parse_head(window, &mut storage, &limits, is_head) {
                Ok(Some(head)) if is_informational(head.status) => Step::Skip(head.head_len),
                Ok(Some(head)) => {
                    let rstart = start.saturating_add(head.head_len);
                    let Some(c) = conn.take() else {
                        return Err(Fail::Fatal(runtime_error("connection already used")));
                    };
                    let resp = build_response(x, s, c, &head, rstart, end).map_err(Fail::Fatal)?;
                    Step::Done(resp)
                }
                Ok(None) => Step::More,
                Err(e) => return Err(Fail::Fatal(head_error(e))),
            }
        };
        match step {
            Step::Done(resp) => return Ok(resp),
            Step::Skip(n) => {
                start = start.saturating_add(n);
                informational = informational.saturating_add(1);
                if informational > MAX_INFORMATIONAL {
                    return Err(Fail::Fatal(value_error(
                        "Too many informational (1xx) responses",
                    )));
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
                            return Err(Fail::Fatal(head_error(HeadError::TooLarge)));
                        }
                        ensure_buf(s, grow).map_err(Fail::Fatal)?;
                    }
                }
                // SAFETY: as above.
                let buf = unsafe { session_buf(s) };
                let got_any = end > 0;
                let dst = buf.get_mut(end..).unwrap_or(&mut []);
                let n = conn::recv(sock, dst).map_err(|e| {
                    if got_any {
                        Fail::Fatal(e)
                    } else {
                        Fail::Retry(e)
                    }
                })?;
                if n == 0 {
                    return Err(if got_any {
                        Fail::Fatal(os_error(
                            0,
                            "Connection closed in the middle of the response head",
                        ))
                    } else {
                        Fail::NoAnswer(runtime_error("no data from socket"))
                    });
                }
                end = end.saturating_add(n);
                if past_deadline(sent_at, x.read_timeout_ms) {
                    return Err(Fail::Fatal(timeout_error()));
                }
            }
        }
    }
}

/// One request on the wire with the reference's retry rule: a failure before
/// the server answered is retried once on a fresh connection, except a read
/// timeout on a connection that was fresh already.
fn exchange(
    s: &mut rq_session_t,
    x: &Exchange,
    overrides: &crate::engine::request::Overrides,
) -> PyResult<Obj> {
    let https = x.url.scheme == Scheme::Https;
    let mut last = None;
    for _ in 0..2 {
        let conn = match conn::take_idle(s, https, x.url.host, x.url.port) {
            Some(c) => c,
            None => {
                let host = new_str(x.url.host)?;
                conn::open(s, https, host, x.url.port, x.connect_timeout)?
            }
        };
        conn.set_timeout(x.read_timeout)?;
        let reused = conn.reused;
        match exchange_on(s, x, conn, overrides) {
            Ok(resp) => return Ok(resp),
            Err(Fail::Fatal(e)) => return Err(e),
            Err(Fail::Retry(e)) => {
                // As the reference: only socket errors (OSError) mean a dead
                // connection; anything else a pool raises is the caller's.
                if (!reused && e.is_timeout()) || !e.is_os_error() {
                    return Err(e);
                }
                last = Some(e);
            }
            Err(Fail::NoAnswer(e)) => last = Some(e),
        }
    }
    Err(out_of_retries(
        last.unwrap_or_else(|| runtime_error("no data from socket")),
    ))
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
        if let Err(e) = supersede(old) {
            err = e.0;
        }
    }
    conn::close_all_idle(s);
    s.closed = true;
    err
}
