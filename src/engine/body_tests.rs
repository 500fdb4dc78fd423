//! Tests of `engine::body`.

use super::*;
use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

type Trailers = Vec<(Vec<u8>, Vec<u8>)>;

#[derive(Debug, PartialEq)]
struct Decoded {
    body: Vec<u8>,
    trailers: Trailers,
    /// Input bytes belonging to this message (the rest is the next one).
    used: usize,
}

/// Drives the decoder like the glue does: `input` arrives in pieces ending
/// at `cuts` (sorted offsets), then the connection closes. Body reads are
/// limited to `read_max` bytes at a time.
fn drive(
    framing: Framing,
    input: &[u8],
    cuts: &[usize],
    read_max: usize,
) -> Result<Decoded, BodyError> {
    let mut d = BodyDecoder::new(framing);
    let mut avail = 0usize;
    let mut next_cut = cuts.iter().copied().chain(std::iter::once(input.len()));
    let mut pos = 0usize;
    let mut body = Vec::new();
    let mut trailers = Vec::new();
    let mut steps = 0usize;
    loop {
        steps += 1;
        assert!(steps < 100_000, "no progress");
        let mut progressed = false;
        match d.need() {
            Need::Done => break,
            Need::Data(n) => {
                let have = (avail - pos).min(read_max);
                let take = (n.min(have as u64)) as usize;
                if take > 0 {
                    body.extend_from_slice(&input[pos..pos + take]);
                    pos += take;
                    d.data_consumed(take);
                    progressed = true;
                }
            }
            Need::Framing => {
                let fed = &input[pos..avail];
                let p = d.feed(fed)?;
                assert!(p.consumed <= fed.len());
                if let Some((n, v)) = p.trailer {
                    assert!(n.end <= p.consumed && v.end <= p.consumed);
                    trailers.push((fed[n].to_vec(), fed[v].to_vec()));
                }
                if p.consumed > 0 {
                    pos += p.consumed;
                    progressed = true;
                }
            }
        }
        if !progressed {
            match next_cut.next() {
                Some(c) if c > avail => avail = c.min(input.len()),
                Some(_) => {}
                None => {
                    d.eof()?;
                }
            }
        }
    }
    assert!(d.is_done());
    Ok(Decoded {
        body,
        trailers,
        used: pos,
    })
}

fn whole(framing: Framing, input: &[u8]) -> Result<Decoded, BodyError> {
    drive(framing, input, &[], usize::MAX)
}

fn chunked(input: &[u8]) -> Result<Decoded, BodyError> {
    whole(Framing::Chunked, input)
}

