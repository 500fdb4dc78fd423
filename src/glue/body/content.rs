//! What the caller asks of a body: `content` (one bytes object, grown only
//! as needed), and the pieces `iter_content` and `iter_lines` hand out,
//! from the connection or from a body `content` already holds.

use super::close::close_response;
use super::read::{decoder, fail, readable_error};
use super::step::{read_full, read_step};
use crate::engine::body::Need;
use crate::engine::text::utf8_complete_prefix;
use crate::glue::ffi::*;
use crate::glue::py::*;
use core::ptr;

/// Bytes carried between iter_lines / iter_content(decode_unicode) steps.
fn pending(r: &rq_response_t) -> Obj {
    r.pending
}

fn set_pending(r: &mut rq_response_t, o: Obj) {
    r.pending = o;
}

/// A bytes object of `len` bytes to fill, and its buffer.
///
/// # Safety
/// The caller keeps `handle` on its stack while it uses the buffer, and
/// stops using it at `finish_bytes`/`rq_bytes_grow`.
unsafe fn begin_bytes<'a>(len: usize) -> PyResult<(Obj, &'a mut [u8])> {
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
pub fn content(r: &mut rq_response_t) -> PyResult<Obj> {
    let res = content_inner(r);
    if res.is_err() {
        fail(r);
    }
    res
}

fn content_inner(r: &mut rq_response_t) -> PyResult<Obj> {
    if !r.cached.is_null() {
        return Ok(r.cached);
    }
    if r.body_streamed && r.closed_why != RQ_CLOSED_FAILED as u8 {
        return Err(runtime_error!(
            "json() read the body straight from the socket; content is not kept",
        ));
    }
    if let Some(e) = readable_error(r) {
        return Err(e);
    }
    let known = match decoder(r).need() {
        _ if !r.decoded.is_null() || r.decoded_gone => None,
        Need::Data(k) if r.framing == RQ_FRAMING_LENGTH as u8 => Some(k),
        Need::Done => Some(0),
        _ => None,
    };
    let out = if let Some(k) = known {
        // One allocation of the exact size when the length is known.
        let len = usize::try_from(k).map_err(|_| value_error!("Content-Length too large"))?;
        // SAFETY: `handle` stays on this frame until finish_bytes.
        let (handle, dst) = unsafe { begin_bytes(len) }?;
        let n = read_full(r, dst)?;
        finish_bytes(handle, n)?
    } else {
        let mut cap = 1024usize;
        // SAFETY: as above; `dst` is replaced when the object grows.
        let (handle, mut dst) = unsafe { begin_bytes(cap) }?;
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

fn concat(a: &[u8], b: &[u8]) -> PyResult<Obj> {
    let total = a.len().saturating_add(b.len());
    // SAFETY: `handle` stays on this frame until finish_bytes.
    let (handle, dst) = unsafe { begin_bytes(total) }?;
    let (da, db) = dst.split_at_mut(a.len().min(total));
    da.copy_from_slice(a);
    if let Some(d) = db.get_mut(..b.len()) {
        d.copy_from_slice(b);
    }
    finish_bytes(handle, total)
}

/// The part of a body that `content` already read (`cached`, the
/// response's handle copied by the caller) and iteration has not reached
/// yet; None when the body was not read whole.
fn cached_rest(cached: &Obj, pos: u32) -> Option<&[u8]> {
    if cached.is_null() {
        return None;
    }
    let all = bytes_of(cached).unwrap_or(&[]);
    Some(all.get(pos as usize..).unwrap_or(&[]))
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

pub fn next_chunk(r: &mut rq_response_t, size: usize, decode: bool) -> PyResult<Option<Obj>> {
    let cached = r.cached;
    if let Some(rest) = cached_rest(&cached, r.cached_pos) {
        return next_cached_chunk(r, rest, size, decode);
    }
    // SAFETY: `handle` stays on this frame until finish_bytes.
    let (handle, dst) = unsafe { begin_bytes(size) }?;
    let n = read_full(r, dst)?;
    if n == 0 {
        close_response(r)?;
        let left = pending(r);
        if decode && !left.is_null() && bytes_of(&left).is_some_and(|p| !p.is_empty()) {
            set_pending(r, ptr::null_mut());
            return Err(unicode_error!(
                "response body ends inside a UTF-8 character"
            ));
        }
        return Ok(None);
    }
    let chunk = finish_bytes(handle, n)?;
    if !decode {
        return Ok(Some(chunk));
    }
    let left = pending(r);
    let joined = if left.is_null() {
        chunk
    } else {
        concat(
            bytes_of(&left).unwrap_or(&[]),
            bytes_of(&chunk).unwrap_or(&[]),
        )?
    };
    let all = bytes_of(&joined).unwrap_or(&[]);
    let cut = utf8_complete_prefix(all);
    let (text, rest) = all.split_at(cut);
    let rest = if rest.is_empty() {
        ptr::null_mut()
    } else {
        new_bytes(rest)?
    };
    set_pending(r, rest);
    new_str(text).map(Some)
}

pub fn next_line(r: &mut rq_response_t, size: usize, decode: bool) -> PyResult<Option<Obj>> {
    let cached = r.cached;
    if let Some(rest) = cached_rest(&cached, r.cached_pos) {
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
    loop {
        let held = pending(r);
        let pending = if held.is_null() {
            &[][..]
        } else {
            bytes_of(&held).unwrap_or(&[])
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
            let rest = if rest.is_empty() {
                ptr::null_mut()
            } else {
                new_bytes(rest)?
            };
            set_pending(r, rest);
            return Ok(Some(out));
        }
        // SAFETY: `handle` stays on this frame until finish_bytes.
        let (handle, dst) = unsafe { begin_bytes(size) }?;
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
            set_pending(r, ptr::null_mut());
            return Ok(Some(out));
        }
        let chunk = finish_bytes(handle, n)?;
        let joined = if pending.is_empty() {
            chunk
        } else {
            concat(pending, bytes_of(&chunk).unwrap_or(&[]))?
        };
        set_pending(r, joined);
    }
}
