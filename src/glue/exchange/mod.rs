//! One request as a resumable state machine: connection, request, response
//! head, the resend rule and redirects. `poll` runs it as far as it goes;
//! on a blocking Session that is to the end, on an AsyncSession it stops
//! where a socket would block and says what to wait for. One logic, two
//! drivers: `session.rs` (blocking) and `async_exchange.rs`.

use super::body::close_response;
use super::conn::{self, Io, Wait};
use super::cookies;
use super::ffi::*;
use super::head::{Failed, HeadRead, HeadReader};
use super::head_lazy;
use super::live;
use super::py::*;
use super::req_cache;
use super::request::{
    basic_auth, check_framing, check_headers, prepare_body, url_basic_auth, write_form, Body,
    Source,
};
use super::sessionref::SessionRef;
use crate::engine::encode::{before_byte, eq_ignore_case, has_byte};
use crate::engine::redirect::{self, Dropped};
use crate::engine::request::{check_method, Overrides};
use crate::engine::retry::{connection_lost, may_resend};
use crate::engine::timeout;
use crate::engine::url::{self, Scheme, Url, UrlSpans};
use core::ptr;

const MAX_REDIRECTS: u8 = 30;

fn parse_url(url_obj: &Obj) -> PyResult<Url<'_>> {
    let ub = bytes_of(url_obj).unwrap_or(&[]);
    url::parse(ub).map_err(|e| url_error(e, ub))
}

mod send_phase;

fn is_redirect(status: u32) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn with_params(url_obj: Obj, params: Obj) -> PyResult<Obj> {
    let encoded = build(Built::Bytes, &mut |w| write_form(w, params))?;
    let enc = bytes_of(&encoded).unwrap_or(&[]);
    if enc.is_empty() {
        return Ok(url_obj);
    }
    let url = bytes_of(&url_obj).unwrap_or(&[]);
    // The fragment is never sent, so the query goes where it would start.
    let base = before_byte(url, b'#');
    build(Built::Str, &mut |w| {
        w.put(base);
        w.put_byte(if has_byte(base, b'?') { b'&' } else { b'?' });
        w.put(enc);
        Ok(())
    })
}

#[derive(Clone, Copy)]
enum Phase {
    /// Choose an idle connection or open one.
    Connect,
    /// A non-blocking connect is under way.
    Connecting,
    /// The request goes out: `sent` of `total` bytes, the first `in_buf` of
    /// them from the connection buffer, the rest from the body object.
    Send {
        sent: usize,
        in_buf: usize,
        total: usize,
    },
    /// The response head is being read.
    Head(HeadReader),
    /// Finished (a response was handed out, or it failed).
    Over,
}

/// What the exchange still needs of the caller's arguments once it began
/// (the rest went into the body, the URL and the authorization).
#[derive(Clone, Copy)]
struct Args {
    headers: Obj,
    cookies: Obj,
    connect_timeout: Obj,
    read_timeout: Obj,
    connect_timeout_ms: i32,
    read_timeout_ms: i32,
    allow_redirects: bool,
}

impl Args {
    fn of(a: &rq_request_args_t) -> Self {
        Args {
            headers: a.headers,
            cookies: a.cookies,
            connect_timeout: a.connect_timeout,
            read_timeout: a.read_timeout,
            connect_timeout_ms: a.connect_timeout_ms,
            read_timeout_ms: a.read_timeout_ms,
            allow_redirects: a.allow_redirects,
        }
    }
}

pub struct Exchange {
    s: *mut rq_session_t,
    session_obj: Obj,
    a: Args,
    url_obj: HeldStr,
    /// `url_obj` parsed (positions in its text).
    url: UrlSpans,
    method_obj: HeldStr,
    is_head: bool,
    overrides: Overrides,
    body: Body,
    authorization: Obj,
    dropped: Dropped,
    history: Obj,
    hops: u8,
    /// The connection of the current attempt: the Session's `live` slot,
    /// or (AsyncSession) a block of the exchange's own.
    conn: *mut rq_conn_t,
    nonblocking: bool,
    reused: bool,
    resent: bool,
    /// The head depends on nothing but URL and method (req_cache.rs).
    cacheable: bool,
    /// When the current phase last made progress (non-blocking deadlines).
    since: u32,
    /// When the connect budget of the current connection started: it covers
    /// the connect and the TLS handshake together (SPEC §6).
    connect_started: u32,
    /// A fresh TLS connection whose handshake runs inside the first
    /// non-blocking send: until a byte of the request went out, waits are
    /// under the connect budget.
    handshaking: bool,
    phase: Phase,
}