fn tr(pairs: &[(&str, &str)]) -> Trailers {
    pairs
        .iter()
        .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

/// Tiny xorshift so split tests are random but reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// (wire bytes, decoded body, trailers)
type Case = (
    &'static [u8],
    &'static [u8],
    &'static [(&'static str, &'static str)],
);

const CHUNKED_CASES: &[Case] = &[
    (b"0\r\n\r\n", b"", &[]),
    (b"5\r\nhello\r\n0\r\n\r\n", b"hello", &[]),
    (
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        b"hello world",
        &[],
    ),
    (
        b"A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n",
        b"0123456789abcdefghij",
        &[],
    ),
    (b"5;name=value\r\nhello\r\n0;last\r\n\r\n", b"hello", &[]),
    (b"5 ;x\r\nhello\r\n0\t\r\n\r\n", b"hello", &[]),
    (b"5\nhello\n0\n\n", b"hello", &[]),
    (b"5\r\nhello\n0\r\n\n", b"hello", &[]),
    (b"0005\r\nhello\r\n00\r\n\r\n", b"hello", &[]),
    (b"2\r\n\r\n\r\n0\r\n\r\n", b"\r\n", &[]),
    (b"1\r\n\n\r\n0\r\n\r\n", b"\n", &[]),
    (
        b"3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum:  12 34 \t\r\n\r\n",
        b"abc",
        &[("Expires", "never"), ("X-Sum", "12 34")],
    ),
    (b"0\r\nA:\r\nB:b\n\n", b"", &[("A", ""), ("B", "b")]),
];

#[test]
fn chunked_whole() {
    for (input, body, trailers) in CHUNKED_CASES {
        let d = chunked(input).unwrap();
        assert_eq!(d.body, *body, "{:?}", String::from_utf8_lossy(input));
        assert_eq!(d.trailers, tr(trailers));
        assert_eq!(d.used, input.len());
    }
}

#[test]
fn chunked_every_two_way_split() {
    for (input, body, trailers) in CHUNKED_CASES {
        for cut in 0..=input.len() {
            for read_max in [1, 2, 3, usize::MAX] {
                let d = drive(Framing::Chunked, input, &[cut], read_max).unwrap();
                assert_eq!(d.body, *body, "cut {cut}");
                assert_eq!(d.trailers, tr(trailers), "cut {cut}");
                assert_eq!(d.used, input.len());
            }
        }
    }
}

#[test]
fn chunked_every_three_way_split() {
    let (input, body, trailers) = CHUNKED_CASES[11];
    for a in 0..=input.len() {
        for b in a..=input.len() {
            let d = drive(Framing::Chunked, input, &[a, b], usize::MAX).unwrap();
            assert_eq!(d.body, body);
            assert_eq!(d.trailers, tr(trailers));
        }
    }
}

#[test]
fn chunked_byte_at_a_time() {
    for (input, body, _) in CHUNKED_CASES {
        let cuts: Vec<usize> = (0..input.len()).collect();
        let d = drive(Framing::Chunked, input, &cuts, 1).unwrap();
        assert_eq!(d.body, *body);
    }
}

fn random_chunked(rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    let mut wire = Vec::new();
    let mut body = Vec::new();
    for _ in 0..rng.below(8) {
        let n = rng.below(40) + 1;
        let data: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
        let size = if rng.below(2) == 0 {
            format!("{n:x}")
        } else {
            format!("{n:X}")
        };
        wire.extend_from_slice(size.as_bytes());
        if rng.below(4) == 0 {
            wire.extend_from_slice(b";ext=\"q\"");
        }
        wire.extend_from_slice(if rng.below(3) == 0 { b"\n" } else { b"\r\n" });
        wire.extend_from_slice(&data);
        wire.extend_from_slice(if rng.below(3) == 0 { b"\n" } else { b"\r\n" });
        body.extend_from_slice(&data);
    }
    wire.extend_from_slice(b"0\r\n");
    if rng.below(2) == 0 {
        wire.extend_from_slice(b"T: v\r\n");
    }
    wire.extend_from_slice(b"\r\n");
    (wire, body)
}

#[test]
fn chunked_random_bodies_random_splits() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2000 {
        let (wire, body) = random_chunked(&mut rng);
        let mut cuts: Vec<usize> = (0..rng.below(10))
            .map(|_| rng.below(wire.len() + 1))
            .collect();
        cuts.sort_unstable();
        let read_max = rng.below(16) + 1;
        // A following response in the same stream must not be touched.
        let mut stream = wire.clone();
        stream.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
        let d = drive(Framing::Chunked, &stream, &cuts, read_max).unwrap();
        assert_eq!(d.body, body);
        assert_eq!(d.used, wire.len());
    }
}

#[test]
fn chunked_leaves_following_bytes() {
    let d = chunked(b"1\r\na\r\n0\r\n\r\nHTTP/1.1").unwrap();
    assert_eq!(d.used, 11);
}

#[test]
fn chunk_size_errors() {
    assert_eq!(chunked(b"\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b";ext\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b"g\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b"-1\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b"+1\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b"0x5\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b" 5\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b"5\r5\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b"5 5\r\n"), Err(BodyError::BadChunkSize));
    assert_eq!(chunked(b"\x005\r\n"), Err(BodyError::BadChunkSize));
}

#[test]
fn huge_chunk_sizes() {
    let mut d = BodyDecoder::new(Framing::Chunked);
    assert_eq!(d.feed(b"ffffffffffffffff\r\n").unwrap().consumed, 18);
    assert_eq!(d.need(), Need::Data(u64::MAX));
    d.data_consumed(1);
    assert_eq!(d.need(), Need::Data(u64::MAX - 1));
    let mut d = BodyDecoder::new(Framing::Chunked);
    assert_eq!(
        d.feed(b"000000000000000000000000000001\r\n")
            .unwrap()
            .consumed,
        32
    );
    assert_eq!(d.need(), Need::Data(1));
    assert_eq!(
        chunked(b"10000000000000000\r\n"),
        Err(BodyError::ChunkSizeOverflow)
    );
    assert_eq!(
        chunked(b"fffffffffffffffff;x\r\n"),
        Err(BodyError::ChunkSizeOverflow)
    );
}

