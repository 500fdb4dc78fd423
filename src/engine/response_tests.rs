//! Tests of `engine::response`.

use super::*;
use std::format;
use std::string::String;
use std::vec::Vec;

/// Owned copy of a parsed head so tests can compare it freely.
#[derive(Debug, PartialEq)]
struct Parsed {
    head_len: usize,
    minor: u8,
    status: u16,
    reason: Vec<u8>,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    framing: Framing,
    keep_alive: bool,
    location: Option<Vec<u8>>,
}

fn parse_with(buf: &[u8], limits: Limits, head: bool) -> Result<Option<Parsed>, HeadError> {
    let mut storage = header_storage();
    let r = parse_head(buf, &mut storage, &limits, head)?;
    Ok(r.map(|h| Parsed {
        head_len: h.head_len,
        minor: h.minor_version,
        status: h.status,
        reason: h.reason.to_vec(),
        headers: h.iter().map(|(n, v)| (n.to_vec(), v.to_vec())).collect(),
        framing: h.framing,
        keep_alive: h.keep_alive,
        location: h.location.map(|l| l.to_vec()),
    }))
}

fn p(buf: &[u8]) -> Parsed {
    parse_with(buf, Limits::default(), false)
        .unwrap()
        .unwrap_or_else(|| panic!("incomplete: {:?}", String::from_utf8_lossy(buf)))
}

fn e(buf: &[u8]) -> HeadError {
    parse_with(buf, Limits::default(), false).unwrap_err()
}

fn partial(buf: &[u8]) -> bool {
    parse_with(buf, Limits::default(), false).unwrap().is_none()
}

fn framing_of(head: &str) -> Result<Framing, HeadError> {
    let buf = format!("HTTP/1.1 200 OK\r\n{head}\r\n");
    parse_with(buf.as_bytes(), Limits::default(), false).map(|r| r.unwrap().framing)
}

#[test]
fn defaults() {
    let l = Limits::default();
    assert_eq!(l.max_head_bytes, 8192);
    assert_eq!(l.max_headers, 48);
    assert!(l.max_headers <= MAX_HEADERS);
}

#[test]
fn simple_response() {
    let buf = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
    let r = p(buf);
    assert_eq!(r.head_len, buf.len() - 5);
    assert_eq!(r.minor, 1);
    assert_eq!(r.status, 200);
    assert_eq!(r.reason, b"OK");
    assert_eq!(
        r.headers,
        [
            (b"Content-Length".to_vec(), b"5".to_vec()),
            (b"Server".to_vec(), b"x".to_vec())
        ]
    );
    assert_eq!(r.framing, Framing::Length(5));
    assert!(r.keep_alive);
    assert_eq!(r.location, None);
}

#[test]
fn no_headers() {
    let r = p(b"HTTP/1.1 204 No Content\r\n\r\n");
    assert_eq!(r.head_len, 27);
    assert!(r.headers.is_empty());
    assert_eq!(r.framing, Framing::NoBody);
}

#[test]
fn reason_phrase_variants() {
    assert_eq!(p(b"HTTP/1.1 200\r\n\r\n").reason, b"");
    assert_eq!(p(b"HTTP/1.1 200 \r\n\r\n").reason, b"");
    assert_eq!(p(b"HTTP/1.1 200\n\n").reason, b"");
    assert_eq!(
        p(b"HTTP/1.1 404 Not  Found \r\n\r\n").reason,
        b"Not  Found "
    );
    assert_eq!(p(b"HTTP/1.1 200 OK\tfine\r\n\r\n").reason, b"OK\tfine");
    assert_eq!(
        p("HTTP/1.1 200 Très bien\r\n\r\n".as_bytes()).reason,
        "Très bien".as_bytes()
    );
    assert_eq!(p(b"HTTP/1.1 999 X\r\n\r\n").status, 999);
    assert_eq!(p(b"HTTP/1.1 100 Continue\r\n\r\n").status, 100);
}

#[test]
fn bad_status_lines() {
    for s in [
        &b"HTTP/1.1 20\r\n\r\n"[..],
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 20a OK\r\n\r\n",
        b"HTTP/1.1 099 OK\r\n\r\n",
        b"HTTP/1.1 -20 OK\r\n\r\n",
        b"HTTP/1.1  200 OK\r\n\r\n",
        b"HTTP/1.1 200\tOK\r\n\r\n",
        b"HTTP/1.1 200 O\rK\r\n\r\n",
        b"HTTP/1.1 200 O\0K\r\n\r\n",
        b"HTTP/1.1 200 O\x7fK\r\n\r\n",
        b"http/1.1 200 OK\r\n\r\n",
        b"HTTX/1.1 200 OK\r\n\r\n",
        b"ICY 200 OK\r\n\r\n",
        b"<html>\r\n",
        b"\x00",
        b"H\r\n",
    ] {
        assert_eq!(
            e(s),
            HeadError::BadStatusLine,
            "{:?}",
            String::from_utf8_lossy(s)
        );
    }
}

