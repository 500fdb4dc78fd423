//! Reading a response body: the read loop over the engine's body decoder,
//! and handing the connection back at the end of the body.
//!
//! A response owns its connection (`r.conn`) until the body ends or it is
//! closed; then `r.conn` is NULL. The connection is separate memory (the
//! Session's `live` slot or an AsyncSession exchange's own block), so the
//! response and its connection are borrowed side by side.

use crate::engine::body::{BodyDecoder, BodyError, Need};
use crate::engine::response::Framing;
use crate::engine::reuse::DRAIN_WAIT_MS;
use crate::engine::timeout::remaining_ms;
use crate::engine::trailer;
use crate::engine::writer::compact;
use crate::glue::conn::{self, Io};
use crate::glue::ffi::*;
use crate::glue::head_lazy;
use crate::glue::live;
use crate::glue::py::*;
use crate::glue::sessionref::SessionRef;
use core::ptr;

/// Reads smaller than this refill the connection buffer instead of asking
/// the socket for a few bytes at a time (json.load reads one byte per call).
const SMALL_READ: usize = 512;

const _: () = assert!(
    core::mem::size_of::<BodyDecoder>() <= core::mem::size_of::<[u64; RQ_DECODER_WORDS as usize]>()
        && core::mem::align_of::<BodyDecoder>() <= core::mem::align_of::<u64>()
);

pub fn decoder_init(r: &mut rq_response_t, framing: Framing) {
    // SAFETY: the storage is large and aligned enough (asserted above) and
    // BodyDecoder is plain data without Drop.
    unsafe {
        ptr::write(
            r.decoder.as_mut_ptr().cast::<BodyDecoder>(),
            BodyDecoder::new(framing),
        )
    };
}

/// The body was read to the end and the connection let go: closing has
/// nothing left to do (both states are final once reached).
pub fn is_finished(r: &rq_response_t) -> bool {
    // SAFETY: as in `decoder`; only read.
    let d = unsafe { &*r.decoder.as_ptr().cast::<BodyDecoder>() };
    r.conn.is_null() && r.fast_taken == 0 && d.is_done()
}

pub fn decoder(r: &mut rq_response_t) -> &mut BodyDecoder {
    let taken = core::mem::take(&mut r.fast_taken);
    // SAFETY: decoder_init wrote a BodyDecoder there before the response was
    // handed to anyone (build_response calls it first).
    let d = unsafe { &mut *r.decoder.as_mut_ptr().cast::<BodyDecoder>() };
    if taken > 0 {
        // Bytes the C stream read took from the fast window.
        d.data_consumed(taken as usize);
    }
    d
}

/// The response's connection, while it owns one: separate memory from `r`
/// (see the module note), so both are borrowed side by side.
///
/// # Safety
/// The caller uses the borrow only while `r` is alive and owns the
/// connection (it ends where `finish`/`abandon` hand it back), and holds no
/// other borrow of it meanwhile.
pub(super) unsafe fn conn_of<'c>(r: &rq_response_t) -> Option<&'c mut rq_conn_t> {
    if r.conn.is_null() {
        return None;
    }
    // SAFETY: r.conn is the connection this response owns: the Session's
    // `live` slot (kept alive by r.session) or a GC block r.conn references;
    // exclusivity is the caller's contract.
    Some(unsafe { &mut *r.conn })
}

/// Whether the response reads from an open non-blocking connection (an
/// AsyncSession's), which says what to wait for instead of waiting.
pub fn polls(r: &rq_response_t) -> bool {
    // SAFETY: a momentary look at the owned connection.
    unsafe { conn_of(r) }.is_some_and(|c| c.nonblocking && live::is_open(c))
}

/// Whether the response still has its connection open.
pub fn has_conn(r: &rq_response_t) -> bool {
    // SAFETY: a momentary look at the owned connection.
    unsafe { conn_of(r) }.is_some_and(|c| live::is_open(c))
}

fn session(r: &rq_response_t) -> SessionRef {
    // SAFETY: r.session is the (Async)Session that made this response; the
    // response references it, so it is alive.
    unsafe { SessionRef::of(r.session) }
}

/// The body is complete: the connection goes back to the session's idle
/// list when the server allows reuse and nothing unexpected follows it.
pub(super) fn finish(r: &mut rq_response_t, c: &mut rq_conn_t) {
    r.fast_avail = 0;
    r.conn = ptr::null_mut();
    if !live::is_open(c) {
        return;
    }
    if r.keep_alive && c.rend == c.rstart {
        let mut s = session(r);
        let closed = s.closed();
        conn::put_idle(s.idle(), closed, c);
    }
    live::close(c);
}

