//! BodyDecoder driven like the glue's read loop, with arrival and read sizes
//! chosen by the input. The outcome must not depend on how bytes arrive.
#![no_main]

use engine::body::{BodyDecoder, BodyError, Need};
use engine::response::Framing;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, PartialEq)]
struct Outcome {
    result: Result<(), BodyError>,
    body: Vec<u8>,
    trailers: Vec<(Vec<u8>, Vec<u8>)>,
    used: usize,
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn drive(framing: Framing, input: &[u8], mut rng: Option<Rng>) -> Outcome {
    let mut d = BodyDecoder::new(framing);
    let mut out = Outcome { result: Ok(()), body: Vec::new(), trailers: Vec::new(), used: 0 };
    let mut avail = if rng.is_some() { 0 } else { input.len() };
    let mut closed = false;
    let mut steps = 0usize;
    loop {
        steps += 1;
        assert!(steps <= 4 * input.len() + 16, "no progress");
        let pos = out.used;
        let mut progressed = false;
        match d.need() {
            Need::Done => {
                assert!(d.is_done());
                break;
            }
            Need::Data(n) => {
                let read_max = rng.as_mut().map_or(usize::MAX, |r| (r.next() % 64) as usize + 1);
                let take = (avail - pos).min(read_max);
                let take = usize::try_from(n.min(take as u64)).unwrap();
                if take > 0 {
                    out.body.extend_from_slice(&input[pos..pos + take]);
                    out.used += take;
                    d.data_consumed(take);
                    progressed = true;
                }
            }
            Need::Framing => {
                let fed = &input[pos..avail];
                match d.feed(fed) {
                    Ok(p) => {
                        assert!(p.consumed <= fed.len());
                        if let Some((n, v)) = p.trailer {
                            assert!(n.end <= p.consumed && v.end <= p.consumed);
                            assert!(n.start < n.end && v.start <= v.end);
                            out.trailers.push((fed[n].to_vec(), fed[v].to_vec()));
                        }
                        out.used += p.consumed;
                        progressed = p.consumed > 0;
                    }
                    Err(e) => {
                        out.result = Err(e);
                        break;
                    }
                }
            }
        }
        if !progressed {
            if avail < input.len() {
                let step = rng.as_mut().map_or(input.len(), |r| (r.next() % 300) as usize + 1);
                avail = avail.saturating_add(step).min(input.len());
            } else if !closed {
                closed = true;
                if let Err(e) = d.eof() {
                    out.result = Err(e);
                    break;
                }
            } else {
                panic!("stuck after eof in {:?}", d.need());
            }
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let [kind, s0, s1, rest @ ..] = data else { return };
    let (framing, input) = match kind % 4 {
        0 => (Framing::NoBody, rest),
        1 => (Framing::Chunked, rest),
        2 => (Framing::Close, rest),
        _ => match rest {
            [l0, l1, input @ ..] => (Framing::Length(u64::from(u16::from_le_bytes([*l0, *l1]))), input),
            _ => return,
        },
    };
    let whole = drive(framing, input, None);
    assert!(whole.used <= input.len());
    let seed = u64::from(u16::from_le_bytes([*s0, *s1])) | 0x1_0000;
    let split = drive(framing, input, Some(Rng(seed)));
    assert_eq!(whole, split);
});
