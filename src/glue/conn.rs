//! Sockets: opening them through the pool (blocking, or non-blocking for
//! AsyncSession), the session's idle keep-alive list, and byte transfer
//! through the socket shims. What a non-blocking call could not finish is
//! returned as a `Wait`, never as an error.

use super::ffi::*;
use super::py::Obj;
use super::py::{bytes_of, check, PyResult};
use super::sessionref::SessionRef;
use crate::engine::encode::eq_ignore_case;
use crate::engine::reuse::{idle_reusable, IdleProbe, LinkStatus};
use crate::engine::timeout;
use core::ptr;

/// What a non-blocking socket call waits for before it can go on.
#[derive(Clone, Copy)]
pub enum Wait {
    Read(Obj),
    Write(Obj),
}

/// A socket call that finished, or what it waits for.
pub enum Io<T> {
    Done(T),
    Wait(Wait),
}

fn wait_on(sock: Obj, w: rq_poll_t) -> Option<Wait> {
    match w {
        rq_poll_t::RQ_POLL_READ => Some(Wait::Read(sock)),
        rq_poll_t::RQ_POLL_WRITE => Some(Wait::Write(sock)),
        _ => None,
    }
}

pub fn set_timeout(sock: Obj, raw: Obj, timeout: Obj) -> PyResult<()> {
    // SAFETY: sock/raw are live socket objects (raw may be NULL).
    check(unsafe { rq_sock_settimeout(sock, raw, timeout) })
}

/// How `rq_conn_t::sock_timeout` records a timeout of `ms` (-1: none).
fn timeout_mark(ms: i32) -> i32 {
    ms.max(-1).saturating_add(2)
}

/// Gives the connection's socket the read timeout `timeout` (`ms` its
/// milliseconds), unless it has it already: a kept-alive socket keeps it
/// from one request to the next.
pub fn ensure_timeout(c: &mut rq_conn_t, timeout: Obj, ms: i32) -> PyResult<()> {
    let mark = timeout_mark(ms);
    if c.sock_timeout == mark {
        return Ok(());
    }
    c.sock_timeout = 0;
    set_timeout(c.sock, c.raw_sock, timeout)?;
    c.sock_timeout = mark;
    Ok(())
}

/// Sets a socket's timeout in milliseconds (-1: none).
pub fn settimeout_ms(c: &mut rq_conn_t, ms: i32) -> PyResult<()> {
    c.sock_timeout = 0;
    // SAFETY: sock/raw are live socket objects (raw may be NULL).
    check(unsafe { rq_sock_settimeout_ms(c.sock, c.raw_sock, ms) })?;
    // The shim never sets 0 (non-blocking): it sets 1 ms instead.
    c.sock_timeout = timeout_mark(if ms == 0 { 1 } else { ms });
    Ok(())
}

