//! `Response(sock, session=None, method="GET")`: the response to a request
//! the caller wrote on a socket of its own. Entry point called by
//! cmodule/response_type.c.

use super::body::supersede;
use super::buf::{ensure_buf, INITIAL_BUF};
use super::conn::Conn;
use super::ffi::*;
use super::head::{read_head, HeadRead};
use super::py::*;
use super::session::while_busy;
use crate::engine::retry::Failure;
use core::ptr;

fn adopt(s: &mut rq_session_t, session_obj: Obj, sock: Obj, is_head: bool) -> PyResult<Obj> {
    // Owned from here on: every error below closes the socket.
    let conn = Conn::adopted(sock);
    if !s.last_response.is_null() {
        let old = core::mem::replace(&mut s.last_response, ptr::null_mut());
        supersede(old)?;
    }
    ensure_buf(s, INITIAL_BUF)?;
    let x = HeadRead {
        session_obj,
        url_obj: ptr::null_mut(),
        read_timeout: none(),
        // The socket's own timeout applies; no request timeout was given.
        read_timeout_ms: -1,
        is_head,
    };
    let resp = read_head(s, &x, conn).map_err(|f| match f.kind {
        // Nothing to resend here: the request is the caller's, sent once.
        Failure::Closed if !f.answer_seen => {
            os_error(0, "Connection closed before the response head")
        }
        _ => f.exc,
    })?;
    s.last_response = resp;
    Ok(resp)
}

/// Reads the head from `sock` and returns the Response.
///
/// # Safety
/// `s` must point into the live Session object `session_obj`; `err` must be
/// a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn rq_response_from_socket(
    s: *mut rq_session_t,
    session_obj: Obj,
    sock: Obj,
    is_head: bool,
    err: *mut rq_err_t,
) -> Obj {
    // SAFETY: the C caller passes a valid pointer into a live Session.
    let s = unsafe { &mut *s };
    // SAFETY: err is a valid out-pointer (this function's contract).
    unsafe { while_busy(s, err, |s| adopt(s, session_obj, sock, is_head)) }
}
