//! Tests of `engine::url`.

use super::*;
use std::string::String;
use std::vec;

fn url(s: &str) -> Url<'_> {
    parse(s.as_bytes()).unwrap()
}

fn err(s: &str) -> UrlError {
    parse(s.as_bytes()).unwrap_err()
}

fn host_header(u: &Url) -> String {
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    u.write_host(&mut w);
    String::from_utf8(w.written().to_vec()).unwrap()
}

fn absolute(u: &Url) -> String {
    let mut buf = [0u8; 256];
    let mut w = Writer::new(&mut buf);
    u.write_absolute(&mut w);
    String::from_utf8(w.written().to_vec()).unwrap()
}

fn res(base: &str, loc: &str) -> Result<String, UrlError> {
    let b = url(base);
    let mut buf = vec![0u8; 1024];
    let mut w = Writer::new(&mut buf);
    resolve(&b, loc.as_bytes(), &mut w)?;
    assert!(!w.overflowed());
    let out = String::from_utf8(w.written().to_vec()).unwrap();
    // Whatever resolve writes must parse again.
    parse(out.as_bytes()).unwrap();
    Ok(out)
}

#[test]
fn simple_http() {
    let u = url("http://example.com/path?q=1");
    assert_eq!(u.scheme, Scheme::Http);
    assert_eq!(u.host, b"example.com");
    assert!(!u.is_ipv6);
    assert_eq!(u.port, 80);
    assert_eq!(u.target, b"/path?q=1");
    assert_eq!(u.path(), b"/path");
    assert_eq!(u.query(), Some(&b"q=1"[..]));
    assert!(!u.has_explicit_port());
}

#[test]
fn simple_https() {
    let u = url("https://example.com");
    assert_eq!(u.scheme, Scheme::Https);
    assert_eq!(u.port, 443);
    assert_eq!(u.target, b"");
    assert_eq!(u.query(), None);
}

#[test]
fn scheme_case_insensitive() {
    assert_eq!(url("HTTP://h/").scheme, Scheme::Http);
    assert_eq!(url("hTtPs://h/").scheme, Scheme::Https);
}

#[test]
fn scheme_strings_and_ports() {
    assert_eq!(Scheme::Http.as_str(), "http:");
    assert_eq!(Scheme::Https.as_str(), "https:");
    assert_eq!(Scheme::Http.default_port(), 80);
    assert_eq!(Scheme::Https.default_port(), 443);
}

#[test]
fn unsupported_protocols() {
    for s in [
        "ftp://h/",
        "example.com/x",
        "",
        "://h",
        "http//h",
        "http:/h",
        "http:h",
        "httpx://h",
        "ws://h",
        "1http://h",
        "/path",
    ] {
        assert_eq!(err(s), UrlError::UnsupportedProtocol, "{s}");
    }
}

#[test]
fn missing_host() {
    for s in [
        "http://",
        "http:///x",
        "http://:80/",
        "http://user@/",
        "http://[]/",
        "http://[::1/",
        "https://?q",
        "http://#f",
    ] {
        assert_eq!(err(s), UrlError::MissingHost, "{s}");
    }
}

#[test]
fn ports() {
    assert_eq!(url("http://h:8080/").port, 8080);
    assert!(url("http://h:8080/").has_explicit_port());
    assert_eq!(url("http://h:1").port, 1);
    assert_eq!(url("http://h:65535").port, 65535);
    assert_eq!(url("http://h:/x").port, 80);
    assert_eq!(url("https://h:").port, 443);
    assert_eq!(url("http://h:0080/").port, 80);
    assert!(!url("http://h:80/").has_explicit_port());
    assert!(url("https://h:80/").has_explicit_port());
    assert_eq!(url("https://h:443?x").target, b"?x");
    for s in [
        "http://h:0/",
        "http://h:65536/",
        "http://h:99999999999999999999/",
        "http://h:-1/",
        "http://h:+80/",
        "http://h:8 0/",
        "http://h:80a/",
        "http://h:80:81/",
        "http://[::1]x/",
        "http://[::1]:x/",
        "http://[::1]:0/",
    ] {
        assert_eq!(err(s), UrlError::BadPort, "{s}");
    }
}