#[test]
fn missing_crlf_after_data() {
    assert_eq!(
        chunked(b"3\r\nabcd\r\n0\r\n\r\n"),
        Err(BodyError::BadChunkEnd)
    );
    assert_eq!(
        chunked(b"3\r\nabc\rX0\r\n\r\n"),
        Err(BodyError::BadChunkEnd)
    );
    assert_eq!(chunked(b"3\r\nabc0\r\n\r\n"), Err(BodyError::BadChunkEnd));
    // A lone CR waits for its LF.
    let mut d = BodyDecoder::new(Framing::Chunked);
    d.feed(b"1\r\n").unwrap();
    d.data_consumed(1);
    assert_eq!(d.feed(b"\r").unwrap().consumed, 0);
    assert_eq!(d.feed(b"").unwrap().consumed, 0);
    assert_eq!(d.feed(b"\r\n").unwrap().consumed, 2);
    assert_eq!(d.need(), Need::Framing);
}

#[test]
fn bad_trailers() {
    for t in [
        &b"NoColon\r\n"[..],
        b": v\r\n",
        b"Bad Name: v\r\n",
        b" folded: v\r\n",
        b"\tx\r\n",
        b"N\x01: v\r\n",
        b"N: v\x00\r\n",
        b"N: a\rb\r\n",
    ] {
        let mut input = b"0\r\n".to_vec();
        input.extend_from_slice(t);
        input.extend_from_slice(b"\r\n");
        assert_eq!(
            chunked(&input),
            Err(BodyError::BadTrailer),
            "{:?}",
            String::from_utf8_lossy(t)
        );
    }
}

#[test]
fn trailer_ranges_point_into_input() {
    let mut d = BodyDecoder::new(Framing::Chunked);
    d.feed(b"0\r\n").unwrap();
    let input = b"Name:  the value \r\nrest";
    let p = d.feed(input).unwrap();
    assert_eq!(p.consumed, 19);
    let (n, v) = p.trailer.unwrap();
    assert_eq!(&input[n], b"Name");
    assert_eq!(&input[v], b"the value");
    let p = d.feed(b"E:   \n").unwrap();
    let (n, v) = p.trailer.unwrap();
    assert_eq!((n, v.clone()), (0..1, 5..5));
    assert!(v.is_empty());
    assert_eq!(
        d.feed(b"\r\n").unwrap(),
        Progress {
            consumed: 2,
            trailer: None
        }
    );
    assert!(d.is_done());
}

#[test]
fn line_too_long() {
    let long = vec![b'1'; MAX_LINE];
    let mut d = BodyDecoder::new(Framing::Chunked);
    assert_eq!(d.feed(&long[..MAX_LINE - 1]).unwrap().consumed, 0);
    assert_eq!(d.feed(&long), Err(BodyError::LineTooLong));
    // A line of exactly MAX_LINE bytes with its LF is fine.
    let mut ok = vec![b'0'; MAX_LINE - 1];
    ok.push(b'\n');
    let mut d = BodyDecoder::new(Framing::Chunked);
    assert_eq!(d.feed(&ok).unwrap().consumed, MAX_LINE);
    assert_eq!(d.need(), Need::Framing);
    // Extensions count towards the limit.
    let mut ext = b"5;".to_vec();
    ext.extend(std::iter::repeat_n(b'x', MAX_LINE));
    assert_eq!(chunked(&ext), Err(BodyError::LineTooLong));
    // So do trailers.
    let mut t = b"0\r\nX: ".to_vec();
    t.extend(std::iter::repeat_n(b'v', MAX_LINE));
    assert_eq!(chunked(&t), Err(BodyError::LineTooLong));
}

