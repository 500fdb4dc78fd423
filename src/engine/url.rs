//! URL parsing and redirect resolution for `http`/`https` only.
//!
//! Only the parts an HTTP/1.1 client needs are extracted (host, port,
//! request target); everything is borrowed from the input so parsing never
//! allocates. Control bytes are rejected up front because every component
//! ends up verbatim in the request head.

use super::encode::{eq_ignore_case, has_control};
use super::writer::Writer;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// The protocol string the Python reference reports (with the colon).
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http:",
            Scheme::Https => "https:",
        }
    }

    fn from_bytes(s: &[u8]) -> Option<Scheme> {
        if eq_ignore_case(s, b"http") {
            Some(Scheme::Http)
        } else if eq_ignore_case(s, b"https") {
            Some(Scheme::Https)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Url<'a> {
    pub scheme: Scheme,
    /// As written; an IPv6 literal without its brackets. Never empty.
    pub host: &'a [u8],
    pub is_ipv6: bool,
    /// Explicit port or the scheme default.
    pub port: u16,
    /// Path and query as written, fragment removed; empty means "/".
    pub target: &'a [u8],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlError {
    UnsupportedProtocol,
    MissingHost,
    BadPort,
    ControlCharacter,
}

/// Parses an absolute `http://` or `https://` URL (scheme case-insensitive).
pub fn parse(url: &[u8]) -> Result<Url<'_>, UrlError> {
    if has_control(url) {
        return Err(UrlError::ControlCharacter);
    }
    let (scheme, rest) = split_scheme(url).ok_or(UrlError::UnsupportedProtocol)?;
    let scheme = Scheme::from_bytes(scheme).ok_or(UrlError::UnsupportedProtocol)?;
    let rest = rest
        .strip_prefix(b"//")
        .ok_or(UrlError::UnsupportedProtocol)?;
    parse_authority(scheme, rest)
}

/// Splits `scheme:rest` when the input starts with an RFC 3986 scheme
/// (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`) followed by a colon.
/// Returns the rest after the colon.
fn split_scheme(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = s.iter().position(|&b| b == b':')?;
    let (scheme, rest) = s.split_at_checked(colon)?;
    let first = scheme.first()?;
    if !first.is_ascii_alphabetic()
        || !scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    Some((scheme, rest.get(1..)?))
}

/// Parses `[userinfo@]host[:port][/path][?query][#fragment]`.
fn parse_authority(scheme: Scheme, rest: &[u8]) -> Result<Url<'_>, UrlError> {
    let auth_end = rest
        .iter()
        .position(|&b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let (authority, tail) = rest
        .split_at_checked(auth_end)
        .ok_or(UrlError::MissingHost)?;
    let target = strip_fragment(tail);
    // Userinfo is never sent; the last '@' ends it because the password may
    // itself contain an (unescaped) '@'.
    let hostport = authority.rsplit(|&b| b == b'@').next().unwrap_or(authority);

    let (host, port, is_ipv6) = if let Some(inner) = hostport.strip_prefix(b"[") {
        let close = inner
            .iter()
            .position(|&b| b == b']')
            .ok_or(UrlError::MissingHost)?;
        let (host, after) = inner.split_at_checked(close).ok_or(UrlError::MissingHost)?;
        let after = after.get(1..).unwrap_or(&[]);
        let port = if after.is_empty() {
            None
        } else {
            Some(after.strip_prefix(b":").ok_or(UrlError::BadPort)?)
        };
        (host, port, true)
    } else {
        let mut parts = hostport.splitn(2, |&b| b == b':');
        let host = parts.next().unwrap_or(&[]);
        (host, parts.next(), false)
    };
    if host.is_empty() {
        return Err(UrlError::MissingHost);
    }
    let port = match port {
        None | Some(b"") => scheme.default_port(),
        Some(p) => parse_port(p).ok_or(UrlError::BadPort)?,
    };
    Ok(Url {
        scheme,
        host,
        is_ipv6,
        port,
        target,
    })
}

fn parse_port(p: &[u8]) -> Option<u16> {
    let mut v: u16 = 0;
    for &b in p {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v
            .checked_mul(10)?
            .checked_add(u16::from(b.wrapping_sub(b'0')))?;
    }
    (v != 0).then_some(v)
}

