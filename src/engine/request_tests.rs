//! Tests of `engine::request`.

use super::*;
use crate::engine::url::parse;
use std::format;
use std::string::String;
use std::vec::Vec;

fn line(method: &str, u: &str) -> Result<String, RequestError> {
    let u = parse(u.as_bytes()).unwrap();
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    write_request_line(&mut w, method.as_bytes(), &u)?;
    Ok(String::from_utf8(w.written().to_vec()).unwrap())
}

fn header(n: &[u8], v: &[u8]) -> (Result<(), RequestError>, Vec<u8>) {
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    let r = write_header(&mut w, n, v);
    (r, w.written().to_vec())
}

#[test]
fn request_lines() {
    assert_eq!(line("GET", "http://h/").unwrap(), "GET / HTTP/1.1\r\n");
    assert_eq!(line("GET", "http://h").unwrap(), "GET / HTTP/1.1\r\n");
    assert_eq!(
        line("POST", "http://h/a/b?c=d").unwrap(),
        "POST /a/b?c=d HTTP/1.1\r\n"
    );
    assert_eq!(
        line("GET", "http://h?x=1").unwrap(),
        "GET /?x=1 HTTP/1.1\r\n"
    );
    assert_eq!(
        line("GET", "http://h/a b?c d").unwrap(),
        "GET /a%20b?c%20d HTTP/1.1\r\n"
    );
    assert_eq!(
        line("GET", "http://h/x#frag").unwrap(),
        "GET /x HTTP/1.1\r\n"
    );
    assert_eq!(
        line("PATCH", "https://h:8443/").unwrap(),
        "PATCH / HTTP/1.1\r\n"
    );
    assert_eq!(line("get", "http://h/").unwrap(), "get / HTTP/1.1\r\n");
}

#[test]
fn request_line_rejects_bad_methods() {
    assert_eq!(line("", "http://h/"), Err(RequestError::EmptyMethod));
    for m in ["GET\r\n", "GET\n", "GE\0T", "\r", "GET /x\r\n"] {
        assert_eq!(
            line(m, "http://h/"),
            Err(RequestError::ControlCharacter),
            "{m:?}"
        );
    }
    for m in [
        "GET ",
        " GET",
        "G ET",
        "GET\t/evil",
        "GET\x01",
        "GET\x7f",
        "GET/",
        "G(ET)",
        "G\"",
        "GÉT",
        "GET:",
        "[GET]",
    ] {
        assert_eq!(line(m, "http://h/"), Err(RequestError::BadMethod), "{m:?}");
    }
}

#[test]
fn methods_are_rfc9110_tokens() {
    for m in [
        "GET",
        "get",
        "PROPFIND",
        "M-SEARCH",
        "X_Y",
        "A.B",
        "!#$%&'*+-.^_`|~09",
    ] {
        assert!(line(m, "http://h/").is_ok(), "{m:?}");
    }
    for b in 0u8..=255 {
        let tchar = b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        let method = [b'G', b];
        assert_eq!(check_method(&method).is_ok(), tchar, "byte {b}");
    }
}

#[test]
fn request_line_escapes_controls_and_del() {
    let u = Url {
        scheme: crate::engine::url::Scheme::Http,
        host: b"h",
        is_ipv6: false,
        port: 80,
        target: b"/a\tb\x01c\x7fd e?q=\x1f\x20",
        userinfo: None,
    };
    let mut buf = [0u8; 128];
    let mut w = Writer::new(&mut buf);
    write_request_line(&mut w, b"GET", &u).unwrap();
    assert_eq!(w.written(), b"GET /a%09b%01c%7Fd%20e?q=%1F%20 HTTP/1.1\r\n");
    // Every byte 0x01..=0x20 and 0x7F is escaped; the rest (UTF-8
    // included, as the reference sends it) goes out as is.
    for b in 1u8..=255 {
        if matches!(b, b'\r' | b'\n' | b'#' | b'?') {
            continue;
        }
        let target = [b'/', b];
        let u = Url {
            target: &target,
            ..u
        };
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        write_request_line(&mut w, b"GET", &u).unwrap();
        let out = w.written();
        let path = &out[4..out.len() - 11];
        if b <= 0x20 || b == 0x7f {
            assert_eq!(path, format!("/%{b:02X}").as_bytes(), "byte {b}");
        } else {
            assert_eq!(path, &target, "byte {b}");
        }
    }
}

#[test]
fn request_line_rejects_hand_built_url_with_control() {
    let u = Url {
        scheme: crate::engine::url::Scheme::Http,
        host: b"h",
        is_ipv6: false,
        port: 80,
        target: b"/x\r\nEvil: 1",
        userinfo: None,
    };
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    assert_eq!(
        write_request_line(&mut w, b"GET", &u),
        Err(RequestError::ControlCharacter)
    );
    assert_eq!(w.needed(), 0);
}

