//! Path matcher over the tokenizer: for up to [`MAX_PATHS`] paths of object
//! keys, array indices and wildcards it reports where each selected value
//! starts and ends in the bytes fed, and skips everything else.
//!
//! Path sets are bit masks: each open container keeps the set of paths that
//! matched every level down to it (`live`); a key or an array position
//! narrows that set for the value that follows. A path whose last element
//! matched starts a selection; it ends when that value closes.

use super::token::{Container, Token, Tokenizer};
use super::{ErrorKind, JsonError, MAX_DEPTH, MAX_PATHS};
use heapless::Vec;

/// One element of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem<'a> {
    /// An object member's key (UTF-8, compared after unescaping).
    Key(&'a [u8]),
    /// An array position.
    Index(usize),
    /// Any key or position.
    Any,
}

/// The paths being selected, owned by the caller (the glue reads them from
/// Python objects, tests from vectors). Passed to each call, so the
/// selector borrows nothing between calls.
pub trait Paths {
    /// How many paths (at most [`MAX_PATHS`]; more are ignored).
    fn count(&self) -> usize;
    /// Number of elements of path `p` (0 selects the whole document).
    fn len(&self, p: usize) -> usize;
    /// Element `depth` of path `p`; None past its end.
    fn elem(&self, p: usize, depth: usize) -> Option<Elem<'_>>;
}

/// What the selector found. A value selected by `Start(p)` began at
/// `pos - 1`; one ended by `End(p)` ends just before `pos`, with `pos` as
/// left by [`Selector::next`]. After [`Selector::finish`], an `End` ends at
/// the end of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    Start(usize),
    End(usize),
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    /// Paths that matched this container and continue below it.
    live: u32,
    /// Position of the current child (arrays).
    index: u32,
}

#[derive(Clone, Debug)]
pub struct Selector {
    tok: Tokenizer,
    frames: Vec<Frame, MAX_DEPTH>,
    /// Paths the value after the current key may match.
    after_key: u32,
    /// Paths still matching the key being read, and its length so far.
    key_ok: u32,
    key_len: usize,
    /// Paths whose selected value is open.
    active: u32,
    pending_start: u32,
    pending_end: u32,
}

fn bit(p: usize) -> u32 {
    1u32.checked_shl(u32::try_from(p).unwrap_or(u32::MAX))
        .unwrap_or(0)
}

/// The paths in `mask` one by one, lowest first.
fn each(mut mask: u32) -> impl Iterator<Item = usize> {
    core::iter::from_fn(move || {
        if mask == 0 {
            return None;
        }
        let p = mask.trailing_zeros();
        mask &= mask.wrapping_sub(1);
        Some(p as usize)
    })
}

/// The paths of `mask` whose length is exactly (`exact`) or more than
/// (`!exact`) `depth`.
fn by_len(paths: &impl Paths, mask: u32, depth: usize, exact: bool) -> u32 {
    let mut out = 0;
    for p in each(mask) {
        let len = paths.len(p);
        if (exact && len == depth) || (!exact && len > depth) {
            out |= bit(p);
        }
    }
    out
}

impl Selector {
    /// A selector for the first `n` paths of the set it will be given.
    pub fn new(n: usize) -> Self {
        let all = if n >= MAX_PATHS {
            u32::MAX
        } else {
            bit(n).wrapping_sub(1)
        };
        Selector {
            tok: Tokenizer::new(),
            frames: Vec::new(),
            after_key: all,
            key_ok: 0,
            key_len: 0,
            active: 0,
            pending_start: 0,
            pending_end: 0,
        }
    }

    /// The whole document was read.
    pub fn is_done(&self) -> bool {
        self.tok.is_done() && self.pending_start == 0 && self.pending_end == 0
    }

    /// Paths whose selected value is being read.
    pub fn active(&self) -> u32 {
        self.active
    }

    /// Whether the innermost frame is an object. The tokenizer's bit stack
    /// of container kinds has one entry per frame, so frames need no copy.
    fn top_is_object(&self) -> bool {
        let level = self.frames.len().wrapping_sub(1);
        self.tok.kind_at(level) == Some(Container::Object)
    }

    /// Paths the next value (at depth `frames.len()`) may match.
    fn candidates(&self, paths: &impl Paths) -> u32 {
        let Some(f) = self.frames.last() else {
            // The document itself: only before it started.
            return self.after_key;
        };
        if self.top_is_object() {
            return self.after_key;
        }
        let depth = self.frames.len().wrapping_sub(1);
        let mut out = 0;
        for p in each(f.live) {
            match paths.elem(p, depth) {
                Some(Elem::Any) => out |= bit(p),
                Some(Elem::Index(i)) if i == f.index as usize => out |= bit(p),
                _ => {}
            }
        }
        out
    }

