//! Reading a response body: the read loop over the engine's body decoder,
//! releasing the connection at the end of the body, and closing with a
//! bounded drain so the connection can be reused.

use crate::engine::body::{BodyDecoder, BodyError, Need};
use crate::engine::response::Framing;
use crate::engine::reuse::{worth_draining, DRAIN_MAX_BYTES, DRAIN_WAIT_MS};
use crate::engine::timeout::remaining_ms;
use crate::engine::trailer;
use crate::engine::writer::compact;
use crate::glue::buf::session_buf;
use crate::glue::conn::{self, close_sock};
use crate::glue::ffi::*;
use crate::glue::py::*;
use core::ptr;

/// Reads smaller than this refill the session buffer instead of asking the
/// socket for a few bytes at a time (json.load reads one byte per call).
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

/// Runs `f` on the Session that made this response. The borrow ends with
/// `f`, so no second `&mut` to the session can be live beside it.
pub fn with_session<T>(r: &rq_response_t, f: impl FnOnce(&mut rq_session_t) -> T) -> T {
    // SAFETY: r.session is the Session object that made this response; the
    // response object references it, so it is alive. The reference lives
    // only for the call and nothing else borrows the session during it.
    f(unsafe { &mut *rq_session_state(r.session) })
}

/// The session's buffer, where received bytes wait at [rstart..rend].
///
/// # Safety
/// As `session_buf`: the buffer is not reallocated while a response reads
/// (only a new request grows it, and that closes this response first).
unsafe fn response_buf<'a>(r: &rq_response_t) -> &'a mut [u8] {
    // SAFETY: as documented; the slice is GC memory apart from the session
    // struct, so it does not alias the borrow `with_session` makes.
    with_session(r, |s| unsafe { session_buf(s) })
}

fn body_error(e: BodyError) -> Exc {
    match e {
        BodyError::Truncated => {
            os_error(0, "Connection closed before the end of the response body")
        }
        BodyError::BadChunkSize => value_error("Invalid chunk size in chunked response"),
        BodyError::ChunkSizeOverflow => value_error("Chunk size too large in chunked response"),
        BodyError::LineTooLong => value_error("Chunk header or trailer line too long"),
        BodyError::BadChunkEnd => value_error("Chunk data not followed by CRLF"),
        BodyError::BadTrailer => value_error("Invalid trailer line in chunked response"),
    }
}

/// The body is complete: the connection goes back to the session's idle
/// list when the server allows reuse and nothing unexpected follows it.
fn finish(r: &mut rq_response_t) {
    if r.sock.is_null() {
        return;
    }
    r.fast_avail = 0;
    let sock = core::mem::replace(&mut r.sock, ptr::null_mut());
    if r.keep_alive && r.rend == r.rstart {
        with_session(r, |s| {
            // A socket handed to Response(sock) has no keep-alive key
            // (live_host is NULL): nobody could ask for it again.
            if s.live_host.is_null() {
                close_sock(sock);
            } else {
                conn::put_idle(
                    s,
                    sock,
                    s.live_raw_sock,
                    s.live_host,
                    s.live_port,
                    s.live_https != 0,
                )
            }
        });
    } else {
        close_sock(sock);
    }
    r.rstart = 0;
    r.rend = 0;
}

pub fn abandon(r: &mut rq_response_t) {
    r.fast_avail = 0;
    let sock = core::mem::replace(&mut r.sock, ptr::null_mut());
    close_sock(sock);
    r.rstart = 0;
    r.rend = 0;
}

/// Why reading this response cannot go on, if it cannot: a response closed
/// before the caller had its whole body never looks complete.
pub fn readable_error(r: &mut rq_response_t) -> Option<Exc> {
    if !r.cached.is_null() {
        return None;
    }
    let why = u32::from(r.closed_why);
    if why == RQ_CLOSED_SUPERSEDED {
        return Some(runtime_error(
            "Newer Response closed this one. Use Responses immediately.",
        ));
    }
    if why == RQ_CLOSED_SESSION {
        return Some(runtime_error(
            "The Session was closed, and this Response with it",
        ));
    }
    if why == RQ_CLOSED_BY_CALLER {
        return Some(runtime_error(
            "Response was closed before its body was read to the end",
        ));
    }
    if r.sock.is_null() && !decoder(r).is_done() {
        return Some(runtime_error(
            "Response connection was closed before the end of its body",
        ));
    }
    None
}

