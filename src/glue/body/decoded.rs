//! Compressed bodies (`Content-Encoding: gzip`/`deflate`): every body
//! accessor reads through the firmware's own decompressor (a
//! `deflate.DeflateIO` that cmodule/decode.c puts over the raw body), so the
//! compressed body is never held; the decompressor pulls raw bytes back
//! through `rq_response_read_raw`.

use super::close::end_of_body;
use super::read::{abandon, readable_error};
use crate::glue::ffi::*;
use crate::glue::py::*;

/// Decoded bytes into `dst`; Ok(0) only at the end of the compressed stream,
/// when whatever follows it in the body is drained so the connection can be
/// reused.
pub fn read_decoded(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if let Some(e) = readable_error(r) {
        return Err(e);
    }
    if dst.is_empty() {
        return Ok(0);
    }
    let decoder = r.decoded;
    let mut got = 0usize;
    // SAFETY: decoder is the response's DeflateIO and dst is valid for the
    // call. The decompressor calls back into rq_response_read_raw for the
    // same response; nothing here touches `r` until the shim returns.
    let res = check(unsafe { rq_decoded_readinto(decoder, dst.as_mut_ptr(), dst.len(), &mut got) });
    match res {
        Err(e) => {
            abandon(r);
            Err(e)
        }
        Ok(()) => {
            if got == 0 {
                end_of_body(r)?;
            }
            Ok(got.min(dst.len()))
        }
    }
}
