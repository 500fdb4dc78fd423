//! Tests of `engine::writer`.

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

#[test]
fn shift_right_moves_from_the_end() {
    let mut b = *b"abcdef__";
    shift_right(&mut b, 1, 6, 2);
    assert_eq!(&b, b"abcbcdef");
    let mut b = *b"abc";
    shift_right(&mut b, 0, 3, 1); // does not fit: unchanged
    assert_eq!(&b, b"abc");
    let mut b = *b"ab";
    shift_right(&mut b, 2, 2, 0);
    assert_eq!(&b, b"ab");
}