#[test]
fn ipv6() {
    let u = url("http://[::1]/x");
    assert_eq!(u.host, b"::1");
    assert!(u.is_ipv6);
    assert_eq!(u.port, 80);
    let u = url("http://[fe80::1%25eth0]:8080?q");
    assert_eq!(u.host, b"fe80::1%25eth0");
    assert_eq!(u.port, 8080);
    assert_eq!(u.target, b"?q");
    let u = url("https://[::1]:");
    assert_eq!(u.port, 443);
}

#[test]
fn userinfo_stripped() {
    let u = url("http://user:pw@h:81/x");
    assert_eq!(u.host, b"h");
    assert_eq!(u.port, 81);
    let u = url("http://a@b:c@h/x");
    assert_eq!(u.host, b"h");
    let u = url("http://u@[::1]:82/");
    assert_eq!(u.host, b"::1");
    assert_eq!(u.port, 82);
    // An '@' after the authority belongs to the path.
    let u = url("http://h/a@b");
    assert_eq!(u.host, b"h");
    assert_eq!(u.target, b"/a@b");
    assert_eq!(u.userinfo, None);
}

#[test]
fn userinfo_kept_apart_as_credentials() {
    let u = url("http://us%40er:p%3Aw@h:81/x");
    assert_eq!(u.userinfo, Some(&b"us%40er:p%3Aw"[..]));
    assert_eq!(u.credentials(), Some((&b"us%40er"[..], &b"p%3Aw"[..])));
    // The last '@' ends the userinfo; the first ':' splits it.
    let u = url("http://a@b:c:d@h/");
    assert_eq!(u.credentials(), Some((&b"a@b"[..], &b"c:d"[..])));
    assert_eq!(
        url("http://user:@h/").credentials(),
        Some((&b"user"[..], &b""[..]))
    );
    assert_eq!(
        url("http://:pw@h/").credentials(),
        Some((&b""[..], &b"pw"[..]))
    );
    // As CPython requests: no ':' or nothing on either side means no auth.
    assert_eq!(url("http://user@h/").credentials(), None);
    assert_eq!(url("http://:@h/").credentials(), None);
    assert_eq!(url("http://@h/").credentials(), None);
    assert_eq!(url("http://h/").credentials(), None);
    // Userinfo never reaches the Host or the absolute form.
    let u = url("http://u:p@[::1]:82/z");
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    u.write_absolute(&mut w);
    assert_eq!(w.written(), b"http://[::1]:82/z");
}

#[test]
fn targets_and_fragments() {
    assert_eq!(url("http://h").target, b"");
    assert_eq!(url("http://h/").target, b"/");
    assert_eq!(url("http://h?x=1").target, b"?x=1");
    assert_eq!(url("http://h#frag").target, b"");
    assert_eq!(url("http://h/a#b?c").target, b"/a");
    assert_eq!(url("http://h/a?b#c").target, b"/a?b");
    assert_eq!(url("http://h/a b").target, b"/a b");
    assert_eq!(url("http://h/a?b?c/d").target, b"/a?b?c/d");
    assert_eq!(url("http://h/a?b?c/d").query(), Some(&b"b?c/d"[..]));
    assert_eq!(url("http://h:8/x/y").host, b"h");
}

#[test]
fn control_characters_checked_first() {
    for s in [
        "http://h/\r\n",
        "ftp://h\n",
        "http://h/\0",
        "\rhttp://h",
        "http://h:x\n",
        "http://h/#\r",
    ] {
        assert_eq!(err(s), UrlError::ControlCharacter, "{s:?}");
    }
    // Other control bytes are not CR/LF/NUL and pass.
    assert!(parse(b"http://h/\t\x01").is_ok());
}

