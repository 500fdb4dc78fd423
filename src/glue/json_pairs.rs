//! The C layer's way to the engine's surrogate-pair joiner
//! (`engine::json::pairs`): `json()` and the JSON selection hand the
//! firmware's `json` module text whose escaped pairs are already UTF-8.

use crate::engine::json::pairs::{may_hold_pair, PairJoiner};

/// # Safety
/// `buf` is valid for reads of `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rq_json_may_hold_pair(buf: *const u8, len: usize) -> bool {
    if buf.is_null() {
        return false;
    }
    // SAFETY: as documented.
    may_hold_pair(unsafe { core::slice::from_raw_parts(buf, len) })
}

/// Joins the pairs in `buf[..len]` in place; returns how many bytes at its
/// start are ready, and sets `*held` to where an escape cut by the end of
/// the piece starts (`len` when none), to come first in the next piece.
/// `*in_string` carries the joiner's state between pieces (false at the
/// start of a document or value).
///
/// # Safety
/// `buf` is valid for reads and writes of `len` bytes; `in_string` and
/// `held` are valid for reads and writes.
#[no_mangle]
pub unsafe extern "C" fn rq_json_join_pairs(
    in_string: *mut bool,
    buf: *mut u8,
    len: usize,
    last: bool,
    held: *mut usize,
) -> usize {
    if buf.is_null() {
        // SAFETY: as documented.
        unsafe { *held = 0 };
        return 0;
    }
    // SAFETY: as documented.
    let (state, text) = unsafe { (&mut *in_string, core::slice::from_raw_parts_mut(buf, len)) };
    let mut j = PairJoiner::resume(*state);
    let out = j.join(text, last);
    *state = j.in_string();
    // SAFETY: as documented.
    unsafe { *held = out.held };
    out.ready
}
