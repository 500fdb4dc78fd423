//! Tests of `engine::redirect`.

use super::*;
use crate::engine::url::parse;

fn hop(from: &str, to: &str, status: u16, method: &str) -> Plan {
    plan(
        &parse(from.as_bytes()).unwrap(),
        &parse(to.as_bytes()).unwrap(),
        status,
        method.as_bytes(),
    )
}

fn keeps(from: &str, to: &str) -> bool {
    hop(from, to, 302, "GET").keep_credentials
}

#[test]
fn credentials_stay_on_the_same_origin() {
    assert!(keeps("http://h:8080/a", "http://h:8080/b"));
    assert!(keeps("http://Example.COM/a", "HTTP://example.com:80/b"));
    assert!(keeps("https://h/a", "https://h:443/b"));
    assert!(keeps("http://[::1]:81/", "http://[::1]:81/x"));
}

#[test]
fn credentials_go_on_any_origin_change() {
    // Scheme: https -> http would send them in clear text.
    assert!(!keeps("https://h/start", "http://h/down"));
    assert!(!keeps("https://h:8443/start", "http://h:8443/down"));
    // Port.
    assert!(!keeps("http://h:8080/", "http://h:8081/"));
    assert!(!keeps("http://h/", "http://h:8080/"));
    // Host.
    assert!(!keeps("http://a.example/", "http://b.example/"));
    assert!(!keeps("http://127.0.0.1:80/", "http://localhost:80/"));
    assert!(!keeps("http://[::1]/", "http://[::2]/"));
}

#[test]
fn only_the_default_port_upgrade_keeps_them() {
    assert!(keeps("http://h/", "https://h/"));
    assert!(keeps("http://h:80/", "https://H:443/x"));
    assert!(!keeps("http://h:8080/", "https://h/"));
    assert!(!keeps("http://h/", "https://h:8443/"));
    assert!(!keeps("http://h:8080/", "https://h:8080/"));
    assert!(!keeps("http://a/", "https://b/"));
}

#[test]
fn method_rewrites() {
    let to_get = |status, method| hop("http://h/", "http://h/x", status, method).to_get;
    for m in ["POST", "PUT", "DELETE", "GET", "PATCH", "post"] {
        assert!(to_get(303, m), "{m}");
    }
    assert!(!to_get(303, "HEAD"));
    assert!(to_get(301, "POST"));
    assert!(to_get(302, "POST"));
    assert!(to_get(302, "post"));
    for m in ["PUT", "GET", "DELETE", "HEAD"] {
        assert!(!to_get(301, m), "{m}");
        assert!(!to_get(302, m), "{m}");
    }
    for status in [307, 308, 300, 304, 200] {
        assert!(!to_get(status, "POST"), "{status}");
    }
}

#[test]
fn header_classes_ignore_case() {
    for n in [
        "Authorization",
        "AUTHORIZATION",
        "proxy-authorization",
        "Cookie",
        "cOOKIE",
    ] {
        assert!(is_credential_header(n.as_bytes()), "{n}");
    }
    for n in ["Cookie2", "X-Authorization", "Set-Cookie", "Auth", ""] {
        assert!(!is_credential_header(n.as_bytes()), "{n}");
    }
    for n in ["Content-Length", "content-type", "TRANSFER-ENCODING"] {
        assert!(is_body_header(n.as_bytes()), "{n}");
    }
    for n in ["Content-Encoding", "Content-Language", "TE", "Length"] {
        assert!(!is_body_header(n.as_bytes()), "{n}");
    }
}

#[test]
fn dropped_headers_accumulate() {
    let keep_all = Plan {
        keep_credentials: true,
        to_get: false,
    };
    let cross = Plan {
        keep_credentials: false,
        to_get: false,
    };
    let get = Plan {
        keep_credentials: true,
        to_get: true,
    };
    let d = Dropped::NOTHING.after(keep_all);
    assert_eq!(d, Dropped::NOTHING);
    assert!(d.keeps(b"Authorization") && d.keeps(b"Content-Length"));
    let d = d.after(cross);
    assert!(!d.keeps(b"authorization") && !d.keeps(b"Cookie"));
    assert!(!d.keeps(b"Proxy-Authorization"));
    assert!(d.keeps(b"Content-Type") && d.keeps(b"X-Other"));
    // Coming back to the first origin does not restore them.
    let d = d.after(keep_all);
    assert!(!d.keeps(b"Authorization"));
    let d = d.after(get);
    assert!(!d.keeps(b"content-length") && !d.keeps(b"Transfer-Encoding"));
    assert!(!d.keeps(b"Content-Type"));
    assert!(d.keeps(b"Accept") && d.keeps(b"Host"));
    let body_only = Dropped::NOTHING.after(get);
    assert!(body_only.keeps(b"Authorization") && !body_only.keeps(b"Content-Type"));
}
