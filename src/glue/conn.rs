//! Connections: opening sockets through the pool, the per-Session idle
//! keep-alive list, and byte transfer through the socket shims.

use super::ffi::*;
use super::py::{bytes_of, check, Obj, PyResult};
use crate::engine::encode::eq_ignore_case;
use crate::engine::reuse::{idle_reusable, IdleProbe};
use crate::engine::timeout;
use core::ptr;

/// An open connection. Dropping it closes the socket, so every early return
/// on an error path releases it; `release` hands the socket on instead.
pub struct Conn {
    sock: Obj,
    pub raw: Obj,
    pub host: Obj,
    pub port: u16,
    pub https: bool,
    /// Taken from the idle list rather than freshly connected.
    pub reused: bool,
}

impl Conn {
    /// A socket the caller connected and wrote to itself (Response(sock)):
    /// it has no keep-alive key, so it is closed rather than kept idle.
    pub fn adopted(sock: Obj) -> Self {
        Conn {
            sock,
            raw: sock,
            host: ptr::null_mut(),
            port: 0,
            https: false,
            reused: false,
        }
    }

    pub fn sock(&self) -> Obj {
        self.sock
    }

    /// Gives up ownership of the socket without closing it.
    pub fn release(mut self) -> Obj {
        core::mem::replace(&mut self.sock, ptr::null_mut())
    }

    pub fn set_timeout(&self, timeout: Obj) -> PyResult<()> {
        // SAFETY: sock/raw are live socket objects (raw may be NULL).
        check(unsafe { rq_sock_settimeout(self.sock, self.raw, timeout) })
    }

    /// Whether this idle connection may carry a request: checked without
    /// waiting (engine::reuse). Only an interrupt is an error.
    pub fn still_usable(&self) -> PyResult<bool> {
        let mut probe = rq_idle_probe_t::RQ_IDLE_UNKNOWN;
        // SAFETY: sock/raw are live socket objects; probe is a valid out-pointer.
        check(unsafe { rq_sock_probe_idle(self.sock, self.raw, &mut probe) })?;
        Ok(idle_reusable(match probe {
            rq_idle_probe_t::RQ_IDLE_QUIET => IdleProbe::Quiet,
            rq_idle_probe_t::RQ_IDLE_READABLE => IdleProbe::Readable,
            rq_idle_probe_t::RQ_IDLE_FAILED => IdleProbe::Failed,
            rq_idle_probe_t::RQ_IDLE_UNKNOWN => IdleProbe::Unknown,
        }))
    }
}

/// Sets a socket's timeout in milliseconds (-1: none).
pub fn settimeout_ms(sock: Obj, raw: Obj, ms: i32) -> PyResult<()> {
    // SAFETY: sock/raw are live socket objects (raw may be NULL).
    check(unsafe { rq_sock_settimeout_ms(sock, raw, ms) })
}

/// Checks a timeout for the C layer (see rq_ffi.h).
///
/// # Safety
/// `capped` and `ms` must be valid for writes.
#[no_mangle]
pub unsafe extern "C" fn rq_timeout_check(secs: f64, capped: *mut f64, ms: *mut i32) -> i32 {
    match timeout::check(secs) {
        Ok(t) => {
            // SAFETY: as documented.
            unsafe {
                *capped = t.secs;
                *ms = t.ms;
            }
            i32::from(t.capped)
        }
        Err(_) => -1,
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if !self.sock.is_null() {
            // SAFETY: closing never raises; the handle is live.
            unsafe { rq_sock_close(self.sock) };
        }
    }
}

pub fn send(sock: Obj, data: &[u8], timeout_ms: i32) -> PyResult<()> {
    if data.is_empty() {
        return Ok(());
    }
    // SAFETY: data is valid for its length during the call.
    check(unsafe { rq_sock_send(sock, data.as_ptr(), data.len(), timeout_ms) })
}

/// Receives into `buf`; Ok(0) means the peer closed.
pub fn recv(sock: Obj, buf: &mut [u8]) -> PyResult<usize> {
    let mut got = 0usize;
    // SAFETY: buf is valid for writes of its length during the call.
    check(unsafe { rq_sock_recv(sock, buf.as_mut_ptr(), buf.len(), &mut got) })?;
    Ok(got.min(buf.len()))
}

