//! The same request again: a request with nothing of its own (no headers,
//! body, params, auth or cookies of the call, and none added by the
//! Session) to the same URL with the same method has the same head as the
//! last one. The Session keeps that head, the parsed URL and the
//! Authorization the URL gave, so such a request is neither parsed nor
//! written again: a polling loop's GET costs its I/O.
//!
//! Nothing needs invalidating: whether a request may use the cache is
//! decided afresh each time (Session headers, auth or a stored cookie make
//! it write its head), and the rest depends only on the URL and method
//! bytes, which are compared.

use super::cookies;
use super::ffi::*;
use super::py::*;
use super::sessionref::SessionRef;
use crate::engine::url::UrlSpans;
use core::ptr;

const _: () = assert!(
    core::mem::size_of::<UrlSpans>() <= core::mem::size_of::<[u64; RQ_URL_SPANS_WORDS as usize]>()
);
const _: () = assert!(core::mem::align_of::<UrlSpans>() <= core::mem::align_of::<u64>());

/// Whether this request's head depends on nothing but its URL and method
/// (`a` after the Session's headers and auth were applied).
pub fn eligible(s: &SessionRef, a: &rq_request_args_t) -> bool {
    // None fetched once: one shim call instead of one per argument.
    let none = none();
    [
        a.params, a.headers, a.data, a.json, a.files, a.auth, a.cookies,
    ]
    .iter()
    .all(|&o| o.is_null() || o == none)
        && cookies::jar_is_empty(s.jar())
}

fn same(a: Obj, b: Obj) -> bool {
    a == b || (!b.is_null() && bytes_of(&a).is_some_and(|x| bytes_of(&b) == Some(x)))
}

/// What the cache holds for this URL and method, if it does.
pub struct Hit {
    pub spans: UrlSpans,
    pub authorization: Obj,
}

/// The cached parse of `url` / `method`, when the session has it.
pub fn lookup(s: *mut rq_session_t, url: Obj, method: Obj) -> Option<Hit> {
    // SAFETY: the session is live and held by the caller; fields are read
    // one at a time, none borrowed past this function.
    unsafe {
        if (*s).req_head_len == 0 || !same(url, (*s).req_url) || !same(method, (*s).req_method) {
            return None;
        }
        Some(Hit {
            // SAFETY: req_spans holds a UrlSpans (written by `store`,
            // size and alignment asserted above) while req_head_len > 0.
            spans: ptr::read((*s).req_spans.as_ptr().cast::<UrlSpans>()),
            authorization: (*s).req_authorization,
        })
    }
}

/// The cached head bytes (valid until the next `store`).
pub fn head<'a>(s: *mut rq_session_t) -> &'a [u8] {
    // SAFETY: req_head holds req_head_len written bytes of a GC block the
    // session keeps; only `store` changes it, and not while this is used
    // (the exchange copies it at once).
    unsafe {
        if (*s).req_head.is_null() {
            return &[];
        }
        core::slice::from_raw_parts((*s).req_head, (*s).req_head_len)
    }
}

/// Keeps this request's parse and head for the next one like it. A failed
/// allocation only means no cache.
pub fn store(
    s: *mut rq_session_t,
    url: Obj,
    method: Obj,
    spans: &UrlSpans,
    authorization: Obj,
    head: &[u8],
) {
    // SAFETY: the session is live and held by the caller; its fields are
    // written one at a time through the raw pointer.
    unsafe {
        (*s).req_head_len = 0;
        if (*s).req_head_cap < head.len() {
            let mut p: *mut u8 = ptr::null_mut();
            if rq_buf_alloc(head.len(), &mut p).is_null() && !p.is_null() {
                (*s).req_head = p;
                (*s).req_head_cap = head.len();
            } else {
                return;
            }
        }
        // SAFETY: req_head has req_head_cap >= head.len() bytes; the
        // block is the session's own, nothing else reads it meanwhile.
        core::slice::from_raw_parts_mut((*s).req_head, head.len()).copy_from_slice(head);
        ptr::write((*s).req_spans.as_mut_ptr().cast::<UrlSpans>(), *spans);
        (*s).req_url = url;
        (*s).req_method = method;
        (*s).req_authorization = authorization;
        (*s).req_head_len = head.len();
    }
}
