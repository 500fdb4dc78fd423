//! Content codings for cmodule/decode.c: the one parser of
//! `Content-Encoding` and the framing checks around the firmware's
//! decompressor (engine::coding), as plain calls that never raise.

use super::ffi::*;
use crate::engine::coding::{
    names_gzip, parse_content_encoding, Coding, Codings, Format, FrameCheck, FrameError,
};
use core::ptr;

const _: () = assert!(
    core::mem::size_of::<FrameCheck>() <= core::mem::size_of::<rq_frame_t>()
        && core::mem::align_of::<FrameCheck>() <= core::mem::align_of::<rq_frame_t>()
);

/// # Safety
/// `value` is valid for `len` bytes (or `len` is 0).
unsafe fn bytes<'a>(value: *const u8, len: usize) -> &'a [u8] {
    if value.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: as documented.
    unsafe { core::slice::from_raw_parts(value, len) }
}

/// # Safety
/// `value` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rq_coding_of(value: *const u8, len: usize) -> i32 {
    // SAFETY: as documented.
    let v = unsafe { bytes(value, len) };
    let c = match parse_content_encoding(v) {
        Codings::Identity => RQ_CODING_IDENTITY,
        Codings::One(Coding::Gzip) => RQ_CODING_GZIP,
        Codings::One(Coding::Deflate) => RQ_CODING_DEFLATE,
        Codings::Unknown => RQ_CODING_UNKNOWN,
        Codings::Stacked => RQ_CODING_STACKED,
    };
    i32::try_from(c).unwrap_or(0)
}

/// # Safety
/// `value` is valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rq_coding_names_gzip(value: *const u8, len: usize) -> bool {
    // SAFETY: as documented.
    names_gzip(unsafe { bytes(value, len) })
}

fn code(res: Result<(), FrameError>) -> i32 {
    let c = match res {
        Ok(()) => RQ_FRAME_OK,
        Err(FrameError::Truncated) => RQ_FRAME_TRUNCATED,
        Err(_) => RQ_FRAME_CORRUPT,
    };
    i32::try_from(c).unwrap_or(1)
}

/// # Safety
/// `f` points to an rq_frame_t that rq_frame_init set up, borrowed by no
/// one else for the call.
unsafe fn frame<'a>(f: *mut rq_frame_t) -> &'a mut FrameCheck {
    // SAFETY: size and alignment asserted above; rq_frame_init wrote a
    // FrameCheck (plain data, no Drop) there first.
    unsafe { &mut *f.cast::<FrameCheck>() }
}

/// # Safety
/// `f` points to writable storage for an rq_frame_t.
#[no_mangle]
pub unsafe extern "C" fn rq_frame_init(f: *mut rq_frame_t, gzip: bool) {
    let coding = if gzip { Coding::Gzip } else { Coding::Deflate };
    // SAFETY: as documented; size and alignment asserted above.
    unsafe { ptr::write(f.cast::<FrameCheck>(), FrameCheck::new(coding)) };
}

/// # Safety
/// `f` as for rq_frame_init, set up; `buf` valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn rq_frame_raw(f: *mut rq_frame_t, buf: *const u8, len: usize) -> i32 {
    // SAFETY: as documented.
    code(unsafe { frame(f) }.raw(unsafe { bytes(buf, len) }))
}

/// # Safety
/// `f` set up by rq_frame_init.
#[no_mangle]
pub unsafe extern "C" fn rq_frame_decoded(f: *mut rq_frame_t, len: usize) {
    // SAFETY: as documented.
    unsafe { frame(f) }.decoded(len);
}

/// # Safety
/// `f` set up by rq_frame_init.
#[no_mangle]
pub unsafe extern "C" fn rq_frame_member_end(f: *mut rq_frame_t) -> i32 {
    // SAFETY: as documented.
    code(unsafe { frame(f) }.member_end())
}

/// # Safety
/// `f` set up by rq_frame_init.
#[no_mangle]
pub unsafe extern "C" fn rq_frame_body_end(f: *mut rq_frame_t) -> i32 {
    // SAFETY: as documented.
    code(unsafe { frame(f) }.body_end())
}

/// # Safety
/// `f` set up by rq_frame_init.
#[no_mangle]
pub unsafe extern "C" fn rq_frame_at_boundary(f: *const rq_frame_t) -> bool {
    // SAFETY: as documented; only read.
    unsafe { &*f.cast::<FrameCheck>() }.at_boundary()
}

/// # Safety
/// `f` set up by rq_frame_init.
#[no_mangle]
pub unsafe extern "C" fn rq_frame_is_gzip(f: *const rq_frame_t) -> bool {
    // SAFETY: as documented; only read.
    unsafe { &*f.cast::<FrameCheck>() }.format() == Format::Gzip
}