/// Whether this idle connection may carry a request whose body is
/// `replayable` or not: checked without waiting (engine::reuse). Only an
/// interrupt is an error.
pub fn still_usable(c: &mut rq_conn_t, replayable: bool) -> PyResult<bool> {
    let mut probe = rq_idle_probe_t::RQ_IDLE_UNKNOWN;
    // SAFETY: sock/raw are live socket objects; out-pointers are valid.
    check(unsafe { rq_sock_probe_idle(c.sock, c.raw_sock, &mut probe, &mut c.sock_timeout) })?;
    let probe = match probe {
        rq_idle_probe_t::RQ_IDLE_QUIET => IdleProbe::Quiet,
        rq_idle_probe_t::RQ_IDLE_READABLE => IdleProbe::Readable,
        rq_idle_probe_t::RQ_IDLE_FAILED => IdleProbe::Failed,
        rq_idle_probe_t::RQ_IDLE_UNKNOWN => IdleProbe::Unknown,
        rq_idle_probe_t::RQ_IDLE_EMPTY_UP => IdleProbe::EmptyRead(LinkStatus::Up),
        rq_idle_probe_t::RQ_IDLE_EMPTY_DOWN => IdleProbe::EmptyRead(LinkStatus::Down),
        rq_idle_probe_t::RQ_IDLE_EMPTY_UNKNOWN => IdleProbe::EmptyRead(LinkStatus::Unknown),
    };
    Ok(idle_reusable(probe, replayable))
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

/// Sends all of `data` on a blocking socket.
pub fn send(sock: Obj, data: &[u8], timeout_ms: i32) -> PyResult<()> {
    if data.is_empty() {
        return Ok(());
    }
    // SAFETY: data is valid for its length during the call.
    check(unsafe { rq_sock_send(sock, data.as_ptr(), data.len(), timeout_ms) })
}

/// Sends what the socket takes without waiting.
pub fn send_nb(sock: Obj, data: &[u8]) -> PyResult<Io<usize>> {
    let mut sent = 0usize;
    let mut w = rq_poll_t::RQ_POLL_READY;
    // SAFETY: data is valid for its length; out-pointers are valid.
    check(unsafe { rq_sock_send_nb(sock, data.as_ptr(), data.len(), &mut sent, &mut w) })?;
    Ok(match wait_on(sock, w) {
        Some(wait) if sent == 0 => Io::Wait(wait),
        _ => Io::Done(sent.min(data.len())),
    })
}

/// Receives into `buf`: Done(0) means the peer closed. A non-blocking
/// socket's receive that would wait says so instead.
pub fn recv(sock: Obj, nonblocking: bool, buf: &mut [u8]) -> PyResult<Io<usize>> {
    let mut got = 0usize;
    if nonblocking {
        let mut w = rq_poll_t::RQ_POLL_READY;
        // SAFETY: buf is valid for writes of its length; out-pointers are valid.
        check(unsafe { rq_sock_recv_nb(sock, buf.as_mut_ptr(), buf.len(), &mut got, &mut w) })?;
        if let Some(wait) = wait_on(sock, w) {
            return Ok(Io::Wait(wait));
        }
    } else {
        // SAFETY: buf is valid for writes of its length during the call.
        check(unsafe { rq_sock_recv(sock, buf.as_mut_ptr(), buf.len(), &mut got) })?;
    }
    Ok(Io::Done(got.min(buf.len())))
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
        && bytes_of(&slot.host).is_some_and(|h| eq_ignore_case(h, host))
}

/// Moves an idle connection for (scheme, host, port) into `c`.
pub fn take_idle(
    idle: &mut [rq_idle_t],
    c: &mut rq_conn_t,
    https: bool,
    host: &[u8],
    port: u16,
) -> bool {
    let Some(slot) = idle
        .iter_mut()
        .find(|slot| same_key(slot, https, host, port))
    else {
        return false;
    };
    c.sock = slot.sock;
    c.raw_sock = slot.raw_sock;
    c.sock_timeout = slot.sock_timeout;
    c.host = slot.host;
    c.port = slot.port;
    c.https = slot.https;
    if c.buf.is_null() && !slot.buf.is_null() {
        c.buf = slot.buf;
        c.buf_cap = slot.buf_cap;
    }
    *slot = rq_idle_t::default();
    true
}

/// Keeps the connection of `c` for reuse (when every slot is taken the
/// oldest connection is closed) and leaves `c` without a socket.
pub fn put_idle(idle: &mut [rq_idle_t], closed: bool, c: &mut rq_conn_t) {
    let sock = core::mem::replace(&mut c.sock, ptr::null_mut());
    let sock_timeout = core::mem::take(&mut c.sock_timeout);
    if closed || c.host.is_null() {
        // A closed session keeps nothing; a socket handed to Response(sock)
        // has no key anyone could ask for again.
        close_sock(sock);
        return;
    }
    let key = bytes_of(&c.host).unwrap_or(&[]);
    let https = c.https != 0;
    // A Session has one connection in use at a time, so an older idle one
    // to the same place is surplus; an AsyncSession's concurrent requests
    // each come back with theirs, and all are worth keeping.
    if !c.nonblocking {
        for slot in idle.iter_mut() {
            if same_key(slot, https, key, c.port) {
                close_sock(slot.sock);
                *slot = rq_idle_t::default();
            }
        }
    }
    let free = match idle.iter().position(|slot| slot.sock.is_null()) {
        Some(i) => i,
        None => {
            if let Some(first) = idle.first() {
                close_sock(first.sock);
            }
            // Oldest out, the rest move up one (swaps: no memmove linked).
            let last = idle.len().saturating_sub(1);
            for i in 0..last {
                idle.swap(i, i.saturating_add(1));
            }
            last
        }
    };
    // An AsyncSession connection takes its buffer along, so the next
    // exchange on it allocates none; a Session's buffer is its own.
    let (buf, buf_cap) = if c.nonblocking {
        (
            core::mem::replace(&mut c.buf, ptr::null_mut()),
            core::mem::take(&mut c.buf_cap),
        )
    } else {
        (ptr::null_mut(), 0)
    };
    if let Some(slot) = idle.get_mut(free) {
        *slot = rq_idle_t {
            sock,
            raw_sock: c.raw_sock,
            host: c.host,
            buf,
            buf_cap,
            sock_timeout,
            port: c.port,
            https: c.https,
        };
    }
}

pub fn close_all_idle(idle: &mut [rq_idle_t]) -> usize {
    let mut n = 0usize;
    for slot in idle.iter_mut() {
        if !slot.sock.is_null() {
            close_sock(slot.sock);
            n = n.saturating_add(1);
        }
        *slot = rq_idle_t::default();
    }
    n
}

/// The connection's key, set before it is opened.
pub fn set_key(c: &mut rq_conn_t, https: bool, host: Obj, port: u16) {
    c.host = host;
    c.port = port;
    c.https = u8::from(https);
}

/// A blocking connection as `open` made it.
#[derive(Clone, Copy)]
pub struct Opened {
    /// When the connect budget started (ticks_ms).
    pub started: u32,
    /// The TLS handshake is left to the first non-blocking sends (the
    /// firmware's own sockets), under the same budget.
    pub handshaking: bool,
}

fn open_once(s: &SessionRef, c: &mut rq_conn_t, timeout: Obj, timeout_ms: i32) -> PyResult<Opened> {
    let mut sock = ptr::null_mut();
    let mut raw = ptr::null_mut();
    let mut started = 0u32;
    let mut handshaking = false;
    // SAFETY: pool/ssl_context/host are live objects; out-pointers are valid.
    check(unsafe {
        rq_open_connection(
            s.pool(),
            s.ssl_context(),
            c.host,
            c.port,
            c.https != 0,
            timeout,
            timeout_ms,
            &mut sock,
            &mut raw,
            &mut started,
            &mut handshaking,
        )
    })?;
    c.sock = sock;
    c.raw_sock = raw;
    Ok(Opened {
        started,
        handshaking,
    })
}

/// A fresh blocking connection for the key in `c`. When the pool cannot give
/// one while idle sockets are held (boards have few sockets), those are
/// closed and it is tried once more. Not after a timeout, which a second try
/// would only make the caller wait out twice, nor after an interrupt, which
/// must reach the caller.
pub fn open(
    s: &mut SessionRef,
    c: &mut rq_conn_t,
    timeout: Obj,
    timeout_ms: i32,
) -> PyResult<Opened> {
    match open_once(s, c, timeout, timeout_ms) {
        Ok(o) => Ok(o),
        Err(e) => {
            // SAFETY: e is an exception object from the shim.
            if e.is_out_of_sockets() && close_all_idle(s.idle()) > 0 {
                open_once(s, c, timeout, timeout_ms)
            } else {
                Err(e)
            }
        }
    }
}

/// What is left of a connect budget, as the next wait's timeout for the C
/// layer (see rq_ffi.h): -1 none, 0 spent, else milliseconds.
#[no_mangle]
pub extern "C" fn rq_budget_wait_ms(started: u32, now: u32, budget_ms: i32) -> i32 {
    timeout::left(started, now, budget_ms)
        .wait_ms()
        .unwrap_or(0)
}

/// Waits until the socket of `w` is ready (or failed), at most `timeout_ms`
/// (-1: no limit). Only an interrupt is an error.
pub fn wait(w: Wait, timeout_ms: i32) -> PyResult<()> {
    let (dir, sock) = match w {
        Wait::Read(s) => (rq_poll_t::RQ_POLL_READ, s),
        Wait::Write(s) => (rq_poll_t::RQ_POLL_WRITE, s),
    };
    // SAFETY: sock is the live socket the wait is for.
    check(unsafe { rq_sock_wait(sock, dir, timeout_ms) })
}

/// Starts a non-blocking connection for the key in `c`: Done once connected
/// (TLS not yet), else what to wait for before `finish_nb`.
pub fn start_nb(s: &mut SessionRef, c: &mut rq_conn_t) -> PyResult<Io<()>> {
    let mut raw = ptr::null_mut();
    let mut w = rq_poll_t::RQ_POLL_READY;
    let (pool, host, port) = (s.pool(), c.host, c.port);
    let start = |raw: &mut Obj, w: &mut rq_poll_t| {
        // SAFETY: pool/host are live objects; out-pointers are valid.
        check(unsafe { rq_connect_nb_start(pool, host, port, raw, w) })
    };
    if let Err(e) = start(&mut raw, &mut w) {
        // SAFETY: e is an exception object from the shim.
        if !(e.is_out_of_sockets() && close_all_idle(s.idle()) > 0) {
            return Err(e);
        }
        start(&mut raw, &mut w)?;
    }
    c.raw_sock = raw;
    // The raw socket is ours from here on: `sock` is what gets closed.
    c.sock = raw;
    Ok(match wait_on(raw, w) {
        Some(wait) => Io::Wait(wait),
        None => Io::Done(()),
    })
}

/// The non-blocking connection is up: wraps it for TLS (the handshake runs
/// in the first sends and receives).
pub fn finish_nb(s: &SessionRef, c: &mut rq_conn_t) -> PyResult<()> {
    let mut sock = ptr::null_mut();
    // SAFETY: raw/ssl_context/host are live objects; out-pointer is valid.
    check(unsafe {
        rq_connect_nb_finish(c.raw_sock, s.ssl_context(), c.host, c.https != 0, &mut sock)
    })?;
    c.sock = sock;
    Ok(())
}
