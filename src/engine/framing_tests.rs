//! Tests of `engine::framing`.

use super::*;

const CL: &[u8] = b"Content-Length";
const TE: &[u8] = b"Transfer-Encoding";

fn caller<'a>(headers: &[(&[u8], Option<&'a [u8]>)]) -> Result<CallerFraming<'a>, FramingError> {
    let mut c = CallerFraming::default();
    for (n, v) in headers {
        c.note(n, *v)?;
    }
    Ok(c)
}

fn check(headers: &[(&[u8], Option<&[u8]>)], body: BodyFraming) -> Result<(), FramingError> {
    caller(headers)?.check(body)
}

use BodyFraming::{Chunked, Empty, Length};
use FramingError::*;

#[test]
fn no_caller_headers_always_agree() {
    for body in [Empty, Length(0), Length(5), Chunked] {
        assert_eq!(check(&[], body), Ok(()));
        assert_eq!(check(&[(b"X-Other", Some(b"1"))], body), Ok(()));
    }
}

#[test]
fn content_length_must_match_the_body() {
    assert_eq!(check(&[(CL, Some(b"5"))], Length(5)), Ok(()));
    assert_eq!(
        check(&[(b"content-LENGTH", Some(b" 5\t"))], Length(5)),
        Ok(())
    );
    assert_eq!(check(&[(CL, Some(b"005"))], Length(5)), Ok(()));
    assert_eq!(check(&[(CL, Some(b"0"))], Empty), Ok(()));
    // data=b'hello' under Content-Length: 3 spills "lo" into the next request.
    assert_eq!(check(&[(CL, Some(b"3"))], Length(5)), Err(LengthDisagrees));
    assert_eq!(check(&[(CL, Some(b"6"))], Length(5)), Err(LengthDisagrees));
    assert_eq!(check(&[(CL, Some(b"5"))], Empty), Err(LengthDisagrees));
    for bad in [
        &b""[..],
        b"+5",
        b"-5",
        b"5 5",
        b"0x5",
        b"5,5",
        b"99999999999999999999999",
    ] {
        assert_eq!(
            check(&[(CL, Some(bad))], Length(5)),
            Err(LengthDisagrees),
            "{bad:?}"
        );
    }
    // A generator is sent chunked: a Content-Length would be a second framing.
    assert_eq!(check(&[(CL, Some(b"5"))], Chunked), Err(LengthDisagrees));
}

#[test]
fn suppressed_content_length() {
    assert_eq!(check(&[(CL, None)], Empty), Ok(()));
    assert_eq!(check(&[(CL, None)], Length(0)), Ok(()));
    assert_eq!(check(&[(CL, None)], Chunked), Ok(()));
    // Bytes without any framing header would be read as the next request.
    assert_eq!(check(&[(CL, None)], Length(1)), Err(LengthDisagrees));
}

#[test]
fn transfer_encoding_only_on_chunked_bodies() {
    assert_eq!(check(&[(TE, Some(b"chunked"))], Chunked), Ok(()));
    assert_eq!(
        check(&[(b"transfer-encoding", Some(b"Chunked "))], Chunked),
        Ok(())
    );
    assert_eq!(check(&[(TE, Some(b"gzip, chunked"))], Chunked), Ok(()));
    assert_eq!(
        check(&[(TE, Some(b"gzip"))], Chunked),
        Err(TransferEncodingDisagrees)
    );
    assert_eq!(
        check(&[(TE, Some(b"chunked, gzip"))], Chunked),
        Err(TransferEncodingDisagrees)
    );
    assert_eq!(
        check(&[(TE, Some(b""))], Chunked),
        Err(TransferEncodingDisagrees)
    );
    for body in [Empty, Length(0), Length(5)] {
        assert_eq!(
            check(&[(TE, Some(b"chunked"))], body),
            Err(TransferEncodingDisagrees)
        );
        assert_eq!(check(&[(TE, None)], body), Ok(()));
    }
    // Chunk framing with no header announcing it shifts every response.
    assert_eq!(
        check(&[(TE, None)], Chunked),
        Err(TransferEncodingDisagrees)
    );
}

#[test]
fn both_or_repeated_headers() {
    for body in [Empty, Length(5), Chunked] {
        assert_eq!(
            check(&[(CL, Some(b"5")), (TE, Some(b"chunked"))], body),
            Err(Both)
        );
    }
    assert_eq!(
        check(
            &[(CL, Some(b"5")), (b"content-length", Some(b"5"))],
            Length(5)
        ),
        Err(Repeated)
    );
    assert_eq!(
        check(
            &[(TE, None), (b"TRANSFER-ENCODING", Some(b"chunked"))],
            Chunked
        ),
        Err(Repeated)
    );
    // One suppressed and one matching is a single framing.
    assert_eq!(
        check(&[(CL, None), (TE, Some(b"chunked"))], Chunked),
        Ok(())
    );
    assert_eq!(check(&[(CL, Some(b"5")), (TE, None)], Length(5)), Ok(()));
    assert_eq!(check(&[(CL, None), (TE, None)], Empty), Ok(()));
}