#[test]
fn truncated_chunked() {
    for input in [
        &b""[..],
        b"5",
        b"5\r\n",
        b"5\r\nhel",
        b"5\r\nhello",
        b"5\r\nhello\r",
        b"5\r\nhello\r\n",
        b"5\r\nhello\r\n0\r\n",
        b"5\r\nhello\r\n0\r\nT: v\r\n",
        b"5\r\nhello\r\n0\r\n\r",
    ] {
        assert_eq!(
            chunked(input),
            Err(BodyError::Truncated),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn content_length() {
    let d = whole(Framing::Length(5), b"helloEXTRA").unwrap();
    assert_eq!(d.body, b"hello");
    assert_eq!(d.used, 5);
    for cut in 0..=5 {
        for read_max in [1, 2, 5] {
            let d = drive(Framing::Length(5), b"hello", &[cut], read_max).unwrap();
            assert_eq!(d.body, b"hello");
        }
    }
    assert_eq!(
        whole(Framing::Length(5), b"hell"),
        Err(BodyError::Truncated)
    );
    assert_eq!(whole(Framing::Length(5), b""), Err(BodyError::Truncated));
}

#[test]
fn content_length_states() {
    let mut d = BodyDecoder::new(Framing::Length(10));
    assert_eq!(d.need(), Need::Data(10));
    d.data_consumed(3);
    assert_eq!(d.need(), Need::Data(7));
    d.data_consumed(0);
    assert_eq!(d.need(), Need::Data(7));
    // Feeding in a data state consumes nothing.
    assert_eq!(d.feed(b"0\r\n\r\n").unwrap().consumed, 0);
    assert_eq!(d.need(), Need::Data(7));
    assert_eq!(d.eof(), Err(BodyError::Truncated));
    d.data_consumed(100);
    assert!(d.is_done());
    assert_eq!(d.eof(), Ok(()));
}

#[test]
fn zero_and_no_body_start_done() {
    for f in [Framing::NoBody, Framing::Length(0)] {
        let mut d = BodyDecoder::new(f);
        assert!(d.is_done());
        assert_eq!(d.need(), Need::Done);
        assert_eq!(d.eof(), Ok(()));
        d.data_consumed(5);
        assert_eq!(d.feed(b"junk\n").unwrap().consumed, 0);
        assert!(d.is_done());
    }
}

#[test]
fn close_framing() {
    let mut d = BodyDecoder::new(Framing::Close);
    assert_eq!(d.need(), Need::Data(u64::MAX));
    d.data_consumed(usize::MAX);
    assert_eq!(d.need(), Need::Data(u64::MAX));
    assert!(!d.is_done());
    assert_eq!(d.eof(), Ok(()));
    assert!(d.is_done());
    let d = whole(Framing::Close, b"all of it\r\n0\r\n\r\n").unwrap();
    assert_eq!(d.body, b"all of it\r\n0\r\n\r\n");
    assert_eq!(whole(Framing::Close, b"").unwrap().body, b"");
}

#[test]
fn chunked_state_sequence() {
    let mut d = BodyDecoder::new(Framing::Chunked);
    assert_eq!(d.need(), Need::Framing);
    assert_eq!(
        d.feed(b"3;a=b\r\nabc").unwrap(),
        Progress {
            consumed: 7,
            trailer: None
        }
    );
    assert_eq!(d.need(), Need::Data(3));
    d.data_consumed(2);
    assert_eq!(d.need(), Need::Data(1));
    d.data_consumed(1);
    assert_eq!(d.need(), Need::Framing);
    assert_eq!(d.feed(b"\r\n0\r\n").unwrap().consumed, 2);
    assert_eq!(d.feed(b"0\r\n").unwrap().consumed, 3);
    assert_eq!(d.need(), Need::Framing);
    assert_eq!(d.eof(), Err(BodyError::Truncated));
    assert_eq!(d.feed(b"\n").unwrap().consumed, 1);
    assert_eq!(d.need(), Need::Done);
}

#[test]
fn random_garbage_never_panics_and_terminates() {
    let mut rng = Rng(12345);
    let alphabet = b"0123456789abcdefABCDEFxyz;: \t\r\n=\"";
    for _ in 0..3000 {
        let len = rng.below(60);
        let input: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let mut cuts: Vec<usize> = (0..rng.below(4)).map(|_| rng.below(len + 1)).collect();
        cuts.sort_unstable();
        for f in [
            Framing::Chunked,
            Framing::Close,
            Framing::Length(rng.below(30) as u64),
        ] {
            if let Ok(d) = drive(f, &input, &cuts, rng.below(8) + 1) {
                assert!(d.used <= input.len());
            }
        }
    }
}