fn strip_fragment(s: &[u8]) -> &[u8] {
    s.split(|&b| b == b'#').next().unwrap_or(s)
}

/// Splits a reference into path and optional query (without the '?').
fn split_query(s: &[u8]) -> (&[u8], Option<&[u8]>) {
    let mut parts = s.splitn(2, |&b| b == b'?');
    (parts.next().unwrap_or(&[]), parts.next())
}

impl<'a> Url<'a> {
    /// True when the port is not the scheme default.
    pub fn has_explicit_port(&self) -> bool {
        self.port != self.scheme.default_port()
    }

    /// The path part of the target (may be empty).
    pub fn path(&self) -> &'a [u8] {
        split_query(self.target).0
    }

    /// The query without its '?', if the target has one.
    pub fn query(&self) -> Option<&'a [u8]> {
        split_query(self.target).1
    }

    /// Host header value: host (IPv6 in brackets) plus ":port" when the port
    /// is not the scheme default.
    pub fn write_host(&self, w: &mut Writer) {
        if self.is_ipv6 {
            w.put_byte(b'[');
            w.put(self.host);
            w.put_byte(b']');
        } else {
            w.put(self.host);
        }
        if self.has_explicit_port() {
            w.put_byte(b':');
            w.put_decimal(usize::from(self.port));
        }
    }

    fn write_origin(&self, w: &mut Writer) {
        w.put(match self.scheme {
            Scheme::Http => b"http://",
            Scheme::Https => b"https://",
        });
        self.write_host(w);
    }

    /// Writes `scheme://host[:port]target`, a normalised absolute URL: the
    /// scheme lower-cased, userinfo and fragment dropped, an empty path
    /// written as "/" (so `http://h?x` becomes `http://h/?x`).
    pub fn write_absolute(&self, w: &mut Writer) {
        self.write_origin(w);
        if !self.target.starts_with(b"/") {
            w.put_byte(b'/');
        }
        w.put(self.target);
    }
}

/// Resolves a redirect `Location` against `base` per RFC 3986 §5.2 (merge
/// paths, remove dot segments) and writes the absolute URL to `w`.
///
/// Accepted forms: absolute (`HTTP://h/x`), scheme-relative (`//h/x`),
/// absolute-path (`/x`), relative (`x`, `../x`, `?q`, empty). Relative forms
/// keep the base host and port. The fragment is dropped. As in RFC 3986's
/// non-strict mode, `http:x` with the base's own scheme is taken as the
/// relative reference `x`.
///
/// Dot segments are removed by editing the output in place, so when `w`
/// overflows, `w.needed()` may exceed the final length: it is still a buffer
/// size with which a second call succeeds and writes the exact URL.
pub fn resolve(base: &Url, location: &[u8], w: &mut Writer) -> Result<(), UrlError> {
    if has_control(location) {
        return Err(UrlError::ControlCharacter);
    }
    let mut loc = strip_fragment(location);
    if let Some((scheme, rest)) = split_scheme(loc) {
        let scheme = Scheme::from_bytes(scheme).ok_or(UrlError::UnsupportedProtocol)?;
        if let Some(rest) = rest.strip_prefix(b"//") {
            return write_network(parse_authority(scheme, rest)?, w);
        }
        if scheme != base.scheme {
            return Err(UrlError::MissingHost);
        }
        loc = rest;
    }
    if let Some(rest) = loc.strip_prefix(b"//") {
        return write_network(parse_authority(base.scheme, rest)?, w);
    }

    let (path, query) = split_query(loc);
    base.write_origin(w);
    if path.is_empty() {
        let base_path = base.path();
        if base_path.is_empty() {
            w.put_byte(b'/');
        } else {
            w.put(base_path);
        }
        write_query(query.or(base.query()), w);
    } else if path.starts_with(b"/") {
        write_normalised(
            MergedPath {
                dir: b"",
                rel: path,
            },
            w,
        );
        write_query(query, w);
    } else {
        // Merge: everything of the base path up to and including its last
        // '/'; a base with authority and empty path counts as "/".
        let base_path = base.path();
        let dir: &[u8] = match base_path.iter().rposition(|&b| b == b'/') {
            Some(i) => base_path.get(..=i).unwrap_or(b"/"),
            None => b"/",
        };
        write_normalised(MergedPath { dir, rel: path }, w);
        write_query(query, w);
    }
    Ok(())
}

