//! Borrow-or-refuse for a session's state: every `#[no_mangle]` entry that
//! works on a session or one of its responses holds an `Owned` for its whole
//! run, so no two `&mut` to that state ever live at once, whichever thread
//! or callback comes in meanwhile (cmodule/session_owner.c takes and gives).

use super::error::{check, runtime_error, PyResult};
use super::ffi::*;

/// The session held by the calling thread until this is dropped.
pub struct Owned {
    s: *mut rq_session_t,
}

impl Owned {
    /// Takes `s`: waits while another thread holds it; refuses (RuntimeError)
    /// when this thread already does.
    ///
    /// # Safety
    /// `s` points into a live Session or AsyncSession object that stays
    /// reachable while the guard lives (the caller's arguments keep it).
    pub unsafe fn take(s: *mut rq_session_t) -> PyResult<Owned> {
        // SAFETY: as documented.
        check(unsafe { rq_session_take(s) })?;
        Ok(Owned { s })
    }

    /// The session of response `r`.
    ///
    /// # Safety
    /// `r` points into a live Response object; its `session` is the Session
    /// or AsyncSession it was made by (set once, when it was made).
    pub unsafe fn of_response(r: *const rq_response_t) -> PyResult<Owned> {
        // SAFETY: as documented.
        unsafe { Self::take(rq_session_state((*r).session)) }
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: `s` was taken by this guard and is still alive (see take).
        unsafe { rq_session_give(self.s) };
    }
}

/// For entries that run only inside another entry's hold (the decoder's raw
/// reads): refuses a call from anywhere else.
///
/// # Safety
/// As `Owned::of_response`.
pub unsafe fn require_held(r: *const rq_response_t) -> PyResult<()> {
    // SAFETY: as documented.
    if unsafe { rq_session_held(rq_session_state((*r).session)) } {
        Ok(())
    } else {
        Err(runtime_error!(
            "Session is busy: raw body read outside a body read",
        ))
    }
}