pub fn close_sock(sock: Obj) {
    if !sock.is_null() {
        // SAFETY: closing never raises.
        unsafe { rq_sock_close(sock) };
    }
}

fn same_key(slot: &rq_idle_t, https: bool, host: &[u8], port: u16) -> bool {
    !slot.sock.is_null()
        && (slot.https != 0) == https
        && slot.port == port
        && bytes_of(slot.host).is_some_and(|h| eq_ignore_case(h, host))
}

/// An idle connection for (scheme, host, port), removed from the list.
pub fn take_idle(s: &mut rq_session_t, https: bool, host: &[u8], port: u16) -> Option<Conn> {
    let slot = s
        .idle
        .iter_mut()
        .find(|slot| same_key(slot, https, host, port))?;
    let conn = Conn {
        sock: slot.sock,
        raw: slot.raw_sock,
        host: slot.host,
        port: slot.port,
        https: slot.https != 0,
        reused: true,
    };
    *slot = rq_idle_t::default();
    Some(conn)
}

/// Keeps a connection for reuse: one per key; when every slot is taken the
/// oldest connection is closed.
pub fn put_idle(s: &mut rq_session_t, sock: Obj, raw: Obj, host: Obj, port: u16, https: bool) {
    if s.closed {
        close_sock(sock);
        return;
    }
    let key = bytes_of(host).unwrap_or(&[]);
    for slot in s.idle.iter_mut() {
        if same_key(slot, https, key, port) {
            close_sock(slot.sock);
            *slot = rq_idle_t::default();
        }
    }
    let free = match s.idle.iter().position(|slot| slot.sock.is_null()) {
        Some(i) => i,
        None => {
            if let Some(first) = s.idle.first() {
                close_sock(first.sock);
            }
            // Oldest out, the rest move up one (swaps: no memmove linked).
            let last = s.idle.len().saturating_sub(1);
            for i in 0..last {
                s.idle.swap(i, i.saturating_add(1));
            }
            last
        }
    };
    if let Some(slot) = s.idle.get_mut(free) {
        *slot = rq_idle_t {
            sock,
            raw_sock: raw,
            host,
            port,
            https: u8::from(https),
        };
    }
}

pub fn close_all_idle(s: &mut rq_session_t) -> usize {
    let mut n = 0usize;
    for slot in s.idle.iter_mut() {
        if !slot.sock.is_null() {
            close_sock(slot.sock);
            n = n.saturating_add(1);
        }
        *slot = rq_idle_t::default();
    }
    n
}

fn open_once(s: &rq_session_t, https: bool, host: Obj, port: u16, timeout: Obj) -> PyResult<Conn> {
    let mut sock = ptr::null_mut();
    let mut raw = ptr::null_mut();
    // SAFETY: pool/ssl_context/host are live objects; out-pointers are valid.
    check(unsafe {
        rq_open_connection(
            s.pool,
            s.ssl_context,
            host,
            port,
            https,
            timeout,
            &mut sock,
            &mut raw,
        )
    })?;
    Ok(Conn {
        sock,
        raw,
        host,
        port,
        https,
        reused: false,
    })
}

/// A fresh connection. When the pool cannot give one while idle sockets are
/// held (boards have few sockets), those are closed and it is tried once more.
/// Not after a timeout, which a second try would only make the caller wait
/// out twice, nor after an interrupt, which must reach the caller.
pub fn open(
    s: &mut rq_session_t,
    https: bool,
    host: Obj,
    port: u16,
    timeout: Obj,
) -> PyResult<Conn> {
    match open_once(s, https, host, port, timeout) {
        Ok(c) => Ok(c),
        Err(e) => {
            // Only when the pool ran out of sockets: a refused connection, a
            // timeout or a Ctrl-C must not cost the idle ones or a second wait.
            // SAFETY: e is an exception object from the shim.
            if unsafe { rq_exc_is_out_of_sockets(e.0) } && close_all_idle(s) > 0 {
                open_once(s, https, host, port, timeout)
            } else {
                Err(e)
            }
        }
    }
}
