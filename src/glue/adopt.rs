//! `Response(sock, session=None, method="GET")`: the response to a request
//! the caller wrote on a socket of its own. Entry point called by
//! cmodule/response_type.c.

use super::conn::{self, Io};
use super::ffi::*;
use super::head::{HeadRead, HeadReader};
use super::live::{self, INITIAL_BUF};
use super::py::*;
use super::session::{supersede_live, while_busy};
use super::sessionref::SessionRef;
use crate::engine::retry::Failure;
use core::ptr;

fn adopt(s: &mut SessionRef, sock: Obj, is_head: bool) -> PyResult<Obj> {
    // The socket is owned from here on: every error below closes it.
    if let Err(e) = supersede_live(s) {
        conn::close_sock(sock);
        return Err(e);
    }
    let conn = s.live();
    // SAFETY: the `live` slot of a blocking Session, free now that its
    // response was superseded; borrowed here until the Response takes it.
    let c = unsafe { &mut *conn };
    // No keep-alive key (host NULL): it is never reused.
    c.sock = sock;
    c.raw_sock = sock;
    c.host = ptr::null_mut();
    c.nonblocking = false;
    live::reset_window(c);
    if let Err(e) = live::ensure_buf(c, INITIAL_BUF) {
        live::close(c);
        return Err(e);
    }
    let x = HeadRead {
        url_obj: ptr::null_mut(),
        read_timeout: none(),
        // The socket's own timeout applies; no request timeout was given.
        read_timeout_ms: -1,
        is_head,
    };
    let mut reader = HeadReader::new(-1);
    let resp = match reader.poll(s, &x, conn) {
        Ok(Io::Done(resp)) => resp,
        Ok(Io::Wait(_)) => {
            // SAFETY: as above.
            live::close(unsafe { &mut *conn });
            return Err(runtime_error!("the socket would block"));
        }
        Err(f) => {
            // SAFETY: as above.
            live::close(unsafe { &mut *conn });
            // Nothing to resend here: the request is the caller's, sent once.
            return Err(match f.kind {
                Failure::Closed if !f.answer_seen => {
                    os_error!("Connection closed before the response head")
                }
                _ => f.exc,
            });
        }
    };
    s.set_last_response(resp);
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
    let mut s = unsafe { SessionRef::from_parts(s, session_obj) };
    // SAFETY: err is a valid out-pointer (this function's contract).
    unsafe { while_busy(&mut s, err, |s| adopt(s, sock, is_head)) }
}
