//! Reading a response body: the read loop over the engine's body decoder,
//! `content`, `iter_content`, `iter_lines`, `readinto`, and closing with a
//! bounded drain so the connection can be reused. Entry points called by
//! cmodule/response_type.c.

use super::conn::{self, close_sock};
use super::ffi::*;
use super::py::*;
use super::session::session_buf;
use crate::engine::body::{BodyDecoder, BodyError, Need};
use crate::engine::response::Framing;
use crate::engine::writer::compact;
use core::ptr;

/// Reads smaller than this refill the session buffer instead of asking the
/// socket for a few bytes at a time (json.load reads one byte per call).
const SMALL_READ: usize = 512;
/// Most unread body bytes close() reads to keep a connection reusable.
const DRAIN_MAX: u64 = 4096;

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

fn decoder(r: &mut rq_response_t) -> &mut BodyDecoder {
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

fn session_of<'a>(r: &rq_response_t) -> &'a mut rq_session_t {
    // SAFETY: r.session is the Session object that made this response; the
    // response object references it, so it is alive.
    unsafe { &mut *rq_session_state(r.session) }
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

const CLOSED: &str = "Newer Response closed this one. Use Responses immediately.";

/// The body is complete: the connection goes back to the session's idle
/// list when the server allows reuse and nothing unexpected follows it.
fn finish(r: &mut rq_response_t) {
    if r.sock.is_null() {
        return;
    }
    r.fast_avail = 0;
    let sock = core::mem::replace(&mut r.sock, ptr::null_mut());
    if r.keep_alive && r.rend == r.rstart {
        let s = session_of(r);
        conn::put_idle(
            s,
            sock,
            s.live_raw_sock,
            s.live_host,
            s.live_port,
            s.live_https != 0,
        );
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

pub fn readable_error(r: &mut rq_response_t) -> Option<Exc> {
    if (r.sock.is_null() && !decoder(r).is_done()) || (r.superseded && r.cached.is_null()) {
        return Some(runtime_error(CLOSED));
    }
    None
}

/// Starts a body operation: all its reads must end within the read timeout,
/// so a server trickling bytes cannot hold the caller for longer.
fn begin_op(r: &mut rq_response_t) {
    session_of(r).live_op_start_ms = ticks_ms();
}

fn check_deadline(r: &rq_response_t) -> PyResult<()> {
    let s = session_of(r);
    if past_deadline(s.live_op_start_ms, s.live_timeout_ms) {
        Err(timeout_error())
    } else {
        Ok(())
    }
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

/// One step of body reading into `dst`: Ok(0) only at the end of the body.
fn read_step_inner(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    let s = session_of(r);
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
                // SAFETY: the buffer is not reallocated while a response reads.
                let buf = unsafe { session_buf(s) };
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
                let sock = r.sock;
                if max < SMALL_READ && buf.len() >= SMALL_READ {
                    let n = conn::recv(sock, buf)?;
                    r.rstart = 0;
                    r.rend = n;
                    if n == 0 {
                        decoder(r).eof().map_err(body_error)?;
                    }
                    check_deadline(r)?;
                    continue;
                }
                let n = conn::recv(sock, dst.get_mut(..max).unwrap_or(&mut []))?;
                if n == 0 {
                    decoder(r).eof().map_err(body_error)?;
                    continue;
                }
                consumed(r, n);
                check_deadline(r)?;
                return Ok(n);
            }
            Need::Framing => {
                // SAFETY: as above.
                let buf = unsafe { session_buf(s) };
                if r.rend > r.rstart {
                    let input = buf.get(r.rstart..r.rend).unwrap_or(&[]);
                    let p = decoder(r).feed(input).map_err(body_error)?;
                    if p.consumed > 0 {
                        if p.trailer.is_some() {
                            // Trailers obey the same limits as the head, so an
                            // endless trailer section cannot exhaust the heap.
                            s.live_trailers = s.live_trailers.saturating_add(1);
                            s.live_trailer_bytes = s
                                .live_trailer_bytes
                                .saturating_add(u32::try_from(p.consumed).unwrap_or(u32::MAX));
                            if usize::from(s.live_trailers) > s.max_headers
                                || s.live_trailer_bytes as usize > s.max_head_bytes
                            {
                                return Err(value_error(
                                    "Response trailers exceed the session's header limits",
                                ));
                            }
                        }
                        if let Some((name, value)) = p.trailer {
                            let n = input.get(name).unwrap_or(&[]);
                            let v = input.get(value).unwrap_or(&[]);
                            // SAFETY: n/v borrow the session buffer for the call.
                            check(unsafe {
                                rq_headers_add(
                                    ptr::addr_of_mut!(*s),
                                    r.headers,
                                    n.as_ptr(),
                                    n.len(),
                                    v.as_ptr(),
                                    v.len(),
                                )
                            })?;
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
                let n = conn::recv(r.sock, room)?;
                if n == 0 {
                    decoder(r).eof().map_err(body_error)?;
                    continue;
                }
                r.rend = r.rend.saturating_add(n);
                check_deadline(r)?;
            }
        }
    }
}

/// One step of body reading: decoded bytes when the body is compressed
/// and the firmware decompresses it (see cmodule/decode.c), else raw ones.
pub fn read_step(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if r.decoded.is_null() {
        read_step_raw(r, dst)
    } else {
        super::decoded::read_decoded(r, dst)
    }
}

/// A read step that closes the connection when it fails, so a broken body
/// never leaks a socket or leaves a half-read one for reuse.
pub fn read_step_raw(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
    if let Some(e) = readable_error(r) {
        return Err(e);
    }
    if dst.is_empty() || decoder(r).is_done() && r.sock.is_null() {
        return Ok(0);
    }
    read_step_inner(r, dst).inspect_err(|_| abandon(r))
}

/// Reads until `dst` is full or the body ends.
fn read_full(r: &mut rq_response_t, dst: &mut [u8]) -> PyResult<usize> {
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
/// connection can serve the next request. A failing drain just closes the
/// connection, except that a KeyboardInterrupt (or SystemExit) during it
/// is handed back for the caller to raise, after the socket was closed.
pub fn close_response(r: &mut rq_response_t) -> PyResult<()> {
    if r.sock.is_null() {
        return Ok(());
    }
    let remaining = match decoder(r).need() {
        Need::Done => 0,
        Need::Data(k) if r.framing == RQ_FRAMING_LENGTH as u8 => k,
        _ if r.framing == RQ_FRAMING_CHUNKED as u8 => 0,
        _ => u64::MAX,
    };
    if r.keep_alive && remaining <= DRAIN_MAX {
        begin_op(r);
        let mut sink = [0u8; 256];
        let mut budget = DRAIN_MAX;
        while !r.sock.is_null() && budget > 0 {
            match read_step_raw(r, &mut sink) {
                Ok(0) => break,
                Ok(n) => budget = budget.saturating_sub(n as u64),
                Err(e) if e.is_interrupt() => {
                    abandon(r);
                    return Err(e);
                }
                Err(_) => break,
            }
        }
        if decoder(r).is_done() {
            finish(r);
            return Ok(());
        }
    }
    abandon(r);
    Ok(())
}

/// A newer request on the same session closes this response.
pub fn supersede(resp: Obj) -> PyResult<()> {
    // SAFETY: resp is a Response object the session kept alive.
    let r = unsafe { &mut *rq_response_state(resp) };
    // Marked after the drain: a superseded response refuses reads.
    let res = close_response(r);
    r.superseded = true;
    res
}

fn begin_bytes(len: usize) -> PyResult<(Obj, &'static mut [u8])> {
    let mut data: *mut u8 = ptr::null_mut();
    let mut handle = ptr::null_mut();
    // SAFETY: valid out-pointers.
    check(unsafe { rq_bytes_begin(len, &mut data, &mut handle) })?;
    // SAFETY: the shim allocated `len` writable bytes owned by `handle`,
    // which the caller keeps on its stack until rq_bytes_finish.
    Ok((handle, unsafe {
        core::slice::from_raw_parts_mut(data, len)
    }))
}

fn finish_bytes(handle: Obj, used: usize) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: handle came from rq_bytes_begin and used <= its length.
    check(unsafe { rq_bytes_finish(handle, used, &mut out) })?;
    Ok(out)
}

/// On any failure the connection is closed: the body is unusable by then,
/// and the socket must not stay open with the half-read response.
fn content(r: &mut rq_response_t) -> PyResult<Obj> {
    let res = content_inner(r);
    if res.is_err() {
        abandon(r);
    }
    res
}

fn content_inner(r: &mut rq_response_t) -> PyResult<Obj> {
    begin_op(r);
    if !r.cached.is_null() {
        return Ok(r.cached);
    }
    if r.body_streamed {
        return Err(runtime_error(
            "json() read the body straight from the socket; content is not kept",
        ));
    }
    if let Some(e) = readable_error(r) {
        return Err(e);
    }
    let known = match decoder(r).need() {
        _ if !r.decoded.is_null() => None,
        Need::Data(k) if r.framing == RQ_FRAMING_LENGTH as u8 => Some(k),
        Need::Done => Some(0),
        _ => None,
    };
    let out = if let Some(k) = known {
        // One allocation of the exact size when the length is known.
        let len = usize::try_from(k).map_err(|_| value_error("Content-Length too large"))?;
        let (handle, dst) = begin_bytes(len)?;
        let n = read_full(r, dst)?;
        finish_bytes(handle, n)?
    } else {
        let mut cap = 1024usize;
        let (handle, mut dst) = begin_bytes(cap)?;
        let mut filled = 0usize;
        loop {
            if filled < cap {
                let n = read_step(r, dst.get_mut(filled..).unwrap_or(&mut []))?;
                if n == 0 {
                    break;
                }
                filled = filled.saturating_add(n);
                continue;
            }
            // Full: grow only once more body is known to follow, so that a
            // body ending exactly at the capacity never needs twice its size.
            let mut probe = [0u8; 64];
            let n = read_step(r, &mut probe)?;
            if n == 0 {
                break;
            }
            cap = cap.saturating_mul(2);
            let mut data: *mut u8 = ptr::null_mut();
            // SAFETY: handle is the bytes object being filled.
            check(unsafe { rq_bytes_grow(handle, cap, &mut data) })?;
            // SAFETY: the shim resized the buffer to `cap` bytes.
            dst = unsafe { core::slice::from_raw_parts_mut(data, cap) };
            let end = filled.saturating_add(n);
            if let (Some(d), Some(p)) = (dst.get_mut(filled..end), probe.get(..n)) {
                d.copy_from_slice(p);
            }
            filled = end;
        }
        finish_bytes(handle, filled)?
    };
    r.cached = out;
    Ok(out)
}

/// Length of the longest prefix of `b` that ends on a UTF-8 character
/// boundary (an incomplete trailing sequence waits for the next chunk).
fn utf8_complete_prefix(b: &[u8]) -> usize {
    let len = b.len();
    for back in 1..=len.min(3) {
        let i = len.saturating_sub(back);
        let c = b.get(i).copied().unwrap_or(0);
        if c & 0xC0 == 0x80 {
            continue;
        }
        let need = if c & 0x80 == 0 {
            1
        } else if c & 0xE0 == 0xC0 {
            2
        } else if c & 0xF0 == 0xE0 {
            3
        } else {
            4
        };
        return if back >= need { len } else { i };
    }
    len
}

fn concat(a: &[u8], b: &[u8]) -> PyResult<Obj> {
    let total = a.len().saturating_add(b.len());
    let (handle, dst) = begin_bytes(total)?;
    let (da, db) = dst.split_at_mut(a.len().min(total));
    da.copy_from_slice(a);
    if let Some(d) = db.get_mut(..b.len()) {
        d.copy_from_slice(b);
    }
    finish_bytes(handle, total)
}

/// The part of a body that `content` already read and iteration has not
/// reached yet; None when the body was not read whole.
fn cached_rest<'a>(r: &rq_response_t) -> Option<&'a [u8]> {
    if r.cached.is_null() {
        return None;
    }
    let all = bytes_of(r.cached).unwrap_or(&[]);
    Some(all.get(r.cached_pos as usize..).unwrap_or(&[]))
}

fn advance_cached(r: &mut rq_response_t, n: usize) {
    r.cached_pos = r
        .cached_pos
        .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
}

/// iter_content over a body `content` already holds: slices of it, as
/// CPython requests does, cut on character boundaries when decoding.
fn next_cached_chunk(
    r: &mut rq_response_t,
    rest: &[u8],
    size: usize,
    decode: bool,
) -> PyResult<Option<Obj>> {
    if rest.is_empty() {
        return Ok(None);
    }
    let mut piece = rest.get(..size).unwrap_or(rest);
    if decode {
        let mut cut = utf8_complete_prefix(piece);
        if cut == 0 {
            // chunk_size smaller than one character: take the character.
            piece = rest.get(..size.saturating_add(3)).unwrap_or(rest);
            cut = utf8_complete_prefix(piece).max(piece.len().min(1));
        }
        piece = piece.get(..cut).unwrap_or(piece);
    }
    advance_cached(r, piece.len());
    if decode {
        new_str(piece).map(Some)
    } else {
        new_bytes(piece).map(Some)
    }
}

fn next_chunk(r: &mut rq_response_t, size: usize, decode: bool) -> PyResult<Option<Obj>> {
    if let Some(rest) = cached_rest(r) {
        return next_cached_chunk(r, rest, size, decode);
    }
    begin_op(r);
    let (handle, dst) = begin_bytes(size)?;
    let n = read_full(r, dst)?;
    if n == 0 {
        close_response(r)?;
        if decode
            && !session_of(r).live_pending.is_null()
            && bytes_of(session_of(r).live_pending).is_some_and(|p| !p.is_empty())
        {
            session_of(r).live_pending = ptr::null_mut();
            return Err(unicode_error("response body ends inside a UTF-8 character"));
        }
        return Ok(None);
    }
    let chunk = finish_bytes(handle, n)?;
    if !decode {
        return Ok(Some(chunk));
    }
    let joined = if session_of(r).live_pending.is_null() {
        chunk
    } else {
        concat(
            bytes_of(session_of(r).live_pending).unwrap_or(&[]),
            bytes_of(chunk).unwrap_or(&[]),
        )?
    };
    let all = bytes_of(joined).unwrap_or(&[]);
    let cut = utf8_complete_prefix(all);
    let (text, rest) = all.split_at(cut);
    session_of(r).live_pending = if rest.is_empty() {
        ptr::null_mut()
    } else {
        new_bytes(rest)?
    };
    new_str(text).map(Some)
}

fn next_line(r: &mut rq_response_t, size: usize, decode: bool) -> PyResult<Option<Obj>> {
    if let Some(rest) = cached_rest(r) {
        if rest.is_empty() {
            return Ok(None);
        }
        let (line, used) = match rest.iter().position(|&b| b == b'\n') {
            Some(nl) => (rest.get(..nl).unwrap_or(&[]), nl.saturating_add(1)),
            None => (rest, rest.len()),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        advance_cached(r, used);
        return if decode {
            new_str(line).map(Some)
        } else {
            new_bytes(line).map(Some)
        };
    }
    begin_op(r);
    loop {
        let pending = if session_of(r).live_pending.is_null() {
            &[][..]
        } else {
            bytes_of(session_of(r).live_pending).unwrap_or(&[])
        };
        if let Some(nl) = pending.iter().position(|&b| b == b'\n') {
            let line = pending.get(..nl).unwrap_or(&[]);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let rest = pending.get(nl.saturating_add(1)..).unwrap_or(&[]);
            let out = if decode {
                new_str(line)?
            } else {
                new_bytes(line)?
            };
            session_of(r).live_pending = if rest.is_empty() {
                ptr::null_mut()
            } else {
                new_bytes(rest)?
            };
            return Ok(Some(out));
        }
        let (handle, dst) = begin_bytes(size)?;
        let n = read_full(r, dst)?;
        if n == 0 {
            close_response(r)?;
            if pending.is_empty() {
                return Ok(None);
            }
            let out = if decode {
                new_str(pending)?
            } else {
                new_bytes(pending)?
            };
            session_of(r).live_pending = ptr::null_mut();
            return Ok(Some(out));
        }
        let chunk = finish_bytes(handle, n)?;
        session_of(r).live_pending = if pending.is_empty() {
            chunk
        } else {
            concat(pending, bytes_of(chunk).unwrap_or(&[]))?
        };
    }
}

fn set_err<T>(res: PyResult<T>, err: *mut rq_err_t, fail: T) -> T {
    match res {
        Ok(v) => v,
        Err(e) => {
            // SAFETY: err is a valid out-pointer from the C caller.
            unsafe { *err = e.0 };
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
    let (r, dst) = unsafe { (&mut *r, core::slice::from_raw_parts_mut(buf, len)) };
    begin_op(r);
    set_err(read_step(r, dst).map(|n| n as isize), err, -1)
}

/// # Safety
/// As rq_response_readinto.
#[no_mangle]
pub unsafe extern "C" fn rq_response_read_more(
    r: *mut rq_response_t,
    buf: *mut u8,
    len: usize,
    err: *mut rq_err_t,
) -> isize {
    // SAFETY: as documented.
    let (r, dst) = unsafe { (&mut *r, core::slice::from_raw_parts_mut(buf, len)) };
    set_err(read_step(r, dst).map(|n| n as isize), err, -1)
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
    // SAFETY: as documented.
    let (r, dst) = unsafe { (&mut *r, core::slice::from_raw_parts_mut(buf, len)) };
    set_err(read_step_raw(r, dst).map(|n| n as isize), err, -1)
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_begin_op(r: *mut rq_response_t) {
    // SAFETY: as documented.
    begin_op(unsafe { &mut *r });
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_content(r: *mut rq_response_t, err: *mut rq_err_t) -> Obj {
    // SAFETY: as documented.
    let r = unsafe { &mut *r };
    set_err(content(r), err, ptr::null_mut())
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
    // SAFETY: as documented.
    let r = unsafe { &mut *r };
    opt_obj(next_chunk(r, size, decode), err)
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
    // SAFETY: as documented.
    let r = unsafe { &mut *r };
    opt_obj(next_line(r, size, decode), err)
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_close(r: *mut rq_response_t) -> rq_err_t {
    // SAFETY: as documented.
    close_response(unsafe { &mut *r })
        .err()
        .map_or(ptr::null_mut(), |e| e.0)
}

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_check_readable(r: *mut rq_response_t) -> rq_err_t {
    // SAFETY: as documented.
    readable_error(unsafe { &mut *r }).map_or(ptr::null_mut(), |e| e.0)
}

/// Bodies up to this size are read whole by json(), so that content and text
/// stay available after it; larger ones are parsed from the socket.
const JSON_KEEP_MAX: u64 = 16 * 1024;

/// # Safety
/// `r` points into a live Response object.
#[no_mangle]
pub unsafe extern "C" fn rq_response_body_is_small(r: *mut rq_response_t) -> bool {
    // SAFETY: as documented.
    let r = unsafe { &mut *r };
    match decoder(r).need() {
        // The decoded length is unknown until it is decoded.
        _ if !r.decoded.is_null() => false,
        Need::Done => true,
        Need::Data(k) => r.framing == RQ_FRAMING_LENGTH as u8 && k <= JSON_KEEP_MAX,
        Need::Framing => false,
    }
}
