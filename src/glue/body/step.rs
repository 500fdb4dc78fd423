//! A body read step for the caller: through the response's decompressor
//! when the body is compressed (`decoded`), else straight from `read`.
//! Apart from both so that neither imports the other.

use super::read::read_step_raw;
use crate::glue::ffi::*;
use crate::glue::py::*;

/// One step of body reading: decoded bytes when the body is compressed
/// and the firmware decompresses it (see cmodule/decode.c), else raw ones.
pub fn read_step(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if r.decoded.is_null() {
        read_step_raw(r, dst)
    } else {
        super::decoded::read_decoded(r, dst)
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
