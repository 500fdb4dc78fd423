//! JSON selection over a response body: feeds the body, from the socket
//! through `read_step` or from a body already read whole, to the engine's
//! streaming selector and collects the bytes of each selected value into
//! that path's capture bytearray. The C side (cmodule/json_select.c) parses
//! each completed capture with the firmware's json module, so only selected
//! values ever become Python objects.

use super::body::{close_response, fail_response, poll_step, read_step};
use super::conn::Io;
use super::exchange::wait_sock;
use super::ffi::*;
use super::owner::Owned;
use super::py::*;
use crate::engine::json::select::{Elem, Event, Paths, Selector};
use core::ptr;

const _: () = assert!(
    core::mem::size_of::<Selector>()
        <= core::mem::size_of::<[u64; RQ_JSON_SELECTOR_WORDS as usize]>()
        && core::mem::align_of::<Selector>() <= core::mem::align_of::<u64>()
);

/// The caller's paths as the C side laid them out (the ends copied, so
/// that the state stays free to change while they are in use).
struct CPaths<'a> {
    elems: &'a [rq_json_elem_t],
    ends: [u16; RQ_JSON_MAX_PATHS as usize],
    n: usize,
}

impl CPaths<'_> {
    /// # Safety
    /// The state's path blocks stay alive and unchanged for `'a` (the
    /// selection object holds them while it runs).
    unsafe fn of<'a>(st: &rq_json_sel_t) -> CPaths<'a> {
        let n = usize::from(st.n_paths).min(st.path_end.len());
        let total = n
            .checked_sub(1)
            .and_then(|last| st.path_end.get(last))
            .map_or(0, |&e| usize::from(e));
        let elems = if st.elems.is_null() || total == 0 {
            &[][..]
        } else {
            // SAFETY: the C side allocated `elems` with path_end[n - 1]
            // entries, a GC block referenced from the state object (apart
            // from it) for as long as the selection runs.
            unsafe { core::slice::from_raw_parts(st.elems, total) }
        };
        CPaths {
            elems,
            ends: st.path_end,
            n,
        }
    }

    fn range(&self, p: usize) -> (usize, usize) {
        let start = match p.checked_sub(1) {
            Some(q) => self.ends.get(q).map_or(0, |&e| usize::from(e)),
            None => 0,
        };
        let end = self.ends.get(p).map_or(start, |&e| usize::from(e));
        (start, end.max(start))
    }
}

impl Paths for CPaths<'_> {
    fn count(&self) -> usize {
        self.n
    }

    fn len(&self, p: usize) -> usize {
        let (s, e) = self.range(p);
        e.saturating_sub(s)
    }

    fn elem(&self, p: usize, depth: usize) -> Option<Elem<'_>> {
        let (s, e) = self.range(p);
        let i = s.checked_add(depth).filter(|&i| i < e)?;
        let el = self.elems.get(i)?;
        Some(match el.kind {
            k if u32::from(k) == RQ_JSON_KEY => {
                if el.key.is_null() || el.value == 0 {
                    Elem::Key(&[])
                } else {
                    // SAFETY: the key points into a str object that the
                    // state's `paths` keeps alive, `value` bytes long.
                    Elem::Key(unsafe { core::slice::from_raw_parts(el.key, el.value) })
                }
            }
            k if u32::from(k) == RQ_JSON_INDEX => Elem::Index(el.value),
            _ => Elem::Any,
        })
    }
}

fn selector(st: &mut rq_json_sel_t) -> &mut Selector {
    // SAFETY: rq_json_init wrote a Selector there (size and alignment
    // asserted above) before any call of rq_json_next.
    unsafe { &mut *st.selector.as_mut_ptr().cast::<Selector>() }
}

/// # Safety
/// The borrow is used within one call of the selection, while no other
/// borrow of the response is alive.
unsafe fn response<'a>(st: &rq_json_sel_t) -> &'a mut rq_response_t {
    // SAFETY: `response` is the live Response object the state references;
    // exclusivity is the caller's contract.
    unsafe { &mut *rq_response_state(st.response) }
}

fn capture(st: &rq_json_sel_t, p: usize) -> Obj {
    if st.captures.is_null() || p >= usize::from(st.n_paths) {
        return ptr::null_mut();
    }
    // SAFETY: the C side allocated one capture per path.
    unsafe { *st.captures.add(p) }
}

fn append(st: &rq_json_sel_t, p: usize, bytes: &[u8]) -> PyResult<()> {
    let cap = capture(st, p);
    if bytes.is_empty() || cap.is_null() {
        return Ok(());
    }
    // SAFETY: cap is a bytearray; bytes is valid for the call.
    check(unsafe { rq_capture_append(cap, bytes.as_ptr(), bytes.len()) })
}

