//! Compressed bodies (`Content-Encoding: gzip`/`deflate`): every body
//! accessor reads through the firmware's own decompressor (a
//! `deflate.DeflateIO` that cmodule/decode.c puts over the raw body), so the
//! compressed body is never held; the decompressor pulls raw bytes back
//! through `rq_response_read_raw`.

use super::close::end_of_body;
use super::read::{abandon, poll_step_raw, readable_error, release_decoder};
use crate::glue::conn::Io;
use crate::glue::ffi::*;
use crate::glue::py::*;

/// An AsyncSession's compressed body is decoded only while at least this
/// many raw bytes are read ahead (or the raw body ended), and at most
/// `POLL_OUT` decoded bytes at a time: the decompressor pulls its input
/// synchronously, so it must never reach past what arrived. A deflate
/// block header takes at most about 570 bytes and a decoded byte at most
/// 15 bits, so 256 bytes out never need more than about 1.1 KB in.
const AHEAD_LOW: usize = 1536;
const POLL_OUT: usize = 256;
const _: () = assert!(AHEAD_LOW < RQ_AHEAD_CAP as usize);

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
            if r.closed_why == RQ_CLOSED_NONE as u8 {
                r.closed_why = RQ_CLOSED_FAILED as u8;
            }
            abandon(r);
            release_decoder(r);
            Err(e)
        }
        Ok(()) => {
            if got == 0 {
                release_decoder(r);
                end_of_body(r)?;
            }
            Ok(got.min(dst.len()))
        }
    }
}

/// Decoded bytes without waiting (an AsyncSession's reader): raw bytes are
/// read ahead into `r.ahead` until AHEAD_LOW are there or the raw body
/// ended, then at most POLL_OUT bytes are decoded from them.
pub fn poll_decoded(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<Io<usize>> {
    if let Some(e) = readable_error(r) {
        return Err(e);
    }
    let cap = RQ_AHEAD_CAP as usize;
    let ahead_block = r.ahead;
    // SAFETY: `ahead` is NULL or the response's read-ahead block, a GC
    // block it references (decode.c); the raw read below does not touch it,
    // so this borrow is the only one.
    while let Some(a) = unsafe { ahead_block.as_mut() } {
        let (start, end) = (usize::from(a.start), usize::from(a.end));
        if a.ended || end.saturating_sub(start) >= AHEAD_LOW || a.buf.is_null() {
            break;
        }
        // SAFETY: `buf` is a GC block of RQ_AHEAD_CAP bytes that the
        // read-ahead block references (decode.c); nothing else borrows it.
        let buf = unsafe { core::slice::from_raw_parts_mut(a.buf, cap) };
        let end = if start > 0 {
            buf.copy_within(start.min(end)..end.min(cap), 0);
            end.saturating_sub(start)
        } else {
            end
        };
        a.start = 0;
        a.end = u16::try_from(end).unwrap_or(0);
        let free = buf.get_mut(end..).unwrap_or(&mut []);
        match poll_step_raw(r, free)? {
            Io::Wait(w) => return Ok(Io::Wait(w)),
            Io::Done(0) => a.ended = true,
            Io::Done(n) => {
                a.end = u16::try_from(end.saturating_add(n).min(cap)).unwrap_or(0);
            }
        }
    }
    let n = dst.len().min(POLL_OUT);
    read_decoded(r, dst.get_mut(..n).unwrap_or(&mut [])).map(Io::Done)
}
