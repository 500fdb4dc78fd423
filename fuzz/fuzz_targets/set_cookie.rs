//! Set-Cookie parsing and the jar: never a panic; what the parser reads
//! round-trips through its canonical form; the jar stays within its limits
//! and only hands back cookies that match the request.
#![no_main]

use engine::cookie::{parse, path_match};
use engine::cookie_jar::{self, accept, for_request, Jar, Origin, MAX_CAPACITY, MAX_COOKIES};
use engine::writer::Writer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [flags, rest @ ..] = data else { return };
    let https = flags & 1 != 0;
    if let Some(c) = parse(rest) {
        let mut buf = vec![0u8; rest.len() * 2 + 96];
        let mut w = Writer::new(&mut buf);
        c.write(&mut w);
        assert!(!w.overflowed());
        let again = parse(w.written()).expect("written Set-Cookie does not parse");
        assert_eq!(again, c);
    }
    // Lines separated by LF go into one jar, from hosts chosen by `flags`.
    let hosts: [&[u8]; 4] = [b"a.example.com", b"example.com", b"127.0.0.1", b"localhost"];
    let mut jar_buf = vec![0u8; MAX_CAPACITY];
    let mut jar = Jar::new(&mut jar_buf);
    jar.init(u32::from(*flags) << 24);
    for (i, line) in rest.split(|&b| b == b'\n').enumerate() {
        let host = hosts[(i + usize::from(flags >> 1)) % hosts.len()];
        let o = Origin { host, path: b"/d/p", https };
        let now = jar.advance(u32::from(*flags) << 24 | (i as u32) << 8);
        if let Some(c) = parse(line).and_then(|sc| accept(&sc, &o, now, None)) {
            let _ = jar.store(&c);
        }
    }
    let view = jar.view();
    let n = cookie_jar::count(view);
    assert!(n <= MAX_COOKIES);
    assert_eq!(cookie_jar::records(view).count(), n);
    for host in hosts {
        let o = Origin { host, path: b"/d/p/x", https };
        let mut sent = 0;
        for_request(view, &o, &mut |name, _| {
            assert!(!name.is_empty());
            sent += 1;
        });
        let mut matching = 0;
        for r in cookie_jar::records(view).filter(|r| r.matches(&o)) {
            assert!(path_match(o.path, r.path));
            assert!(https || !r.secure);
            matching += 1;
        }
        assert_eq!(sent, matching);
    }
});
