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
fn target_escapes_space_controls_and_del() {
    assert_eq!(
        run(|w| write_target(w, b"/a b/c d?x=1 2")),
        b"/a%20b/c%20d?x=1%202"
    );
    assert_eq!(run(|w| write_target(w, b" ")), b"%20");
    assert_eq!(run(|w| write_target(w, b"  ")), b"%20%20");
    assert_eq!(run(|w| write_target(w, b"/%41+\"<>")), b"/%41+\"<>");
    assert_eq!(run(|w| write_target(w, b"")), b"");
    assert_eq!(run(|w| write_target(w, b"/x ")), b"/x%20");
    assert_eq!(run(|w| write_target(w, b"\t/\x01\x7f")), b"%09/%01%7F");
    assert_eq!(run(|w| write_target(w, "/é".as_bytes())), "/é".as_bytes());
    for b in 0u8..=255 {
        let out = run(|w| write_target(w, &[b]));
        let escaped = b <= 0x20 || b == 0x7f;
        assert_eq!(needs_target_escape(b), escaped);
        if escaped {
            assert_eq!(out, std::format!("%{:02X}", b).into_bytes(), "byte {}", b);
        } else {
            assert_eq!(out, vec![b], "byte {}", b);
        }
    }
}

#[test]
fn tokens() {
    assert!(is_token(b"GET"));
    assert!(is_token(b"!#$%&'*+-.^_`|~aZ09"));
    assert!(!is_token(b""));
    for bad in [
        &b"a b"[..],
        b"a\tb",
        b"a/b",
        b"a:b",
        b"(x)",
        b"\x7f",
        b"\xc3\xa9",
        b"a\"b",
    ] {
        assert!(!is_token(bad), "{:?}", bad);
    }
}

fn params(value: &[u8]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut calls = 0usize;
    let r: Result<(), ()> = for_each_param_piece(value, |p| {
        assert!(!p.is_empty());
        calls += 1;
        out.extend_from_slice(p);
        Ok(())
    });
    assert_eq!(r, Ok(()));
    (out, calls)
}

#[test]
fn multipart_params_escape_quote_cr_lf() {
    assert_eq!(params(b"plain.txt"), (b"plain.txt".to_vec(), 1));
    assert_eq!(params(b""), (Vec::new(), 0));
    assert_eq!(params(b"\""), (b"%22".to_vec(), 1));
    assert_eq!(
        params(b"a\"b\r\nContent-Type: x\"").0,
        b"a%22b%0D%0AContent-Type: x%22".to_vec()
    );
    // Only those three: other bytes (a backslash, TAB, UTF-8) stay.
    assert_eq!(params("\\\té".as_bytes()).0, "\\\té".as_bytes().to_vec());
    // The first error stops the feed.
    let mut seen = 0;
    let r = for_each_param_piece(b"a\"b", |_| {
        seen += 1;
        Err(7)
    });
    assert_eq!((r, seen), (Err(7), 1));
}

#[test]
fn percent_decoding() {
    let dec = |s: &[u8]| percent_decoded(s).collect::<Vec<u8>>();
    assert_eq!(dec(b"us%40er"), b"us@er");
    assert_eq!(dec(b"p%3Aw%3a"), b"p:w:");
    assert_eq!(dec(b"%C3%A9"), "é".as_bytes());
    assert_eq!(dec(b"100%"), b"100%");
    assert_eq!(dec(b"%4"), b"%4");
    assert_eq!(dec(b"%zz%41"), b"%zzA");
    assert_eq!(dec(b"%%41"), b"%A");
    assert_eq!(dec(b""), b"");
    assert_eq!(dec(b"%00"), b"\0");
}

#[test]
fn basic_auth_streams_any_length() {
    assert_eq!(
        run(|w| write_basic_auth(w, b"Aladdin", b"open sesame", false)),
        b"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    assert_eq!(
        run(|w| write_basic_auth(w, b"us%40er", b"p%3Aw", true)),
        run(|w| write_basic_auth(w, b"us@er", b"p:w", false))
    );
    // Raw mode leaves '%' alone.
    assert_eq!(
        run(|w| write_basic_auth(w, b"a%41", b"", false)),
        run(|w| {
            w.put(b"Basic ");
            base64(w, b"a%41:")
        })
    );
    // An e-mail plus a 192-character token: no length limit.
    let user = b"someone.with.a.long.name@example.com";
    let token: Vec<u8> = (0..192)
        .map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789"[i % 36])
        .collect();
    let mut joined = user.to_vec();
    joined.push(b':');
    joined.extend_from_slice(&token);
    let out = run(|w| write_basic_auth(w, user, &token, false));
    assert_eq!(
        out,
        run(|w| {
            w.put(b"Basic ");
            base64(w, &joined)
        })
    );
    assert_eq!(out.len(), 6 + joined.len().div_ceil(3) * 4);
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

#[test]
fn eq_ignore_case_matches_std() {
    let samples: [&[u8]; 9] = [
        b"",
        b"a",
        b"A",
        b"@",
        b"[",
        b"`",
        b"{",
        b"Content-Length",
        b"\xc3\xa9",
    ];
    for a in samples {
        for b in samples {
            assert_eq!(eq_ignore_case(a, b), a.eq_ignore_ascii_case(b));
        }
    }
    for x in 0..=255u8 {
        for y in 0..=255u8 {
            assert_eq!(
                eq_ignore_case(&[x], &[y]),
                [x].eq_ignore_ascii_case(&[y]),
                "{x} {y}"
            );
        }
    }
}

#[test]
fn eq_lower_matches_eq_ignore_case() {
    let lits: [&[u8]; 5] = [b"content-length", b"close", b"a1-_.", b"", b"x"];
    for lit in lits {
        for x in 0..=255u8 {
            for i in 0..lit.len() {
                let mut a = lit.to_vec();
                a[i] = x;
                assert_eq!(eq_lower(&a, lit), eq_ignore_case(&a, lit), "{x} {i}");
            }
        }
        assert!(eq_lower(lit, lit));
        assert!(!eq_lower(b"toolongtoolongtoolong", lit));
    }
    assert!(eq_lower(b"Content-LENGTH", b"content-length"));
}

#[test]
fn split_at_byte_cuts_at_the_first_separator() {
    assert_eq!(
        split_at_byte(b"host:80:x", b':'),
        (&b"host"[..], Some(&b"80:x"[..]))
    );
    assert_eq!(
        split_at_byte(b"host:", b':'),
        (&b"host"[..], Some(&b""[..]))
    );
    assert_eq!(split_at_byte(b":80", b':'), (&b""[..], Some(&b"80"[..])));
    assert_eq!(split_at_byte(b"host", b':'), (&b"host"[..], None));
    assert_eq!(split_at_byte(b"", b':'), (&b""[..], None));
    assert_eq!(before_byte(b"/a?b#c#d", b'#'), b"/a?b");
    assert_eq!(before_byte(b"1a;ext", b';'), b"1a");
    assert_eq!(before_byte(b"plain", b';'), b"plain");
}

#[test]
fn fields_are_what_split_gives() {
    for (text, sep) in [
        (&b"a,b,,c"[..], b','),
        (b"a,", b','),
        (b",a", b','),
        (b"", b','),
        (b",", b','),
        (b"/x/y/", b'/'),
        (b"name=v; Path=/; Secure", b';'),
    ] {
        let want: Vec<&[u8]> = text.split(|&b| b == sep).collect();
        let got: Vec<&[u8]> = fields(text, sep).collect();
        assert_eq!(got, want);
    }
}
