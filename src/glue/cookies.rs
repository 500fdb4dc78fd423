//! Session cookies (SPEC §12): the jar filled from each response head's
//! `Set-Cookie` lines and read when a request head is written, and the entry
//! points of the CookieJar type (`cmodule/cookie_jar_type.c`). The jar's
//! bytes live in one GC block of the CookieJar object (engine::cookie_jar
//! decides everything about them).

use super::ffi::*;
use super::py::*;
use super::sessionref::SessionRef;
use crate::engine::cookie::{self, CookieLine};
use crate::engine::cookie_date;
use crate::engine::cookie_jar::{self, Cookie, Jar, Origin};
use crate::engine::encode::eq_ignore_case;
use crate::engine::url::{self, Url};
use crate::engine::writer::Writer;

fn bytes(b: &rq_bytes_t) -> &[u8] {
    if b.ptr.is_null() || b.len == 0 {
        return &[];
    }
    // SAFETY: every rq_bytes_t handed in by the C layer points at `len`
    // bytes of an object the caller holds for the call.
    unsafe { core::slice::from_raw_parts(b.ptr, b.len) }
}

fn opt(b: *const rq_bytes_t) -> Option<&'static [u8]> {
    // SAFETY: NULL or a valid rq_bytes_t for the call (see `bytes`); the
    // 'static is never kept beyond the exported call that received it.
    unsafe { b.as_ref() }.map(|b| {
        let s = bytes(b);
        // SAFETY: as above: the slice does not outlive the call.
        unsafe { core::slice::from_raw_parts(s.as_ptr(), s.len()) }
    })
}

fn out(b: &[u8]) -> rq_bytes_t {
    rq_bytes_t {
        ptr: b.as_ptr(),
        len: b.len(),
    }
}

/// The jar's whole buffer.
/// Whether the jar (NULL: none) holds no cookie at all, expired ones
/// included.
pub fn jar_is_empty(j: *mut rq_jar_t) -> bool {
    // SAFETY: NULL or the state of a live CookieJar (the caller's contract).
    match unsafe { j.as_mut() } {
        None => true,
        Some(j) => j.buf.is_null() || cookie_jar::count(buf_of(j)) == 0,
    }
}

fn buf_of(j: &mut rq_jar_t) -> &mut [u8] {
    if j.buf.is_null() || j.cap == 0 {
        return &mut [];
    }
    // SAFETY: `buf` is the jar's GC block of `cap` bytes, kept alive by the
    // CookieJar object that holds `j`; the borrow is tied to `j`.
    unsafe { core::slice::from_raw_parts_mut(j.buf, j.cap) }
}

/// Makes room for `c` (the first block starts the jar's clock) and stores
/// it; `now` is the tick the caller read.
fn store(j: &mut rq_jar_t, c: &Cookie, tick: u32) -> PyResult<bool> {
    let fresh = j.buf.is_null();
    let need = if fresh {
        cookie_jar::needed(0, c)
    } else {
        Jar::new(buf_of(j)).capacity_for(c)
    };
    if need > j.cap {
        // SAFETY: `j` is a live jar; the shim reallocates its block.
        check(unsafe { rq_jar_reserve(j, need) })?;
        if fresh {
            Jar::new(buf_of(j)).init(tick);
        }
    }
    Ok(Jar::new(buf_of(j)).store(c))
}

/// The request a response answered, for the matching rules.
fn origin<'a>(u: &Url<'a>) -> Origin<'a> {
    Origin {
        host: u.host,
        path: u.path(),
        https: u.scheme == url::Scheme::Https,
    }
}

