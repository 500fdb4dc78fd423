use super::*;
use crate::engine::writer::Writer;

#[test]
fn name_value_and_attributes() {
    let c = parse(
        b"sid=abc123; Path=/app; Domain=.Example.com; Max-Age=60; Secure; HttpOnly; Priority=High",
    )
    .unwrap();
    assert_eq!(c.name, b"sid");
    assert_eq!(c.value, b"abc123");
    assert_eq!(c.path, Some(&b"/app"[..]));
    assert_eq!(c.domain, Some(&b"Example.com"[..]));
    assert_eq!(c.max_age, Some(60));
    assert!(c.secure && c.http_only);
}

#[test]
fn whitespace_and_case() {
    let c = parse(b"  a = b c ;  secure ; HTTPONLY;path = /x ").unwrap();
    assert_eq!((c.name, c.value), (&b"a"[..], &b"b c"[..]));
    assert!(c.secure && c.http_only);
    assert_eq!(c.path, Some(&b"/x"[..]));
}

#[test]
fn value_may_hold_equals_and_be_empty() {
    let c = parse(b"t=a=b==").unwrap();
    assert_eq!(c.value, b"a=b==");
    assert_eq!(parse(b"t=").unwrap().value, b"");
}

#[test]
fn ignored_lines() {
    assert_eq!(parse(b"novalue"), None);
    assert_eq!(parse(b"=v"), None);
    assert_eq!(parse(b"a\x01=v"), None);
    assert_eq!(parse(b"a=v\x7f"), None);
    assert_eq!(parse(b""), None);
}

#[test]
fn expires_formats_and_bad_ones_ignored() {
    assert_eq!(
        parse(b"a=b; Expires=Sun, 06 Nov 1994 08:49:37 GMT")
            .unwrap()
            .expires,
        Some(784_111_777)
    );
    assert_eq!(
        parse(b"a=b; expires=Sunday, 06-Nov-94 08:49:37 GMT")
            .unwrap()
            .expires,
        Some(784_111_777)
    );
    assert_eq!(
        parse(b"a=b; Expires=Sun Nov  6 08:49:37 1994")
            .unwrap()
            .expires,
        Some(784_111_777)
    );
    assert_eq!(parse(b"a=b; Expires=soon").unwrap().expires, None);
}

#[test]
fn max_age_forms() {
    assert_eq!(parse(b"a=b; Max-Age=0").unwrap().max_age, Some(0));
    assert_eq!(parse(b"a=b; Max-Age=-5").unwrap().max_age, Some(-5));
    assert_eq!(parse(b"a=b; Max-Age=+5").unwrap().max_age, None);
    assert_eq!(parse(b"a=b; Max-Age=5s").unwrap().max_age, None);
    assert_eq!(parse(b"a=b; Max-Age=").unwrap().max_age, None);
    assert_eq!(
        parse(b"a=b; Max-Age=99999999999999999999999")
            .unwrap()
            .max_age,
        Some(i64::MAX)
    );
}

#[test]
fn last_attribute_wins_and_bad_path_or_empty_domain_ignored() {
    let c = parse(b"a=b; Path=/one; Path=/two; Domain=x.org; Domain=").unwrap();
    assert_eq!(c.path, Some(&b"/two"[..]));
    assert_eq!(c.domain, Some(&b"x.org"[..]));
    assert_eq!(parse(b"a=b; Path=relative").unwrap().path, None);
}

#[test]
fn domain_matching() {
    assert!(domain_match(b"www.example.com", b"example.com"));
    assert!(domain_match(b"Example.COM", b"example.com"));
    assert!(!domain_match(b"badexample.com", b"example.com"));
    assert!(!domain_match(b"example.com", b"www.example.com"));
    assert!(domain_match(b"10.0.0.1", b"10.0.0.1"));
    assert!(!domain_match(b"10.0.0.1", b"0.0.1"));
    assert!(!domain_match(b"::1", b":1"));
}

#[test]
fn default_paths() {
    assert_eq!(default_path(b""), b"/");
    assert_eq!(default_path(b"x"), b"/");
    assert_eq!(default_path(b"/"), b"/");
    assert_eq!(default_path(b"/login"), b"/");
    assert_eq!(default_path(b"/app/login"), b"/app");
    assert_eq!(default_path(b"/app/sub/"), b"/app/sub");
}

#[test]
fn path_matching() {
    assert!(path_match(b"/app", b"/app"));
    assert!(path_match(b"/app/x", b"/app"));
    assert!(path_match(b"/app/x", b"/app/"));
    assert!(path_match(b"/anything", b"/"));
    assert!(path_match(b"", b"/"));
    assert!(!path_match(b"/application", b"/app"));
    assert!(!path_match(b"/ap", b"/app"));
}

fn round_trip(line: &[u8]) {
    let first = parse(line).unwrap();
    let mut buf = [0u8; 512];
    let mut w = Writer::new(&mut buf);
    first.write(&mut w);
    let again = parse(w.written()).unwrap();
    assert_eq!(first, again, "{}", String::from_utf8_lossy(w.written()));
}

#[test]
fn written_form_parses_back() {
    round_trip(b"a=b");
    round_trip(b"sid=x=y; Domain=..odd; Path=/p; Max-Age=-9223372036854775807; Expires=Sun Nov  6 08:49:37 1994; Secure; HttpOnly");
    round_trip(b"a=b; Expires=31 Dec 9999 23:59:59; Max-Age=0");
    round_trip(b"a=b; Expires=1 Jan 1601 00:00:00");
    round_trip(b"a=b; Domain=.");
}
