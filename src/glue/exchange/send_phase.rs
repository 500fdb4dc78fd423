//! The exchange's sending phase: the request head written into the
//! connection buffer, then the head and body on the wire — with blocking
//! sends to the end, or non-blocking ones that stop where the socket
//! would block.

use super::{Exchange, Phase};
use crate::engine::writer::Writer;
use crate::glue::conn::{self, Io, Wait};
use crate::glue::ffi::rq_tls_handshake_failed;
use crate::glue::head::Failed;
use crate::glue::live;
use crate::glue::py::*;
use crate::glue::req_cache;
use crate::glue::request::{write_head, HeadSpec, Source};
use crate::glue::send::{send_body, Sender};
use core::ptr;

impl Exchange {
    pub(super) fn start_send(&mut self) {
        if self.nonblocking {
            self.since = ticks_ms();
        }
        self.phase = Phase::Send {
            sent: 0,
            in_buf: 0,
            total: 0,
        };
    }

    /// Writes the request head into the connection buffer (growing it once
    /// when the head does not fit) and returns its length.
    pub(super) fn write_request_head(&mut self) -> PyResult<usize> {
        let (url_obj, method_obj) = (self.url_obj, self.method_obj);
        // A redirect's next hop is another request.
        let cacheable = self.cacheable && self.hops == 0;
        if cacheable && req_cache::lookup(self.s, url_obj.obj(), method_obj.obj()).is_some() {
            let head = req_cache::head(self.s);
            // SAFETY: as in `conn()`; the cached head is the session's own
            // block, separate from the connection buffer.
            let c = unsafe { &mut *self.conn };
            live::ensure_buf(c, head.len())?;
            if let Some(dst) = live::buffer(c).get_mut(..head.len()) {
                dst.copy_from_slice(head);
                return Ok(head.len());
            }
        }
        let head_len = self.write_head_bytes()?;
        if cacheable {
            // SAFETY: as in `conn()`: the connection is separate memory
            // from `self`, whose fields are read alongside.
            let c = unsafe { &mut *self.conn };
            let written = live::buffer(c).get(..head_len).unwrap_or(&[]);
            req_cache::store(
                self.s,
                url_obj.obj(),
                method_obj.obj(),
                &self.url,
                self.authorization,
                written,
            );
        }
        Ok(head_len)
    }

    fn write_head_bytes(&mut self) -> PyResult<usize> {
        let (url_obj, method_obj) = (self.url_obj, self.method_obj);
        let u = self.url.of(url_obj.bytes());
        let spec = HeadSpec {
            method: method_obj.bytes(),
            url: &u,
            headers: self.a.headers,
            body: &self.body,
            authorization: self.authorization,
            dropped: self.dropped,
            jar: self.session().jar(),
            cookies: self.a.cookies,
        };
        let overrides = self.overrides;
        // SAFETY: as in `conn()`: the connection is separate memory from
        // `self`, whose fields `spec` borrows.
        let c = unsafe { &mut *self.conn };
        live::ensure_buf(c, live::INITIAL_BUF)?;
        let (head_len, fits) = {
            let mut w = Writer::new(live::buffer(c));
            write_head(&mut w, &spec, &overrides)?;
            if w.overflowed() {
                (w.needed(), false)
            } else {
                (w.written().len(), true)
            }
        };
        if fits {
            return Ok(head_len);
        }
        live::ensure_buf(c, head_len)?;
        let mut w = Writer::new(live::buffer(c));
        write_head(&mut w, &spec, &overrides)?;
        Ok(w.written().len())
    }

    /// Sends the request. Only a failed send says something about the
    /// connection; an error of the body's own source is the caller's.
    pub(super) fn send(&mut self) -> Result<Io<()>, Failed> {
        let Phase::Send {
            mut sent,
            mut in_buf,
            mut total,
        } = self.phase
        else {
            return Ok(Io::Done(()));
        };
        if !self.nonblocking {
            return self.send_blocking(total);
        }
        if total == 0 {
            let head_len = self
                .write_request_head()
                .map_err(|e| Failed::other(e, false))?;
            (in_buf, total) = self.stage_body(head_len);
        }
        let body_obj = self.body_obj();
        let body_bytes = bytes_of(&body_obj).unwrap_or(&[]);
        while sent < total {
            let c = self.conn();
            let sock = c.sock;
            let buf = live::buffer(c);
            let piece = if sent < in_buf {
                buf.get(sent..in_buf).unwrap_or(&[])
            } else {
                body_bytes.get(sent.saturating_sub(in_buf)..).unwrap_or(&[])
            };
            let res = conn::send_nb(sock, piece);
            match res {
                Ok(Io::Done(n)) if n > 0 => {
                    sent = sent.saturating_add(n);
                    self.since = ticks_ms();
                    self.handshaking = false;
                }
                Ok(Io::Done(_)) | Ok(Io::Wait(_)) => {
                    let w = match res {
                        Ok(Io::Wait(w)) => w,
                        _ => Wait::Write(sock),
                    };
                    self.phase = Phase::Send {
                        sent,
                        in_buf,
                        total,
                    };
                    return Ok(Io::Wait(w));
                }
                Err(e) if self.handshaking => return Err(self.handshake_failed(e)),
                Err(e) => {
                    return self.failed_send(Failed::io(e, false));
                }
            }
        }
        self.start_head();
        Ok(Io::Done(()))
    }

