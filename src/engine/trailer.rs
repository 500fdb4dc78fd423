//! Which trailer fields of a chunked response may join its headers (SPEC §3,
//! RFC 9110 §6.5.1): a trailer arrives after the body was framed, decoded
//! and handed out, so fields that frame, route, authenticate or describe
//! the content, or steer caching and the connection, are dropped; they must
//! not rewrite what the head said.

use super::encode::eq_ignore_case;

const REFUSED: &[&[u8]] = &[
    // framing and the connection
    b"transfer-encoding",
    b"te",
    b"trailer",
    b"connection",
    b"keep-alive",
    b"proxy-connection",
    b"upgrade",
    // routing and request modifiers
    b"host",
    b"location",
    b"via",
    b"max-forwards",
    b"expect",
    b"range",
    // authentication and state
    b"authorization",
    b"proxy-authorization",
    b"www-authenticate",
    b"proxy-authenticate",
    b"authentication-info",
    b"proxy-authentication-info",
    b"cookie",
    b"set-cookie",
    // response controls
    b"age",
    b"cache-control",
    b"expires",
    b"date",
    b"pragma",
    b"retry-after",
    b"vary",
    b"warning",
    b"etag",
    b"last-modified",
];

/// Whether a trailer field called `name` may be added to the headers.
/// Every `Content-*` field (length, type, encoding, range, ...) is refused.
pub fn may_merge(name: &[u8]) -> bool {
    if name.is_empty() {
        return false;
    }
    let content = name
        .get(..8)
        .is_some_and(|p| eq_ignore_case(p, b"content-"));
    !content && !REFUSED.iter().any(|r| eq_ignore_case(r, name))
}

#[cfg(test)]
#[path = "trailer_tests.rs"]
mod tests;
