//! The caller's argument objects read as the reference reads them: text of
//! any object, the fields of a dict or a list of pairs, a file's length.
//! Shared by the request body (request.rs) and multipart framing.

use super::ffi::{rq_kind_t, rq_method_t};
use super::py::*;

pub const BINARY_ONLY: &str = "Files must be opened in binary mode";

/// The bytes of a str/bytes object, or of str(o) for anything else; `keep`
/// holds whichever object the bytes belong to.
pub fn text_of(o: Obj, keep: &mut Obj) -> PyResult<&[u8]> {
    *keep = match kind_of(o) {
        rq_kind_t::RQ_KIND_STR | rq_kind_t::RQ_KIND_BYTES if bytes_of(&o).is_some() => o,
        _ => str_of(o)?,
    };
    Ok(bytes_of(keep).unwrap_or(&[]))
}

/// Calls `each(key, value)` for every field of a dict or a list of
/// (key, value) pairs: a list or tuple value repeats its key and None values
/// are left out, as CPython requests does.
pub fn for_each_field(pairs: Obj, each: &mut dyn FnMut(Obj, Obj) -> PyResult<()>) -> PyResult<()> {
    let mut pair = |k: Obj, v: Obj| -> PyResult<()> {
        if kind_of(v) == rq_kind_t::RQ_KIND_TUPLE {
            for i in 0..seq_len(v) {
                let item = seq_get(v, i).unwrap_or_else(none);
                if !is_none(item) {
                    each(k, item)?;
                }
            }
            Ok(())
        } else if is_none(v) {
            Ok(())
        } else {
            each(k, v)
        }
    };
    match kind_of(pairs) {
        rq_kind_t::RQ_KIND_DICT => {
            for (k, v) in DictItems::new(pairs) {
                pair(k, v)?;
            }
        }
        rq_kind_t::RQ_KIND_TUPLE => {
            for i in 0..seq_len(pairs) {
                let item = seq_get(pairs, i).unwrap_or_else(none);
                if kind_of(item) != rq_kind_t::RQ_KIND_TUPLE || seq_len(item) != 2 {
                    return Err(type_error!(NOT_PAIRS));
                }
                pair(
                    seq_get(item, 0).unwrap_or_else(none),
                    seq_get(item, 1).unwrap_or_else(none),
                )?;
            }
        }
        _ => return Err(type_error!(NOT_PAIRS)),
    }
    Ok(())
}

const NOT_PAIRS: &str = "params and form data must be a dict or a list of (key, value) pairs";

/// The length of a binary file, leaving it at its start.
pub fn file_length(f: Obj) -> PyResult<usize> {
    let zero = new_int(0)?;
    call_method(f, rq_method_t::RQ_METH_SEEK, &[zero])?;
    let head = call_method(f, rq_method_t::RQ_METH_READ, &[new_int(4)?]).map_err(|e| {
        // A text file reading binary data fails with UnicodeError.
        if e.is_memory() {
            e
        } else {
            value_error!(BINARY_ONLY)
        }
    })?;
    if kind_of(head) != rq_kind_t::RQ_KIND_BYTES {
        return Err(value_error!(BINARY_ONLY));
    }
    call_method(f, rq_method_t::RQ_METH_SEEK, &[zero, new_int(2)?])?;
    let end = call_method(f, rq_method_t::RQ_METH_TELL, &[])?;
    call_method(f, rq_method_t::RQ_METH_SEEK, &[zero])?;
    int_value(end)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| value_error!("file.tell() did not return a length"))
}
