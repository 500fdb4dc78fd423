//! The asyncio driver's entry points (AsyncSession, cmodule/async_*.c):
//! the same exchange as Session.request, polled; and body reads that say
//! what to wait for instead of waiting.

use super::body::{poll_step, wait_deadline};
use super::conn::Io;
use super::exchange::{wait_sock, Exchange};
use super::ffi::*;
use super::owner::Owned;
use super::py::*;
use core::mem::MaybeUninit;
use core::ptr;

const _: () = assert!(
    core::mem::size_of::<Exchange>() <= core::mem::size_of::<[u64; RQ_EXCHANGE_WORDS as usize]>()
        && core::mem::align_of::<Exchange>() <= core::mem::align_of::<u64>()
);

/// The exchange inside the awaitable's storage.
///
/// # Safety
/// `x` is valid and `rq_exchange_begin` succeeded on it.
unsafe fn exchange<'a>(x: *mut rq_exchange_t) -> &'a mut Exchange {
    // SAFETY: as documented; the storage is large and aligned enough
    // (asserted above) and holds the Exchange `begin_into` wrote.
    unsafe { &mut *(*x).state.as_mut_ptr().cast::<Exchange>() }
}

fn poll_result(res: PyResult<Io<Obj>>, out: *mut Obj, wait_on: *mut Obj) -> rq_poll_t {
    let (kind, o) = match res {
        Ok(Io::Done(resp)) => (rq_poll_t::RQ_POLL_READY, resp),
        Ok(Io::Wait(w)) => {
            let (kind, sock) = wait_sock(w);
            // SAFETY: wait_on is a valid out-pointer (the callers' contract).
            unsafe { *wait_on = sock };
            return kind;
        }
        Err(e) => (rq_poll_t::RQ_POLL_ERROR, e.into_obj()),
    };
    // SAFETY: out is a valid out-pointer (the callers' contract).
    unsafe { *out = o };
    kind
}

/// # Safety
/// `x` points to writable storage inside a GC object; `s` is the state of
/// the live AsyncSession `session_obj`, which the awaitable references;
/// `args` is valid for the call.
#[no_mangle]
pub unsafe extern "C" fn rq_exchange_begin(
    x: *mut rq_exchange_t,
    s: *mut rq_session_t,
    session_obj: Obj,
    args: *const rq_request_args_t,
) -> rq_err_t {
    // Only AsyncSessions come here: their connections never block.
    // SAFETY: as documented; one field written through the raw pointer.
    unsafe { (*s).nonblocking = true };
    // SAFETY: as documented.
    let held = match unsafe { Owned::take(s) } {
        Ok(h) => h,
        Err(e) => return e.into_obj(),
    };
    // SAFETY: as documented; the storage fits an Exchange (asserted above)
    // and is only read as one once this succeeded.
    let res = unsafe {
        let slot = &mut *(*x).state.as_mut_ptr().cast::<MaybeUninit<Exchange>>();
        Exchange::begin_into(slot, s, session_obj, &*args).map(|_| ())
    };
    drop(held);
    res.err().map_or(ptr::null_mut(), |e| e.into_obj())
}

/// # Safety
/// `x` was set up by `rq_exchange_begin`; out-pointers are valid.
#[no_mangle]
pub unsafe extern "C" fn rq_exchange_poll(
    x: *mut rq_exchange_t,
    out: *mut Obj,
    wait_on: *mut Obj,
) -> rq_poll_t {
    // SAFETY: as documented.
    let ex = unsafe { exchange(x) };
    // SAFETY: the exchange's session is alive (the awaitable references it).
    let res = unsafe { Owned::take(ex.session_state()) }.and_then(|_held| ex.poll());
    poll_result(res, out, wait_on)
}

/// # Safety
/// As `rq_exchange_poll`.
#[no_mangle]
pub unsafe extern "C" fn rq_exchange_deadline(x: *const rq_exchange_t, ticks: *mut u32) -> bool {
    // SAFETY: as documented; only read.
    let ex = unsafe { &*(*x).state.as_ptr().cast::<Exchange>() };
    match ex.deadline() {
        Some(t) => {
            // SAFETY: valid out-pointer.
            unsafe { *ticks = t };
            true
        }
        None => false,
    }
}

/// # Safety
/// As `rq_exchange_poll`.
#[no_mangle]
pub unsafe extern "C" fn rq_exchange_abort(x: *mut rq_exchange_t) {
    // SAFETY: as documented.
    let ex = unsafe { exchange(x) };
    // Refused only when this thread already works on the session: aborting
    // from there would pull its state from under it; the connection is then
    // closed by the exchange's own error path or the session's close.
    // SAFETY: the exchange's session is alive (the awaitable references it).
    if let Ok(_held) = unsafe { Owned::take(ex.session_state()) } {
        ex.abort();
    }
}

/// # Safety
/// `r` points into a live Response object; `buf` is valid for `len` bytes;
/// out-pointers are valid.
#[no_mangle]
pub unsafe extern "C" fn rq_response_poll_read(
    r: *mut rq_response_t,
    buf: *mut u8,
    len: usize,
    got: *mut usize,
    wait_on: *mut Obj,
    err: *mut rq_err_t,
) -> rq_poll_t {
    // SAFETY: as documented.
    let _held = match unsafe { Owned::of_response(r) } {
        Ok(h) => h,
        Err(e) => {
            // SAFETY: valid out-pointer.
            unsafe { *err = e.into_obj() };
            return rq_poll_t::RQ_POLL_ERROR;
        }
    };
    // SAFETY: as documented; the hold makes this the only borrow.
    let (r, dst) = unsafe { (&mut *r, core::slice::from_raw_parts_mut(buf, len)) };
    match poll_step(r, dst) {
        Ok(Io::Done(n)) => {
            // SAFETY: valid out-pointer.
            unsafe { *got = n };
            rq_poll_t::RQ_POLL_READY
        }
        Ok(Io::Wait(w)) => {
            let (kind, sock) = wait_sock(w);
            // SAFETY: valid out-pointer.
            unsafe { *wait_on = sock };
            kind
        }
        Err(e) => {
            // SAFETY: valid out-pointer.
            unsafe { *err = e.into_obj() };
            rq_poll_t::RQ_POLL_ERROR
        }
    }
}

/// # Safety
/// `r` points into a live Response object; `ticks` is valid.
#[no_mangle]
pub unsafe extern "C" fn rq_response_deadline(r: *mut rq_response_t, ticks: *mut u32) -> bool {
    // SAFETY: as documented.
    match wait_deadline(unsafe { &*r }) {
        Some(t) => {
            // SAFETY: valid out-pointer.
            unsafe { *ticks = t };
            true
        }
        None => false,
    }
}
