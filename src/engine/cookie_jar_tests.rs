use super::*;
use crate::engine::cookie::parse;

const HOST: Origin = Origin {
    host: b"www.example.com",
    path: b"/app/login",
    https: false,
};

fn o<'a>(host: &'a [u8], path: &'a [u8], https: bool) -> Origin<'a> {
    Origin { host, path, https }
}

fn cookie<'a>(line: &'a [u8], from: &Origin<'a>) -> Option<Cookie<'a>> {
    accept(&parse(line)?, from, 0, None)
}

struct TestJar {
    buf: Vec<u8>,
    tick: u32,
}

impl TestJar {
    fn new() -> Self {
        let mut buf = vec![0u8; MAX_CAPACITY];
        Jar::new(&mut buf).init(0);
        TestJar { buf, tick: 0 }
    }
    fn jar(&mut self) -> Jar<'_> {
        Jar::new(&mut self.buf)
    }
    fn receive(&mut self, line: &[u8], from: &Origin, date: Option<i64>) -> bool {
        let tick = self.tick;
        let now = self.jar().advance(tick);
        match parse(line).and_then(|sc| accept(&sc, from, now, date)) {
            Some(c) => {
                let mut copy = c;
                // The glue stores from the response's memory; copy to own it.
                let owned: Vec<Vec<u8>> = [c.name, c.value, c.domain, c.path]
                    .iter()
                    .map(|s| s.to_vec())
                    .collect();
                copy.name = &owned[0];
                copy.value = &owned[1];
                copy.domain = &owned[2];
                copy.path = &owned[3];
                self.jar().store(&copy)
            }
            None => false,
        }
    }
    fn header(&mut self, to: &Origin) -> String {
        let tick = self.tick;
        self.jar().advance(tick);
        let mut out = Vec::new();
        for_request(&self.buf, to, &mut |n, v| {
            if !out.is_empty() {
                out.extend_from_slice(b"; ");
            }
            out.extend_from_slice(n);
            out.push(b'=');
            out.extend_from_slice(v);
        });
        String::from_utf8(out).unwrap()
    }
    fn len(&self) -> usize {
        count(&self.buf)
    }
}

#[test]
fn host_only_cookie_goes_back_to_its_host_only() {
    let mut j = TestJar::new();
    j.receive(b"a=1; Path=/", &HOST, None);
    assert_eq!(j.header(&o(b"www.example.com", b"/", false)), "a=1");
    assert_eq!(j.header(&o(b"WWW.Example.com", b"/", false)), "a=1");
    assert_eq!(j.header(&o(b"sub.www.example.com", b"/", false)), "");
    assert_eq!(j.header(&o(b"example.com", b"/", false)), "");
    assert_eq!(j.header(&o(b"other.org", b"/", false)), "");
}

#[test]
fn domain_cookie_goes_to_subdomains() {
    let mut j = TestJar::new();
    assert!(j.receive(b"a=1; Domain=example.com; Path=/", &HOST, None));
    assert_eq!(j.header(&o(b"example.com", b"/", false)), "a=1");
    assert_eq!(j.header(&o(b"api.example.com", b"/", false)), "a=1");
    assert_eq!(j.header(&o(b"notexample.com", b"/", false)), "");
}

#[test]
fn domain_of_another_host_or_a_bare_tld_is_refused() {
    assert_eq!(cookie(b"a=1; Domain=other.org", &HOST), None);
    assert_eq!(cookie(b"a=1; Domain=sub.www.example.com", &HOST), None);
    assert_eq!(cookie(b"a=1; Domain=com", &HOST), None);
    assert_eq!(cookie(b"a=1; Domain=.com", &HOST), None);
    // A one-label host may name itself: the cookie stays host-only.
    let local = o(b"localhost", b"/", false);
    let c = cookie(b"a=1; Domain=localhost", &local).unwrap();
    assert!(c.host_only);
    // An address only ever matches itself.
    let ip = o(b"127.0.0.1", b"/", false);
    assert_eq!(cookie(b"a=1; Domain=0.0.1", &ip), None);
    assert!(cookie(b"a=1; Domain=127.0.0.1", &ip).is_some());
}

#[test]
fn default_path_and_path_matching() {
    let mut j = TestJar::new();
    j.receive(b"a=1", &HOST, None); // default path /app
    assert_eq!(j.header(&o(b"www.example.com", b"/app", false)), "a=1");
    assert_eq!(j.header(&o(b"www.example.com", b"/app/x/y", false)), "a=1");
    assert_eq!(j.header(&o(b"www.example.com", b"/", false)), "");
    assert_eq!(j.header(&o(b"www.example.com", b"/application", false)), "");
}

