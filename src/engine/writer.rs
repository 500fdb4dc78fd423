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
        if let (Some(dst), Some(src)) = (head.get_mut(done..done.saturating_add(chunk)), tail.get(..chunk)) {
            dst.copy_from_slice(src);
        }
        done = done.saturating_add(chunk);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::vec;

    #[test]
    fn empty_buffer_counts() {
        let mut buf = [0u8; 0];
        let mut w = Writer::new(&mut buf);
        assert!(!w.overflowed());
        w.put(b"abc");
        assert_eq!(w.needed(), 3);
        assert!(w.overflowed());
        assert_eq!(w.written(), b"");
    }

    #[test]
    fn exact_fit_is_not_overflow() {
        let mut buf = [0u8; 5];
        let mut w = Writer::new(&mut buf);
        w.put(b"hello");
        assert!(!w.overflowed());
        assert_eq!(w.written(), b"hello");
        assert_eq!(w.needed(), 5);
    }

    #[test]
    fn partial_copy_then_counting() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        w.put(b"ab");
        w.put(b"cdef");
        w.put_byte(b'g');
        assert_eq!(w.written(), b"abcd");
        assert_eq!(w.needed(), 7);
        assert!(w.overflowed());
    }

    #[test]
    fn put_byte_sequence() {
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        for b in b"xyz" {
            w.put_byte(*b);
        }
        assert_eq!(w.written(), b"xyz");
    }

    #[test]
    fn empty_put_is_noop() {
        let mut buf = [0u8; 2];
        let mut w = Writer::new(&mut buf);
        w.put(b"");
        assert_eq!(w.needed(), 0);
        w.put(b"ab");
        w.put(b"");
        assert_eq!(w.needed(), 2);
        assert!(!w.overflowed());
    }

    #[test]
    fn decimals() {
        for n in [
            0usize,
            1,
            9,
            10,
            99,
            100,
            12345,
            65535,
            u32::MAX as usize,
            usize::MAX - 1,
            usize::MAX,
        ] {
            let mut buf = [0u8; 32];
            let mut w = Writer::new(&mut buf);
            w.put_decimal(n);
            assert_eq!(w.written(), format!("{}", n).as_bytes());
        }
    }

    #[test]
    fn decimal_overflowing_buffer() {
        let mut buf = [0u8; 3];
        let mut w = Writer::new(&mut buf);
        w.put_decimal(123456);
        assert_eq!(w.written(), b"123");
        assert_eq!(w.needed(), 6);
    }

    #[test]
    fn truncate_and_tail() {
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        w.put(b"/a/bc");
        assert_eq!(w.position(), 5);
        assert_eq!(w.tail_from(2), Some(&b"/bc"[..]));
        assert_eq!(w.tail_from(5), Some(&b""[..]));
        assert_eq!(w.tail_from(6), None);
        w.truncate(2);
        assert_eq!(w.written(), b"/a");
        assert_eq!(w.needed(), 5);
        w.truncate(10);
        assert_eq!(w.position(), 2);
        w.put(b"/d");
        assert_eq!(w.written(), b"/a/d");
        assert_eq!(w.needed(), 5);
        assert!(!w.overflowed());
    }

    #[test]
    fn overflow_survives_truncate() {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        w.put(b"abcdef");
        assert_eq!(w.tail_from(0), None);
        w.truncate(1);
        assert!(w.overflowed());
        assert_eq!(w.needed(), 6);
        assert_eq!(w.written(), b"a");
    }

    #[test]
    fn grow_and_rewrite_gives_same_output() {
        let write = |w: &mut Writer| {
            w.put(b"GET ");
            w.put_decimal(42);
            w.put_byte(b' ');
            w.put(b"tail");
        };
        let mut small = [0u8; 3];
        let mut w = Writer::new(&mut small);
        write(&mut w);
        let need = w.needed();
        let mut big = vec![0u8; need];
        let mut w2 = Writer::new(&mut big);
        write(&mut w2);
        assert!(!w2.overflowed());
        assert_eq!(w2.written(), b"GET 42 tail");
    }

    #[test]
    fn compact_moves_the_tail_to_the_front() {
        for len in 0..40usize {
            for start in 0..=len {
                for end in start..=len {
                    let mut buf: Vec<u8> = (0..len as u8).collect();
                    let want: Vec<u8> = buf[start..end].to_vec();
                    let n = compact(&mut buf, start, end);
                    assert_eq!(n, end - start);
                    assert_eq!(&buf[..n], &want[..], "len {len} start {start} end {end}");
                }
            }
        }
    }
}
