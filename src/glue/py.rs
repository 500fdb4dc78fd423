//! Python values seen from Rust: exceptions as values, and small safe
//! wrappers over the shims of `cmodule/rq_ffi.h`.
//!
//! A shim returns NULL on success or the exception it caught; `check` turns
//! that into a `Result`, so `?` carries MicroPython exceptions back to the C
//! layer, which raises them once no Rust frame is left on the stack.
//! Exceptions this crate decides on are values too (`error.rs`), built as
//! objects only when they reach the C layer.

use super::ffi::*;
use core::ptr;

pub type Obj = rq_obj_t;

pub use super::error::*;

pub fn ticks_ms() -> u32 {
    // SAFETY: reads the firmware's millisecond counter.
    unsafe { rq_ticks_ms() }
}

pub fn none() -> Obj {
    // SAFETY: returns the None singleton.
    unsafe { rq_none() }
}

pub fn is_none(o: Obj) -> bool {
    // SAFETY: NULL and None are both accepted.
    unsafe { rq_is_none(o) }
}

pub fn kind_of(o: Obj) -> rq_kind_t {
    // SAFETY: any object handle (or NULL) is accepted.
    unsafe { rq_kind_of(o) }
}

/// The bytes of a str or bytes-like object, borrowed for as long as the
/// caller borrows the handle `o`.
///
/// The handle is a local or a field of a live object, so the collector sees
/// it and the object stays alive while the slice is used; callers do not
/// mutate a bytearray they hold a slice of.
pub fn bytes_of(o: &Obj) -> Option<&[u8]> {
    if o.is_null() {
        return None;
    }
    let mut b = rq_bytes_t {
        ptr: ptr::null(),
        len: 0,
    };
    // SAFETY: `b` is a valid out-pointer.
    if unsafe { rq_get_bytes(*o, &mut b) } {
        if b.len == 0 {
            return Some(&[]);
        }
        // SAFETY: the shim returned the object's buffer and its length; the
        // object outlives the borrow of its handle (see above).
        Some(unsafe { core::slice::from_raw_parts(b.ptr, b.len) })
    } else {
        None
    }
}

/// The bytes of an object that something the caller keeps alive holds
/// (a value of the caller's dict, say), for as long as the caller needs.
///
/// # Safety
/// The object stays alive and unmutated for `'a`.
pub unsafe fn held_bytes<'a>(o: Obj) -> Option<&'a [u8]> {
    let mut b = rq_bytes_t {
        ptr: ptr::null(),
        len: 0,
    };
    // SAFETY: `b` is a valid out-pointer.
    if !unsafe { rq_get_bytes(o, &mut b) } {
        return None;
    }
    if b.len == 0 {
        return Some(&[]);
    }
    // SAFETY: the object's buffer and length; alive for 'a (the contract).
    Some(unsafe { core::slice::from_raw_parts(b.ptr, b.len) })
}

/// A str and its bytes, looked up once: the struct holds the handle, so
/// the (immutable) str stays alive and in place while the bytes are used.
#[derive(Clone, Copy)]
pub struct HeldStr {
    obj: Obj,
    ptr: *const u8,
    len: usize,
}

impl HeldStr {
    /// `obj` must be a str (the C layer checks the URL and the method).
    pub fn new(obj: Obj) -> Self {
        let b = bytes_of(&obj).unwrap_or(&[]);
        HeldStr {
            obj,
            ptr: b.as_ptr(),
            len: b.len(),
        }
    }

    pub fn obj(&self) -> Obj {
        self.obj
    }

    pub fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: the bytes of the str `obj`, which this struct holds (the
        // collector sees it wherever the struct lives) and which never
        // changes or moves.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

pub fn str_of(o: Obj) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: `out` is a valid out-pointer.
    check(unsafe { rq_str_of(o, &mut out) })?;
    Ok(out)
}

pub fn new_str(b: &[u8]) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: b is valid for b.len() bytes; the shim copies it.
    check(unsafe { rq_new_str(b.as_ptr(), b.len(), &mut out) })?;
    Ok(out)
}

pub fn new_bytes(b: &[u8]) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: as above.
    check(unsafe { rq_new_bytes(b.as_ptr(), b.len(), &mut out) })?;
    Ok(out)
}

pub fn new_int(v: isize) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: `out` is a valid out-pointer.
    check(unsafe { rq_new_int(v, &mut out) })?;
    Ok(out)
}

pub fn list_new() -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: `out` is a valid out-pointer.
    check(unsafe { rq_list_new(&mut out) })?;
    Ok(out)
}

pub fn list_append(list: Obj, item: Obj) -> PyResult<()> {
    // SAFETY: list is a list object created by list_new.
    check(unsafe { rq_list_append(list, item) })
}

