//! Headers on demand: a Response keeps its raw head (a GC block the session
//! shares with the next response when that head is the same bytes) and
//! makes the Headers object, the reason and the encoding from it the first
//! time one of them is asked for. Most code reads status and body only.

use super::ffi::*;
use super::py::*;
use crate::engine::response::{header_storage, raw_header, raw_reason, reparse, Head};
use crate::engine::text;
use core::ptr;

/// Headers handed to the C builder per call (a stack array).
const BATCH: usize = 16;

/// The raw head the response still keeps (its Headers not built yet).
pub fn raw_head(r: &rq_response_t) -> Option<&[u8]> {
    if r.head_len == 0 || r.headers.is_null() {
        return None;
    }
    // SAFETY: while head_len is nonzero, `headers` points to a GC block of
    // at least head_len bytes that is never written again; the response
    // (borrowed here) keeps it alive.
    Some(unsafe { core::slice::from_raw_parts(r.headers.cast::<u8>(), usize::from(r.head_len)) })
}

/// The first value of a header (`name` lower-case): from the raw head, or
/// from the Headers once built (then as they are now).
pub fn header<'r>(r: &'r rq_response_t, name: &core::ffi::CStr) -> Option<&'r [u8]> {
    // SAFETY: a CStr is NUL-terminated after its count_bytes() bytes.
    let bytes =
        unsafe { core::slice::from_raw_parts(name.as_ptr().cast::<u8>(), name.count_bytes()) };
    header_of(r, bytes, name.as_ptr())
}

/// As `header`; `cname` is `name` NUL-terminated.
fn header_of<'r>(
    r: &'r rq_response_t,
    name: &[u8],
    cname: *const core::ffi::c_char,
) -> Option<&'r [u8]> {
    if let Some(raw) = raw_head(r) {
        return raw_header(raw, name);
    }
    if r.headers.is_null() {
        return None;
    }
    // SAFETY: headers is this response's Headers object; cname is
    // NUL-terminated (the callers' contract).
    let v = unsafe { rq_headers_get(r.headers, cname) };
    if v.is_null() {
        return None;
    }
    // SAFETY: the value is held by the Headers the response keeps; it is
    // read before anything can change them.
    unsafe { held_bytes(v) }
}

fn session_str(s: *mut rq_session_t, b: &[u8]) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: the session is live (the response holds it); b is valid for
    // the call. The shim touches only the string cache, and only when no
    // other thread holds the session.
    check(unsafe { rq_session_str(s, b.as_ptr(), b.len(), &mut out) })?;
    Ok(out)
}

fn session_of(r: &rq_response_t) -> *mut rq_session_t {
    // SAFETY: `session` is the (Async)Session object the response was made by.
    unsafe { rq_session_state(r.session) }
}

/// The reason as `Response.reason` hands it out: a bytearray of the bytes
/// as they came.
fn make_reason(raw: &[u8]) -> PyResult<Obj> {
    let reason = raw_reason(raw);
    let mut out = ptr::null_mut();
    // SAFETY: reason is valid for the call; the shim copies it.
    check(unsafe { rq_new_bytearray(reason.as_ptr(), reason.len(), &mut out) })?;
    Ok(out)
}

/// The charset of the first Content-Type, else utf-8.
fn make_encoding(r: &rq_response_t, raw: &[u8]) -> PyResult<Obj> {
    let charset = raw_header(raw, b"content-type")
        .and_then(text::charset_of)
        .unwrap_or(b"utf-8");
    session_str(session_of(r), charset)
}