/// Every `Set-Cookie` line of a response head to `url_obj` goes into the
/// session's jar. Called only for heads that have one; the jar is made
/// (with its object) by the first cookie worth keeping.
pub fn store_from_head<'h>(
    s: &SessionRef,
    url_obj: Obj,
    lines: &mut dyn Iterator<Item = (&'h [u8], &'h [u8])>,
    date: Option<&[u8]>,
) -> PyResult<()> {
    if s.stateless() {
        return Ok(());
    }
    let Some(ub) = bytes_of(&url_obj) else {
        return Ok(());
    };
    let Ok(u) = url::parse(ub) else {
        return Ok(());
    };
    let o = origin(&u);
    let date = date.and_then(cookie_date::parse);
    let tick = ticks_ms();
    let mut jar: *mut rq_jar_t = s.jar();
    for (name, value) in lines {
        if !eq_ignore_case(name, b"set-cookie") {
            continue;
        }
        let Some(sc) = cookie::parse(value) else {
            continue;
        };
        // SAFETY: NULL or the state of the session's CookieJar, which the
        // session keeps alive; no other reference to it is live here.
        let now = match unsafe { jar.as_mut() } {
            Some(j) if !j.buf.is_null() => Jar::new(buf_of(j)).advance(tick),
            _ => 0,
        };
        let Some(c) = cookie_jar::accept(&sc, &o, now, date) else {
            continue;
        };
        if jar.is_null() {
            if c.gone {
                continue;
            }
            // SAFETY: the session object is live; valid out-pointer.
            check(unsafe { rq_jar_obtain(s.obj(), &mut jar) })?;
        }
        // SAFETY: as above; the shim returned the jar's state.
        if let Some(j) = unsafe { jar.as_mut() } {
            if !c.gone || !j.buf.is_null() {
                store(j, &c, tick)?;
            }
        }
    }
    Ok(())
}

/// The `Cookie` line of a request head to `u`: the request's `cookies=`
/// pairs (unless a redirect took credentials away), then the jar's that
/// match and were not named in `cookies=`. Nothing when the caller wrote
/// its own `Cookie` header, as in `requests`.
pub fn write_cookie_line(
    w: &mut Writer,
    u: &Url,
    jar: *mut rq_jar_t,
    given: Obj,
    given_sent: bool,
) {
    let mut line = CookieLine::default();
    let has_given = given_sent && !is_none(given);
    if has_given {
        for (k, v) in DictItems::new(given) {
            if let (Some(k), Some(v)) = (bytes_of(&k), bytes_of(&v)) {
                line.pair(w, k, v);
            }
        }
    }
    // SAFETY: NULL or the session's jar state (see store_from_head).
    if let Some(j) = unsafe { jar.as_mut() } {
        if !j.buf.is_null() {
            let mut jar = Jar::new(buf_of(j));
            jar.advance(ticks_ms());
            let o = origin(u);
            cookie_jar::for_request(jar.view(), &o, &mut |name, value| {
                if !(has_given && dict_has(given, name)) {
                    line.pair(w, name, value);
                }
            });
        }
    }
    line.finish(w);
}

fn dict_has(d: Obj, name: &[u8]) -> bool {
    DictItems::new(d).any(|(k, _)| bytes_of(&k) == Some(name))
}

/// `cookies=`: a dict of str names and values that can go in a `Cookie`
/// header; checked before anything is sent.
pub fn check_given(given: Obj) -> PyResult<()> {
    if is_none(given) {
        return Ok(());
    }
    if kind_of(given) != rq_kind_t::RQ_KIND_DICT {
        return Err(type_error!("cookies must be a dict"));
    }
    for (k, v) in DictItems::new(given) {
        if kind_of(k) != rq_kind_t::RQ_KIND_STR || kind_of(v) != rq_kind_t::RQ_KIND_STR {
            return Err(type_error!("cookies names and values must be str"));
        }
        let (Some(kb), Some(vb)) = (bytes_of(&k), bytes_of(&v)) else {
            continue;
        };
        if !cookie::valid_pair(kb, vb) {
            return Err(value_error_with("invalid cookie: ", kb));
        }
    }
    Ok(())
}

// ---- the CookieJar type's entry points ----

/// # Safety
/// `j` is the state of a live CookieJar.
#[no_mangle]
pub unsafe extern "C" fn rq_jar_len(j: *mut rq_jar_t) -> usize {
    // SAFETY: as documented.
    let Some(j) = (unsafe { j.as_mut() }) else {
        return 0;
    };
    let mut jar = Jar::new(buf_of(j));
    jar.advance(ticks_ms());
    cookie_jar::count(jar.view())
}

/// # Safety
/// As `rq_jar_len`; `parts` has room for 4. The slices stay valid until
/// the jar changes.
#[no_mangle]
pub unsafe extern "C" fn rq_jar_nth(j: *mut rq_jar_t, i: usize, parts: *mut rq_bytes_t) -> bool {
    // SAFETY: as documented.
    let (Some(j), false) = (unsafe { j.as_mut() }, parts.is_null()) else {
        return false;
    };
    let Some(r) = cookie_jar::records(buf_of(j)).nth(i) else {
        return false;
    };
    // SAFETY: `parts` has room for 4 (documented).
    let parts = unsafe { core::slice::from_raw_parts_mut(parts, 4) };
    for (slot, b) in parts.iter_mut().zip([r.name, r.value, r.domain, r.path]) {
        *slot = out(b);
    }
    true
}

