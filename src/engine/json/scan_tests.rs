use super::scan::{digits, plain_text, until, until_backslash, whitespace};

fn plain(b: u8) -> bool {
    (0x20..0x80).contains(&b) && b != b'"' && b != b'\\'
}

/// The run length by its definition, a byte at a time.
fn naive(buf: &[u8], keep: impl Fn(u8) -> bool) -> usize {
    buf.iter().take_while(|&&b| keep(b)).count()
}

fn all_scans_agree(buf: &[u8]) {
    assert_eq!(plain_text(buf), naive(buf, plain), "{buf:?}");
    let n = naive(buf, |b| b != b'\\');
    let quotes = buf[..n].iter().filter(|&&b| b == b'"').count();
    assert_eq!(until_backslash(buf), (n, quotes % 2 == 1), "{buf:?}");
    assert_eq!(
        whitespace(buf),
        naive(buf, |b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')),
        "{buf:?}"
    );
    assert_eq!(until(buf, b'\\'), naive(buf, |b| b != b'\\'), "{buf:?}");
    assert_eq!(digits(buf), naive(buf, |b| b.is_ascii_digit()), "{buf:?}");
}

#[test]
fn every_byte_value_stops_or_passes_at_every_lane() {
    // Each byte value in each position of the bytewise head, words and a
    // tail, after
    // plain bytes and after bytes that sit next to a stop in value (a
    // borrow from a lower lane must not hide or invent a stop).
    for fill in [b'a', b' ', b'!', b'"', b'0', b'~', b'\x7f'] {
        for len in [0usize, 1, 7, 8, 9, 15, 16, 17, 24, 25, 33] {
            for at in 0..len {
                for v in 0..=255u8 {
                    let mut buf = vec![fill; len];
                    buf[at] = v;
                    all_scans_agree(&buf);
                }
            }
        }
    }
}

#[test]
fn two_stops_in_one_word() {
    for a in 0..24 {
        for b in a + 1..24 {
            for (x, y) in [
                (0u8, 0x21u8),
                (b'"', b'\\'),
                (b'"', b'"'),
                (0, b'"'),
                (0x1f, 0x20),
                (0x80, b'"'),
                (b'\\', 0),
            ] {
                let mut buf = vec![b'n'; 24];
                buf[a] = x;
                buf[b] = y;
                all_scans_agree(&buf);
            }
        }
    }
}
