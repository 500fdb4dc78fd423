//! URL parsing, normalisation and redirect resolution.
#![no_main]

use engine::url::{parse, resolve, Url};
use engine::writer::Writer;
use libfuzzer_sys::fuzz_target;

fn absolute(u: &Url) -> Vec<u8> {
    let mut buf = vec![0u8; 64];
    let mut w = Writer::new(&mut buf);
    u.write_absolute(&mut w);
    let need = w.needed();
    if w.overflowed() {
        let mut big = vec![0u8; need];
        let mut w = Writer::new(&mut big);
        u.write_absolute(&mut w);
        assert_eq!(w.needed(), need);
        return w.written().to_vec();
    }
    w.written().to_vec()
}

fn resolved(base: &Url, loc: &[u8]) -> Option<Vec<u8>> {
    let mut big = vec![0u8; 3 * loc.len() + base.host.len() + base.target.len() + 64];
    let mut w = Writer::new(&mut big);
    let r = resolve(base, loc, &mut w);
    let need = w.needed();
    assert!(!w.overflowed(), "resolve output longer than expected");
    let out = w.written().to_vec();
    // A small writer asks for at least as much, and a retry with what it
    // asked for gives the same output (the glue's grow-and-retry loop).
    let mut small = [0u8; 16];
    let mut ws = Writer::new(&mut small);
    assert_eq!(resolve(base, loc, &mut ws), r);
    if r.is_ok() {
        assert!(ws.needed() >= need);
        if ws.overflowed() {
            let mut retry = vec![0u8; ws.needed()];
            let mut wr = Writer::new(&mut retry);
            assert_eq!(resolve(base, loc, &mut wr), r);
            assert!(!wr.overflowed());
            assert_eq!(wr.written(), &out[..]);
        } else {
            assert_eq!(ws.written(), &out[..]);
        }
    }
    r.ok().map(|_| out)
}

fuzz_target!(|data: &[u8]| {
    let [cut, rest @ ..] = data else { return };
    let cut = usize::from(*cut).min(rest.len());
    let (base, loc) = rest.split_at(cut);
    for candidate in [rest, base] {
        if let Ok(u) = parse(candidate) {
            assert!(!u.host.is_empty());
            assert!(u.port != 0);
            assert!(!u.target.contains(&b'#'));
            // Kept as positions, the parts come back the same from a copy.
            let copy = candidate.to_vec();
            assert_eq!(u.spans(candidate).of(&copy), u);
            let abs = absolute(&u);
            let again = parse(&abs).expect("write_absolute output does not parse");
            assert_eq!((again.scheme, again.host, again.is_ipv6, again.port), (u.scheme, u.host, u.is_ipv6, u.port));
            assert_eq!(absolute(&again), abs);
        }
    }
    let Ok(base) = parse(base) else { return };
    let Some(out) = resolved(&base, loc) else { return };
    let target = parse(&out).expect("resolve output does not parse");
    // An absolute location is normalised once; normalising again is a no-op.
    // (`out` itself may keep dot segments: an empty reference keeps the base
    // path verbatim, as RFC 3986 §5.2.2 says.)
    let once = resolved(&base, &out).expect("absolute resolve output rejected");
    assert_eq!(resolved(&base, &once), Some(once.clone()));
    assert_eq!(resolved(&target, b""), Some(out.clone()));
});