#[test]
fn host_header_values() {
    assert_eq!(host_header(&url("http://h/")), "h");
    assert_eq!(host_header(&url("http://h:80/")), "h");
    assert_eq!(host_header(&url("http://h:8080/")), "h:8080");
    assert_eq!(host_header(&url("https://h:80/")), "h:80");
    assert_eq!(host_header(&url("https://h:443/")), "h");
    assert_eq!(host_header(&url("http://[::1]/")), "[::1]");
    assert_eq!(host_header(&url("http://[::1]:9/")), "[::1]:9");
    assert_eq!(host_header(&url("http://Ex.COM/")), "Ex.COM");
}

#[test]
fn absolute_forms() {
    assert_eq!(absolute(&url("HTTP://u:p@h:80/x?y#z")), "http://h/x?y");
    assert_eq!(absolute(&url("https://h")), "https://h/");
    assert_eq!(absolute(&url("https://h?q")), "https://h/?q");
    assert_eq!(absolute(&url("http://[::1]:81/p")), "http://[::1]:81/p");
    assert_eq!(absolute(&url("http://h/a/../b")), "http://h/a/../b");
}

#[test]
fn absolute_overflow_counts() {
    let u = url("http://example.com/long/path");
    let mut buf = [0u8; 4];
    let mut w = Writer::new(&mut buf);
    u.write_absolute(&mut w);
    assert!(w.overflowed());
    assert_eq!(w.needed(), "http://example.com/long/path".len());
}

// RFC 3986 §5.4.1 normal examples (those that apply to http).
#[test]
fn rfc3986_normal_examples() {
    let b = "http://a/b/c/d;p?q";
    let cases = [
        ("g", "http://a/b/c/g"),
        ("./g", "http://a/b/c/g"),
        ("g/", "http://a/b/c/g/"),
        ("/g", "http://a/g"),
        ("//g", "http://g/"),
        ("?y", "http://a/b/c/d;p?y"),
        ("g?y", "http://a/b/c/g?y"),
        ("#s", "http://a/b/c/d;p?q"),
        ("g#s", "http://a/b/c/g"),
        ("g?y#s", "http://a/b/c/g?y"),
        (";x", "http://a/b/c/;x"),
        ("g;x", "http://a/b/c/g;x"),
        ("g;x?y#s", "http://a/b/c/g;x?y"),
        ("", "http://a/b/c/d;p?q"),
        (".", "http://a/b/c/"),
        ("./", "http://a/b/c/"),
        ("..", "http://a/b/"),
        ("../", "http://a/b/"),
        ("../g", "http://a/b/g"),
        ("../..", "http://a/"),
        ("../../", "http://a/"),
        ("../../g", "http://a/g"),
    ];
    for (loc, want) in cases {
        assert_eq!(res(b, loc).unwrap(), want, "{loc}");
    }
}

// RFC 3986 §5.4.2 abnormal examples.
#[test]
fn rfc3986_abnormal_examples() {
    let b = "http://a/b/c/d;p?q";
    let cases = [
        ("../../../g", "http://a/g"),
        ("../../../../g", "http://a/g"),
        ("/./g", "http://a/g"),
        ("/../g", "http://a/g"),
        ("g.", "http://a/b/c/g."),
        (".g", "http://a/b/c/.g"),
        ("g..", "http://a/b/c/g.."),
        ("..g", "http://a/b/c/..g"),
        ("./../g", "http://a/b/g"),
        ("./g/.", "http://a/b/c/g/"),
        ("g/./h", "http://a/b/c/g/h"),
        ("g/../h", "http://a/b/c/h"),
        ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
        ("g;x=1/../y", "http://a/b/c/y"),
        ("g?y/./x", "http://a/b/c/g?y/./x"),
        ("g?y/../x", "http://a/b/c/g?y/../x"),
        ("g#s/./x", "http://a/b/c/g"),
        ("g#s/../x", "http://a/b/c/g"),
        // Non-strict: same scheme without authority is relative.
        ("http:g", "http://a/b/c/g"),
    ];
    for (loc, want) in cases {
        assert_eq!(res(b, loc).unwrap(), want, "{loc}");
    }
}