/// A receive for the body. While a close drains the rest, every wait is
/// cut to what is left of the drain's budget.
fn body_recv(r: &rq_response_t, buf: &mut [u8]) -> PyResult<usize> {
    let (draining, since, raw) = with_session(r, |s| {
        (s.live_draining, s.live_drain_start_ms, s.live_raw_sock)
    });
    if draining {
        let elapsed = ticks_ms().wrapping_sub(since);
        let Some(left) = remaining_ms(elapsed, DRAIN_WAIT_MS) else {
            return Err(timeout_error());
        };
        conn::settimeout_ms(r.sock, raw, i32::try_from(left).unwrap_or(i32::MAX))?;
    }
    conn::recv(r.sock, buf)
}

/// Body bytes went to the caller; at the end of the body the connection is
/// released at once, as the reference does once content was read.
fn consumed(r: &mut rq_response_t, n: usize) {
    let d = decoder(r);
    d.data_consumed(n);
    if d.is_done() {
        finish(r);
    }
}

/// Trailers obey the same limits as the head, so an endless trailer
/// section cannot exhaust the heap; only fields that may follow a body
/// join the headers (engine::trailer).
fn take_trailer(r: &rq_response_t, line_len: usize, name: &[u8], value: &[u8]) -> PyResult<()> {
    let over = with_session(r, |s| {
        s.live_trailers = s.live_trailers.saturating_add(1);
        s.live_trailer_bytes = s
            .live_trailer_bytes
            .saturating_add(u32::try_from(line_len).unwrap_or(u32::MAX));
        usize::from(s.live_trailers) > s.max_headers
            || s.live_trailer_bytes as usize > s.max_head_bytes
    });
    if over {
        return Err(value_error(
            "Response trailers exceed the session's header limits",
        ));
    }
    if !trailer::may_merge(name) {
        return Ok(());
    }
    let headers = r.headers;
    with_session(r, |s| {
        // SAFETY: name/value are valid for the call; the session is live.
        check(unsafe {
            rq_headers_add(
                ptr::addr_of_mut!(*s),
                headers,
                name.as_ptr(),
                name.len(),
                value.as_ptr(),
                value.len(),
            )
        })
    })
}

/// One step of body reading into `dst`: Ok(0) only at the end of the body.
fn read_step_inner(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    // The fast window is recomputed below; Rust reads consume it in order.
    r.fast_avail = 0;
    loop {
        match decoder(r).need() {
            Need::Done => {
                finish(r);
                return Ok(0);
            }
            Need::Data(k) => {
                let max = usize::try_from(k).unwrap_or(usize::MAX).min(dst.len());
                // SAFETY: see response_buf.
                let buf = unsafe { response_buf(r) };
                let avail = r.rend.saturating_sub(r.rstart);
                if avail > 0 {
                    let n = max.min(avail);
                    let src = buf.get(r.rstart..r.rstart.saturating_add(n)).unwrap_or(&[]);
                    if let Some(d) = dst.get_mut(..src.len()) {
                        d.copy_from_slice(src);
                    }
                    r.rstart = r.rstart.saturating_add(src.len());
                    consumed(r, src.len());
                    // What is left in the buffer within this allowance may be
                    // read by the C fast path.
                    let left = u64::try_from(avail.saturating_sub(src.len())).unwrap_or(0);
                    let allowance = k.saturating_sub(src.len() as u64);
                    r.fast_avail = if r.sock.is_null() {
                        0
                    } else {
                        u32::try_from(left.min(allowance)).unwrap_or(0)
                    };
                    return Ok(src.len());
                }
                if max < SMALL_READ && buf.len() >= SMALL_READ {
                    let n = body_recv(r, buf)?;
                    r.rstart = 0;
                    r.rend = n;
                    if n == 0 {
                        decoder(r).eof().map_err(body_error)?;
                    }
                    continue;
                }
                let n = body_recv(r, dst.get_mut(..max).unwrap_or(&mut []))?;
                if n == 0 {
                    decoder(r).eof().map_err(body_error)?;
                    continue;
                }
                consumed(r, n);
                return Ok(n);
            }
            Need::Framing => {
                // SAFETY: see response_buf.
                let buf = unsafe { response_buf(r) };
                if r.rend > r.rstart {
                    let input = buf.get(r.rstart..r.rend).unwrap_or(&[]);
                    let p = decoder(r).feed(input).map_err(body_error)?;
                    if p.consumed > 0 {
                        if let Some((name, value)) = p.trailer {
                            let n = input.get(name).unwrap_or(&[]);
                            let v = input.get(value).unwrap_or(&[]);
                            take_trailer(r, p.consumed, n, v)?;
                        }
                        r.rstart = r.rstart.saturating_add(p.consumed);
                        continue;
                    }
                }
                r.rend = compact(buf, r.rstart, r.rend);
                r.rstart = 0;
                let Some(room) = buf.get_mut(r.rend..).filter(|b| !b.is_empty()) else {
                    return Err(body_error(BodyError::LineTooLong));
                };
                let n = body_recv(r, room)?;
                if n == 0 {
                    decoder(r).eof().map_err(body_error)?;
                    continue;
                }
                r.rend = r.rend.saturating_add(n);
            }
        }
    }
}