/// Writes a URL that came with its own authority, dot segments removed.
fn write_network(u: Url, w: &mut Writer) -> Result<(), UrlError> {
    u.write_origin(w);
    let path = u.path();
    if path.is_empty() {
        w.put_byte(b'/');
    } else {
        write_normalised(
            MergedPath {
                dir: b"",
                rel: path,
            },
            w,
        );
    }
    write_query(u.query(), w);
    Ok(())
}

fn write_query(q: Option<&[u8]>, w: &mut Writer) {
    if let Some(q) = q {
        w.put_byte(b'?');
        w.put(q);
    }
}

/// A path as the concatenation `dir + rel` without copying it anywhere.
/// `dir` is empty (then `rel` starts with '/') or starts and ends with '/'.
#[derive(Clone, Copy)]
struct MergedPath<'p> {
    dir: &'p [u8],
    rel: &'p [u8],
}

impl<'p> MergedPath<'p> {
    /// Segments after the leading '/', e.g. "/a/b/" → ["a", "b", ""].
    fn segments(self) -> impl Iterator<Item = &'p [u8]> + Clone {
        let is_slash = |b: &u8| *b == b'/';
        // Inner part of dir without its leading and trailing '/'; its segments
        // are followed directly by those of `rel`.
        let inner: &[u8] = match self.dir.len().checked_sub(1) {
            Some(end) if end >= 1 => self.dir.get(1..end).unwrap_or(&[]),
            _ => &[],
        };
        let has_dir = self.dir.len() > 1;
        let dir_segs = has_dir
            .then_some(inner)
            .into_iter()
            .flat_map(move |d| d.split(is_slash));
        let skip = usize::from(self.dir.is_empty());
        dir_segs.chain(self.rel.split(is_slash).skip(skip))
    }
}

/// RFC 3986 §5.2.4 remove_dot_segments, done in the output itself: each
/// kept segment is appended as "/seg" and ".." cuts the output back to the
/// previous '/'. O(n) and no stack, so the engine stays allocation-free even
/// for a hostile 8 KB Location.
///
/// Once the writer has lost bytes to overflow the previous '/' is unknown;
/// ".." then cuts nothing, so `needed()` overestimates and the caller's
/// second pass, with a buffer of that size, produces the exact result.
fn write_normalised(p: MergedPath, w: &mut Writer) {
    let start = w.position();
    let mut ends_in_dot = false;
    for seg in p.segments() {
        ends_in_dot = seg == b"." || seg == b"..";
        if seg == b".." {
            let cut = w
                .tail_from(start)
                .and_then(|out| out.iter().rposition(|&b| b == b'/'));
            if let Some(i) = cut {
                w.truncate(start.saturating_add(i));
            }
        } else if !ends_in_dot {
            w.put_byte(b'/');
            w.put(seg);
        }
    }
    // A final dot segment leaves the path ending in '/'; an empty path is "/".
    if ends_in_dot || w.position() == start {
        w.put_byte(b'/');
    }
}