#[test]
fn resolve_absolute_locations() {
    assert_eq!(res("http://a/b", "https://x/y").unwrap(), "https://x/y");
    assert_eq!(
        res("http://a/b", "HTTPS://X:444/y?z#f").unwrap(),
        "https://X:444/y?z"
    );
    assert_eq!(res("http://a/b", "http://x").unwrap(), "http://x/");
    assert_eq!(res("http://a/b", "http://x?q").unwrap(), "http://x/?q");
    assert_eq!(
        res("http://a/b", "http://x/a/../b/./c").unwrap(),
        "http://x/b/c"
    );
    assert_eq!(res("http://a/b", "http://u:p@x:80/").unwrap(), "http://x/");
    assert_eq!(
        res("http://a/b", "http://[::1]:8/z").unwrap(),
        "http://[::1]:8/z"
    );
    assert_eq!(res("https://a:8443/b", "//x/y").unwrap(), "https://x/y");
    assert_eq!(res("https://a:8443/b", "//x:1/y").unwrap(), "https://x:1/y");
}

#[test]
fn resolve_keeps_base_port_and_ipv6() {
    assert_eq!(res("http://a:8080/b/c", "d").unwrap(), "http://a:8080/b/d");
    assert_eq!(res("http://a:8080/b/c", "/d").unwrap(), "http://a:8080/d");
    assert_eq!(
        res("http://[::1]:8080/b/c", "?x").unwrap(),
        "http://[::1]:8080/b/c?x"
    );
    assert_eq!(res("https://a/b", "c").unwrap(), "https://a/c");
}

#[test]
fn resolve_against_empty_base_path() {
    assert_eq!(res("http://a", "b").unwrap(), "http://a/b");
    assert_eq!(res("http://a", "").unwrap(), "http://a/");
    assert_eq!(res("http://a?q", "").unwrap(), "http://a/?q");
    assert_eq!(res("http://a?q", "?r").unwrap(), "http://a/?r");
    assert_eq!(res("http://a?q", "../b").unwrap(), "http://a/b");
    assert_eq!(res("http://a/", "./").unwrap(), "http://a/");
}

#[test]
fn resolve_dot_segment_edges() {
    let b = "http://a/b/c/d";
    assert_eq!(res(b, "/a//b/../c").unwrap(), "http://a/a//c");
    assert_eq!(res(b, "/a//..").unwrap(), "http://a/a/");
    assert_eq!(res(b, "/.").unwrap(), "http://a/");
    assert_eq!(res(b, "/..").unwrap(), "http://a/");
    assert_eq!(res(b, "/").unwrap(), "http://a/");
    assert_eq!(res(b, "/a/b/..").unwrap(), "http://a/a/");
    assert_eq!(res(b, "/a/./b/./").unwrap(), "http://a/a/b/");
    assert_eq!(res(b, "x/y/z/../../..").unwrap(), "http://a/b/c/");
    assert_eq!(res(b, "x/y/z/../../../").unwrap(), "http://a/b/c/");
    assert_eq!(res(b, "//h/../../x").unwrap(), "http://h/x");
    assert_eq!(res(b, "..//x").unwrap(), "http://a/b//x");
    assert_eq!(res("http://a/b//c", "d").unwrap(), "http://a/b//d");
    assert_eq!(res("http://a/b//c", "../d").unwrap(), "http://a/b/d");
}

#[test]
fn resolve_errors() {
    let b = "http://a/b";
    assert_eq!(res(b, "ftp://x/"), Err(UrlError::UnsupportedProtocol));
    assert_eq!(res(b, "mailto:x@y"), Err(UrlError::UnsupportedProtocol));
    assert_eq!(
        res(b, "javascript:alert(1)"),
        Err(UrlError::UnsupportedProtocol)
    );
    assert_eq!(
        res(b, "/x\r\nSet-Cookie: a"),
        Err(UrlError::ControlCharacter)
    );
    assert_eq!(res(b, "\0"), Err(UrlError::ControlCharacter));
    assert_eq!(res(b, "http://"), Err(UrlError::MissingHost));
    assert_eq!(res(b, "//"), Err(UrlError::MissingHost));
    assert_eq!(res(b, "http://x:0/"), Err(UrlError::BadPort));
    assert_eq!(res(b, "https:x"), Err(UrlError::MissingHost));
}

