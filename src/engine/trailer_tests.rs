use super::*;

#[test]
fn framing_and_content_fields_are_refused_in_any_case() {
    for name in [
        "Content-Length",
        "content-length",
        "TRANSFER-ENCODING",
        "Content-Encoding",
        "Content-Type",
        "Content-Range",
        "Content-MD5",
        "Host",
        "Location",
        "Set-Cookie",
        "WWW-Authenticate",
        "Connection",
        "Trailer",
        "Cache-Control",
        "Date",
    ] {
        assert!(!may_merge(name.as_bytes()), "{name}");
    }
}

#[test]
fn ordinary_trailers_merge() {
    for name in [
        "X-Checksum",
        "Server-Timing",
        "grpc-status",
        "Digest",
        "X-Content-Length",
        "contentx",
        "Content",
    ] {
        assert!(may_merge(name.as_bytes()), "{name}");
    }
}

#[test]
fn empty_name_is_refused() {
    assert!(!may_merge(b""));
}
