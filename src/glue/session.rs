//! Session.request: connection choice, retries, the response head and
//! redirects. Entry points called by cmodule/session_type.c.

use super::body::{close_for_session, close_response, supersede};
use super::buf::{ensure_buf, session_buf, INITIAL_BUF};
use super::conn::{self, Conn};
use super::ffi::*;
use super::head::{read_head, Failed, HeadRead};
use super::py::*;
use super::request::{
    basic_auth, check_framing, check_headers, prepare_body, request_error, url_basic_auth,
    write_form, write_head, Body, HeadSpec,
};
use super::send::{send_body, Sender};
use crate::engine::encode::eq_ignore_case;
use crate::engine::redirect::{self, Dropped};
use crate::engine::request::check_method;
use crate::engine::retry::{connection_lost, may_resend};
use crate::engine::url::{self, Scheme, Url, UrlError};
use crate::engine::writer::Writer;
use core::ptr;

const MAX_REDIRECTS: usize = 30;

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
    // SAFETY: err is a valid out-pointer (this function's contract).
    unsafe { while_busy(s, err, |s| request(s, session_obj, a)) }
}

/// Runs `f` with the session marked busy, so that a second request (from
/// another thread) is refused instead of sharing its buffer, and returns its
/// object, or NULL with the exception in `*err`.
///
/// # Safety
/// `err` must be a valid out-pointer.
pub unsafe fn while_busy(
    s: &mut rq_session_t,
    err: *mut rq_err_t,
    f: impl FnOnce(&mut rq_session_t) -> PyResult<Obj>,
) -> Obj {
    let result = if s.busy {
        Err(runtime_error(
            "Session is busy: a request is already being made",
        ))
    } else {
        s.busy = true;
        let r = f(s);
        s.busy = false;
        r
    };
    match result {
        Ok(o) => o,
        Err(e) => {
            // SAFETY: err is a valid out-pointer (the caller's contract).
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
