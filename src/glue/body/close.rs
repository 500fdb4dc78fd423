//! Closing a response: a small unread remainder is drained (bounded in
//! bytes and time) so the connection can be reused; why it was closed is
//! marked first, for every reader to see.

use super::read::{
    abandon, conn_of, decoder, fail, finish, has_conn, read_step_unchecked, release_decoder,
};
use crate::engine::body::Need;
use crate::engine::reuse::{worth_draining, DRAIN_MAX_BYTES};
use crate::glue::conn::Io;
use crate::glue::ffi::*;
use crate::glue::live;
use crate::glue::py::*;
use core::ptr;

/// Closes the response; a small unread remainder is drained so that the
/// connection can serve the next request, within DRAIN_WAIT_MS of waiting
/// in all (a non-blocking connection drains only what arrived already). A
/// failing or slow drain just closes the connection, except that a
/// KeyboardInterrupt (or SystemExit) during it is handed back for the
/// caller to raise, after the socket was closed. `why` is marked first, so
/// a reader in another thread never takes the drained body for its end.
pub fn close_response_as(r: &mut rq_response_t, why: u32) -> PyResult<()> {
    // A decompressor still in place has not handed out the end of the
    // decoded body (read_decoded lets it go there).
    let incomplete = !decoder(r).is_done() || !r.decoded.is_null();
    if r.closed_why == RQ_CLOSED_NONE as u8 && (why != RQ_CLOSED_BY_CALLER || incomplete) {
        r.closed_why = u8::try_from(why).unwrap_or(u8::MAX);
    }
    release_decoder(r);
    // SAFETY: used only before the drain below reads (which borrows anew).
    let Some(c) = (unsafe { conn_of(r) }).filter(|c| live::is_open(c)) else {
        r.conn = ptr::null_mut();
        return Ok(());
    };
    let remaining = match decoder(r).need() {
        Need::Done => Some(0),
        Need::Data(k) if r.framing == RQ_FRAMING_LENGTH as u8 => Some(k),
        // A chunked rest is unknown; the byte and time budgets bound it.
        _ if r.framing == RQ_FRAMING_CHUNKED as u8 => Some(0),
        _ => None,
    };
    if worth_draining(r.keep_alive, remaining) {
        c.draining = true;
        c.drain_start_ms = ticks_ms();
        let mut sink = [0u8; 256];
        let mut budget = DRAIN_MAX_BYTES;
        let mut interrupt = None;
        while has_conn(r) && budget > 0 {
            match read_step_unchecked(r, &mut sink) {
                Ok(Io::Done(0)) | Ok(Io::Wait(_)) => break,
                Ok(Io::Done(n)) => budget = budget.saturating_sub(n as u64),
                Err(e) if e.is_interrupt() => {
                    interrupt = Some(e);
                    break;
                }
                Err(_) => break,
            }
        }
        // SAFETY: a momentary borrow after the drain's reads.
        if let Some(c) = unsafe { conn_of(r) } {
            c.draining = false;
        }
        if let Some(e) = interrupt {
            abandon(r);
            return Err(e);
        }
        if decoder(r).is_done() {
            // SAFETY: finish hands the connection back as its last use.
            if let Some(c) = unsafe { conn_of(r) } {
                finish(r, c);
            }
            r.conn = ptr::null_mut();
            return Ok(());
        }
    }
    abandon(r);
    Ok(())
}

/// A reader failed (a timeout, a reset, malformed data): the connection is
/// closed at once, never drained for reuse, and later reads say why.
pub fn fail_response(r: &mut rq_response_t) {
    fail(r);
    release_decoder(r);
}

/// The caller has the whole body (a decompressed stream ended): what
/// follows it on the connection is drained for reuse, and nothing is
/// marked, since nothing the caller asked for was lost.
pub fn end_of_body(r: &mut rq_response_t) -> PyResult<()> {
    close_response_as(r, RQ_CLOSED_NONE)
}

/// Closed by the caller (`close()`, a context manager, a redirect hop).
pub fn close_response(r: &mut rq_response_t) -> PyResult<()> {
    close_response_as(r, RQ_CLOSED_BY_CALLER)
}

/// A newer request on the same session closes this response.
pub fn supersede(resp: Obj) -> PyResult<()> {
    // SAFETY: resp is a Response object the session kept alive.
    let r = unsafe { &mut *rq_response_state(resp) };
    close_response_as(r, RQ_CLOSED_SUPERSEDED)
}

/// Session.close closes its live response.
pub fn close_for_session(resp: Obj) -> PyResult<()> {
    // SAFETY: as above.
    let r = unsafe { &mut *rq_response_state(resp) };
    close_response_as(r, RQ_CLOSED_SESSION)
}

/// The finaliser of a Session: closes its live response's socket without
/// draining (nothing may wait or allocate inside a collection).
pub fn drop_for_finaliser(resp: Obj) {
    // SAFETY: the response object is unreachable but not yet freed: the
    // collector runs every finaliser before it frees any block.
    abandon(unsafe { &mut *rq_response_state(resp) });
}
