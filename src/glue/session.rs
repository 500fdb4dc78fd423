//! The blocking driver: Session.request runs an exchange to the end on the
//! Session's own connection slot, and the Session's close and finaliser.
//! Entry points called by cmodule/session_type.c.

use super::body::{close_for_session, drop_for_finaliser, supersede};
use super::conn::{self, Io};
use super::exchange::Exchange;
use super::ffi::*;
use super::owner::Owned;
use super::py::*;
use super::sessionref::SessionRef;
use crate::engine::timeout;
use core::ptr;

/// Closes the live response of a blocking Session (a newer request or
/// Response(sock) supersedes it), so the `live` slot is free.
pub fn supersede_live(s: &mut SessionRef) -> PyResult<()> {
    let old = s.last_response();
    if old.is_null() {
        return Ok(());
    }
    s.set_last_response(ptr::null_mut());
    supersede(old)
}

fn request(s: &mut SessionRef, a: &rq_request_args_t) -> PyResult<Obj> {
    supersede_live(s)?;
    let mut x = core::mem::MaybeUninit::<Exchange>::uninit();
    // SAFETY: `s` is the state of the live Session object the C caller
    // holds; begin_into writes the exchange in place (no copy of it).
    let x = unsafe { Exchange::begin_into(&mut x, s.raw(), s.obj(), a) }?;
    loop {
        match x.poll()? {
            Io::Done(resp) => {
                s.set_last_response(resp);
                return Ok(resp);
            }
            // Only a TLS handshake on the firmware's own sockets asks to
            // wait (its steps are non-blocking); the wait is bounded by
            // what is left of the connect budget, so a handshake that
            // trickles ends there as one that stalls does.
            Io::Wait(w) => {
                let waited = match timeout::until(x.deadline(), ticks_ms()).wait_ms() {
                    Some(ms) => conn::wait(w, ms),
                    None => Err(timeout_error()),
                };
                if let Err(e) = waited {
                    x.abort();
                    return Err(e);
                }
            }
        }
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
    let (mut s, a) = unsafe { (SessionRef::from_parts(s, session_obj), &*args) };
    // SAFETY: err is a valid out-pointer (this function's contract).
    unsafe { while_busy(&mut s, err, |s| request(s, a)) }
}

/// Runs `f` holding the session (see owner.rs): another thread waits its
/// turn, a call back into it from this thread is refused; returns its
/// object, or NULL with the exception in `*err`.
///
/// # Safety
/// `err` must be a valid out-pointer.
pub unsafe fn while_busy(
    s: &mut SessionRef,
    err: *mut rq_err_t,
    f: impl FnOnce(&mut SessionRef) -> PyResult<Obj>,
) -> Obj {
    // SAFETY: `s` is the state of the live object the C caller holds.
    let result = unsafe { Owned::take(s.raw()) }.and_then(|_held| f(s));
    match result {
        Ok(o) => o,
        Err(e) => {
            // SAFETY: err is a valid out-pointer (the caller's contract).
            unsafe { *err = e.into_obj() };
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
    // SAFETY: as documented; the object itself is not needed here.
    let mut s = unsafe { SessionRef::from_parts(s, ptr::null_mut()) };
    // SAFETY: as documented.
    let _held = match unsafe { Owned::take(s.raw()) } {
        Ok(h) => h,
        Err(e) => return e.into_obj(),
    };
    let mut err = ptr::null_mut();
    let old = s.last_response();
    if !old.is_null() {
        s.set_last_response(ptr::null_mut());
        if let Err(e) = close_for_session(old) {
            err = e.into_obj();
        }
    }
    conn::close_all_idle(s.idle());
    s.set_closed(true);
    err
}

/// The finaliser: a Session freed without close(). It runs inside a
/// collection, where nothing may allocate or wait, so sockets are closed
/// without draining.
///
/// Nothing else can hold the session then: an object being freed is
/// reachable from no thread.
///
/// # Safety
/// `s` must point into the Session object being finalised.
#[no_mangle]
pub unsafe extern "C" fn rq_session_finalise(s: *mut rq_session_t) {
    // SAFETY: as documented.
    let mut s = unsafe { SessionRef::from_parts(s, ptr::null_mut()) };
    let old = s.last_response();
    if !old.is_null() {
        s.set_last_response(ptr::null_mut());
        drop_for_finaliser(old);
    }
    conn::close_all_idle(s.idle());
    s.set_closed(true);
}
