//! Bounded output into a caller-owned slice.
//!
//! The engine never allocates, so output goes into whatever buffer the glue
//! owns. Instead of failing on overflow the writer keeps counting: the caller
//! learns the size in one pass, grows its buffer and writes again.
//!
//! Output may also be edited in place ([`Writer::truncate`]), which URL
//! resolution uses to remove dot segments in O(n) without a stack. The size
//! reported by [`Writer::needed`] is then the high-water mark, and once bytes
//! have been lost to overflow an edit can no longer shrink it, so it stays a
//! safe upper bound: a buffer of `needed()` bytes always suffices for the
//! second pass, and for append-only output it is exact.

/// Writes into a caller slice; on overflow keeps counting so the caller can
/// grow its buffer to `needed()` and write again.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    /// Logical end of the output (may lie beyond `buf`).
    pos: usize,
    /// Highest `pos` ever reached: what a buffer must hold for no loss.
    peak: usize,
}

impl<'a> Writer<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        Writer {
            buf,
            pos: 0,
            peak: 0,
        }
    }

    /// Copies what fits; `pos` advances by the full length regardless.
    pub fn put(&mut self, data: &[u8]) {
        if let Some(room) = self.buf.get_mut(self.pos..) {
            let n = room.len().min(data.len());
            if let (Some(dst), Some(src)) = (room.get_mut(..n), data.get(..n)) {
                dst.copy_from_slice(src);
            }
        }
        self.pos = self.pos.saturating_add(data.len());
        self.peak = self.peak.max(self.pos);
    }

    pub fn put_byte(&mut self, b: u8) {
        self.put(&[b]);
    }

    /// ASCII decimal, no sign, no leading zeros. `usize` rather than `u64`:
    /// on 32-bit targets 64-bit division would pull in a software divider.
    pub fn put_decimal(&mut self, n: usize) {
        // u64::MAX has 20 digits.
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        let mut v = n;
        loop {
            start = start.saturating_sub(1);
            if let Some(d) = digits.get_mut(start) {
                // `v % 10` is < 10, so the cast and add cannot overflow.
                *d = b'0'.wrapping_add((v % 10) as u8);
            }
            v /= 10;
            if v == 0 || start == 0 {
                break;
            }
        }
        if let Some(s) = digits.get(start..) {
            self.put(s);
        }
    }

    /// Buffer size that makes the same writes succeed: the total written
    /// (or that would have been), see the module docs for in-place edits.
    pub fn needed(&self) -> usize {
        self.peak
    }

    /// Some output was lost; stays true even if edits later shrink it.
    pub fn overflowed(&self) -> bool {
        self.peak > self.buf.len()
    }

    /// Logical length of the output so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The output from logical position `from` to the end, if all of it is
    /// stored: None once anything was lost to overflow, because the stored
    /// bytes might then not be what a big enough buffer would hold.
    pub fn tail_from(&self, from: usize) -> Option<&[u8]> {
        if self.overflowed() {
            return None;
        }
        self.buf.get(from..self.pos)
    }

    /// Cuts the output back to `len` bytes (no effect if it is shorter).
    /// `needed()` keeps the high-water mark.
    pub fn truncate(&mut self, len: usize) {
        self.pos = self.pos.min(len);
    }

    /// The part of the output that fit into the buffer.
    pub fn written(&self) -> &[u8] {
        let end = self.pos.min(self.buf.len());
        self.buf.get(..end).unwrap_or(&[])
    }
}

/// Moves `buf[at..end]` right by `by` bytes (to `buf[at + by..end + by]`),
/// from the last byte down; nothing when that does not fit. Byte by byte
/// for the reason `compact` gives.
pub fn shift_right(buf: &mut [u8], at: usize, end: usize, by: usize) {
    if end.checked_add(by).is_none_or(|e| e > buf.len()) || at > end {
        return;
    }
    let mut i = end;
    while i > at {
        i = i.saturating_sub(1);
        let b = buf.get(i).copied().unwrap_or(0);
        if let Some(slot) = buf.get_mut(i.saturating_add(by)) {
            *slot = b;
        }
    }
}

/// Moves `buf[start..end]` to the front of `buf`, returning its length.
///
/// Done as non-overlapping copies of at most `start` bytes each rather than
/// with `copy_within`: that would link compiler_builtins' memmove (1.5 KB on
/// Cortex-M) for a move of a few hundred bytes.
pub fn compact(buf: &mut [u8], start: usize, end: usize) -> usize {
    let end = end.min(buf.len());
    let n = end.saturating_sub(start);
    if start == 0 || n == 0 {
        return n;
    }
    let mut done = 0usize;
    while done < n {
        let chunk = start.min(n.saturating_sub(done));
        let from = start.saturating_add(done);
        let (head, tail) = buf.split_at_mut(from);
        if let (Some(dst), Some(src)) = (
            head.get_mut(done..done.saturating_add(chunk)),
            tail.get(..chunk),
        ) {
            dst.copy_from_slice(src);
        }
        done = done.saturating_add(chunk);
    }
    n
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