/// Iterates a dict's items without allocating.
pub struct DictItems {
    dict: Obj,
    index: usize,
}

impl DictItems {
    pub fn new(dict: Obj) -> Self {
        DictItems { dict, index: 0 }
    }
}

impl Iterator for DictItems {
    type Item = (Obj, Obj);
    fn next(&mut self) -> Option<(Obj, Obj)> {
        let mut k = ptr::null_mut();
        let mut v = ptr::null_mut();
        // SAFETY: self.dict is a dict (checked by the caller with kind_of).
        if unsafe { rq_dict_next(self.dict, &mut self.index, &mut k, &mut v) } {
            Some((k, v))
        } else {
            None
        }
    }
}

pub fn seq_len(seq: Obj) -> usize {
    // SAFETY: seq is a tuple or list (checked by the caller with kind_of).
    unsafe { rq_seq_len(seq) }
}

pub fn seq_get(seq: Obj, i: usize) -> Option<Obj> {
    // SAFETY: as above; out-of-range gives NULL.
    let o = unsafe { rq_seq_get(seq, i) };
    if o.is_null() {
        None
    } else {
        Some(o)
    }
}

pub fn get_iter(o: Obj) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: `out` is a valid out-pointer.
    check(unsafe { rq_getiter(o, &mut out) })?;
    Ok(out)
}

/// The next item, or None at the end.
pub fn iter_next(it: Obj) -> PyResult<Option<Obj>> {
    let mut out = ptr::null_mut();
    // SAFETY: `it` came from get_iter.
    check(unsafe { rq_iternext(it, &mut out) })?;
    Ok(if out.is_null() { None } else { Some(out) })
}

pub fn call_method(o: Obj, m: rq_method_t, args: &[Obj]) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: args is valid for args.len() handles.
    check(unsafe { rq_call_method(o, m, args.len(), args.as_ptr(), &mut out) })?;
    Ok(out)
}

pub fn int_value(o: Obj) -> Option<isize> {
    let mut out: isize = 0;
    // SAFETY: `out` is a valid out-pointer.
    if unsafe { rq_int_value(o, &mut out) } {
        Some(out)
    } else {
        None
    }
}

/// What `build` makes of the bytes written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Built {
    Str,
    Bytes,
}

/// Runs `f` with a Writer over a stack buffer, or again over a GC buffer of
/// the size it asked for when the stack one was too small, and makes a str
/// or bytes object of what it wrote. `f` must write the same bytes each time.
pub fn build(
    kind: Built,
    f: &mut dyn FnMut(&mut crate::engine::writer::Writer) -> PyResult<()>,
) -> PyResult<Obj> {
    let mut stack = [0u8; 256];
    let mut w = crate::engine::writer::Writer::new(&mut stack);
    f(&mut w)?;
    if !w.overflowed() {
        return match kind {
            Built::Str => new_str(w.written()),
            Built::Bytes => new_bytes(w.written()),
        };
    }
    let need = w.needed();
    let mut data: *mut u8 = ptr::null_mut();
    let mut handle = ptr::null_mut();
    // SAFETY: out-pointers are valid; the shim allocates a bytes object of
    // `need` bytes whose buffer we fill below.
    check(unsafe { rq_bytes_begin(need, &mut data, &mut handle) })?;
    // SAFETY: `data` holds `need` writable bytes owned by `handle`, which
    // this frame keeps alive.
    let heap = unsafe { core::slice::from_raw_parts_mut(data, need) };
    let mut w = crate::engine::writer::Writer::new(heap);
    f(&mut w)?;
    let used = w.written().len();
    let mut out = ptr::null_mut();
    // SAFETY: handle came from rq_bytes_begin; used <= need.
    check(unsafe { rq_bytes_finish(handle, used, &mut out) })?;
    match kind {
        Built::Bytes => Ok(out),
        Built::Str => new_str(bytes_of(&out).unwrap_or(&[])),
    }
}

pub fn json_dumps(o: Obj) -> PyResult<Obj> {
    let mut out = ptr::null_mut();
    // SAFETY: `out` is a valid out-pointer.
    check(unsafe { rq_json_dumps(o, &mut out) })?;
    Ok(out)
}

pub fn urandom(buf: &mut [u8]) -> PyResult<()> {
    // SAFETY: buf is valid for writes of its length.
    check(unsafe { rq_urandom(buf.as_mut_ptr(), buf.len()) })
}

/// Reads from a binary file into buf; 0 at its end.
pub fn file_readinto(file: Obj, buf: &mut [u8]) -> PyResult<usize> {
    let mut got = 0usize;
    // SAFETY: buf is valid for writes of its length; the shim checks got <= len.
    check(unsafe { rq_file_readinto(file, buf.as_mut_ptr(), buf.len(), &mut got) })?;
    Ok(got.min(buf.len()))
}