#[test]
fn secure_only_over_https_and_only_from_https() {
    let mut j = TestJar::new();
    let https = o(b"www.example.com", b"/", true);
    assert!(j.receive(b"s=1; Secure; Path=/", &https, None));
    assert_eq!(j.header(&https), "s=1");
    assert_eq!(j.header(&o(b"www.example.com", b"/", false)), "");
    assert!(!j.receive(
        b"t=1; Secure; Path=/",
        &o(b"www.example.com", b"/", false),
        None
    ));
}

#[test]
fn http_only_is_accepted_and_sent() {
    let mut j = TestJar::new();
    assert!(j.receive(b"h=1; HttpOnly; Path=/", &HOST, None));
    assert_eq!(j.header(&HOST), "h=1");
    assert!(records(&j.buf).next().unwrap().http_only);
}

#[test]
fn max_age_expires_on_the_clock() {
    let mut j = TestJar::new();
    j.tick = 1500;
    j.receive(b"a=1; Max-Age=2; Path=/", &HOST, None);
    j.tick = 3400;
    assert_eq!(j.header(&HOST), "a=1");
    j.tick = 4000;
    assert_eq!(j.header(&HOST), "");
    assert_eq!(j.len(), 0);
}

#[test]
fn clock_survives_tick_wrap() {
    let mut j = TestJar::new();
    j.tick = u32::MAX - 500;
    j.receive(b"a=1; Max-Age=2; Path=/", &HOST, None);
    j.tick = 1000; // 1501 ms later
    assert_eq!(j.header(&HOST), "a=1");
    j.tick = 2000;
    assert_eq!(j.header(&HOST), "");
}

#[test]
fn max_age_wins_over_expires() {
    let mut j = TestJar::new();
    j.receive(
        b"a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=100; Path=/",
        &HOST,
        None,
    );
    assert_eq!(j.header(&HOST), "a=1");
}

#[test]
fn expires_against_the_date_header() {
    let date = crate::engine::cookie_date::parse(b"Sun, 06 Nov 1994 08:49:37 GMT");
    let mut j = TestJar::new();
    j.receive(
        b"a=1; Expires=Sun, 06 Nov 1994 08:49:47 GMT; Path=/",
        &HOST,
        date,
    );
    j.tick = 9_000;
    assert_eq!(j.header(&HOST), "a=1");
    j.tick = 10_000;
    assert_eq!(j.header(&HOST), "");
}

#[test]
fn expires_without_a_date_header() {
    let mut j = TestJar::new();
    // A future date keeps it for the session; a past one deletes.
    j.receive(
        b"a=1; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Path=/",
        &HOST,
        None,
    );
    j.tick = 1_000_000_000;
    assert_eq!(j.header(&HOST), "a=1");
    j.receive(
        b"a=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
        &HOST,
        None,
    );
    assert_eq!(j.len(), 0);
}

#[test]
fn expired_cookie_deletes_its_namesake_only() {
    let mut j = TestJar::new();
    j.receive(b"a=1; Path=/", &HOST, None);
    j.receive(b"a=2; Path=/app", &HOST, None);
    j.receive(b"a=x; Max-Age=0; Path=/", &HOST, None);
    assert_eq!(j.len(), 1);
    assert_eq!(j.header(&HOST), "a=2");
}

#[test]
fn replacement_by_name_domain_path_keeps_age() {
    let mut j = TestJar::new();
    j.receive(b"a=1; Path=/", &HOST, None);
    j.receive(b"b=1; Path=/", &HOST, None);
    j.receive(b"a=22; Path=/", &HOST, None);
    assert_eq!(j.len(), 2);
    assert_eq!(j.header(&HOST), "a=22; b=1");
    // Another domain or path is another cookie.
    j.receive(b"a=3; Path=/; Domain=example.com", &HOST, None);
    assert_eq!(j.len(), 3);
}

#[test]
fn order_longer_paths_first_then_older() {
    let mut j = TestJar::new();
    j.receive(b"root=1; Path=/", &HOST, None);
    j.receive(b"deep=1; Path=/app/login", &HOST, None);
    j.receive(b"mid=1; Path=/app", &HOST, None);
    j.receive(b"root2=1; Path=/", &HOST, None);
    assert_eq!(j.header(&HOST), "deep=1; mid=1; root=1; root2=1");
}

#[test]
fn count_limit_evicts_oldest() {
    let mut j = TestJar::new();
    for i in 0..MAX_COOKIES + 3 {
        let line = format!("c{i}=v; Path=/");
        let owned = line.into_bytes();
        assert!(j.receive(&owned, &HOST, None));
    }
    assert_eq!(j.len(), MAX_COOKIES);
    let h = j.header(&HOST);
    assert!(
        !h.contains("c0=") && !h.contains("c2=") && h.starts_with("c3=v"),
        "{h}"
    );
}

