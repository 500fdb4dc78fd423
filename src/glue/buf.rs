//! The session's reusable I/O buffer: every request head is written and
//! every response head and body is received there.

use super::ffi::*;
use super::py::*;
use core::ptr;

/// Smallest session buffer: room for a typical request head and response
/// head; it grows (up to the head limit) only when a head needs more.
pub const INITIAL_BUF: usize = 1024;

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