/// # Safety
/// As `rq_jar_len`; `domain`/`path` NULL or valid; `value` valid.
#[no_mangle]
pub unsafe extern "C" fn rq_jar_find(
    j: *mut rq_jar_t,
    name: rq_bytes_t,
    domain: *const rq_bytes_t,
    path: *const rq_bytes_t,
    value: *mut rq_bytes_t,
) -> usize {
    // SAFETY: as documented.
    let Some(j) = (unsafe { j.as_mut() }) else {
        return 0;
    };
    let (name, domain, path) = (bytes(&name), opt(domain), opt(path));
    let mut n = 0usize;
    for r in cookie_jar::records(buf_of(j)) {
        if cookie_jar::select(&r, Some(name), domain, path) {
            if n == 0 {
                // SAFETY: valid out-pointer (documented).
                if let Some(v) = unsafe { value.as_mut() } {
                    *v = out(r.value);
                }
            }
            n = n.saturating_add(1);
        }
    }
    n
}

/// # Safety
/// As `rq_jar_find`; `stored` valid.
#[no_mangle]
pub unsafe extern "C" fn rq_jar_set(
    j: *mut rq_jar_t,
    name: rq_bytes_t,
    value: rq_bytes_t,
    domain: *const rq_bytes_t,
    path: *const rq_bytes_t,
    stored: *mut bool,
) -> rq_err_t {
    // SAFETY: as documented.
    let (Some(j), Some(stored)) = (unsafe { j.as_mut() }, unsafe { stored.as_mut() }) else {
        return core::ptr::null_mut();
    };
    *stored = false;
    let (name, value) = (bytes(&name), bytes(&value));
    if !cookie::valid_pair(name, value) {
        return core::ptr::null_mut();
    }
    let domain = opt(domain).map(|d| d.strip_prefix(b".").unwrap_or(d));
    let c = Cookie {
        name,
        value,
        domain: domain.unwrap_or(&[]),
        path: opt(path).unwrap_or(b"/"),
        host_only: false,
        secure: false,
        http_only: false,
        expires: 0,
        gone: false,
    };
    if !cookie_jar::fits(&c) {
        return core::ptr::null_mut();
    }
    let tick = ticks_ms();
    if !j.buf.is_null() {
        Jar::new(buf_of(j)).advance(tick);
    }
    match store(j, &c, tick) {
        Ok(ok) => {
            *stored = ok;
            core::ptr::null_mut()
        }
        Err(e) => e.into_obj(),
    }
}

/// # Safety
/// As `rq_jar_find`.
#[no_mangle]
pub unsafe extern "C" fn rq_jar_remove(
    j: *mut rq_jar_t,
    name: *const rq_bytes_t,
    domain: *const rq_bytes_t,
    path: *const rq_bytes_t,
) -> usize {
    // SAFETY: as documented.
    let Some(j) = (unsafe { j.as_mut() }) else {
        return 0;
    };
    Jar::new(buf_of(j)).remove(opt(name), opt(domain), opt(path))
}

/// # Safety
/// `name` and `value` valid out-pointers; the slices point into `line`.
#[no_mangle]
pub unsafe extern "C" fn rq_cookie_accepted(
    line: rq_bytes_t,
    url_text: rq_bytes_t,
    date: rq_bytes_t,
    name: *mut rq_bytes_t,
    value: *mut rq_bytes_t,
) -> bool {
    let (line, ub, date) = (bytes(&line), bytes(&url_text), bytes(&date));
    let Ok(u) = url::parse(ub) else {
        return false;
    };
    let Some(sc) = cookie::parse(line) else {
        return false;
    };
    let date = cookie_date::parse(date);
    match cookie_jar::accept(&sc, &origin(&u), 0, date) {
        Some(c) if !c.gone => {
            // SAFETY: valid out-pointers (documented).
            if let (Some(n), Some(v)) = (unsafe { name.as_mut() }, unsafe { value.as_mut() }) {
                *n = out(c.name);
                *v = out(c.value);
            }
            true
        }
        _ => false,
    }
}
