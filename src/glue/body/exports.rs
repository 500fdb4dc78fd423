//! Entry points of the Response type, called by cmodule/response_type.c
//! with exceptions handed back in `*err`.

use super::close::{close_response, close_response_as, fail_response};
use super::content::{content, next_chunk, next_line};
use super::read::{decoder, is_finished, read_step_raw, readable_error};
use super::step::read_step;
use crate::engine::body::Need;
use crate::glue::ffi::*;
use crate::glue::owner::{require_held, Owned};
use crate::glue::py::*;
use core::ptr;

fn set_err<T>(res: PyResult<T>, err: *mut rq_err_t, fail: T) -> T {
    match res {
        Ok(v) => v,
        Err(e) => {
            // SAFETY: err is a valid out-pointer from the C caller.
            unsafe { *err = e.into_obj() };
            fail
        }
    }
}

fn opt_obj(res: PyResult<Option<Obj>>, err: *mut rq_err_t) -> Obj {
    set_err(
        res.map(|o| o.unwrap_or(ptr::null_mut())),
        err,
        ptr::null_mut(),
    )
}

/// # Safety
/// `r` points into a live Response object; `buf` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rq_response_readinto(
    r: *mut rq_response_t,
    buf: *mut u8,
    len: usize,
    err: *mut rq_err_t,
) -> isize {
    // SAFETY: as documented.
    let res = unsafe { Owned::of_response(r) }.and_then(|_held| {
        // SAFETY: as documented; the hold makes this the only borrow.
        let (r, dst) = unsafe { (&mut *r, core::slice::from_raw_parts_mut(buf, len)) };
        read_step(r, dst)
    });
    set_err(res.map(|n| n as isize), err, -1)
}

/// # Safety
/// As rq_response_readinto.
#[no_mangle]
pub unsafe extern "C" fn rq_response_read_raw(
    r: *mut rq_response_t,
    buf: *mut u8,
    len: usize,
    err: *mut rq_err_t,
) -> isize {
    // The decoder reads here from inside the body read that called it,
    // which holds the session already.
    // SAFETY: as documented.
    let res = unsafe { require_held(r) }.and_then(|()| {
        // SAFETY: as documented.
        let (r, dst) = unsafe { (&mut *r, core::slice::from_raw_parts_mut(buf, len)) };
        read_step_raw(r, dst)
    });
    set_err(res.map(|n| n as isize), err, -1)
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_content(r: *mut rq_response_t, err: *mut rq_err_t) -> Obj {
    // SAFETY: as documented; the hold makes this the only borrow.
    let res = unsafe { Owned::of_response(r) }.and_then(|_held| content(unsafe { &mut *r }));
    set_err(res, err, ptr::null_mut())
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_next_chunk(
    r: *mut rq_response_t,
    size: usize,
    decode: bool,
    err: *mut rq_err_t,
) -> Obj {
    // SAFETY: as documented; the hold makes this the only borrow.
    let res = unsafe { Owned::of_response(r) }
        .and_then(|_held| next_chunk(unsafe { &mut *r }, size, decode));
    opt_obj(res, err)
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_next_line(
    r: *mut rq_response_t,
    size: usize,
    decode: bool,
    err: *mut rq_err_t,
) -> Obj {
    // SAFETY: as documented; the hold makes this the only borrow.
    let res = unsafe { Owned::of_response(r) }
        .and_then(|_held| next_line(unsafe { &mut *r }, size, decode));
    opt_obj(res, err)
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_close(r: *mut rq_response_t) -> rq_err_t {
    // Closing a finished response changes nothing: not worth holding the
    // session for (a keep-alive loop closes every response it read).
    // SAFETY: as documented; fields are only read.
    if is_finished(unsafe { &*r }) {
        return ptr::null_mut();
    }
    // SAFETY: as documented; the hold makes this the only borrow.
    unsafe { Owned::of_response(r) }
        .and_then(|_held| close_response(unsafe { &mut *r }))
        .err()
        .map_or(ptr::null_mut(), |e| e.into_obj())
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_close_as(r: *mut rq_response_t, why: u8) -> rq_err_t {
    // SAFETY: as documented; the hold makes this the only borrow.
    let res = unsafe { Owned::of_response(r) }.and_then(|_held| {
        // SAFETY: as above.
        let r = unsafe { &mut *r };
        if u32::from(why) == RQ_CLOSED_FAILED {
            fail_response(r);
            Ok(())
        } else {
            close_response_as(r, u32::from(why))
        }
    });
    res.err().map_or(ptr::null_mut(), |e| e.into_obj())
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_check_readable(r: *mut rq_response_t) -> rq_err_t {
    // SAFETY: as documented; the hold makes this the only borrow.
    match unsafe { Owned::of_response(r) } {
        // SAFETY: as above.
        Ok(_held) => readable_error(unsafe { &mut *r }),
        Err(e) => Some(e),
    }
    .map_or(ptr::null_mut(), |e| e.into_obj())
}

/// Bodies up to this size are read whole by json(), so that content and text
/// stay available after it; larger ones are parsed from the socket.
const JSON_KEEP_MAX: u64 = 16 * 1024;

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_body_is_small(r: *mut rq_response_t) -> bool {
    // SAFETY: as documented; the hold makes this the only borrow (refused:
    // not small, and the streamed read that follows raises).
    let Ok(_held) = (unsafe { Owned::of_response(r) }) else {
        return false;
    };
    // SAFETY: as above.
    let r = unsafe { &mut *r };
    match decoder(r).need() {
        // The decoded length is unknown until it is decoded.
        _ if !r.decoded.is_null() || r.decoded_gone => false,
        Need::Done => true,
        Need::Data(k) => r.framing == RQ_FRAMING_LENGTH as u8 && k <= JSON_KEEP_MAX,
        Need::Framing => false,
    }
}