#[test]
fn garbage_rejected_before_line_complete() {
    assert_eq!(e(b"<"), HeadError::BadStatusLine);
    assert_eq!(e(b"HTTX"), HeadError::BadStatusLine);
    assert_eq!(e(b"SSH-2.0-OpenSSH"), HeadError::BadStatusLine);
    assert!(partial(b"H"));
    assert!(partial(b"HTTP"));
    assert!(partial(b"HTTP/"));
    assert!(partial(b"HTTP/1.1 200 OK"));
}

#[test]
fn bad_versions() {
    for s in [
        &b"HTTP/2 200\r\n\r\n"[..],
        b"HTTP/2.0 200 OK\r\n\r\n",
        b"HTTP/1.2 200 OK\r\n\r\n",
        b"HTTP/1.10 200 OK\r\n\r\n",
        b"HTTP/0.9 200 OK\r\n\r\n",
        b"HTTP/1 200 OK\r\n\r\n",
        b"HTTP/1.1\r\n\r\n",
        b"HTTP/1.1",
    ] {
        let r = parse_with(s, Limits::default(), false);
        if s == b"HTTP/1.1" {
            assert_eq!(r, Ok(None));
        } else {
            assert_eq!(
                r,
                Err(HeadError::BadVersion),
                "{:?}",
                String::from_utf8_lossy(s)
            );
        }
    }
}

