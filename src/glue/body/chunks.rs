//! Chunked bodies in large pieces: one receive fills the caller's buffer
//! past the end of the current chunk, and the framing that came with it
//! (chunk ends, chunk-size lines, trailers) is taken out in place. A body
//! of many chunks then costs one receive per buffer, not about three per
//! chunk (the rest of a chunk, then its end and the next size line through
//! the connection buffer).

use super::read::{count_trailer, decoder, finish, merge_trailer, recv_into};
use crate::engine::body::{Need, MAX_LINE};
use crate::glue::conn::Io;
use crate::glue::ffi::*;
use crate::glue::live;
use crate::glue::py::*;

/// Receives into all of `dst` (the connection buffer is empty) and keeps
/// the body bytes at its start: Done(n) with n > 0, or Done(0) once the
/// body ended; Done(0) with the body not ended means only framing came,
/// and the caller reads again.
pub(super) fn read_in_place(
    r: &mut rq_response_t,
    c: &mut rq_conn_t,
    dst: &mut [u8],
) -> PyResult<Io<usize>> {
    let n = match recv_into(c, dst)? {
        Io::Done(n) => n,
        Io::Wait(w) => return Ok(Io::Wait(w)),
    };
    if n == 0 {
        // In the middle of a chunked body: Truncated.
        decoder(r).eof().map_err(body_error)?;
        return Ok(Io::Done(0));
    }
    let got = dst.get_mut(..n).unwrap_or(&mut []);
    // Body bytes so far are got[..out]; got[at..] is not looked at yet.
    let (mut out, mut at) = (0usize, 0usize);
    while at < got.len() {
        match decoder(r).need() {
            Need::Data(k) => {
                let take = usize::try_from(k)
                    .unwrap_or(usize::MAX)
                    .min(got.len().saturating_sub(at));
                let end = at.saturating_add(take);
                if at != out {
                    got.copy_within(at..end, out);
                }
                decoder(r).data_consumed(take);
                (out, at) = (out.saturating_add(take), end);
            }
            Need::Framing => {
                let line = got.get(at..).unwrap_or(&[]);
                let p = decoder(r).feed(line).map_err(body_error)?;
                if p.consumed == 0 {
                    break;
                }
                if let Some((name, value)) = p.trailer {
                    count_trailer(r, c, p.consumed)?;
                    merge_trailer(
                        r,
                        line.get(name).unwrap_or(&[]),
                        line.get(value).unwrap_or(&[]),
                    )?;
                }
                at = at.saturating_add(p.consumed);
            }
            Need::Done => break,
        }
    }
    // The rest (a line not complete yet, or bytes after the body) goes to
    // the connection buffer: the next step reads on from there, and
    // `finish` sees that something followed the body. A partial line is
    // shorter than MAX_LINE (feed refuses longer ones).
    let rest = got.get(at..).unwrap_or(&[]);
    let keep = rest.len().min(MAX_LINE);
    if keep > 0 {
        live::ensure_buf(c, keep)?;
        let (buf, rstart, rend) = live::window(c);
        if let (Some(d), Some(s)) = (buf.get_mut(..keep), rest.get(..keep)) {
            d.copy_from_slice(s);
        }
        (*rstart, *rend) = (0, keep);
    }
    if decoder(r).is_done() {
        finish(r, c);
    }
    Ok(Io::Done(out))
}