/// The decoded stream ended or the response closed: the decompressor (its
/// 32 KiB window) and the read-ahead buffer are let go at once, so that a
/// response kept in a variable holds none of it.
pub fn release_decoder(r: &mut rq_response_t) {
    if !r.decoded.is_null() {
        r.decoded_gone = true;
    }
    r.decoded = ptr::null_mut();
    r.ahead = ptr::null_mut();
}

/// Closes the connection (a broken or abandoned body).
pub fn abandon(r: &mut rq_response_t) {
    r.fast_avail = 0;
    // SAFETY: the borrow ends here, with the connection handed back.
    if let Some(c) = unsafe { conn_of(r) } {
        live::close(c);
    }
    r.conn = ptr::null_mut();
}

/// A read of the body failed (timeout, reset, malformed framing, a pool's
/// error): the connection is closed at once, never drained for reuse, and
/// later reads say why the body ended.
pub fn fail(r: &mut rq_response_t) {
    if r.closed_why == RQ_CLOSED_NONE as u8 && (!decoder(r).is_done() || !r.decoded.is_null()) {
        r.closed_why = RQ_CLOSED_FAILED as u8;
    }
    abandon(r);
}

/// Why reading this response cannot go on, if it cannot: a response closed
/// before the caller had its whole body never looks complete.
pub fn readable_error(r: &mut rq_response_t) -> Option<Exc> {
    if !r.cached.is_null() {
        return None;
    }
    let why = u32::from(r.closed_why);
    if why == RQ_CLOSED_SUPERSEDED {
        return Some(runtime_error!(
            "Newer Response closed this one. Use Responses immediately.",
        ));
    }
    if why == RQ_CLOSED_SESSION {
        return Some(runtime_error!(
            "The Session was closed, and this Response with it",
        ));
    }
    if why == RQ_CLOSED_FAILED {
        return Some(runtime_error!(
            "Response was closed when a read of its body failed",
        ));
    }
    if why == RQ_CLOSED_BY_CALLER {
        return Some(runtime_error!(
            "Response was closed before its body was read to the end",
        ));
    }
    if !has_conn(r) && !decoder(r).is_done() {
        return Some(runtime_error!(
            "Response connection was closed before the end of its body",
        ));
    }
    None
}

/// Before a receive for the body: while a close drains the rest, every
/// wait is cut to what is left of the drain's budget.
fn before_recv(c: &mut rq_conn_t) -> PyResult<()> {
    if c.draining && !c.nonblocking {
        let elapsed = ticks_ms().wrapping_sub(c.drain_start_ms);
        let Some(left) = remaining_ms(elapsed, DRAIN_WAIT_MS) else {
            return Err(timeout_error());
        };
        conn::settimeout_ms(c, i32::try_from(left).unwrap_or(i32::MAX))?;
    }
    Ok(())
}

/// After a receive: a non-blocking connection that waited longer than its
/// timeout for the next bytes fails with it.
fn after_recv(c: &mut rq_conn_t, got: Io<usize>) -> PyResult<Io<usize>> {
    match got {
        Io::Done(n) => {
            c.wait_since_ms = 0;
            Ok(Io::Done(n))
        }
        Io::Wait(w) => {
            let now = ticks_ms();
            if c.wait_since_ms == 0 {
                c.wait_since_ms = now.max(1);
            } else if let Ok(limit) = u32::try_from(c.timeout_ms) {
                if remaining_ms(now.wrapping_sub(c.wait_since_ms), limit).is_none() {
                    return Err(timeout_error());
                }
            }
            Ok(Io::Wait(w))
        }
    }
}

/// Receives into `dst`.
pub(super) fn recv_into(c: &mut rq_conn_t, dst: &mut [u8]) -> PyResult<Io<usize>> {
    before_recv(c)?;
    let got = conn::recv(c.sock, c.nonblocking, dst)?;
    after_recv(c, got)
}

/// Receives into the buffer after `rend` (the unread bytes were moved to
/// its start by the caller when needed).
fn recv_into_window(c: &mut rq_conn_t) -> PyResult<Io<usize>> {
    before_recv(c)?;
    let (sock, nonblocking) = (c.sock, c.nonblocking);
    let (buf, _, rend) = live::window(c);
    let got = conn::recv(sock, nonblocking, buf.get_mut(*rend..).unwrap_or(&mut []))?;
    if let Io::Done(n) = got {
        *rend = rend.saturating_add(n);
    }
    after_recv(c, got)
}