#[test]
fn http10() {
    let r = p(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi");
    assert_eq!(r.minor, 0);
    assert!(!r.keep_alive);
    let r = p(b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n");
    assert!(r.keep_alive);
    let r = p(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(r.framing, Framing::Close);
    assert!(!r.keep_alive);
}

#[test]
fn connection_tokens() {
    let ka = |h: &str| {
        let buf = format!("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n{h}\r\n");
        p(buf.as_bytes()).keep_alive
    };
    assert!(ka(""));
    assert!(!ka("Connection: close\r\n"));
    assert!(!ka("Connection: CLOSE\r\n"));
    assert!(!ka("connection: upgrade, close\r\n"));
    assert!(!ka("Connection: keep-alive\r\nConnection: close\r\n"));
    assert!(!ka("Connection: keep-alive, close\r\n"));
    assert!(ka("Connection: closed\r\n"));
    assert!(ka("Connection: keep-alive\r\n"));
    assert!(ka("X-Connection: close\r\n"));
}

#[test]
fn bare_lf_everywhere() {
    let r = p(b"HTTP/1.1 200 OK\nContent-Length: 3\nX: y\n\nabc");
    assert_eq!(r.status, 200);
    assert_eq!(r.framing, Framing::Length(3));
    assert_eq!(r.head_len, 40);
    let r = p(b"HTTP/1.1 200 OK\r\nA: 1\nB: 2\r\n\n");
    assert_eq!(r.headers.len(), 2);
    let r = p(b"HTTP/1.1 200 OK\nA: 1\r\n\r\n");
    assert_eq!(r.headers.len(), 1);
}

#[test]
fn leading_blank_lines_skipped() {
    let r = p(b"\r\n\nHTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(r.head_len, 22);
    assert!(partial(b"\r\n"));
    assert!(partial(b"\r\n\r\n"));
}

#[test]
fn header_line_without_colon() {
    assert_eq!(
        e(b"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n"),
        HeadError::BadHeaderLine
    );
    assert_eq!(
        e(b"HTTP/1.1 200 OK\r\nA: 1\r\nNo Colon\r\n\r\n"),
        HeadError::BadHeaderLine
    );
    assert_eq!(
        e(b"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n"),
        HeadError::BadHeaderLine
    );
    assert_eq!(
        e(b"HTTP/1.1 200 OK\r\nA B: c\r\n\r\n"),
        HeadError::BadHeaderLine
    );
}

#[test]
fn obs_fold_rejected() {
    assert_eq!(
        e(b"HTTP/1.1 200 OK\r\nA: 1\r\n  continued\r\n\r\n"),
        HeadError::BadHeaderLine
    );
    assert_eq!(
        e(b"HTTP/1.1 200 OK\r\nA: 1\r\n\tcontinued\r\n\r\n"),
        HeadError::BadHeaderLine
    );
}

#[test]
fn header_values() {
    let r = p(b"HTTP/1.1 200 OK\r\nA:   spaced  \r\nB:\r\nC:x\r\n\r\n");
    assert_eq!(r.headers[0].1, b"spaced");
    assert_eq!(r.headers[1].1, b"");
    assert_eq!(r.headers[2].1, b"x");
    assert_eq!(
        e(b"HTTP/1.1 200 OK\r\nA: x\0y\r\n\r\n"),
        HeadError::BadHeaderLine
    );
}

#[test]
fn header_lookup_case_insensitive() {
    let mut storage = header_storage();
    let buf = b"HTTP/1.1 301 Moved\r\nlocation: /new\r\nLOCATION: /other\r\nX-A: 1\r\n\r\n";
    let h = parse_head(buf, &mut storage, &Limits::default(), false)
        .unwrap()
        .unwrap();
    assert_eq!(h.location, Some(&b"/new"[..]));
    assert_eq!(h.header(b"x-a"), Some(&b"1"[..]));
    assert_eq!(h.header(b"X-B"), None);
    assert_eq!(h.headers.len(), 3);
}

#[test]
fn every_prefix_is_partial() {
    let buf = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Long-Header: some value\r\n\r\n";
    for n in 0..buf.len() {
        assert!(partial(&buf[..n]), "prefix {n}");
    }
    assert_eq!(p(buf).head_len, buf.len());
    let lf = b"HTTP/1.0 200 OK\nA: b\n\n";
    for n in 0..lf.len() {
        assert!(partial(&lf[..n]), "prefix {n}");
    }
}

#[test]
fn too_many_headers() {
    let mut buf = String::from("HTTP/1.1 200 OK\r\n");
    for i in 0..48 {
        buf.push_str(&format!("H{i}: v\r\n"));
    }
    let at_limit = format!("{buf}\r\n");
    assert_eq!(p(at_limit.as_bytes()).headers.len(), 48);
    buf.push_str("One: more\r\n\r\n");
    assert_eq!(e(buf.as_bytes()), HeadError::TooManyHeaders);
    let small = Limits {
        max_headers: 2,
        ..Limits::default()
    };
    let three = b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    assert_eq!(
        parse_with(three, small, false),
        Err(HeadError::TooManyHeaders)
    );
    let zero = Limits {
        max_headers: 0,
        ..Limits::default()
    };
    assert_eq!(
        parse_with(b"HTTP/1.1 200 OK\r\n\r\n", zero, false)
            .unwrap()
            .unwrap()
            .status,
        200
    );
    assert_eq!(
        parse_with(b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n", zero, false),
        Err(HeadError::TooManyHeaders)
    );
}

#[test]
fn max_headers_clamped_to_capacity() {
    let huge = Limits {
        max_headers: 1000,
        ..Limits::default()
    };
    let mut buf = String::from("HTTP/1.1 200 OK\r\n");
    for i in 0..MAX_HEADERS {
        buf.push_str(&format!("H{i}: v\r\n"));
    }
    let full = format!("{buf}\r\n");
    assert_eq!(
        parse_with(full.as_bytes(), huge, false)
            .unwrap()
            .unwrap()
            .headers
            .len(),
        MAX_HEADERS
    );
    buf.push_str("X: y\r\n\r\n");
    assert_eq!(
        parse_with(buf.as_bytes(), huge, false),
        Err(HeadError::TooManyHeaders)
    );
}

#[test]
fn too_large() {
    let buf = b"HTTP/1.1 200 OK\r\nA: 1\r\n\r\n";
    let exact = Limits {
        max_head_bytes: buf.len(),
        ..Limits::default()
    };
    assert!(parse_with(buf, exact, false).unwrap().is_some());
    let less = Limits {
        max_head_bytes: buf.len() - 1,
        ..Limits::default()
    };
    assert_eq!(parse_with(buf, less, false), Err(HeadError::TooLarge));
    // Incomplete and already at the limit.
    assert_eq!(
        parse_with(
            &buf[..10],
            Limits {
                max_head_bytes: 10,
                ..Limits::default()
            },
            false
        ),
        Err(HeadError::TooLarge)
    );
    assert_eq!(
        parse_with(
            &buf[..9],
            Limits {
                max_head_bytes: 10,
                ..Limits::default()
            },
            false
        ),
        Ok(None)
    );
    // Body bytes beyond the limit don't matter once the head is complete.
    let mut with_body = buf.to_vec();
    with_body.extend_from_slice(&[b'x'; 100]);
    assert!(parse_with(&with_body, exact, false).unwrap().is_some());
    // A huge header line never completes.
    let mut long = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    long.extend(std::iter::repeat_n(b'a', 9000));
    assert_eq!(e(&long), HeadError::TooLarge);
    assert_eq!(e(&[b'\n'; 8192]), HeadError::TooLarge);
    let zero = Limits {
        max_head_bytes: 0,
        ..Limits::default()
    };
    assert_eq!(parse_with(b"", zero, false), Err(HeadError::TooLarge));
}

#[test]
fn framing_nobody_statuses() {
    for status in [100u16, 101, 199, 204, 304] {
        for extra in [
            "",
            "Content-Length: 10\r\n",
            "Transfer-Encoding: chunked\r\n",
            "Content-Length: bogus\r\n",
        ] {
            let buf = format!("HTTP/1.1 {status} X\r\n{extra}\r\n");
            assert_eq!(p(buf.as_bytes()).framing, Framing::NoBody, "{buf:?}");
        }
    }
    for status in [200u16, 201, 203, 205, 206, 300, 301, 303, 305, 400, 500] {
        let buf = format!("HTTP/1.1 {status} X\r\nContent-Length: 3\r\n\r\n");
        assert_eq!(p(buf.as_bytes()).framing, Framing::Length(3));
    }
}

#[test]
fn framing_head_request() {
    let buf = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    let r = parse_with(buf, Limits::default(), true).unwrap().unwrap();
    assert_eq!(r.framing, Framing::NoBody);
    assert!(r.keep_alive);
    let buf = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(
        parse_with(buf, Limits::default(), true)
            .unwrap()
            .unwrap()
            .framing,
        Framing::NoBody
    );
    let buf = b"HTTP/1.1 200 OK\r\n\r\n";
    let r = parse_with(buf, Limits::default(), true).unwrap().unwrap();
    assert_eq!(r.framing, Framing::NoBody);
    assert!(r.keep_alive);
}

#[test]
fn framing_transfer_encoding() {
    assert_eq!(
        framing_of("Transfer-Encoding: chunked\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: CHUNKED\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("transfer-encoding: gzip, chunked\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: gzip,chunked \r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: chunked, \r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
        Ok(Framing::Chunked)
    );
    // TE wins even over an invalid Content-Length.
    assert_eq!(
        framing_of("Content-Length: x\r\nTransfer-Encoding: chunked\r\n"),
        Ok(Framing::Chunked)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: gzip\r\n"),
        Ok(Framing::Close)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: chunked, gzip\r\n"),
        Ok(Framing::Close)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"),
        Ok(Framing::Close)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: chunkedx\r\n"),
        Ok(Framing::Close)
    );
    assert_eq!(
        framing_of("Transfer-Encoding: gzip\r\nContent-Length: 5\r\n"),
        Ok(Framing::Close)
    );
    assert_eq!(framing_of("Transfer-Encoding:\r\n"), Ok(Framing::Close));
    let r = p(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\n\r\n");
    assert!(!r.keep_alive);
    let r = p(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    assert!(r.keep_alive);
}

#[test]
fn framing_content_length() {
    assert_eq!(framing_of("Content-Length: 0\r\n"), Ok(Framing::Length(0)));
    assert_eq!(framing_of("content-length:42\r\n"), Ok(Framing::Length(42)));
    assert_eq!(
        framing_of("Content-Length: \t 7 \t\r\n"),
        Ok(Framing::Length(7))
    );
    assert_eq!(
        framing_of("Content-Length: 007\r\n"),
        Ok(Framing::Length(7))
    );
    assert_eq!(
        framing_of("Content-Length: 18446744073709551615\r\n"),
        Ok(Framing::Length(u64::MAX))
    );
    assert_eq!(
        framing_of("Content-Length: 5\r\nContent-Length: 5\r\n"),
        Ok(Framing::Length(5))
    );
    assert_eq!(
        framing_of("Content-Length: 5, 5\r\n"),
        Ok(Framing::Length(5))
    );
    assert_eq!(
        framing_of("Content-Length: 5,5\r\nContent-Length: 5\r\n"),
        Ok(Framing::Length(5))
    );
    assert_eq!(framing_of(""), Ok(Framing::Close));
    for bad in [
        "",
        " ",
        "-1",
        "+1",
        "1.0",
        "0x10",
        "1 2",
        "18446744073709551616",
        "99999999999999999999999",
        "5,",
        ",5",
        "abc",
    ] {
        let h = format!("Content-Length: {bad}\r\n");
        assert_eq!(framing_of(&h), Err(HeadError::BadContentLength), "{bad:?}");
    }
    assert_eq!(
        framing_of("Content-Length: 5\r\nContent-Length: 6\r\n"),
        Err(HeadError::ConflictingContentLength)
    );
    assert_eq!(
        framing_of("Content-Length: 5, 6\r\n"),
        Err(HeadError::ConflictingContentLength)
    );
    assert_eq!(
        framing_of("Content-Length: 5\r\nContent-Length: x\r\n"),
        Err(HeadError::BadContentLength)
    );
}

#[test]
fn close_framing_never_keep_alive() {
    let r = p(b"HTTP/1.1 200 OK\r\n\r\nbody until close");
    assert_eq!(r.framing, Framing::Close);
    assert!(!r.keep_alive);
}

#[test]
fn informational() {
    assert!(is_informational(100));
    assert!(is_informational(103));
    assert!(is_informational(199));
    assert!(!is_informational(99));
    assert!(!is_informational(200));
    assert!(!is_informational(0));
}

#[test]
fn informational_then_final_in_one_buffer() {
    let buf = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let first = p(buf);
    assert!(is_informational(first.status));
    let second = p(&buf[first.head_len..]);
    assert_eq!(second.status, 200);
    assert_eq!(second.framing, Framing::Length(2));
}

#[test]
fn location_header() {
    let r = p(b"HTTP/1.1 302 Found\r\nLocation: http://x/y\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(r.location, Some(b"http://x/y".to_vec()));
}

#[test]
fn deterministic_on_all_single_byte_mutations() {
    // No input may panic; results for mutated heads just have to exist.
    let base = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n";
    for i in 0..base.len() {
        for b in 0u8..=255 {
            let mut m = base.to_vec();
            m[i] = b;
            let _ = parse_with(&m, Limits::default(), false);
            let _ = parse_with(
                &m[..i],
                Limits {
                    max_head_bytes: 20,
                    max_headers: 1,
                },
                false,
            );
        }
    }
}

/// raw_header and raw_reason read a head as parse_head does.
#[test]
fn raw_head_reads_as_parse() {
    let heads: [&[u8]; 5] = [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=latin-1 \r\nX-A:  b\t\r\nx-a: c\r\nLocation: /next\r\n\r\nbody",
        b"\r\n\nHTTP/1.0 301 Moved Permanently\nLOCATION:http://h/\nContent-Length: 0\n\n",
        b"HTTP/1.1 204\r\nEmpty:\r\n\r\n",
        b"HTTP/1.1 404 Not \xe9 Found\r\nA: 1\r\nContent-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 \r\n\r\n",
    ];
    for raw in heads {
        let mut storage = header_storage();
        let head = parse_head(raw, &mut storage, &Limits::default(), true)
            .unwrap()
            .unwrap();
        let raw = &raw[..head.head_len];
        assert_eq!(raw_reason(raw), head.reason);
        for name in [
            &b"content-type"[..],
            b"x-a",
            b"X-A",
            b"location",
            b"empty",
            b"content-encoding",
            b"missing",
            b"a",
            b"content-length",
        ] {
            assert_eq!(
                raw_header(raw, name),
                head.header(name),
                "{:?}",
                String::from_utf8_lossy(name)
            );
        }
    }
    // Nothing after the blank line counts.
    assert_eq!(raw_header(b"HTTP/1.1 200 OK\r\n\r\nA: 1\r\n", b"a"), None);
}

/// parse_head_with answers as parse_head with the whole array does, on
/// either side of its first try's room.
#[test]
fn parse_head_with_many_headers() {
    let lines = |n: usize| {
        (0..n)
            .map(|i| format!("X-{i}: v{i}\r\n"))
            .collect::<String>()
    };
    for n in [0usize, 15, 16, 17, 40, 48, 49] {
        for complete in [true, false] {
            let mut text = format!("HTTP/1.1 200 OK\r\n{}", lines(n));
            if complete {
                text.push_str("\r\n");
            } else {
                text.push_str("X-Partial: a");
            }
            let whole = parse_with(text.as_bytes(), Limits::default(), false);
            let with = parse_head_with(text.as_bytes(), &Limits::default(), false, |r| {
                r.map(|h| h.map(|h| (h.head_len, h.headers.len())))
            });
            assert_eq!(
                with,
                whole.map(|h| h.map(|h| (h.head_len, h.headers.len()))),
                "{n} {complete}"
            );
        }
    }
    let few = Limits {
        max_head_bytes: 8192,
        max_headers: 10,
    };
    let text = format!("HTTP/1.1 200 OK\r\n{}\r\n", lines(12));
    let r = parse_head_with(text.as_bytes(), &few, false, |r| r.map(|h| h.is_some()));
    assert_eq!(r, Err(HeadError::TooManyHeaders));
}