/// The unread input: the rest of the cached body, or of the chunk buffer.
///
/// # Safety
/// The slice is used before the next refill of the chunk buffer and while
/// the response's cached body stays alive (the selection references it).
unsafe fn input<'a>(st: &rq_json_sel_t) -> &'a [u8] {
    if st.from_memory {
        // SAFETY: the cached body is held by the response, which the state
        // references; only its handle is read here.
        let cached = unsafe { response(st) }.cached;
        // SAFETY: the body object outlives the selection step (see above).
        let all = unsafe { held_bytes(cached) }.unwrap_or(&[]);
        all.get(st.mem_pos..).unwrap_or(&[])
    } else {
        let chunk = RQ_JSON_CHUNK as usize;
        let (s, e) = (usize::from(st.start), usize::from(st.end));
        if st.buf.is_null() || s >= e || e > chunk {
            return &[];
        }
        // SAFETY: buf is a GC block of RQ_JSON_CHUNK bytes referenced from
        // the state object, apart from the state itself; s < e <= its size.
        unsafe { core::slice::from_raw_parts(st.buf.add(s), e.wrapping_sub(s)) }
    }
}

fn advance(st: &mut rq_json_sel_t, n: usize) {
    if st.from_memory {
        st.mem_pos = st.mem_pos.saturating_add(n);
    } else {
        let start = usize::from(st.start).saturating_add(n);
        st.start = u16::try_from(start).unwrap_or(st.end).min(st.end);
    }
}

/// Refills the chunk buffer from the body; false at its end. `poll`: an
/// AsyncSession's reader, which is told what to wait for instead of
/// waiting (only here, with nothing of the input pending, so the selection
/// resumes where it stopped).
fn refill(st: &mut rq_json_sel_t, poll: bool) -> PyResult<Io<bool>> {
    if st.from_memory || st.buf.is_null() {
        return Ok(Io::Done(false));
    }
    // SAFETY: as in `input`; no slice of it is alive while it is refilled.
    let buf = unsafe { core::slice::from_raw_parts_mut(st.buf, RQ_JSON_CHUNK as usize) };
    // SAFETY: the only borrow of the response during this read.
    let r = unsafe { response(st) };
    let n = if poll {
        match poll_step(r, buf)? {
            Io::Done(n) => n,
            Io::Wait(w) => return Ok(Io::Wait(w)),
        }
    } else {
        read_step(r, buf)?
    };
    st.start = 0;
    st.end = u16::try_from(n).unwrap_or(0);
    Ok(Io::Done(n > 0))
}

/// How far one call of the selection got.
enum Step {
    Match(usize),
    End,
    /// Polled: one refill was used; call again (the caller's time slice).
    More,
    Wait(crate::glue::conn::Wait),
}

/// Where each path's unsaved bytes begin within the current input.
struct Spans([usize; RQ_JSON_MAX_PATHS as usize]);

impl Spans {
    fn from(&self, p: usize) -> usize {
        self.0.get(p).copied().unwrap_or(0)
    }
}

/// Saves the bytes of every value being collected up to `to`.
fn flush(st: &rq_json_sel_t, input: &[u8], spans: &Spans, to: usize) -> PyResult<()> {
    let mut mask = st.capturing;
    while mask != 0 {
        let p = mask.trailing_zeros() as usize;
        mask &= mask.wrapping_sub(1);
        append(st, p, input.get(spans.from(p)..to).unwrap_or(&[]))?;
    }
    Ok(())
}

fn start(st: &mut rq_json_sel_t, spans: &mut Spans, p: usize, at: usize) {
    let cap = capture(st, p);
    if !cap.is_null() {
        // SAFETY: cap is a bytearray owned by the state.
        unsafe { rq_capture_clear(cap) };
    }
    if let Some(s) = spans.0.get_mut(p) {
        *s = at;
    }
    st.capturing |= 1u32.checked_shl(p as u32).unwrap_or(0);
}

fn next_match(st: &mut rq_json_sel_t, poll: bool) -> PyResult<Step> {
    let mut refilled = false;
    loop {
        // SAFETY: used before the next refill.
        let data = unsafe { input(st) };
        if data.is_empty() {
            if !st.at_eof {
                if poll && refilled {
                    return Ok(Step::More);
                }
                match refill(st, poll)? {
                    Io::Done(true) => {
                        refilled = true;
                        continue;
                    }
                    Io::Done(false) => {}
                    Io::Wait(w) => return Ok(Step::Wait(w)),
                }
            }
            st.at_eof = true;
            break;
        }
        let mut spans = Spans([0; RQ_JSON_MAX_PATHS as usize]);
        let mut pos = 0usize;
        loop {
            // SAFETY: the selection object holds the path blocks.
            let paths = unsafe { CPaths::of(st) };
            let ev = selector(st).next(&paths, data, &mut pos);
            match ev.map_err(json_error)? {
                Some(Event::Start(p)) => start(st, &mut spans, p, pos.saturating_sub(1)),
                Some(Event::End(p)) => {
                    flush(st, data, &spans, pos)?;
                    st.capturing &= !1u32.checked_shl(p as u32).unwrap_or(0);
                    advance(st, pos);
                    return Ok(Step::Match(p));
                }
                None => break,
            }
        }
        flush(st, data, &spans, data.len())?;
        advance(st, data.len());
    }
    // SAFETY: the selection object holds the path blocks.
    let paths = unsafe { CPaths::of(st) };
    match selector(st).finish(&paths).map_err(json_error)? {
        Some(Event::End(p)) => {
            st.capturing &= !1u32.checked_shl(p as u32).unwrap_or(0);
            Ok(Step::Match(p))
        }
        // A value never starts at the end of the input.
        Some(Event::Start(_)) | None => Ok(Step::End),
    }
}

