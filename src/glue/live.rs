//! The connection a response reads from (`rq_conn_t`): its socket, its
//! buffer and the window of received bytes not yet used. Exactly one owner
//! at a time: an exchange while it runs, then its response, then the
//! session's idle list (or nobody, once closed).

use super::conn::close_sock;
use super::ffi::*;
use super::py::*;
use core::ptr;

/// Smallest connection buffer: room for a typical request head and response
/// head; it grows (up to the head limit) only when a head needs more.
pub const INITIAL_BUF: usize = 1024;

/// The buffer as a slice, with the unread window, borrowed together from
/// the connection: nothing can reallocate the buffer while they are used.
pub fn window(c: &mut rq_conn_t) -> (&mut [u8], &mut usize, &mut usize) {
    let buf: &mut [u8] = if c.buf.is_null() {
        &mut []
    } else {
        // SAFETY: buf points to buf_cap bytes allocated by rq_buf_alloc; the
        // block is referenced from this struct (GC memory), so it stays
        // alive, and it is only reallocated through `&mut c`, which this
        // borrow holds.
        unsafe { core::slice::from_raw_parts_mut(c.buf, c.buf_cap) }
    };
    (buf, &mut c.rstart, &mut c.rend)
}

/// The whole buffer (writing a request head).
pub fn buffer(c: &mut rq_conn_t) -> &mut [u8] {
    window(c).0
}

pub fn ensure_buf(c: &mut rq_conn_t, min: usize) -> PyResult<()> {
    if c.buf_cap >= min && !c.buf.is_null() {
        return Ok(());
    }
    let new_cap = min.max(INITIAL_BUF).max(c.buf_cap.saturating_mul(2));
    let mut p: *mut u8 = ptr::null_mut();
    if c.buf.is_null() {
        // SAFETY: valid out-pointer.
        check(unsafe { rq_buf_alloc(new_cap, &mut p) })?;
    } else {
        // SAFETY: c.buf came from rq_buf_alloc with c.buf_cap bytes.
        check(unsafe { rq_buf_realloc(c.buf, c.buf_cap, new_cap, &mut p) })?;
    }
    c.buf = p;
    c.buf_cap = new_cap;
    Ok(())
}

pub fn is_open(c: &rq_conn_t) -> bool {
    !c.sock.is_null()
}

/// Forgets the per-response state; the socket and the buffer stay.
pub fn reset_window(c: &mut rq_conn_t) {
    c.rstart = 0;
    c.rend = 0;
    c.trailers = 0;
    c.trailer_bytes = 0;
    c.draining = false;
    c.wait_since_ms = 0;
}

/// Closes the socket (if any) and forgets the per-response state.
pub fn close(c: &mut rq_conn_t) {
    let sock = core::mem::replace(&mut c.sock, ptr::null_mut());
    close_sock(sock);
    c.raw_sock = ptr::null_mut();
    c.sock_timeout = 0;
    reset_window(c);
}

/// A fresh connection state in a GC block of its own (AsyncSession: each
/// exchange has one, which its response keeps).
pub fn new_own(timeout_ms: i32) -> PyResult<*mut rq_conn_t> {
    let mut p: *mut u8 = ptr::null_mut();
    // SAFETY: valid out-pointer; the block is zeroed by the allocator shim.
    check(unsafe { rq_buf_alloc(core::mem::size_of::<rq_conn_t>(), &mut p) })?;
    let c = p.cast::<rq_conn_t>();
    // SAFETY: the block is large enough for rq_conn_t and GC blocks are
    // aligned for any of its fields; nothing else references it yet.
    unsafe {
        ptr::write(
            c,
            rq_conn_t {
                nonblocking: true,
                timeout_ms,
                ..rq_conn_t::default()
            },
        )
    };
    Ok(c)
}
