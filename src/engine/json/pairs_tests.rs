use super::pairs::{may_hold_pair, Joined, PairJoiner};

fn join_whole(text: &str) -> Vec<u8> {
    let mut buf = text.as_bytes().to_vec();
    let out = PairJoiner::new().join(&mut buf, true);
    assert_eq!(out.held, buf.len());
    buf.truncate(out.ready);
    buf
}

/// The same text fed in pieces of `size` bytes, held escapes carried over
/// as a caller does.
fn join_in_pieces(text: &[u8], size: usize) -> Vec<u8> {
    let mut j = PairJoiner::new();
    let mut out = Vec::new();
    let mut carry: Vec<u8> = Vec::new();
    let mut chunks = text.chunks(size.max(1)).peekable();
    if text.is_empty() {
        return out;
    }
    while let Some(chunk) = chunks.next() {
        let mut buf = carry.clone();
        buf.extend_from_slice(chunk);
        let last = chunks.peek().is_none();
        let Joined { ready, held } = j.join(&mut buf, last);
        out.extend_from_slice(&buf[..ready]);
        carry = buf[held..].to_vec();
        assert!(carry.len() < 12, "holds at most one escape");
    }
    assert!(carry.is_empty());
    out
}

#[test]
fn a_pair_becomes_its_utf8_bytes() {
    assert_eq!(join_whole(r#""\ud83d\ude00""#), "\"\u{1F600}\"".as_bytes());
    assert_eq!(
        join_whole(r#"{"k": "a\uD83D\uDE00b"}"#),
        "{\"k\": \"a\u{1F600}b\"}".as_bytes()
    );
    // The first and last code points a pair can name.
    assert_eq!(
        join_whole(r#""\ud800\udc00\udbff\udfff""#),
        "\"\u{10000}\u{10FFFF}\"".as_bytes()
    );
}

#[test]
fn everything_else_passes_unchanged() {
    for text in [
        r#""\u00e9\n\"\\""#,
        r#""\ud83d""#,       // lone high half
        r#""\ude00\ud83d""#, // reversed
        r#""\ud83d\u0041""#, // high half, then no low one
        r#""\ud83d\n""#,
        r#""\\ud83d\\ude00""#, // escaped backslashes: no escapes at all
        r#"{"\ud83d": 1}"#,
        "[1, 2.5e3, true, null]",
        r#""\uzzzz""#, // not an escape: the parser refuses it
        "\"unterminated \\",
    ] {
        assert_eq!(join_whole(text), text.as_bytes(), "{text}");
    }
}

#[test]
fn outside_strings_nothing_is_touched() {
    // Not JSON, but the joiner must not treat it as a string escape.
    let text = r#"\ud83d\ude00 "s" \ud83d\ude00"#;
    assert_eq!(join_whole(text), text.as_bytes());
}

#[test]
fn a_key_and_escaped_quotes_keep_the_string_state() {
    let text = r#"{"a\"\ud83d\ude00": "\"", "b": "\ud83d\ude00"}"#;
    assert_eq!(
        join_whole(text),
        "{\"a\\\"\u{1F600}\": \"\\\"\", \"b\": \"\u{1F600}\"}".as_bytes()
    );
}

#[test]
fn any_split_gives_the_same_text() {
    let text = br#"{"e": "\ud83d\ude00\u00e9\ud83d x\ud83d\ude01", "n": [1, "\\ud83d\\ude00", "\uD83C\uDF89"]}"#;
    let whole = join_whole(core::str::from_utf8(text).unwrap());
    let expected = "{\"e\": \"\u{1F600}\\u00e9\\ud83d x\u{1F601}\", \"n\": [1, \"\\\\ud83d\\\\ude00\", \"\u{1F389}\"]}";
    assert_eq!(core::str::from_utf8(&whole).unwrap(), expected);
    for size in 1..=text.len() {
        assert_eq!(join_in_pieces(text, size), whole, "pieces of {size}");
    }
}

#[test]
fn a_cut_escape_is_held_until_the_rest_comes() {
    let mut j = PairJoiner::new();
    let mut buf = br#""ab\ud83d\ud"#.to_vec();
    let out = j.join(&mut buf, false);
    assert_eq!(&buf[..out.ready], b"\"ab");
    assert_eq!(&buf[out.held..], br"\ud83d\ud");
    // A plain escape cut after its backslash is held too.
    let mut j = PairJoiner::new();
    let mut buf = br#""x\"#.to_vec();
    let out = j.join(&mut buf, false);
    assert_eq!((out.ready, out.held), (2, 2));
    // Once the text after the high half rules a pair out, nothing is held.
    let mut j = PairJoiner::new();
    let mut buf = br#""\ud83dx"#.to_vec();
    let out = j.join(&mut buf, false);
    assert_eq!((out.ready, out.held), (buf.len(), buf.len()));
}

#[test]
fn may_hold_pair_is_a_cheap_superset() {
    assert!(may_hold_pair(br#""\ud83d\ude00""#));
    assert!(!may_hold_pair(br#""\UD83D"#));
    assert!(may_hold_pair(br#""\uDbff""#));
    assert!(!may_hold_pair(br#""\u00e9\n plain""#));
    assert!(!may_hold_pair(br#""\udc00""#));
}

#[test]
fn quotes_in_every_lane_keep_the_string_state() {
    // Runs without a backslash are read a word at a time: quotes (an
    // escaped one among them) land in every lane of a word, and only the
    // pairs inside strings are joined.
    for pad in 0..17 {
        let p = "q".repeat(pad);
        let text =
            format!(r#"["{p}", "a\"{p}\ud83d\ude00", {p} \ud83d\ude00 "{p}""{p}\ud83d\ude00"]"#);
        let want =
            format!("[\"{p}\", \"a\\\"{p}\u{1F600}\", {p} \\ud83d\\ude00 \"{p}\"\"{p}\u{1F600}\"]");
        assert_eq!(join_whole(&text), want.as_bytes(), "{text}");
        for size in [1, 7, 8, 9, 13] {
            assert_eq!(
                join_in_pieces(text.as_bytes(), size),
                want.as_bytes(),
                "{text} in {size}"
            );
        }
    }
}
