//! Request line and header writers: validation happens before output, small
//! and big writers agree, and nothing user-supplied can add a line.
#![no_main]

use engine::request::{write_header, write_request_line, RequestError};
use engine::url::{Scheme, Url};
use engine::writer::Writer;
use libfuzzer_sys::fuzz_target;

fn take<'a>(data: &mut &'a [u8], n: u8) -> &'a [u8] {
    let n = usize::from(n).min(data.len());
    let (a, b) = data.split_at(n);
    *data = b;
    a
}

/// Runs `f` on a small and a big writer and checks they agree.
fn both(small_len: usize, f: impl Fn(&mut Writer) -> Result<(), RequestError>) -> (Result<(), RequestError>, Vec<u8>) {
    let mut big = vec![0u8; 4096];
    let mut wb = Writer::new(&mut big);
    let rb = f(&mut wb);
    assert!(!wb.overflowed());
    let mut small = vec![0u8; small_len];
    let mut ws = Writer::new(&mut small);
    let rs = f(&mut ws);
    assert_eq!(rb, rs);
    assert_eq!(wb.needed(), ws.needed());
    assert!(wb.written().starts_with(ws.written()));
    if rb.is_err() {
        assert_eq!(wb.needed(), 0, "output written before validation failed");
    }
    (rb, wb.written().to_vec())
}

/// Exactly one line: ends in CRLF, no other CR, LF or NUL.
fn one_line(out: &[u8]) {
    let body = out.strip_suffix(b"\r\n").expect("line not CRLF-terminated");
    assert!(!body.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0), "injected line break");
}

fuzz_target!(|data: &[u8]| {
    let [lm, lt, ln, small, rest @ ..] = data else { return };
    let mut rest = rest;
    let method = take(&mut rest, *lm);
    let target = take(&mut rest, *lt);
    let name = take(&mut rest, *ln);
    let value = rest;
    let url = Url { scheme: Scheme::Http, host: b"h", is_ipv6: false, port: 80, target, userinfo: None };
    let small = usize::from(*small);

    let (r, out) = both(small, |w| write_request_line(w, method, &url));
    if r.is_ok() {
        one_line(&out);
        assert!(out.starts_with(method));
        assert_eq!(out.iter().filter(|&&b| b == b' ').count(), 2, "spaces in request line");
        assert!(out.ends_with(b" HTTP/1.1\r\n"));
        let line = &out[..out.len() - 2];
        assert!(
            !line.iter().any(|&b| b < 0x20 || b == 0x7f),
            "control byte sent raw in the request line"
        );
        assert!(method.iter().all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)),
                "method that is not a token accepted");
    }

    let (r, out) = both(small, |w| write_header(w, name, value));
    if r.is_ok() {
        one_line(&out);
        let colon = out.iter().position(|&b| b == b':').unwrap();
        assert_eq!(&out[..colon], name);
        assert!(!name.is_empty());
        assert!(!name.iter().any(|&b| b == b' ' || b == b'\t'));
    }
});