/// Whether two URLs name the same host (ASCII case-insensitive); credentials
/// are dropped on a redirect to another host.
pub fn same_origin_host(a: &Url, b: &Url) -> bool {
    eq_ignore_case(a.host, b.host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec;

    fn url(s: &str) -> Url<'_> {
        parse(s.as_bytes()).unwrap()
    }

    fn err(s: &str) -> UrlError {
        parse(s.as_bytes()).unwrap_err()
    }

    fn host_header(u: &Url) -> String {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        u.write_host(&mut w);
        String::from_utf8(w.written().to_vec()).unwrap()
    }

    fn absolute(u: &Url) -> String {
        let mut buf = [0u8; 256];
        let mut w = Writer::new(&mut buf);
        u.write_absolute(&mut w);
        String::from_utf8(w.written().to_vec()).unwrap()
    }

    fn res(base: &str, loc: &str) -> Result<String, UrlError> {
        let b = url(base);
        let mut buf = vec![0u8; 1024];
        let mut w = Writer::new(&mut buf);
        resolve(&b, loc.as_bytes(), &mut w)?;
        assert!(!w.overflowed());
        let out = String::from_utf8(w.written().to_vec()).unwrap();
        // Whatever resolve writes must parse again.
        parse(out.as_bytes()).unwrap();
        Ok(out)
    }

    #[test]
    fn simple_http() {
        let u = url("http://example.com/path?q=1");
        assert_eq!(u.scheme, Scheme::Http);
        assert_eq!(u.host, b"example.com");
        assert!(!u.is_ipv6);
        assert_eq!(u.port, 80);
        assert_eq!(u.target, b"/path?q=1");
        assert_eq!(u.path(), b"/path");
        assert_eq!(u.query(), Some(&b"q=1"[..]));
        assert!(!u.has_explicit_port());
    }

    #[test]
    fn simple_https() {
        let u = url("https://example.com");
        assert_eq!(u.scheme, Scheme::Https);
        assert_eq!(u.port, 443);
        assert_eq!(u.target, b"");
        assert_eq!(u.query(), None);
    }

    #[test]
    fn scheme_case_insensitive() {
        assert_eq!(url("HTTP://h/").scheme, Scheme::Http);
        assert_eq!(url("hTtPs://h/").scheme, Scheme::Https);
    }

    #[test]
    fn scheme_strings_and_ports() {
        assert_eq!(Scheme::Http.as_str(), "http:");
        assert_eq!(Scheme::Https.as_str(), "https:");
        assert_eq!(Scheme::Http.default_port(), 80);
        assert_eq!(Scheme::Https.default_port(), 443);
    }

    #[test]
    fn unsupported_protocols() {
        for s in [
            "ftp://h/",
            "example.com/x",
            "",
            "://h",
            "http//h",
            "http:/h",
            "http:h",
            "httpx://h",
            "ws://h",
            "1http://h",
            "/path",
        ] {
            assert_eq!(err(s), UrlError::UnsupportedProtocol, "{s}");
        }
    }

    #[test]
    fn missing_host() {
        for s in [
            "http://",
            "http:///x",
            "http://:80/",
            "http://user@/",
            "http://[]/",
            "http://[::1/",
            "https://?q",
            "http://#f",
        ] {
            assert_eq!(err(s), UrlError::MissingHost, "{s}");
        }
    }

    #[test]
    fn ports() {
        assert_eq!(url("http://h:8080/").port, 8080);
        assert!(url("http://h:8080/").has_explicit_port());
        assert_eq!(url("http://h:1").port, 1);
        assert_eq!(url("http://h:65535").port, 65535);
        assert_eq!(url("http://h:/x").port, 80);
        assert_eq!(url("https://h:").port, 443);
        assert_eq!(url("http://h:0080/").port, 80);
        assert!(!url("http://h:80/").has_explicit_port());
        assert!(url("https://h:80/").has_explicit_port());
        assert_eq!(url("https://h:443?x").target, b"?x");
        for s in [
            "http://h:0/",
            "http://h:65536/",
            "http://h:99999999999999999999/",
            "http://h:-1/",
            "http://h:+80/",
            "http://h:8 0/",
            "http://h:80a/",
            "http://h:80:81/",
            "http://[::1]x/",
            "http://[::1]:x/",
            "http://[::1]:0/",
        ] {
            assert_eq!(err(s), UrlError::BadPort, "{s}");
        }
    }

    #[test]
    fn ipv6() {
        let u = url("http://[::1]/x");
        assert_eq!(u.host, b"::1");
        assert!(u.is_ipv6);
        assert_eq!(u.port, 80);
        let u = url("http://[fe80::1%25eth0]:8080?q");
        assert_eq!(u.host, b"fe80::1%25eth0");
        assert_eq!(u.port, 8080);
        assert_eq!(u.target, b"?q");
        let u = url("https://[::1]:");
        assert_eq!(u.port, 443);
    }

    #[test]
    fn userinfo_stripped() {
        let u = url("http://user:pw@h:81/x");
        assert_eq!(u.host, b"h");
        assert_eq!(u.port, 81);
        let u = url("http://a@b:c@h/x");
        assert_eq!(u.host, b"h");
        let u = url("http://u@[::1]:82/");
        assert_eq!(u.host, b"::1");
        assert_eq!(u.port, 82);
        // An '@' after the authority belongs to the path.
        let u = url("http://h/a@b");
        assert_eq!(u.host, b"h");
        assert_eq!(u.target, b"/a@b");
    }

    #[test]
    fn targets_and_fragments() {
        assert_eq!(url("http://h").target, b"");
        assert_eq!(url("http://h/").target, b"/");
        assert_eq!(url("http://h?x=1").target, b"?x=1");
        assert_eq!(url("http://h#frag").target, b"");
        assert_eq!(url("http://h/a#b?c").target, b"/a");
        assert_eq!(url("http://h/a?b#c").target, b"/a?b");
        assert_eq!(url("http://h/a b").target, b"/a b");
        assert_eq!(url("http://h/a?b?c/d").target, b"/a?b?c/d");
        assert_eq!(url("http://h/a?b?c/d").query(), Some(&b"b?c/d"[..]));
        assert_eq!(url("http://h:8/x/y").host, b"h");
    }

    #[test]
    fn control_characters_checked_first() {
        for s in [
            "http://h/\r\n",
            "ftp://h\n",
            "http://h/\0",
            "\rhttp://h",
            "http://h:x\n",
            "http://h/#\r",
        ] {
            assert_eq!(err(s), UrlError::ControlCharacter, "{s:?}");
        }
        // Other control bytes are not CR/LF/NUL and pass.
        assert!(parse(b"http://h/\t\x01").is_ok());
    }

    #[test]
    fn host_header_values() {
        assert_eq!(host_header(&url("http://h/")), "h");
        assert_eq!(host_header(&url("http://h:80/")), "h");
        assert_eq!(host_header(&url("http://h:8080/")), "h:8080");
        assert_eq!(host_header(&url("https://h:80/")), "h:80");
        assert_eq!(host_header(&url("https://h:443/")), "h");
        assert_eq!(host_header(&url("http://[::1]/")), "[::1]");
        assert_eq!(host_header(&url("http://[::1]:9/")), "[::1]:9");
        assert_eq!(host_header(&url("http://Ex.COM/")), "Ex.COM");
    }

    #[test]
    fn absolute_forms() {
        assert_eq!(absolute(&url("HTTP://u:p@h:80/x?y#z")), "http://h/x?y");
        assert_eq!(absolute(&url("https://h")), "https://h/");
        assert_eq!(absolute(&url("https://h?q")), "https://h/?q");
        assert_eq!(absolute(&url("http://[::1]:81/p")), "http://[::1]:81/p");
        assert_eq!(absolute(&url("http://h/a/../b")), "http://h/a/../b");
    }

    #[test]
    fn absolute_overflow_counts() {
        let u = url("http://example.com/long/path");
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        u.write_absolute(&mut w);
        assert!(w.overflowed());
        assert_eq!(w.needed(), "http://example.com/long/path".len());
    }

    // RFC 3986 §5.4.1 normal examples (those that apply to http).
    #[test]
    fn rfc3986_normal_examples() {
        let b = "http://a/b/c/d;p?q";
        let cases = [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g/"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q"),
            ("g#s", "http://a/b/c/g"),
            ("g?y#s", "http://a/b/c/g?y"),
            (";x", "http://a/b/c/;x"),
            ("g;x", "http://a/b/c/g;x"),
            ("g;x?y#s", "http://a/b/c/g;x?y"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../", "http://a/"),
            ("../../g", "http://a/g"),
        ];
        for (loc, want) in cases {
            assert_eq!(res(b, loc).unwrap(), want, "{loc}");
        }
    }

    // RFC 3986 §5.4.2 abnormal examples.
    #[test]
    fn rfc3986_abnormal_examples() {
        let b = "http://a/b/c/d;p?q";
        let cases = [
            ("../../../g", "http://a/g"),
            ("../../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("/../g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            (".g", "http://a/b/c/.g"),
            ("g..", "http://a/b/c/g.."),
            ("..g", "http://a/b/c/..g"),
            ("./../g", "http://a/b/g"),
            ("./g/.", "http://a/b/c/g/"),
            ("g/./h", "http://a/b/c/g/h"),
            ("g/../h", "http://a/b/c/h"),
            ("g;x=1/./y", "http://a/b/c/g;x=1/y"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("g?y/./x", "http://a/b/c/g?y/./x"),
            ("g?y/../x", "http://a/b/c/g?y/../x"),
            ("g#s/./x", "http://a/b/c/g"),
            ("g#s/../x", "http://a/b/c/g"),
            // Non-strict: same scheme without authority is relative.
            ("http:g", "http://a/b/c/g"),
        ];
        for (loc, want) in cases {
            assert_eq!(res(b, loc).unwrap(), want, "{loc}");
        }
    }

    #[test]
    fn resolve_absolute_locations() {
        assert_eq!(res("http://a/b", "https://x/y").unwrap(), "https://x/y");
        assert_eq!(
            res("http://a/b", "HTTPS://X:444/y?z#f").unwrap(),
            "https://X:444/y?z"
        );
        assert_eq!(res("http://a/b", "http://x").unwrap(), "http://x/");
        assert_eq!(res("http://a/b", "http://x?q").unwrap(), "http://x/?q");
        assert_eq!(
            res("http://a/b", "http://x/a/../b/./c").unwrap(),
            "http://x/b/c"
        );
        assert_eq!(res("http://a/b", "http://u:p@x:80/").unwrap(), "http://x/");
        assert_eq!(
            res("http://a/b", "http://[::1]:8/z").unwrap(),
            "http://[::1]:8/z"
        );
        assert_eq!(res("https://a:8443/b", "//x/y").unwrap(), "https://x/y");
        assert_eq!(res("https://a:8443/b", "//x:1/y").unwrap(), "https://x:1/y");
    }

    #[test]
    fn resolve_keeps_base_port_and_ipv6() {
        assert_eq!(res("http://a:8080/b/c", "d").unwrap(), "http://a:8080/b/d");
        assert_eq!(res("http://a:8080/b/c", "/d").unwrap(), "http://a:8080/d");
        assert_eq!(
            res("http://[::1]:8080/b/c", "?x").unwrap(),
            "http://[::1]:8080/b/c?x"
        );
        assert_eq!(res("https://a/b", "c").unwrap(), "https://a/c");
    }

    #[test]
    fn resolve_against_empty_base_path() {
        assert_eq!(res("http://a", "b").unwrap(), "http://a/b");
        assert_eq!(res("http://a", "").unwrap(), "http://a/");
        assert_eq!(res("http://a?q", "").unwrap(), "http://a/?q");
        assert_eq!(res("http://a?q", "?r").unwrap(), "http://a/?r");
        assert_eq!(res("http://a?q", "../b").unwrap(), "http://a/b");
        assert_eq!(res("http://a/", "./").unwrap(), "http://a/");
    }

    #[test]
    fn resolve_dot_segment_edges() {
        let b = "http://a/b/c/d";
        assert_eq!(res(b, "/a//b/../c").unwrap(), "http://a/a//c");
        assert_eq!(res(b, "/a//..").unwrap(), "http://a/a/");
        assert_eq!(res(b, "/.").unwrap(), "http://a/");
        assert_eq!(res(b, "/..").unwrap(), "http://a/");
        assert_eq!(res(b, "/").unwrap(), "http://a/");
        assert_eq!(res(b, "/a/b/..").unwrap(), "http://a/a/");
        assert_eq!(res(b, "/a/./b/./").unwrap(), "http://a/a/b/");
        assert_eq!(res(b, "x/y/z/../../..").unwrap(), "http://a/b/c/");
        assert_eq!(res(b, "x/y/z/../../../").unwrap(), "http://a/b/c/");
        assert_eq!(res(b, "//h/../../x").unwrap(), "http://h/x");
        assert_eq!(res(b, "..//x").unwrap(), "http://a/b//x");
        assert_eq!(res("http://a/b//c", "d").unwrap(), "http://a/b//d");
        assert_eq!(res("http://a/b//c", "../d").unwrap(), "http://a/b/d");
    }

    #[test]
    fn resolve_errors() {
        let b = "http://a/b";
        assert_eq!(res(b, "ftp://x/"), Err(UrlError::UnsupportedProtocol));
        assert_eq!(res(b, "mailto:x@y"), Err(UrlError::UnsupportedProtocol));
        assert_eq!(
            res(b, "javascript:alert(1)"),
            Err(UrlError::UnsupportedProtocol)
        );
        assert_eq!(
            res(b, "/x\r\nSet-Cookie: a"),
            Err(UrlError::ControlCharacter)
        );
        assert_eq!(res(b, "\0"), Err(UrlError::ControlCharacter));
        assert_eq!(res(b, "http://"), Err(UrlError::MissingHost));
        assert_eq!(res(b, "//"), Err(UrlError::MissingHost));
        assert_eq!(res(b, "http://x:0/"), Err(UrlError::BadPort));
        assert_eq!(res(b, "https:x"), Err(UrlError::MissingHost));
    }

    #[test]
    fn resolve_colon_not_scheme() {
        let b = "http://a/b/c";
        // ':' after a '/' or a leading digit is not a scheme.
        assert_eq!(res(b, "./x:y").unwrap(), "http://a/b/x:y");
        assert_eq!(res(b, "d/x:y").unwrap(), "http://a/b/d/x:y");
        assert_eq!(res(b, "1:2").unwrap(), "http://a/b/1:2");
        assert_eq!(res(b, "?a:b").unwrap(), "http://a/b/c?a:b");
    }

    #[test]
    fn resolve_overflowing_writer_then_retry() {
        let b = url("http://example.com/a/b/c");
        for loc in [
            "../x/./y/..",
            "https://other/z",
            "?q",
            "",
            "d/e",
            "/p/q/../../r/s/t/../..",
            "x/y/z/../../../..",
        ] {
            let mut big = [0u8; 256];
            let mut w = Writer::new(&mut big);
            resolve(&b, loc.as_bytes(), &mut w).unwrap();
            assert!(!w.overflowed());
            let want = w.written().to_vec();
            let big_needed = w.needed();
            for size in 0..big_needed {
                let mut small = vec![0u8; size];
                let mut w = Writer::new(&mut small);
                resolve(&b, loc.as_bytes(), &mut w).unwrap();
                assert!(w.overflowed(), "{loc} size {size}");
                let need = w.needed();
                assert!(need >= big_needed);
                if !loc.contains("..") {
                    // Append-only output: the count is exact.
                    assert_eq!(need, want.len());
                    assert_eq!(w.written(), &want[..size]);
                }
                let mut retry = vec![0u8; need];
                let mut w = Writer::new(&mut retry);
                resolve(&b, loc.as_bytes(), &mut w).unwrap();
                assert!(!w.overflowed());
                assert_eq!(w.written(), &want[..], "{loc} size {size}");
            }
        }
    }

    #[test]
    fn resolve_long_paths_are_linear() {
        // 4000 segments each cancelled at the end: quadratic code would take
        // ~10^7 steps, this just has to finish quickly and correctly.
        let base = url("http://a/b");
        let mut loc = String::new();
        for _ in 0..4000 {
            loc.push_str("x/");
        }
        for _ in 0..4000 {
            loc.push_str("../");
        }
        loc.push('y');
        let mut buf = vec![0u8; 20000];
        let mut w = Writer::new(&mut buf);
        resolve(&base, loc.as_bytes(), &mut w).unwrap();
        assert_eq!(w.written(), b"http://a/y");
    }

    #[test]
    fn resolve_long_dot_chains_terminate() {
        let base = url("http://a/b");
        let mut loc = String::new();
        for _ in 0..500 {
            loc.push_str("x/");
        }
        for _ in 0..600 {
            loc.push_str("../");
        }
        // The intermediate output does not fit 64 bytes: grow and retry.
        let mut buf = [0u8; 64];
        let mut w = Writer::new(&mut buf);
        resolve(&base, loc.as_bytes(), &mut w).unwrap();
        assert!(w.overflowed());
        let mut big = vec![0u8; w.needed()];
        let mut w = Writer::new(&mut big);
        resolve(&base, loc.as_bytes(), &mut w).unwrap();
        assert!(!w.overflowed());
        assert_eq!(w.written(), b"http://a/");
    }

    #[test]
    fn origin_host_comparison() {
        assert!(same_origin_host(
            &url("http://Example.com/"),
            &url("https://example.COM:81/x")
        ));
        assert!(!same_origin_host(
            &url("http://a.com/"),
            &url("http://b.com/")
        ));
        assert!(same_origin_host(
            &url("http://[::1]/"),
            &url("http://[::1]:8/")
        ));
    }
}
