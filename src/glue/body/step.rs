//! A body read step for the caller: through the response's decompressor
//! when the body is compressed (`decoded`), else straight from `read`.
//! Apart from both so that neither imports the other.

use super::read::{poll_step_raw, polls, read_step_raw, readable_error};
use crate::glue::conn::Io;
use crate::glue::ffi::*;
use crate::glue::py::*;

/// One step of body reading: decoded bytes when the body is compressed
/// and the firmware decompresses it (see cmodule/decode.c), else raw ones.
pub fn read_step(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if r.decoded_gone {
        return decoded_gone(r);
    }
    if r.decoded.is_null() {
        read_step_raw(r, dst)
    } else {
        super::decoded::read_decoded(r, dst)
    }
}

/// After the decompressor was let go: the decoded body ended, or the
/// response was closed (and reads say why).
fn decoded_gone(r: &mut rq_response_t) -> PyResult<usize> {
    match readable_error(r) {
        Some(e) => Err(e),
        None => Ok(0),
    }
}

/// Reads until `dst` is full or the body ends.
pub fn read_full(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    let mut filled = 0usize;
    while filled < dst.len() {
        let n = read_step(r, dst.get_mut(filled..).unwrap_or(&mut []))?;
        if n == 0 {
            break;
        }
        filled = filled.saturating_add(n);
    }
    Ok(filled)
}

/// One step of body reading that says what to wait for instead of waiting
/// (an AsyncSession's readers); on a blocking connection it reads as
/// `read_step` does.
pub fn poll_step(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<Io<usize>> {
    if r.decoded_gone {
        return decoded_gone(r).map(Io::Done);
    }
    if r.decoded.is_null() {
        return poll_step_raw(r, dst);
    }
    // SAFETY: `ahead` is NULL or the response's read-ahead block
    // (decode.c), a GC block it references; nothing else borrows it now.
    let ahead = unsafe { r.ahead.as_ref() };
    if ahead.is_some_and(|a| !a.held_raw.is_null()) || !polls(r) {
        // Raw bytes in memory, or from a socket that blocks: nothing to
        // wait for here.
        return read_step(r, dst).map(Io::Done);
    }
    if ahead.is_none_or(|a| a.buf.is_null()) {
        return Err(not_implemented!(
            "AsyncSession: this compressed body was begun by a blocking reader; finish it with one",
        ));
    }
    super::decoded::poll_decoded(r, dst)
}
