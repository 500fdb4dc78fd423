//! A Session seen from code that may also hold its live connection
//! (`rq_session_t::live`): every access goes to one field at a time, so no
//! reference to the whole session ever overlaps a borrow of that
//! connection.

use super::ffi::*;
use super::py::Obj;

pub struct SessionRef {
    p: *mut rq_session_t,
    obj: Obj,
}

impl SessionRef {
    /// # Safety
    /// `obj` is a live Session or AsyncSession object; the caller keeps it
    /// reachable (on its stack or from a live object) while this is used.
    pub unsafe fn of(obj: Obj) -> Self {
        SessionRef {
            // SAFETY: as documented.
            p: unsafe { rq_session_state(obj) },
            obj,
        }
    }

    /// # Safety
    /// As `of`, with `p` the state inside `obj`.
    pub unsafe fn from_parts(p: *mut rq_session_t, obj: Obj) -> Self {
        SessionRef { p, obj }
    }

    pub fn obj(&self) -> Obj {
        self.obj
    }

    /// For shims that take the session (its string cache).
    pub fn raw(&self) -> *mut rq_session_t {
        self.p
    }

    pub fn idle(&mut self) -> &mut [rq_idle_t] {
        // SAFETY: a borrow of the idle list alone, tied to `&mut self`;
        // nothing else in this crate borrows that field meanwhile.
        unsafe { &mut (*self.p).idle }
    }

    pub fn live(&self) -> *mut rq_conn_t {
        // SAFETY: only the address is taken; no reference is made.
        unsafe { core::ptr::addr_of_mut!((*self.p).live) }
    }

    pub fn pool(&self) -> Obj {
        // SAFETY: a read of one field through the raw pointer.
        unsafe { (*self.p).pool }
    }

    pub fn ssl_context(&self) -> Obj {
        // SAFETY: as above.
        unsafe { (*self.p).ssl_context }
    }

    pub fn closed(&self) -> bool {
        // SAFETY: as above.
        unsafe { (*self.p).closed }
    }

    pub fn set_closed(&mut self, v: bool) {
        // SAFETY: a write of one field through the raw pointer.
        unsafe { (*self.p).closed = v };
    }

    pub fn nonblocking(&self) -> bool {
        // SAFETY: as above.
        unsafe { (*self.p).nonblocking }
    }

    pub fn max_head_bytes(&self) -> usize {
        // SAFETY: as above.
        unsafe { (*self.p).max_head_bytes }
    }

    pub fn max_headers(&self) -> usize {
        // SAFETY: as above.
        unsafe { (*self.p).max_headers }
    }

    pub fn stateless(&self) -> bool {
        // SAFETY: as above.
        unsafe { (*self.p).stateless }
    }

    /// The state of the session's CookieJar, or NULL when it has none.
    pub fn jar(&self) -> *mut rq_jar_t {
        // SAFETY: as above; the CookieJar object is kept by the session.
        let o = unsafe { (*self.p).cookies };
        if o.is_null() {
            return core::ptr::null_mut();
        }
        // SAFETY: `cookies` is a CookieJar object when not NULL.
        unsafe { rq_jar_state(o) }
    }

    pub fn last_response(&self) -> Obj {
        // SAFETY: as above.
        unsafe { (*self.p).last_response }
    }

    pub fn set_last_response(&mut self, o: Obj) {
        // SAFETY: as above.
        unsafe { (*self.p).last_response = o };
    }
}