#[test]
fn byte_limit_evicts_oldest_and_huge_cookie_refused() {
    let mut j = TestJar::new();
    let big = "x".repeat(900);
    for name in ["a", "b", "c"] {
        let line = format!("{name}={big}; Path=/");
        assert!(j.receive(line.as_bytes(), &HOST, None));
    }
    assert_eq!(j.len(), 2);
    assert!(j.header(&HOST).starts_with("b="));
    let huge = format!("h={}; Path=/", "y".repeat(MAX_BYTES));
    assert!(!j.receive(huge.as_bytes(), &HOST, None));
}

#[test]
fn growing_buffer_sizes() {
    // The glue grows the buffer to capacity_for before each store.
    let mut buf = vec![0u8; HEADER];
    Jar::new(&mut buf).init(7);
    let c = cookie(b"sid=abc; Path=/", &HOST).unwrap();
    let need = Jar::new(&mut buf).capacity_for(&c);
    assert_eq!(need, HEADER + RECORD_HEADER + 3 + 3 + HOST.host.len() + 1);
    buf.resize(need, 0);
    assert!(Jar::new(&mut buf).store(&c));
    assert_eq!(count(&buf), 1);
    // Too small a buffer for it even empty: not stored, nothing evicted.
    let d = cookie(b"other=12345; Path=/", &HOST).unwrap();
    assert!(!Jar::new(&mut buf).store(&d));
    assert_eq!(count(&buf), 1);
    // A buffer that is full: the oldest makes room.
    let e = cookie(b"new=abc; Path=/", &HOST).unwrap();
    assert!(Jar::new(&mut buf).store(&e));
    assert_eq!(
        records(&buf).map(|r| r.name).collect::<Vec<_>>(),
        vec![&b"new"[..]]
    );
}

#[test]
fn remove_and_select() {
    let mut j = TestJar::new();
    j.receive(b"a=1; Path=/", &HOST, None);
    j.receive(b"a=2; Path=/x", &HOST, None);
    j.receive(b"b=1; Path=/", &HOST, None);
    assert_eq!(j.jar().remove(Some(b"a"), None, Some(b"/x")), 1);
    assert_eq!(
        j.jar().remove(Some(b"a"), Some(b".www.example.com"), None),
        1
    );
    assert_eq!(j.len(), 1);
    assert_eq!(j.jar().remove(None, None, None), 1);
    assert_eq!(j.len(), 0);
}

#[test]
fn domainless_cookie_set_by_the_script_goes_everywhere() {
    let mut buf = vec![0u8; MAX_CAPACITY];
    let mut jar = Jar::new(&mut buf);
    jar.init(0);
    let c = Cookie {
        name: b"k",
        value: b"v",
        domain: b"",
        path: b"/",
        host_only: false,
        secure: false,
        http_only: false,
        expires: 0,
        gone: false,
    };
    assert!(jar.store(&c));
    let mut seen = 0;
    for_request(&buf, &o(b"anything.org", b"/a", false), &mut |_, _| {
        seen += 1
    });
    assert_eq!(seen, 1);
}

#[test]
fn garbage_buffer_never_panics() {
    let mut buf = vec![0xffu8; 64];
    let n = records(&buf).count();
    assert!(n <= 64);
    let mut jar = Jar::new(&mut buf);
    jar.advance(5);
    jar.remove(None, None, None);
    let c = cookie(b"a=1", &HOST).unwrap();
    let _ = jar.store(&c);
    for_request(&buf, &HOST, &mut |_, _| {});
}

#[test]
fn div_small_is_division() {
    for x in [
        0u64,
        1,
        999,
        1000,
        1001,
        65_535,
        65_536,
        4_294_967_295,
        4_294_967_296,
        1 << 47,
        u64::MAX - 1,
        u64::MAX,
        123_456_789_012_345,
    ] {
        for d in [1u16, 7, 1000, 65_535] {
            assert_eq!(
                div_small(x, d),
                (x / u64::from(d), (x % u64::from(d)) as u32),
                "{x} {d}"
            );
        }
    }
}

#[test]
fn expiry_at_rounds_up_to_seconds() {
    assert_eq!(expiry_at(0, 1), 1);
    assert_eq!(expiry_at(1, 1), 2);
    assert_eq!(expiry_at(999, 0), 1);
    assert_eq!(expiry_at(1000, 2), 3);
    assert_eq!(expiry_at(0, i64::MAX), u32::MAX);
}
