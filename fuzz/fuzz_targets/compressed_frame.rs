//! engine::coding::FrameCheck, the checks around the firmware's
//! decompressor, driven as cmodule/decode.c drives it: raw bytes in the
//! pieces the decompressor consumes, the decoded length, each member's end.
//! Built gzip bodies (every header field, any number of members) must pass
//! however the bytes are split; a body with a broken ISIZE, header CRC,
//! trailing bytes or a cut must be refused; arbitrary bytes must never
//! panic, and the verdict must not depend on the split.
#![no_main]

use engine::coding::{Coding, FrameCheck, FrameError};
use libfuzzer_sys::fuzz_target;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// One member: header, stored deflate blocks, trailer; and where its
/// deflate data and trailer lie (the part the decompressor itself judges).
struct Member {
    bytes: Vec<u8>,
    header_len: usize,
    decoded: usize,
}

fn member(data: &[u8], flags: u8, extra: &[u8], name: &[u8]) -> Member {
    let mut h = vec![0x1F, 0x8B, 8, flags, 1, 2, 3, 4, 0, 3];
    if flags & 0x04 != 0 {
        h.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        h.extend_from_slice(extra);
    }
    let clean: Vec<u8> = name.iter().copied().filter(|&b| b != 0).collect();
    if flags & 0x08 != 0 {
        h.extend_from_slice(&clean);
        h.push(0);
    }
    if flags & 0x10 != 0 {
        h.extend_from_slice(b"c");
        h.extend_from_slice(&clean);
        h.push(0);
    }
    if flags & 0x02 != 0 {
        let c = crc32(&h) as u16;
        h.extend_from_slice(&c.to_le_bytes());
    }
    let header_len = h.len();
    let mut blocks = data.chunks(300).peekable();
    if data.is_empty() {
        h.extend_from_slice(&[1, 0, 0, 0xFF, 0xFF]);
    }
    while let Some(b) = blocks.next() {
        let len = b.len() as u16;
        h.push(u8::from(blocks.peek().is_none()));
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(&(!len).to_le_bytes());
        h.extend_from_slice(b);
    }
    h.extend_from_slice(&crc32(data).to_le_bytes());
    h.extend_from_slice(&(data.len() as u32).to_le_bytes());
    Member { bytes: h, header_len, decoded: data.len() }
}

/// Feeds one member as the decompressor consumes it: the header and data
/// in random pieces, then the decoded length and the member's end.
fn run_member(fc: &mut FrameCheck, m: &Member, rng: &mut Rng) -> Result<(), FrameError> {
    let mut at = 0;
    while at < m.bytes.len() {
        let n = (rng.below(17) + 1).min(m.bytes.len() - at);
        fc.raw(&m.bytes[at..at + n])?;
        at += n;
    }
    fc.decoded(m.decoded);
    fc.member_end()
}

fn arbitrary(input: &[u8], coding: Coding, seed: u64) -> Vec<Result<(), FrameError>> {
    let mut fc = FrameCheck::new(coding);
    let mut rng = Rng(seed | 1);
    let mut out = Vec::new();
    for (i, piece) in input.split(|&b| b == 0xA5).enumerate() {
        // Split invariance is judged per piece, so the pieces are fed whole
        // or byte by byte depending on the seed, never changing the verdict.
        let mut r = Ok(());
        if rng.next() & 1 == 0 {
            r = fc.raw(piece);
        } else {
            for b in piece.chunks(1) {
                r = fc.raw(b);
                if r.is_err() {
                    break;
                }
            }
        }
        out.push(r);
        if r.is_err() {
            break;
        }
        fc.decoded(piece.len() * i);
        if i % 2 == 1 {
            let e = fc.member_end();
            out.push(e);
            if e.is_err() {
                break;
            }
        }
    }
    out.push(fc.body_end());
    out
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 4 {
        return;
    }
    let (ctl, rest) = input.split_at(4);
    let seed = u64::from(u32::from_le_bytes([ctl[0], ctl[1], ctl[2], ctl[3]]));

    // Arbitrary raw bytes: never a panic, and the verdict is the same
    // however each piece arrives.
    let coding = if ctl[0] & 1 == 0 { Coding::Gzip } else { Coding::Deflate };
    let a = arbitrary(rest, coding, seed);
    let b = arbitrary(rest, coding, seed.rotate_left(17) ^ 0x55);
    assert_eq!(a, b, "verdict depends on the split");

    // Built bodies of several members.
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let parts: Vec<&[u8]> = rest.split(|&b| b == b'|').take(6).collect();
    let members: Vec<Member> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let flags = (ctl[1].rotate_left(i as u32)) & 0x1E;
            member(p, flags, &p[..p.len().min(5)], &p[..p.len().min(9)])
        })
        .collect();
    let mut fc = FrameCheck::new(if ctl[2] & 1 == 0 { Coding::Gzip } else { Coding::Deflate });
    for m in &members {
        assert_eq!(run_member(&mut fc, m, &mut rng), Ok(()));
        assert!(fc.at_boundary());
    }
    assert_eq!(fc.members() as usize, members.len());
    assert_eq!(fc.body_end(), Ok(()));

    // One thing broken in one member: refused at that member at the latest.
    let victim = rng.below(members.len());
    let mut broken: Vec<Vec<u8>> = members.iter().map(|m| m.bytes.clone()).collect();
    let m = &members[victim];
    // A header CRC can only be broken where there is one.
    let how = match ctl[3] % 4 {
        1 if m.bytes[3] & 0x02 == 0 => 0,
        h => h,
    };
    let v = &mut broken[victim];
    match how {
        // ISIZE
        0 => {
            let at = v.len() - 1 - rng.below(4);
            v[at] ^= 1 << rng.below(8);
        }
        // the header CRC, when there is one
        1 => {
            let at = m.header_len - 1 - rng.below(2);
            v[at] ^= 1 << rng.below(8);
        }
        // a byte after the member that does not start another
        2 => v.push(if ctl[2] == 0x1F { 0 } else { ctl[2] }),
        // a cut inside the member
        _ => {
            let cut = rng.below(v.len());
            v.truncate(cut);
        }
    }
    let mut fc = FrameCheck::new(Coding::Gzip);
    let mut verdict = Ok(());
    'all: for (i, bytes) in broken.iter().enumerate() {
        if i > victim {
            break;
        }
        let intact = i != victim;
        let data_end = if i == victim && how == 3 { bytes.len() } else { members[i].bytes.len() };
        let mut at = 0;
        while at < data_end {
            let n = (rng.below(17) + 1).min(data_end - at);
            verdict = fc.raw(&bytes[at..at + n]);
            if verdict.is_err() {
                break 'all;
            }
            at += n;
        }
        if i == victim && how == 3 {
            // The raw body ends here; a member cut in its deflate data is
            // the decompressor's to see (EOF), one cut before is ours.
            verdict = fc.body_end();
            if bytes.len() >= 1 && bytes.len() < members[i].bytes.len() {
                assert!(verdict.is_err(), "a cut member passed");
            }
            break;
        }
        fc.decoded(members[i].decoded);
        verdict = fc.member_end();
        if verdict.is_err() {
            break;
        }
        if i == victim && how == 2 {
            verdict = fc.raw(&bytes[members[i].bytes.len()..]);
        }
        if intact {
            assert_eq!(verdict, Ok(()));
        }
    }
    let intact = how == 3 && broken[victim].is_empty();
    if !intact {
        assert!(verdict.is_err(), "broken member passed ({how})");
    }
});