impl Exchange {
    /// Checks the arguments and prepares the request; nothing is sent. The
    /// exchange is written into `slot` (the blocking driver's frame, or the
    /// awaitable's storage) field by field: built as a return value it took
    /// a second copy on the stack and a block move into the slot.
    ///
    /// # Safety
    /// `s` is the state inside the live (Async)Session object `session_obj`;
    /// both stay alive as long as the exchange (the caller's frame or the
    /// awaitable object holds them).
    pub unsafe fn begin_into<'x>(
        slot: &'x mut core::mem::MaybeUninit<Exchange>,
        s: *mut rq_session_t,
        session_obj: Obj,
        a: &rq_request_args_t,
    ) -> PyResult<&'x mut Exchange> {
        // SAFETY: as documented.
        let mut sref = unsafe { SessionRef::from_parts(s, session_obj) };
        // A closed Session may be used again; it only dropped its connections.
        sref.set_closed(false);
        let nonblocking = sref.nonblocking();
        let cacheable = req_cache::eligible(&sref, a);
        let hit = if cacheable {
            req_cache::lookup(s, a.url, a.method)
        } else {
            None
        };
        let (url_text, url, overrides, body, authorization) = match hit {
            // The same request again: already checked, parsed and written.
            Some(hit) => (
                HeldStr::new(a.url),
                hit.spans,
                Overrides::default(),
                Body::EMPTY,
                hit.authorization,
            ),
            None => Self::prepare(a, nonblocking)?,
        };
        let method = HeldStr::new(a.method);
        let conn = if nonblocking {
            live::new_own(a.read_timeout_ms)?
        } else {
            sref.live()
        };
        Ok(slot.write(Exchange {
            s,
            session_obj,
            a: Args::of(a),
            is_head: eq_ignore_case(method.bytes(), b"HEAD"),
            url_obj: url_text,
            url,
            method_obj: method,
            overrides,
            body,
            authorization,
            dropped: Dropped::NOTHING,
            history: ptr::null_mut(),
            hops: 0,
            conn,
            nonblocking,
            reused: false,
            resent: false,
            cacheable,
            since: 0,
            connect_started: 0,
            handshaking: false,
            phase: Phase::Connect,
        }))
    }

    /// The request's URL, header overrides, body and Authorization, checked.
    fn prepare(
        a: &rq_request_args_t,
        nonblocking: bool,
    ) -> PyResult<(HeldStr, UrlSpans, Overrides, Body, Obj)> {
        let mut url_obj = a.url;
        if !is_none(a.params) {
            url_obj = with_params(url_obj, a.params)?;
        }
        let overrides = check_headers(a.headers)?;
        let body = prepare_body(a.data, a.json, a.files)?;
        check_framing(a.headers, &body)?;
        cookies::check_given(a.cookies)?;
        // Looked up and parsed once; later steps read the parts through `url`.
        let url_text = HeldStr::new(url_obj);
        let ub = url_text.bytes();
        let parsed = url::parse(ub).map_err(|e| url_error(e, ub));
        // auth= wins over credentials in the URL.
        let authorization = if is_none(a.auth) {
            match &parsed {
                Ok(u) => url_basic_auth(u)?,
                Err(_) => none(),
            }
        } else {
            basic_auth(a.auth)?
        };
        // Checked here so that nothing is sent for a bad method.
        check_method(HeldStr::new(a.method).bytes()).map_err(request_error)?;
        let url = parsed?.spans(ub);
        if nonblocking && !matches!(body.source, Source::Empty | Source::Bytes(_)) {
            return Err(not_implemented!(
                "AsyncSession sends str, bytes, json= and form bodies; use Session for files and iterables",
            ));
        }
        Ok((url_text, url, overrides, body, authorization))
    }

    fn session(&self) -> SessionRef {
        // SAFETY: begin's contract: the session outlives the exchange.
        unsafe { SessionRef::from_parts(self.s, self.session_obj) }
    }

    fn conn(&mut self) -> &mut rq_conn_t {
        // SAFETY: the exchange owns its connection until a response takes
        // it; the borrow is tied to `&mut self`, so there is one at a time.
        unsafe { &mut *self.conn }
    }

    /// The session state this exchange works on (its owner guard).
    pub fn session_state(&self) -> *mut rq_session_t {
        self.s
    }

    /// When the current wait times out (ticks_ms), if it has a limit.
    pub fn deadline(&self) -> Option<u32> {
        let connect = timeout::deadline(self.connect_started, self.a.connect_timeout_ms);
        match self.phase {
            Phase::Connecting => connect,
            Phase::Send { .. } if self.handshaking => connect,
            Phase::Send { .. } => timeout::deadline(self.since, self.a.read_timeout_ms),
            Phase::Head(h) => h.deadline(self.a.read_timeout_ms),
            Phase::Connect | Phase::Over => None,
        }
    }

    /// Stops the exchange and closes its connection (never kept).
    pub fn abort(&mut self) {
        if !matches!(self.phase, Phase::Over) {
            live::close(self.conn());
            self.phase = Phase::Over;
        }
    }

    /// Runs the exchange until the final Response (redirects followed) or,
    /// non-blocking, until a socket would block. Any error closes the
    /// connection of the attempt.
    pub fn poll(&mut self) -> PyResult<Io<Obj>> {
        match self.step() {
            Ok(Io::Done(resp)) => {
                self.phase = Phase::Over;
                Ok(Io::Done(resp))
            }
            Ok(wait) => Ok(wait),
            Err(e) => {
                self.abort();
                Err(e)
            }
        }
    }

    fn step(&mut self) -> PyResult<Io<Obj>> {
        loop {
            let attempt = match self.phase {
                Phase::Over => return Err(runtime_error!("request already finished")),
                Phase::Connect => self.connect(),
                Phase::Connecting => {
                    let s = self.session();
                    conn::finish_nb(&s, self.conn()).map(|()| {
                        self.start_handshake();
                        Io::Done(())
                    })
                }
                Phase::Send { .. } => self.send().map_err(|f| f.exc),
                Phase::Head(_) => match self.read_head() {
                    Ok(Io::Done(resp)) => match self.after_head(resp)? {
                        Some(done) => return Ok(Io::Done(done)),
                        None => continue,
                    },
                    Ok(Io::Wait(w)) => return Ok(Io::Wait(w)),
                    Err(f) => {
                        self.failed(f)?;
                        continue;
                    }
                },
            };
            if let Io::Wait(w) = attempt? {
                return Ok(Io::Wait(w));
            }
        }
    }

    /// An idle connection that is still quiet (checked without waiting),
    /// else a new one. After a resend only a new one will do.
    fn connect(&mut self) -> PyResult<Io<()>> {
        let url_obj = self.url_obj;
        let u = self.url.of(url_obj.bytes());
        let https = u.scheme == Scheme::Https;
        let (nonblocking, read_timeout) = (self.nonblocking, self.a.read_timeout);
        let read_timeout_ms = self.a.read_timeout_ms;
        let mut s = self.session();
        // SAFETY: as in `conn()`; `s` borrows only the idle list, which is
        // separate from the connection even when it is the `live` slot.
        let c = unsafe { &mut *self.conn };
        live::close(c);
        self.handshaking = false;
        if !self.resent && conn::take_idle(s.idle(), c, https, u.host, u.port) {
            // A stale one is dropped (closed) here; nothing was sent on it,
            // so opening another is no resend.
            if conn::still_usable(c, self.body.replayable())?
                && (nonblocking || conn::ensure_timeout(c, read_timeout, read_timeout_ms).is_ok())
            {
                self.reused = true;
                self.start_send();
                return Ok(Io::Done(()));
            }
            live::close(c);
        }
        self.reused = false;
        let host = new_str(u.host)?;
        conn::set_key(c, https, host, u.port);
        if nonblocking {
            self.since = ticks_ms();
            self.connect_started = self.since;
            return Ok(match conn::start_nb(&mut s, c)? {
                Io::Done(()) => {
                    conn::finish_nb(&s, c)?;
                    self.start_handshake();
                    Io::Done(())
                }
                Io::Wait(w) => {
                    self.phase = Phase::Connecting;
                    Io::Wait(w)
                }
            });
        }
        let opened = conn::open(&mut s, c, self.a.connect_timeout, self.a.connect_timeout_ms)?;
        self.connect_started = opened.started;
        if opened.handshaking {
            // The socket stays non-blocking until the handshake is over.
            self.handshaking = true;
        } else {
            conn::ensure_timeout(c, read_timeout, read_timeout_ms)?;
        }
        self.start_send();
        Ok(Io::Done(()))
    }

    /// A new non-blocking connection is up: for https its handshake runs
    /// in the first sends, still under the connect budget.
    fn start_handshake(&mut self) {
        let url_obj = self.url_obj;
        self.handshaking = self.url.of(url_obj.bytes()).scheme == Scheme::Https;
        self.start_send();
    }

    fn start_head(&mut self) {
        let c = self.conn();
        c.rstart = 0;
        c.rend = 0;
        self.phase = Phase::Head(HeadReader::new(self.a.read_timeout_ms));
    }

    fn read_head(&mut self) -> Result<Io<Obj>, Failed> {
        let Phase::Head(mut reader) = self.phase else {
            return Err(Failed::other(runtime_error!("no request was sent"), false));
        };
        let hr = HeadRead {
            url_obj: self.url_obj.obj(),
            read_timeout: self.a.read_timeout,
            read_timeout_ms: self.a.read_timeout_ms,
            is_head: self.is_head,
        };
        let s = self.session();
        let res = reader.poll(&s, &hr, self.conn);
        self.phase = Phase::Head(reader);
        res
    }

    /// An attempt failed: the request goes out a second time, on a new
    /// connection, only after the keep-alive race (engine::retry). A
    /// connection lost before any byte of the answer is reported as the
    /// reference's OutOfRetries, with the cause.
    fn failed(&mut self, f: Failed) -> PyResult<()> {
        live::close(self.conn());
        if !self.resent && may_resend(self.reused, f.answer_seen, f.kind, self.body.replayable()) {
            self.resent = true;
            self.phase = Phase::Connect;
            return Ok(());
        }
        Err(if connection_lost(f.kind) && !f.answer_seen {
            out_of_retries(f.exc)
        } else {
            f.exc
        })
    }

    /// A final response, or the next hop of a redirect (None).
    fn after_head(&mut self, resp: Obj) -> PyResult<Option<Obj>> {
        // SAFETY: resp is a Response object just built; this frame holds it.
        let r = unsafe { &mut *rq_response_state(resp) };
        let location = if self.a.allow_redirects && is_redirect(r.status_code) {
            // From the raw head: a redirect's Headers are never built.
            head_lazy::header(r, c"location")
        } else {
            None
        };
        let Some(loc_bytes) = location else {
            r.history = self.history;
            return Ok(Some(resp));
        };
        let url_obj = self.url_obj;
        let u = self.url.of(url_obj.bytes());
        let next = build(Built::Str, &mut |w| {
            url::resolve(&u, loc_bytes, w).map_err(|e| url_error(e, loc_bytes))
        });
        let status = r.status_code;
        close_response(r)?;
        self.hops = self.hops.saturating_add(1);
        if self.hops > MAX_REDIRECTS {
            return Err(runtime_error!("Too many redirects (more than 30)"));
        }
        let next = next?;
        if self.history.is_null() {
            self.history = list_new()?;
        }
        list_append(self.history, new_int(status as isize)?)?;
        let nu = parse_url(&next)?;
        let method_obj = self.method_obj;
        let method = method_obj.bytes();
        let plan = redirect::plan(&u, &nu, u16::try_from(status).unwrap_or(0), method);
        self.dropped = self.dropped.after(plan);
        if plan.to_get {
            self.method_obj = HeldStr::new(new_str(b"GET")?);
            self.is_head = false;
            self.body = Body::EMPTY;
        } else if !self.body.replayable() {
            return Err(value_error!(
                "Cannot follow a redirect that needs a streamed body sent again",
            ));
        }
        self.url = nu.spans(bytes_of(&next).unwrap_or(&[]));
        self.url_obj = HeldStr::new(next);
        self.resent = false;
        self.phase = Phase::Connect;
        Ok(None)
    }
}

pub fn wait_sock(w: Wait) -> (rq_poll_t, Obj) {
    match w {
        Wait::Read(s) => (rq_poll_t::RQ_POLL_READ, s),
        Wait::Write(s) => (rq_poll_t::RQ_POLL_WRITE, s),
    }
}