/// Builds the Headers of `head` for the response's session.
fn make_headers(s: *mut rq_session_t, head: &Head) -> PyResult<Obj> {
    let empty = rq_bytes_t {
        ptr: ptr::null(),
        len: 0,
    };
    let mut out: Obj = ptr::null_mut();
    let total = head.headers.len();
    let mut batch = [rq_header_t {
        name: empty,
        value: empty,
    }; BATCH];
    let mut lines = head.iter().peekable();
    // At least one call, so that a head without headers still gets its
    // (empty) Headers object.
    loop {
        let mut n = 0usize;
        for slot in batch.iter_mut() {
            let Some((name, value)) = lines.next() else {
                break;
            };
            *slot = rq_header_t {
                name: rq_bytes_t {
                    ptr: name.as_ptr(),
                    len: name.len(),
                },
                value: rq_bytes_t {
                    ptr: value.as_ptr(),
                    len: value.len(),
                },
            };
            n = n.saturating_add(1);
        }
        // SAFETY: the first n entries point into the raw head, which the
        // response keeps alive for the call; out is NULL or the Headers the
        // first call made.
        check(unsafe { rq_headers_build(s, batch.as_ptr(), n, total, &mut out) })?;
        if lines.peek().is_none() {
            return Ok(out);
        }
    }
}

/// Makes reason, encoding and Headers from `raw` (the response's own raw
/// head, or the head in the connection buffer when too long to keep), then
/// drops the raw head.
pub fn materialize(r: &mut rq_response_t, raw: &[u8]) -> PyResult<()> {
    if r.reason.is_null() {
        r.reason = make_reason(raw)?;
    }
    if r.encoding.is_null() {
        r.encoding = make_encoding(r, raw)?;
    }
    let mut storage = header_storage();
    let headers = match reparse(raw, &mut storage) {
        Some(head) => make_headers(session_of(r), &head)?,
        None => return Err(runtime_error!("response head lost")),
    };
    r.headers = headers;
    r.head_len = 0;
    Ok(())
}

fn field(r: &mut rq_response_t, which: u32) -> PyResult<Obj> {
    // A copy of the (immutable, GC-held) slice, so `r` can be written.
    let raw = raw_head(r).map(|b| (b.as_ptr(), b.len()));
    if let Some((p, len)) = raw {
        // SAFETY: the raw head block stays alive and unchanged while this
        // frame holds the response; materialize replaces only the pointer.
        let raw = unsafe { core::slice::from_raw_parts(p, len) };
        match which {
            RQ_FIELD_REASON if r.reason.is_null() => r.reason = make_reason(raw)?,
            RQ_FIELD_ENCODING if r.encoding.is_null() => r.encoding = make_encoding(r, raw)?,
            RQ_FIELD_HEADERS => materialize(r, raw)?,
            _ => {}
        }
    }
    Ok(match which {
        RQ_FIELD_REASON => r.reason,
        RQ_FIELD_ENCODING => r.encoding,
        _ => r.headers,
    })
}

/// See rq_ffi.h. Runs without the session's owner guard, as attribute
/// reads always have: it touches the response's own fields, and the
/// session's string cache only when no other thread holds the session.
///
/// # Safety
/// `r` points into a live Response object; `err` is a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn rq_response_field(
    r: *mut rq_response_t,
    which: i32,
    err: *mut rq_err_t,
) -> Obj {
    // SAFETY: as documented.
    let r = unsafe { &mut *r };
    match field(r, u32::try_from(which).unwrap_or(RQ_FIELD_HEADERS)) {
        Ok(o) => o,
        Err(e) => {
            // SAFETY: as documented.
            unsafe { *err = e.into_obj() };
            ptr::null_mut()
        }
    }
}

/// See rq_ffi.h.
///
/// # Safety
/// `r` points into a live Response object; `name` is a lower-case name of
/// `len` bytes followed by a NUL.
#[no_mangle]
pub unsafe extern "C" fn rq_response_has_header(
    r: *mut rq_response_t,
    name: *const core::ffi::c_char,
    len: usize,
) -> bool {
    // SAFETY: as documented.
    let (r, bytes) = unsafe { (&*r, core::slice::from_raw_parts(name.cast::<u8>(), len)) };
    header_of(r, bytes, name).is_some()
}
