//! Python values seen from Rust: exceptions as values, and small safe
//! wrappers over the shims of `cmodule/rq_ffi.h`.
//!
//! A shim returns NULL on success or the exception it caught; `check` turns
//! that into a `Result`, so `?` carries MicroPython exceptions back to the C
//! layer, which raises them once no Rust frame is left on the stack.

use super::ffi::*;
use core::ptr;

pub type Obj = rq_obj_t;

/// A MicroPython exception object, raised by the C layer when it gets it.
#[derive(Clone, Copy, Debug)]
pub struct Exc(pub rq_err_t);

pub type PyResult<T> = Result<T, Exc>;

pub fn check(err: rq_err_t) -> PyResult<()> {
    if err.is_null() {
        Ok(())
    } else {
        Err(Exc(err))
    }
}

fn new_exc(kind: rq_exc_kind_t, msg: &str, errno: i32) -> Exc {
    // SAFETY: msg is valid for msg.len() bytes; the shim copies it.
    Exc(unsafe { rq_exc_new(kind, msg.as_ptr().cast(), msg.len(), errno) })
}

pub fn value_error(msg: &str) -> Exc {
    new_exc(rq_exc_kind_t::RQ_EXC_VALUE, msg, 0)
}

pub fn type_error(msg: &str) -> Exc {
    new_exc(rq_exc_kind_t::RQ_EXC_TYPE, msg, 0)
}

pub fn not_implemented(msg: &str) -> Exc {
    new_exc(rq_exc_kind_t::RQ_EXC_NOT_IMPLEMENTED, msg, 0)
}

pub fn runtime_error(msg: &str) -> Exc {
    new_exc(rq_exc_kind_t::RQ_EXC_RUNTIME, msg, 0)
}

pub fn os_error(errno: i32, msg: &str) -> Exc {
    new_exc(rq_exc_kind_t::RQ_EXC_OS, msg, errno)
}

pub fn timeout_error() -> Exc {
    // SAFETY: builds an exception; never raises.
    Exc(unsafe { rq_exc_timeout() })
}

pub fn ticks_ms() -> u32 {
    // SAFETY: as above.
    unsafe { rq_ticks_ms() }
}

pub fn unicode_error(msg: &str) -> Exc {
    new_exc(rq_exc_kind_t::RQ_EXC_UNICODE, msg, 0)
}

/// A ValueError whose message is `prefix` followed by some bytes (e.g. the
/// offending scheme), built in a small stack buffer.
pub fn value_error_with(prefix: &str, detail: &[u8]) -> Exc {
    error_with(rq_exc_kind_t::RQ_EXC_VALUE, prefix, detail)
}

pub fn type_error_with(prefix: &str, detail: &[u8]) -> Exc {
    error_with(rq_exc_kind_t::RQ_EXC_TYPE, prefix, detail)
}

fn error_with(kind: rq_exc_kind_t, prefix: &str, detail: &[u8]) -> Exc {
    let mut buf = [0u8; 96];
    let mut w = crate::engine::writer::Writer::new(&mut buf);
    w.put(prefix.as_bytes());
    w.put(detail.get(..48).unwrap_or(detail));
    let msg = w.written();
    // SAFETY: msg points into `buf`, alive for the call; the shim copies it.
    Exc(unsafe { rq_exc_new(kind, msg.as_ptr().cast(), msg.len(), 0) })
}

pub fn out_of_retries(cause: Exc) -> Exc {
    let msg = "Repeated socket failures";
    // SAFETY: static message; cause is a live exception object.
    Exc(unsafe {
        rq_exc_with_cause(
            rq_exc_kind_t::RQ_EXC_OUT_OF_RETRIES,
            msg.as_ptr().cast(),
            msg.len(),
            cause.0,
        )
    })
}

impl Exc {
    /// KeyboardInterrupt or SystemExit: never swallowed.
    pub fn is_interrupt(self) -> bool {
        // SAFETY: self.0 is an exception object handed out by a shim.
        !unsafe { rq_exc_is_exception(self.0) }
    }
    pub fn is_memory(self) -> bool {
        // SAFETY: as above.
        unsafe { rq_exc_is_memory(self.0) }
    }
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

/// The bytes of a str or bytes-like object, borrowed from the object.
///
/// The slice stays valid while the object is alive and not mutated: callers
/// keep the object on their stack (seen by the GC) for as long as they use it.
pub fn bytes_of<'a>(o: Obj) -> Option<&'a [u8]> {
    let mut b = rq_bytes_t {
        ptr: ptr::null(),
        len: 0,
    };
    // SAFETY: `b` is a valid out-pointer.
    if unsafe { rq_get_bytes(o, &mut b) } {
        if b.len == 0 {
            return Some(&[]);
        }
        // SAFETY: the shim returned the object's buffer and its length.
        Some(unsafe { core::slice::from_raw_parts(b.ptr, b.len) })
    } else {
        None
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
        Built::Str => new_str(w_bytes(out)),
    }
}

fn w_bytes<'a>(o: Obj) -> &'a [u8] {
    bytes_of(o).unwrap_or(&[])
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