    /// A value starts at depth `frames.len()`; for a container, `open`.
    fn value_start(&mut self, paths: &impl Paths, open: bool) -> Result<(), ErrorKind> {
        let depth = self.frames.len();
        let cand = self.candidates(paths);
        if self.frames.is_empty() {
            // Nothing after the document may match again.
            self.after_key = 0;
        }
        let starts = by_len(paths, cand, depth, true);
        self.active |= starts;
        self.pending_start = starts;
        if open {
            let live = by_len(paths, cand, depth, false);
            self.frames
                .push(Frame { live, index: 0 })
                .map_err(|_| ErrorKind::TooDeep)?;
        }
        Ok(())
    }

    /// A value at depth `frames.len()` ended (a container was popped first).
    fn value_end(&mut self, paths: &impl Paths) {
        let depth = self.frames.len();
        let ends = by_len(paths, self.active, depth, true);
        self.active &= !ends;
        self.pending_end = ends;
        if !self.top_is_object() {
            if let Some(f) = self.frames.last_mut() {
                f.index = f.index.saturating_add(1);
            }
        }
    }

    fn key_start(&mut self, paths: &impl Paths) {
        let Some(f) = self.frames.last() else {
            return;
        };
        let depth = self.frames.len().wrapping_sub(1);
        let mut ok = 0;
        for p in each(f.live) {
            if matches!(paths.elem(p, depth), Some(Elem::Key(_) | Elem::Any)) {
                ok |= bit(p);
            }
        }
        self.key_ok = ok;
        self.key_len = 0;
        self.tok.decode_key = ok != 0;
    }

    fn key_bytes(&mut self, paths: &impl Paths, bytes: &[u8]) {
        let depth = self.frames.len().wrapping_sub(1);
        for p in each(self.key_ok) {
            if let Some(Elem::Key(k)) = paths.elem(p, depth) {
                let at = self.key_len;
                if k.get(at..at.saturating_add(bytes.len())) != Some(bytes) {
                    self.key_ok &= !bit(p);
                }
            }
        }
        self.key_len = self.key_len.saturating_add(bytes.len());
    }

    fn key_end(&mut self, paths: &impl Paths) {
        let depth = self.frames.len().wrapping_sub(1);
        for p in each(self.key_ok) {
            if let Some(Elem::Key(k)) = paths.elem(p, depth) {
                if k.len() != self.key_len {
                    self.key_ok &= !bit(p);
                }
            }
        }
        self.after_key = self.key_ok;
        self.tok.decode_key = false;
    }

    fn pending(&mut self) -> Option<Event> {
        if self.pending_end != 0 {
            let p = self.pending_end.trailing_zeros();
            self.pending_end &= self.pending_end.wrapping_sub(1);
            return Some(Event::End(p as usize));
        }
        if self.pending_start != 0 {
            let p = self.pending_start.trailing_zeros();
            self.pending_start &= self.pending_start.wrapping_sub(1);
            return Some(Event::Start(p as usize));
        }
        None
    }

    fn on_token(&mut self, paths: &impl Paths, t: Token) -> Result<(), ErrorKind> {
        match t {
            Token::Open(_) => self.value_start(paths, true)?,
            Token::ScalarStart => self.value_start(paths, false)?,
            Token::Close => {
                self.frames.pop();
                self.value_end(paths);
            }
            Token::ScalarEnd => self.value_end(paths),
            Token::KeyStart => self.key_start(paths),
            Token::KeyBytes(b, n) => {
                self.key_bytes(paths, b.get(..usize::from(n)).unwrap_or(&[]));
            }
            Token::KeyEnd => self.key_end(paths),
        }
        Ok(())
    }

    /// Reads `input[*pos..]` until an event (returned, `*pos` placed as
    /// [`Event`] describes) or the end of the input (`Ok(None)`).
    pub fn next(
        &mut self,
        paths: &impl Paths,
        input: &[u8],
        pos: &mut usize,
    ) -> Result<Option<Event>, JsonError> {
        loop {
            if let Some(e) = self.pending() {
                return Ok(Some(e));
            }
            let Some(t) = self.tok.next(input, pos)? else {
                return Ok(None);
            };
            self.on_token(paths, t)
                .map_err(|kind| JsonError { kind, offset: 0 })?;
        }
    }

    /// The input ended. Call until `Ok(None)`: a number at the very end
    /// still closes its selection; an incomplete document is an error.
    pub fn finish(&mut self, paths: &impl Paths) -> Result<Option<Event>, JsonError> {
        loop {
            if let Some(e) = self.pending() {
                return Ok(Some(e));
            }
            let Some(t) = self.tok.finish()? else {
                return Ok(None);
            };
            // finish() only ever ends a number.
            let _ = self.on_token(paths, t);
        }
    }
}