/// When a non-blocking body read that is waiting times out (ticks_ms).
pub fn wait_deadline(r: &rq_response_t) -> Option<u32> {
    // SAFETY: only read, within this call.
    let c = unsafe { conn_of(r) }?;
    let limit = u32::try_from(c.timeout_ms).ok()?;
    (c.wait_since_ms != 0).then(|| c.wait_since_ms.wrapping_add(limit))
}

/// Body bytes went to the caller; at the end of the body the connection is
/// released at once, as the reference does once content was read.
fn consumed(r: &mut rq_response_t, c: &mut rq_conn_t, n: usize) {
    let d = decoder(r);
    d.data_consumed(n);
    if d.is_done() {
        finish(r, c);
    }
}

/// Trailers obey the same limits as the head, so an endless trailer
/// section cannot exhaust the heap.
pub(super) fn count_trailer(r: &rq_response_t, c: &mut rq_conn_t, line_len: usize) -> PyResult<()> {
    let s = session(r);
    c.trailers = c.trailers.saturating_add(1);
    c.trailer_bytes = c
        .trailer_bytes
        .saturating_add(u32::try_from(line_len).unwrap_or(u32::MAX));
    if usize::from(c.trailers) > s.max_headers() || c.trailer_bytes as usize > s.max_head_bytes() {
        return Err(value_error!(
            "Response trailers exceed the session's header limits",
        ));
    }
    Ok(())
}

/// Only fields that may follow a body join the headers (engine::trailer),
/// which are built first if they were not yet.
pub(super) fn merge_trailer(r: &mut rq_response_t, name: &[u8], value: &[u8]) -> PyResult<()> {
    if !trailer::may_merge(name) {
        return Ok(());
    }
    if let Some(raw) = head_lazy::raw_head(r).map(|b| (b.as_ptr(), b.len())) {
        // SAFETY: the raw head block stays alive (the response holds it)
        // and is never written; materialize only replaces the pointer.
        let raw = unsafe { core::slice::from_raw_parts(raw.0, raw.1) };
        head_lazy::materialize(r, raw)?;
    }
    let s = session(r);
    let line = rq_header_t {
        name: rq_bytes_t {
            ptr: name.as_ptr(),
            len: name.len(),
        },
        value: rq_bytes_t {
            ptr: value.as_ptr(),
            len: value.len(),
        },
    };
    let mut headers = r.headers;
    // SAFETY: name/value are valid for the call; headers is the response's
    // Headers object; the shim touches only the session's string cache,
    // never its live connection.
    check(unsafe { rq_headers_build(s.raw(), &line, 1, 1, &mut headers) })
}

/// Copies buffered body bytes into `dst`; the rest within the decoder's
/// allowance `k` may then be read by the C fast path.
fn from_window(r: &mut rq_response_t, c: &mut rq_conn_t, dst: &mut [u8], k: u64) -> usize {
    let (buf, rstart, rend) = live::window(c);
    let avail = rend.saturating_sub(*rstart);
    let src = buf
        .get(*rstart..rstart.saturating_add(avail.min(dst.len())))
        .unwrap_or(&[]);
    let n = src.len();
    if let Some(d) = dst.get_mut(..n) {
        d.copy_from_slice(src);
    }
    *rstart = rstart.saturating_add(n);
    consumed(r, c, n);
    let left = u64::try_from(avail.saturating_sub(n)).unwrap_or(0);
    let allowance = k.saturating_sub(n as u64);
    r.fast_avail = if r.conn.is_null() {
        0
    } else {
        u32::try_from(left.min(allowance)).unwrap_or(0)
    };
    n
}

/// Feeds buffered bytes to the decoder's framing (chunk lines, trailers);
/// false when it needs more bytes than are buffered.
fn feed_framing(r: &mut rq_response_t, c: &mut rq_conn_t) -> PyResult<bool> {
    let (buf, rstart, rend) = live::window(c);
    if *rend <= *rstart {
        return Ok(false);
    }
    let at = *rstart;
    let input = buf.get(at..*rend).unwrap_or(&[]);
    let p = decoder(r).feed(input).map_err(body_error)?;
    if p.consumed == 0 {
        return Ok(false);
    }
    *rstart = at.saturating_add(p.consumed);
    if let Some((name, value)) = p.trailer {
        count_trailer(r, c, p.consumed)?;
        // The trailer's bytes stay in place until the next receive.
        let (buf, _, _) = live::window(c);
        let line = buf.get(at..).unwrap_or(&[]);
        merge_trailer(
            r,
            line.get(name).unwrap_or(&[]),
            line.get(value).unwrap_or(&[]),
        )?;
    }
    Ok(true)
}