    /// The blocking send: the head, then the body, with blocking sends. On
    /// a fresh TLS connection of the firmware's own sockets the handshake
    /// runs first, in non-blocking steps inside the first send of the head
    /// (as on an AsyncSession); where one would block the driver waits
    /// under the connect budget and polls again. `total` is the head's
    /// length once it was written (0 before).
    fn send_blocking(&mut self, total: usize) -> Result<Io<()>, Failed> {
        let head_len = if total == 0 {
            self.write_request_head()
                .map_err(|e| Failed::other(e, false))?
        } else {
            total
        };
        let mut sent = 0usize;
        if self.handshaking {
            match self.handshake_step(head_len)? {
                Io::Done(n) => sent = n,
                Io::Wait(w) => {
                    self.phase = Phase::Send {
                        sent: 0,
                        in_buf: head_len,
                        total: head_len,
                    };
                    return Ok(Io::Wait(w));
                }
            }
        }
        let timeout_ms = self.a.read_timeout_ms;
        // SAFETY: as in `conn()`; separate memory from `self.body`.
        let c = unsafe { &mut *self.conn };
        let sock = c.sock;
        let mut out = Sender {
            sock,
            buf: live::buffer(c).get_mut(sent..).unwrap_or(&mut []),
            len: head_len.saturating_sub(sent),
            failed: false,
            timeout_ms,
        };
        if let Err(e) = send_body(&mut out, &self.body) {
            let f = if out.failed {
                Failed::io(e, false)
            } else {
                Failed::other(e, false)
            };
            return self.failed_send(f);
        }
        self.start_head();
        Ok(Io::Done(()))
    }

    /// One non-blocking send of the head's first bytes, which drives the
    /// handshake: Done(n) once it is over and n bytes went out (the socket
    /// is then blocking again, with the read timeout). Its errors are the
    /// connect's, raised as they came (never a resend).
    fn handshake_step(&mut self, head_len: usize) -> Result<Io<usize>, Failed> {
        let (read_timeout, read_timeout_ms) = (self.a.read_timeout, self.a.read_timeout_ms);
        let c = self.conn();
        let sock = c.sock;
        let piece = live::buffer(c).get(..head_len).unwrap_or(&[]);
        let n = match conn::send_nb(sock, piece) {
            Ok(Io::Done(n)) if n > 0 => n,
            Ok(Io::Done(_)) => return Ok(Io::Wait(Wait::Write(sock))),
            Ok(Io::Wait(w)) => return Ok(Io::Wait(w)),
            Err(e) => return Err(self.handshake_failed(e)),
        };
        self.handshaking = false;
        let c = self.conn();
        // The handshake left the socket non-blocking behind the record of
        // its timeout: the record is reset, then set with the timeout.
        c.sock_timeout = 0;
        conn::ensure_timeout(c, read_timeout, read_timeout_ms)
            .map_err(|e| Failed::other(e, false))?;
        Ok(Io::Done(n))
    }

    /// The handshake failed: a connect error, raised as it came. The
    /// socket under the TLS object may need closing on its own
    /// (rq_tls_handshake_failed); the exchange's abort closes the rest.
    fn handshake_failed(&mut self, e: Exc) -> Failed {
        let raw = self.conn().raw_sock;
        let e_obj = e.into_obj();
        // SAFETY: raw is the connection's live socket; e_obj an exception.
        unsafe { rq_tls_handshake_failed(raw, e_obj) };
        Failed::other(check(e_obj).err().unwrap_or(e), false)
    }

    pub(super) fn failed_send(&mut self, f: Failed) -> Result<Io<()>, Failed> {
        match self.failed(f) {
            Ok(()) => Ok(Io::Done(())),
            Err(e) => Err(Failed::other(e, false)),
        }
    }

    /// The object a str/bytes body is sent from (NULL for other bodies).
    pub(super) fn body_obj(&self) -> Obj {
        match self.body.source {
            Source::Bytes(o) => o,
            _ => ptr::null_mut(),
        }
    }

    /// Non-blocking: a body that fits joins the head in the buffer (one
    /// send); a larger one is sent from its own object after it.
    pub(super) fn stage_body(&mut self, head_len: usize) -> (usize, usize) {
        let body_obj = self.body_obj();
        let body = bytes_of(&body_obj).unwrap_or(&[]);
        let total = head_len.saturating_add(body.len());
        let c = self.conn();
        let buf = live::buffer(c);
        match buf.get_mut(head_len..total) {
            Some(dst) => {
                dst.copy_from_slice(body);
                (total, total)
            }
            None => (head_len, total),
        }
    }
}
