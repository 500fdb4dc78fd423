use super::token::{Token, Tokenizer};
use super::{ErrorKind, JsonError, MAX_DEPTH};

/// Feeds `doc` in pieces cut at `cuts` and returns every token, or the error.
fn tokens(doc: &[u8], cuts: &[usize]) -> Result<Vec<Token>, JsonError> {
    let mut t = Tokenizer::new();
    let mut out = Vec::new();
    let mut from = 0;
    for &to in cuts.iter().chain(core::iter::once(&doc.len())) {
        let piece = &doc[from..to];
        let mut pos = 0;
        while let Some(tok) = t.next(piece, &mut pos)? {
            out.push(tok);
        }
        assert_eq!(pos, piece.len());
        from = to;
    }
    while let Some(tok) = t.finish()? {
        out.push(tok);
    }
    Ok(out)
}

fn check(doc: &[u8]) -> Result<(), JsonError> {
    tokens(doc, &[]).map(|_| ())
}

/// Every two-piece split and the byte-by-byte feed give the same result as
/// the whole input at once.
fn same_at_every_split(doc: &[u8]) {
    let whole = tokens(doc, &[]);
    for cut in 0..=doc.len() {
        assert_eq!(
            tokens(doc, &[cut]),
            whole,
            "cut at {cut} of {:?}",
            String::from_utf8_lossy(doc)
        );
    }
    let bytes: Vec<usize> = (1..doc.len()).collect();
    assert_eq!(tokens(doc, &bytes), whole);
}

const VALID: &[&str] = &[
    "0",
    "-0",
    "12",
    "-3.25e+10",
    "1E5",
    "0.5e-3",
    "true",
    "false",
    "null",
    "\"\"",
    "  [ ]  ",
    "{}",
    "[1,2,[3,{\"a\":null}]]",
    "{\"k\":\"v\",\"n\":[true,false]}",
    "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\ude00\"",
    "\"caf\u{e9} \u{20ac} \u{1f600}\"",
    "\t\r\n[\n1\n]\n",
    "\"\u{7f}\"",
];

const INVALID: &[(&str, u64)] = &[
    ("", 0),
    ("[", 1),
    ("[1,]", 3),
    ("{\"a\"}", 4),
    ("{\"a\":}", 5),
    ("{,}", 1),
    ("01", 1),
    ("1.", 2),
    ("1e", 2),
    ("-", 1),
    (".5", 0),
    ("+1", 0),
    ("1 2", 2),
    ("tru", 3),
    ("trux", 3),
    ("nul l", 3),
    ("[1}", 2),
    ("{]", 1),
    ("]", 0),
    ("\"a", 2),
    ("\"\\x\"", 2),
    ("\"\\u12G4\"", 5),
    ("\"\u{1}\"", 1),
    ("\"\\ud800\"", 7),
    ("\"\\udc00\"", 6),
    ("\"\\ud800\\u0041\"", 12),
    ("[1]]", 3),
    ("{\"a\":1,}", 7),
    ("[true false]", 6),
    ("\"\\ud800x\"", 7),
];

#[test]
fn accepts_valid_documents_at_every_split() {
    for doc in VALID {
        assert_eq!(check(doc.as_bytes()), Ok(()), "{doc}");
        same_at_every_split(doc.as_bytes());
    }
}

#[test]
fn refuses_invalid_documents_with_the_offset() {
    for (doc, at) in INVALID {
        let e = check(doc.as_bytes()).expect_err(doc);
        assert_eq!(e.offset, *at, "{doc}: {e:?}");
        same_at_every_split(doc.as_bytes());
    }
}

#[test]
fn refuses_invalid_utf8_in_strings() {
    for bad in [
        &b"\"\xff\""[..],
        b"\"\xc0\x80\"",
        b"\"\xe0\x80\x80\"",
        b"\"\xed\xa0\x80\"",
        b"\"\xf4\x90\x80\x80\"",
        b"\"\xc3\"",
        b"\"\x80\"",
        b"\"\xf0\x9f\x98\"",
    ] {
        let e = check(bad).expect_err("invalid UTF-8");
        assert_eq!(e.kind, ErrorKind::Syntax);
        same_at_every_split(bad);
    }
    assert_eq!(check("\"\u{10ffff}\u{800}\u{fff}\"".as_bytes()), Ok(()));
}

const _: () = assert!(MAX_DEPTH >= 32);

#[test]
fn nesting_limit_is_an_error_of_its_own() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert_eq!(check(ok.as_bytes()), Ok(()));
    let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
    let e = check(deep.as_bytes()).unwrap_err();
    assert_eq!(
        e,
        JsonError {
            kind: ErrorKind::TooDeep,
            offset: MAX_DEPTH as u64
        }
    );
}

#[test]
fn truncated_input_reports_its_length() {
    let e = check(b"{\"a\": [1, 2").unwrap_err();
    assert_eq!(
        e,
        JsonError {
            kind: ErrorKind::Truncated,
            offset: 11
        }
    );
}

#[test]
fn number_ends_before_the_byte_after_it() {
    let mut t = Tokenizer::new();
    let doc = b"[12,3]";
    let mut pos = 0;
    assert_eq!(
        t.next(doc, &mut pos),
        Ok(Some(Token::Open(super::token::Container::Array)))
    );
    assert_eq!(t.next(doc, &mut pos), Ok(Some(Token::ScalarStart)));
    assert_eq!(pos, 2);
    assert_eq!(t.next(doc, &mut pos), Ok(Some(Token::ScalarEnd)));
    assert_eq!(pos, 3);
    assert_eq!(t.next(doc, &mut pos), Ok(Some(Token::ScalarStart)));
    assert_eq!(pos, 5);
}

#[test]
fn keys_are_decoded_only_on_request() {
    let doc = "{\"\\u00e9t\\u00e9\":1,\"x\\ud83d\\ude00\":2}".as_bytes();
    let mut t = Tokenizer::new();
    let mut pos = 0;
    let mut keys: Vec<Vec<u8>> = Vec::new();
    let mut n = 0;
    while let Some(tok) = t.next(doc, &mut pos).unwrap() {
        match tok {
            Token::KeyStart => {
                n += 1;
                // Decode only the second key.
                t.decode_key = n == 2;
                keys.push(Vec::new());
            }
            Token::KeyBytes(b, len) => keys
                .last_mut()
                .unwrap()
                .extend_from_slice(&b[..len as usize]),
            _ => {}
        }
    }
    assert_eq!(keys, vec![Vec::new(), "x\u{1f600}".as_bytes().to_vec()]);
}

#[test]
fn long_strings_are_skipped_in_constant_state() {
    let mut doc = b"[\"".to_vec();
    doc.extend(std::iter::repeat_n(b'x', 1 << 20));
    doc.extend_from_slice(b"\"]");
    let mut t = Tokenizer::new();
    for piece in doc.chunks(4096) {
        let mut pos = 0;
        while t.next(piece, &mut pos).unwrap().is_some() {}
    }
    assert!(t.finish().unwrap().is_none());
    assert!(core::mem::size_of::<Tokenizer>() <= 32);
}