/// One step of body reading into `dst`: Done(0) only at the end of the body.
fn read_step_inner(
    r: &mut rq_response_t,
    c: &mut rq_conn_t,
    dst: &mut [u8],
) -> PyResult<Io<usize>> {
    // The fast window is recomputed below; Rust reads consume it in order.
    r.fast_avail = 0;
    loop {
        match decoder(r).need() {
            Need::Done => {
                finish(r, c);
                return Ok(Io::Done(0));
            }
            Need::Data(k) => {
                let max = usize::try_from(k).unwrap_or(usize::MAX).min(dst.len());
                if c.rend > c.rstart {
                    let dst = dst.get_mut(..max).unwrap_or(&mut []);
                    return Ok(Io::Done(from_window(r, c, dst, k)));
                }
                if max >= SMALL_READ && max < dst.len() && r.framing == RQ_FRAMING_CHUNKED as u8 {
                    // The chunk ends inside `dst`: the bytes after it come
                    // in the same receive.
                    match super::chunks::read_in_place(r, c, dst)? {
                        Io::Done(0) if !decoder(r).is_done() => continue,
                        done => return Ok(done),
                    }
                }
                let dst = dst.get_mut(..max).unwrap_or(&mut []);
                let n = if max < SMALL_READ && c.buf_cap >= SMALL_READ {
                    c.rstart = 0;
                    c.rend = 0;
                    match recv_into_window(c)? {
                        Io::Done(0) => 0,
                        Io::Done(_) => continue,
                        Io::Wait(w) => return Ok(Io::Wait(w)),
                    }
                } else {
                    match recv_into(c, dst)? {
                        Io::Done(n) => n,
                        Io::Wait(w) => return Ok(Io::Wait(w)),
                    }
                };
                if n == 0 {
                    decoder(r).eof().map_err(body_error)?;
                    continue;
                }
                consumed(r, c, n);
                return Ok(Io::Done(n));
            }
            Need::Framing => {
                if feed_framing(r, c)? {
                    continue;
                }
                let (buf, rstart, rend) = live::window(c);
                *rend = compact(buf, *rstart, *rend);
                *rstart = 0;
                if *rend >= buf.len() {
                    return Err(body_error(BodyError::LineTooLong));
                }
                match recv_into_window(c)? {
                    Io::Done(0) => decoder(r).eof().map_err(body_error)?,
                    Io::Done(_) => {}
                    Io::Wait(w) => return Ok(Io::Wait(w)),
                }
            }
        }
    }
}

/// A read step that closes the connection when it fails, so a broken body
/// never leaks a socket or leaves a half-read one for reuse.
pub(super) fn read_step_unchecked(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<Io<usize>> {
    if dst.is_empty() {
        return Ok(Io::Done(0));
    }
    // SAFETY: the borrow lives for this read step; `finish`/`abandon` end
    // the response's ownership as its last use.
    let Some(c) = (unsafe { conn_of(r) }) else {
        return Ok(Io::Done(0));
    };
    if !live::is_open(c) {
        return Ok(Io::Done(0));
    }
    read_step_inner(r, c, dst).inspect_err(|_| fail(r))
}

/// A blocking read never waits for a poll.
fn blocking(res: PyResult<Io<usize>>) -> PyResult<usize> {
    match res? {
        Io::Done(n) => Ok(n),
        Io::Wait(_) => Err(runtime_error!(
            "AsyncSession response: read it with aread(), aiter_content() or aiter_lines()",
        )),
    }
}

/// A raw read step for the caller: refused once the response was closed
/// early.
pub fn read_step_raw(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    blocking(poll_step_raw(r, dst))
}

/// A raw read step that may say what to wait for (AsyncSession).
pub fn poll_step_raw(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<Io<usize>> {
    if let Some(e) = readable_error(r) {
        return Err(e);
    }
    let n = match read_step_unchecked(r, dst) {
        Ok(Io::Done(n)) => n,
        Ok(wait) => return Ok(wait),
        // Closed under this read by another thread: say so, whatever the
        // socket reported. A failure of this read itself (marked by `fail`)
        // is reported as it came.
        Err(e)
            if e.is_interrupt()
                || r.closed_why == RQ_CLOSED_NONE as u8
                || r.closed_why == RQ_CLOSED_FAILED as u8 =>
        {
            return Err(e)
        }
        Err(e) => return Err(readable_error(r).unwrap_or(e)),
    };
    if n == 0 {
        // Another thread may have closed it while this one waited.
        if let Some(e) = readable_error(r) {
            return Err(e);
        }
    }
    Ok(Io::Done(n))
}