#[test]
fn headers_ok() {
    let (r, out) = header(b"X-Test", b"value");
    assert_eq!(r, Ok(()));
    assert_eq!(out, b"X-Test: value\r\n");
    let (r, out) = header(b"Empty", b"");
    assert_eq!(r, Ok(()));
    assert_eq!(out, b"Empty: \r\n");
    let (r, out) = header(b"A", b"with: colon and\ttab");
    assert_eq!(r, Ok(()));
    assert_eq!(out, b"A: with: colon and\ttab\r\n");
    let (r, out) = header(b"Utf", "é".as_bytes());
    assert_eq!(r, Ok(()));
    assert_eq!(out, "Utf: é\r\n".as_bytes());
}

#[test]
fn header_injection_rejected_without_output() {
    let bad: [(&[u8], &[u8], RequestError); 12] = [
        (b"", b"v", RequestError::BadHeaderName),
        (b"A:B", b"v", RequestError::BadHeaderName),
        (b"A B", b"v", RequestError::BadHeaderName),
        (b"A\tB", b"v", RequestError::BadHeaderName),
        (b"A:", b"v", RequestError::BadHeaderName),
        (b" A", b"v", RequestError::BadHeaderName),
        (b"A\r\nB", b"v", RequestError::ControlCharacter),
        (b"A\n", b"v", RequestError::ControlCharacter),
        (b"A\0", b"v", RequestError::ControlCharacter),
        (b"A", b"v\r\nX: y", RequestError::ControlCharacter),
        (b"A", b"v\n", RequestError::ControlCharacter),
        (b"A", b"\0", RequestError::ControlCharacter),
    ];
    for (n, v, e) in bad {
        let (r, out) = header(n, v);
        assert_eq!(r, Err(e), "{:?} {:?}", n, v);
        assert!(out.is_empty());
    }
}

#[test]
fn head_end() {
    let mut buf = [0u8; 4];
    let mut w = Writer::new(&mut buf);
    end_head(&mut w);
    assert_eq!(w.written(), b"\r\n");
}

#[test]
fn chunk_framing() {
    for (n, hex) in [
        (0usize, "0"),
        (1, "1"),
        (15, "f"),
        (16, "10"),
        (255, "ff"),
        (4096, "1000"),
        (0xdead_beef, "deadbeef"),
    ] {
        let mut buf = [0u8; 32];
        let mut w = Writer::new(&mut buf);
        write_chunk_start(&mut w, n);
        assert_eq!(w.written(), format!("{hex}\r\n").as_bytes());
    }
    let mut buf = [0u8; 32];
    let mut w = Writer::new(&mut buf);
    write_chunk_start(&mut w, usize::MAX);
    assert_eq!(w.written(), format!("{:x}\r\n", usize::MAX).as_bytes());
    let mut buf = [0u8; 32];
    let mut w = Writer::new(&mut buf);
    write_chunk_start(&mut w, 3);
    w.put(b"abc");
    write_chunk_end(&mut w);
    write_last_chunk(&mut w);
    assert_eq!(w.written(), b"3\r\nabc\r\n0\r\n\r\n");
}

#[test]
fn overrides() {
    let mut o = Overrides::default();
    assert_eq!(o, Overrides::default());
    o.note(b"X-Other");
    o.note(b"host");
    assert_eq!(
        o,
        Overrides {
            host: true,
            ..Overrides::default()
        }
    );
    for name in [
        "USER-AGENT",
        "Content-Type",
        "content-length",
        "Transfer-Encoding",
        "AUTHORIZATION",
    ] {
        o.note(name.as_bytes());
    }
    assert_eq!(
        o,
        Overrides {
            host: true,
            user_agent: true,
            content_type: true,
            content_length: true,
            transfer_encoding: true,
            authorization: true
        }
    );
    let mut p = Overrides::default();
    p.note(b"Content-Lengt");
    p.note(b"Hosts");
    p.note(b"");
    assert_eq!(p, Overrides::default());
}

#[test]
fn full_head_grows_with_writer() {
    let u = parse(b"http://example.com:8080/p?q").unwrap();
    let build = |w: &mut Writer| {
        write_request_line(w, b"GET", &u).unwrap();
        w.put(b"Host: ");
        u.write_host(w);
        w.put(b"\r\n");
        write_header(w, b"User-Agent", b"test").unwrap();
        end_head(w);
    };
    let mut small = [0u8; 10];
    let mut w = Writer::new(&mut small);
    build(&mut w);
    assert!(w.overflowed());
    let mut big = std::vec![0u8; w.needed()];
    let mut w = Writer::new(&mut big);
    build(&mut w);
    assert!(!w.overflowed());
    assert_eq!(
        w.written(),
        b"GET /p?q HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: test\r\n\r\n"
    );
}
