//! Tests of `engine::encode`.

use super::*;
use std::string::String;
use std::vec;
use std::vec::Vec;

fn run(f: impl Fn(&mut Writer)) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let mut w = Writer::new(&mut buf);
    f(&mut w);
    assert!(!w.overflowed());
    w.written().to_vec()
}

#[test]
fn form_keeps_unreserved() {
    let all = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~";
    assert_eq!(run(|w| form_urlencode(w, all)), all.to_vec());
}

#[test]
fn form_space_and_specials() {
    assert_eq!(run(|w| form_urlencode(w, b"a b")), b"a+b");
    assert_eq!(run(|w| form_urlencode(w, b"a+b")), b"a%2Bb");
    assert_eq!(run(|w| form_urlencode(w, b"/?&=#%")), b"%2F%3F%26%3D%23%25");
    assert_eq!(run(|w| form_urlencode(w, b"\r\n\0")), b"%0D%0A%00");
    assert_eq!(run(|w| form_urlencode(w, "é".as_bytes())), b"%C3%A9");
    assert_eq!(run(|w| form_urlencode(w, b"")), b"");
}

#[test]
fn form_every_byte_matches_reference_rule() {
    for b in 0u8..=255 {
        let out = run(|w| form_urlencode(w, &[b]));
        let expect: Vec<u8> = if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            vec![b]
        } else if b == b' ' {
            b"+".to_vec()
        } else {
            std::format!("%{:02X}", b).into_bytes()
        };
        assert_eq!(out, expect, "byte {}", b);
    }
}

#[test]
fn target_only_spaces_escaped() {
    assert_eq!(
        run(|w| write_target(w, b"/a b/c d?x=1 2")),
        b"/a%20b/c%20d?x=1%202"
    );
    assert_eq!(run(|w| write_target(w, b" ")), b"%20");
    assert_eq!(run(|w| write_target(w, b"  ")), b"%20%20");
    assert_eq!(run(|w| write_target(w, b"/%41+\"<>")), b"/%41+\"<>");
    assert_eq!(run(|w| write_target(w, b"")), b"");
    assert_eq!(run(|w| write_target(w, b"/x ")), b"/x%20");
}

#[test]
fn base64_rfc4648_vectors() {
    let cases: [(&[u8], &[u8]); 7] = [
        (b"", b""),
        (b"f", b"Zg=="),
        (b"fo", b"Zm8="),
        (b"foo", b"Zm9v"),
        (b"foob", b"Zm9vYg=="),
        (b"fooba", b"Zm9vYmE="),
        (b"foobar", b"Zm9vYmFy"),
    ];
    for (i, o) in cases {
        assert_eq!(run(|w| base64(w, i)), o.to_vec());
    }
    assert_eq!(
        run(|w| base64(w, b"Aladdin:open sesame")),
        b"QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    assert_eq!(run(|w| base64(w, &[0xff, 0xfe, 0xfd])), b"//79");
    assert_eq!(run(|w| base64(w, &[0, 0, 0])), b"AAAA");
}

#[test]
fn base64_lengths() {
    for n in 0..50usize {
        let data: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
        let out = run(|w| base64(w, &data));
        assert_eq!(out.len(), n.div_ceil(3) * 4);
    }
}

#[test]
fn hex() {
    assert_eq!(
        run(|w| hex_lower(w, &[0x00, 0x0f, 0xa0, 0xff])),
        b"000fa0ff"
    );
    let sixteen = [0xabu8; 16];
    let out = run(|w| hex_lower(w, &sixteen));
    assert_eq!(out.len(), 32);
    assert_eq!(String::from_utf8(out).unwrap(), "ab".repeat(16));
}

#[test]
fn case_insensitive_eq() {
    assert!(eq_ignore_case(b"Content-Length", b"content-length"));
    assert!(eq_ignore_case(b"", b""));
    assert!(!eq_ignore_case(b"Host", b"Hos"));
    assert!(!eq_ignore_case(b"a", b"b"));
    // Only ASCII folding: 0xC9 is not 0xE9.
    assert!(!eq_ignore_case(&[0xc9], &[0xe9]));
}

#[test]
fn control_detection() {
    assert!(!has_control(b""));
    assert!(!has_control(b"abc \t"));
    assert!(has_control(b"a\rb"));
    assert!(has_control(b"a\nb"));
    assert!(has_control(b"a\0b"));
    assert!(!has_control(&[0x01, 0x7f, 0xff]));
}
