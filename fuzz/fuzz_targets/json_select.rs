//! JSON selection checked against a full parse: the values the streaming
//! selector reports for a set of paths, fed in pieces cut at random places,
//! must equal what walking those paths through `serde_json`'s parse of the
//! whole document gives; a document `serde_json` refuses must be refused,
//! never panic. Documents are either generated from the input (valid, so
//! the comparison runs) or the raw input itself (mostly invalid).
//!
//! The surrogate-pair joiner runs over the same documents (generated ones
//! also written ASCII-only, astral characters as escaped pairs): its output
//! must not depend on the split, and must parse to the same value.
#![no_main]

use engine::json::pairs::PairJoiner;
use engine::json::select::{Elem, Event, Paths, Selector};
use engine::json::token::{Token, Tokenizer};
use engine::json::{ErrorKind, JsonError};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Input bytes as a source of choices; zeros once used up.
struct Src<'a>(&'a [u8]);
impl Src<'_> {
    fn byte(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
}

const KEYS: &[&str] = &[
    "a",
    "b",
    "temp",
    "\u{e9}t\u{e9}",
    "\"q\"",
    "k\\",
    "",
    "\u{1f600}",
    "\u{20000}\u{10ffff}",
    "tab\t",
    "x/y",
];
const STRS: &[&str] = &[
    "",
    "x",
    "long text here",
    "\u{20ac}",
    "\n\u{1}",
    "\\\"",
    "\u{1f600}",
    "\u{7f}",
];
const NUMS: &[&str] = &[
    "0",
    "-0",
    "12",
    "-3.5",
    "1e9",
    "2.5E-3",
    "123456789012345678901234567890",
    "1e400",
];

fn gen(s: &mut Src, depth: u32) -> Value {
    let pick = s.byte();
    match if depth > 5 { pick % 4 } else { pick % 8 } {
        0 => Value::Null,
        1 => Value::Bool(pick & 0x80 != 0),
        2 => serde_json::from_str(NUMS[usize::from(s.byte()) % NUMS.len()]).unwrap(),
        3 => Value::String(STRS[usize::from(s.byte()) % STRS.len()].to_string()),
        4 | 5 => Value::Array((0..s.byte() % 5).map(|_| gen(s, depth + 1)).collect()),
        _ => {
            let mut m = serde_json::Map::new();
            for _ in 0..s.byte() % 5 {
                let k = KEYS[usize::from(s.byte()) % KEYS.len()];
                let v = gen(s, depth + 1);
                m.entry(k).or_insert(v);
            }
            Value::Object(m)
        }
    }
}

#[derive(Clone, Debug)]
enum E {
    K(String),
    I(usize),
    Any,
}

struct Set(Vec<Vec<E>>);
impl Paths for Set {
    fn count(&self) -> usize {
        self.0.len()
    }
    fn len(&self, p: usize) -> usize {
        self.0[p].len()
    }
    fn elem(&self, p: usize, depth: usize) -> Option<Elem<'_>> {
        self.0[p].get(depth).map(|e| match e {
            E::K(k) => Elem::Key(k.as_bytes()),
            E::I(i) => Elem::Index(*i),
            E::Any => Elem::Any,
        })
    }
}

/// A path mostly along the document's own structure, sometimes off it.
fn gen_path(s: &mut Src, doc: Option<&Value>) -> Vec<E> {
    let mut path = Vec::new();
    let mut at = doc;
    for _ in 0..s.byte() % 5 {
        let c = s.byte();
        let e = match (c % 4, at) {
            (0, _) => E::Any,
            (1, _) => E::K(KEYS[usize::from(c >> 2) % KEYS.len()].to_string()),
            (2, Some(Value::Array(a))) if !a.is_empty() => E::I(usize::from(c >> 2) % a.len()),
            (_, Some(Value::Object(m))) if !m.is_empty() => {
                E::K(m.keys().nth(usize::from(c >> 2) % m.len()).unwrap().clone())
            }
            _ => E::I(usize::from(c >> 2) % 4),
        };
        at = match (&e, at) {
            (E::K(k), Some(Value::Object(m))) => m.get(k),
            (E::I(i), Some(Value::Array(a))) => a.get(*i),
            (E::Any, Some(Value::Array(a))) => a.first(),
            (E::Any, Some(Value::Object(m))) => m.values().next(),
            _ => None,
        };
        path.push(e);
    }
    path
}