/// A read step that closes the connection when it fails, so a broken body
/// never leaks a socket or leaves a half-read one for reuse.
fn read_step_unchecked(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if dst.is_empty() || decoder(r).is_done() && r.sock.is_null() {
        return Ok(0);
    }
    read_step_inner(r, dst).inspect_err(|_| abandon(r))
}

/// One step of body reading: decoded bytes when the body is compressed
/// and the firmware decompresses it (see cmodule/decode.c), else raw ones.
pub fn read_step(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if r.decoded.is_null() {
        read_step_raw(r, dst)
    } else {
        crate::glue::decoded::read_decoded(r, dst)
    }
}

/// A raw read step for the caller: refused once the response was closed
/// early.
pub fn read_step_raw(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if let Some(e) = readable_error(r) {
        return Err(e);
    }
    let n = match read_step_unchecked(r, dst) {
        Ok(n) => n,
        // Closed under this read by another thread: say so, whatever the
        // socket reported.
        Err(e) if e.is_interrupt() || r.closed_why == RQ_CLOSED_NONE as u8 => return Err(e),
        Err(e) => return Err(readable_error(r).unwrap_or(e)),
    };
    if n == 0 {
        // Another thread may have closed it while this one waited.
        if let Some(e) = readable_error(r) {
            return Err(e);
        }
    }
    Ok(n)
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

/// Closes the response; a small unread remainder is drained so that the
/// connection can serve the next request, within DRAIN_WAIT_MS of waiting
/// in all. A failing or slow drain just closes the connection, except that
/// a KeyboardInterrupt (or SystemExit) during it is handed back for the
/// caller to raise, after the socket was closed. `why` is marked first, so
/// a reader in another thread never takes the drained body for its end.
pub fn close_response_as(r: &mut rq_response_t, why: u32) -> PyResult<()> {
    let incomplete = !decoder(r).is_done();
    if r.closed_why == RQ_CLOSED_NONE as u8 && (why != RQ_CLOSED_BY_CALLER || incomplete) {
        r.closed_why = u8::try_from(why).unwrap_or(u8::MAX);
    }
    if r.sock.is_null() {
        return Ok(());
    }
    let remaining = match decoder(r).need() {
        Need::Done => Some(0),
        Need::Data(k) if r.framing == RQ_FRAMING_LENGTH as u8 => Some(k),
        // A chunked rest is unknown; the byte and time budgets bound it.
        _ if r.framing == RQ_FRAMING_CHUNKED as u8 => Some(0),
        _ => None,
    };
    if worth_draining(r.keep_alive, remaining) {
        with_session(r, |s| {
            s.live_draining = true;
            s.live_drain_start_ms = ticks_ms();
        });
        let mut sink = [0u8; 256];
        let mut budget = DRAIN_MAX_BYTES;
        let mut interrupt = None;
        while !r.sock.is_null() && budget > 0 {
            match read_step_unchecked(r, &mut sink) {
                Ok(0) => break,
                Ok(n) => budget = budget.saturating_sub(n as u64),
                Err(e) if e.is_interrupt() => {
                    interrupt = Some(e);
                    break;
                }
                Err(_) => break,
            }
        }
        with_session(r, |s| s.live_draining = false);
        if let Some(e) = interrupt {
            abandon(r);
            return Err(e);
        }
        if decoder(r).is_done() {
            finish(r);
            return Ok(());
        }
    }
    abandon(r);
    Ok(())
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
