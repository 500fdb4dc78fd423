use super::*;
use crate::engine::url::parse;
use std::vec::Vec;

fn head(p: &HeadParts, headers: &[(&[u8], &[u8])]) -> Result<Vec<u8>, RequestError> {
    let mut buf = [0u8; 1024];
    let mut w = Writer::new(&mut buf);
    write_head(&mut w, p, &mut |each| {
        for (n, v) in headers {
            each(n, v)?;
        }
        Ok(())
    })?;
    assert!(!w.overflowed());
    Ok(w.written().to_vec())
}

fn parts<'a>(url: &'a Url<'a>) -> HeadParts<'a> {
    HeadParts {
        method: b"GET",
        url,
        overrides: Overrides::default(),
        content_type: None,
        boundary: b"",
        framing: BodyFraming::Empty,
        authorization: None,
        dropped: Dropped::NOTHING,
    }
}

fn text(v: Vec<u8>) -> std::string::String {
    std::string::String::from_utf8(v).unwrap()
}

#[test]
fn defaults_in_the_reference_order() {
    let u = parse(b"http://example.com/a?b=1").unwrap();
    let out = text(head(&parts(&u), &[]).unwrap());
    assert_eq!(
        out,
        "GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Adafruit CircuitPython\r\n\r\n"
    );
}

#[test]
fn host_keeps_a_non_default_port_and_brackets_ipv6() {
    let u = parse(b"https://[::1]:8443/").unwrap();
    let out = text(head(&parts(&u), &[]).unwrap());
    assert!(out.contains("\r\nHost: [::1]:8443\r\n"), "{out}");
    let u = parse(b"https://example.com:443/").unwrap();
    let out = text(head(&parts(&u), &[]).unwrap());
    assert!(out.contains("\r\nHost: example.com\r\n"), "{out}");
}

#[test]
fn body_headers_follow_the_framing() {
    let u = parse(b"http://h/p").unwrap();
    let mut p = parts(&u);
    p.method = b"POST";
    p.content_type = Some(ContentType::Json);
    p.framing = BodyFraming::Length(12);
    let out = text(head(&p, &[]).unwrap());
    assert!(
        out.contains("Content-Type: application/json\r\nContent-Length: 12\r\n"),
        "{out}"
    );
    assert!(!out.contains("Transfer-Encoding"));
    p.framing = BodyFraming::Chunked;
    p.content_type = None;
    let out = text(head(&p, &[]).unwrap());
    assert!(out.contains("Transfer-Encoding: chunked\r\n") && !out.contains("Content-Length"));
    p.content_type = Some(ContentType::Multipart);
    p.boundary = b"XyZ";
    p.framing = BodyFraming::Length(0);
    let out = text(head(&p, &[]).unwrap());
    assert!(
        out.contains("Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 0\r\n")
    );
}

#[test]
fn caller_headers_replace_the_automatic_ones_in_any_case() {
    let u = parse(b"http://h/").unwrap();
    let mut p = parts(&u);
    p.content_type = Some(ContentType::Form);
    p.framing = BodyFraming::Length(3);
    p.authorization = Some(b"Basic dTpw");
    for name in [
        &b"HOST"[..],
        b"user-AGENT",
        b"content-type",
        b"Content-Length",
        b"authorization",
    ] {
        p.overrides.note(name);
    }
    let given: [(&[u8], &[u8]); 3] = [
        (b"HOST", b"other"),
        (b"content-type", b"text/x"),
        (b"X-A", b"1"),
    ];
    let out = text(head(&p, &given).unwrap());
    assert_eq!(
        out,
        "GET / HTTP/1.1\r\nHOST: other\r\ncontent-type: text/x\r\nX-A: 1\r\n\r\n"
    );
}

#[test]
fn credentials_and_body_headers_dropped_by_a_redirect_stay_out() {
    let u = parse(b"http://h/").unwrap();
    let mut p = parts(&u);
    p.authorization = Some(b"Basic dTpw");
    p.dropped = Dropped {
        credentials: true,
        body: true,
    };
    let given: [(&[u8], &[u8]); 4] = [
        (b"Cookie", b"c=1"),
        (b"Proxy-Authorization", b"x"),
        (b"Content-Type", b"text/plain"),
        (b"X-Keep", b"yes"),
    ];
    let out = text(head(&p, &given).unwrap());
    assert!(
        !out.contains("Authorization") && !out.contains("Cookie"),
        "{out}"
    );
    assert!(!out.contains("Content-Type"), "{out}");
    assert!(out.contains("X-Keep: yes\r\n"), "{out}");
    // Only credentials dropped: the body headers stay.
    p.dropped = Dropped {
        credentials: true,
        body: false,
    };
    let out = text(head(&p, &given).unwrap());
    assert!(
        out.contains("Content-Type: text/plain") && !out.contains("Cookie"),
        "{out}"
    );
}

#[test]
fn a_bad_caller_header_is_refused() {
    let u = parse(b"http://h/").unwrap();
    let p = parts(&u);
    let bad: [(&[u8], &[u8]); 1] = [(b"X-A", b"1\r\nInjected: yes")];
    assert_eq!(head(&p, &bad), Err(RequestError::ControlCharacter));
    let bad: [(&[u8], &[u8]); 1] = [(b"Bad Name", b"1")];
    assert_eq!(head(&p, &bad), Err(RequestError::BadHeaderName));
    let mut p = parts(&u);
    p.method = b"GET /x";
    assert_eq!(head(&p, &[]), Err(RequestError::BadMethod));
}