fn walk<'a>(v: &'a Value, path: &[E], out: &mut Vec<&'a Value>) {
    let Some((first, rest)) = path.split_first() else {
        out.push(v);
        return;
    };
    match (first, v) {
        (E::K(k), Value::Object(m)) => {
            if let Some(c) = m.get(k) {
                walk(c, rest, out);
            }
        }
        (E::I(i), Value::Array(a)) => {
            if let Some(c) = a.get(*i) {
                walk(c, rest, out);
            }
        }
        (E::Any, Value::Array(a)) => a.iter().for_each(|c| walk(c, rest, out)),
        (E::Any, Value::Object(m)) => m.values().for_each(|c| walk(c, rest, out)),
        _ => {}
    }
}

/// The selector fed in pieces ending at `cuts`: the bytes of each selection.
fn select(doc: &[u8], paths: &Set, cuts: &[usize]) -> Result<Vec<Vec<Vec<u8>>>, JsonError> {
    let n = paths.count();
    let mut s = Selector::new(n);
    let mut out = vec![Vec::new(); n];
    let mut open: Vec<Option<Vec<u8>>> = vec![None; n];
    let mut from = 0;
    for &to in cuts.iter().chain(std::iter::once(&doc.len())) {
        let piece = &doc[from..to];
        let mut pos = 0;
        let mut span = vec![0usize; n];
        while let Some(ev) = s.next(paths, piece, &mut pos)? {
            match ev {
                Event::Start(p) => {
                    assert!(open[p].is_none(), "nested start of one path");
                    open[p] = Some(Vec::new());
                    span[p] = pos - 1;
                }
                Event::End(p) => {
                    let mut v = open[p].take().expect("end without start");
                    v.extend_from_slice(&piece[span[p]..pos]);
                    out[p].push(v);
                }
            }
            assert!(pos <= piece.len());
        }
        assert_eq!(pos, piece.len(), "piece not used up");
        for (p, o) in open.iter_mut().enumerate() {
            if let Some(v) = o {
                v.extend_from_slice(&piece[span[p]..]);
            }
        }
        from = to;
    }
    while let Some(ev) = s.finish(paths)? {
        let Event::End(p) = ev else {
            panic!("start at the end")
        };
        out[p].push(open[p].take().expect("end without start"));
    }
    assert!(open.iter().all(Option::is_none), "selection left open");
    Ok(out)
}

/// Keys seen by the tokenizer; fewer map entries in the parse means a
/// repeated key, where a map keeps one value but the stream has both.
fn key_count(doc: &[u8]) -> usize {
    let mut t = Tokenizer::new();
    let mut pos = 0;
    let mut n = 0;
    while let Ok(Some(tok)) = t.next(doc, &mut pos) {
        n += usize::from(tok == Token::KeyStart);
    }
    n
}

fn map_entries(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.iter().map(map_entries).sum(),
        Value::Object(m) => m.len() + m.values().map(map_entries).sum::<usize>(),
        _ => 0,
    }
}

/// JSON text with every non-ASCII character as a \u escape (astral ones
/// as surrogate pairs), as an ASCII-only serializer writes it.
fn ascii_only(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in String::from_utf8_lossy(text).chars() {
        if c.is_ascii() {
            out.push(c as u8);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.extend_from_slice(format!("\\u{:04x}", u).as_bytes());
            }
        }
    }
    out
}

/// The joiner over `doc` cut at `cuts`, carrying held escapes as a caller
/// does.
fn join(doc: &[u8], cuts: &[usize]) -> Vec<u8> {
    let mut j = PairJoiner::new();
    let mut out = Vec::new();
    let mut carry = Vec::new();
    let mut start = 0;
    for (i, &end) in cuts.iter().chain(core::iter::once(&doc.len())).enumerate() {
        let end = end.max(start);
        let mut piece = core::mem::take(&mut carry);
        piece.extend_from_slice(&doc[start..end]);
        let last = i == cuts.len();
        let r = j.join(&mut piece, last);
        assert!(r.ready <= r.held && r.held <= piece.len());
        assert!(piece.len() - r.held < 12, "held more than one escape");
        out.extend_from_slice(&piece[..r.ready]);
        carry = piece[r.held..].to_vec();
        start = end;
    }
    assert!(carry.is_empty(), "held text at the end");
    out
}

/// The joiner's rule a byte at a time: inside a string, a high and a low
/// escaped half become the character's UTF-8; every other escape passes
/// whole (so an escaped quote does not end the string).
fn join_naive(doc: &[u8]) -> Vec<u8> {
    let half = |b: &[u8], lo: u32, hi: u32| -> Option<u32> {
        let h = std::str::from_utf8(b.get(2..6)?).ok()?;
        let v = u32::from_str_radix(h, 16).ok().filter(|v| (lo..hi).contains(v))?;
        (b.starts_with(b"\\u") && h.bytes().all(|c| c.is_ascii_hexdigit())).then_some(v)
    };
    let mut out = Vec::new();
    let (mut i, mut in_string) = (0, false);
    while i < doc.len() {
        let rest = &doc[i..];
        if in_string && rest[0] == b'\\' {
            let pair = half(rest, 0xD800, 0xDC00)
                .zip(rest.get(6..).and_then(|r| half(r, 0xDC00, 0xE000)));
            if let Some((hi, lo)) = pair {
                let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)).unwrap();
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                i += 12;
            } else {
                out.extend_from_slice(&rest[..rest.len().min(2)]);
                i += 2;
            }
            continue;
        }
        in_string ^= rest[0] == b'"';
        out.push(rest[0]);
        i += 1;
    }
    out
}