/// # Safety
/// `st` points into a live, GC-allocated state whose `response`,
/// `n_paths`, `elems`, `captures` and `path_end` the C side has set.
#[no_mangle]
pub unsafe extern "C" fn rq_json_init(st: *mut rq_json_sel_t, r: *mut rq_response_t) {
    // SAFETY: as documented.
    let (st, r) = unsafe { (&mut *st, &mut *r) };
    // SAFETY: the storage is large and aligned enough (asserted above) and
    // Selector has no Drop.
    unsafe {
        ptr::write(
            st.selector.as_mut_ptr().cast::<Selector>(),
            Selector::new(usize::from(st.n_paths)),
        )
    };
    st.from_memory = !r.cached.is_null();
    st.mem_pos = 0;
    st.start = 0;
    st.end = 0;
    st.capturing = 0;
    st.at_eof = false;
    if !st.from_memory {
        // content/text cannot come back once the body went through here.
        r.body_streamed = true;
    }
}

/// One call of the selection: the next match, the end, or (polled) a
/// refill done or a wait to make. Ends and errors close the connection.
///
/// # Safety
/// `st` was set up by rq_json_init.
unsafe fn step(st: &mut rq_json_sel_t, poll: bool) -> PyResult<Step> {
    // SAFETY: the response object is alive (the state references it).
    let _held = unsafe { Owned::of_response(rq_response_state(st.response)) }?;
    match next_match(st, poll) {
        Ok(Step::End) => {
            // The document is complete: release the connection now.
            // SAFETY: the only borrow of the response here.
            close_response(unsafe { response(st) })?;
            Ok(Step::End)
        }
        Err(e) => {
            if !st.from_memory {
                // A broken document leaves the connection mid-body.
                // SAFETY: as above.
                fail_response(unsafe { response(st) });
            }
            Err(e)
        }
        other => other,
    }
}

/// # Safety
/// `st` was set up by rq_json_init; `err` is a valid out-pointer.
#[no_mangle]
pub unsafe extern "C" fn rq_json_next(st: *mut rq_json_sel_t, err: *mut rq_err_t) -> i32 {
    // SAFETY: as documented.
    match unsafe { step(&mut *st, false) } {
        Ok(Step::Match(p)) => i32::try_from(p).unwrap_or(-1),
        Ok(_) => -1,
        Err(e) => {
            // SAFETY: err is a valid out-pointer.
            unsafe { *err = e.into_obj() };
            -2
        }
    }
}

/// The polled twin of rq_json_next (AsyncSession's ajson): a path index,
/// RQ_JSON_END, RQ_JSON_ERROR (`*err`), RQ_JSON_MORE (call again, after
/// letting other tasks run if the time slice is used), or RQ_JSON_WAIT
/// with `*kind` and `*wait_on` to wait for.
///
/// # Safety
/// As rq_json_next; `kind` and `wait_on` are valid out-pointers.
#[no_mangle]
pub unsafe extern "C" fn rq_json_poll(
    st: *mut rq_json_sel_t,
    err: *mut rq_err_t,
    kind: *mut rq_poll_t,
    wait_on: *mut Obj,
) -> i32 {
    // SAFETY: as documented.
    match unsafe { step(&mut *st, true) } {
        Ok(Step::Match(p)) => i32::try_from(p).unwrap_or(RQ_JSON_ERROR),
        Ok(Step::End) => RQ_JSON_END,
        Ok(Step::More) => RQ_JSON_MORE,
        Ok(Step::Wait(w)) => {
            let (k, sock) = wait_sock(w);
            // SAFETY: valid out-pointers.
            unsafe {
                *kind = k;
                *wait_on = sock;
            }
            RQ_JSON_WAIT
        }
        Err(e) => {
            // SAFETY: err is a valid out-pointer.
            unsafe { *err = e.into_obj() };
            RQ_JSON_ERROR
        }
    }
}
