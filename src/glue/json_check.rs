//! The strict check of a whole JSON document (RFC 8259) for `json()`: the
//! engine's tokenizer, the one the selections use, runs over the same bytes
//! the firmware's (lenient) `json` module parses, so a cut or malformed
//! document raises ValueError instead of coming back as a partial value.

use super::error::json_error;
use super::ffi::*;
use crate::engine::json::whole::WholeCheck;
use core::ptr;

const _: () = assert!(
    core::mem::size_of::<WholeCheck>() <= core::mem::size_of::<rq_json_check_t>()
        && core::mem::align_of::<WholeCheck>() <= core::mem::align_of::<rq_json_check_t>()
);

/// # Safety
/// `c` points to writable storage for an rq_json_check_t.
#[no_mangle]
pub unsafe extern "C" fn rq_json_check_init(c: *mut rq_json_check_t) {
    // SAFETY: as documented; size and alignment asserted above.
    unsafe { ptr::write(c.cast::<WholeCheck>(), WholeCheck::new()) };
}

/// Checks the next piece of a document (`last`: the document ends after
/// it); a ValueError naming the byte offset, or NULL.
///
/// # Safety
/// `c` was set up by rq_json_check_init; `buf` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rq_json_check(
    c: *mut rq_json_check_t,
    buf: *const u8,
    len: usize,
    last: bool,
) -> rq_err_t {
    // SAFETY: as documented: a WholeCheck (plain data) was written there.
    let t = unsafe { &mut *c.cast::<WholeCheck>() };
    let input = if buf.is_null() || len == 0 {
        &[][..]
    } else {
        // SAFETY: as documented.
        unsafe { core::slice::from_raw_parts(buf, len) }
    };
    let res = t
        .feed(input)
        .and_then(|()| if last { t.end() } else { Ok(()) });
    res.err()
        .map_or(ptr::null_mut(), |e| json_error(e).into_obj())
}