#[test]
fn resolve_colon_not_scheme() {
    let b = "http://a/b/c";
    // ':' after a '/' or a leading digit is not a scheme.
    assert_eq!(res(b, "./x:y").unwrap(), "http://a/b/x:y");
    assert_eq!(res(b, "d/x:y").unwrap(), "http://a/b/d/x:y");
    assert_eq!(res(b, "1:2").unwrap(), "http://a/b/1:2");
    assert_eq!(res(b, "?a:b").unwrap(), "http://a/b/c?a:b");
}

#[test]
fn resolve_overflowing_writer_then_retry() {
    let b = url("http://example.com/a/b/c");
    for loc in [
        "../x/./y/..",
        "https://other/z",
        "?q",
        "",
        "d/e",
        "/p/q/../../r/s/t/../..",
        "x/y/z/../../../..",
    ] {
        let mut big = [0u8; 256];
        let mut w = Writer::new(&mut big);
        resolve(&b, loc.as_bytes(), &mut w).unwrap();
        assert!(!w.overflowed());
        let want = w.written().to_vec();
        let big_needed = w.needed();
        for size in 0..big_needed {
            let mut small = vec![0u8; size];
            let mut w = Writer::new(&mut small);
            resolve(&b, loc.as_bytes(), &mut w).unwrap();
            assert!(w.overflowed(), "{loc} size {size}");
            let need = w.needed();
            assert!(need >= big_needed);
            if !loc.contains("..") {
                // Append-only output: the count is exact.
                assert_eq!(need, want.len());
                assert_eq!(w.written(), &want[..size]);
            }
            let mut retry = vec![0u8; need];
            let mut w = Writer::new(&mut retry);
            resolve(&b, loc.as_bytes(), &mut w).unwrap();
            assert!(!w.overflowed());
            assert_eq!(w.written(), &want[..], "{loc} size {size}");
        }
    }
}

#[test]
fn resolve_long_paths_are_linear() {
    // 4000 segments each cancelled at the end: quadratic code would take
    // ~10^7 steps, this just has to finish quickly and correctly.
    let base = url("http://a/b");
    let mut loc = String::new();
    for _ in 0..4000 {
        loc.push_str("x/");
    }
    for _ in 0..4000 {
        loc.push_str("../");
    }
    loc.push('y');
    let mut buf = vec![0u8; 20000];
    let mut w = Writer::new(&mut buf);
    resolve(&base, loc.as_bytes(), &mut w).unwrap();
    assert_eq!(w.written(), b"http://a/y");
}

#[test]
fn resolve_long_dot_chains_terminate() {
    let base = url("http://a/b");
    let mut loc = String::new();
    for _ in 0..500 {
        loc.push_str("x/");
    }
    for _ in 0..600 {
        loc.push_str("../");
    }
    // The intermediate output does not fit 64 bytes: grow and retry.
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    resolve(&base, loc.as_bytes(), &mut w).unwrap();
    assert!(w.overflowed());
    let mut big = vec![0u8; w.needed()];
    let mut w = Writer::new(&mut big);
    resolve(&base, loc.as_bytes(), &mut w).unwrap();
    assert!(!w.overflowed());
    assert_eq!(w.written(), b"http://a/");
}

#[test]
fn spans_give_the_same_parts_back() {
    for s in [
        "http://example.com",
        "https://user:p%40ss@[::1]:8443/a/b?q=1#frag",
        "http://h:1/?x",
        "HTTP://a@b@c/d",
        "http://example.com#only-fragment",
    ] {
        let u = url(s);
        let spans = u.spans(s.as_bytes());
        assert_eq!(spans.of(s.as_bytes()), u, "{s}");
        // Over a copy of the text (another address) the parts are the same.
        let copy = std::string::String::from(s);
        assert_eq!(spans.of(copy.as_bytes()), u, "{s}");
    }
}

#[test]
fn spans_over_shorter_text_give_empty_parts_not_a_panic() {
    let s = "http://example.com/long/path";
    let spans = url(s).spans(s.as_bytes());
    let u = spans.of(b"http://e");
    assert_eq!(u.host, b"");
    assert_eq!(u.target, b"");
}