/// The tokenizer driven token by token (the selections' way) to its end.
fn token_check(doc: &[u8], cuts: &[usize]) -> Result<(), engine::json::JsonError> {
    let mut t = Tokenizer::new();
    let mut start = 0;
    for &c in cuts.iter().chain(core::iter::once(&doc.len())) {
        let piece = &doc[start..c.max(start)];
        let mut pos = 0;
        while t.next(piece, &mut pos)?.is_some() {}
        start = c.max(start);
    }
    while t.finish()?.is_some() {}
    Ok(())
}

fn whole_check(doc: &[u8], cuts: &[usize]) -> Result<(), engine::json::JsonError> {
    let mut w = engine::json::whole::WholeCheck::new();
    let mut start = 0;
    for &c in cuts.iter().chain(core::iter::once(&doc.len())) {
        w.feed(&doc[start..c.max(start)])?;
        start = c.max(start);
    }
    w.end()
}

fuzz_target!(|data: &[u8]| {
    let mut s = Src(data);
    let mode = s.byte();
    let generated;
    let doc: &[u8] = if mode & 1 == 0 {
        let v = gen(&mut s, 0);
        let text = if mode & 2 == 0 {
            serde_json::to_vec(&v).unwrap()
        } else {
            serde_json::to_vec_pretty(&v).unwrap()
        };
        generated = if mode & 4 == 0 { text } else { ascii_only(&text) };
        &generated
    } else {
        // The rest of the input after the path and cut choices.
        let take = usize::from(s.byte() % 16);
        let (choices, raw) = s.0.split_at(take.min(s.0.len()));
        s.0 = choices;
        raw
    };
    let parsed: Result<Value, _> = serde_json::from_slice(doc);
    let paths = Set((0..1 + s.byte() % 4)
        .map(|_| gen_path(&mut s, parsed.as_ref().ok()))
        .collect());
    let mut cuts: Vec<usize> = (0..s.byte() % 6)
        .map(|_| (usize::from(s.byte()) << 8 | usize::from(s.byte())) % (doc.len() + 1))
        .collect();
    cuts.sort_unstable();

    let whole = select(doc, &paths, &[]);
    assert_eq!(
        select(doc, &paths, &cuts),
        whole,
        "result depends on the split"
    );
    match (&parsed, &whole) {
        (Err(_), Ok(_)) => panic!("accepted a document serde_json refuses"),
        (Ok(_), Err(e)) if e.kind != ErrorKind::TooDeep => {
            panic!("refused a valid document: {e:?}")
        }
        (Ok(v), Ok(got)) if key_count(doc) == map_entries(v) => {
            for (p, path) in paths.0.iter().enumerate() {
                let mut want = Vec::new();
                walk(v, path, &mut want);
                let got: Vec<Value> = got[p]
                    .iter()
                    .map(|b| serde_json::from_slice(b).expect("selection is not a JSON value"))
                    .collect();
                let want: Vec<Value> = want.into_iter().cloned().collect();
                assert_eq!(got, want, "path {path:?}");
            }
        }
        _ => {}
    }
    // json()'s strict whole-document check: the same verdict for every
    // split, and serde_json's (nesting limits apart).
    let strict = whole_check(doc, &[]);
    assert_eq!(whole_check(doc, &cuts), strict, "whole check depends on the split");
    assert_eq!(
        token_check(doc, &cuts),
        strict,
        "the check without tokens differs from the tokens"
    );
    match (&parsed, strict) {
        (Err(_), Ok(())) => panic!("whole check accepted a document serde_json refuses"),
        (Ok(_), Err(e)) if e.kind != ErrorKind::TooDeep => {
            panic!("whole check refused a valid document: {e:?}")
        }
        _ => {}
    }
    let joined = join(doc, &[]);
    assert_eq!(join(doc, &cuts), joined, "joined text depends on the split");
    assert_eq!(joined, join_naive(doc), "joined text differs from the rule");
    if let Ok(v) = &parsed {
        let again: Value = serde_json::from_slice(&joined).expect("joined text is not JSON");
        assert_eq!(&again, v, "joining changed the value");
    }
    if let Err(e) = whole {
        assert!(e.offset <= doc.len() as u64);
    }
});
