//! parse_head on arbitrary bytes with limits taken from the input.
#![no_main]

use engine::response::{
    header_storage, is_informational, parse_head, Framing, HeadError, Limits, MAX_HEADERS,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [a, b, c, buf @ ..] = data else { return };
    let limits = Limits {
        max_head_bytes: usize::from(u16::from_le_bytes([*a, *b])),
        max_headers: usize::from(*c & 0x7f),
    };
    let was_head = *c & 0x80 != 0;
    let mut storage = header_storage();
    match parse_head(buf, &mut storage, &limits, was_head) {
        Ok(Some(h)) => {
            assert!(h.head_len <= buf.len());
            assert!(h.head_len <= limits.max_head_bytes);
            assert!(h.headers.len() <= limits.max_headers.min(MAX_HEADERS));
            assert!(h.minor_version <= 1);
            assert!((100..=999).contains(&h.status));
            if was_head || is_informational(h.status) || h.status == 204 || h.status == 304 {
                assert_eq!(h.framing, Framing::NoBody);
            }
            if h.framing == Framing::Close {
                assert!(!h.keep_alive);
            }
            if let Some(loc) = h.location {
                assert!(!loc.contains(&b'\n'));
            }
            let (head_len, status, framing) = (h.head_len, h.status, h.framing);
            // The head alone parses identically; one byte less is incomplete.
            let exact = buf.get(..head_len).unwrap_or_default();
            let mut storage2 = header_storage();
            let again = parse_head(exact, &mut storage2, &limits, was_head)
                .expect("prefix parse failed")
                .expect("prefix incomplete");
            assert_eq!((again.head_len, again.status, again.framing), (head_len, status, framing));
            let shorter = exact.get(..head_len.saturating_sub(1)).unwrap_or_default();
            let mut storage3 = header_storage();
            assert!(matches!(parse_head(shorter, &mut storage3, &limits, was_head), Ok(None)));
        }
        Ok(None) => assert!(buf.len() < limits.max_head_bytes),
        Err(HeadError::TooLarge) => {}
        Err(_) => {}
    }
});
