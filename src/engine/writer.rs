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

    /// ASCII decimal, no sign, no leading zeros.
    pub fn put_decimal(&mut self, n: u64) {
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
            0u64,
            1,
            9,
            10,
            99,
            100,
            12345,
            65535,
            u32::MAX as u64,
            u64::MAX - 1,
            u64::MAX,
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
}
