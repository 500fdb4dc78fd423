use super::*;

#[test]
fn utf8_prefix_waits_for_every_split_sequence() {
    for ch in ["a", "é", "€", "😀"] {
        let bytes = ch.as_bytes();
        for cut in 1..bytes.len() {
            let piece = [b"ab".as_slice(), bytes.get(..cut).unwrap()].concat();
            assert_eq!(utf8_complete_prefix(&piece), 2, "{ch} cut at {cut}");
        }
        let whole = [b"ab".as_slice(), bytes].concat();
        assert_eq!(utf8_complete_prefix(&whole), whole.len(), "{ch}");
    }
    assert_eq!(utf8_complete_prefix(b""), 0);
    // A lone continuation byte or an invalid lead is left to the decoder.
    assert_eq!(utf8_complete_prefix(b"a\x80"), 2);
    assert_eq!(utf8_complete_prefix(b"a\xff"), 1);
}

#[test]
fn charset_from_content_type() {
    assert_eq!(
        charset_of(b"text/html; charset=ISO-8859-1"),
        Some(&b"ISO-8859-1"[..])
    );
    assert_eq!(
        charset_of(b"text/html;charset=\"utf-8\""),
        Some(&b"utf-8"[..])
    );
    assert_eq!(
        charset_of(b"text/plain; format=flowed;  CHARSET = x "),
        None
    );
    assert_eq!(
        charset_of(b"text/plain; format=flowed; Charset=koi8-r"),
        Some(&b"koi8-r"[..])
    );
    assert_eq!(charset_of(b"text/plain; charset="), None);
    assert_eq!(charset_of(b"text/plain; charset=\"\""), None);
    assert_eq!(charset_of(b"application/json"), None);
    assert_eq!(charset_of(b""), None);
}

#[test]
fn only_set_cookie_is_joined() {
    assert_eq!(repeat_rule(b"set-cookie"), Repeat::Join);
    assert_eq!(repeat_rule(b"x-dup"), Repeat::Replace);
    assert_eq!(
        repeat_rule(b"Set-Cookie"),
        Repeat::Replace,
        "names arrive lower-cased"
    );
}
